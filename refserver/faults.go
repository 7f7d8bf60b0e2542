package refserver

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/seed-a6d846e6/portkey-runs/gen"
)

// maxDelay bounds the delay= fault; maxCounters bounds the times= counters kept.
const (
	maxDelay    = 30 * time.Second
	maxCounters = 4096
)

// fault is one parsed Prefer header (the keys are listed on Server).
type fault struct {
	code         int
	retryAfter   int // seconds; 0 when not asked for
	retryAfterMS int // -1 when not asked for
	delay        time.Duration
	truncate     bool
	times        int // 0: every request
}

// parsePrefer reads the comma-separated key=value list of the Prefer header lines.
func parsePrefer(lines []string) (fault, error) {
	f := fault{retryAfterMS: -1}
	seen := map[string]bool{}
	for _, part := range strings.Split(strings.Join(lines, ","), ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		key, val, ok := strings.Cut(part, "=")
		key, val = strings.ToLower(strings.TrimSpace(key)), strings.TrimSpace(val)
		bad := func(want string) error { return fmt.Errorf("Prefer: bad %q: %s", part, want) }
		if !ok {
			return f, bad("want key=value")
		}
		if seen[key] {
			return f, bad("given twice")
		}
		seen[key] = true
		var err error
		switch key {
		case "code":
			if f.code, err = strconv.Atoi(val); err != nil || f.code < 100 || f.code > 599 {
				return f, bad("want an HTTP status code")
			}
		case "retry-after":
			if f.retryAfter, err = strconv.Atoi(val); err != nil || f.retryAfter < 1 {
				return f, bad("want whole seconds >= 1")
			}
		case "retry-after-ms":
			if f.retryAfterMS, err = strconv.Atoi(val); err != nil || f.retryAfterMS < 0 {
				return f, bad("want milliseconds >= 0")
			}
		case "delay":
			if f.delay, err = time.ParseDuration(val); err != nil || f.delay < 0 || f.delay > maxDelay {
				return f, bad("want a Go duration from 0 to 30s, such as 200ms")
			}
		case "truncate":
			if f.truncate, err = strconv.ParseBool(val); err != nil {
				return f, bad("want true or false")
			}
		case "times":
			if f.times, err = strconv.Atoi(val); err != nil || f.times < 1 {
				return f, bad("want a count >= 1")
			}
		default:
			return f, bad("unknown key; known: code, retry-after, retry-after-ms, delay, truncate, times")
		}
	}
	return f, nil
}

// active reports whether f changes the answer at all.
func (f fault) active() bool { return f.code != 0 || f.delay > 0 || f.truncate }

// faults applies Prefer faults and counts the times= ones.
type faults struct {
	documented map[int]bool

	mu    sync.Mutex
	seen  map[[32]byte]int // hash of Prefer value and IDs -> requests seen
	order [][32]byte       // keys of seen, oldest first
}

// take reports whether the fault applies to this request, counting it.
func (fs *faults) take(f fault, key [32]byte) bool {
	if f.times == 0 {
		return true
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if _, ok := fs.seen[key]; !ok {
		if len(fs.order) >= maxCounters {
			delete(fs.seen, fs.order[0])
			fs.order = fs.order[1:]
		}
		fs.order = append(fs.order, key)
	}
	fs.seen[key]++
	return fs.seen[key] <= f.times
}

// middleware applies the request's faults after authentication and validation and before
// the store is touched: code= and truncate= never change a run, and a delay= during which
// the client gives up does not either.
func (fs *faults) middleware(store *Store) gen.StrictMiddlewareFunc {
	return func(next gen.StrictHandlerFunc, _ string) gen.StrictHandlerFunc {
		return func(ctx context.Context, w http.ResponseWriter, r *http.Request, request any) (any, error) {
			lines := r.Header.Values("Prefer")
			if len(lines) == 0 {
				return next(ctx, w, r, request)
			}
			f, err := parsePrefer(lines)
			if err == nil && f.code != 0 && !fs.documented[f.code] {
				err = fmt.Errorf("Prefer: code=%d is not supported; use one of %v", f.code, slices.Sorted(maps.Keys(fs.documented)))
			}
			if err != nil {
				return reply{status: http.StatusBadRequest, body: envelope(err.Error(), "invalid_request_error", ptr("Prefer"), nil)}, nil
			}
			req, isCancel := request.(gen.CancelRunRequestObject)
			if f.truncate && f.code == 0 && !isCancel {
				return reply{status: http.StatusBadRequest, body: envelope("Prefer: truncate=true needs code= except on a cancel.", "invalid_request_error", ptr("Prefer"), nil)}, nil
			}
			if !f.active() || !fs.take(f, sha256.Sum256([]byte(strings.Join(slices.Concat(lines, []string{r.Method, servedPath(r)}), "\x00")))) {
				return next(ctx, w, r, request)
			}
			if f.delay > 0 {
				t := time.NewTimer(f.delay)
				select {
				case <-ctx.Done():
					t.Stop()
					return reply{status: http.StatusRequestTimeout, body: envelope("The client gave up during the delay asked for with Prefer.", "timeout_error", nil, nil)}, nil
				case <-t.C:
				}
			}
			var res gen.CancelRunResponseObject
			switch {
			case f.code != 0:
				res = f.reply()
			case f.truncate:
				res = answer(store, req, false)
			default: // a delay alone: the real answer, late
				return next(ctx, w, r, request)
			}
			if f.truncate {
				res = truncated{res}
			}
			return res, nil
		}
	}
}

// reply answers f.code with the body a real service gives for it: the gateway's failure
// for 502, 503 and 504, OpenAI's error envelope otherwise.
func (f fault) reply() reply {
	h := http.Header{}
	if f.code == http.StatusTooManyRequests && f.retryAfter == 0 {
		f.retryAfter = 1
	}
	if f.retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(f.retryAfter))
	}
	if f.retryAfterMS >= 0 {
		h.Set("retry-after-ms", strconv.Itoa(f.retryAfterMS))
	}
	suffix := fmt.Sprintf(" (fault injected with Prefer: code=%d)", f.code)
	switch f.code {
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return reply{f.code, h, gatewayFailure(http.StatusText(f.code) + suffix)}
	case http.StatusTooManyRequests:
		msg := fmt.Sprintf("Rate limit reached. Please try again in %ds.%s", f.retryAfter, suffix)
		return reply{f.code, h, envelope(msg, "requests", nil, ptr("rate_limit_exceeded"))}
	case http.StatusUnauthorized:
		return reply{f.code, h, envelope("Invalid API key provided."+suffix, "invalid_request_error", nil, ptr("invalid_api_key"))}
	case http.StatusRequestTimeout:
		return reply{f.code, h, envelope("Request exceeded the timeout sent in the request."+suffix, "timeout_error", nil, nil)}
	}
	typ := "invalid_request_error"
	if f.code >= 500 {
		typ = "server_error"
	}
	text := http.StatusText(f.code)
	if text == "" {
		text = "Error"
	}
	return reply{f.code, h, envelope(text+"."+suffix, typ, nil, nil)}
}

// reply is a JSON answer with any status and headers, for what the generated response
// types cannot say (retry-after-ms, 446).
type reply struct {
	status int
	header http.Header
	body   gen.ErrorResponse
}

func (r reply) VisitCancelRunResponse(w http.ResponseWriter) error {
	writeError(w, r.status, r.body, r.header)
	return nil
}

func (r reply) VisitCreateRunResponse(w http.ResponseWriter) error {
	return r.VisitCancelRunResponse(w)
}
func (r reply) VisitGetRunResponse(w http.ResponseWriter) error { return r.VisitCancelRunResponse(w) }
func (r reply) VisitCreateThreadAndRunResponse(w http.ResponseWriter) error {
	return r.VisitCancelRunResponse(w)
}

// truncated sends only the first half of a response under its full Content-Length; the
// server then closes the connection, so the client reads an unexpected EOF.
// Every fault reply is a gen.CancelRunResponseObject, whatever the operation.
type truncated struct{ gen.CancelRunResponseObject }

func (t truncated) VisitCreateRunResponse(w http.ResponseWriter) error {
	return t.VisitCancelRunResponse(w)
}
func (t truncated) VisitGetRunResponse(w http.ResponseWriter) error {
	return t.VisitCancelRunResponse(w)
}
func (t truncated) VisitCreateThreadAndRunResponse(w http.ResponseWriter) error {
	return t.VisitCancelRunResponse(w)
}

func (t truncated) VisitCancelRunResponse(w http.ResponseWriter) error {
	rec := &recorder{header: http.Header{}, status: http.StatusOK}
	if err := t.CancelRunResponseObject.VisitCancelRunResponse(rec); err != nil {
		return err
	}
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(rec.body.Len()))
	w.WriteHeader(rec.status)
	_, err := w.Write(rec.body.Bytes()[:rec.body.Len()/2])
	return err
}

// recorder is the minimal http.ResponseWriter that truncated renders into.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(status int)      { r.status = status }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
