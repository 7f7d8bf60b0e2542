package report_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/cmd/portkey-runs/internal/report"
	"github.com/seed-a6d846e6/portkey-runs/contract"
)

var (
	refused = contract.Violation{Check: contract.CheckInfrastructure, Location: "connection",
		Rule: "failed: dial tcp 127.0.0.1:1: connect: connection refused", Severity: contract.Notice}
	drift = contract.Violation{Check: contract.CheckDrift, Location: "/extra", Rule: "is not declared in the spec", Severity: contract.Notice}
	limit = contract.Violation{Check: contract.CheckInfrastructure, Location: "status", Value: "429", Rule: "rate limited", Severity: contract.Notice}
	enum  = contract.Violation{Check: contract.CheckSchema, Location: "/status", Value: `"paused"`, Rule: "is not one of queued, cancelled"}
	echo  = contract.Violation{Check: contract.CheckSemantic, Location: "/id", Value: `"run_b"`, Rule: `does not echo the request's run_id "run_a"`}
)

// check is a CheckResult as contract computes it, for results built by hand.
func check(c contract.Check, verdict contract.Verdict, vs ...contract.Violation) contract.CheckResult {
	return contract.CheckResult{Check: c, Verdict: verdict, Violations: vs}
}

// unjudged is v as contract settles it in a result that could not be judged.
func unjudged(v contract.Violation) contract.Violation {
	v.Severity = contract.Unjudged
	return v
}

// mixed: a pass with a notice, a failure with two violations, and a target that could not
// be reached, its response carrying drift as well (a notice, whatever the verdict).
func mixed() *report.Report {
	pass := contract.Result{Name: "rate_limited", Status: 429, Verdict: contract.Pass, Duration: time.Millisecond,
		Checks: []contract.CheckResult{check(contract.CheckStatusCode, contract.Pass), check(contract.CheckInfrastructure, contract.Pass, limit)}}
	fail := contract.Result{Name: "wrong", Status: 200, Verdict: contract.Fail, Duration: 2 * time.Millisecond,
		Checks: []contract.CheckResult{check(contract.CheckSchema, contract.Fail, enum), check(contract.CheckSemantic, contract.Fail, echo)}}
	down := contract.Result{Name: "unknown_run", Verdict: contract.Error, Duration: 3 * time.Millisecond,
		Checks: []contract.CheckResult{check(contract.CheckRequest, contract.Pass), check(contract.CheckDrift, contract.Pass, drift),
			check(contract.CheckInfrastructure, contract.Error, unjudged(refused))}}
	return &report.Report{Duration: 10 * time.Millisecond, Groups: []report.Group{
		{Name: "cassettes", Target: "dir", Results: []contract.Result{pass, fail},
			Reproduce: func(name string) string { return "portkey-runs validate dir/" + name + ".yaml" }},
		{Name: "scenarios", Target: "http://127.0.0.1:1/v1", Results: []contract.Result{down},
			Reproduce: func(name string) string {
				return `curl -si -X POST http://127.0.0.1:1/v1/threads/t/runs/r/cancel -H "x-portkey-api-key: $PORTKEY_API_KEY"`
			}},
	}}
}

// TestHumanRecap: passing results take one line (and their notices), the others list
// their checks; the recap names every result that failed or erred, its first violation
// and its reproducing command, and quiet mode prints only that and the summary.
func TestHumanRecap(t *testing.T) {
	const recap = `Failures and errors:
  FAIL  cassettes.wrong: schema
        body /status: "paused" is not one of queued, cancelled (schema)
        and 1 more violation
        reproduce: portkey-runs validate dir/wrong.yaml
  ERROR scenarios.unknown_run: infrastructure
        connection: failed: dial tcp 127.0.0.1:1: connect: connection refused (infrastructure)
        reproduce: curl -si -X POST http://127.0.0.1:1/v1/threads/t/runs/r/cancel -H "x-portkey-api-key: $PORTKEY_API_KEY"

FAIL 3 results: 1 passed, 1 failed, 1 error; 7 checks, 2 failed, 1 error; 2 notices (10.0ms)
`
	var b bytes.Buffer
	require.NoError(t, report.Human(&b, mixed(), report.HumanOptions{}))
	assert.Equal(t, `cassettes: dir
  PASS  rate_limited (429, 1.0ms)
        notice: status: 429 rate limited (infrastructure)
  FAIL  wrong (200, 2.0ms)
      FAIL  schema
            body /status: "paused" is not one of queued, cancelled (schema)
      FAIL  semantic
            body /id: "run_b" does not echo the request's run_id "run_a" (semantic)

scenarios: http://127.0.0.1:1/v1
  ERROR unknown_run (no response, 3.0ms)
      pass  request
      pass  drift
            notice: body /extra: is not declared in the spec (drift)
      ERROR infrastructure
            connection: failed: dial tcp 127.0.0.1:1: connect: connection refused (infrastructure)

`+recap, b.String())

	b.Reset()
	require.NoError(t, report.Human(&b, mixed(), report.HumanOptions{Quiet: true}))
	assert.Equal(t, recap, b.String())

	b.Reset()
	require.NoError(t, report.Human(&b, mixed(), report.HumanOptions{Verbose: true}))
	assert.Contains(t, b.String(), "  PASS  rate_limited (429, 1.0ms)\n      pass  status_code\n      pass  infrastructure\n            notice: status: 429 rate limited (infrastructure)\n")

	// Nothing to recap: quiet prints the summary line alone.
	r := mixed()
	r.Groups = r.Groups[:1]
	r.Groups[0].Results = r.Groups[0].Results[:1]
	b.Reset()
	require.NoError(t, report.Human(&b, r, report.HumanOptions{Quiet: true}))
	assert.Equal(t, "PASS 1 result: 1 passed, 0 failed, 0 errors; 2 checks, 0 failed, 0 errors; 1 notice (10.0ms)\n", b.String())
}

// TestOneSeverityModel: what could not be judged is an error in the summary, the human
// report, JSON and JUnit alike, never a notice; drift beside it stays a notice.
func TestOneSeverityModel(t *testing.T) {
	r := mixed()
	r.Groups = r.Groups[1:] // the unreachable target alone
	assert.Equal(t, report.Summary{Results: 1, Errors: 1, Checks: 3, ChecksErrors: 1, Notices: 1}, r.Summary())
	assert.Equal(t, "1 result: 0 passed, 0 failed, 1 error; 3 checks, 0 failed, 1 error; 1 notice", r.Summary().String())

	var js bytes.Buffer
	require.NoError(t, report.JSON(&js, r))
	var doc struct {
		Summary map[string]int
		Groups  []struct {
			Results []struct {
				Verdict string
				Checks  []struct {
					Check, Result string
					Violations    []struct{ Severity, Message string }
				}
			}
		}
	}
	require.NoError(t, json.Unmarshal(js.Bytes(), &doc))
	assert.Equal(t, map[string]int{"results": 1, "passed": 0, "failed": 0, "errors": 1, "checks": 3,
		"checks_failed": 0, "checks_errors": 1, "notices": 1}, doc.Summary)
	res := doc.Groups[0].Results[0]
	assert.Equal(t, "error", res.Verdict)
	type got struct{ check, result, severity string }
	var seen []got
	for _, c := range res.Checks {
		for _, v := range c.Violations {
			seen = append(seen, got{c.Check, c.Result, v.Severity})
		}
	}
	assert.Equal(t, []got{{"drift", "pass", "notice"}, {"infrastructure", "error", "error"}}, seen)

	var xml bytes.Buffer
	require.NoError(t, report.JUnit(&xml, r))
	out := xml.String()
	assert.Contains(t, out, `<testcase name="infrastructure" classname="scenarios.unknown_run">
      <error message="connection: failed: dial tcp 127.0.0.1:1: connect: connection refused (infrastructure)" type="infrastructure">connection: failed: dial tcp 127.0.0.1:1: connect: connection refused (infrastructure)</error>
    </testcase>`)
	assert.Contains(t, out, `<system-out>notice: body /extra: is not declared in the spec (drift)</system-out>`)
	assert.NotContains(t, out, "notice: connection")
	assert.Contains(t, out, `<testsuites name="portkey-runs" tests="3" failures="0" errors="1"`)
}

// A request that could not even be built (a setup error) is an error too, not a failure.
func TestSetupErrorIsAnError(t *testing.T) {
	res := contract.Result{Name: "cancel", Verdict: contract.Error, Checks: []contract.CheckResult{check(contract.CheckScenario, contract.Error,
		contract.Violation{Check: contract.CheckScenario, Location: "request", Rule: "cannot be built: bad URL", Severity: contract.Unjudged})}}
	r := &report.Report{Groups: []report.Group{{Name: "scenarios", Results: []contract.Result{res}}}}
	assert.Equal(t, report.Summary{Results: 1, Errors: 1, Checks: 1, ChecksErrors: 1}, r.Summary())
	var js bytes.Buffer
	require.NoError(t, report.JSON(&js, r))
	assert.Contains(t, js.String(), `"severity": "error"`)
	assert.NotContains(t, js.String(), `"failure"`)
	assert.True(t, strings.Contains(js.String(), `"result": "error"`))
}
