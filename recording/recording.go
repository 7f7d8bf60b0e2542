// Package recording records what a contract.Suite exchanges as go-vcr cassettes, every
// secret redacted before anything is written, and replays them: judged again, or served
// back to a client.
package recording

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v4"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/recorder"

	"github.com/seed-a6d846e6/portkey-runs/contract"
	"github.com/seed-a6d846e6/portkey-runs/internal/redact"
	"github.com/seed-a6d846e6/portkey-runs/internal/wire"
)

// Replay judges every interaction of the cassette data with v, each against the
// expectations Record wrote (HeaderExpect), else as Validate does. Each gives one Result,
// named name, plus "#<id>" when there are several.
func Replay(v *contract.Validator, name string, data []byte) ([]contract.Result, error) {
	c, err := load(name, data)
	if err != nil {
		return nil, err
	}
	out := make([]contract.Result, 0, len(c.Interactions))
	for _, i := range c.Interactions {
		ex := contract.Exchange{Method: i.Request.Method, RequestHeader: i.Request.Headers, Status: i.Response.Code,
			Header: i.Response.Headers, Body: []byte(i.Response.Body), Cut: i.Response.Headers.Get(HeaderCut) != ""}
		if u, err := url.Parse(i.Request.URL); err == nil {
			ex.Path = u.EscapedPath()
		}
		if ex.Header == nil {
			ex.Header = http.Header{}
		}
		var r contract.Result
		if e := ex.Header.Get(HeaderExpect); e != "" { // recorded by Record: judged as live
			sc, err := parseExpectation(e)
			if err != nil {
				return nil, fmt.Errorf("recording: cassette %s: %w", name, err)
			}
			r = v.Judge(ex, sc)
		} else {
			r = v.Validate(ex)
		}
		r.Name, r.Duration = name, i.Response.Duration
		if len(c.Interactions) > 1 {
			r.Name += "#" + strconv.Itoa(i.ID)
		}
		out = append(out, r)
	}
	return out, nil
}

// ReplayDir replays every cassette (*.yaml) at the top of fsys, in name order, each
// named after its file without .yaml; with Embedded it replays the module's own.
func ReplayDir(v *contract.Validator, fsys fs.FS) ([]contract.Result, error) {
	files, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, err
	}
	var out []contract.Result
	for _, f := range files { // fs.Glob returns names in order
		data, err := readFile(fsys, f)
		if err != nil {
			return out, fmt.Errorf("recording: %s: %w", f, err)
		}
		rs, err := Replay(v, strings.TrimSuffix(f, ".yaml"), data)
		if err != nil {
			return out, err
		}
		out = append(out, rs...)
	}
	return out, nil
}

// maxCassette bounds the bytes of a cassette read: the validator's body limit and room
// for the YAML around it.
const maxCassette = contract.DefaultMaxBody + 1<<20

// readFile reads name from fsys, at most maxCassette bytes.
func readFile(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxCassette+1))
	if err == nil && len(data) > maxCassette {
		err = fmt.Errorf("is larger than %d MiB", maxCassette>>20)
	}
	return data, err
}

// load decodes the cassette data with go-vcr, once checkYAML has found it fit, and
// refuses one without interactions, which would say nothing, or with an empty one ("- "
// alone), which go-vcr loads as nil. Its errors name the cassette.
func load(name string, data []byte) (*cassette.Cassette, error) {
	c, err := decode(name, data)
	if err != nil {
		return nil, fmt.Errorf("recording: loading cassette %s: %w", name, err)
	}
	return c, nil
}

func decode(name string, data []byte) (*cassette.Cassette, error) {
	doc, err := checkYAML(data)
	if err != nil {
		return nil, err
	}
	// As cassette.Load does, from the document already parsed.
	c := cassette.New(name)
	c.IsNew = false
	if err := doc.Decode(c); err != nil {
		return nil, err
	}
	if c.Version != cassette.CassetteFormatVersion {
		return nil, fmt.Errorf("%w: %d", cassette.ErrUnsupportedCassetteFormat, cassette.CassetteFormatVersion)
	}
	if len(c.Interactions) == 0 {
		return nil, errors.New("it holds no interaction")
	}
	for n, i := range c.Interactions {
		if i == nil {
			return nil, fmt.Errorf("interaction %d is empty", n)
		}
	}
	return c, nil
}

// maxMappingKeys bounds the keys of one YAML mapping in a cassette: go-vcr's decoder
// (go.yaml.in/yaml/v4) compares each key of a mapping with every other, and the mappings
// of a cassette (an interaction, its headers) hold a few dozen.
const maxMappingKeys = 256

// checkYAML parses data, once, and refuses in one pass over its nodes a cassette that
// would cost the decoder more than linear time: a mapping of more than maxMappingKeys
// keys, or an alias (which decodes its mapping again wherever it is used; go-vcr writes
// none).
func checkYAML(data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	stack := []*yaml.Node{&doc}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		switch {
		case n.Kind == yaml.AliasNode:
			return nil, fmt.Errorf("line %d: a YAML alias, which cassettes do not use", n.Line)
		case n.Kind == yaml.MappingNode && len(n.Content) > 2*maxMappingKeys:
			return nil, fmt.Errorf("line %d: a mapping of %d keys, more than a cassette has (at most %d)", n.Line, len(n.Content)/2, maxMappingKeys)
		}
		stack = append(stack, n.Content...)
	}
	return &doc, nil
}

// HeaderCut marks a recorded response whose body was cut at the validator's limit; its
// value says where, and how long the body was. Replay never judges such a body.
const HeaderCut = "Portkey-Runs-Body-Cut"

// Record runs each scenario of scs through s against its live target and writes what was
// exchanged to dir/<scenario name>.yaml, a go-vcr cassette, with every secret redacted
// before anything is written (s.Auth's and the validator's secrets, in any form, and
// key-looking text), and each response marked with what its scenario expected
// (HeaderExpect), which replay judges as a live run would. It returns the validated results, and an error naming the
// scenarios that got no answer: their exchange is not written.
func Record(ctx context.Context, s *contract.Suite, dir string, scs []contract.Scenario) ([]contract.Result, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var out []contract.Result
	var failed []error
	for _, sc := range scs {
		if sc.Name == "" || strings.ContainsAny(sc.Name, `/\`) || strings.HasPrefix(sc.Name, ".") {
			return out, fmt.Errorf("recording: scenario name %q cannot name a cassette file", sc.Name)
		}
		rec, rs, err := recorderFor(s, filepath.Join(dir, sc.Name), expectation(sc))
		if err != nil {
			return out, err
		}
		r := rs.Run(ctx, sc)
		out = append(out, r)
		if r.Status == 0 { // no answer: a cassette would say nothing, or lie
			failed = append(failed, fmt.Errorf("recording: %s not recorded: %s", sc.Name, strings.Join(violationLines(r.Violations()), "; ")))
			continue
		}
		if err := rec.Stop(); err != nil {
			return out, fmt.Errorf("recording: saving cassette %s: %w", sc.Name, err)
		}
	}
	return out, errors.Join(failed...)
}

// lifecycleCassette names the cassette RecordLifecycle writes (lifecycle.yaml).
const lifecycleCassette = "lifecycle"

// RecordLifecycle runs s.Lifecycle and writes its whole exchange, every request in order
// (create, cancel, each retrieve, the second cancel), to dir/lifecycle.yaml, redacted as
// Record does; replay judges each interaction against the operation of its request.
func RecordLifecycle(ctx context.Context, s *contract.Suite, dir, assistantID string, p contract.Poll) ([]contract.Result, []contract.Scenario, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, nil, err
	}
	rec, rs, err := recorderFor(s, filepath.Join(dir, lifecycleCassette), "")
	if err != nil {
		return nil, nil, err
	}
	results, scs := rs.Lifecycle(ctx, assistantID, p)
	for _, r := range results {
		if r.Status == 0 {
			return results, scs, fmt.Errorf("recording: %s not recorded: %s got no answer", lifecycleCassette, r.Name)
		}
	}
	if err := rec.Stop(); err != nil {
		return results, scs, fmt.Errorf("recording: saving cassette %s: %w", lifecycleCassette, err)
	}
	return results, scs, nil
}

// recorderFor returns a recorder writing to path.yaml and a copy of s whose requests go
// through it: bodies bounded, secrets redacted before anything is written, and each
// response marked with expect (HeaderExpect) unless it is empty.
func recorderFor(s *contract.Suite, path, expect string) (*recorder.Recorder, *contract.Suite, error) {
	var real http.RoundTripper = http.DefaultTransport
	var timeout time.Duration // the suite bounds a request when it is 0
	if s.Client != nil {
		timeout = s.Client.Timeout
		if s.Client.Transport != nil {
			real = s.Client.Transport
		}
	}
	limit := contract.DefaultMaxBody
	if s.Validator != nil {
		limit = s.Validator.Options().MaxBody
	}
	// go-vcr reads whole bodies: keep them bounded.
	real = limitTransport{real, limit}
	secrets := s.Auth.Secrets()
	if s.Validator != nil {
		secrets = append(secrets, s.Validator.Options().Secrets...)
	}
	red := redact.New(secrets...)
	hook := func(i *cassette.Interaction) error { return redactInteraction(red, i) }
	rec, err := recorder.New(path,
		recorder.WithMode(recorder.ModeRecordOnly),
		recorder.WithRealTransport(real),
		recorder.WithHook(func(i *cassette.Interaction) error {
			markCut(i, limit)
			if expect != "" {
				i.Response.Headers.Set(HeaderExpect, expect)
			}
			return nil
		}, recorder.BeforeSaveHook),
		recorder.WithHook(hook, recorder.BeforeSaveHook))
	if err != nil {
		return nil, nil, err
	}
	rs := *s
	rs.Client = &http.Client{Transport: rec, Timeout: timeout}
	return rec, &rs, nil
}

func violationLines(vs []contract.Violation) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.String()
	}
	return out
}

// markCut keeps limit bytes of a body that limitTransport cut (it passes one byte more),
// marks it with HeaderCut and makes both lengths say what is stored.
func markCut(i *cassette.Interaction, limit int) {
	p := &i.Response
	if len(p.Body) <= limit {
		return
	}
	sent := "more"
	if p.ContentLength > 0 {
		sent = strconv.FormatInt(p.ContentLength, 10)
	}
	p.Body = p.Body[:limit]
	p.Headers.Set(HeaderCut, fmt.Sprintf("cut at %d bytes of %s", limit, sent))
	p.ContentLength = int64(limit)
	if p.Headers.Get("Content-Length") != "" {
		p.Headers.Set("Content-Length", strconv.Itoa(limit))
	}
}

// limitTransport cuts response bodies after limit+1 bytes, enough for the validator to
// see that a body is too large.
type limitTransport struct {
	rt    http.RoundTripper
	limit int
}

func (l limitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	// go-vcr tees the request body into the cassette as the transport sends it, and reads
	// what it got once the answer is in: a server that answers before reading the body
	// (a 404) races the two. Read it whole first (a create's, small; bounded anyway).
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(io.LimitReader(req.Body, int64(l.limit)+1))
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		if len(b) > l.limit {
			return nil, fmt.Errorf("recording: request body over %d bytes", l.limit)
		}
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	resp, err := l.rt.RoundTrip(req)
	if err == nil && resp.Body != nil {
		resp.Body = wire.Body(io.LimitReader(resp.Body, int64(l.limit)+1), resp.Body)
	}
	return resp, err
}

// redactInteraction removes every secret from a recorded interaction (a go-vcr hook): the
// credential headers, cookies, and key-looking values in headers, URL, form and bodies. A
// gzip response body is inflated (up to contract.DefaultMaxBody) and stored decoded, so that it can
// be redacted and scanned; one that cannot be inflated is an error, and is not recorded.
// red's secrets are masked too, names and values; nil masks key-looking text only.
func redactInteraction(red *redact.Redactor, i *cassette.Interaction) error {
	q := &i.Request
	q.Headers = red.Header(q.Headers)
	q.Trailer = red.Header(q.Trailer)
	q.URL = red.URL(q.URL)
	q.RequestURI = red.URL(q.RequestURI)
	q.Form = red.Query(q.Form)
	q.Body = string(red.Body([]byte(q.Body)))
	q.Host = red.String(q.Host)
	p := &i.Response
	p.Status = red.String(p.Status) // the reason phrase is the target's text
	p.Headers = red.Header(p.Headers)
	p.Trailer = red.Header(p.Trailer)
	body := p.Body
	switch b, err := wire.Decode(p.Headers.Get("Content-Encoding"), []byte(body), contract.DefaultMaxBody); {
	case errors.Is(err, wire.ErrUnknownEncoding): // redacted as it is
	case err != nil:
		return fmt.Errorf("recording: the response body cannot be redacted: %w", err)
	case len(b) != len(body) || string(b) != body:
		body = string(b)
		p.Headers.Del("Content-Encoding")
		p.Uncompressed = true
	}
	if body = string(red.Body([]byte(body))); body != p.Body {
		p.Body = body
		if p.ContentLength >= 0 {
			p.ContentLength = int64(len(body))
		}
		if p.Headers.Get("Content-Length") != "" {
			p.Headers.Set("Content-Length", strconv.Itoa(len(body)))
		}
	}
	return nil
}

// Replayer returns a RoundTripper that answers from the cassette at path (a .yaml file)
// and never touches the network. A request matches a recorded one when method, path,
// query, headers and body agree once both are redacted, whatever the host; when none
// matches, the error says how the closest one differs.
func Replayer(path string) (http.RoundTripper, error) {
	data, err := readFile(os.DirFS(filepath.Dir(path)), filepath.Base(path))
	if err != nil {
		return nil, fmt.Errorf("recording: %w", err)
	}
	c, err := load(path, data)
	if err != nil {
		return nil, err
	}
	c.Matcher = matchRedacted
	c.ReplayableInteractions = true
	return &replayer{c: c, path: path}, nil
}

// replayer answers from a loaded cassette, as a go-vcr recorder in replay-only mode
// without latency would, but from the one load that was checked.
type replayer struct {
	c    *cassette.Cassette
	path string
}

func (r *replayer) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	i, err := r.c.GetInteraction(req)
	if errors.Is(err, cassette.ErrInteractionNotFound) {
		why := []string{"the cassette is empty"}
		for n, i := range r.c.Interactions {
			if n == 0 {
				why = why[:0]
			}
			if n == 3 {
				why = append(why, "...")
				break
			}
			why = append(why, fmt.Sprintf("#%d: %s", i.ID, mismatch(req, i.Request)))
		}
		return nil, fmt.Errorf("recording: no interaction of %s matches (%s)", filepath.Base(r.path), strings.Join(why, "; "))
	}
	if err != nil {
		return nil, err
	}
	resp, err := i.GetHTTPResponse()
	if err == nil && resp.Header.Get(HeaderCut) != "" { // as the original, too long to be read whole
		resp.Body = wire.Body(wire.FailAfter(strings.NewReader(i.Response.Body), errCut), resp.Body)
	}
	return resp, err
}

// errCut ends the body of a response that was cut when recorded.
var errCut = errors.New("recording: the recorded body was cut here (" + HeaderCut + ")")

// matchRedacted is a go-vcr matcher for redacted cassettes: req matches rec when method,
// path, query, headers and body agree after redaction; scheme and host are ignored, so a
// cassette recorded against one address replays against another.
func matchRedacted(req *http.Request, rec cassette.Request) bool { return mismatch(req, rec) == "" }

// mismatch returns how req differs from rec after redaction, or "" when it does not.
func mismatch(req *http.Request, rec cassette.Request) string {
	if req.Method != rec.Method {
		return fmt.Sprintf("method %s, recorded %s", req.Method, rec.Method)
	}
	ru, err := url.Parse(rec.URL)
	if err != nil {
		return "the recorded URL does not parse"
	}
	if got, want := req.URL.EscapedPath(), ru.EscapedPath(); got != want {
		return fmt.Sprintf("path %s, recorded %s", got, want)
	}
	if got, want := redact.Query(req.URL.Query()).Encode(), ru.Query().Encode(); got != want {
		return fmt.Sprintf("query %q, recorded %q", got, want)
	}
	got, want := canonical(redact.Header(req.Header)), canonical(rec.Headers)
	names := map[string]bool{}
	for k := range got {
		names[http.CanonicalHeaderKey(k)] = true
	}
	for k := range want {
		names[http.CanonicalHeaderKey(k)] = true
	}
	for _, k := range slices.Sorted(maps.Keys(names)) {
		if g, w := got.Values(k), want.Values(k); !slices.Equal(g, w) {
			return fmt.Sprintf("header %s %q, recorded %q", k, g, w)
		}
	}
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return "reading the request body: " + err.Error()
		}
		req.Body = io.NopCloser(bytes.NewReader(b))
		body = b
	}
	if string(redact.Body(body)) != rec.Body {
		return "the request body differs"
	}
	return ""
}

func canonical(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		ck := http.CanonicalHeaderKey(k)
		out[ck] = append(out[ck], vs...)
	}
	return out
}
