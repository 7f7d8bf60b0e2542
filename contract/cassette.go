package contract

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v4"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/recorder"

	"github.com/seed-a6d846e6/portkey-runs/internal/redact"
)

// ReplayFile validates every interaction of the go-vcr cassette at path (a .yaml file),
// against its scenario's expectations when Record wrote them. Each gives one Result, named after the file (plus "#<id>" when there are several).
func (v *Validator) ReplayFile(path string) ([]Result, error) {
	return v.replay(os.DirFS(filepath.Dir(path)), filepath.Base(path))
}

// ReplayDir validates every cassette (*.yaml) directly in dir, in name order.
func (v *Validator) ReplayDir(dir string) ([]Result, error) { return v.ReplayFS(os.DirFS(dir)) }

// ReplayFS validates every cassette (*.yaml) at the top of fsys, in name order; with
// Recordings it replays the module's own recordings.
func (v *Validator) ReplayFS(fsys fs.FS) ([]Result, error) {
	files, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, err
	}
	var out []Result
	for _, f := range files { // fs.Glob returns names in order
		rs, err := v.replay(fsys, f)
		if err != nil {
			return out, err
		}
		out = append(out, rs...)
	}
	return out, nil
}

func (v *Validator) replay(fsys fs.FS, file string) ([]Result, error) {
	name := strings.TrimSuffix(file, ".yaml")
	c, err := loadCassette(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("contract: loading cassette %s: %w", file, err)
	}
	out := make([]Result, 0, len(c.Interactions))
	for _, i := range c.Interactions {
		ex := Exchange{Method: i.Request.Method, RequestHeader: i.Request.Headers, Status: i.Response.Code,
			Header: i.Response.Headers, Body: []byte(i.Response.Body), Cut: i.Response.Headers.Get(HeaderCut) != ""}
		if u, err := url.Parse(i.Request.URL); err == nil {
			ex.Path = u.EscapedPath()
		}
		if ex.Header == nil {
			ex.Header = http.Header{}
		}
		n := path.Base(name)
		if len(c.Interactions) > 1 {
			n += "#" + strconv.Itoa(i.ID)
		}
		checks, vs := v.validate(ex)
		infraError := false
		if e := ex.Header.Get(HeaderExpect); e != "" { // recorded by Record: judged as live
			sc, err := parseExpectation(e)
			if err != nil {
				return nil, fmt.Errorf("contract: cassette %s: %w", file, err)
			}
			if refused(sc, ex) {
				out = append(out, notCancellable(n, ex.Status, checks, vs, i.Response.Duration))
				continue
			}
			var expected bool
			checks, vs, expected = v.expect(sc, ex, checks, vs)
			infraError = !expected
		}
		out = append(out, newResult(n, ex.Status, checks, vs, infraError, i.Response.Duration))
	}
	return out, nil
}

// loadCassette loads the cassette name+".yaml" of fsys with go-vcr, once checkYAML has
// found it fit, and refuses one without interactions, which would say nothing, or with an
// empty one ("- " alone), which go-vcr loads as nil.
func loadCassette(fsys fs.FS, name string) (*cassette.Cassette, error) {
	data, err := fs.ReadFile(fsys, name+".yaml")
	if err != nil {
		return nil, err
	}
	if err := checkYAML(data); err != nil {
		return nil, err
	}
	c, err := cassette.LoadWithFS(name, loaded(data))
	if err != nil {
		return nil, err
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

// checkYAML refuses, in one pass over its nodes, a cassette that would cost go-vcr's
// decoder more than linear time: a mapping of more than maxMappingKeys keys, or an alias
// (which decodes its mapping again wherever it is used; go-vcr writes none).
func checkYAML(data []byte) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return err
	}
	stack := []*yaml.Node{&doc}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		switch {
		case n.Kind == yaml.AliasNode:
			return fmt.Errorf("line %d: a YAML alias, which cassettes do not use", n.Line)
		case n.Kind == yaml.MappingNode && len(n.Content) > 2*maxMappingKeys:
			return fmt.Errorf("line %d: a mapping of %d keys, more than a cassette has (at most %d)", n.Line, len(n.Content)/2, maxMappingKeys)
		}
		stack = append(stack, n.Content...)
	}
	return nil
}

// loaded hands go-vcr the bytes of a cassette already read.
type loaded []byte

func (l loaded) ReadFile(string) ([]byte, error) { return l, nil }
func (l loaded) WriteFile(name string, _ []byte) error {
	return fmt.Errorf("contract: %s: a replayed cassette is read-only", name)
}
func (l loaded) IsFileExists(string) bool { return true }

// HeaderCut marks a recorded response whose body was cut at the validator's limit; its
// value says where, and how long the body was. Replay never judges such a body.
const HeaderCut = "Portkey-Runs-Body-Cut"

// Record runs each scenario of scs through s against its live target and writes what was
// exchanged to dir/<scenario name>.yaml, a go-vcr cassette, with every secret redacted
// before anything is written (s.Auth's and the validator's secrets, in any form, and
// key-looking text), and each response marked with what its scenario expected
// (HeaderExpect), which replay judges as a live run would. It returns the validated results, and an error naming the
// scenarios that got no answer: their exchange is not written.
func Record(ctx context.Context, s *Suite, dir string, scs []Scenario) ([]Result, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var out []Result
	var failed []error
	for _, sc := range scs {
		if sc.Name == "" || strings.ContainsAny(sc.Name, `/\`) || strings.HasPrefix(sc.Name, ".") {
			return out, fmt.Errorf("contract: scenario name %q cannot name a cassette file", sc.Name)
		}
		rec, rs, err := recording(s, filepath.Join(dir, sc.Name), sc.expectation())
		if err != nil {
			return out, err
		}
		r := rs.Run(ctx, sc)
		out = append(out, r)
		if r.Status == 0 { // no answer: a cassette would say nothing, or lie
			failed = append(failed, fmt.Errorf("contract: %s not recorded: %s", sc.Name, strings.Join(violationLines(r.Violations()), "; ")))
			continue
		}
		if err := rec.Stop(); err != nil {
			return out, fmt.Errorf("contract: saving cassette %s: %w", sc.Name, err)
		}
	}
	return out, errors.Join(failed...)
}

// LifecycleCassette names the cassette RecordLifecycle writes.
const LifecycleCassette = "lifecycle"

// RecordLifecycle runs s.Lifecycle and writes its whole exchange, every request in order
// (create, cancel, each retrieve, the second cancel), to dir/lifecycle.yaml, redacted as
// Record does; replay judges each interaction against the operation of its request.
func RecordLifecycle(ctx context.Context, s *Suite, dir, assistantID string, p Poll) ([]Result, []Scenario, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, nil, err
	}
	rec, rs, err := recording(s, filepath.Join(dir, LifecycleCassette), "")
	if err != nil {
		return nil, nil, err
	}
	results, scs := rs.Lifecycle(ctx, assistantID, p)
	for _, r := range results {
		if r.Status == 0 {
			return results, scs, fmt.Errorf("contract: %s not recorded: %s got no answer", LifecycleCassette, r.Name)
		}
	}
	if err := rec.Stop(); err != nil {
		return results, scs, fmt.Errorf("contract: saving cassette %s: %w", LifecycleCassette, err)
	}
	return results, scs, nil
}

// recording returns a recorder writing to path.yaml and a copy of s whose requests go
// through it: bodies bounded, secrets redacted before anything is written, and each
// response marked with expect (HeaderExpect) unless it is empty.
func recording(s *Suite, path, expect string) (*recorder.Recorder, *Suite, error) {
	var real http.RoundTripper = http.DefaultTransport
	timeout := 30 * time.Second
	if s.Client != nil {
		timeout = s.Client.Timeout
		if s.Client.Transport != nil {
			real = s.Client.Transport
		}
	}
	limit := DefaultMaxBody
	if s.Validator != nil {
		limit = s.Validator.opts.MaxBody
	}
	// go-vcr reads whole bodies: keep them bounded.
	real = limitTransport{real, limit}
	secrets := s.Auth.Secrets()
	if s.Validator != nil {
		secrets = append(secrets, s.Validator.opts.Secrets...)
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

func violationLines(vs []Violation) []string {
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
			return nil, fmt.Errorf("contract: request body over %d bytes", l.limit)
		}
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	resp, err := l.rt.RoundTrip(req)
	if err == nil && resp.Body != nil {
		resp.Body = &replayBody{r: io.LimitReader(resp.Body, int64(l.limit)+1), c: resp.Body}
	}
	return resp, err
}

// RedactInteraction removes every secret from a recorded interaction (a go-vcr hook): the
// credential headers, cookies, and key-looking values in headers, URL, form and bodies. A
// gzip response body is inflated (up to DefaultMaxBody) and stored decoded, so that it can
// be redacted and scanned; one that cannot be inflated is an error, and is not recorded.
func RedactInteraction(i *cassette.Interaction) error { return redactInteraction(nil, i) }

// redactInteraction is RedactInteraction masking red's secrets too, names and values.
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
	switch strings.ToLower(strings.TrimSpace(p.Headers.Get("Content-Encoding"))) {
	case "gzip", "x-gzip":
		b, err := gunzip([]byte(body), DefaultMaxBody)
		if err != nil {
			return fmt.Errorf("contract: the response body cannot be redacted: %w", err)
		}
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

// errTooLarge is gunzip's answer for a body that inflates past its limit.
var errTooLarge = errors.New("inflates past the limit")

// gunzip inflates b, refusing more than limit bytes with errTooLarge.
func gunzip(b []byte, limit int) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	out, err := io.ReadAll(io.LimitReader(zr, int64(limit)+1))
	switch {
	case err != nil:
		return nil, err
	case len(out) > limit:
		return nil, errTooLarge
	}
	return out, nil
}

// Replayer returns a RoundTripper that answers from the cassette at path (a .yaml file)
// and never touches the network. A request matches a recorded one when method, path,
// query, headers and body agree once both are redacted, whatever the host; when none
// matches, the error says how the closest one differs.
func Replayer(path string) (http.RoundTripper, error) {
	name := strings.TrimSuffix(path, ".yaml")
	c, err := loadCassette(os.DirFS(filepath.Dir(name)), filepath.Base(name))
	if err != nil {
		return nil, fmt.Errorf("contract: loading cassette %s: %w", path, err)
	}
	c.Matcher = MatchRedacted
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
		return nil, fmt.Errorf("contract: no interaction of %s matches (%s)", filepath.Base(r.path), strings.Join(why, "; "))
	}
	if err != nil {
		return nil, err
	}
	resp, err := i.GetHTTPResponse()
	if err == nil && resp.Header.Get(HeaderCut) != "" { // as the original, too long to be read whole
		resp.Body = &replayBody{r: io.MultiReader(strings.NewReader(i.Response.Body), errReader{errCut}), c: resp.Body}
	}
	return resp, err
}

// errCut ends the body of a response that was cut when recorded.
var errCut = errors.New("contract: the recorded body was cut here (" + HeaderCut + ")")

// MatchRedacted is a go-vcr matcher for redacted cassettes: req matches rec when method,
// path, query, headers and body agree after redaction; scheme and host are ignored, so a
// cassette recorded against one address replays against another.
func MatchRedacted(req *http.Request, rec cassette.Request) bool { return mismatch(req, rec) == "" }

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
	keys := make([]string, 0, len(names))
	for k := range names {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
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
