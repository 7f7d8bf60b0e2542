package bench

import (
	"encoding/json"
	"fmt"
	"strings"
)

// The IDs the bodies carry; a Cancel call names them in its path.
const (
	ThreadID = "thread_def456"
	RunID    = "run_def456"
)

// CancelPath is the path, under /v1, of the Cancel call the bodies answer.
const CancelPath = "/v1/threads/" + ThreadID + "/runs/" + RunID + "/cancel"

// fullRun is a conforming 200 body with every field filled, a tool of each kind, every
// union in its object form and one property the spec does not declare (v1's file_ids).
const fullRun = `{
  "id": "run_def456",
  "object": "thread.run",
  "created_at": 1699075072,
  "thread_id": "thread_def456",
  "assistant_id": "asst_def456",
  "status": "cancelled",
  "required_action": {
    "type": "submit_tool_outputs",
    "submit_tool_outputs": {"tool_calls": [
      {"id": "call_001", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Lisbon\"}"}}
    ]}
  },
  "last_error": {"code": "rate_limit_exceeded", "message": "Rate limit reached for gpt-4o."},
  "expires_at": 1699075672,
  "started_at": 1699075073,
  "cancelled_at": 1699075080,
  "failed_at": 1699075079,
  "completed_at": 1699075081,
  "incomplete_details": {"reason": "max_prompt_tokens"},
  "model": "gpt-4o",
  "instructions": "You answer weather questions.",
  "tools": [
    {"type": "code_interpreter"},
    {"type": "file_search", "file_search": {"max_num_results": 20, "ranking_options": {"ranker": "auto", "score_threshold": 0.5}}},
    {"type": "function", "function": {"name": "get_weather", "description": "Current weather for a city.",
      "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}, "strict": true}}
  ],
  "metadata": {"team": "support", "ticket": "T-1042"},
  "usage": {"completion_tokens": 17, "prompt_tokens": 120, "total_tokens": 137},
  "temperature": 0.2,
  "top_p": 0.9,
  "max_prompt_tokens": 2048,
  "max_completion_tokens": 512,
  "truncation_strategy": {"type": "last_messages", "last_messages": 10},
  "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
  "parallel_tool_calls": false,
  "response_format": {"type": "json_schema", "json_schema": {"name": "weather_report", "description": "A weather report.",
    "schema": {"type": "object", "properties": {"summary": {"type": "string"}}}, "strict": true}},
  "file_ids": []
}`

// TypicalBody returns the typical 200 body (about 1.5 KB, compact JSON): fullRun.
func TypicalBody() []byte { return compact(fullRun) }

// LargeBody returns the 8 KB-class 200 body: fullRun with 16 metadata values of 512
// characters each, the most the spec allows.
func LargeBody() []byte { return marshal(largeRun()) }

func largeRun() map[string]any {
	var run map[string]any
	if err := json.Unmarshal([]byte(fullRun), &run); err != nil {
		panic(err)
	}
	md := map[string]any{}
	for i := range 16 {
		md[fmt.Sprintf("key_%02d", i)] = strings.Repeat(string(rune('a'+i)), 500) + fmt.Sprintf("-%011d", i)
	}
	run["metadata"] = md
	return run
}

// body64KB returns the 64 KB-class 200 body: LargeBody's run with 128 tools, the most the
// spec allows, the added ones functions with a description and a JSON Schema each.
func body64KB() []byte {
	run := largeRun()
	tools := run["tools"].([]any)
	for i := len(tools); i < 128; i++ {
		tools = append(tools, map[string]any{"type": "function", "function": map[string]any{
			"name":        fmt.Sprintf("lookup_%03d", i),
			"description": fmt.Sprintf("Looks up record %d of the support archive by ticket or customer.", i),
			"parameters": map[string]any{"type": "object", "required": []any{"ticket"}, "properties": map[string]any{
				"ticket":   map[string]any{"type": "string", "description": "The ticket ID, e.g. T-1042."},
				"customer": map[string]any{"type": "string"},
				"from":     map[string]any{"type": "string", "format": "date"},
				"to":       map[string]any{"type": "string", "format": "date"},
				"limit":    map[string]any{"type": "integer", "minimum": 1, "maximum": 50},
			}},
			"strict": i%2 == 0,
		}})
	}
	run["tools"] = tools
	return marshal(run)
}

func marshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func compact(s string) []byte {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		panic(err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
