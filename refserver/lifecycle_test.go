package refserver_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/gen"
	"github.com/seed-a6d846e6/portkey-runs/refserver"
)

// send sends method on the escaped path with credentials and a JSON body (none when
// empty), and checks the answer against the spec, as do does.
func (f *fixture) send(t *testing.T, method, escapedPath, body string) answer {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, f.http.URL+escapedPath, r)
	require.NoError(t, err)
	creds.Apply(req.Header)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := f.http.Client().Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	a := answer{res.StatusCode, res.Header, b}
	conforms(t, method, escapedPath, req.Header, a)
	return a
}

// TestLifecycleOverHTTP: a client creates a run, cancels it and retrieves it until it is
// cancelled, over HTTP alone, as the SDKs do (createAndRun, cancel, retrieve).
func TestLifecycleOverHTTP(t *testing.T) {
	f := newFixture(t, refserver.WithStartDelay(time.Second), refserver.WithCancelDelay(2*time.Second))
	created := f.send(t, http.MethodPost, "/v1/threads/runs", `{"assistant_id":"asst_1","metadata":{"k":"v"},"thread":{"messages":[{"role":"user","content":"Hi"}]}}`).run(t)
	assert.Equal(t, gen.RunStatusQueued, created.Status)
	assert.Equal(t, "asst_1", created.AssistantID)
	assert.Equal(t, &gen.Metadata{"k": "v"}, created.Metadata, "what the request set")
	assert.Nil(t, created.StartedAt)
	runPath := "/v1/threads/" + created.ThreadID + "/runs/" + created.ID

	f.clock.Advance(time.Second)
	got := f.send(t, http.MethodGet, runPath, "").run(t)
	assert.Equal(t, gen.RunStatusInProgress, got.Status, "started on the clock")
	assert.Equal(t, int(start.Add(time.Second).Unix()), *got.StartedAt)

	cancelled := f.send(t, http.MethodPost, runPath+"/cancel", "").run(t)
	assert.Equal(t, gen.RunStatusCancelling, cancelled.Status)
	assert.Equal(t, gen.RunStatusCancelling, f.send(t, http.MethodGet, runPath, "").run(t).Status)
	f.clock.Advance(2 * time.Second)
	got = f.send(t, http.MethodGet, runPath, "").run(t)
	assert.Equal(t, gen.RunStatusCancelled, got.Status)
	require.NotNil(t, got.CancelledAt)
	assert.Equal(t, int(start.Add(3*time.Second).Unix()), *got.CancelledAt)
	again := f.send(t, http.MethodPost, runPath+"/cancel", "")
	assert.Equal(t, http.StatusBadRequest, again.status)
	assert.Equal(t, "Cannot cancel run with status 'cancelled'.", again.apiError(t).Message)

	// A second run on the same thread, cancelled while still queued.
	second := f.send(t, http.MethodPost, "/threads/"+created.ThreadID+"/runs", `{"assistant_id":"asst_2","model":"gpt-4.1","stream":false}`).run(t)
	assert.Equal(t, gen.RunStatusQueued, second.Status)
	assert.Equal(t, created.ThreadID, second.ThreadID)
	assert.Equal(t, "gpt-4.1", second.Model)
	assert.NotEqual(t, created.ID, second.ID)
	assert.Equal(t, gen.RunStatusCancelling, f.send(t, http.MethodPost, "/threads/"+created.ThreadID+"/runs/"+second.ID+"/cancel", "").run(t).Status)
	f.clock.Advance(time.Hour)
	assert.Equal(t, gen.RunStatusCancelled, f.send(t, http.MethodGet, "/threads/"+created.ThreadID+"/runs/"+second.ID, "").run(t).Status,
		"a run cancelled while queued never starts")
}

// TestCreateRuns: the errors real services give to a create or a retrieve.
func TestCreateRuns(t *testing.T) {
	f := newFixture(t)
	f.seed(t, "thread_1", "run_1", gen.RunStatusCompleted)
	cases := []struct {
		name, method, path, body string
		status                   int
		message, param           string
	}{
		{"create on an unknown thread", http.MethodPost, "/threads/thread_x/runs", `{"assistant_id":"a"}`, 404, "No thread found with id 'thread_x'.", ""},
		{"retrieve on an unknown thread", http.MethodGet, "/threads/thread_x/runs/run_1", "", 404, "No thread found with id 'thread_x'.", ""},
		{"retrieve an unknown run", http.MethodGet, "/threads/thread_1/runs/run_x", "", 404, "No run found with id 'run_x'.", ""},
		{"stream", http.MethodPost, "/threads/runs", `{"assistant_id":"a","stream":true}`, 400, "This server does not stream; send stream: false or leave it out.", "stream"},
		{"no assistant", http.MethodPost, "/threads/thread_1/runs", `{"model":"gpt-4o"}`, 400, "", ""},
		{"a misspelt field", http.MethodPost, "/threads/runs", `{"assistant_id":"a","temprature":1}`, 400, "", ""},
		{"no body", http.MethodPost, "/threads/runs", "", 400, "", ""},
		{"max_completion_tokens below 256", http.MethodPost, "/threads/thread_1/runs", `{"assistant_id":"a","max_completion_tokens":16}`, 400, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := f.send(t, c.method, c.path, c.body)
			assert.Equal(t, c.status, a.status, string(a.body))
			e := a.apiError(t)
			if c.message != "" {
				assert.Equal(t, c.message, e.Message)
			}
			if c.param != "" {
				require.NotNil(t, e.Param)
				assert.Equal(t, c.param, *e.Param)
			}
		})
	}
	assert.Equal(t, 1, f.srv.Store.Len(), "no refused request stored a run")
}

// TestCreateIsBounded: creates stop at the store's limit with a 429 that says what to do,
// and go on once a run is cancelled (a terminal run can be evicted).
func TestCreateIsBounded(t *testing.T) {
	f := newFixture(t, refserver.WithMaxRuns(3), refserver.WithCancelDelay(0))
	var runs []gen.Run
	for range 3 {
		runs = append(runs, f.send(t, http.MethodPost, "/threads/runs", `{"assistant_id":"a"}`).run(t))
	}
	full := f.send(t, http.MethodPost, "/threads/runs", `{"assistant_id":"a"}`)
	assert.Equal(t, http.StatusTooManyRequests, full.status)
	assert.Equal(t, "1", full.header.Get("Retry-After"))
	assert.Contains(t, full.apiError(t).Message, "cancel some, or retry once some expire")
	f.send(t, http.MethodPost, "/threads/"+runs[0].ThreadID+"/runs/"+runs[0].ID+"/cancel", "").run(t)
	next := f.send(t, http.MethodPost, "/threads/runs", `{"assistant_id":"a"}`).run(t)
	assert.Equal(t, gen.RunStatusQueued, next.Status)
	assert.Equal(t, 3, f.srv.Store.Len())
}

// TestFaultsOnEveryOperation: Prefer faults apply to creates and retrieves too; truncate
// alone, which needs the cancel's own answer, is refused there.
func TestFaultsOnEveryOperation(t *testing.T) {
	f := newFixture(t)
	req := func(prefer string) answer {
		r, err := http.NewRequestWithContext(context.Background(), http.MethodPost, f.http.URL+"/threads/runs", bytes.NewReader([]byte(`{"assistant_id":"a"}`)))
		require.NoError(t, err)
		creds.Apply(r.Header)
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Prefer", prefer)
		res, err := f.http.Client().Do(r)
		require.NoError(t, err)
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return answer{res.StatusCode, res.Header, b}
	}
	assert.Equal(t, http.StatusServiceUnavailable, req("code=503").status)
	a := req("truncate=true")
	assert.Equal(t, http.StatusBadRequest, a.status)
	assert.Equal(t, "Prefer: truncate=true needs code= except on a cancel.", a.apiError(t).Message)
	assert.Equal(t, 0, f.srv.Store.Len())
}

// TestCreatedRunsExpire: a created run nobody cancels expires after CreatedRunLifetime, as
// OpenAI's do, so a full store takes new runs again without a restart.
func TestCreatedRunsExpire(t *testing.T) {
	f := newFixture(t, refserver.WithMaxRuns(2))
	var runs []gen.Run
	for range 2 {
		runs = append(runs, f.send(t, http.MethodPost, "/threads/runs", `{"assistant_id":"a"}`).run(t))
	}
	assert.Equal(t, int(start.Add(refserver.CreatedRunLifetime).Unix()), *runs[0].ExpiresAt)
	assert.Equal(t, http.StatusTooManyRequests, f.send(t, http.MethodPost, "/threads/runs", `{"assistant_id":"a"}`).status)
	f.clock.Advance(refserver.CreatedRunLifetime - time.Second)
	assert.Equal(t, gen.RunStatusInProgress, f.send(t, http.MethodGet, "/threads/"+runs[0].ThreadID+"/runs/"+runs[0].ID, "").run(t).Status)
	f.clock.Advance(time.Second)
	got := f.send(t, http.MethodGet, "/threads/"+runs[0].ThreadID+"/runs/"+runs[0].ID, "").run(t)
	assert.Equal(t, gen.RunStatusExpired, got.Status)
	again := f.send(t, http.MethodPost, "/threads/"+runs[0].ThreadID+"/runs/"+runs[0].ID+"/cancel", "")
	assert.Equal(t, "Cannot cancel run with status 'expired'.", again.apiError(t).Message)
	assert.Equal(t, gen.RunStatusQueued, f.send(t, http.MethodPost, "/threads/runs", `{"assistant_id":"a"}`).run(t).Status, "an expired run was evicted")
}
