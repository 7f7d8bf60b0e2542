package contract_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/contract"
	"github.com/seed-a6d846e6/portkey-runs/internal/testtarget"
)

// Answers of the OSS gateway 1.15.2 as measured (make interop runs the real one and checks
// them).
const (
	gatewayNoProvider = `{"status":"failure","message":"Either x-portkey-config or x-portkey-provider header is required"}`
	gatewayNotFound   = `{"message":"Not Found","ok":false}`
	gatewayDown       = "fetch failed: TypeError: fetch failed\n    at node:internal/deps/undici/undici:13502:13 { cause: Error: connect ECONNREFUSED 127.0.0.1:9 }"
)

// canned answers every request with status, media type and body.
func canned(t *testing.T, status int, media, body string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", media)
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/v1"
}

func scenario(t *testing.T, name string) contract.Scenario {
	t.Helper()
	for _, sc := range contract.Scenarios(contract.Seeds{Faults: true}) {
		if sc.Name == name {
			return sc
		}
	}
	t.Fatalf("no scenario %s", name)
	return contract.Scenario{}
}

func said(r contract.Result) string { return strings.Join(testtarget.Lines(r.Violations()), "\n") }

func TestNoCredentialsAcceptsTheGatewayRefusal(t *testing.T) {
	for name, tc := range map[string]struct {
		status int
		body   string
		want   contract.Verdict
	}{
		"the gateway's 400 failure body": {400, gatewayNoProvider, contract.Pass},
		"401 in the envelope":            {401, `{"error":{"message":"Invalid API key provided.","type":"invalid_request_error","param":null,"code":null}}`, contract.Pass},
		"a 400 in the envelope":          {400, `{"error":{"message":"Bad thing.","type":"invalid_request_error","param":null,"code":null}}`, contract.Fail},
	} {
		t.Run(name, func(t *testing.T) {
			s := &contract.Suite{BaseURL: canned(t, tc.status, "application/json", tc.body), Auth: testtarget.GatewayAuth}
			r := s.Run(context.Background(), scenario(t, "no_credentials"))
			assert.Equal(t, tc.want, r.Verdict, said(r))
		})
	}
	live := contract.Scenarios(contract.Seeds{Live: true})[1]
	require.Equal(t, "no_credentials", live.Name)
	s := &contract.Suite{BaseURL: canned(t, 400, "application/json", gatewayNoProvider), Auth: testtarget.GatewayAuth}
	r := s.Run(context.Background(), live)
	assert.Equal(t, contract.Pass, r.Verdict, said(r))
}

func TestFiveHundredInAnyMediaTypeIsInfrastructure(t *testing.T) {
	for _, media := range []string{"text/plain; charset=UTF-8", "text/html", ""} {
		t.Run(media, func(t *testing.T) {
			s := &contract.Suite{BaseURL: canned(t, 500, media, gatewayDown), Auth: testtarget.GatewayAuth}
			r := s.Run(context.Background(), scenario(t, "unknown_run"))
			assert.Equal(t, contract.Error, r.Verdict, said(r))
			assert.Empty(t, r.Failures(), said(r))
			assert.Contains(t, said(r), "ECONNREFUSED", "the notice shows what the body says")
		})
	}
}

func TestGatewayUnknownRouteAsksForV1(t *testing.T) {
	s := &contract.Suite{BaseURL: canned(t, 404, "application/json", gatewayNotFound), Auth: testtarget.GatewayAuth}
	r := s.Run(context.Background(), scenario(t, "unknown_run"))
	assert.Equal(t, contract.Fail, r.Verdict)
	require.Len(t, r.Failures(), 1, said(r))
	f := r.Failures()[0].String()
	assert.Contains(t, f, "no such route")
	assert.Contains(t, f, "/v1")
}

func TestFailLinesShowTheBodyMessage(t *testing.T) {
	s := &contract.Suite{BaseURL: canned(t, 400, "application/json",
		`{"error":{"message":"Cannot cancel run with status 'cancelling'.","type":"invalid_request_error","param":null,"code":null}}`), Auth: testtarget.GatewayAuth}
	r := s.Run(context.Background(), scenario(t, "unknown_run")) // expects 404
	require.NotEmpty(t, r.Failures())
	for _, f := range r.Failures() {
		assert.Contains(t, f.String(), `"Cannot cancel run with status 'cancelling'."`)
	}
	s = &contract.Suite{BaseURL: canned(t, 400, "application/json", gatewayNoProvider), Auth: testtarget.GatewayAuth}
	r = s.Run(context.Background(), scenario(t, "unknown_run"))
	require.NotEmpty(t, r.Failures())
	assert.Contains(t, r.Failures()[0].String(), "Either x-portkey-config or x-portkey-provider header is required")
}
