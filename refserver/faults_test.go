package refserver_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/gen"
	"github.com/seed-a6d846e6/portkey-runs/gen/spec"
)

// assertStatus fails t unless the run is still in status st.
func (f *fixture) assertStatus(t *testing.T, runID string, st gen.RunStatus) {
	t.Helper()
	run, err := f.srv.Store.Get("thread_1", runID)
	require.NoError(t, err)
	assert.Equal(t, st, run.Status)
}

func TestFaultCodes(t *testing.T) {
	type want struct {
		status                int
		gateway               bool // {"status":"failure"} body instead of the envelope
		typ, code             string
		retryAfter, retryAfMS string
	}
	cases := []struct {
		prefer string
		want   want
	}{
		{"code=429", want{status: 429, typ: "requests", code: "rate_limit_exceeded", retryAfter: "1"}},
		{"code=429, retry-after=3, retry-after-ms=2500", want{status: 429, typ: "requests", code: "rate_limit_exceeded", retryAfter: "3", retryAfMS: "2500"}},
		{"code=500", want{status: 500, typ: "server_error"}},
		{"code=500,retry-after-ms=10", want{status: 500, typ: "server_error", retryAfMS: "10"}},
		{"code=502", want{status: 502, gateway: true}},
		{"code=503", want{status: 503, gateway: true}},
		{"code=503,retry-after=2", want{status: 503, gateway: true, retryAfter: "2"}},
		{"code=504", want{status: 504, gateway: true}},
		{"code=401", want{status: 401, typ: "invalid_request_error", code: "invalid_api_key"}},
		{"code=408", want{status: 408, typ: "timeout_error"}},
		{"code=446", want{status: 446, typ: "invalid_request_error"}},
	}
	for _, c := range cases {
		t.Run(c.prefer, func(t *testing.T) {
			f := newFixture(t)
			f.seed(t, "thread_1", "run_1", gen.RunStatusQueued)
			a := f.cancel(t, "thread_1", "run_1", "Prefer", c.prefer)
			require.Equal(t, c.want.status, a.status, string(a.body))
			assert.Equal(t, c.want.retryAfter, a.header.Get("Retry-After"))
			assert.Equal(t, c.want.retryAfMS, a.header.Get("Retry-After-Ms"))
			if c.want.gateway {
				var g gen.GatewayFailure
				require.NoError(t, json.Unmarshal(a.body, &g))
				assert.Equal(t, gen.GatewayFailureStatusFailure, g.Status)
				assert.NotEmpty(t, g.Message)
			} else {
				e := a.apiError(t)
				assert.Equal(t, c.want.typ, e.Type)
				if c.want.code != "" {
					require.NotNil(t, e.Code)
					assert.Equal(t, c.want.code, *e.Code)
				}
			}
			f.assertStatus(t, "run_1", gen.RunStatusQueued)
		})
	}
}

// TestFaultEveryDocumentedCode asks for each error status the spec documents; conforms
// (in fixture.do) checks each answer against the spec.
func TestFaultEveryDocumentedCode(t *testing.T) {
	doc, err := spec.GetSpec()
	require.NoError(t, err)
	f := newFixture(t)
	f.seed(t, "thread_1", "run_1", gen.RunStatusQueued)
	var n int
	for code := range doc.Paths.Find("/threads/{thread_id}/runs/{run_id}/cancel").Post.Responses.Map() {
		status, err := strconv.Atoi(code)
		require.NoError(t, err)
		if status < 400 {
			continue
		}
		n++
		a := f.cancel(t, "thread_1", "run_1", "Prefer", "code="+code)
		assert.Equal(t, status, a.status, string(a.body))
	}
	assert.Equal(t, 13, n)
	f.assertStatus(t, "run_1", gen.RunStatusQueued)
}

func TestFaultRefusals(t *testing.T) {
	cases := []struct{ prefer, inMessage string }{
		{"code=418", "code=418 is not supported"},
		{"code=200", "code=200 is not supported"},
		{"code=abc", `"code=abc"`},
		{"code=1000", `"code=1000"`},
		{"code", `"code": want key=value`},
		{"code=500,code=503", "given twice"},
		{"retry-after=0,code=429", `"retry-after=0"`},
		{"retry-after-ms=-1,code=429", `"retry-after-ms=-1"`},
		{"delay=forever", `"delay=forever"`},
		{"delay=31s", `"delay=31s"`},
		{"delay=-1s", `"delay=-1s"`},
		{"truncate=maybe", `"truncate=maybe"`},
		{"times=0,code=500", `"times=0"`},
		{"retry_after=1", "unknown key"},
	}
	f := newFixture(t)
	f.seed(t, "thread_1", "run_1", gen.RunStatusQueued)
	for _, c := range cases {
		t.Run(c.prefer, func(t *testing.T) {
			a := f.cancel(t, "thread_1", "run_1", "Prefer", c.prefer)
			require.Equal(t, http.StatusBadRequest, a.status, string(a.body))
			e := a.apiError(t)
			assert.Contains(t, e.Message, c.inMessage)
			require.NotNil(t, e.Param)
			assert.Equal(t, "Prefer", *e.Param)
		})
	}
	f.assertStatus(t, "run_1", gen.RunStatusQueued)

	for range 2 { // a refused Prefer is not counted by times=
		assert.Equal(t, http.StatusBadRequest, f.cancel(t, "thread_1", "run_1", "Prefer", "code=418,times=1").status)
	}
	f.assertStatus(t, "run_1", gen.RunStatusQueued)
}

func TestFaultAfterAuthenticationAndBeforeTheStore(t *testing.T) {
	f := newFixture(t)
	f.seed(t, "thread_1", "run_1", gen.RunStatusQueued)

	noCreds := f.post(t, cancelPath("thread_1", "run_1"), http.Header{"Prefer": {"code=503"}})
	assert.Equal(t, http.StatusUnauthorized, noCreds.status)

	unknown := f.cancel(t, "thread_1", "run_missing", "Prefer", "code=503")
	assert.Equal(t, http.StatusServiceUnavailable, unknown.status, "faults come before the store")
}

func TestFaultTimes(t *testing.T) {
	f := newFixture(t)
	f.seed(t, "thread_1", "run_1", gen.RunStatusQueued)
	f.seed(t, "thread_1", "run_2", gen.RunStatusQueued)

	for range 2 {
		assert.Equal(t, 503, f.cancel(t, "thread_1", "run_1", "Prefer", "code=503,times=2").status)
	}
	assert.Equal(t, 503, f.cancel(t, "thread_1", "run_2", "Prefer", "code=503,times=2").status, "counted per run")
	assert.Equal(t, 429, f.cancel(t, "thread_1", "run_1", "Prefer", "code=429,times=2").status, "counted per Prefer value")
	f.assertStatus(t, "run_1", gen.RunStatusQueued)

	third := f.cancel(t, "thread_1", "run_1", "Prefer", "code=503,times=2")
	assert.Equal(t, gen.RunStatusCancelling, third.run(t).Status, "the third request is served normally")
}

// TestFaultTimesUnderV1: a path under /v1 is counted with the same path without it.
func TestFaultTimesUnderV1(t *testing.T) {
	f := newFixture(t)
	f.seed(t, "thread_1", "run_1", gen.RunStatusQueued)
	h := http.Header{"Prefer": {"code=503,times=1"}}
	creds.Apply(h)
	assert.Equal(t, 503, f.post(t, "/v1"+cancelPath("thread_1", "run_1"), h).status)
	assert.Equal(t, gen.RunStatusCancelling, f.cancel(t, "thread_1", "run_1", "Prefer", "code=503,times=1").run(t).Status,
		"the second request, without /v1, is served normally")
}

func TestFaultDelay(t *testing.T) {
	f := newFixture(t)
	f.seed(t, "thread_1", "run_1", gen.RunStatusQueued)
	began := time.Now()
	a := f.cancel(t, "thread_1", "run_1", "Prefer", "delay=150ms")
	assert.GreaterOrEqual(t, time.Since(began), 150*time.Millisecond)
	assert.Equal(t, gen.RunStatusCancelling, a.run(t).Status, "a delay alone only postpones the answer")

	f.seed(t, "thread_1", "run_2", gen.RunStatusQueued)
	slow := f.cancel(t, "thread_1", "run_2", "Prefer", "delay=100ms,code=503")
	assert.Equal(t, 503, slow.status)
}

func TestFaultDelayClientGivesUp(t *testing.T) {
	f := newFixture(t)
	f.seed(t, "thread_1", "run_1", gen.RunStatusQueued)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.http.URL+cancelPath("thread_1", "run_1"), nil)
	require.NoError(t, err)
	creds.Apply(req.Header)
	req.Header.Set("Prefer", "delay=300ms")
	_, err = f.http.Client().Do(req)
	require.ErrorIs(t, err, context.DeadlineExceeded)

	time.Sleep(500 * time.Millisecond) // past the delay: a server that kept going would have cancelled
	f.assertStatus(t, "run_1", gen.RunStatusQueued)
}

func TestFaultTruncate(t *testing.T) {
	cases := []struct {
		prefer string
		status int
	}{
		{"truncate=true", 200},
		{"truncate=true,code=429", 429},
		{"code=503, truncate=true", 503},
	}
	for _, c := range cases {
		t.Run(c.prefer, func(t *testing.T) {
			f := newFixture(t)
			f.seed(t, "thread_1", "run_1", gen.RunStatusQueued)
			req, err := http.NewRequest(http.MethodPost, f.http.URL+cancelPath("thread_1", "run_1"), nil)
			require.NoError(t, err)
			creds.Apply(req.Header)
			req.Header.Set("Prefer", c.prefer)
			res, err := f.http.Client().Do(req)
			require.NoError(t, err)
			defer res.Body.Close()
			assert.Equal(t, c.status, res.StatusCode)
			assert.Greater(t, res.ContentLength, int64(0))
			body, err := io.ReadAll(res.Body)
			assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
			assert.Equal(t, res.ContentLength/2, int64(len(body)))

			f.assertStatus(t, "run_1", gen.RunStatusQueued)
			assert.Equal(t, gen.RunStatusCancelling, f.cancel(t, "thread_1", "run_1").run(t).Status, "a retry succeeds")
		})
	}
}

func TestNoPreferNoFault(t *testing.T) {
	f := newFixture(t)
	f.seed(t, "thread_1", "run_1", gen.RunStatusQueued)
	a := f.cancel(t, "thread_1", "run_1", "Prefer", "times=3, retry-after=2")
	assert.Equal(t, gen.RunStatusCancelling, a.run(t).Status, "nothing that changes the answer was asked for")
	assert.Empty(t, a.header.Get("Retry-After"))
}
