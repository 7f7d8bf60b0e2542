package refserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
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
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return serve(ctx, ln, s, newConfig(opts), ready)
}

// serve is Serve on a listener and a server of the caller's.
func serve(ctx context.Context, ln net.Listener, s *Server, c config, ready func(net.Addr)) error {
	logger := c.logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
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
	go func() { done <- srv.Serve(envelopeListener{ln}) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	err := srv.Shutdown(sctx)
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
			logger.Info("request", "method", clip(r.Method), "path", loggedPath(sentPath(r)),
				"status", sw.status, "duration", time.Since(start).Round(time.Microsecond))
		}()
		next.ServeHTTP(sw, r)
	})
}

// maxLogged bounds each value logged from a request.
const maxLogged = 256

// clip cuts s to maxLogged bytes, saying how long it was.
func clip(s string) string {
	if len(s) <= maxLogged {
		return s
	}
	return fmt.Sprintf("%s...[%d bytes in all]", s[:maxLogged], len(s))
}

// loggedPath is p redacted and clipped. Only twice what shows is redacted (a 50 KiB path
// takes 8ms, 1 MB 0.13s): a key cut there is still over maxLogged bytes long.
func loggedPath(p string) string {
	shown := redact.String(p[:min(len(p), 2*maxLogged)])
	if len(p) <= 2*maxLogged && len(shown) <= maxLogged {
		return shown
	}
	return fmt.Sprintf("%s...[%d bytes in all]", shown[:min(len(shown), maxLogged)], len(p))
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

// envelopeListener's connections answer in OpenAI's envelope the requests that net/http
// refuses before any handler runs (a bad escape in the path, a malformed or too large
// header): they rewrite the plain-text answer net/http writes for these in one Write.
type envelopeListener struct{ net.Listener }

func (l envelopeListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return envelopeConn{c}, nil
}

type envelopeConn struct{ net.Conn }

// plainHeaders is what net/http writes between the status line and the text of an answer
// it makes itself: "HTTP/1.1 400 Bad Request" + plainHeaders + "400 Bad Request".
const plainHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

func (c envelopeConn) Write(p []byte) (int, error) {
	code, text, ok := plainRefusal(p)
	if !ok {
		return c.Conn.Write(p)
	}
	typ := "invalid_request_error"
	if code >= 500 {
		typ = "server_error"
	}
	msg := fmt.Sprintf("The request could not be parsed (%s); check the path's escapes (%%25 for %%) and the headers.", text)
	body, err := json.Marshal(envelope(msg, typ, nil, nil))
	if err != nil {
		return c.Conn.Write(p)
	}
	if _, err := fmt.Fprintf(c.Conn, "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s\n",
		code, http.StatusText(code), len(body)+1, body); err != nil {
		return 0, err
	}
	return len(p), nil
}

// plainRefusal parses what net/http writes when it refuses a request itself.
func plainRefusal(p []byte) (code int, text []byte, ok bool) {
	line, text, ok := bytes.Cut(p, []byte(plainHeaders))
	if !ok || len(line) < len("HTTP/1.1 NNN") || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) || bytes.ContainsAny(line, "\r\n") {
		return 0, nil, false
	}
	code, err := strconv.Atoi(string(line[len("HTTP/1.1 "):len("HTTP/1.1 NNN")]))
	return code, text, err == nil && code >= 400 && code <= 599
}

// CloseWrite lets net/http half-close the connection before closing it, as it does for
// the connection itself.
func (c envelopeConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
