package contract

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/seed-a6d846e6/portkey-runs/internal/redact"
	"github.com/seed-a6d846e6/portkey-runs/internal/wire"
)

// defaultOperation is the operation an exchange without a request is judged as.
const defaultOperation = "cancelRun"

// DefaultMaxBody bounds the bytes of a body that are read and validated.
const DefaultMaxBody = 4 << 20

// toolHeaders starts the headers this module adds to what it records (package recording).
const toolHeaders = "Portkey-Runs-"

// Options configure a Validator.
type Options struct {
	// Strict makes drift (undeclared properties) a failure instead of a notice.
	Strict bool
	// MaxBody bounds the body bytes validated (DefaultMaxBody when 0); a larger body is
	// not validated, and its verdict is Error.
	MaxBody int
	// Secrets are credential values (portkey.Auth.Secrets) masked wherever a finding would
	// quote them, in any form; key-looking text is masked whatever this holds.
	Secrets []string
}

// Validator checks exchanges of every operation of the embedded api/openapi.yaml. Build one
// with New and share it: it is safe for concurrent use and does no per-call setup.
type Validator struct {
	opts       Options
	wire       *wire.Spec
	operations map[string]map[int]*response // operationId -> status -> response
	responses  map[int]*response            // defaultOperation's
	statusEnum []string
	names      map[*openapi3.Schema]string
	shapes     map[*openapi3.Schema]shape // read-only after New
	pointers   *pointerCache              // drift locations of the fast path
	red        *redact.Redactor           // masks Options.Secrets in every finding
}

// response is what the spec documents for one status.
type response struct {
	headers []header
	media   []string // declared media types
	schema  *openapi3.SchemaRef
	isRun   bool  // the body is a Run
	fast    *node // the fast path for a Run body (fast.go); nil: none
}

type header struct {
	name     string
	key      string // canonical, to index an http.Header without allocating
	where    string // the violations' Location
	required bool
	schema   *openapi3.Schema
}

// New builds a Validator from the embedded spec.
func New(opts Options) (*Validator, error) {
	if opts.MaxBody <= 0 {
		opts.MaxBody = DefaultMaxBody
	}
	w, err := wire.Load()
	if err != nil {
		return nil, fmt.Errorf("contract: %w", err)
	}
	doc := w.Doc
	v := &Validator{opts: opts, wire: w, operations: map[string]map[int]*response{}, names: map[*openapi3.Schema]string{},
		shapes: map[*openapi3.Schema]shape{}, pointers: &pointerCache{}, red: redact.New(opts.Secrets...)}
	for name, ref := range doc.Components.Schemas {
		v.names[ref.Value] = name
	}
	if rs := doc.Components.Schemas["RunStatus"]; rs != nil {
		for _, e := range rs.Value.Enum {
			v.statusEnum = append(v.statusEnum, fmt.Sprint(e))
		}
	}
	run := doc.Components.Schemas["Run"]
	built := map[*openapi3.Response]*response{} // operations share response components
	for _, o := range v.wire.Ops() {
		op := doc.Paths.Value(o.Path).GetOperation(o.Method)
		rs := map[int]*response{}
		for code, ref := range op.Responses.Map() {
			status, err := strconv.Atoi(code)
			if err != nil {
				return nil, fmt.Errorf("contract: %s response %q: only numeric statuses are supported", o.ID, code)
			}
			if rs[status] = built[ref.Value]; rs[status] == nil {
				rs[status] = v.response(ref.Value, run)
				built[ref.Value] = rs[status]
			}
		}
		v.operations[o.ID] = rs
	}
	if v.responses = v.operations[defaultOperation]; v.responses == nil {
		return nil, errors.New("contract: the embedded spec has no " + defaultOperation)
	}
	return v, nil
}

// response gathers what the spec documents for one answer; run is the Run schema.
func (v *Validator) response(ref *openapi3.Response, run *openapi3.SchemaRef) *response {
	r := &response{}
	for name, h := range ref.Headers {
		r.headers = append(r.headers, header{name: name, key: http.CanonicalHeaderKey(name), where: "header " + name,
			required: h.Value.Required, schema: h.Value.Schema.Value})
	}
	slices.SortFunc(r.headers, func(a, b header) int { return strings.Compare(a.name, b.name) })
	for mt, m := range ref.Content {
		r.media = append(r.media, mt)
		r.schema = m.Schema
	}
	slices.Sort(r.media)
	r.isRun = r.schema != nil && run != nil && r.schema.Value == run.Value
	if r.isRun {
		r.fast, _ = compileFast(r.schema.Value) // nil when the spec outgrows it: kin alone
	}
	if r.schema != nil {
		shapes(r.schema.Value, v.shapes)
	}
	return r
}

// Options returns the options v was built with, MaxBody set.
func (v *Validator) Options() Options {
	o := v.opts
	o.Secrets = slices.Clone(o.Secrets)
	return o
}

// Operations lists the operationIds the Validator knows.
func (v *Validator) Operations() []string {
	return slices.Sorted(maps.Keys(v.operations))
}

// Operation returns the operationId that method on escapedPath (any prefix before /threads
// allowed) calls, if the spec has one, and the thread and run IDs in the path.
func (v *Validator) Operation(method, escapedPath string) (id, threadID, runID string, ok bool) {
	op, params, ok := v.wire.Match(method, escapedPath)
	return op.ID, params["thread_id"], params["run_id"], ok
}

// masking returns v, or a copy of v that masks secrets too.
func (v *Validator) masking(secrets []string) *Validator {
	if !slices.ContainsFunc(secrets, func(s string) bool { return !slices.Contains(v.opts.Secrets, s) }) {
		return v
	}
	c := *v // the rest is read-only, or safe to share (pointers holds no secret masking)
	c.opts.Secrets = append(slices.Clip(v.opts.Secrets), secrets...)
	c.red = redact.New(c.opts.Secrets...)
	return &c
}

// Documented reports whether status is documented for the operation.
func (v *Validator) Documented(status int) bool { return v.responses[status] != nil }

// Exchange is one call as the Validator sees it. Only the response side is required;
// request fields that are zero skip their checks.
type Exchange struct {
	// Operation is the operationId the call was (one of Validator.Operations); when empty,
	// it is the operation Method and Path match, else defaultOperation, and then the rules
	// of one operation (such as a cancel's status) do not apply.
	Operation     string
	Method        string      // request method
	Path          string      // escaped request path, any prefix before /threads allowed
	RequestHeader http.Header // request headers: credentials are checked when set
	// ThreadID and RunID are the path parameters the body must echo; taken from Path
	// when empty; the echo checks are skipped when both are unknown.
	ThreadID, RunID string

	Status int
	Header http.Header
	Body   []byte
	// Cut says Body is only the start of the body (a recording cut it): it is not judged.
	Cut bool
	// Err is the error of a call that gave no (complete) response.
	Err error

	known bool // Operation was given or matched, not defaulted
}

// newExchange describes req and its response resp, whose body was read into body.
// resp may be nil when err is set.
func newExchange(req *http.Request, resp *http.Response, body []byte, err error) Exchange {
	ex := Exchange{Body: body, Err: err}
	if req != nil {
		ex.Method = req.Method
		ex.Path = req.URL.EscapedPath()
		ex.RequestHeader = req.Header
	}
	if resp != nil {
		ex.Status = resp.StatusCode
		ex.Header = resp.Header
	}
	return ex
}

// Validate runs every check on ex and returns each with what it found, failures and
// notices. Its Verdict is Error only for an exchange that could not be judged (no
// response, a body too large, a redirect); its Name is empty.
func (v *Validator) Validate(ex Exchange) Result {
	checks, vs := v.validate(ex, make([]Check, 0, 8))
	return newResult("", ex.Status, checks, vs, ex.Err != nil, 0)
}

// ValidateResponse reads resp's body (at most MaxBody bytes, then puts it back so that the
// caller can still read it) and validates req and resp.
func (v *Validator) ValidateResponse(req *http.Request, resp *http.Response) Result {
	body, err := peekBody(resp, v.opts.MaxBody)
	return v.Validate(newExchange(req, resp, body, err))
}

// validate appends the checks that ran to checks (callers give room for eight, on their
// stack) and returns them with the violations found, the secrets masked in each
// (locations included, which name properties).
func (v *Validator) validate(ex Exchange, checks []Check) ([]Check, []Violation) {
	checks, vs := v.judge(ex, checks)
	if said := v.said(ex); said != "" {
		for i := range vs {
			if vs[i].Failed() && vs[i].Check != CheckRequest {
				vs[i].Rule += said
			}
		}
	}
	if len(v.opts.Secrets) > 0 {
		for i := range vs {
			x := &vs[i]
			x.Location, x.Value, x.Rule = v.red.String(x.Location), v.red.String(x.Value), v.red.String(x.Rule)
		}
	}
	return checks, vs
}

// operation resolves ex.Operation and the path parameters, and returns what the request
// says against it.
func (v *Validator) operation(ex *Exchange) []Violation {
	var vs []Violation
	var params map[string]string
	op, given := v.wire.ByID(ex.Operation)
	switch {
	case ex.Operation != "" && !given:
		vs = append(vs, Violation{Check: CheckRequest, Location: "operation", Value: quote(ex.Operation),
			Rule: "is not one of " + strings.Join(v.Operations(), ", ")})
		op, _ = v.wire.ByID(defaultOperation)
	case given && ex.Path != "":
		var ok bool
		if params, ok = op.Params(ex.Path); !ok {
			vs = append(vs, Violation{Check: CheckRequest, Location: "request path", Value: v.render(ex.Path),
				Rule: "does not end in " + op.Path + " (" + op.ID + ")"})
		}
	case ex.Path != "":
		var ok bool
		if op, params, ok = v.wire.Match(ex.Method, ex.Path); !ok {
			if allowed := v.wire.Allowed(ex.Path); len(allowed) > 0 && ex.Method != "" {
				vs = append(vs, Violation{Check: CheckRequest, Location: "request method", Value: quote(ex.Method),
					Rule: "is not " + strings.Join(allowed, " or ")})
			} else {
				vs = append(vs, Violation{Check: CheckRequest, Location: "request path", Value: v.render(ex.Path),
					Rule: "matches no operation of the spec"})
			}
			op, _ = v.wire.ByID(defaultOperation)
		}
		given = ok
	case !given:
		op, _ = v.wire.ByID(defaultOperation)
	}
	ex.Operation, ex.known = op.ID, given && len(vs) == 0
	if ex.ThreadID == "" && ex.RunID == "" {
		ex.ThreadID, ex.RunID = params["thread_id"], params["run_id"]
	}
	if given && ex.Method != "" && ex.Method != op.Method && len(vs) == 0 {
		vs = append(vs, Violation{Check: CheckRequest, Location: "request method", Value: quote(ex.Method), Rule: "is not " + op.Method})
	}
	for _, name := range []string{"thread_id", "run_id"} {
		if v, ok := params[name]; ok && v == "" {
			vs = append(vs, Violation{Check: CheckRequest, Location: "request path", Rule: name + " is empty"})
		}
	}
	return vs
}

// judge runs the checks of validate.
func (v *Validator) judge(ex Exchange, checks []Check) ([]Check, []Violation) {
	vs := v.operation(&ex)
	if ex.Method != "" || ex.Path != "" || ex.RequestHeader != nil || len(vs) > 0 {
		checks = append(checks, CheckRequest)
		vs = append(vs, v.checkRequest(ex)...)
	}
	if ex.Err != nil {
		return append(checks, CheckInfrastructure), append(vs, v.infrastructure(ex, nil))
	}

	if iv := v.infrastructure(ex, nil); iv.Severity == Unjudged { // a redirect: the answer is elsewhere
		return append(checks, CheckInfrastructure), append(vs, iv)
	}
	resp := v.operations[ex.Operation][ex.Status]
	if ex.Status >= 500 && (resp == nil || len(resp.media) > 0 && !v.declaredMedia(ex.Header.Get("Content-Type"), resp.media)) {
		// Whatever its media type, a 5xx says the target failed, not how the contract reads.
		iv := v.infrastructure(ex, nil)
		if text := v.bodyText(ex.Body); text != "" {
			iv.Rule += ", a " + quote(truncate(v.red.String(ex.Header.Get("Content-Type")), 40)) + " body: " + text
		}
		return append(checks, CheckInfrastructure), append(vs, iv)
	}
	checks = append(checks, CheckStatusCode)
	if ex.Status == http.StatusNotFound && unknownRoute(ex.Body) {
		return checks, append(vs, Violation{Check: CheckStatusCode, Location: "status", Value: "404",
			Rule: "is the gateway's answer for a path it has no route for (" + gatewayNotFound + "): the target has no such route; does --target end in /v1?"})
	}
	if resp == nil {
		vs = append(vs, Violation{Check: CheckStatusCode, Location: "status", Value: strconv.Itoa(ex.Status),
			Rule: "is not documented for " + ex.Operation})
		if iv := v.infrastructure(ex, nil); iv.Rule != "" {
			checks, vs = append(checks, CheckInfrastructure), append(vs, iv)
		}
		return checks, vs
	}

	jsonBody := true
	if len(resp.media) > 0 {
		checks = append(checks, CheckContentType)
		var cv []Violation
		cv, jsonBody = v.checkContentType(ex.Header.Get("Content-Type"), resp.media)
		vs = append(vs, cv...)
	}
	if len(resp.headers) > 0 {
		checks = append(checks, CheckResponseHeaders)
		vs = append(vs, v.checkHeaders(ex.Header, resp.headers)...)
	}
	// Undeclared response headers are drift, like undeclared body properties.
	hdrift := v.headerDrift(ex.Header, resp.headers)

	var body any
	decoded := false
	if resp.schema != nil && jsonBody {
		checks = append(checks, CheckSchema)
		raw, unjudged, err := v.decodeContent(ex.Header.Get("Content-Encoding"), ex.Body)
		if ex.Cut {
			unjudged = fmt.Sprintf("was cut at %d bytes when recorded and was not validated", len(ex.Body))
		}
		switch {
		case unjudged != "":
			checks = append(checks, CheckInfrastructure)
			vs = append(vs, Violation{Check: CheckInfrastructure, Location: "body", Rule: unjudged, Severity: Unjudged})
		case err != nil:
			vs = append(vs, Violation{Check: CheckSchema, Rule: err.Error()})
		default:
			if resp.fast != nil && ex.Status < 500 {
				if found, ok := v.fastRun(ex, resp, raw); ok {
					checks = append(checks, CheckSemantic, CheckDrift)
					if len(vs) > 0 {
						found = append(vs, found...)
					}
					vs = append(found, hdrift...)
					if iv := v.infrastructure(ex, nil); iv.Rule != "" {
						checks, vs = append(checks, CheckInfrastructure), append(vs, iv)
					}
					return checks, vs
				}
			}
			body, err = decodeJSON(raw)
			if err != nil {
				vs = append(vs, Violation{Check: CheckSchema, Rule: err.Error()})
				break
			}
			decoded = true
			if ptr, dup := duplicateKey(raw); dup {
				vs = append(vs, Violation{Check: CheckSchema, Location: ptr, Rule: "appears twice in its object: readers disagree on which value counts"})
			}
			vs = append(vs, v.schemaViolations(resp.schema.Value, body)...)
		}
	}
	if decoded {
		checks = append(checks, CheckSemantic)
		f := factsOf(body)
		vs = append(vs, v.checkSemantic(ex, resp, &f)...)
		checks = append(checks, CheckDrift)
		vs = append(vs, v.checkDrift(resp.schema.Value, body)...)
	}
	if !slices.Contains(checks, CheckDrift) {
		checks = append(checks, CheckDrift)
	}
	vs = append(vs, hdrift...)
	if iv := v.infrastructure(ex, body); iv.Rule != "" {
		checks, vs = append(checks, CheckInfrastructure), append(vs, iv)
	}
	return checks, vs
}

// decodeContent undoes the body's Content-Encoding (gzip or none), reading at most MaxBody
// bytes. unjudged says why a body cannot be judged (too large, an unknown encoding); err
// is a body that breaks its encoding.
func (v *Validator) decodeContent(encoding string, b []byte) (raw []byte, unjudged string, err error) {
	tooLarge := func() string {
		return fmt.Sprintf("is larger than %d bytes (the validator's limit) and was not validated", v.opts.MaxBody)
	}
	if len(b) > v.opts.MaxBody {
		return nil, tooLarge(), nil
	}
	raw, err = wire.Decode(encoding, b, v.opts.MaxBody)
	switch {
	case errors.Is(err, wire.ErrTooLarge):
		return nil, tooLarge(), nil
	case errors.Is(err, wire.ErrUnknownEncoding):
		return nil, "is encoded as " + quote(truncate(strings.ToLower(strings.TrimSpace(encoding)), 20)) + " and was not validated", nil
	case err != nil:
		return nil, "", fmt.Errorf("is not valid gzip, as Content-Encoding says (%s)", truncate(err.Error(), 80))
	case len(raw) == len(b) && bytes.HasPrefix(b, []byte{0x1f, 0x8b}): // not inflated
		return nil, "", errors.New("is gzip data, but Content-Encoding does not say gzip")
	}
	return raw, "", nil
}

// decodeJSON decodes a body the way the checks see it: numbers as json.Number, exactly one
// JSON value, valid UTF-8 (encoding/json would replace what is not). Its error reads as a
// violation rule.
func decodeJSON(b []byte) (any, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, errors.New("is empty, expected a JSON value")
	}
	if !utf8.Valid(b) {
		return nil, fmt.Errorf("is not valid UTF-8 (byte %d)", invalidUTF8At(b))
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("is not valid JSON (%s)", truncate(err.Error(), 80))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("is not valid JSON (data after the first value)")
	}
	return v, nil
}

func (v *Validator) checkRequest(ex Exchange) []Violation {
	var vs []Violation
	if ex.RequestHeader != nil {
		if missing := v.missingCredentials(ex.RequestHeader); missing != nil {
			vs = append(vs, Violation{Check: CheckRequest, Location: "request headers", Severity: Notice,
				Rule: "meet no credential combination of the spec (the closest lacks " + strings.Join(missing, ", ") + ")"})
		}
	}
	return vs
}

// missingCredentials returns nil when h meets a security requirement, else the headers
// missing from the requirement closest to being met.
func (v *Validator) missingCredentials(h http.Header) []string { return v.wire.Missing(h) }

// declaredMedia reports whether ct is one of media, with no violation.
func (v *Validator) declaredMedia(ct string, media []string) bool {
	cv, _ := v.checkContentType(ct, media)
	return len(cv) == 0
}

// gatewayNotFound is the Portkey gateway's answer to a path it has no route for (Hono's).
const gatewayNotFound = `{"message":"Not Found","ok":false}`

func unknownRoute(body []byte) bool {
	var b struct {
		Message string
		OK      *bool `json:"ok"`
	}
	return len(body) < 1<<10 && json.Unmarshal(body, &b) == nil && b.Message == "Not Found" && b.OK != nil && !*b.OK
}

// maxSaid bounds the text of a body quoted in a violation, in runes.
const maxSaid = 300

// bodyText is body as one quoted line, redacted and cut; empty for an empty body.
func (v *Validator) bodyText(body []byte) string {
	text := strings.Join(strings.Fields(v.red.String(string(body[:min(len(body), 4*maxSaid)]))), " ")
	if text == "" {
		return ""
	}
	return quote(truncate(text, maxSaid))
}

// said is "; the body says \"...\"" with the message of an error body (OpenAI's envelope or
// the gateway's), for the failures found in it; empty when the body has none.
func (v *Validator) said(ex Exchange) string {
	if len(ex.Body) == 0 || len(ex.Body) > 64<<10 || ex.Status < 300 || unknownRoute(ex.Body) { // that one is quoted whole
		return ""
	}
	var b struct {
		Error   json.RawMessage
		Message any
	}
	if json.Unmarshal(ex.Body, &b) != nil {
		return ""
	}
	var e struct{ Message any }
	msg, _ := b.Message.(string)
	if msg == "" && json.Unmarshal(b.Error, &e) == nil {
		msg, _ = e.Message.(string)
	}
	if strings.TrimSpace(msg) == "" {
		return ""
	}
	return "; the body says " + quote(truncate(v.red.Line(msg), maxSaid))
}

// checkContentType checks ct against the declared media types and reports whether the
// body should be read as JSON.
func (v *Validator) checkContentType(ct string, media []string) ([]Violation, bool) {
	switch ct {
	case "application/json", "application/json; charset=utf-8", "application/json; charset=UTF-8":
		if slices.Contains(media, "application/json") {
			return nil, true // the common cases, without parsing
		}
	}
	want := strings.Join(media, " or ")
	if ct == "" {
		return []Violation{{Check: CheckContentType, Location: "header Content-Type", Rule: "is missing, expected " + want}}, true
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return []Violation{{Check: CheckContentType, Location: "header Content-Type", Value: v.render(ct), Rule: "is not a media type"}}, false
	}
	isJSON := wire.JSON(mt)
	if slices.Contains(media, mt) {
		return nil, isJSON
	}
	return []Violation{{Check: CheckContentType, Location: "header Content-Type", Value: v.render(ct), Rule: "is not " + want}}, isJSON
}

// headerDrift reports the response headers in h that resp does not declare, other than
// those of HTTP itself and of the network in front (standardHeader): a notice, or a
// failure in strict mode.
func (v *Validator) headerDrift(h http.Header, declared []header) []Violation {
	var names []string
	for name := range h {
		if !standardHeader(name) && !slices.ContainsFunc(declared, func(d header) bool { return strings.EqualFold(d.name, name) }) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	var vs []Violation
	for _, name := range names {
		vs = append(vs, v.drift("header "+v.red.Name(http.CanonicalHeaderKey(name))))
	}
	return vs
}

// standardHeaders are response headers no API spec declares: HTTP's own framing,
// caching, content and connection headers (RFC 9110, 9111, 9112), cookies, CORS and
// browser security policy, the CDN's (Cloudflare's CF-*, by prefix), and the recorder's
// own (toolHeaders).
var standardHeaders = map[string]bool{
	"Accept-Ranges": true, "Age": true, "Alt-Svc": true, "Cache-Control": true, "Connection": true,
	"Content-Encoding": true, "Content-Language": true, "Content-Length": true, "Content-Security-Policy": true,
	"Content-Type": true, "Date": true, "Etag": true, "Expires": true, "Keep-Alive": true, "Last-Modified": true,
	"Nel": true, "Permissions-Policy": true, "Pragma": true, "Referrer-Policy": true, "Report-To": true,
	"Server": true, "Set-Cookie": true, "Strict-Transport-Security": true, "Trailer": true,
	"Transfer-Encoding": true, "Vary": true, "Via": true, "X-Content-Type-Options": true, "X-Frame-Options": true,
}

func standardHeader(name string) bool {
	c := http.CanonicalHeaderKey(name)
	return standardHeaders[c] || strings.HasPrefix(c, toolHeaders) || strings.HasPrefix(c, "Cf-") || strings.HasPrefix(c, "Access-Control-")
}

func (v *Validator) checkHeaders(h http.Header, declared []header) []Violation {
	var vs []Violation
	for _, d := range declared {
		where, vals := d.where, h[d.key]
		switch {
		case len(vals) == 0:
			if d.required {
				vs = append(vs, Violation{Check: CheckResponseHeaders, Location: where, Rule: "is missing"})
			}
			continue
		case len(vals) > 1:
			vs = append(vs, Violation{Check: CheckResponseHeaders, Location: where, Rule: fmt.Sprintf("appears %d times, expected once", len(vals))})
			continue
		}
		if d.schema == nil {
			continue
		}
		val := headerValue(vals[0], d.schema)
		for _, f := range v.findings(d.schema.VisitJSON(val, openapi3.MultiErrors())) {
			vs = append(vs, Violation{Check: CheckResponseHeaders, Location: where, Value: f.value, Rule: f.rule})
		}
	}
	return vs
}

// headerValue converts a header's text to the JSON value its schema expects, leaving text
// that does not convert as a string for the schema to reject.
func headerValue(s string, schema *openapi3.Schema) any {
	s = strings.TrimSpace(s)
	switch {
	case schema.Type.Is("integer"), schema.Type.Is("number"):
		if s != "" && (s[0] == '-' || s[0] >= '0' && s[0] <= '9') && json.Valid([]byte(s)) {
			return json.Number(s)
		}
	case schema.Type.Is("boolean"):
		if b, err := strconv.ParseBool(s); err == nil {
			return b
		}
	}
	return s
}
