package contract

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/seed-a6d846e6/portkey-runs/internal/redact"
)

// Check names one kind of check; the names are stable, for reports and CI.
type Check string

// The checks, in the order they run.
const (
	CheckRequest         Check = "request"          // the request: path IDs, credentials
	CheckStatusCode      Check = "status_code"      // the status is documented for the exchange's operation
	CheckContentType     Check = "content_type"     // the Content-Type is one the status declares
	CheckResponseHeaders Check = "response_headers" // declared headers (Retry-After) conform
	CheckSchema          Check = "schema"           // the body conforms to its schema
	CheckSemantic        Check = "semantic"         // what no schema can say (IDs echo the path, ...)
	CheckDrift           Check = "drift"            // body properties or response headers the spec does not declare
	CheckInfrastructure  Check = "infrastructure"   // connection errors, timeouts, 429, 5xx
	CheckScenario        Check = "scenario"         // a suite scenario's expectation (status)
)

// Severity says what a violation means for its exchange.
type Severity int

const (
	// Failure breaks the contract.
	Failure Severity = iota
	// Notice is reported but does not fail: drift (unless strict), infrastructure outcomes.
	Notice
	// Unjudged is why the exchange could not be judged (a body too large, cut or in an
	// unknown encoding, a redirect, an unexpected infrastructure outcome): its verdict is
	// Error, and nothing is said about the contract.
	Unjudged
)

var severities = [...]string{Failure: "failure", Notice: "notice", Unjudged: "error"}

// String returns "failure", "notice" or "error" (Unjudged).
func (s Severity) String() string {
	if int(s) < len(severities) {
		return severities[s]
	}
	return "severity(" + strconv.Itoa(int(s)) + ")"
}

// MarshalText encodes s as String does (in JSON reports, for instance).
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText decodes what MarshalText encodes.
func (s *Severity) UnmarshalText(b []byte) error {
	for i, name := range severities {
		if name == string(b) {
			*s = Severity(i)
			return nil
		}
	}
	return fmt.Errorf("contract: unknown severity %q", b)
}

// Violation is one finding about one exchange.
type Violation struct {
	Check Check `json:"check"`
	// Location is a JSON pointer into the body ("/status", "" for the whole body) or a
	// place outside it: "status", "header Retry-After", "request path", "connection".
	Location string `json:"location"`
	// Value is the value seen, rendered compactly, truncated and redacted; empty when the
	// rule says it all (a missing property).
	Value string `json:"value,omitempty"`
	// Rule is what the value breaks, e.g. "is not one of queued, in_progress".
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
}

// String renders v on one line, e.g.
// `body /status: "paused" is not one of queued, in_progress, ... (schema)`.
func (v Violation) String() string {
	var b strings.Builder
	b.WriteString(v.Where())
	b.WriteString(": ")
	if v.Value != "" {
		b.WriteString(v.Value)
		b.WriteByte(' ')
	}
	b.WriteString(v.Rule)
	b.WriteString(" (")
	b.WriteString(string(v.Check))
	b.WriteByte(')')
	return b.String()
}

// Where renders the location: "body /status", "body", or the location as is.
func (v Violation) Where() string {
	if v.Location == "" {
		return "body"
	}
	if v.Location[0] == '/' {
		return "body " + v.Location
	}
	return v.Location
}

// Failed reports whether v fails the contract.
func (v Violation) Failed() bool { return v.Severity == Failure }

// maxValue bounds a rendered value, in runes.
const maxValue = 60

// render returns a decoded JSON value as compact, truncated JSON text, redacted before it
// is cut so that no part of a secret is left.
func (v *Validator) render(x any) string {
	switch x := x.(type) {
	case json.Number:
		return truncate(v.red.String(x.String()), maxValue)
	case string:
		return quote(truncate(v.red.String(x), maxValue-2))
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(x); err != nil {
		return truncate(v.red.String(fmt.Sprint(x)), maxValue)
	}
	return truncate(v.red.String(strings.TrimSuffix(b.String(), "\n")), maxValue)
}

// quote renders s as a JSON string, without escaping HTML characters.
func quote(s string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// truncate cuts s to at most n runes, marking the cut with "...".
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-3]) + "..."
}

// pointer renders a JSON pointer from its unescaped tokens, property names redacted and
// their control characters escaped (redact.Line), so that a name cannot break the line.
func pointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(pointerEscaper.Replace(redact.Line(t)))
	}
	return b.String()
}

var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")
