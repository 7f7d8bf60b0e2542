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
	Name    string // stable identifier: "scenarios", "recordings", "cassettes"
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
			for _, c := range res.Checks {
				s.Checks++
				switch c.Verdict {
				case contract.Fail:
					s.ChecksFailed++
				case contract.Error:
					s.ChecksErrors++
				}
				for _, v := range c.Violations {
					if v.Severity == contract.Notice {
						s.Notices++
					}
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
