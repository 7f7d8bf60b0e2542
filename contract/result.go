package contract

import (
	"time"
)

// Verdict is the outcome of one scenario or recorded exchange.
type Verdict string

const (
	// Pass: no failure.
	Pass Verdict = "pass"
	// Fail: the contract is broken (a failure other than infrastructure).
	Fail Verdict = "fail"
	// Error: the target could not be judged (connection error, timeout, an unexpected
	// 429 or 5xx, a body over the validator's limit or in an unknown encoding); nothing is
	// said about the contract.
	Error Verdict = "error"
)

// CheckResult says whether one check passed for one exchange.
type CheckResult struct {
	Check  Check `json:"check"`
	Passed bool  `json:"passed"`
}

// Result is the structured outcome of one scenario, recorded exchange or validated call.
type Result struct {
	Name       string        `json:"name"`       // scenario name, cassette name, or "METHOD path"
	Status     int           `json:"status"`     // HTTP status seen; 0 without a response
	Checks     []CheckResult `json:"checks"`     // every check that ran, in order
	Violations []Violation   `json:"violations"` // failures and notices
	Verdict    Verdict       `json:"verdict"`
	Duration   time.Duration `json:"duration_ns"`
}

// Failures returns the violations that fail the contract.
func (r Result) Failures() []Violation {
	var out []Violation
	for _, v := range r.Violations {
		if v.Failed() {
			out = append(out, v)
		}
	}
	return out
}

// newResult builds a Result from the checks that ran and what they found. infraError
// says whether an infrastructure outcome makes the verdict Error (it does in a scenario
// that did not expect it, not when replaying a recording).
func newResult(name string, status int, checks []Check, vs []Violation, infraError bool, d time.Duration) Result {
	r := Result{Name: name, Status: status, Violations: vs, Verdict: Pass, Duration: d}
	failed := map[Check]bool{}
	for _, v := range vs {
		if v.Failed() {
			failed[v.Check] = true
			r.Verdict = Fail
		}
	}
	for _, v := range vs {
		// A body that could not be read or judged leaves the verdict open, recorded or not.
		if r.Verdict == Pass && (v.Unjudged() || infraError && v.Check == CheckInfrastructure) {
			r.Verdict = Error
		}
	}
	for _, c := range checks {
		r.Checks = append(r.Checks, CheckResult{Check: c, Passed: !failed[c]})
	}
	return r
}
