package report

import (
	"fmt"
	"net/url"
	"time"

	"github.com/seed-a6d846e6/portkey-runs/contract"
	"github.com/seed-a6d846e6/portkey-runs/internal/redact"
)

// Group is the results of one source: the scenarios run against a target, or the
// recordings replayed from a directory.
type Group struct {
	Name    string // stable identifier: "scenarios", "recordings"
	Target  string // what was checked, for people: a URL or a directory
	Results []contract.Result
	// Reproduce returns a shell command that reproduces the named result, with every
	// credential as a variable ("$PORTKEY_API_KEY"), or ""; nil for none.
	Reproduce func(result string) string
}

// Report is one run of the suite.
type Report struct {
	Strict   bool      // drift counted as a failure
	Start    time.Time // when the run began
	Duration time.Duration
	Groups   []Group
	// Redactor masks the process's credentials in everything written; nil masks only
	// key-looking text. Control characters are escaped either way.
	Redactor *redact.Redactor
}

// Summary counts a report's results, checks and notices. A check that could not judge
// its exchange counts as an error, never as failed, and its reason never as a notice.
type Summary struct {
	Results      int `json:"results"`
	Passed       int `json:"passed"`
	Failed       int `json:"failed"`
	Errors       int `json:"errors"`
	Checks       int `json:"checks"`
	ChecksFailed int `json:"checks_failed"`
	ChecksErrors int `json:"checks_errors"`
	Notices      int `json:"notices"`
}

// Summary counts r's results by verdict, its checks by status, and its notices.
func (r *Report) Summary() Summary {
	var s Summary
	for _, g := range r.Groups {
		for _, res := range g.Results {
			s.Results++
			switch res.Verdict {
			case contract.Pass:
				s.Passed++
			case contract.Fail:
				s.Failed++
			default:
				s.Errors++
			}
			for _, row := range rows(res) {
				s.Checks++
				switch row.status {
				case statusFail:
					s.ChecksFailed++
				case statusError:
					s.ChecksErrors++
				}
			}
			for _, v := range res.Violations {
				if severity(res, v) == severityNotice {
					s.Notices++
				}
			}
		}
	}
	return s
}

// Verdict is the outcome of the report s counts: Fail when any result failed, else Error
// when any could not be judged, else Pass.
func (s Summary) Verdict() contract.Verdict {
	switch {
	case s.Failed > 0:
		return contract.Fail
	case s.Errors > 0:
		return contract.Error
	}
	return contract.Pass
}

// String is the summary line, e.g. "18 results: 18 passed, 0 failed, 0 errors; ...".
func (s Summary) String() string {
	return fmt.Sprintf("%s: %d passed, %d failed, %s; %s, %d failed, %s; %s",
		Count(s.Results, "result"), s.Passed, s.Failed, Count(s.Errors, "error"),
		Count(s.Checks, "check"), s.ChecksFailed, Count(s.ChecksErrors, "error"), Count(s.Notices, "notice"))
}

// Count renders n things: "1 notice", "2 notices", "0 notices".
func Count(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// Statuses of a check, and severities of a violation, as every format names them: a check
// passed, found a failure, or could not judge the exchange (the result's verdict is Error);
// a violation fails the contract, is the reason a result could not be judged, or is a
// notice that fails nothing.
const (
	statusPass  = "pass"
	statusFail  = "fail"
	statusError = "error"

	severityFailure = "failure"
	severityError   = "error"
	severityNotice  = "notice"
)

// severity is v's severity within res: in a result that could not be judged, what made it
// so (an infrastructure outcome, a request that could not be sent) is an error; otherwise
// the violation's own severity.
func severity(res contract.Result, v contract.Violation) string {
	switch {
	case res.Verdict == contract.Error && (v.Failed() || v.Check == contract.CheckInfrastructure):
		return severityError
	case v.Failed():
		return severityFailure
	}
	return severityNotice
}

// row is one check of one result with what it found: a line of the human report, a JUnit
// test case.
type row struct {
	check      contract.Check
	status     string
	violations []contract.Violation
}

// rows lists the checks of res in the order they ran, each with its violations; a check
// that only appears in a violation is added after them. A check is an error when one of
// its violations is, else failed when contract says so (CheckResult.Passed) or one of its
// violations is a failure.
func rows(res contract.Result) []row {
	out := make([]row, 0, len(res.Checks))
	index := map[contract.Check]int{}
	for _, c := range res.Checks {
		if _, ok := index[c.Check]; ok {
			continue
		}
		index[c.Check] = len(out)
		st := statusPass
		if !c.Passed {
			st = statusFail
		}
		out = append(out, row{check: c.Check, status: st})
	}
	for _, v := range res.Violations {
		i, ok := index[v.Check]
		if !ok {
			i = len(out)
			index[v.Check] = i
			out = append(out, row{check: v.Check, status: statusPass})
		}
		out[i].violations = append(out[i].violations, v)
		switch severity(res, v) {
		case severityError:
			out[i].status = statusError
		case severityFailure:
			if out[i].status != statusError {
				out[i].status = statusFail
			}
		}
	}
	return out
}

// line renders a violation on one line, redacted.
func (r *Report) line(v contract.Violation) string { return r.clean(v.String()) }

// clean redacts s and makes it safe to print on one line (redact.Redactor.Line).
func (r *Report) clean(s string) string { return r.Redactor.Line(s) }

// target renders a target for output: a URL without its credentials, or a redacted text.
func (r *Report) target(s string) string {
	if u, err := url.Parse(s); err == nil && u.Scheme != "" && u.Host != "" {
		s = r.Redactor.URL(s)
	}
	return r.clean(s)
}

// millis renders d in milliseconds with one decimal.
func millis(d time.Duration) float64 { return float64(d.Round(100*time.Microsecond)) / 1e6 }
