package report_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/cmd/portkey-runs/internal/report"
)

// node is one element of a parsed XML document.
type node struct {
	name     string
	attrs    map[string]string
	children []*node
	text     string
}

func parseXML(t *testing.T, r io.Reader) *node {
	t.Helper()
	dec := xml.NewDecoder(r)
	var stack []*node
	var root *node
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &node{name: tok.Name.Local, attrs: map[string]string{}}
			for _, a := range tok.Attr {
				n.attrs[a.Name.Local] = a.Value
			}
			if len(stack) == 0 {
				require.Nil(t, root, "one root element")
				root = n
			} else {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(tok)
			}
		}
	}
	require.NotNil(t, root)
	return root
}

// The rules of Jenkins' JUnit schema (junit-10.xsd, the Ant/Surefire format): for each
// element its attributes (type, required) and its children, in order, with their counts.
type attr struct {
	typ      string // "string", "int", "decimal", "timestamp"
	required bool
}

type child struct {
	name     string
	min, max int // max -1: unbounded
}

type rule struct {
	attrs    map[string]attr
	children []child
	mixed    bool // text allowed
}

var junitSchema = map[string]rule{
	"testsuites": {attrs: map[string]attr{"name": {"string", false}, "time": {"decimal", false}, "tests": {"int", false},
		"failures": {"int", false}, "disabled": {"int", false}, "errors": {"int", false}},
		children: []child{{"testsuite", 0, -1}}},
	"testsuite": {attrs: map[string]attr{"name": {"string", true}, "tests": {"int", true}, "failures": {"int", false},
		"errors": {"int", false}, "time": {"decimal", false}, "disabled": {"int", false}, "skipped": {"int", false},
		"timestamp": {"timestamp", false}, "hostname": {"string", false}, "id": {"string", false},
		"package": {"string", false}, "file": {"string", false}, "log": {"string", false}, "url": {"string", false},
		"version": {"string", false}},
		children: []child{{"properties", 0, 1}, {"testcase", 0, -1}, {"system-out", 0, 1}, {"system-err", 0, 1}}},
	"properties": {children: []child{{"property", 0, -1}}},
	"property":   {attrs: map[string]attr{"name": {"string", true}, "value": {"string", true}}},
	"testcase": {attrs: map[string]attr{"name": {"string", true}, "assertions": {"string", false}, "time": {"decimal", false},
		"classname": {"string", false}, "status": {"string", false}, "class": {"string", false}, "file": {"string", false},
		"line": {"string", false}},
		children: []child{{"skipped", 0, 1}, {"error", 0, -1}, {"failure", 0, -1}, {"system-out", 0, -1}, {"system-err", 0, -1}}},
	"skipped":    {attrs: map[string]attr{"message": {"string", false}}, mixed: true},
	"failure":    {attrs: map[string]attr{"message": {"string", false}, "type": {"string", false}}, mixed: true},
	"error":      {attrs: map[string]attr{"message": {"string", false}, "type": {"string", false}}, mixed: true},
	"system-out": {mixed: true},
	"system-err": {mixed: true},
}

var timestamp = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$`)

// checkSchema returns every way n breaks junitSchema.
func checkSchema(n *node, path string) []string {
	path += "/" + n.name
	r, ok := junitSchema[n.name]
	if !ok {
		return []string{path + ": element not in the schema"}
	}
	var errs []string
	for name, a := range r.attrs {
		v, ok := n.attrs[name]
		if !ok {
			if a.required {
				errs = append(errs, fmt.Sprintf("%s: required attribute %s missing", path, name))
			}
			continue
		}
		switch a.typ {
		case "int":
			if i, err := strconv.Atoi(v); err != nil || i < 0 {
				errs = append(errs, fmt.Sprintf("%s@%s=%q: not a count", path, name, v))
			}
		case "decimal":
			if f, err := strconv.ParseFloat(v, 64); err != nil || f < 0 || strings.ContainsAny(v, "eE") {
				errs = append(errs, fmt.Sprintf("%s@%s=%q: not a decimal", path, name, v))
			}
		case "timestamp":
			if !timestamp.MatchString(v) {
				errs = append(errs, fmt.Sprintf("%s@%s=%q: not an ISO 8601 timestamp without zone", path, name, v))
			}
		}
	}
	for name := range n.attrs {
		if _, ok := r.attrs[name]; !ok {
			errs = append(errs, fmt.Sprintf("%s: attribute %s not in the schema", path, name))
		}
	}
	if !r.mixed && strings.TrimSpace(n.text) != "" {
		errs = append(errs, path+": text not allowed")
	}
	// Children: a sequence, each name min..max times, in order.
	i := 0
	for _, c := range r.children {
		count := 0
		for i < len(n.children) && n.children[i].name == c.name {
			count++
			i++
		}
		if count < c.min || c.max >= 0 && count > c.max {
			errs = append(errs, fmt.Sprintf("%s: %d %s elements, want %d to %d", path, count, c.name, c.min, c.max))
		}
	}
	if i < len(n.children) {
		errs = append(errs, fmt.Sprintf("%s: unexpected or misplaced <%s>", path, n.children[i].name))
	}
	for _, c := range n.children {
		errs = append(errs, checkSchema(c, path)...)
	}
	return errs
}

// checkCounts returns every count attribute that does not match the elements it counts.
func checkCounts(root *node) []string {
	var errs []string
	total := map[string]int{}
	for _, s := range root.children {
		count := map[string]int{}
		for _, c := range s.children {
			if c.name != "testcase" {
				continue
			}
			count["tests"]++
			outcomes := 0
			for _, k := range []string{"failure", "error", "skipped"} {
				for _, x := range c.children {
					if x.name == k {
						count[map[string]string{"failure": "failures", "error": "errors", "skipped": "skipped"}[k]]++
						outcomes++
					}
				}
			}
			if outcomes > 1 {
				errs = append(errs, fmt.Sprintf("%s/%s: more than one outcome", s.attrs["name"], c.attrs["name"]))
			}
		}
		for _, k := range []string{"tests", "failures", "errors", "skipped"} {
			if v, ok := s.attrs[k]; ok && v != strconv.Itoa(count[k]) {
				errs = append(errs, fmt.Sprintf("testsuite %s: %s=%s, counted %d", s.attrs["name"], k, v, count[k]))
			}
			total[k] += count[k]
		}
	}
	for _, k := range []string{"tests", "failures", "errors"} {
		if v, ok := root.attrs[k]; ok && v != strconv.Itoa(total[k]) {
			errs = append(errs, fmt.Sprintf("testsuites: %s=%s, counted %d", k, v, total[k]))
		}
	}
	return errs
}

// TestCheckersFail proves the schema and count checks can fail.
func TestCheckersFail(t *testing.T) {
	doc := `<testsuites tests="3" failures="0"><testsuite tests="2" failures="1" time="-1" timestamp="2026-11-26T07:00:00Z">` +
		`<testcase name="a"><failure/><error/></testcase><properties/><bogus/></testsuite></testsuites>`
	root := parseXML(t, strings.NewReader(doc))
	assert.ElementsMatch(t, []string{
		"/testsuites/testsuite: required attribute name missing",
		`/testsuites/testsuite@time="-1": not a decimal`,
		`/testsuites/testsuite@timestamp="2026-11-26T07:00:00Z": not an ISO 8601 timestamp without zone`,
		"/testsuites/testsuite: unexpected or misplaced <properties>",
		"/testsuites/testsuite/testcase: unexpected or misplaced <error>", // error comes before failure
		"/testsuites/testsuite/bogus: element not in the schema",
	}, checkSchema(root, ""))
	assert.ElementsMatch(t, []string{
		"/a: more than one outcome",
		"testsuite : tests=2, counted 1",
		"testsuites: tests=3, counted 1",
		"testsuites: failures=0, counted 1",
	}, checkCounts(root))
}

func TestJUnit(t *testing.T) {
	r := sample(t)
	var b bytes.Buffer
	require.NoError(t, report.JUnit(&b, r))
	assert.True(t, strings.HasPrefix(b.String(), xml.Header), "XML declaration first")
	assert.NotContains(t, b.String(), "hunter2")

	root := parseXML(t, bytes.NewReader(b.Bytes()))
	require.Equal(t, "testsuites", root.name)
	assert.Empty(t, checkSchema(root, ""))
	assert.Empty(t, checkCounts(root))

	s := r.Summary()
	assert.Equal(t, strconv.Itoa(s.Checks), root.attrs["tests"], "one test case per check")
	assert.Equal(t, "17", root.attrs["failures"])
	assert.Equal(t, "1", root.attrs["errors"])
	assert.Len(t, root.children, s.Results, "one test suite per result")

	cases := map[string]*node{}
	for _, suite := range root.children {
		for _, c := range suite.children {
			if c.name == "testcase" {
				assert.Equal(t, suite.attrs["name"], c.attrs["classname"])
				cases[c.attrs["classname"]+"/"+c.attrs["name"]] = c
			}
		}
	}
	wrongEnum := cases["bad.wrong_enum/schema"]
	require.NotNil(t, wrongEnum)
	require.Len(t, wrongEnum.children, 1)
	f := wrongEnum.children[0]
	assert.Equal(t, "failure", f.name)
	assert.Equal(t, "schema", f.attrs["type"])
	assert.Equal(t, `body /status: "paused" is not one of queued, in_progress, requires_action, cancelling, cancelled, failed, completed, incomplete, expired (schema)`, f.attrs["message"])

	missing := cases["bad.missing_required/schema"].children[0]
	assert.Equal(t, "body /model: required property is missing (schema)\nbody /usage: required property is missing (schema)", missing.text)

	rate := cases["recordings.rate_limited/infrastructure"]
	require.Len(t, rate.children, 1)
	assert.Equal(t, "system-out", rate.children[0].name)
	assert.Equal(t, `notice: status: 429 rate limited, Retry-After "2" (infrastructure)`, rate.children[0].text)

	down := cases["scenarios.cancel/infrastructure"]
	require.Len(t, down.children, 1)
	assert.Equal(t, "error", down.children[0].name)
	assert.Equal(t, "connection: failed: dial tcp 127.0.0.1:1: connect: connection refused (infrastructure)", down.children[0].attrs["message"])

	assert.Empty(t, cases["recordings.not_found/schema"].children, "a passing check is an empty test case")
}
