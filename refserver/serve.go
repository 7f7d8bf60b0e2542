package refserver

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/seed-a6d846e6/portkey-runs/internal/redact"
)

// DefaultAddr is where Serve listens when addr is empty: loopback only.
const DefaultAddr = "127.0.0.1:8080"

// shutdownGrace is how long Serve waits for requests in flight once ctx ends.
const shutdownGrace = 5 * time.Second

// limits bound the phases of a connection (Serve documents its values): the header, the
// whole request, the answer (counted from the end of the header), idling, header size.
type limits struct {
	readHeader, read, write, idle time.Duration
	maxHeader                     int
}

// serveLimits are Serve's: loopback requests take milliseconds, bodies are at most 64 KiB,
// the answer outlasts the longest delay= fault, headers fit an inline x-portkey-config.
var serveLimits = limits{readHeader: 5 * time.Second, read: 10 * time.Second,
	write: maxDelay + 10*time.Second, idle: time.Minute, maxHeader: 64 << 10}

// withLimits replaces serveLimits, for tests.
func withLimits(l limits) Option { return func(c *config) { c.limits = l } }

// WithLogger sets where Serve logs one line per request (nothing by default).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// Serve listens on addr (DefaultAddr when empty), serves a Server seeded with the demo runs
// (SeedDemo) and, when ctx ends, stops accepting, ends delayed requests and waits up to 5s
// for the others. It returns nil after a graceful shutdown. ready, when not nil, is called
// with the listening address once requests are accepted.
//
// Every phase of a request is bounded: 5s to send the header, 10s for the whole request,
// 40s from the header's end to the end of the answer, 64 KiB of header (431 past it); an
// idle connection closes after a minute.
func Serve(ctx context.Context, addr string, ready func(net.Addr), opts ...Option) error {
	if addr == "" {
		addr = DefaultAddr
	}
	s, err := New(opts...)
	if err != nil {
		return err
	}
	if err := SeedDemo(s.Store); err != nil {
		return err
	}
	c := newConfig(opts)
	logger := c.logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           logRequests(s, logger),
		ReadHeaderTimeout: c.limits.readHeader,
		ReadTimeout:       c.limits.read,
		WriteTimeout:      c.limits.write,
		IdleTimeout:       c.limits.idle,
		MaxHeaderBytes:    c.limits.maxHeader,
		BaseContext:       func(net.Listener) context.Context { return ctx }, // ends delay= faults at shutdown
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	logger.Info("serving", "addr", ln.Addr().String(), "runs", s.Store.Len())
	if ready != nil {
		ready(ln.Addr())
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	err = srv.Shutdown(sctx)
	if serr := <-done; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	logger.Info("stopped")
	return err
}

// logRequests logs method, path (redacted, in case a key was put in it), status and
// duration of each request: never a header, a query string or a body, so no credential
// reaches the log.
func logRequests(next http.Handler, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			logger.Info("request", "method", r.Method, "path", redact.String(r.URL.EscapedPath()),
				"status", sw.status, "duration", time.Since(start).Round(time.Microsecond))
		}()
		next.ServeHTTP(sw, r)
	})
}

// statusWriter remembers the status written through it.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
