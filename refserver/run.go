package refserver

import (
	"time"

	"github.com/seed-a6d846e6/portkey-runs/gen"
)

// IDs of the runs that Serve seeds: one run per status on DemoThread, each named
// "run_" + its status (run_queued, run_in_progress, ..., run_expired).
const DemoThread = "thread_demo"

// DemoRunID is the ID of the demo run seeded in status st.
func DemoRunID(st gen.RunStatus) string { return "run_" + string(st) }

// AllStatuses lists every run status, in lifecycle order.
var AllStatuses = []gen.RunStatus{
	gen.RunStatusQueued, gen.RunStatusInProgress, gen.RunStatusRequiresAction,
	gen.RunStatusCancelling, gen.RunStatusCancelled, gen.RunStatusCompleted,
	gen.RunStatusFailed, gen.RunStatusIncomplete, gen.RunStatusExpired,
}

// SeedDemo stores one run per status on DemoThread, as Serve does at start-up.
func SeedDemo(s *Store) error {
	for _, st := range AllStatuses {
		if _, err := s.Seed(DemoThread, DemoRunID(st), st); err != nil {
			return err
		}
	}
	return nil
}

// NewRun returns a complete Run in status st, created at at, with every required field
// present and the fields that go with st filled (started_at once started, required_action
// when requires_action, usage once terminal, ...), so that it conforms to api/openapi.yaml.
func NewRun(threadID, runID string, st gen.RunStatus, at time.Time) gen.Run {
	now := int(at.Unix())
	run := gen.Run{
		ID:                 runID,
		Object:             gen.RunObjectThreadRun,
		CreatedAt:          now,
		ThreadID:           threadID,
		AssistantID:        "asst_demo",
		Status:             st,
		Model:              "gpt-4o-mini",
		Instructions:       ptr("You answer weather questions."),
		Tools:              []gen.AssistantTool{tool(gen.CodeInterpreterTool{Type: gen.CodeInterpreterToolTypeCodeInterpreter})},
		Metadata:           &gen.Metadata{"source": "refserver"},
		Temperature:        ptr(1.0),
		TopP:               ptr(1.0),
		TruncationStrategy: &gen.TruncationStrategy{Type: gen.TruncationStrategyTypeAuto},
		ParallelToolCalls:  true,
	}
	var choice gen.ToolChoice
	_ = choice.FromToolChoiceMode(gen.ToolChoiceModeAuto)
	run.ToolChoice = &choice
	var format gen.ResponseFormat
	_ = format.FromResponseFormatMode(gen.ResponseFormatModeAuto)
	run.ResponseFormat = &format

	if st != gen.RunStatusQueued && st != gen.RunStatusExpired {
		run.StartedAt = ptr(now)
	}
	if terminal(st) {
		run.Usage = &gen.RunUsage{CompletionTokens: 17, PromptTokens: 120, TotalTokens: 137}
	} else {
		run.ExpiresAt = ptr(now + 600)
	}
	switch st {
	case gen.RunStatusRequiresAction:
		run.Tools = append(run.Tools, tool(gen.FunctionTool{
			Type:     gen.FunctionToolTypeFunction,
			Function: gen.FunctionDefinition{Name: "get_weather"},
		}))
		run.RequiredAction = &gen.RequiredAction{
			Type: gen.RequiredActionTypeSubmitToolOutputs,
			SubmitToolOutputs: gen.SubmitToolOutputs{ToolCalls: []gen.RunToolCall{{
				ID:       "call_demo",
				Type:     gen.RunToolCallTypeFunction,
				Function: gen.FunctionCall{Name: "get_weather", Arguments: `{"city":"Lisbon"}`},
			}}},
		}
	case gen.RunStatusCancelled:
		run.CancelledAt = ptr(now)
	case gen.RunStatusCompleted:
		run.CompletedAt = ptr(now)
	case gen.RunStatusFailed:
		run.FailedAt = ptr(now)
		run.LastError = &gen.LastError{Code: gen.LastErrorCodeServerError, Message: "The model failed."}
	case gen.RunStatusIncomplete:
		reason := gen.IncompleteDetailsReasonMaxCompletionTokens
		run.IncompleteDetails = &gen.IncompleteDetails{Reason: &reason}
	case gen.RunStatusExpired:
		run.ExpiresAt = ptr(now)
	}
	return run
}

// tool wraps one tool as the union type of Run.Tools.
func tool(v any) gen.AssistantTool {
	var t gen.AssistantTool
	switch v := v.(type) {
	case gen.CodeInterpreterTool:
		_ = t.FromCodeInterpreterTool(v)
	case gen.FunctionTool:
		_ = t.FromFunctionTool(v)
	}
	return t
}
