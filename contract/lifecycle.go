package contract

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// Poll bounds how Lifecycle follows a cancelled run with Retrieve: at most Attempts
// requests within Within, waiting First, then twice as long each time up to Max.
type Poll struct {
	Attempts   int
	Within     time.Duration
	First, Max time.Duration
}

// DefaultPoll follows a run for up to 12 retrieves over 60 s, from 250 ms apart to 8 s.
var DefaultPoll = Poll{Attempts: 12, Within: time.Minute, First: 250 * time.Millisecond, Max: 8 * time.Second}

// Lifecycle provisions its own run and follows it: it creates a thread and run of
// assistantID, cancels it, retrieves it until its status is terminal (bounded by p), and
// cancels it again, which must be refused with 400. It returns one result per step and the
// scenarios it sent (with the IDs the target gave), so that each can be reproduced. A step
// that fails stops the ones that depend on it.
func (s *Suite) Lifecycle(ctx context.Context, assistantID string, p Poll) ([]Result, []Scenario) {
	body, _ := json.Marshal(map[string]string{"assistant_id": assistantID})
	create := Scenario{Name: "create_run", Operation: "createThreadAndRun", Body: string(body), Expect: []int{200}}
	r, b := s.run(ctx, create)
	results, scs := []Result{r}, []Scenario{create}
	created, ok := decodeRun(r, b)
	if !ok {
		return results, scs
	}
	cancel := Scenario{Name: "cancel", ThreadID: created.ThreadID, RunID: created.ID, Expect: []int{200}}
	r, b = s.run(ctx, cancel)
	results, scs = append(results, r), append(scs, cancel)
	cancelled, ok := decodeRun(r, b)
	if !ok {
		return results, scs
	}
	retrieve := Scenario{Name: "retrieve_until_terminal", Operation: "getRun", ThreadID: created.ThreadID, RunID: created.ID, Expect: []int{200}}
	results, scs = append(results, s.follow(ctx, retrieve, cancelled, p)), append(scs, retrieve)
	again := Scenario{Name: "cancel_again", ThreadID: created.ThreadID, RunID: created.ID, Expect: []int{400}}
	return append(results, s.Run(ctx, again)), append(scs, again)
}

// lifeRun is what Lifecycle reads of a Run.
type lifeRun struct {
	ID          string `json:"id"`
	ThreadID    string `json:"thread_id"`
	AssistantID string `json:"assistant_id"`
	CreatedAt   int64  `json:"created_at"`
	Status      string `json:"status"`
}

// decodeRun reads the Run of a passing 200 result.
func decodeRun(r Result, body []byte) (lifeRun, bool) {
	var run lifeRun
	if r.Verdict != Pass || r.Status != 200 || json.Unmarshal(body, &run) != nil || run.ID == "" || run.ThreadID == "" {
		return lifeRun{}, false
	}
	return run, true
}

// follow retrieves the run until its status is terminal, validating every answer and
// checking that each agrees with the cancel's answer; the result gathers what all found.
func (s *Suite) follow(ctx context.Context, sc Scenario, cancelled lifeRun, p Poll) Result {
	start := time.Now()
	deadline := start.Add(p.Within)
	wait := p.First
	var checks []Check
	var vs []Violation
	add := func(x Violation) {
		if !slices.Contains(vs, x) {
			vs = append(vs, x)
		}
	}
	status, last := 0, ""
	for i := 0; i < p.Attempts; i++ {
		if i > 0 || cancelled.Status != "cancelled" {
			if time.Now().Add(wait).After(deadline) {
				break
			}
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				add(Violation{Check: CheckInfrastructure, Location: "connection", Rule: "gave up: " + ctx.Err().Error(), Severity: Notice})
				return newResult(sc.Name, status, checks, vs, true, time.Since(start))
			case <-t.C:
			}
			wait = min(2*wait, p.Max)
		}
		r, b := s.run(ctx, sc)
		status = r.Status
		for _, c := range r.Checks {
			if !slices.Contains(checks, c.Check) {
				checks = append(checks, c.Check)
			}
		}
		for _, x := range r.Violations() {
			add(x)
		}
		if r.Verdict != Pass {
			return newResult(sc.Name, status, checks, vs, r.Verdict == Error, time.Since(start))
		}
		var run lifeRun
		_ = json.Unmarshal(b, &run) // the validator has judged it
		last = run.Status
		agree := func(field, got, want string) {
			if got != want {
				add(Violation{Check: CheckScenario, Location: "/" + field, Value: strconv.Quote(got),
					Rule: "differs from the cancel's answer " + strconv.Quote(want)})
			}
		}
		agree("id", run.ID, cancelled.ID)
		agree("thread_id", run.ThreadID, cancelled.ThreadID)
		agree("assistant_id", run.AssistantID, cancelled.AssistantID)
		agree("created_at", strconv.FormatInt(run.CreatedAt, 10), strconv.FormatInt(cancelled.CreatedAt, 10))
		switch run.Status {
		case "cancelling":
			if cancelled.Status == "cancelled" {
				add(Violation{Check: CheckScenario, Location: "/status", Value: `"cancelling"`, Rule: "after the cancel answered cancelled"})
			}
			continue
		case "cancelled":
		case "queued", "in_progress", "requires_action":
			add(Violation{Check: CheckScenario, Location: "/status", Value: strconv.Quote(run.Status),
				Rule: "after the cancel answered " + strconv.Quote(cancelled.Status)})
		default:
			add(Violation{Check: CheckScenario, Location: "/status", Value: strconv.Quote(run.Status),
				Rule: "is where the run ended after the cancel answered " + strconv.Quote(cancelled.Status) + ", not cancelled"})
		}
		if !slices.Contains(checks, CheckScenario) {
			checks = append(checks, CheckScenario)
		}
		return newResult(sc.Name, status, checks, vs, false, time.Since(start))
	}
	add(Violation{Check: CheckScenario, Location: "/status", Value: strconv.Quote(last), Severity: Unjudged,
		Rule: fmt.Sprintf("still not terminal after the retrieves allowed (%d within %s): nothing concluded", p.Attempts, p.Within)})
	return newResult(sc.Name, status, append(checks, CheckScenario), vs, false, time.Since(start))
}
