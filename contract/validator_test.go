package contract_test

import (
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/contract"
	"github.com/seed-a6d846e6/portkey-runs/internal/testtarget"
	"github.com/seed-a6d846e6/portkey-runs/portkey"
)

const cancelPath = "/v1/threads/thread_abc123/runs/run_abc123/cancel"

// validRun is a conformant 200 body for cancelPath.
func validRun() map[string]any {
	return map[string]any{
		"id": "run_abc123", "object": "thread.run", "created_at": 1699075072, "thread_id": "thread_abc123",
		"assistant_id": "asst_abc123", "status": "cancelling", "required_action": nil, "last_error": nil,
		"expires_at": 1699075672, "started_at": 1699075072, "cancelled_at": nil, "failed_at": nil,
		"completed_at": nil, "incomplete_details": nil, "model": "gpt-4o", "instructions": "Be brief.",
		"tools": []any{map[string]any{"type": "code_interpreter"}}, "metadata": map[string]any{}, "usage": nil,
		"max_prompt_tokens": nil, "max_completion_tokens": nil, "truncation_strategy": nil,
		"tool_choice": "auto", "parallel_tool_calls": true, "response_format": "auto",
	}
}

func jsonHeader() http.Header { return http.Header{"Content-Type": {"application/json"}} }

func validator(t testing.TB, opts contract.Options) *contract.Validator {
	t.Helper()
	v, err := contract.New(opts)
	require.NoError(t, err)
	return v
}

func TestValidateRunBodies(t *testing.T) {
	v := validator(t, contract.Options{})
	long := strings.Repeat("k", 65)
	cases := []struct {
		name   string
		edit   func(m map[string]any)
		status int
		want   []string
	}{
		{"valid", func(map[string]any) {}, 200, nil},
		{"wrong enum", func(m map[string]any) { m["status"] = "paused" }, 200, []string{
			`body /status: "paused" is not one of queued, in_progress, requires_action, cancelling, cancelled, failed, completed, incomplete, expired (schema)`}},
		{"missing required", func(m map[string]any) { delete(m, "usage") }, 200, []string{
			`body /usage: required property is missing (schema)`}},
		{"null not nullable", func(m map[string]any) { m["parallel_tool_calls"] = nil }, 200, []string{
			`body /parallel_tool_calls: null is not allowed (schema)`}},
		{"missing, added later", func(m map[string]any) { delete(m, "parallel_tool_calls") }, 200, []string{
			`body /parallel_tool_calls: required property is missing (sent since mid-2024; answers from before lack it) (schema)`}},
		{"wrong type inside nullable wrapper", func(m map[string]any) { m["last_error"] = "boom" }, 200, []string{
			`body /last_error: "boom" is not an object (schema)`}},
		{"below minimum", func(m map[string]any) { m["max_prompt_tokens"] = 0 }, 200, []string{
			`body /max_prompt_tokens: 0 is less than the minimum 1 (schema)`}},
		{"union: no branch", func(m map[string]any) { m["tool_choice"] = "sometimes" }, 200, []string{
			`body /tool_choice: "sometimes" matches no branch of ToolChoice [ToolChoiceMode: is not one of none, auto, required; NamedToolChoice: is not an object; NullValue: is not null] (schema)`}},
		{"union: nested branches", func(m map[string]any) { m["response_format"] = map[string]any{"type": "json_schema"} }, 200, []string{
			`body /response_format: {"type":"json_schema"} matches no branch of ResponseFormat [ResponseFormatMode: is not one of auto, none; ResponseFormatObject: /json_schema required property is missing; NullValue: is not null] (schema)`}},
		{"discriminator: unknown tool", func(m map[string]any) { m["tools"] = []any{map[string]any{"type": "retrieval"}} }, 200, []string{
			`body /tools/0/type: "retrieval" is not one of code_interpreter, file_search, function (schema)`}},
		{"object union: a string", func(m map[string]any) { m["tools"] = []any{"function"} }, 200, []string{
			`body /tools/0: "function" is not an object (schema)`}},
		{"object union: null", func(m map[string]any) { m["tools"] = []any{nil} }, 200, []string{
			`body /tools/0: null is not allowed (schema)`}},
		{"discriminator: chosen branch fails", func(m map[string]any) { m["tools"] = []any{map[string]any{"type": "function"}} }, 200, []string{
			`body /tools/0/function: required property is missing (schema)`}},
		{"id does not echo", func(m map[string]any) { m["id"] = "run_other" }, 200, []string{
			`body /id: "run_other" does not echo the request's run_id "run_abc123" (semantic)`}},
		{"thread does not echo", func(m map[string]any) { m["thread_id"] = "thread_other" }, 200, []string{
			`body /thread_id: "thread_other" does not echo the request's thread_id "thread_abc123" (semantic)`}},
		{"not a cancel answer", func(m map[string]any) { m["status"] = "completed"; m["completed_at"] = 1699075080 }, 200, []string{
			`body /status: "completed" is not cancelling or cancelled after a successful cancel (semantic)`}},
		{"cancelled without cancelled_at", func(m map[string]any) { m["status"] = "cancelled" }, 200, []string{
			`body /cancelled_at: null must be set when status is cancelled (semantic)`}},
		{"cancelled_at while cancelling", func(m map[string]any) { m["cancelled_at"] = 1699075080 }, 200, []string{
			`body /cancelled_at: 1699075080 must be null while status is cancelling (semantic)`}},
		{"started before created", func(m map[string]any) { m["started_at"] = 1699075000 }, 200, []string{
			`body /started_at: 1699075000 is before created_at 1699075072 (semantic)`}},
		{"cancelled before started", func(m map[string]any) {
			m["status"], m["started_at"], m["cancelled_at"] = "cancelled", 1699075090, 1699075080
		}, 200, []string{`body /cancelled_at: 1699075080 is before started_at 1699075090 (semantic)`}},
		{"metadata key too long", func(m map[string]any) { m["metadata"] = map[string]any{long: "v"} }, 200, []string{
			`body /metadata: "` + long[:55] + `..." is a key longer than 64 characters (semantic)`}},
		{"drift", func(m map[string]any) {
			m["undeclared_extra"] = map[string]any{}
			m["truncation_strategy"] = map[string]any{"type": "auto", "keep": 1}
		}, 200, []string{
			`body /truncation_strategy/keep: is not declared in the spec (drift)`,
			`body /undeclared_extra: is not declared in the spec (drift)`}},
		{"free-form parameters are not drift", func(m map[string]any) {
			m["tools"] = []any{map[string]any{"type": "function", "function": map[string]any{"name": "f", "parameters": map[string]any{"any": 1}}}}
		}, 200, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := validRun()
			c.edit(m)
			body, err := json.Marshal(m)
			require.NoError(t, err)
			got := v.Validate(contract.Exchange{Method: "POST", Path: cancelPath, Status: c.status, Header: jsonHeader(), Body: body}).Violations()
			assert.Equal(t, append([]string{}, c.want...), testtarget.Lines(got))
		})
	}
}

func TestValidateResponses(t *testing.T) {
	v := validator(t, contract.Options{})
	ct := func(kv ...string) http.Header {
		h := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	envelope := `{"error":{"message":"Cannot cancel run with status 'completed'.","type":"invalid_request_error","param":null,"code":null}}`
	cases := []struct {
		name string
		ex   contract.Exchange
		want []string
	}{
		{"400 envelope", contract.Exchange{Status: 400, Header: ct("Content-Type", "application/json"), Body: []byte(envelope)}, nil},
		{"undocumented status", contract.Exchange{Status: 246, Header: ct("Content-Type", "application/json"), Body: []byte(`{}`)}, []string{
			`status: 246 is not documented for cancelRun (status_code)`}},
		{"html page with 200", contract.Exchange{Status: 200, Header: ct("Content-Type", "text/html; charset=utf-8"), Body: []byte(`<html><body>OK</body></html>`)}, []string{
			`header Content-Type: "text/html; charset=utf-8" is not application/json (content_type)`}},
		{"missing content type", contract.Exchange{Status: 404, Header: ct(), Body: []byte(envelope)}, []string{
			`header Content-Type: is missing, expected application/json; the body says "Cannot cancel run with status 'completed'." (content_type)`}},
		{"not JSON", contract.Exchange{Status: 404, Header: ct("Content-Type", "application/json"), Body: []byte(`{"error":`)}, []string{
			`body: is not valid JSON (unexpected EOF) (schema)`}},
		{"empty body", contract.Exchange{Status: 404, Header: ct("Content-Type", "application/json")}, []string{
			`body: is empty, expected a JSON value (schema)`}},
		{"error body: no branch", contract.Exchange{Status: 404, Header: ct("Content-Type", "application/json"), Body: []byte(`{"message":"Not Found","ok":false}`)}, []string{
			`status: 404 is the gateway's answer for a path it has no route for ({"message":"Not Found","ok":false}): the target has no such route; does --target end in /v1? (status_code)`}},
		{"error message empty", contract.Exchange{Status: 404, Header: ct("Content-Type", "application/json"), Body: []byte(`{"error":{"message":" ","type":"x","param":null,"code":null}}`)}, []string{
			`body /error/message: " " is empty; an error must say what went wrong (semantic)`}},
		{"429 with bad Retry-After", contract.Exchange{Status: 429, Header: ct("Content-Type", "application/json", "Retry-After", "0"), Body: []byte(envelope)}, []string{
			`header Retry-After: 0 is less than the minimum 1; the body says "Cannot cancel run with status 'completed'." (response_headers)`,
			`status: 429 rate limited, Retry-After "0" (infrastructure)`}},
		{"429 with a date Retry-After", contract.Exchange{Status: 429, Header: ct("Content-Type", "application/json", "Retry-After", "Wed, 21 Oct 2026 07:28:00 GMT"), Body: []byte(envelope)}, []string{
			`header Retry-After: "Wed, 21 Oct 2026 07:28:00 GMT" is not an integer; the body says "Cannot cancel run with status 'completed'." (response_headers)`,
			`status: 429 rate limited, Retry-After "Wed, 21 Oct 2026 07:28:00 GMT" (infrastructure)`}},
		{"Azure 429 (D19)", contract.Exchange{Status: 429, Header: ct("Content-Type", "application/json", "Retry-After", "9"), Body: []byte(`{"error":{"code":"429","message":"Please retry after 9 seconds."}}`)}, []string{
			`status: 429 rate limited, Retry-After "9" (infrastructure)`}},
		{"Azure shape with an extra property", contract.Exchange{Status: 429, Header: ct("Content-Type", "application/json", "Retry-After", "9"), Body: []byte(`{"error":{"code":"429","message":"m","status":429}}`)}, []string{
			`body: {"error":{"code":"429","message":"m","status":429}} matches no branch of ErrorResponse [ErrorEnvelope: /error {"code":"429","message":"m","status":429} matches no branch of ErrorObject [Error: /type required property is missing, /param required property is missing; AzureError: /status is not a property of AzureError]; GatewayFailure: /status required property is missing, /message required property is missing]; the body says "m" (schema)`,
			`status: 429 rate limited, Retry-After "9" (infrastructure)`}},
		{"gateway failure", contract.Exchange{Status: 500, Header: ct("Content-Type", "application/json", portkey.HeaderGatewayException, "true"), Body: []byte(`{"status":"failure","message":"Something went wrong"}`)}, []string{
			`status: 500 gateway failure (x-portkey-gateway-exception: true) (infrastructure)`}},
		{"undeclared response headers are drift", contract.Exchange{Path: cancelPath, Status: 200, Header: ct("Content-Type", "application/json",
			"Date", "Thu, 26 Nov 2026 08:54:07 GMT", "Cf-Ray", "822aa29619ef4345-EWR", "Server", "cloudflare", "X-Request-Id", "req_1",
			"Openai-Processing-Ms", "95", "X-Portkey-Trace-Id", "", "X-Extra", "1", "Apim-Request-Id", "abc"), Body: mustJSON(t, validRun())}, []string{
			`header Apim-Request-Id: is not declared in the spec (drift)`,
			`header X-Extra: is not declared in the spec (drift)`}},
		{"a declared header of the wrong type", contract.Exchange{Path: cancelPath, Status: 200, Header: ct("Content-Type", "application/json", "Openai-Processing-Ms", "fast"), Body: mustJSON(t, validRun())}, []string{
			`header openai-processing-ms: "fast" is not an integer (response_headers)`}},
		{"provider 500", contract.Exchange{Status: 500, Header: ct("Content-Type", "application/json"), Body: []byte(`{"error":{"message":"boom","type":"server_error","param":null,"code":null}}`)}, []string{
			`status: 500 server error (infrastructure)`}},
		{"connection error", contract.Exchange{Err: errors.New("dial tcp 127.0.0.1:1: connect: connection refused")}, []string{
			`connection: failed: dial tcp 127.0.0.1:1: connect: connection refused (infrastructure)`}},
		{"empty run_id", contract.Exchange{Method: "POST", Path: "/v1/threads/t/runs//cancel", Status: 404, Header: ct("Content-Type", "application/json"), Body: []byte(envelope)}, []string{
			`request path: run_id is empty (request)`}},
		{"no credentials, answered 200", contract.Exchange{Path: cancelPath, RequestHeader: http.Header{"Authorization": {"Bearer x"}}, Status: 200, Header: ct("Content-Type", "application/json"), Body: mustJSON(t, validRun())}, []string{
			`request headers: meet no credential combination of the spec (the closest lacks x-portkey-provider) (request)`,
			`status: 200 answers a request that carries no credential combination of the spec (semantic)`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, append([]string{}, c.want...), testtarget.Lines(v.Validate(c.ex).Violations()))
		})
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

// TestSemanticOnRealStates: states live services send pass the semantic checks (D24), and
// the cancel-status rule needs the request: the same Run answers create, retrieve and list.
func TestSemanticOnRealStates(t *testing.T) {
	v := validator(t, contract.Options{})
	cases := []struct {
		name  string
		path  string
		edit  func(m map[string]any)
		wants []string
	}{
		{"bare retrieve answer, completed", "", func(m map[string]any) {
			m["status"], m["completed_at"] = "completed", 1699075080
		}, nil},
		{"cancel answer, completed", cancelPath, func(m map[string]any) {
			m["status"], m["completed_at"] = "completed", 1699075080
		}, []string{`body /status: "completed" is not cancelling or cancelled after a successful cancel (semantic)`}},
		{"queued again after tool outputs, started_at set", "", func(m map[string]any) { m["status"] = "queued" }, nil},
		{"expired with completed_at", "", func(m map[string]any) {
			m["status"], m["expires_at"], m["completed_at"] = "expired", nil, 1699075080
		}, nil},
		{"incomplete with completed_at", "", func(m map[string]any) {
			m["status"], m["completed_at"] = "incomplete", 1699075080
			m["incomplete_details"] = map[string]any{"reason": "max_completion_tokens"}
		}, nil},
		{"bare body still contradicting itself", "", func(m map[string]any) {
			m["status"] = "cancelled"
		}, []string{`body /cancelled_at: null must be set when status is cancelled (semantic)`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := validRun()
			c.edit(m)
			ex := contract.Exchange{Path: c.path, ThreadID: "thread_abc123", RunID: "run_abc123", Status: 200, Header: jsonHeader(), Body: mustJSON(t, m)}
			assert.Equal(t, append([]string{}, c.wants...), testtarget.Lines(v.Validate(ex).Violations()))
		})
	}
}

func TestStrictDriftFails(t *testing.T) {
	m := validRun()
	m["undeclared_extra"] = map[string]any{}
	ex := contract.Exchange{Path: cancelPath, Status: 200, Header: jsonHeader(), Body: mustJSON(t, m)}
	lax := validator(t, contract.Options{}).Validate(ex).Violations()
	strict := validator(t, contract.Options{Strict: true}).Validate(ex).Violations()
	require.Len(t, lax, 1)
	require.Len(t, strict, 1)
	assert.False(t, lax[0].Failed())
	assert.True(t, strict[0].Failed())

	ex = contract.Exchange{Path: cancelPath, Status: 200, Header: http.Header{"Content-Type": {"application/json"}, "X-Extra": {"1"}}, Body: mustJSON(t, validRun())}
	strict = validator(t, contract.Options{Strict: true}).Validate(ex).Violations()
	require.Len(t, strict, 1)
	assert.Equal(t, "header X-Extra", strict[0].Location)
	assert.True(t, strict[0].Failed(), "an undeclared header fails in strict mode, as an undeclared property does")
}

func TestSpecExamplesConform(t *testing.T) {
	v := validator(t, contract.Options{})
	doc, err := contract.Default()
	require.NoError(t, err)
	_ = doc
	for _, name := range []string{"CancellingRun", "CancelledRunFilled", "RunAllNull"} {
		t.Run(name, func(t *testing.T) {
			ex := exampleValue(t, name)
			m := ex.(map[string]any)
			path := "/threads/" + m["thread_id"].(string) + "/runs/" + m["id"].(string) + "/cancel"
			got := v.Validate(contract.Exchange{Method: "POST", Path: path, Status: 200, Header: jsonHeader(), Body: mustJSON(t, ex)}).Violations()
			assert.Empty(t, testtarget.Lines(got))
		})
	}
}

func TestValidateDoesNotMutateHeaders(t *testing.T) {
	v := validator(t, contract.Options{})
	h := jsonHeader()
	before := maps.Clone(h)
	v.Validate(contract.Exchange{Status: 200, Header: h, Body: mustJSON(t, validRun())}).Violations()
	assert.Equal(t, before, h)
}

// TestValidateConcurrently shares one Validator between goroutines (run with -race).
func TestValidateConcurrently(t *testing.T) {
	v := validator(t, contract.Options{})
	bad := validRun()
	bad["status"] = "paused"
	bodies := [][]byte{mustJSON(t, validRun()), mustJSON(t, bad)}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				got := v.Validate(contract.Exchange{Path: cancelPath, Status: 200, Header: jsonHeader(), Body: bodies[(g+i)%2]}).Violations()
				if want := (g + i) % 2; len(got) != want {
					t.Errorf("goroutine %d: %d violations, want %d", g, len(got), want)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestViolationJSON(t *testing.T) {
	v := contract.Violation{Check: contract.CheckDrift, Location: "/x", Rule: "is not declared in the spec", Severity: contract.Notice}
	b, err := json.Marshal(v)
	require.NoError(t, err)
	assert.JSONEq(t, `{"check":"drift","location":"/x","rule":"is not declared in the spec","severity":"notice"}`, string(b))
	var back contract.Violation
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, v, back)
	assert.Error(t, json.Unmarshal([]byte(`{"severity":"fatal"}`), &back))
}
