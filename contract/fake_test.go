package contract_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/contract"
	"github.com/seed-a6d846e6/portkey-runs/gen"
	"github.com/seed-a6d846e6/portkey-runs/portkey"
	"github.com/seed-a6d846e6/portkey-runs/refserver"
)

// Real-looking credentials: the fake target requires them, redaction must remove them.
const (
	fakeAPIKey      = "Xq7pR2vL9mK4tW8zB3nC6yH1"
	fakeVirtualKey  = "openai-vk-9f8e7d6c5b4a39281706"
	fakeProviderKey = "sk-proj-T3BlbkFJ4sX9qW2eR7tY1uI8oP5aS6dF"
	fakeConfig      = `{"provider":"openai","api_key":"sk-live-Zx8Cv7Bn6Mm5Ll4Kk3Jj2Hh1"}`
)

var (
	hostedAuth  = portkey.Auth{APIKey: fakeAPIKey, VirtualKey: fakeVirtualKey}
	gatewayAuth = portkey.Auth{APIKey: fakeAPIKey, Provider: "openai", ProviderKey: fakeProviderKey, CustomHost: "http://127.0.0.1:9/v1"}
)

// Runs the fake target holds.
var (
	runInProgress = contract.RunRef{ThreadID: "thread_contract", RunID: "run_in_progress"}
	runImmediate  = contract.RunRef{ThreadID: "thread_contract", RunID: "run_immediate"} // cancels at once
	runCompleted  = contract.RunRef{ThreadID: "thread_contract", RunID: "run_completed"}
	runGateway    = contract.RunRef{ThreadID: "thread_gateway", RunID: "run_gateway"}
)

// fakeStart is the fake target's clock: it stands still, so that recordings do not change
// and a cancelling run stays cancelling.
var fakeStart = time.Date(2025, 11, 26, 7, 0, 0, 0, time.UTC)

// fakeTarget is the reference server behind what a Portkey gateway adds: it answers only
// the exact fake keys, sends the gateway's x-portkey-* headers to a self-hosted gateway's
// client (one that names a provider), and answers Prefer: code=500 with the gateway's own
// failure. runImmediate lives on a second reference server that cancels at once.
type fakeTarget struct {
	ref, immediate *refserver.Server
}

func newFakeTarget(t *testing.T) *httptest.Server {
	clock := refserver.WithClock(func() time.Time { return fakeStart })
	ref, err := refserver.New(clock)
	require.NoError(t, err)
	immediate, err := refserver.New(clock, refserver.WithCancelDelay(0))
	require.NoError(t, err)
	for rr, st := range map[contract.RunRef]gen.RunStatus{runInProgress: gen.RunStatusInProgress, runCompleted: gen.RunStatusCompleted, runGateway: gen.RunStatusQueued} {
		_, err := ref.Store.Seed(rr.ThreadID, rr.RunID, st)
		require.NoError(t, err)
	}
	_, err = immediate.Store.Seed(runImmediate.ThreadID, runImmediate.RunID, gen.RunStatusInProgress)
	require.NoError(t, err)
	srv := httptest.NewServer(fakeTarget{ref, immediate})
	t.Cleanup(srv.Close)
	return srv
}

func (f fakeTarget) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := r.Header
	gateway := h.Get(portkey.HeaderProvider) != ""
	if gateway {
		for k, v := range map[string]string{"x-portkey-trace-id": "3f2b8c1e-6d4a-4f7b-9e2c-1a5d7b9c3e8f", "x-portkey-provider": "openai",
			"x-portkey-last-used-option-index": "0", "x-portkey-retry-attempt-count": "0", "x-portkey-cache-status": "DISABLED"} {
			w.Header().Set(k, v)
		}
	}
	authed := h.Get(portkey.HeaderAPIKey) == fakeAPIKey &&
		(h.Get(portkey.HeaderVirtualKey) == fakeVirtualKey ||
			gateway && h.Get("Authorization") == "Bearer "+fakeProviderKey ||
			h.Get(portkey.HeaderConfig) == fakeConfig)
	if !authed {
		code := "invalid_api_key"
		var body gen.ErrorResponse
		_ = body.FromErrorEnvelope(gen.ErrorEnvelope{Error: gen.Error{Message: "Invalid API key provided.", Type: "invalid_request_error", Code: &code}})
		writeJSON(w, http.StatusUnauthorized, body)
		return
	}
	if h.Get("Prefer") == "code=500" { // the gateway's own failure (REFERENCE section 4)
		w.Header().Set(contract.HeaderGatewayException, "true")
		writeJSON(w, http.StatusInternalServerError, gen.GatewayFailure{Status: gen.GatewayFailureStatusFailure, Message: "Something went wrong"})
		return
	}
	if thread, run, ok := contract.ParsePath(r.URL.EscapedPath()); ok && (contract.RunRef{ThreadID: thread, RunID: run}) == runImmediate {
		f.immediate.ServeHTTP(w, r)
		return
	}
	f.ref.ServeHTTP(w, r)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
