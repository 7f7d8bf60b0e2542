package contract_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/seed-a6d846e6/portkey-runs/contract"
	"github.com/seed-a6d846e6/portkey-runs/gen"
	"github.com/seed-a6d846e6/portkey-runs/portkey"
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

// fakeTarget is a small Portkey-like target written for these tests: it checks the
// credentials exactly, keeps a few runs, and answers Prefer code=NNN faults.
type fakeTarget struct {
	mu   sync.Mutex
	runs map[contract.RunRef]gen.RunStatus
}

func newFakeTarget(t *testing.T) *httptest.Server {
	f := &fakeTarget{runs: map[contract.RunRef]gen.RunStatus{
		runInProgress: gen.RunStatusInProgress, runImmediate: gen.RunStatusInProgress, runCompleted: gen.RunStatusCompleted, runGateway: gen.RunStatusQueued,
	}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return srv
}

func (f *fakeTarget) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	thread, run, ok := contract.ParsePath(r.URL.EscapedPath())
	if !ok || r.Method != http.MethodPost {
		writeJSON(w, 404, map[string]any{"message": "Not Found", "ok": false})
		return
	}
	h := r.Header
	gateway := h.Get(portkey.HeaderProvider) != ""
	authed := h.Get(portkey.HeaderAPIKey) == fakeAPIKey &&
		(h.Get(portkey.HeaderVirtualKey) == fakeVirtualKey ||
			gateway && h.Get("Authorization") == "Bearer "+fakeProviderKey ||
			h.Get(portkey.HeaderConfig) == fakeConfig)
	if gateway {
		w.Header().Set("x-portkey-trace-id", "3f2b8c1e-6d4a-4f7b-9e2c-1a5d7b9c3e8f")
		w.Header().Set("x-portkey-provider", "openai")
		w.Header().Set("x-portkey-last-used-option-index", "0")
		w.Header().Set("x-portkey-retry-attempt-count", "0")
		w.Header().Set("x-portkey-cache-status", "DISABLED")
	}
	if !authed {
		writeError(w, 401, "Invalid API key provided.", "invalid_api_key")
		return
	}
	switch strings.TrimPrefix(h.Get("Prefer"), "code=") {
	case "":
	case "429,retry-after=2":
		w.Header().Set("Retry-After", "2")
		writeError(w, 429, "Rate limit reached. Please try again in 2s.", "rate_limit_exceeded")
		return
	case "500":
		w.Header().Set(contract.HeaderGatewayException, "true")
		writeJSON(w, 500, map[string]any{"status": "failure", "message": "Something went wrong"})
		return
	default:
		writeError(w, 400, "Unsupported fault "+h.Get("Prefer"), "")
		return
	}
	ref := contract.RunRef{ThreadID: thread, RunID: run}
	f.mu.Lock()
	defer f.mu.Unlock()
	status, ok := f.runs[ref]
	switch {
	case !ok:
		writeError(w, 404, "No run found with id '"+run+"'.", "")
	case status != gen.RunStatusQueued && status != gen.RunStatusInProgress && status != gen.RunStatusRequiresAction:
		writeError(w, 400, "Cannot cancel run with status '"+string(status)+"'.", "")
	default:
		next := gen.RunStatusCancelling
		if ref == runImmediate {
			next = gen.RunStatusCancelled
		}
		f.runs[ref] = next
		writeJSON(w, 200, fakeRun(ref, next))
	}
}

// fakeRun is a complete Run in status.
func fakeRun(ref contract.RunRef, status gen.RunStatus) gen.Run {
	created, started, expires := 1764140000, 1764140001, 1764140600
	run := gen.Run{
		ID: ref.RunID, Object: gen.RunObjectThreadRun, ThreadID: ref.ThreadID, AssistantID: "asst_contract",
		Status: status, CreatedAt: created, StartedAt: &started, ExpiresAt: &expires,
		Model: "gpt-4o", Instructions: "You summarise support tickets.",
		Tools: []gen.AssistantTool{}, ParallelToolCalls: true,
		TruncationStrategy: &gen.TruncationStrategy{Type: gen.TruncationStrategyTypeAuto},
	}
	var tc gen.ToolChoice
	_ = tc.FromToolChoiceMode(gen.ToolChoiceModeAuto)
	run.ToolChoice = &tc
	var rf gen.ResponseFormat
	_ = rf.FromResponseFormatMode(gen.ResponseFormatModeAuto)
	run.ResponseFormat = &rf
	if status == gen.RunStatusCancelled {
		at := created + 5
		run.CancelledAt = &at
	}
	return run
}

func writeError(w http.ResponseWriter, status int, msg, code string) {
	var c any
	if code != "" {
		c = code
	}
	writeJSON(w, status, map[string]any{"error": map[string]any{"message": msg, "type": "invalid_request_error", "param": nil, "code": c}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
