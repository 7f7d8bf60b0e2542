package portkey

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"github.com/seed-a6d846e6/portkey-runs/gen"
	"github.com/seed-a6d846e6/portkey-runs/internal/redact"
)

// APIError is a non-2xx answer, read from the OpenAI error envelope, the gateway's
// failure body or, failing both, a short excerpt of the body. Use errors.As to get it.
type APIError struct {
	StatusCode int
	Type       string // envelope error.type; empty for a gateway failure
	Code       string // envelope error.code, when not null
	Param      string // envelope error.param, when not null
	Message    string
	RequestID  string // x-request-id, else x-portkey-trace-id
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "portkey: %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	for _, kv := range [...][2]string{{"type", e.Type}, {"code", e.Code}, {"param", e.Param}, {"request_id", e.RequestID}} {
		if kv[1] != "" {
			fmt.Fprintf(&b, " %s=%s", kv[0], kv[1])
		}
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	return b.String()
}

// GatewayError is an answer the gateway marked x-portkey-gateway-exception: true. It is
// never retried: the gateway may have failed after the upstream cancelled the run.
type GatewayError struct{ *APIError }

func (e *GatewayError) Error() string {
	return "portkey: the gateway failed (" + HeaderGatewayException + ": true); the upstream may have cancelled the run, get it to see: " +
		strings.TrimPrefix(e.APIError.Error(), "portkey: ")
}

func (e *GatewayError) Unwrap() error { return e.APIError }

func gatewayException(h http.Header) bool {
	return strings.EqualFold(strings.TrimSpace(h.Get(HeaderGatewayException)), "true")
}

// maxExcerpt bounds the message taken from a body that is not a known error shape.
const maxExcerpt = 200

// newAPIError reads an error answer; every field is scrubbed by red of the credentials and
// of anything that looks like a key.
func newAPIError(resp *http.Response, body []byte, red *redact.Redactor) *APIError {
	e := &APIError{StatusCode: resp.StatusCode, RequestID: strings.TrimSpace(resp.Header.Get("X-Request-Id"))}
	if e.RequestID == "" { // the gateway sends an empty trace ID unless the caller set one
		e.RequestID = strings.TrimSpace(resp.Header.Get("X-Portkey-Trace-Id"))
	}
	var parsed gen.ErrorResponse
	if json.Unmarshal(body, &parsed) == nil {
		env, err := parsed.AsErrorEnvelope()
		var oe gen.Error // OpenAI's or Azure's error object: Azure's lacks only type and param
		if err == nil {
			oe, err = env.Error.AsError()
		}
		if err == nil && (oe.Message != "" || oe.Type != "") {
			e.Type, e.Message = oe.Type, oe.Message
			if oe.Code != nil {
				e.Code = *oe.Code
			}
			if oe.Param != nil {
				e.Param = *oe.Param
			}
		} else if gf, err := parsed.AsGatewayFailure(); err == nil && gf.Message != "" {
			e.Message = gf.Message
		}
	}
	if loc := resp.Header.Get("Location"); resp.StatusCode/100 == 3 && loc != "" {
		e.Message = "redirect to " + strconv.Quote(cut(redact.URL(loc), maxExcerpt)) + " not followed (credentials never leave their origin)"
	}
	if e.Message == "" {
		e.Message = excerpt(body, red)
	}
	for _, f := range []*string{&e.Type, &e.Code, &e.Param, &e.Message, &e.RequestID} {
		*f = red.String(*f)
	}
	return e
}

// excerpt is the start of body as one line of text, HTML tags dropped, secrets masked.
func excerpt(body []byte, red *redact.Redactor) string {
	n := 4*maxExcerpt + red.Longest() // so that a secret across the cut is masked whole
	s := red.String(strings.ToValidUTF8(string(body[:min(len(body), n)]), ""))
	s = strings.ToValidUTF8(s[:min(len(s), 4*maxExcerpt)], "")
	if strings.HasPrefix(strings.TrimSpace(s), "<") {
		s = stripTags(s)
	}
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
	s = cut(s, maxExcerpt)
	if s == "" {
		return "(empty body)"
	}
	return "body: " + redact.String(s)
}

// cut shortens s to at most n bytes, at a rune start, marking the cut with "...".
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// stripTags replaces each <...> with a space.
func stripTags(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>' && in:
			in = false
			b.WriteByte(' ')
		case !in:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// BodyTooLargeError is returned when a response body exceeds the client's limit
// (WithMaxResponseBytes); the body is not read past the limit.
type BodyTooLargeError struct {
	StatusCode int
	Limit      int64
}

func (e *BodyTooLargeError) Error() string {
	return fmt.Sprintf("portkey: response body (status %d) exceeds the %d-byte limit", e.StatusCode, e.Limit)
}

// DecodeError is a 2xx answer that is not a run: its Content-Type is not JSON, its body
// is not valid JSON, or it holds no run id or status. Use errors.As to get it.
type DecodeError struct {
	StatusCode  int
	ContentType string
	Excerpt     string // the start of the body, as in APIError.Message
	Err         error
}

func (e *DecodeError) Error() string {
	ct := e.ContentType
	if ct == "" {
		ct = "no Content-Type"
	}
	return fmt.Sprintf("portkey: decoding the run (status %d, %s, %s): %v", e.StatusCode, ct, e.Excerpt, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }
