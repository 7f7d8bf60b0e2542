package recording_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/seed-a6d846e6/portkey-runs/contract"
	"github.com/seed-a6d846e6/portkey-runs/internal/hostile"
	"github.com/seed-a6d846e6/portkey-runs/internal/testtarget"
	"github.com/seed-a6d846e6/portkey-runs/portkey"
	"github.com/seed-a6d846e6/portkey-runs/recording"
)

// redirectAuth sends every credential header Go would copy to another origin.
var redirectAuth = portkey.Auth{APIKey: testtarget.APIKey, VirtualKey: testtarget.VirtualKey, Config: testtarget.Config}

// otherOrigin is a second loopback server that counts what reaches it.
type otherOrigin struct {
	mu  sync.Mutex
	got int
}

func (o *otherOrigin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	o.got++
	o.mu.Unlock()
	http.NotFound(w, r)
}

func (o *otherOrigin) requests() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.got
}

// redirecting starts a server redirecting with status to another one, on another port.
func redirecting(t *testing.T, status int) (from string, other *otherOrigin, to string) {
	other = &otherOrigin{}
	dst := httptest.NewServer(other)
	t.Cleanup(dst.Close)
	src := httptest.NewServer(hostile.Redirect(status, dst.URL))
	t.Cleanup(src.Close)
	return src.URL, other, dst.URL
}

var redirectStatuses = []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect}

// redirectLine is how a result reports a redirect to origin.
func redirectLine(origin string, status int) string {
	loc := strconv.Quote(origin + "/v1/threads/t/runs/r/cancel")
	if len(loc) > 60 {
		loc = loc[:57] + `..."`
	}
	return "header Location: " + loc + " redirects the cancel (" + strconv.Itoa(status) + "), not followed: its answer is not judged (infrastructure)"
}

// TestSuiteNeverFollowsARedirect: whatever client the suite is given, a redirect to another
// port is reported as such, never followed, and the answer is not judged.
func TestSuiteNeverFollowsARedirect(t *testing.T) {
	for _, status := range redirectStatuses {
		for name, client := range map[string]*http.Client{"default": nil, "own": {}} {
			t.Run(strconv.Itoa(status)+"/"+name, func(t *testing.T) {
				from, other, to := redirecting(t, status)
				s := &contract.Suite{BaseURL: from + "/v1", Auth: redirectAuth, Client: client}
				r := s.Run(context.Background(), contract.Scenario{Name: "x", ThreadID: "t", RunID: "r", Expect: []int{404}})
				assert.Equal(t, contract.Error, r.Verdict)
				assert.Equal(t, status, r.Status)
				assert.Equal(t, []string{redirectLine(to, status)}, testtarget.Lines(r.Violations()))
				assert.Zero(t, other.requests(), "the other origin is never called")
			})
		}
	}
}

// TestRecordNeverFollowsARedirect: record saves the redirect as it came, never what the
// other origin would say, and its replay is not judged either.
func TestRecordNeverFollowsARedirect(t *testing.T) {
	for _, status := range redirectStatuses {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			from, other, to := redirecting(t, status)
			dir := t.TempDir()
			s := &contract.Suite{BaseURL: from + "/v1", Auth: redirectAuth, Client: &http.Client{}}
			rs, err := recording.Record(context.Background(), s, dir, []contract.Scenario{{Name: "x", ThreadID: "t", RunID: "r", Expect: []int{404}}})
			require.NoError(t, err)
			require.Len(t, rs, 1)
			assert.Equal(t, contract.Error, rs[0].Verdict)
			assert.Zero(t, other.requests(), "the other origin is never called")

			c, err := cassette.Load(filepath.Join(dir, "x"))
			require.NoError(t, err)
			require.Len(t, c.Interactions, 1)
			assert.Equal(t, status, c.Interactions[0].Response.Code)
			assert.Equal(t, to+"/v1/threads/t/runs/r/cancel", c.Interactions[0].Response.Headers.Get("Location"))

			v, err := contract.Default()
			require.NoError(t, err)
			replayed, err := replayFile(v, filepath.Join(dir, "x.yaml"))
			require.NoError(t, err)
			require.Len(t, replayed, 1)
			assert.Equal(t, contract.Error, replayed[0].Verdict)
			assert.Equal(t, []string{redirectLine(to, status)}, testtarget.Lines(replayed[0].Violations()))
		})
	}
}

// TestRecordWritesNothingForAFailedExchange: an exchange that got no answer (refused, cut
// mid-body) is reported as an error naming the scenario, and no cassette is written.
func TestRecordWritesNothingForAFailedExchange(t *testing.T) {
	refused := httptest.NewServer(http.NotFoundHandler())
	refused.Close()
	cut := httptest.NewServer(hostile.Get("cut_mid_body"))
	defer cut.Close()
	for name, base := range map[string]string{"refused": refused.URL, "cut_mid_body": cut.URL} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			s := &contract.Suite{BaseURL: base + "/v1", Auth: testtarget.HostedAuth}
			rs, err := recording.Record(context.Background(), s, dir, []contract.Scenario{
				{Name: "lost", ThreadID: "t", RunID: "r", Expect: []int{404}}})
			require.ErrorContains(t, err, "recording: lost not recorded: connection: failed: ")
			require.Len(t, rs, 1)
			assert.Equal(t, contract.Error, rs[0].Verdict)
			_, err = os.Stat(filepath.Join(dir, "lost.yaml"))
			assert.ErrorIs(t, err, os.ErrNotExist, "no cassette for an exchange that failed")
		})
	}
}

// TestRecordMarksACutBody: a body over the limit is stored cut, marked, with lengths that
// say what is stored; its replay, directly or through Replayer, is never judged.
func TestRecordMarksACutBody(t *testing.T) {
	small, err := contract.New(contract.Options{MaxBody: 4096})
	require.NoError(t, err)
	for name, sent := range map[string]string{"huge_body": "cut at 4096 bytes of " + strconv.Itoa(hostile.HugeSize), "huge_body_chunked": "cut at 4096 bytes of more"} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(hostile.Get(name))
			defer srv.Close()
			dir := t.TempDir()
			s := &contract.Suite{BaseURL: srv.URL + "/v1", Auth: testtarget.HostedAuth, Validator: small}
			rs, err := recording.Record(context.Background(), s, dir, []contract.Scenario{{Name: "big", ThreadID: "t", RunID: "r", Expect: []int{200}}})
			require.NoError(t, err)
			assert.Equal(t, contract.Error, rs[0].Verdict)

			file := filepath.Join(dir, "big.yaml")
			c, err := cassette.Load(filepath.Join(dir, "big"))
			require.NoError(t, err)
			require.Len(t, c.Interactions, 1)
			p := c.Interactions[0].Response
			assert.Len(t, p.Body, 4096)
			assert.Equal(t, sent, p.Headers.Get(recording.HeaderCut))
			assert.EqualValues(t, 4096, p.ContentLength)
			if name == "huge_body" {
				assert.Equal(t, "4096", p.Headers.Get("Content-Length"))
			}

			// Replayed with a limit the stored body is within, it is still not judged.
			v, err := contract.Default()
			require.NoError(t, err)
			replayed, err := replayFile(v, file)
			require.NoError(t, err)
			require.Len(t, replayed, 1)
			assert.Equal(t, contract.Error, replayed[0].Verdict)
			assert.Equal(t, []string{"body: was cut at 4096 bytes when recorded and was not validated (infrastructure)"}, testtarget.Lines(replayed[0].Violations()))

			rt, err := recording.Replayer(file)
			require.NoError(t, err)
			s = &contract.Suite{BaseURL: "http://replay.invalid/v1", Auth: testtarget.HostedAuth, Client: &http.Client{Transport: rt}}
			r := s.Run(context.Background(), contract.Scenario{Name: "big", ThreadID: "t", RunID: "r", Expect: []int{200}})
			assert.Equal(t, contract.Error, r.Verdict)
			assert.Equal(t, []string{"connection: failed: recording: the recorded body was cut here (Portkey-Runs-Body-Cut) (infrastructure)"}, testtarget.Lines(r.Violations()))
		})
	}
}
