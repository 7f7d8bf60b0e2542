package contract_test

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/contract"
	"github.com/seed-a6d846e6/portkey-runs/internal/testtarget"
)

// TestValidateOperations: the operation comes from the request's method and path (or is
// given), and only that operation's rules apply to the answer.
func TestValidateOperations(t *testing.T) {
	v := validator(t, contract.Options{})
	assert.Equal(t, []string{"cancelRun", "createRun", "createThreadAndRun", "getRun"}, v.Operations())
	run := func(status string, edit ...func(map[string]any)) []byte {
		m := validRun()
		m["status"] = status
		for _, e := range edit {
			e(m)
		}
		return mustJSON(t, m)
	}
	otherID := func(m map[string]any) { m["id"] = "run_other" }
	cases := []struct {
		name, op, method, path string
		body                   []byte
		want                   []string
	}{
		{"retrieve", "", http.MethodGet, "/v1/threads/thread_abc123/runs/run_abc123", run("in_progress"), nil},
		{"retrieve echoes the run", "", http.MethodGet, "/v1/threads/thread_abc123/runs/run_abc123", run("completed", otherID), []string{
			`body /id: "run_other" does not echo the request's run_id "run_abc123" (semantic)`}},
		{"create run", "", http.MethodPost, "/v1/threads/thread_abc123/runs", run("queued", otherID), nil},
		{"create run answers queued", "", http.MethodPost, "/v1/threads/thread_abc123/runs", run("in_progress"), []string{
			`body /status: "in_progress" is not queued after a create (semantic)`}},
		{"create run on another thread", "", http.MethodPost, "/v1/threads/thread_x/runs", run("queued"), []string{
			`body /thread_id: "thread_abc123" does not echo the request's thread_id "thread_x" (semantic)`}},
		{"create thread and run", "", http.MethodPost, "/v1/threads/runs", run("queued", otherID), nil},
		{"create thread and run answers queued", "", http.MethodPost, "/threads/runs", run("completed"), []string{
			`body /status: "completed" is not queued after a create (semantic)`}},
		{"cancel", "", http.MethodPost, cancelPath, run("queued"), []string{
			`body /status: "queued" is not cancelling or cancelled after a successful cancel (semantic)`}},
		{"given: cancel, no request", "cancelRun", "", "", run("queued"), []string{
			`body /status: "queued" is not cancelling or cancelled after a successful cancel (semantic)`}},
		{"given: retrieve, no request", "getRun", "", "", run("completed"), nil},
		{"given: create, no request", "createRun", "", "", run("completed"), []string{
			`body /status: "completed" is not queued after a create (semantic)`}},
		{"no operation: no state rule", "", "", "", run("completed"), nil},
		{"a path alone: its operation", "", "", "/v1/threads/thread_abc123/runs/run_abc123", run("completed"), nil},
		{"given and a path of another", "getRun", http.MethodGet, cancelPath, run("completed"), []string{
			`request path: "` + cancelPath + `" does not end in /threads/{thread_id}/runs/{run_id} (getRun) (request)`}},
		{"unknown operation", "deleteRun", "", "", run("completed"), []string{
			`operation: "deleteRun" is not one of cancelRun, createRun, createThreadAndRun, getRun (request)`}},
		{"a method the path does not take", "", http.MethodDelete, "/v1/threads/thread_abc123/runs/run_abc123", run("completed"), []string{
			`request method: "DELETE" is not GET (request)`}},
		{"a path outside the spec", "", http.MethodPost, "/v1/threads/thread_abc123/runs/run_abc123/steps", run("completed"), []string{
			`request path: "/v1/threads/thread_abc123/runs/run_abc123/steps" matches no operation of the spec (request)`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			vs := v.Validate(contract.Exchange{Operation: c.op, Method: c.method, Path: c.path, Status: 200, Header: jsonHeader(), Body: c.body}).Violations()
			want := c.want
			if want == nil {
				want = []string{}
			}
			assert.Equal(t, want, testtarget.Lines(vs))
		})
	}
}

// TestTransportValidatesEveryOperation: a retrieve through the Transport is validated as
// one (its status rule-free, its IDs echoed); a path the spec lacks passes unreported.
func TestTransportValidatesEveryOperation(t *testing.T) {
	m := validRun()
	m["status"] = "completed"
	body := mustJSON(t, m)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	var mu sync.Mutex
	var got []contract.Result
	c := &http.Client{Transport: &contract.Transport{Report: func(r contract.Result) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, r)
	}}}
	for _, p := range []string{"/v1/threads/thread_abc123/runs/run_abc123", "/v1/threads/thread_abc123/runs/run_abc123/steps"} {
		req, err := http.NewRequest(http.MethodGet, srv.URL+p, nil)
		require.NoError(t, err)
		req.Header.Set("x-portkey-config", "pc-test")
		resp, err := c.Do(req)
		require.NoError(t, err)
		_ = resp.Body.Close()
	}
	require.Len(t, got, 1)
	assert.Equal(t, "GET /v1/threads/thread_abc123/runs/run_abc123", got[0].Name)
	assert.Empty(t, got[0].Violations())
}
