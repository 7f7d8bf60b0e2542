package portkeyruns_test

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/gen"
)

func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromFile("api/openapi.yaml")
	require.NoError(t, err)
	return doc
}

func TestSpecIsValid(t *testing.T) {
	doc := loadSpec(t)
	require.Equal(t, "3.0.3", doc.OpenAPI)
	// Validate checks examples against their schemas too.
	require.NoError(t, doc.Validate(context.Background(), openapi3.EnableExamplesValidation()))
	op := doc.Paths.Find("/threads/{thread_id}/runs/{run_id}/cancel").Post
	require.NotNil(t, op)
	assert.Equal(t, "cancelRun", op.OperationID)
	for _, code := range []string{"200", "400", "401", "403", "404", "408", "409", "412", "429", "446", "500", "502", "503", "504"} {
		assert.NotNil(t, op.Responses.Value(code), "response %s", code)
	}
	assert.Nil(t, op.Responses.Default(), "a default response would make every status documented")
	for _, code := range []string{"429", "503"} {
		retryAfter := op.Responses.Value(code).Value.Headers["Retry-After"].Value.Schema.Value
		assert.True(t, retryAfter.Type.Is("integer"), "Retry-After on %s is integer seconds", code)
		assert.Equal(t, 1.0, *retryAfter.Min, "Retry-After on %s is at least 1", code)
	}
	// D34: the headers gateways and OpenAI send, on every response, all optional.
	for code, r := range op.Responses.Map() {
		for _, h := range []string{"x-portkey-trace-id", "x-portkey-retry-attempt-count", "x-portkey-last-used-option-index",
			"x-portkey-cache-status", "x-portkey-provider", "x-request-id", "openai-processing-ms", "openai-version",
			"x-ratelimit-limit-requests", "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens"} {
			if assert.Contains(t, r.Value.Headers, h, "response %s", code) {
				assert.False(t, r.Value.Headers[h].Value.Required, "%s on %s", h, code)
			}
		}
	}
	assert.Contains(t, op.Responses.Value("500").Value.Headers, "x-portkey-gateway-exception")
	assert.Nil(t, op.Responses.Value("246"), "D14: 246 is not documented")
	assert.Nil(t, op.Security, "security is declared once, at the top level")
	var combos [][]string
	for _, req := range doc.Security {
		combo := slices.Sorted(maps.Keys(req))
		combos = append(combos, combo)
	}
	assert.Equal(t, [][]string{
		{"PortkeyApiKey", "PortkeyVirtualKey"}, // the seed's pair first (D11)
		{"PortkeyApiKey", "PortkeyProvider", "ProviderAuth"},
		{"PortkeyApiKey", "PortkeyConfig"},
		{"PortkeyApiKey", "PortkeyCustomHost", "PortkeyProvider", "ProviderAuth"},
		{"PortkeyApiKey", "PortkeyProvider"}, // D33: Model Catalog, x-portkey-provider: @slug
		{"PortkeyProvider", "ProviderAuth"},  // D32: a self-hosted gateway needs no API key
		{"PortkeyConfig"},                    // D32
	}, combos)

	// D31: OpenAI-Beta, when sent, is assistants=v2.
	beta := op.Parameters.GetByInAndName("header", "OpenAI-Beta")
	require.NotNil(t, beta)
	assert.NoError(t, beta.Schema.Value.VisitJSON("assistants=v2"))
	assert.Error(t, beta.Schema.Value.VisitJSON("assistants=v1"))
}

// TestExamplesRoundTrip decodes every example into the generated types, encodes it again,
// and requires the result to validate and to say the same thing (dropped nulls aside).
func TestExamplesRoundTrip(t *testing.T) {
	doc := loadSpec(t)
	require.NotEmpty(t, doc.Components.Examples)
	for name, ex := range doc.Components.Examples {
		t.Run(name, func(t *testing.T) {
			raw, err := json.Marshal(ex.Value.Value)
			require.NoError(t, err)
			var schemaName string
			var v any
			if _, isRun := ex.Value.Value.(map[string]any)["object"]; isRun {
				schemaName, v = "Run", new(gen.Run)
			} else {
				schemaName, v = "ErrorResponse", new(gen.ErrorResponse)
			}
			require.NoError(t, json.Unmarshal(raw, v))
			again, err := json.Marshal(v)
			require.NoError(t, err)

			var got, want any
			require.NoError(t, json.Unmarshal(again, &got))
			require.NoError(t, json.Unmarshal(raw, &want))
			require.NoError(t, doc.Components.Schemas[schemaName].Value.VisitJSON(got), "re-encoded: %s", again)
			assert.Equal(t, dropNulls(want), dropNulls(got))
		})
	}
}

// TestRunNullsMarshalAsNull: a zero Run encodes every required nullable as an explicit null.
func TestRunNullsMarshalAsNull(t *testing.T) {
	b, err := json.Marshal(gen.Run{Tools: []gen.AssistantTool{}})
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	for _, k := range []string{"required_action", "last_error", "expires_at", "started_at", "cancelled_at",
		"failed_at", "completed_at", "incomplete_details", "metadata", "usage", "max_prompt_tokens",
		"max_completion_tokens", "truncation_strategy", "tool_choice", "response_format"} {
		v, ok := m[k]
		assert.True(t, ok, "%s missing", k)
		assert.Nil(t, v, "%s", k)
	}
}

// dropNulls removes null members of objects, recursively.
func dropNulls(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range v {
			if e != nil {
				out[k] = dropNulls(e)
			}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = dropNulls(e)
		}
		return out
	}
	return v
}

// exampleRun returns a copy of a named example's value.
func exampleRun(t *testing.T, doc *openapi3.T, name string) map[string]any {
	t.Helper()
	raw, err := json.Marshal(doc.Components.Examples[name].Value.Value)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	return m
}

// TestDecisions backs each row of api/DECISIONS.md with a case: what the spec accepts and
// rejects where the sources disagree.
func TestDecisions(t *testing.T) {
	doc := loadSpec(t)
	run := doc.Components.Schemas["Run"].Value
	errBody := doc.Components.Schemas["ErrorResponse"].Value

	many := func(n int) []any {
		tools := make([]any, n)
		for i := range tools {
			tools[i] = map[string]any{"type": "code_interpreter"}
		}
		return tools
	}
	metadata := func(n, valueLen int) map[string]any {
		m := map[string]any{}
		for i := range n {
			m[strings.Repeat("k", i+1)] = strings.Repeat("v", valueLen)
		}
		return m
	}
	cases := []struct {
		name   string
		edit   func(m map[string]any)
		accept bool
	}{
		{"D1 every nullable null", func(m map[string]any) {}, true},
		{"D1 truncation_strategy null", func(m map[string]any) { m["truncation_strategy"] = nil }, true},
		{"D1 tool_choice null", func(m map[string]any) { m["tool_choice"] = nil }, true},
		{"D1 response_format null", func(m map[string]any) { m["response_format"] = nil }, true},
		{"D1 required_action a string", func(m map[string]any) { m["required_action"] = "submit_tool_outputs" }, false},
		{"D1 usage an empty object", func(m map[string]any) { m["usage"] = map[string]any{} }, false},
		{"D1 truncation_strategy a string", func(m map[string]any) { m["truncation_strategy"] = "auto" }, false},
		{"D1 tool_choice an empty object", func(m map[string]any) { m["tool_choice"] = map[string]any{} }, false},
		{"D1 tool_choice false", func(m map[string]any) { m["tool_choice"] = false }, false},
		{"D1 response_format bogus", func(m map[string]any) { m["response_format"] = "bogus" }, false},
		{"D1 response_format an empty object", func(m map[string]any) { m["response_format"] = map[string]any{} }, false},
		{"D1 a tool that is a string", func(m map[string]any) { m["tools"] = []any{"code_interpreter"} }, false},
		{"D1 a tool that is null", func(m map[string]any) { m["tools"] = []any{nil} }, false},
		{"D2 missing required_action", func(m map[string]any) { delete(m, "required_action") }, false},
		{"D2 missing incomplete_details", func(m map[string]any) { delete(m, "incomplete_details") }, false},
		{"D2 missing truncation_strategy", func(m map[string]any) { delete(m, "truncation_strategy") }, false},
		{"D2 temperature and top_p absent", func(m map[string]any) { delete(m, "temperature"); delete(m, "top_p") }, true},
		{"D15 instructions null", func(m map[string]any) { m["instructions"] = nil }, true},
		{"D15 instructions a number", func(m map[string]any) { m["instructions"] = 1 }, false},
		{"D16 max_completion_tokens 16 as echoed", func(m map[string]any) { m["max_completion_tokens"] = 16 }, true},
		{"D16 max_prompt_tokens 0", func(m map[string]any) { m["max_prompt_tokens"] = 0 }, false},
		{"D17 tool_resources empty", func(m map[string]any) { m["tool_resources"] = map[string]any{} }, true},
		{"D17 tool_resources code_interpreter files", func(m map[string]any) {
			m["tool_resources"] = map[string]any{"code_interpreter": map[string]any{"file_ids": []any{}}}
		}, true},
		{"D17 tool_resources file_ids a string", func(m map[string]any) {
			m["tool_resources"] = map[string]any{"code_interpreter": map[string]any{"file_ids": "file-1"}}
		}, false},
		{"D18 reasoning_effort null", func(m map[string]any) { m["reasoning_effort"] = nil }, true},
		{"D18 reasoning_effort low", func(m map[string]any) { m["reasoning_effort"] = "low" }, true},
		{"D18 reasoning_effort a number", func(m map[string]any) { m["reasoning_effort"] = 3 }, false},
		{"D20 usage details", func(m map[string]any) {
			m["usage"] = map[string]any{"completion_tokens": 1, "prompt_tokens": 2, "total_tokens": 3,
				"prompt_token_details": map[string]any{"cached_tokens": 0}, "completion_tokens_details": map[string]any{"reasoning_tokens": 0}}
		}, true},
		{"D20 cached_tokens a string", func(m map[string]any) {
			m["usage"] = map[string]any{"completion_tokens": 1, "prompt_tokens": 2, "total_tokens": 3,
				"prompt_token_details": map[string]any{"cached_tokens": "0"}}
		}, false},
		{"D21 hybrid_search null", func(m map[string]any) {
			m["tools"] = []any{map[string]any{"type": "file_search", "file_search": map[string]any{
				"ranking_options": map[string]any{"ranker": "default_2024_08_21", "score_threshold": 0, "hybrid_search": nil}}}}
		}, true},
		{"D21 hybrid_search a string", func(m map[string]any) {
			m["tools"] = []any{map[string]any{"type": "file_search", "file_search": map[string]any{
				"ranking_options": map[string]any{"score_threshold": 0, "hybrid_search": "on"}}}}
		}, false},
		{"D22 v1 retrieval tool", func(m map[string]any) { m["tools"] = []any{map[string]any{"type": "retrieval"}} }, false},
		{"D22 v1 file_ids (undeclared: drift only)", func(m map[string]any) { m["file_ids"] = []any{} }, true},
		{"D23 parallel_tool_calls missing", func(m map[string]any) { delete(m, "parallel_tool_calls") }, false},
		{"D4 response_format none", func(m map[string]any) { m["response_format"] = "none" }, true},
		{"D4 response_format auto", func(m map[string]any) { m["response_format"] = "auto" }, true},
		{"D4 response_format json_schema", func(m map[string]any) {
			m["response_format"] = map[string]any{"type": "json_schema", "json_schema": map[string]any{"name": "x"}}
		}, true},
		{"D4 response_format xml", func(m map[string]any) { m["response_format"] = map[string]any{"type": "xml"} }, false},
		{"D4 response_format required", func(m map[string]any) { m["response_format"] = "required" }, false},
		{"D5 21 tools", func(m map[string]any) { m["tools"] = many(21) }, true},
		{"D5 128 tools", func(m map[string]any) { m["tools"] = many(128) }, true},
		{"D5 129 tools", func(m map[string]any) { m["tools"] = many(129) }, false},
		{"D6 undeclared property", func(m map[string]any) { m["undeclared_extra"] = map[string]any{} }, true},
		{"D30 a function name of 65 characters with a dot", func(m map[string]any) {
			m["tools"] = []any{map[string]any{"type": "function", "function": map[string]any{"name": strings.Repeat("f", 64) + "."}}}
		}, true},
		{"D30 a json_schema name with a space", func(m map[string]any) {
			m["response_format"] = map[string]any{"type": "json_schema", "json_schema": map[string]any{"name": "weather report"}}
		}, true},
		{"D7 status paused", func(m map[string]any) { m["status"] = "paused" }, false},
		{"D7 max_completion_tokens 256", func(m map[string]any) { m["max_completion_tokens"] = 256 }, true},
		{"D7 16 metadata pairs of 512", func(m map[string]any) { m["metadata"] = metadata(16, 512) }, true},
		{"D7 17 metadata pairs", func(m map[string]any) { m["metadata"] = metadata(17, 1) }, false},
		{"D7 metadata value of 513", func(m map[string]any) { m["metadata"] = metadata(1, 513) }, false},
		{"D7 object thread", func(m map[string]any) { m["object"] = "thread" }, false},
		{"D8 named tool choice", func(m map[string]any) {
			m["tool_choice"] = map[string]any{"type": "file_search"}
		}, true},
		{"D8 tool choice mode sometimes", func(m map[string]any) { m["tool_choice"] = "sometimes" }, false},
		{"D8 unknown tool type", func(m map[string]any) { m["tools"] = []any{map[string]any{"type": "browser"}} }, false},
		{"D8 file_search max_num_results 51", func(m map[string]any) {
			m["tools"] = []any{map[string]any{"type": "file_search", "file_search": map[string]any{"max_num_results": 51}}}
		}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := exampleRun(t, doc, "RunAllNull")
			c.edit(m)
			err := run.VisitJSON(m)
			if c.accept {
				assert.NoError(t, err)
			} else {
				assert.Error(t, err)
			}
		})
	}

	t.Run("D2 Portkey's published cancel example", func(t *testing.T) {
		m := exampleRun(t, doc, "CancellingRun")
		for _, k := range []string{"required_action", "incomplete_details", "max_prompt_tokens", "max_completion_tokens", "truncation_strategy"} {
			delete(m, k)
		}
		m["tool_resources"] = map[string]any{}
		assert.Error(t, run.VisitJSON(m))
	})

	t.Run("D23 properties added later say so", func(t *testing.T) {
		for _, p := range []string{"parallel_tool_calls", "incomplete_details", "max_prompt_tokens",
			"max_completion_tokens", "truncation_strategy", "tool_choice", "response_format"} {
			assert.NotEmpty(t, run.Properties[p].Value.Extensions["x-since"], p)
		}
	})

	errorCases := []struct {
		name   string
		body   string
		accept bool
	}{
		{"D9 OpenAI envelope", `{"error":{"message":"m","type":"invalid_request_error","param":null,"code":null}}`, true},
		{"D9 gateway failure", `{"status":"failure","message":"Something went wrong"}`, true},
		{"D9 envelope without param", `{"error":{"message":"m","type":"t","code":null}}`, false},
		{"D9 gateway route 404", `{"message":"Not Found","ok":false}`, false},
		{"D19 Azure 429", `{"error":{"code":"429","message":"Please retry after 9 seconds."}}`, true},
		{"D19 Azure code a number", `{"error":{"code":429,"message":"m"}}`, false},
		{"D19 Azure without message", `{"error":{"code":"429"}}`, false},
		{"D19 Azure with innererror", `{"error":{"code":"content_filter","message":"m","innererror":{"code":"x"}}}`, true},
		{"D19 Azure with an unknown member", `{"error":{"code":"429","message":"m","status":429}}`, false},
		{"D19 OpenAI envelope with a code matches one branch", `{"error":{"message":"m","type":"t","param":null,"code":"invalid_api_key"}}`, true},
	}
	for _, c := range errorCases {
		t.Run(c.name, func(t *testing.T) {
			var v any
			require.NoError(t, json.Unmarshal([]byte(c.body), &v))
			err := errBody.VisitJSON(v)
			if c.accept {
				assert.NoError(t, err)
			} else {
				assert.Error(t, err)
			}
		})
	}
}

// TestDecisionsOperations backs D50 to D55: the three operations beside cancel, their
// request bodies, and what they share with cancel.
func TestDecisionsOperations(t *testing.T) {
	doc := loadSpec(t)
	cancel := doc.Paths.Find("/threads/{thread_id}/runs/{run_id}/cancel").Post
	ops := map[string]*openapi3.Operation{
		"createThreadAndRun": doc.Paths.Find("/threads/runs").Post,
		"createRun":          doc.Paths.Find("/threads/{thread_id}/runs").Post,
		"getRun":             doc.Paths.Find("/threads/{thread_id}/runs/{run_id}").Get,
	}
	t.Run("D50 the same responses as cancel", func(t *testing.T) {
		for id, op := range ops {
			require.NotNil(t, op, id)
			assert.Equal(t, id, op.OperationID)
			assert.Equal(t, slices.Sorted(maps.Keys(cancel.Responses.Map())), slices.Sorted(maps.Keys(op.Responses.Map())), id)
			for code, r := range op.Responses.Map() {
				assert.Same(t, cancel.Responses.Value(code).Value, r.Value, "%s %s: one component, not a copy", id, code)
			}
			assert.Nil(t, op.Security, "%s: the document's security, as cancel", id)
		}
		assert.Nil(t, cancel.Security)
	})

	schema := func(name string) *openapi3.Schema { return doc.Components.Schemas[name].Value }
	cases := []struct {
		name   string
		schema string
		body   string
		accept bool
	}{
		{"D51 assistant_id alone", "CreateRunRequest", `{"assistant_id":"asst_1"}`, true},
		{"D51 Portkey's required thread_id is not a property", "CreateRunRequest", `{"assistant_id":"asst_1","thread_id":"thread_1"}`, false},
		{"D51 no assistant_id", "CreateRunRequest", `{"model":"gpt-4o"}`, false},
		{"D51 empty assistant_id", "CreateRunRequest", `{"assistant_id":""}`, false},
		{"D51 a misspelt field", "CreateRunRequest", `{"assistant_id":"asst_1","temprature":1}`, false},
		{"D51 thread and run: assistant_id alone", "CreateThreadAndRunRequest", `{"assistant_id":"asst_1"}`, true},
		{"D51 thread and run: thread_id", "CreateThreadAndRunRequest", `{"assistant_id":"asst_1","thread_id":"thread_1"}`, false},
		{"D51 every nullable null", "CreateRunRequest", `{"assistant_id":"a","model":null,"instructions":null,"additional_instructions":null,
			"additional_messages":null,"tools":null,"metadata":null,"temperature":null,"top_p":null,"stream":null,"max_prompt_tokens":null,
			"max_completion_tokens":null,"truncation_strategy":null,"tool_choice":null,"response_format":null,"reasoning_effort":null}`, true},
		{"D52 a thread with messages", "CreateThreadAndRunRequest", `{"assistant_id":"a","thread":{"messages":[
			{"role":"user","content":"Hello"},{"role":"user","content":[{"type":"text","text":"Hi"}],"attachments":[{"file_id":"f"}]}]}}`, true},
		{"D52 a message from the system", "CreateThreadAndRunRequest", `{"assistant_id":"a","thread":{"messages":[{"role":"system","content":"x"}]}}`, false},
		{"D52 a message without content", "CreateRunRequest", `{"assistant_id":"a","additional_messages":[{"role":"user"}]}`, false},
		{"D52 a content part of an unknown type", "CreateRunRequest", `{"assistant_id":"a","additional_messages":[{"role":"user","content":[{"type":"audio"}]}]}`, false},
		{"D53 20 tools", "CreateRunRequest", `{"assistant_id":"a","tools":[` + strings.TrimSuffix(strings.Repeat(`{"type":"code_interpreter"},`, 20), ",") + `]}`, true},
		{"D53 21 tools", "CreateRunRequest", `{"assistant_id":"a","tools":[` + strings.TrimSuffix(strings.Repeat(`{"type":"code_interpreter"},`, 21), ",") + `]}`, false},
		{"D53 max_completion_tokens 255", "CreateRunRequest", `{"assistant_id":"a","max_completion_tokens":255}`, false},
		{"D53 max_prompt_tokens 256", "CreateThreadAndRunRequest", `{"assistant_id":"a","max_prompt_tokens":256}`, true},
		{"D53 temperature 2.5", "CreateRunRequest", `{"assistant_id":"a","temperature":2.5}`, false},
		{"D53 top_p 1.5", "CreateThreadAndRunRequest", `{"assistant_id":"a","top_p":1.5}`, false},
		{"D54 stream true is a valid request", "CreateRunRequest", `{"assistant_id":"a","stream":true}`, true},
		{"D55 reasoning_effort on a run", "CreateRunRequest", `{"assistant_id":"a","reasoning_effort":"high"}`, true},
		{"D55 no reasoning_effort on thread and run", "CreateThreadAndRunRequest", `{"assistant_id":"a","reasoning_effort":"high"}`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var body any
			require.NoError(t, json.Unmarshal([]byte(c.body), &body))
			err := schema(c.schema).VisitJSON(body)
			if c.accept {
				assert.NoError(t, err)
			} else {
				assert.Error(t, err)
			}
		})
	}
}

// TestNullableHasType: OpenAPI 3.0.3 lets `nullable` add null only to a `type` in the same
// schema; without one, tools that follow the text (AJV: Spectral, Redocly, Prism) reject
// null or fail to compile the schema (D1).
func TestNullableHasType(t *testing.T) {
	doc := loadSpec(t)
	seen := map[*openapi3.Schema]bool{}
	var walk func(path string, s *openapi3.Schema)
	walk = func(path string, s *openapi3.Schema) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		assert.False(t, s.Nullable && s.Type == nil, "%s: nullable without type", path)
		for name, p := range s.Properties {
			walk(path+"/"+name, p.Value)
		}
		for i, group := range [][]*openapi3.SchemaRef{s.AllOf, s.OneOf, s.AnyOf} {
			for j, m := range group {
				walk(path+"/"+[]string{"allOf", "oneOf", "anyOf"}[i]+"/"+strconv.Itoa(j), m.Value)
			}
		}
		if s.Items != nil {
			walk(path+"/items", s.Items.Value)
		}
		if s.Not != nil {
			walk(path+"/not", s.Not.Value)
		}
		if s.AdditionalProperties.Schema != nil {
			walk(path+"/additionalProperties", s.AdditionalProperties.Schema.Value)
		}
	}
	for name, s := range doc.Components.Schemas {
		walk(name, s.Value)
	}

	null := doc.Components.Schemas["NullValue"].Value
	assert.NoError(t, null.VisitJSON(nil))
	for _, v := range []any{map[string]any{}, "", 0.0, false, []any{}} {
		assert.Error(t, null.VisitJSON(v), "NullValue admits %#v", v)
	}
}
