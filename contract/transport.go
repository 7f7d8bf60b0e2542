package contract

import (
	"bytes"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/seed-a6d846e6/portkey-runs/internal/wire"
)

// Transport is an http.RoundTripper that validates every exchange of the spec passing
// through it and reports each one to Report; other requests pass through untouched. It
// never consumes a response body: it reads at most the validator's MaxBody bytes and hands
// the caller a body that yields exactly what the server sent.
type Transport struct {
	Base      http.RoundTripper // nil: http.DefaultTransport
	Validator *Validator        // nil: a default Validator
	// Report receives the result of every validated exchange (Name is "METHOD <path>").
	// It may be called from several goroutines at once.
	Report func(Result)
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	v := t.Validator
	if v == nil {
		var err error
		if v, err = Default(); err != nil {
			return nil, err
		}
	}
	if _, _, ok := v.wire.Match(req.Method, req.URL.EscapedPath()); !ok {
		return base.RoundTrip(req)
	}
	start := time.Now()
	resp, err := base.RoundTrip(req)
	var body []byte
	if err == nil {
		body, err = peekBody(resp, v.opts.MaxBody)
	}
	checks, vs := v.validate(newExchange(req, resp, body, err), make([]Check, 0, 8))
	if t.Report != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Report(newResult(req.Method+" "+req.URL.EscapedPath(), status, checks, vs, err != nil, time.Since(start)))
	}
	if resp == nil {
		return nil, err
	}
	return resp, nil
}

// peekBody reads up to limit+1 bytes of resp.Body and replaces the body with one that
// gives the same bytes, the same end, and the same read error, as the original. The error
// is that of reading, if any.
func peekBody(resp *http.Response, limit int) ([]byte, error) {
	if resp == nil || resp.Body == nil || resp.Body == http.NoBody {
		return nil, nil
	}
	orig := resp.Body
	var b bytes.Buffer
	if n := resp.ContentLength; n >= 0 && n <= int64(limit) {
		b.Grow(int(n) + bytes.MinRead) // one allocation when the length is known
	}
	_, err := b.ReadFrom(io.LimitReader(orig, int64(limit)+1))
	buf := b.Bytes()
	switch {
	case err != nil:
		resp.Body = wire.Body(wire.FailAfter(bytes.NewReader(buf), err), orig)
	case len(buf) > limit:
		resp.Body = wire.Body(io.MultiReader(bytes.NewReader(buf), orig), orig)
	default:
		resp.Body = wire.Body(bytes.NewReader(buf), orig)
	}
	return buf, err
}

var defaultValidator = sync.OnceValues(func() (*Validator, error) { return New(Options{}) })

// Default returns the shared Validator with default options.
func Default() (*Validator, error) { return defaultValidator() }
