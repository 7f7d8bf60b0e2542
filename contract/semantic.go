package contract

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxMetadataKey is the key length limit OpenAPI 3.0 cannot express (api/DECISIONS.md D7).
const maxMetadataKey = 64

// checkSemantic checks what no schema can say. It looks only at values of the right type,
// so that a value the schema already rejects is not reported twice (object = thread.run
// is the schema's enum, so it is not repeated here).
func (v *Validator) checkSemantic(ex Exchange, resp *response, body any) []Violation {
	obj, _ := body.(map[string]any)
	if obj == nil {
		return nil
	}
	var vs []Violation
	add := func(loc, value, rule string) {
		vs = append(vs, Violation{Check: CheckSemantic, Location: loc, Value: value, Rule: rule})
	}
	if ex.Status >= 200 && ex.Status < 300 && ex.RequestHeader != nil && v.missingCredentials(ex.RequestHeader) != nil {
		add("status", strconv.Itoa(ex.Status), "answers a request that carries no credential combination of the spec")
	}
	if ex.Status >= 400 {
		v.checkErrorMessage(obj, add)
	}
	if !resp.isRun {
		return vs
	}
	echo := func(prop, want, param string) {
		if got, ok := obj[prop].(string); ok && want != "" && got != want {
			add("/"+prop, v.render(got), fmt.Sprintf("does not echo the request's %s %s", param, v.render(want)))
		}
	}
	echo("id", ex.RunID, "run_id")
	echo("thread_id", ex.ThreadID, "thread_id")

	status, _ := obj["status"].(string)
	if !slices.Contains(v.statusEnum, status) {
		status = "" // the schema reports it
	}
	// Only an answer known to be a cancel's or a create's: the same Run answers retrieve
	// and list. All 13 real cancel answers say cancelling, all 75 real create answers
	// (not streamed) queued (D56).
	switch {
	case status == "" || ex.Status != 200 || !ex.known:
	case ex.Operation == "cancelRun" && status != "cancelling" && status != "cancelled":
		add("/status", v.render(status), "is not cancelling or cancelled after a successful cancel")
	case (ex.Operation == "createRun" || ex.Operation == "createThreadAndRun") && status != "queued":
		add("/status", v.render(status), "is not queued after a create")
	}
	// cancelled_at is set exactly when status is cancelled in all 194 real runs (D24). No
	// rule ties completed_at or started_at to the status: real runs are expired or
	// incomplete with completed_at, and queued again with started_at after tool outputs.
	cancelledAt, hasCancelledAt := obj["cancelled_at"]
	if status == "cancelled" && hasCancelledAt && cancelledAt == nil {
		add("/cancelled_at", "null", "must be set when status is cancelled")
	}
	if _, isNum := cancelledAt.(json.Number); isNum && status != "" && status != "cancelled" {
		add("/cancelled_at", v.render(cancelledAt), "must be null while status is "+status)
	}
	checkTimestamps(obj, add)
	if md, ok := obj["metadata"].(map[string]any); ok {
		keys := make([]string, 0, len(md))
		for k := range md {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if utf8.RuneCountInString(k) > maxMetadataKey {
				add("/metadata", v.render(k), fmt.Sprintf("is a key longer than %d characters", maxMetadataKey))
			}
		}
	}
	return vs
}

// checkTimestamps reports timestamps that go backwards: created_at first, started_at
// before the moments the run ended. All 194 real runs keep this order (D24).
func checkTimestamps(obj map[string]any, add func(loc, value, rule string)) {
	ts := func(name string) (int64, bool) {
		n, ok := obj[name].(json.Number)
		if !ok {
			return 0, false
		}
		i, err := n.Int64()
		return i, err == nil
	}
	created, hasCreated := ts("created_at")
	started, hasStarted := ts("started_at")
	for _, name := range []string{"started_at", "expires_at", "cancelled_at", "failed_at", "completed_at"} {
		t, ok := ts(name)
		if !ok {
			continue
		}
		switch {
		case hasCreated && t < created:
			add("/"+name, strconv.FormatInt(t, 10), fmt.Sprintf("is before created_at %d", created))
		case hasStarted && name != "started_at" && name != "expires_at" && t < started:
			add("/"+name, strconv.FormatInt(t, 10), fmt.Sprintf("is before started_at %d", started))
		}
	}
}

// checkErrorMessage requires an error body to say what went wrong.
func (v *Validator) checkErrorMessage(obj map[string]any, add func(loc, value, rule string)) {
	loc, msg := "/message", obj["message"]
	if e, ok := obj["error"].(map[string]any); ok {
		loc, msg = "/error/message", e["message"]
	}
	if s, ok := msg.(string); ok && strings.TrimSpace(s) == "" {
		add(loc, v.render(s), "is empty; an error must say what went wrong")
	}
}
