package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/internal/hostile"
	"github.com/seed-a6d846e6/portkey-runs/portkey"
)

// syncBuffer is a bytes.Buffer safe to write from the server while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var listening = regexp.MustCompile(`msg=listening url=(http://127\.0\.0\.1:\d+/v1)`)

// startServe runs serve until ctx ends; done receives its exit code.
func startServe(t *testing.T, ctx context.Context, stdout, stderr *syncBuffer, flags ...string) (base string, done chan int) {
	t.Helper()
	done = make(chan int, 1)
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--cancel-delay", "0"}, flags...)
	go func() {
		done <- run(ctx, args, strings.NewReader(""), stdout, stderr,
			func(string) string { return "" })
	}()
	require.Eventually(t, func() bool {
		m := listening.FindStringSubmatch(stderr.String())
		if m != nil {
			base = m[1]
		}
		return m != nil
	}, 10*time.Second, 10*time.Millisecond, "the listening line: %s", stderr.String())
	return base, done
}

// TestServe serves until its context ends, seeded, logging requests without credentials.
func TestServe(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	base, done := startServe(t, ctx, &stdout, &stderr)

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/threads/thread_demo/runs/run_in_progress/cancel", nil)
	require.NoError(t, err)
	const key = "pk-live-7c1e9a3f5b2d8e4c6a0f"
	portkey.Auth{APIKey: key, VirtualKey: "vk"}.Apply(req.Header)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	var run struct{ Status string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&run))
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "cancelled", run.Status, "--cancel-delay 0 cancels at once")

	cancel()
	select {
	case code := <-done:
		assert.Equal(t, 0, code)
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop when its context ended")
	}
	logs := stderr.String()
	assert.Contains(t, logs, "path=/v1/threads/thread_demo/runs/run_in_progress/cancel status=200")
	assert.NotContains(t, logs, key)
	assert.Empty(t, stdout.String())
}

// TestServeRefusesSmuggling: behind serve's request logger, a body over the limit that
// hides a second request is refused and the connection closed, so the hidden request is
// never answered.
func TestServeRefusesSmuggling(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	base, _ := startServe(t, ctx, &stdout, &stderr)
	for _, r := range hostile.Requests() {
		if !strings.Contains(r.Raw, hostile.HiddenPath) {
			continue
		}
		t.Run(r.Name, func(t *testing.T) {
			c, err := net.Dial("tcp", strings.TrimSuffix(strings.TrimPrefix(base, "http://"), "/v1"))
			require.NoError(t, err)
			defer c.Close()
			go func() { _, _ = io.WriteString(c, r.Raw) }()
			require.NoError(t, c.SetReadDeadline(time.Now().Add(3*time.Second)))
			br := bufio.NewReader(c)
			res, err := http.ReadResponse(br, nil)
			require.NoError(t, err)
			body, err := io.ReadAll(res.Body)
			require.NoError(t, err)
			res.Body.Close()
			assert.Equal(t, r.Status, res.StatusCode, string(body))
			rest, err := io.ReadAll(br)
			assert.NoError(t, err, "the connection is still open")
			assert.Empty(t, rest, "the hidden request was answered")
		})
	}
}

// TestServeUpstream: with --upstream, serve answers the bearer key alone (what a gateway
// forwards) with OpenAI's headers, and refuses Portkey's headers without it.
func TestServeUpstream(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	base, _ := startServe(t, ctx, &stdout, &stderr, "--upstream")
	post := func(h http.Header) *http.Response {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/threads/thread_demo/runs/run_queued/cancel", nil)
		require.NoError(t, err)
		req.Header = h
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	refused := post(http.Header{"X-Portkey-Api-Key": {"pk"}, "X-Portkey-Virtual-Key": {"vk"}})
	assert.Equal(t, http.StatusUnauthorized, refused.StatusCode)
	ok := post(http.Header{"Authorization": {"Bearer sk-any"}})
	assert.Equal(t, http.StatusOK, ok.StatusCode)
	assert.NotEmpty(t, ok.Header.Get("x-request-id"))
	assert.NotEmpty(t, ok.Header.Get("openai-processing-ms"))
	assert.NotEmpty(t, ok.Header.Get("openai-version"))
}
