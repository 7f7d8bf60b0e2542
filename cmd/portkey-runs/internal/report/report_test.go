package report_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/cmd/portkey-runs/internal/report"
	"github.com/seed-a6d846e6/portkey-runs/contract"
	"github.com/seed-a6d846e6/portkey-runs/recording"
)

const cassettes = "../../../../recording/testdata/cassettes"

// sample is a report with every kind of outcome: the module's recordings (passes, notices),
// the known-bad cassettes (failures), and a target that could not be reached (an error).
func sample(t *testing.T) *report.Report {
	t.Helper()
	v, err := contract.New(contract.Options{})
	require.NoError(t, err)
	good, err := recording.ReplayDir(v, os.DirFS(cassettes))
	require.NoError(t, err)
	bad, err := recording.ReplayDir(v, os.DirFS(filepath.Join(cassettes, "bad")))
	require.NoError(t, err)
	down := v.Validate(contract.Exchange{Err: errors.New("dial tcp 127.0.0.1:1: connect: connection refused")})
	down.Name, down.Duration = "cancel", 3*time.Millisecond
	return &report.Report{Start: time.Date(2026, 11, 26, 7, 0, 0, 0, time.UTC), Duration: 42 * time.Millisecond,
		Groups: []report.Group{
			{Name: "recordings", Target: cassettes, Results: good},
			{Name: "bad", Target: "bad", Results: bad},
			{Name: "scenarios", Target: "http://user:hunter2@127.0.0.1:1/v1", Results: []contract.Result{down}},
		}}
}

func TestSummaryAndVerdict(t *testing.T) {
	r := sample(t)
	s := r.Summary()
	assert.Equal(t, 8+14+1, s.Results)
	assert.Equal(t, 8, s.Passed)
	assert.Equal(t, 14, s.Failed)
	assert.Equal(t, 1, s.Errors)
	assert.Equal(t, contract.Fail, r.Summary().Verdict(), "a failure outweighs an error")

	r.Groups = r.Groups[2:]
	assert.Equal(t, contract.Error, r.Summary().Verdict(), "nothing failed, something could not be judged")
	r.Groups = nil
	assert.Equal(t, contract.Pass, r.Summary().Verdict())
}

func TestHuman(t *testing.T) {
	r := sample(t)
	var plain, colored bytes.Buffer
	require.NoError(t, report.Human(&plain, r, report.HumanOptions{Verbose: true}))
	require.NoError(t, report.Human(&colored, r, report.HumanOptions{Color: true, Verbose: true}))
	out := plain.String()

	assert.NotContains(t, out, "\x1b[", "no colour unless asked for")
	assert.Contains(t, colored.String(), "\x1b[31mFAIL\x1b[0m")
	assert.Contains(t, colored.String(), "\x1b[32mPASS\x1b[0m")
	assert.Equal(t, out, stripANSI(colored.String()), "colour changes nothing else")

	// A violation is indented under its check, under its result.
	assert.Contains(t, out, "\n  FAIL  wrong_enum (200, 0.0ms)\n")
	assert.Contains(t, out, "\n      FAIL  schema\n            body /status: \"paused\" is not one of")
	assert.Contains(t, out, "\n      pass  infrastructure\n            notice: status: 429 rate limited")
	assert.Contains(t, out, "\n  ERROR cancel (no response, 3.0ms)\n      ERROR infrastructure\n            connection: failed: dial tcp")
	assert.NotContains(t, out, "hunter2", "a target's password is never printed")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	assert.Equal(t, "FAIL 23 results: 8 passed, 14 failed, 1 error; "+
		strconv.Itoa(r.Summary().Checks)+" checks, 17 failed, 1 error; "+strconv.Itoa(r.Summary().Notices)+" notices (42.0ms)", lines[len(lines)-1])
}

func TestJSON(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, report.JSON(&b, sample(t)))
	assert.NotContains(t, b.String(), "hunter2")

	// Decoded into the documented structure, with unknown fields refused.
	type violation struct{ Severity, Where, Location, Value, Rule, Message string }
	type check struct {
		Check, Result string
		Violations    []violation
	}
	type result struct {
		Name, Verdict string
		Status        int
		DurationMS    float64 `json:"duration_ms"`
		Checks        []check
	}
	var doc struct {
		Version    int
		Verdict    string
		Strict     bool
		Start      string
		DurationMS float64 `json:"duration_ms"`
		Summary    report.Summary
		Groups     []struct {
			Name, Target string
			Results      []result
		}
	}
	dec := json.NewDecoder(&b)
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&doc))
	assert.Equal(t, 2, doc.Version)
	assert.Equal(t, "fail", doc.Verdict)
	assert.Equal(t, "2026-11-26T07:00:00.000Z", doc.Start)
	assert.Equal(t, 42.0, doc.DurationMS)
	require.Len(t, doc.Groups, 3)
	assert.Equal(t, "http://%5BREDACTED%5D@127.0.0.1:1/v1", doc.Groups[2].Target)

	var wrongEnum *result
	for i, r := range doc.Groups[1].Results {
		if r.Name == "wrong_enum" {
			wrongEnum = &doc.Groups[1].Results[i]
		}
	}
	require.NotNil(t, wrongEnum)
	assert.Equal(t, "fail", wrongEnum.Verdict)
	assert.Equal(t, 200, wrongEnum.Status)
	var schema *check
	for i, c := range wrongEnum.Checks {
		if c.Check == "schema" {
			schema = &wrongEnum.Checks[i]
		} else {
			assert.Equal(t, "pass", c.Result, c.Check)
			assert.NotNil(t, c.Violations, "violations is always a list")
		}
	}
	require.NotNil(t, schema)
	assert.Equal(t, "fail", schema.Result)
	require.Len(t, schema.Violations, 1)
	assert.Equal(t, violation{Severity: "failure", Where: "body /status", Location: "/status", Value: `"paused"`,
		Rule:    "is not one of queued, in_progress, requires_action, cancelling, cancelled, failed, completed, incomplete, expired",
		Message: `body /status: "paused" is not one of queued, in_progress, requires_action, cancelling, cancelled, failed, completed, incomplete, expired (schema)`},
		schema.Violations[0])
}

func stripANSI(s string) string {
	for _, c := range []string{"\x1b[31m", "\x1b[32m", "\x1b[33m", "\x1b[1m", "\x1b[0m"} {
		s = strings.ReplaceAll(s, c, "")
	}
	return s
}

// TestControlCharactersEscaped: names and values holding terminal escapes, bells, C1 and
// bidi controls or line breaks are printed escaped in every format: the human report
// keeps one line per item (no forged summary), JSON and JUnit carry no raw control.
func TestControlCharactersEscaped(t *testing.T) {
	const forged = "PASS 1 results: 1 passed, 0 failed, 0 errors; 1 checks, 0 failed; 0 notices (0.0ms)"
	evil := "\x1b]0;title\x07\x1b[2J\u009b31m\u202e\r\n" + forged + "\n"
	res := contract.Result{Name: "scenario" + evil, Verdict: contract.Fail, Status: 200,
		Checks: []contract.CheckResult{{Check: contract.CheckSchema, Verdict: contract.Fail,
			Violations: []contract.Violation{{Check: contract.CheckSchema, Location: "/" + evil, Value: `"` + evil + `"`, Rule: "is bad" + evil}}}}}
	r := &report.Report{Groups: []report.Group{{Name: "group" + evil, Target: "http://127.0.0.1:1/" + evil, Results: []contract.Result{res}}}}
	raw := regexp.MustCompile(`[\x00-\x09\x0b-\x1f\x7f\x{80}-\x{9f}\x{202e}]`)

	var human bytes.Buffer
	require.NoError(t, report.Human(&human, r, report.HumanOptions{}))
	assert.NotRegexp(t, raw, human.String())
	assert.NotContains(t, human.String(), "\n"+forged)
	assert.Equal(t, 10, strings.Count(human.String(), "\n"),
		"heading, result, check, violation, blank, recap title, result, violation, blank, summary:\n%s", human.String())
	assert.Contains(t, human.String(), `            body /\x1b]0;title\x07\x1b[2J\u009b31m\u202e\r\n`+forged+`\n: "`)

	var js bytes.Buffer
	require.NoError(t, report.JSON(&js, r))
	assert.NotRegexp(t, raw, js.String())
	assert.NotContains(t, js.String(), `\u001b`, "escaped before encoding, not by it")
	var doc map[string]any
	require.NoError(t, json.Unmarshal(js.Bytes(), &doc))

	var junit bytes.Buffer
	require.NoError(t, report.JUnit(&junit, r))
	assert.NotRegexp(t, raw, junit.String())
	assert.NotContains(t, junit.String(), "&#xA;"+forged)
	root := parseXML(t, bytes.NewReader(junit.Bytes()))
	assert.Empty(t, checkSchema(root, ""))
}
