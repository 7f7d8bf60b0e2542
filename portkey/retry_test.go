package portkey_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/portkey"
)

// post sends one POST through rt to url and returns the status (0 on error).
func post(t *testing.T, ctx context.Context, rt http.RoundTripper, url, body string) (int, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	resp, err := (&http.Client{Transport: rt}).Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, err = io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, nil
}

func TestRetryStatuses(t *testing.T) {
	cases := []struct {
		status int
		header map[string]string
		want   int // requests the server sees
	}{
		{408, nil, 3}, {409, nil, 3}, {429, nil, 3}, {500, nil, 3}, {502, nil, 3}, {503, nil, 3}, {504, nil, 3}, {599, nil, 3},
		{400, nil, 1}, {401, nil, 1}, {403, nil, 1}, {404, nil, 1}, {412, nil, 1}, {446, nil, 1},
		{405, nil, 1}, {422, nil, 1}, {200, nil, 1}, {201, nil, 1},
		{503, map[string]string{"x-should-retry": "false"}, 1},
		{422, map[string]string{"x-should-retry": "true"}, 3},
		{200, map[string]string{"x-should-retry": "true"}, 1},
	}
	for _, never := range []int{400, 401, 403, 404, 412, 446} { // whatever the server says
		cases = append(cases, struct {
			status int
			header map[string]string
			want   int
		}{never, map[string]string{"x-should-retry": "true"}, 1})
	}
	for _, c := range cases {
		t.Run(http.StatusText(c.status)+"/"+c.header["x-should-retry"], func(t *testing.T) {
			srv, s := serve(t, reply{status: c.status, header: c.header, body: `{}`})
			rt, _ := fastRetry()
			status, err := post(t, context.Background(), rt, srv.URL, "")
			require.NoError(t, err)
			assert.Equal(t, c.status, status)
			got := s.requests()
			require.Len(t, got, c.want)
			for i, r := range got {
				assert.Equal(t, []string{string(rune('0' + i))}, r.Header.Values(portkey.HeaderRetryAttempt), "attempt header of request %d", i)
			}
		})
	}
}

func TestRetrySucceedsAfterFailures(t *testing.T) {
	srv, s := serve(t, reply{status: 503, body: `{"status":"failure","message":"busy"}`}, reply{status: 429, body: `{}`}, reply{status: 200, body: `{}`})
	rt, fs := fastRetry()
	status, err := post(t, context.Background(), rt, srv.URL, "")
	require.NoError(t, err)
	assert.Equal(t, 200, status)
	assert.Len(t, s.requests(), 3)
	assert.Len(t, fs.waits, 2)
}

func TestRetryMaxRetries(t *testing.T) {
	for _, n := range []int{0, 1, 2, 5} {
		srv, s := serve(t, reply{status: 500, body: `{}`})
		rt, fs := fastRetry()
		rt.MaxRetries = n
		status, err := post(t, context.Background(), rt, srv.URL, "")
		require.NoError(t, err)
		assert.Equal(t, 500, status)
		assert.Len(t, s.requests(), n+1, "max retries %d", n)
		assert.Len(t, fs.waits, n)
	}
}

func TestRetryAfterHeaders(t *testing.T) {
	now := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	cases := []struct {
		name   string
		header map[string]string
		want   time.Duration // 0: computed backoff
		retry  bool
	}{
		{"retry-after-ms", map[string]string{"retry-after-ms": "1500"}, 1500 * time.Millisecond, true},
		{"retry-after-ms first", map[string]string{"retry-after-ms": "250", "Retry-After": "9"}, 250 * time.Millisecond, true},
		{"seconds", map[string]string{"Retry-After": "3"}, 3 * time.Second, true},
		{"http date", map[string]string{"Retry-After": now.Add(7 * time.Second).Format(http.TimeFormat)}, 7 * time.Second, true},
		{"date in the past", map[string]string{"Retry-After": now.Add(-time.Hour).Format(http.TimeFormat)}, 0, true},
		{"unparsable falls back to backoff", map[string]string{"Retry-After": "soon"}, -1, true},
		{"longer than MaxRetryAfter ends retrying", map[string]string{"Retry-After": "120"}, 0, false},
		{"seconds past time.Duration end retrying", map[string]string{"Retry-After": "99999999999"}, 0, false},
		{"seconds past int64 end retrying", map[string]string{"Retry-After": "999999999999999999999999"}, 0, false},
		{"milliseconds past time.Duration end retrying", map[string]string{"retry-after-ms": "99999999999999"}, 0, false},
		{"exponent is not delta-seconds", map[string]string{"Retry-After": "1e300"}, -1, true},
		{"Inf is not delta-seconds", map[string]string{"Retry-After": "Inf"}, -1, true},
		{"negative is not delta-seconds", map[string]string{"Retry-After": "-5"}, -1, true},
		{"fraction is not delta-seconds", map[string]string{"Retry-After": "1.5"}, -1, true},
		{"Inf milliseconds fall back", map[string]string{"retry-after-ms": "Inf"}, -1, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv, s := serve(t, reply{status: 429, header: c.header, body: `{}`}, reply{status: 200, body: `{}`})
			rt := portkey.NewRetryTransport(nil)
			fs := &fakeSleep{}
			portkey.SetClock(rt, func() time.Time { return now }, fs.sleep)
			status, err := post(t, context.Background(), rt, srv.URL, "")
			require.NoError(t, err)
			if !c.retry {
				assert.Equal(t, 429, status)
				assert.Len(t, s.requests(), 1)
				assert.Empty(t, fs.waits)
				return
			}
			assert.Equal(t, 200, status)
			require.Len(t, fs.waits, 1)
			if c.want >= 0 {
				assert.Equal(t, c.want, fs.waits[0])
			} else {
				assert.InDelta(t, float64(portkey.DefaultBaseDelay), float64(fs.waits[0]), float64(portkey.DefaultBaseDelay)/4)
			}
		})
	}
}

func TestRetryAfterRealSleep(t *testing.T) {
	srv, s := serve(t, reply{status: 429, header: map[string]string{"Retry-After": "1"}, body: `{}`}, reply{status: 200, body: `{}`})
	start := time.Now()
	status, err := post(t, context.Background(), portkey.NewRetryTransport(nil), srv.URL, "")
	elapsed := time.Since(start)
	require.NoError(t, err)
	assert.Equal(t, 200, status)
	assert.Len(t, s.requests(), 2)
	assert.GreaterOrEqual(t, elapsed, time.Second, "Retry-After: 1 must be waited out")
	assert.Less(t, elapsed, 5*time.Second)
}

func TestBackoffGrowsWithJitterAndCap(t *testing.T) {
	rt := &portkey.RetryTransport{BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}
	for attempt, full := range []time.Duration{100, 200, 400, 800, 1000, 1000, 1000} {
		full *= time.Millisecond
		for range 50 {
			d := rt.Delay(attempt)
			assert.LessOrEqual(t, d, full, "attempt %d", attempt)
			assert.GreaterOrEqual(t, d, full*3/4, "attempt %d", attempt)
		}
	}
	assert.LessOrEqual(t, rt.Delay(1000), time.Second, "no overflow on huge attempt counts")
	assert.Positive(t, rt.Delay(1000))
	def := &portkey.RetryTransport{}
	assert.LessOrEqual(t, def.Delay(10), portkey.DefaultMaxDelay)
	assert.GreaterOrEqual(t, def.Delay(0), portkey.DefaultBaseDelay*3/4)
}

func TestRetryNeverSleepsPastDeadline(t *testing.T) {
	// The server asks for 10 s; the deadline is 300 ms away: the 429 comes back at once.
	srv, s := serve(t, reply{status: 429, header: map[string]string{"Retry-After": "10"}, body: `{"error":{"message":"slow down","type":"requests","param":null,"code":null}}`})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	status, err := post(t, ctx, portkey.NewRetryTransport(nil), srv.URL, "")
	require.NoError(t, err)
	assert.Equal(t, 429, status, "the last answer is returned")
	assert.Less(t, time.Since(start), 250*time.Millisecond)
	assert.Len(t, s.requests(), 1)
}

func TestRetryStopsWhenContextEnds(t *testing.T) {
	srv, s := serve(t, reply{status: 503, body: `{}`})
	rt := portkey.NewRetryTransport(nil)
	ctx, cancel := context.WithCancel(context.Background())
	portkey.SetClock(rt, time.Now, func(ctx context.Context, d time.Duration) error {
		cancel() // the caller gives up while the transport waits
		<-ctx.Done()
		return ctx.Err()
	})
	_, err := post(t, ctx, rt, srv.URL, "")
	require.ErrorIs(t, err, context.Canceled)
	assert.Len(t, s.requests(), 1)
}

func TestRetryConnectionErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var accepted atomic.Int32
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			_ = conn.Close() // hang up before answering
		}
	}()
	t.Cleanup(func() { _ = ln.Close() })

	rt, fs := fastRetry()
	_, err = post(t, context.Background(), rt, "http://"+ln.Addr().String()+"/v1", "")
	require.Error(t, err)
	assert.EqualValues(t, 3, accepted.Load())
	assert.Len(t, fs.waits, 2)
}

func TestRetryReplaysBody(t *testing.T) {
	srv, s := serve(t, reply{status: 500, body: `{}`}, reply{status: 200, body: `{}`})
	rt, _ := fastRetry()
	status, err := post(t, context.Background(), rt, srv.URL, `{"a":1}`)
	require.NoError(t, err)
	assert.Equal(t, 200, status)
	assert.Equal(t, []string{`{"a":1}`, `{"a":1}`}, s.bodies)
}

func TestRetryDoesNotReplayOneShotBody(t *testing.T) {
	srv, s := serve(t, reply{status: 500, body: `{}`})
	rt, _ := fastRetry()
	req, err := http.NewRequest(http.MethodPost, srv.URL, io.NopCloser(strings.NewReader("x"))) // no GetBody
	require.NoError(t, err)
	resp, err := rt.RoundTrip(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, 500, resp.StatusCode)
	assert.Len(t, s.requests(), 1)
}

func TestRetryLeavesRequestUntouched(t *testing.T) {
	srv, _ := serve(t, reply{status: 500, body: `{}`}, reply{status: 200, body: `{}`})
	rt, _ := fastRetry()
	req, err := http.NewRequest(http.MethodPost, srv.URL, nil)
	require.NoError(t, err)
	req.Header.Set("X-Mine", "1")
	resp, err := rt.RoundTrip(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.Header{"X-Mine": {"1"}}, req.Header)
}

// closeCounter counts how many response bodies were closed.
type closeCounter struct {
	base   http.RoundTripper
	opened atomic.Int32
	closed atomic.Int32
}

func (c *closeCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.base.RoundTrip(r)
	if err == nil {
		c.opened.Add(1)
		resp.Body = &countedBody{resp.Body, &c.closed}
	}
	return resp, err
}

type countedBody struct {
	io.ReadCloser
	n *atomic.Int32
}

func (b *countedBody) Close() error { b.n.Add(1); return b.ReadCloser.Close() }

func TestRetryClosesDiscardedBodies(t *testing.T) {
	srv, _ := serve(t, reply{status: 502, body: strings.Repeat("x", 10<<10)}, reply{status: 200, body: `{}`})
	cc := &closeCounter{base: http.DefaultTransport}
	rt, _ := fastRetry()
	rt.Base = cc
	req, err := http.NewRequest(http.MethodPost, srv.URL, nil)
	require.NoError(t, err)
	resp, err := rt.RoundTrip(req)
	require.NoError(t, err)
	assert.EqualValues(t, 2, cc.opened.Load())
	assert.EqualValues(t, 1, cc.closed.Load(), "the 502 body is closed, the returned one is not")
	_ = resp.Body.Close()
	assert.EqualValues(t, 2, cc.closed.Load())
}

func TestRetryLogsNoSecrets(t *testing.T) {
	srv, _ := serve(t, reply{status: 503, body: `{}`}, reply{status: 200, body: `{}`})
	var logs bytes.Buffer
	rt, _ := fastRetry()
	rt.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	req, err := http.NewRequest(http.MethodPost, strings.Replace(srv.URL, "http://", "http://user:pw-SECRET@", 1)+"/v1", nil)
	require.NoError(t, err)
	testAuth.Apply(req.Header)
	resp, err := rt.RoundTrip(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	out := logs.String()
	assert.Contains(t, out, "portkey: retrying")
	assert.Contains(t, out, "status=503")
	for _, s := range append(secretValues, "pw-SECRET") {
		assert.NotContains(t, out, s)
	}
}

func TestRetryTransportErrorIsReturned(t *testing.T) {
	boom := errors.New("boom")
	calls := 0
	rt, fs := fastRetry()
	rt.Base = roundTripFunc(func(*http.Request) (*http.Response, error) { calls++; return nil, boom })
	req, err := http.NewRequest(http.MethodGet, "http://127.0.0.1:1/", nil)
	require.NoError(t, err)
	_, err = rt.RoundTrip(req)
	assert.ErrorIs(t, err, boom)
	assert.Equal(t, 3, calls)
	assert.Len(t, fs.waits, 2)
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
