package contract

import (
	"time"
)

// Verdict is the outcome of one check, or of one scenario or recorded exchange.
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

// CheckResult is one check of one exchange and what it found.
type CheckResult struct {
	Check Check `json:"check"`
	// Verdict is Error when one of its violations is Unjudged, else Fail when one fails.
	Verdict    Verdict     `json:"verdict"`
	Violations []Violation `json:"violations"` // in the order found
}

// Result is the outcome of one scenario, recorded exchange or validated call.
type Result struct {
	Name     string        `json:"name"`   // scenario name, cassette name, or "METHOD path"
	Status   int           `json:"status"` // HTTP status seen; 0 without a response
	Verdict  Verdict       `json:"verdict"`
	Checks   []CheckResult `json:"checks"` // every check that ran, in order
	Duration time.Duration `json:"duration_ns"`
}

// Violations returns every violation of r, check by check.
func (r Result) Violations() []Violation { return r.filter(func(Violation) bool { return true }) }

// Failures returns the violations that fail the contract.
func (r Result) Failures() []Violation { return r.filter(Violation.Failed) }

func (r Result) filter(keep func(Violation) bool) []Violation {
	var out []Violation
	for _, c := range r.Checks {
		for _, v := range c.Violations {
			if keep(v) {
				out = append(out, v)
			}
		}
	}
	return out
}

// newResult judges what the checks that ran found. infraError says whether an
// infrastructure outcome leaves the verdict open (it does in a scenario that did not
// expect it, not when replaying a recording); then it is Unjudged, like a body that could
// not be read. A check only named by a violation is listed after those that ran.
func newResult(name string, status int, checks []Check, vs []Violation, infraError bool, d time.Duration) Result {
	r := Result{Name: name, Status: status, Verdict: Pass, Duration: d}
	for _, v := range vs {
		switch {
		case v.Failed():
			r.Verdict = Fail
		case r.Verdict == Pass && (v.Severity == Unjudged || infraError && v.Check == CheckInfrastructure):
			r.Verdict = Error
		}
	}
	r.Checks = make([]CheckResult, 0, len(checks))
	index := func(c Check) int {
		for i := range r.Checks {
			if r.Checks[i].Check == c {
				return i
			}
		}
		r.Checks = append(r.Checks, CheckResult{Check: c, Verdict: Pass})
		return len(r.Checks) - 1
	}
	for _, c := range checks {
		index(c)
	}
	for _, v := range vs {
		index(v.Check)
	}
	all := make([]Violation, 0, len(vs)) // every check's violations, in one allocation
	for i := range r.Checks {
		c, start := &r.Checks[i], len(all)
		for _, v := range vs {
			if v.Check != c.Check {
				continue
			}
			if r.Verdict == Error && v.Check == CheckInfrastructure {
				v.Severity = Unjudged // why nothing is said
			}
			all = append(all, v)
			switch {
			case v.Severity == Unjudged:
				c.Verdict = Error
			case v.Failed() && c.Verdict == Pass:
				c.Verdict = Fail
			}
		}
		if len(all) > start {
			c.Violations = all[start:len(all):len(all)]
		}
	}
	return r
}
