package contract_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/contract"
	"github.com/seed-a6d846e6/portkey-runs/internal/hostile"
	"github.com/seed-a6d846e6/portkey-runs/internal/testtarget"
)

func TestSuiteAgainstFakeTarget(t *testing.T) {
	srv := testtarget.New(t)
	s := &contract.Suite{BaseURL: srv.URL + "/v1", Auth: testtarget.HostedAuth}
	rs := s.RunAll(context.Background(), contract.Scenarios(contract.Seeds{Cancellable: testtarget.RunInProgress, Terminal: testtarget.RunCompleted}))
	for _, r := range rs {
		assert.Equal(t, contract.Pass, r.Verdict, "%s: %v", r.Name, testtarget.Lines(r.Violations()))
		assert.Empty(t, r.Violations(), r.Name)
		assert.NotEmpty(t, r.Checks, r.Name)
		for _, c := range r.Checks {
			assert.Equal(t, contract.Pass, c.Verdict, "%s %s", r.Name, c.Check)
		}
	}
	assert.Equal(t, []string{"cancel", "cancel_again", "cancel_terminal", "unknown_run", "no_credentials"}, names(rs))
	assert.Equal(t, []int{200, 400, 400, 404, 401}, statuses(rs))
}

func statuses(rs []contract.Result) []int {
	var out []int
	for _, r := range rs {
		out = append(out, r.Status)
	}
	return out
}

func names(rs []contract.Result) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Name)
	}
	return out
}

func TestSuiteVerdicts(t *testing.T) {
	srv := testtarget.New(t)
	s := &contract.Suite{BaseURL: srv.URL, Auth: testtarget.HostedAuth}
	ctx := context.Background()
	cases := []struct {
		name    string
		sc      contract.Scenario
		verdict contract.Verdict
		want    []string
	}{
		{"expected 429", contract.Scenario{Name: "x", ThreadID: "t", RunID: "r", Prefer: "code=429,retry-after=2", Expect: []int{429}, RequireHeaders: []string{"Retry-After"}},
			contract.Pass, []string{`status: 429 rate limited, Retry-After "2" (infrastructure)`}},
		{"unexpected 429 is an error, not a failure", contract.Scenario{Name: "x", ThreadID: "t", RunID: "r", Prefer: "code=429,retry-after=2", Expect: []int{404}},
			contract.Error, []string{`status: 429 rate limited, Retry-After "2" (infrastructure)`}},
		{"unexpected status fails", contract.Scenario{Name: "x", ThreadID: "t", RunID: "r", Expect: []int{200}},
			contract.Fail, []string{`status: 404 is not the expected 200; the body says "No thread found with id 't'." (scenario)`}},
		{"required header missing", contract.Scenario{Name: "x", ThreadID: "t", RunID: "r", Expect: []int{404}, RequireHeaders: []string{"X-Request-Id"}},
			contract.Fail, []string{`header X-Request-Id: is missing (scenario)`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := s.Run(ctx, c.sc)
			assert.Equal(t, c.verdict, r.Verdict)
			assert.Equal(t, c.want, testtarget.Lines(r.Violations()))
		})
	}
}

func TestSuiteTimeoutIsInfrastructure(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(block)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	s := &contract.Suite{BaseURL: srv.URL, Auth: testtarget.HostedAuth}
	r := s.Run(ctx, contract.Scenario{Name: "slow", ThreadID: "t", RunID: "r", Expect: []int{200}})
	assert.Equal(t, contract.Error, r.Verdict)
	require.Len(t, r.Violations(), 1)
	assert.Regexp(t, `^connection: timed out: .*context deadline exceeded \(infrastructure\)$`, r.Violations()[0].String())
}

func TestSuiteSendsIDsAsOneSegment(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.URL.EscapedPath())
		http.NotFound(w, r)
	}))
	defer srv.Close()
	s := &contract.Suite{BaseURL: srv.URL + "/v1/", Auth: testtarget.HostedAuth}
	for _, id := range []string{"a/b", "50%"} {
		s.Run(context.Background(), contract.Scenario{Name: "x", ThreadID: id, RunID: "r"})
	}
	assert.Equal(t, []string{"/v1/threads/a%2Fb/runs/r/cancel", "/v1/threads/50%25/runs/r/cancel"}, got)

	// A dot segment cannot be one (RFC 3986 5.2.4): refused, nothing sent.
	for _, ids := range [][2]string{{"..", "r"}, {"t", "."}} {
		r := s.Run(context.Background(), contract.Scenario{Name: "x", ThreadID: ids[0], RunID: ids[1]})
		assert.Equal(t, contract.Error, r.Verdict, ids)
		require.Len(t, r.Violations(), 1, ids)
		assert.Contains(t, r.Violations()[0].String(), `"." or ".." cannot be sent`, ids)
	}
	assert.Len(t, got, 2, "nothing more was sent")
}

// TestSuiteRequestsEveryOperation: Request builds each operation of the spec, and what it
// builds is that operation, with the IDs and the body given.
func TestSuiteRequestsEveryOperation(t *testing.T) {
	v, err := contract.New(contract.Options{})
	require.NoError(t, err)
	s := &contract.Suite{BaseURL: "http://127.0.0.1:9/v1", Auth: testtarget.HostedAuth, Validator: v}
	for _, id := range v.Operations() {
		req, err := s.Request(context.Background(), contract.Scenario{Operation: id, ThreadID: "t/1", RunID: "r 1", Body: `{"assistant_id":"a"}`})
		require.NoError(t, err, id)
		got, thread, run, ok := v.Operation(req.Method, req.URL.EscapedPath())
		require.True(t, ok, "%s: %s %s", id, req.Method, req.URL)
		assert.Equal(t, id, got)
		assert.True(t, strings.HasPrefix(req.URL.EscapedPath(), "/v1/threads/"), req.URL.EscapedPath())
		if strings.Contains(id, "Thread") { // createThreadAndRun: no IDs in its path
			assert.Empty(t, thread+run, id)
		} else {
			assert.Equal(t, "t/1", thread, id)
		}
		if id == "getRun" || id == "cancelRun" {
			assert.Equal(t, "r 1", run, id)
		}
		if req.Method == http.MethodPost && strings.HasPrefix(id, "create") {
			b, err := io.ReadAll(req.Body)
			require.NoError(t, err)
			assert.Equal(t, `{"assistant_id":"a"}`, string(b), id)
			assert.Equal(t, "application/json", req.Header.Get("Content-Type"), id)
		}
		assert.Equal(t, testtarget.APIKey, req.Header.Get("X-Portkey-Api-Key"), id)
	}
}

func TestSuiteBadBaseURL(t *testing.T) {
	// None is repeated: each may hold a password.
	for _, base := range []string{"not a url", "admin:hunter2@127.0.0.1:8080/v1", "http://admin:hunter2@127.0.0.1:8080/v1",
		"http://127.0.0.1:8080/v1?key=hunter2", "ftp://127.0.0.1/v1"} {
		s := &contract.Suite{BaseURL: base}
		r := s.Run(context.Background(), contract.Scenario{Name: "x", ThreadID: "t", RunID: "r"})
		assert.Equal(t, contract.Error, r.Verdict)
		assert.Equal(t, []string{"request: cannot be built: contract: the base URL must be an http or https URL without user info, query or fragment, such as https://api.portkey.ai/v1 (scenario)"}, testtarget.Lines(r.Violations()), base)
	}
}

// TestSuiteCutBodyIsAnError: an answer with the expected status whose body breaks off is
// not judged, so not a pass.
func TestSuiteCutBodyIsAnError(t *testing.T) {
	srv := httptest.NewServer(hostile.Get("cut_mid_body"))
	defer srv.Close()
	s := &contract.Suite{BaseURL: srv.URL, Auth: testtarget.HostedAuth}
	r := s.Run(context.Background(), contract.Scenario{Name: "cut", ThreadID: hostile.ThreadID, RunID: hostile.RunID, Expect: []int{200}})
	assert.Equal(t, contract.Error, r.Verdict)
	assert.Equal(t, []string{"connection: failed: unexpected EOF (infrastructure)"}, testtarget.Lines(r.Violations()))
}
