package portkey_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/portkey"
)

// testAuth is a full set of credentials whose values are easy to look for in output.
var testAuth = portkey.Auth{APIKey: "pk-SECRET-api", VirtualKey: "vk-SECRET-virtual"}

// secretValues are the values no output may contain.
var secretValues = []string{"pk-SECRET-api", "vk-SECRET-virtual", "sk-SECRET-provider", "pc-SECRET-config"}

// runJSON is a valid cancelled run as the server sends it.
const runJSON = `{"id":"run_abc","object":"thread.run","created_at":1700000000,"thread_id":"thread_abc",
"assistant_id":"asst_abc","status":"cancelling","required_action":null,"last_error":null,
"expires_at":null,"started_at":1700000001,"cancelled_at":null,"failed_at":null,"completed_at":null,
"model":"gpt-4o","instructions":"","tools":[],"metadata":{},"usage":null,"incomplete_details":null,
"max_prompt_tokens":null,"max_completion_tokens":null,"truncation_strategy":null,"tool_choice":null,
"parallel_tool_calls":true,"response_format":"auto"}`

// reply is one scripted answer.
type reply struct {
	status int
	header map[string]string
	body   string
}

// script answers requests with replies in order (the last one repeats) and records what
// it received.
type script struct {
	mu      sync.Mutex
	replies []reply
	got     []*http.Request
	bodies  []string
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	rep := s.replies[min(len(s.got), len(s.replies)-1)]
	s.got = append(s.got, r.Clone(context.Background()))
	s.bodies = append(s.bodies, string(body))
	s.mu.Unlock()
	for k, v := range rep.header {
		w.Header().Set(k, v)
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(rep.status)
	_, _ = w.Write([]byte(rep.body))
}

// requests returns what the server received so far.
func (s *script) requests() []*http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*http.Request(nil), s.got...)
}

// serve starts an httptest server answering with replies.
func serve(t *testing.T, replies ...reply) (*httptest.Server, *script) {
	t.Helper()
	s := &script{replies: replies}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv, s
}

// fakeSleep records the waits asked for and returns at once (or the context's error).
type fakeSleep struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (f *fakeSleep) sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	f.waits = append(f.waits, d)
	f.mu.Unlock()
	return ctx.Err()
}

// fastRetry is a RetryTransport with the default policy and a recording sleep.
func fastRetry() (*portkey.RetryTransport, *fakeSleep) {
	rt := portkey.NewRetryTransport(nil)
	fs := &fakeSleep{}
	portkey.SetClock(rt, time.Now, fs.sleep)
	return rt, fs
}

// newClient returns a Client for srv with testAuth and the transport rt (nil: no retries).
func newClient(t *testing.T, srv *httptest.Server, rt http.RoundTripper, opts ...portkey.Option) *portkey.Client {
	t.Helper()
	opts = append([]portkey.Option{
		portkey.WithBaseURL(srv.URL + "/v1"),
		portkey.WithAuth(testAuth),
		portkey.WithHTTPClient(&http.Client{Transport: rt}),
	}, opts...)
	if rt == nil {
		opts = append([]portkey.Option{portkey.WithMaxRetries(0)}, opts...)
	}
	c, err := portkey.New(opts...)
	require.NoError(t, err)
	return c
}
