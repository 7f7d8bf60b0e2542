package portkey_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/gen"
	"github.com/seed-a6d846e6/portkey-runs/internal/wire"
	"github.com/seed-a6d846e6/portkey-runs/portkey"
	"github.com/seed-a6d846e6/portkey-runs/refserver"
)

// overTheWire is a RoundTripper that writes each request as it would go over the network, reads it
// back as a server does, and serves it with h: no socket, nothing lost in between.
type overTheWire struct {
	h    http.Handler
	mu   sync.Mutex
	path string // the escaped path the server read last
}

func (w *overTheWire) RoundTrip(req *http.Request) (*http.Response, error) {
	var buf bytes.Buffer
	if err := req.Write(&buf); err != nil {
		return nil, err
	}
	sreq, err := http.ReadRequest(bufio.NewReader(&buf))
	if err != nil {
		return nil, fmt.Errorf("the server cannot read %q: %w", strings.SplitN(buf.String(), "\r\n", 2)[0], err)
	}
	sreq = sreq.WithContext(req.Context())
	w.mu.Lock()
	w.path = sreq.URL.EscapedPath()
	w.mu.Unlock()
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, sreq)
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

func (w *overTheWire) lastPath() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.path
}

// FuzzCancelPath: whatever the IDs, the client and the generated client send each as
// exactly one path segment that the server (and the spec's template) unescapes back to the
// exact ID, so that the reference server cancels exactly that run; "." and ".." are refused.
func FuzzCancelPath(f *testing.F) {
	for _, id := range []string{"run_abc123", "a/b", "..", ".", "50%", "%2F", "with space", "thread_ünï",
		"q?x=1#f", "a/../b", "%", "+", ";x=1", "\x00", "\xff", "a\r\nb", "~!*'()", "/", "//", "%zz"} {
		f.Add("thread_"+id, id)
		f.Add(id, "run_1")
	}
	srv, err := refserver.New(refserver.WithCancelDelay(0))
	require.NoError(f, err)
	w := &overTheWire{h: srv}
	c, err := portkey.New(portkey.WithBaseURL("http://refserver.test/v1"), portkey.WithAuth(testAuth),
		portkey.WithMaxRetries(0), portkey.WithHTTPClient(&http.Client{Transport: w}))
	require.NoError(f, err)

	f.Fuzz(func(t *testing.T, threadID, runID string) {
		if threadID == "" || runID == "" || !utf8.ValidString(threadID) || !utf8.ValidString(runID) || wire.DotSegment(threadID) || wire.DotSegment(runID) {
			_, err := c.Cancel(context.Background(), threadID, runID)
			require.Error(t, err, "refused before sending")
			assert.True(t, errors.Is(err, portkey.ErrEmptyID) || errors.Is(err, portkey.ErrInvalidID), err)
			return
		}
		_, err := srv.Store.Seed(threadID, runID, gen.RunStatusQueued)
		require.NoError(t, err)

		run, err := c.Cancel(context.Background(), threadID, runID)
		require.NoError(t, err, "Cancel(%q, %q)", threadID, runID)
		assert.Equal(t, runID, run.ID)
		assert.Equal(t, threadID, run.ThreadID)
		assert.Equal(t, gen.RunStatusCancelled, run.Status)
		checkPath(t, w.lastPath(), threadID, runID)

		// The generated client, through CancelRun, sends the same path; the run is now
		// cancelled, so the server answers 400 naming that status.
		resp, err := portkey.CancelRun(context.Background(), c.Gen(), threadID, runID)
		require.NoError(t, err)
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode(), string(resp.Body))
		checkPath(t, w.lastPath(), threadID, runID)
	})
}

// checkPath asserts that escaped is /v1/threads/{threadID}/runs/{runID}/cancel with one
// segment per ID.
func checkPath(t *testing.T, escaped, threadID, runID string) {
	t.Helper()
	segs := strings.Split(escaped, "/")
	require.Len(t, segs, 7, escaped)
	assert.Equal(t, []string{"", "v1", "threads", url.PathEscape(threadID), "runs", url.PathEscape(runID), "cancel"}, segs)
	s, err := wire.Load()
	require.NoError(t, err)
	op, params, ok := s.Match(http.MethodPost, escaped)
	assert.True(t, ok && op.ID == "cancelRun", escaped)
	assert.Equal(t, threadID, params["thread_id"], escaped)
	assert.Equal(t, runID, params["run_id"], escaped)
}
