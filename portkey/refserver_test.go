package portkey_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/gen"
	"github.com/seed-a6d846e6/portkey-runs/portkey"
	"github.com/seed-a6d846e6/portkey-runs/refserver"
)

// ref is the reference server behind a counter of the requests it receives.
type ref struct {
	*httptest.Server
	store *refserver.Store

	mu       sync.Mutex
	attempts []string // X-Retry-Attempt of each request, in order
}

func newRef(t *testing.T) *ref {
	t.Helper()
	s, err := refserver.New(refserver.WithCancelDelay(time.Hour))
	require.NoError(t, err)
	r := &ref{store: s.Store}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.attempts = append(r.attempts, req.Header.Get(portkey.HeaderRetryAttempt))
		r.mu.Unlock()
		s.ServeHTTP(w, req)
	}))
	t.Cleanup(r.Close)
	return r
}

// seen returns the attempt headers of the requests received so far.
func (r *ref) seen() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.attempts...)
}

// client returns a Client for r that sends prefer (when not empty) and retries through rt.
func (r *ref) client(t *testing.T, rt http.RoundTripper, prefer string, opts ...portkey.Option) *portkey.Client {
	t.Helper()
	opts = append([]portkey.Option{
		portkey.WithBaseURL(r.URL + "/v1"),
		portkey.WithAuth(testAuth),
		portkey.WithHTTPClient(&http.Client{Transport: rt}),
		portkey.WithHeader("Prefer", prefer),
	}, opts...)
	c, err := portkey.New(opts...)
	require.NoError(t, err)
	return c
}

// seed stores a run in progress and returns its IDs.
func (r *ref) seed(t *testing.T) (threadID, runID string) {
	t.Helper()
	threadID, runID = "thread_"+strings.ReplaceAll(t.Name(), "/", "_"), fmt.Sprintf("run_%d", time.Now().UnixNano())
	_, err := r.store.Seed(threadID, runID, gen.RunStatusInProgress)
	require.NoError(t, err)
	return threadID, runID
}

func TestRefRetriesUntilSuccess(t *testing.T) {
	cases := []struct {
		prefer string
		want   []string // attempt headers the server saw
	}{
		{"code=503, times=2", []string{"0", "1", "2"}},
		{"code=500, times=1", []string{"0", "1"}},
		{"code=502, times=2", []string{"0", "1", "2"}},
		{"code=504, times=1", []string{"0", "1"}},
		{"code=408, times=2", []string{"0", "1", "2"}},
		{"code=409, times=2", []string{"0", "1", "2"}},
		{"code=429, retry-after-ms=0, times=2", []string{"0", "1", "2"}},
		{"delay=50ms, code=503, times=1", []string{"0", "1"}},
	}
	for _, c := range cases {
		t.Run(c.prefer, func(t *testing.T) {
			r := newRef(t)
			rt, fs := fastRetry()
			thread, run := r.seed(t)
			got, err := r.client(t, rt, c.prefer).Cancel(context.Background(), thread, run)
			require.NoError(t, err)
			assert.Equal(t, gen.RunStatusCancelling, got.Status)
			assert.Equal(t, c.want, r.seen(), "requests the server saw")
			assert.Len(t, fs.waits, len(c.want)-1)
		})
	}
}

func TestRefGivesUpAfterMaxRetries(t *testing.T) {
	r := newRef(t)
	rt, fs := fastRetry()
	thread, run := r.seed(t)
	_, err := r.client(t, rt, "code=503, times=3").Cancel(context.Background(), thread, run)
	var apiErr *portkey.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 503, apiErr.StatusCode)
	assert.Equal(t, []string{"0", "1", "2"}, r.seen())
	assert.Len(t, fs.waits, 2)
	st, err := r.store.Get(thread, run)
	require.NoError(t, err)
	assert.Equal(t, gen.RunStatusInProgress, st.Status, "faulted requests change nothing")
}

func TestRefNoRetryOnClientErrors(t *testing.T) {
	for _, code := range []int{400, 401, 403, 404, 412, 446} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			r := newRef(t)
			rt, fs := fastRetry()
			thread, run := r.seed(t)
			_, err := r.client(t, rt, fmt.Sprintf("code=%d, times=5", code)).Cancel(context.Background(), thread, run)
			var apiErr *portkey.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, code, apiErr.StatusCode)
			assert.Equal(t, []string{"0"}, r.seen())
			assert.Empty(t, fs.waits)
		})
	}
}

func TestRefRetryAfter(t *testing.T) {
	cases := []struct {
		prefer string
		want   time.Duration
	}{
		{"code=429, times=1", time.Second}, // the server's default Retry-After: 1
		{"code=429, retry-after=3, times=1", 3 * time.Second},
		{"code=503, retry-after=2, times=1", 2 * time.Second},
		{"code=429, retry-after=3, retry-after-ms=150, times=1", 150 * time.Millisecond},
	}
	for _, c := range cases {
		t.Run(c.prefer, func(t *testing.T) {
			r := newRef(t)
			rt, fs := fastRetry()
			thread, run := r.seed(t)
			_, err := r.client(t, rt, c.prefer).Cancel(context.Background(), thread, run)
			require.NoError(t, err)
			assert.Equal(t, []time.Duration{c.want}, fs.waits)
			assert.Len(t, r.seen(), 2)
		})
	}
}

func TestRefRetryAfterRealClock(t *testing.T) {
	r := newRef(t)
	thread, run := r.seed(t)
	start := time.Now()
	_, err := r.client(t, portkey.NewRetryTransport(nil), "code=429, retry-after=1, times=1").Cancel(context.Background(), thread, run)
	elapsed := time.Since(start)
	require.NoError(t, err)
	assert.Len(t, r.seen(), 2)
	assert.GreaterOrEqual(t, elapsed, time.Second)
	assert.Less(t, elapsed, 5*time.Second)
}

func TestRefDeadline(t *testing.T) {
	t.Run("no sleep into the deadline", func(t *testing.T) {
		r := newRef(t)
		thread, run := r.seed(t)
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		start := time.Now()
		_, err := r.client(t, portkey.NewRetryTransport(nil), "code=429, retry-after=5").Cancel(ctx, thread, run)
		var apiErr *portkey.APIError
		require.ErrorAs(t, err, &apiErr, "the 429 comes back instead of a sleep past the deadline")
		assert.Equal(t, 429, apiErr.StatusCode)
		assert.Less(t, time.Since(start), 900*time.Millisecond)
		assert.Len(t, r.seen(), 1)
	})
	t.Run("slow server", func(t *testing.T) {
		r := newRef(t)
		thread, run := r.seed(t)
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := r.client(t, portkey.NewRetryTransport(nil), "delay=10s").Cancel(ctx, thread, run)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Less(t, time.Since(start), 2*time.Second)
		assert.Len(t, r.seen(), 1)
	})
	t.Run("client timeout", func(t *testing.T) {
		r := newRef(t)
		thread, run := r.seed(t)
		start := time.Now()
		_, err := r.client(t, portkey.NewRetryTransport(nil), "delay=10s", portkey.WithTimeout(200*time.Millisecond)).Cancel(context.Background(), thread, run)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Less(t, time.Since(start), 2*time.Second)
	})
}

func TestRefErrorShapes(t *testing.T) {
	cases := []struct {
		prefer string
		want   portkey.APIError // Message is checked as a prefix
	}{
		{"code=429", portkey.APIError{StatusCode: 429, Type: "requests", Code: "rate_limit_exceeded", Message: "Rate limit reached."}},
		{"code=500", portkey.APIError{StatusCode: 500, Type: "server_error", Message: "Internal Server Error."}},
		{"code=502", portkey.APIError{StatusCode: 502, Message: "Bad Gateway (fault injected"}},
		{"code=503", portkey.APIError{StatusCode: 503, Message: "Service Unavailable (fault injected"}},
		{"code=504", portkey.APIError{StatusCode: 504, Message: "Gateway Timeout (fault injected"}},
		{"code=401", portkey.APIError{StatusCode: 401, Type: "invalid_request_error", Code: "invalid_api_key", Message: "Invalid API key provided."}},
		{"code=408", portkey.APIError{StatusCode: 408, Type: "timeout_error", Message: "Request exceeded the timeout"}},
		{"code=446", portkey.APIError{StatusCode: 446, Type: "invalid_request_error"}},
		{"code=418", portkey.APIError{StatusCode: 400, Type: "invalid_request_error", Param: "Prefer", Message: "Prefer: code=418 is not supported"}},
		{"times=x", portkey.APIError{StatusCode: 400, Type: "invalid_request_error", Param: "Prefer", Message: `Prefer: bad "times=x"`}},
	}
	for _, c := range cases {
		t.Run(c.prefer, func(t *testing.T) {
			r := newRef(t)
			thread, run := r.seed(t)
			_, err := r.client(t, nil, c.prefer, portkey.WithMaxRetries(0)).Cancel(context.Background(), thread, run)
			var apiErr *portkey.APIError
			require.ErrorAs(t, err, &apiErr)
			got := *apiErr
			assert.True(t, strings.HasPrefix(got.Message, c.want.Message), "message %q", got.Message)
			got.Message = c.want.Message
			assert.Equal(t, c.want, got)
		})
	}
}

func TestRefRealErrors(t *testing.T) {
	r := newRef(t)
	c := r.client(t, nil, "", portkey.WithMaxRetries(0))
	_, err := r.store.Seed("thread_x", "run_done", gen.RunStatusCompleted)
	require.NoError(t, err)

	_, err = c.Cancel(context.Background(), "thread_x", "run_done")
	var apiErr *portkey.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 400, apiErr.StatusCode)
	assert.Equal(t, "Cannot cancel run with status 'completed'.", apiErr.Message)

	_, err = c.Cancel(context.Background(), "thread_x", "run_missing")
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 404, apiErr.StatusCode)
}

func TestRefTruncatedBody(t *testing.T) {
	r := newRef(t)
	thread, run := r.seed(t)
	_, err := r.client(t, nil, "truncate=true, times=1", portkey.WithMaxRetries(0)).Cancel(context.Background(), thread, run)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	got, err := r.client(t, nil, "truncate=true, times=1", portkey.WithMaxRetries(0)).Cancel(context.Background(), thread, run)
	require.NoError(t, err, "the truncated answer changed nothing; the next cancel works")
	assert.Equal(t, gen.RunStatusCancelling, got.Status)
}

func TestRefNoSecretsInOutput(t *testing.T) {
	r := newRef(t)
	var logs bytes.Buffer
	rt, _ := fastRetry()
	rt.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	auth := portkey.Auth{APIKey: "pk-SECRET-api", Provider: "openai", ProviderKey: "sk-SECRET-provider", Config: "pc-SECRET-config"}
	c := r.client(t, rt, "code=503", portkey.WithAuth(auth))
	thread, run := r.seed(t)
	_, err := c.Cancel(context.Background(), thread, run)
	require.Error(t, err)
	assert.Len(t, r.seen(), 3)
	assert.Contains(t, logs.String(), "portkey: retrying")
	for _, out := range []string{logs.String(), err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprintf("%+v", auth), fmt.Sprintf("%#v", auth)} {
		for _, s := range secretValues {
			assert.NotContains(t, out, s)
		}
	}
}
