package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/seed-a6d846e6/portkey-runs/contract"
)

// The JUnit XML report, as Jenkins' junit-10.xsd (Ant/Surefire style) describes it.
type (
	junitSuites struct {
		XMLName  xml.Name     `xml:"testsuites"`
		Name     string       `xml:"name,attr"`
		Tests    int          `xml:"tests,attr"`
		Failures int          `xml:"failures,attr"`
		Errors   int          `xml:"errors,attr"`
		Time     string       `xml:"time,attr"`
		Suites   []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name       string          `xml:"name,attr"`
		Tests      int             `xml:"tests,attr"`
		Failures   int             `xml:"failures,attr"`
		Errors     int             `xml:"errors,attr"`
		Skipped    int             `xml:"skipped,attr"`
		Time       string          `xml:"time,attr"`
		Timestamp  string          `xml:"timestamp,attr"`
		Package    string          `xml:"package,attr"`
		Properties []junitProperty `xml:"properties>property"`
		Cases      []junitCase     `xml:"testcase"`
	}
	junitProperty struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	}
	junitCase struct {
		Name      string        `xml:"name,attr"`
		Classname string        `xml:"classname,attr"`
		Failure   *junitProblem `xml:"failure"`
		Error     *junitProblem `xml:"error"`
		SystemOut string        `xml:"system-out,omitempty"`
	}
	junitProblem struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",chardata"`
	}
)

// JUnit writes r as JUnit XML: one testsuite per result (a scenario or a recording), one
// testcase per check, a failure (or, when the result could not be judged, an error) with
// every violation of a check that did not pass, and notices as the test case's output.
func JUnit(w io.Writer, r *Report) error {
	out := junitSuites{Name: "portkey-runs", Time: seconds(r.Duration)}
	stamp := r.Start.UTC().Format("2006-01-02T15:04:05")
	for _, g := range r.Groups {
		for _, res := range g.Results {
			s := junitSuite{Name: r.clean(g.Name + "." + res.Name), Time: seconds(res.Duration), Timestamp: stamp,
				Package: r.clean(g.Name), Properties: []junitProperty{
					{Name: "target", Value: r.target(g.Target)},
					{Name: "status", Value: fmt.Sprint(res.Status)},
					{Name: "verdict", Value: string(res.Verdict)},
					{Name: "strict", Value: fmt.Sprint(r.Strict)},
				}}
			for _, check := range res.Checks {
				c := junitCase{Name: r.clean(string(check.Check)), Classname: s.Name}
				var problems, notices []string
				for _, v := range check.Violations {
					if v.Severity == contract.Notice {
						notices = append(notices, "notice: "+r.line(v))
					} else {
						problems = append(problems, r.line(v))
					}
				}
				switch check.Verdict {
				case contract.Fail:
					c.Failure = problem(c.Name, problems)
					s.Failures++
				case contract.Error:
					c.Error = problem(c.Name, problems)
					s.Errors++
				}
				c.SystemOut = strings.Join(notices, "\n")
				s.Cases = append(s.Cases, c)
				s.Tests++
			}
			out.Tests += s.Tests
			out.Failures += s.Failures
			out.Errors += s.Errors
			out.Suites = append(out.Suites, s)
		}
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// problem is the failure or error element of a check: its first violation as the message,
// all of them as the text.
func problem(check string, lines []string) *junitProblem {
	p := &junitProblem{Type: check, Text: strings.Join(lines, "\n")}
	if len(lines) > 0 {
		p.Message = lines[0]
	}
	return p
}

// seconds renders d as JUnit's time attribute: decimal seconds.
func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }
