package contract

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxMetadataKey is the key length limit OpenAPI 3.0 cannot express (api/DECISIONS.md D7).
const maxMetadataKey = 64

// facts are all that the semantic checks read of a body. The fast path gathers them as it
// scans (fastScan.fill), the full path from the decoded body (factsOf): a new check needs
// a new field, which both must fill (TestFactsAgree holds the two equal).
type facts struct {
	object bool // the body is a JSON object; nothing else of another body is read

	id, threadID text   // the root's id and thread_id
	status       string // the root's status, when a string
	// times holds the JSON text of each timestamp (timestampNames) that is a number.
	times           [len(timestampNames)]string
	cancelledAtNull bool
	longKeys        []string // metadata's keys longer than maxMetadataKey, sorted

	message text // an error's message: /error/message when error is an object, else /message
	inError bool // error is an object
}

// text is a string value, or (ok false) a value of another type or none.
type text struct {
	s  string
	ok bool
}

var timestampNames = [...]string{"created_at", "started_at", "expires_at", "cancelled_at", "failed_at", "completed_at"}

const (
	created = iota // indexes of timestampNames
	started
	expires
	cancelled
)

func textOf(x any) text {
	s, ok := x.(string)
	return text{s, ok}
}

// longKey reports whether k breaks maxMetadataKey.
func longKey(k string) bool { return utf8.RuneCountInString(k) > maxMetadataKey }

// factsOf reads the facts of a decoded body (see decodeJSON).
func factsOf(body any) facts {
	obj, ok := body.(map[string]any)
	if !ok {
		return facts{}
	}
	f := facts{object: true, id: textOf(obj["id"]), threadID: textOf(obj["thread_id"])}
	f.status, _ = obj["status"].(string)
	for i, name := range timestampNames {
		if n, ok := obj[name].(json.Number); ok {
			f.times[i] = string(n)
		}
	}
	c, has := obj["cancelled_at"]
	f.cancelledAtNull = has && c == nil
	if md, ok := obj["metadata"].(map[string]any); ok {
		for _, k := range slices.Sorted(maps.Keys(md)) {
			if longKey(k) {
				f.longKeys = append(f.longKeys, k)
			}
		}
	}
	f.message = textOf(obj["message"])
	if e, ok := obj["error"].(map[string]any); ok {
		f.message, f.inError = textOf(e["message"]), true
	}
	return f
}

// checkSemantic checks what no schema can say, from the facts of the body. It looks only
// at values of the right type, so that a value the schema already rejects is not reported
// twice (object = thread.run is the schema's enum, so it is not repeated here).
func (v *Validator) checkSemantic(ex Exchange, resp *response, f *facts) []Violation {
	if !f.object {
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
		// An error must say what went wrong.
		if loc := "/message"; f.message.ok && strings.TrimSpace(f.message.s) == "" {
			if f.inError {
				loc = "/error/message"
			}
			add(loc, v.render(f.message.s), "is empty; an error must say what went wrong")
		}
	}
	if !resp.isRun {
		return vs
	}
	echo := func(prop string, got text, want, param string) {
		if got.ok && want != "" && got.s != want {
			add("/"+prop, v.render(got.s), fmt.Sprintf("does not echo the request's %s %s", param, v.render(want)))
		}
	}
	echo("id", f.id, ex.RunID, "run_id")
	echo("thread_id", f.threadID, ex.ThreadID, "thread_id")

	status := f.status
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
	if status == "cancelled" && f.cancelledAtNull {
		add("/cancelled_at", "null", "must be set when status is cancelled")
	}
	if at := f.times[cancelled]; at != "" && status != "" && status != "cancelled" {
		add("/cancelled_at", v.render(json.Number(at)), "must be null while status is "+status)
	}
	checkTimestamps(f, add)
	for _, k := range f.longKeys {
		add("/metadata", v.render(k), fmt.Sprintf("is a key longer than %d characters", maxMetadataKey))
	}
	return vs
}

// checkTimestamps reports timestamps that go backwards: created_at first, started_at
// before the moments the run ended. All 194 real runs keep this order (D24).
func checkTimestamps(f *facts, add func(loc, value, rule string)) {
	ts := func(i int) (int64, bool) {
		n, err := strconv.ParseInt(f.times[i], 10, 64)
		return n, err == nil
	}
	createdAt, hasCreated := ts(created)
	startedAt, hasStarted := ts(started)
	for i := started; i < len(timestampNames); i++ {
		t, ok := ts(i)
		if !ok {
			continue
		}
		name := timestampNames[i]
		switch {
		case hasCreated && t < createdAt:
			add("/"+name, strconv.FormatInt(t, 10), fmt.Sprintf("is before created_at %d", createdAt))
		case hasStarted && i != started && i != expires && t < startedAt:
			add("/"+name, strconv.FormatInt(t, 10), fmt.Sprintf("is before started_at %d", startedAt))
		}
	}
}
