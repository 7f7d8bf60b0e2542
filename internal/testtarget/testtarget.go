// Package testtarget serves, for tests, the target the contract and recording tests run
// against (hosted Portkey in front of the reference server, or the self-hosted gateway),
// and the few helpers those tests share.
package testtarget

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/contract"
	"github.com/seed-a6d846e6/portkey-runs/gen"
	"github.com/seed-a6d846e6/portkey-runs/internal/wire"
	"github.com/seed-a6d846e6/portkey-runs/portkey"
	"github.com/seed-a6d846e6/portkey-runs/refserver"
)

// Real-looking credentials: the fake target requires them, redaction must remove them.
const (
	APIKey      = "Xq7pR2vL9mK4tW8zB3nC6yH1"
	VirtualKey  = "openai-vk-9f8e7d6c5b4a39281706"
	ProviderKey = "sk-proj-T3BlbkFJ4sX9qW2eR7tY1uI8oP5aS6dF"
	Config      = `{"provider":"openai","api_key":"sk-live-Zx8Cv7Bn6Mm5Ll4Kk3Jj2Hh1"}`
)

var (
	HostedAuth  = portkey.Auth{APIKey: APIKey, VirtualKey: VirtualKey}
	GatewayAuth = portkey.Auth{APIKey: APIKey, Provider: "openai", ProviderKey: ProviderKey, CustomHost: "http://127.0.0.1:9/v1"}
)

// Runs the fake target holds.
var (
	RunInProgress = contract.RunRef{ThreadID: "thread_contract", RunID: "run_in_progress"}
	RunImmediate  = contract.RunRef{ThreadID: "thread_contract", RunID: "run_immediate"} // cancels at once
	RunCompleted  = contract.RunRef{ThreadID: "thread_contract", RunID: "run_completed"}
	RunGateway    = contract.RunRef{ThreadID: "thread_gateway", RunID: "run_gateway"}
)

// Start is the fake target's clock: it stands still, so that recordings do not change
// and a cancelling run stays cancelling.
var Start = time.Date(2025, 11, 26, 7, 0, 0, 0, time.UTC)

// target stands for two targets, told apart by x-portkey-provider. Without it, hosted
// Portkey: only the exact fake keys pass (else 401), Prefer: code=500 gives the gateway's
// own failure; RunImmediate lives on a second reference server that cancels at once. With
// it, @portkey-ai/gateway 1.15.2 with the @hono/node-server override as make interop
// measures it (interop/gateway/run.sh checks each point against the real one): every
// x-portkey-* header is stripped and the rest (Authorization: Bearer, "Bearer undefined"
// when none was sent, Prefer) reaches an
// upstream that asks only for the bearer key (refserver.WithUpstream), whose answer comes
// back with the gateway's headers, x-portkey-trace-id empty.
type target struct {
	ref, immediate, upstream *refserver.Server
}

// New starts the target for t's duration.
func New(t testing.TB) *httptest.Server {
	clock := refserver.WithClock(func() time.Time { return Start })
	ref, err := refserver.New(clock)
	require.NoError(t, err)
	immediate, err := refserver.New(clock, refserver.WithCancelDelay(0))
	require.NoError(t, err)
	upstream, err := refserver.New(clock, refserver.WithUpstream())
	require.NoError(t, err)
	for rr, st := range map[contract.RunRef]gen.RunStatus{RunInProgress: gen.RunStatusInProgress, RunCompleted: gen.RunStatusCompleted} {
		_, err := ref.Store.Seed(rr.ThreadID, rr.RunID, st)
		require.NoError(t, err)
	}
	_, err = immediate.Store.Seed(RunImmediate.ThreadID, RunImmediate.RunID, gen.RunStatusInProgress)
	require.NoError(t, err)
	_, err = upstream.Store.Seed(RunGateway.ThreadID, RunGateway.RunID, gen.RunStatusQueued)
	require.NoError(t, err)
	srv := httptest.NewServer(target{ref, immediate, upstream})
	t.Cleanup(srv.Close)
	return srv
}

// gatewayHeaders are what the gateway adds to every answer it forwards (measured).
var gatewayHeaders = map[string]string{"x-portkey-trace-id": "", "x-portkey-provider": "openai",
	"x-portkey-last-used-option-index": "config", "x-portkey-retry-attempt-count": "0", "x-portkey-cache-status": "DISABLED"}

func (f target) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := r.Header
	if h.Get(portkey.HeaderProvider) != "" {
		fwd := r.Clone(r.Context())
		for k := range fwd.Header {
			if strings.HasPrefix(strings.ToLower(k), "x-portkey-") {
				fwd.Header.Del(k)
			}
		}
		if fwd.Header.Get("Authorization") == "" {
			fwd.Header.Set("Authorization", "Bearer undefined") // what the gateway sends without a key
		}
		for k, v := range gatewayHeaders {
			w.Header()[http.CanonicalHeaderKey(k)] = []string{v}
		}
		f.upstream.ServeHTTP(w, fwd)
		return
	}
	authed := h.Get(portkey.HeaderAPIKey) == APIKey &&
		(h.Get(portkey.HeaderVirtualKey) == VirtualKey || h.Get(portkey.HeaderConfig) == Config)
	if !authed {
		code := "invalid_api_key"
		writeJSON(w, http.StatusUnauthorized, map[string]gen.Error{"error": {Message: "Invalid API key provided.", Type: "invalid_request_error", Code: &code}})
		return
	}
	if h.Get("Prefer") == "code=500" { // the gateway's own failure (x-portkey-gateway-exception)
		w.Header().Set(portkey.HeaderGatewayException, "true")
		writeJSON(w, http.StatusInternalServerError, gen.GatewayFailure{Status: gen.GatewayFailureStatusFailure, Message: "Something went wrong"})
		return
	}
	if ref, ok := cancelIDs(r.URL.EscapedPath()); ok && ref == RunImmediate {
		f.immediate.ServeHTTP(w, r)
		return
	}
	f.ref.ServeHTTP(w, r)
}

// cancelIDs returns the IDs of a Cancel Run request's escaped path.
func cancelIDs(escapedPath string) (contract.RunRef, bool) {
	ws, err := wire.Load()
	if err != nil {
		return contract.RunRef{}, false
	}
	op, p, ok := ws.Match(http.MethodPost, escapedPath)
	return contract.RunRef{ThreadID: p["thread_id"], RunID: p["run_id"]}, ok && op.ID == "cancelRun"
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
