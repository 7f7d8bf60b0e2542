package portkey

import (
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/seed-a6d846e6/portkey-runs/internal/redact"
)

// HeaderRetryAttempt carries the attempt number on every request RetryTransport sends:
// 0 for the first, 1 for the first retry, and so on, so that a server can count retries.
const HeaderRetryAttempt = "X-Retry-Attempt"

// Retry defaults, the same as openai-go's.
const (
	DefaultMaxRetries = 2
	DefaultBaseDelay  = 500 * time.Millisecond
	DefaultMaxDelay   = 8 * time.Second
	// MaxRetryAfter is the longest server-requested wait honoured; a longer one ends
	// retrying and hands the response back.
	MaxRetryAfter = time.Minute
)

// RetryTransport is an http.RoundTripper that retries connection errors, 408, 409, 429
// and 5xx with exponential backoff, honouring retry-after-ms, Retry-After and
// x-should-retry. It never retries 400, 401, 403, 404, 412 or 446, nor an answer with
// x-portkey-gateway-exception: true (the upstream may have acted), never sleeps past the
// request context's deadline (it returns the last answer instead), and sends a request
// only once when its body cannot be replayed (no GetBody). The zero value does not retry;
// NewRetryTransport gives the defaults.
type RetryTransport struct {
	Base       http.RoundTripper // nil means http.DefaultTransport
	MaxRetries int               // retries after the first attempt
	BaseDelay  time.Duration     // first backoff; 0 means DefaultBaseDelay
	MaxDelay   time.Duration     // backoff cap; 0 means DefaultMaxDelay
	Logger     *slog.Logger      // one line per retry decision; nil logs nothing

	now   func() time.Time                           // nil means time.Now
	sleep func(context.Context, time.Duration) error // nil means sleepContext
}

// NewRetryTransport returns a RetryTransport over base with DefaultMaxRetries.
func NewRetryTransport(base http.RoundTripper) *RetryTransport {
	return &RetryTransport{Base: base, MaxRetries: DefaultMaxRetries}
}

// RoundTrip sends req, and again while the answer is retryable and retries remain.
func (t *RetryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	ctx := req.Context()
	replayable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	for attempt := 0; ; attempt++ {
		r := new(http.Request)
		*r = *req
		r.Header = req.Header.Clone()
		if r.Header == nil {
			r.Header = make(http.Header, 1)
		}
		r.Header.Set(HeaderRetryAttempt, strconv.Itoa(attempt))
		if attempt > 0 && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			r.Body = body
		}
		resp, err := base.RoundTrip(r)
		if attempt >= t.MaxRetries || !replayable {
			return resp, err
		}
		wait, retry := t.backoff(ctx, attempt, resp, err)
		if !retry {
			return resp, err
		}
		if deadline, ok := ctx.Deadline(); ok && t.clock().Add(wait).After(deadline) {
			t.log(ctx, slog.LevelDebug, "portkey: not retrying, the wait would pass the deadline", req, attempt, resp, err, wait)
			return resp, err
		}
		t.log(ctx, slog.LevelInfo, "portkey: retrying", req, attempt, resp, err, wait)
		if resp != nil {
			_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
			_ = resp.Body.Close()
		}
		sleep := t.sleep
		if sleep == nil {
			sleep = sleepContext
		}
		if err := sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// backoff says whether an answer is retried and after how long.
func (t *RetryTransport) backoff(ctx context.Context, attempt int, resp *http.Response, err error) (time.Duration, bool) {
	if err != nil {
		if ctx.Err() != nil {
			return 0, false
		}
		return t.delay(attempt), true
	}
	switch code := resp.StatusCode; {
	case gatewayException(resp.Header): // as Portkey's own SDKs: the request may have acted
		return 0, false
	case code < 400, code == 400, code == 401, code == 403, code == 404, code == 412, code == 446:
		return 0, false
	default:
		switch resp.Header.Get("X-Should-Retry") {
		case "false":
			return 0, false
		case "true":
		default:
			if code != 408 && code != 409 && code != 429 && code < 500 {
				return 0, false
			}
		}
	}
	if d, ok := t.retryAfter(resp.Header); ok {
		return d, d <= MaxRetryAfter
	}
	return t.delay(attempt), true
}

// retryAfter reads the server's wait: retry-after-ms, then Retry-After in seconds or as
// an HTTP date. A wait too long for time.Duration comes back as longer than MaxRetryAfter.
func (t *RetryTransport) retryAfter(h http.Header) (time.Duration, bool) {
	if d, ok := delta(h.Get("Retry-After-Ms"), time.Millisecond); ok {
		return d, true
	}
	v := h.Get("Retry-After")
	if d, ok := delta(v, time.Second); ok {
		return d, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(at.Sub(t.clock()), 0), true
	}
	return 0, false
}

// delta reads digits-only v (RFC 9110 delay-seconds) as a count of unit, comparing with
// MaxRetryAfter before multiplying so that a huge value cannot overflow into a short wait.
func delta(v string, unit time.Duration) (time.Duration, bool) {
	if v == "" || strings.Trim(v, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 64) // digits only: the one error is ErrRange
	if err != nil || n > int64(MaxRetryAfter/unit) {
		return MaxRetryAfter + unit, true
	}
	return time.Duration(n) * unit, true
}

// delay is the exponential backoff for an attempt, capped, less up to 25% jitter.
func (t *RetryTransport) delay(attempt int) time.Duration {
	d, limit := t.BaseDelay, t.MaxDelay
	if d <= 0 {
		d = DefaultBaseDelay
	}
	if limit <= 0 {
		limit = DefaultMaxDelay
	}
	for i := 0; i < attempt && d < limit; i++ {
		d *= 2
	}
	d = min(d, limit)
	return time.Duration(float64(d) * (1 - 0.25*rand.Float64()))
}

func (t *RetryTransport) clock() time.Time {
	if t.now != nil {
		return t.now()
	}
	return time.Now()
}

// log writes one retry decision: method, URL and error redacted (internal/redact), attempt,
// status, wait. Headers are never logged.
func (t *RetryTransport) log(ctx context.Context, level slog.Level, msg string, req *http.Request, attempt int, resp *http.Response, err error, wait time.Duration) {
	if t.Logger == nil || !t.Logger.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", req.Method),
		slog.String("url", redact.URL(req.URL.String())),
		slog.Int("attempt", attempt),
		slog.Duration("wait", wait),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", redact.String(err.Error())))
	} else {
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
	}
	t.Logger.LogAttrs(ctx, level, msg, attrs...)
}

func sleepContext(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}
