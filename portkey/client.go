package portkey

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"github.com/seed-a6d846e6/portkey-runs/gen"
	"github.com/seed-a6d846e6/portkey-runs/internal/redact"
	"github.com/seed-a6d846e6/portkey-runs/internal/wire"
)

// Client defaults.
const (
	DefaultBaseURL          = "https://api.portkey.ai/v1"
	DefaultTimeout          = time.Minute
	DefaultMaxResponseBytes = 8 << 20
)

const modulePath = "github.com/seed-a6d846e6/portkey-runs"

// Client calls Portkey's Cancel Run with credentials, retries, bounded reads and typed
// errors. Gen gives the generated client, configured the same way. It is safe for
// concurrent use.
type Client struct {
	cfg    config
	gen    *gen.ClientWithResponses
	doer   limitDoer
	base   *url.URL
	header http.Header      // sent on every request
	red    *redact.Redactor // masks the credentials in every error
}

type config struct {
	baseURL    string
	auth       Auth
	httpClient *http.Client
	maxRetries int
	timeout    time.Duration
	maxBody    int64
	header     http.Header
	logger     *slog.Logger
}

// Option configures New.
type Option func(*config)

// WithBaseURL sets the API base URL, /v1 included (default DefaultBaseURL, or
// PORTKEY_BASE_URL when set).
func WithBaseURL(u string) Option { return func(c *config) { c.baseURL = u } }

// WithAuth sets the credentials (default AuthFromEnv()).
func WithAuth(a Auth) Option { return func(c *config) { c.auth = a } }

// WithHTTPClient sends through a copy of hc whose transport is wrapped in a
// RetryTransport (unless it is one already). Its Timeout is kept; its CheckRedirect is
// replaced by CheckRedirect.
func WithHTTPClient(hc *http.Client) Option { return func(c *config) { c.httpClient = hc } }

// WithMaxRetries sets how often a request is retried (default DefaultMaxRetries; 0: never).
func WithMaxRetries(n int) Option { return func(c *config) { c.maxRetries = n } }

// WithTimeout bounds each call whose context has no deadline, retries included
// (default DefaultTimeout; 0: no bound).
func WithTimeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// WithMaxResponseBytes sets the largest response body read (default DefaultMaxResponseBytes).
func WithMaxResponseBytes(n int64) Option { return func(c *config) { c.maxBody = n } }

// WithHeader sends a header on every request; an empty value removes a default such as
// OpenAI-Beta. Credentials belong in WithAuth, which keeps them out of output.
func WithHeader(key, value string) Option {
	return func(c *config) {
		if value == "" {
			c.header.Del(key)
		} else {
			c.header.Set(key, value)
		}
	}
}

// WithLogger logs retry decisions (never headers or keys).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// New returns a Client. Without options it uses PORTKEY_BASE_URL (or DefaultBaseURL),
// AuthFromEnv, DefaultMaxRetries, DefaultTimeout, DefaultMaxResponseBytes, and sends
// OpenAI-Beta: assistants=v2 and User-Agent: portkey-runs/<version>.
func New(opts ...Option) (*Client, error) {
	cfg := config{
		baseURL:    DefaultBaseURL,
		auth:       AuthFromEnv(),
		maxRetries: DefaultMaxRetries,
		timeout:    DefaultTimeout,
		maxBody:    DefaultMaxResponseBytes,
		header: http.Header{
			"Openai-Beta": {"assistants=v2"},
			"User-Agent":  {UserAgent()},
			"Accept":      {"application/json"},
		},
	}
	if v := os.Getenv(EnvBaseURL); v != "" {
		cfg.baseURL = v
	}
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.auth.Validate(); err != nil {
		return nil, err
	}
	base, err := ParseBaseURL(cfg.baseURL)
	if err != nil {
		return nil, fmt.Errorf("portkey: %w", err)
	}
	switch {
	case cfg.maxRetries < 0:
		return nil, errors.New("portkey: max retries must not be negative")
	case cfg.timeout < 0:
		return nil, errors.New("portkey: the timeout must not be negative")
	case cfg.maxBody <= 0:
		return nil, errors.New("portkey: the response size limit must be positive")
	}

	hc := &http.Client{}
	if cfg.httpClient != nil {
		*hc = *cfg.httpClient
	}
	hc.CheckRedirect = CheckRedirect
	if _, ok := hc.Transport.(*RetryTransport); !ok && cfg.maxRetries > 0 {
		rt := NewRetryTransport(hc.Transport)
		rt.MaxRetries, rt.Logger = cfg.maxRetries, cfg.logger
		hc.Transport = rt
	}

	c := &Client{
		cfg:    cfg,
		doer:   limitDoer{hc: hc, limit: cfg.maxBody, timeout: cfg.timeout},
		base:   base,
		header: cfg.header.Clone(),
		red:    redact.New(cfg.auth.Secrets()...),
	}
	cfg.auth.Apply(c.header)
	c.gen, err = gen.NewClientWithResponses(base.String(), gen.WithHTTPClient(c.doer), gen.WithRequestEditorFn(c.setHeaders))
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Gen returns the generated client, sending through the same transport, headers and
// limits as c, for callers who want the raw generated responses. It does not guard IDs;
// CancelRun does.
func (c *Client) Gen() *gen.ClientWithResponses { return c.gen }

// Cancel cancels a run and returns it (status cancelling or cancelled). A non-2xx answer
// (a redirect too: none is followed) is an *APIError, a *GatewayError (wrapping one) when
// the gateway says it failed itself, a 2xx that is not a run a
// *DecodeError, a body over the limit a *BodyTooLargeError; an empty ID is ErrEmptyID and
// an ID that is not UTF-8, or is "." or "..", ErrInvalidID, before anything is sent.
func (c *Client) Cancel(ctx context.Context, threadID, runID string) (*gen.Run, error) {
	if err := checkIDs(threadID, runID); err != nil {
		return nil, err
	}
	resp, err := c.gen.CancelRun(ctx, threadID, runID, nil) // through c.doer, with c.header
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := readBody(resp, c.cfg.maxBody)
	if err != nil {
		return nil, fmt.Errorf("portkey: reading the response (status %d): %w", resp.StatusCode, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		if gatewayException(resp.Header) {
			return nil, &GatewayError{newAPIError(resp, body, c.red)}
		}
		return nil, newAPIError(resp, body, c.red)
	}
	return decodeRun(resp, body, c.red)
}

// ParseBaseURL parses a base URL as New accepts it: http or https, with a host, and without
// user info, query or fragment. Its error never repeats raw, which may hold a password.
func ParseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("the base URL must be an http or https URL without user info, query or fragment, such as " + DefaultBaseURL)
	}
	return u, nil
}

// CheckRedirect is the redirect policy of every client of this module, for an
// http.Client's CheckRedirect: a redirect is never followed, so that credentials never
// leave their origin and a cancel is never sent anywhere else; the 3xx answer is returned.
func CheckRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// decodeRun reads a 2xx answer as a run: a JSON body (by its Content-Type, as openai-go
// requires) holding an object with an id and a status. Unknown statuses and properties are
// kept, for forward compatibility, and the response headers are not read: the generated
// parser is not used, as it fails a run whose optional header is malformed. red masks the
// credentials in a DecodeError.
func decodeRun(resp *http.Response, body []byte, red *redact.Redactor) (*gen.Run, error) {
	ct := resp.Header.Get("Content-Type")
	fail := func(err error) (*gen.Run, error) { // the excerpt only when it is needed
		return nil, &DecodeError{StatusCode: resp.StatusCode, ContentType: red.String(ct), Excerpt: excerpt(body, red), Err: err}
	}
	if ct != "application/json" { // the common case needs no parsing
		if mt, _, err := mime.ParseMediaType(ct); err != nil || !wire.JSON(mt) {
			return fail(errors.New("the Content-Type is not JSON"))
		}
	}
	run := new(gen.Run)
	if err := json.Unmarshal(body, run); err != nil {
		return fail(err)
	}
	if run.ID == "" || run.Status == "" {
		return fail(errors.New("the body has no run id or status"))
	}
	return run, nil
}

// String describes c's configuration without any key.
func (c *Client) String() string {
	return fmt.Sprintf("portkey.Client{BaseURL:%q Auth:%s MaxRetries:%d Timeout:%s MaxResponseBytes:%d}",
		c.base.String(), c.cfg.auth, c.cfg.maxRetries, c.cfg.timeout, c.cfg.maxBody)
}

// GoString is String, so that %#v does not print keys either.
func (c *Client) GoString() string { return c.String() }

// setHeaders is the generated client's request editor.
func (c *Client) setHeaders(_ context.Context, req *http.Request) error {
	if len(req.Header) == 0 { // a request without a body or parameters: one copy, as Clone makes
		req.Header = c.header.Clone()
		return nil
	}
	for k, v := range c.header {
		req.Header[k] = append([]string(nil), v...)
	}
	return nil
}

// readBody reads all of resp.Body, in one allocation when the length is known and
// within limit.
func readBody(resp *http.Response, limit int64) ([]byte, error) {
	if n := resp.ContentLength; n >= 0 && n <= limit {
		b := make([]byte, n)
		_, err := io.ReadFull(resp.Body, b)
		return b, err
	}
	return io.ReadAll(resp.Body)
}

// UserAgent is the User-Agent the client sends: portkey-runs/<module version>.
func UserAgent() string { return userAgent() }

var userAgent = sync.OnceValue(func() string {
	v := "devel"
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Path == modulePath && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, d := range bi.Deps {
			if d.Path == modulePath && d.Version != "" {
				v = d.Version
			}
		}
	}
	return "portkey-runs/" + v
})

// limitDoer sends through hc, bounds each call without a deadline by timeout, and fails
// a body over limit with *BodyTooLargeError.
type limitDoer struct {
	hc      *http.Client
	limit   int64
	timeout time.Duration
}

func (d limitDoer) Do(req *http.Request) (*http.Response, error) {
	cancel := context.CancelFunc(func() {})
	if _, ok := req.Context().Deadline(); !ok && d.timeout > 0 {
		var ctx context.Context
		ctx, cancel = context.WithTimeout(req.Context(), d.timeout)
		req = req.WithContext(ctx)
	}
	resp, err := d.hc.Do(req)
	if err != nil {
		cancel()
		if ue, ok := err.(*url.Error); ok { // it quotes the URL, IDs included
			ue.URL = redact.URL(ue.URL)
		}
		return nil, err
	}
	if resp.ContentLength > d.limit {
		_ = resp.Body.Close()
		cancel()
		return nil, &BodyTooLargeError{StatusCode: resp.StatusCode, Limit: d.limit}
	}
	resp.Body = &limitedBody{rc: resp.Body, left: d.limit, limit: d.limit, status: resp.StatusCode, cancel: cancel}
	return resp, nil
}

// limitedBody reads at most limit bytes and fails if there are more.
type limitedBody struct {
	rc          io.ReadCloser
	left, limit int64
	status      int
	cancel      context.CancelFunc
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		var probe [1]byte
		n, err := b.rc.Read(probe[:])
		if n > 0 {
			return 0, &BodyTooLargeError{StatusCode: b.status, Limit: b.limit}
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *limitedBody) Close() error {
	err := b.rc.Close()
	b.cancel()
	return err
}
