package refserver

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/gen"
	"github.com/seed-a6d846e6/portkey-runs/internal/hostile"
)

// short are limits small enough for tests to see each one end a connection.
var short = limits{readHeader: 200 * time.Millisecond, read: 300 * time.Millisecond,
	write: 500 * time.Millisecond, idle: 300 * time.Millisecond, maxHeader: 4 << 10}

// serveShort serves New, seeded with the demo runs and the hostile ones (queued), under
// the short limits until the test ends.
func serveShort(t testing.TB, opts ...Option) (string, *Server) {
	t.Helper()
	s, err := New(WithCancelDelay(time.Hour))
	require.NoError(t, err)
	require.NoError(t, SeedDemo(s.Store))
	for _, id := range []string{hostile.RunID, hostile.HiddenRunID} {
		_, err := s.Store.Seed(hostile.ThreadID, id, gen.RunStatusQueued)
		require.NoError(t, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	c := newConfig(append([]Option{withLimits(short)}, opts...))
	go func() { done <- serve(ctx, ln, s, c, nil) }()
	t.Cleanup(func() { cancel(); assert.NoError(t, <-done) })
	return ln.Addr().String(), s
}

// send writes r on a new connection to addr (its drip a byte per interval) and reads
// what the server answers until it closes the connection (at most 3s): the answers and
// how long the connection was held.
func send(t *testing.T, addr string, r hostile.Request, interval time.Duration) (answers []*http.Response, bodies []string, held time.Duration) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	began := time.Now()
	go func() {
		if _, err := io.WriteString(c, r.Raw); err != nil {
			return
		}
		for i := range len(r.Drip) {
			time.Sleep(interval)
			if _, err := io.WriteString(c, r.Drip[i:i+1]); err != nil {
				return
			}
		}
		if r.Cut {
			_ = c.(*net.TCPConn).CloseWrite()
		}
	}()
	require.NoError(t, c.SetReadDeadline(began.Add(3*time.Second)))
	br := bufio.NewReader(c)
	for {
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			break
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		answers, bodies = append(answers, res), append(bodies, string(b))
	}
	_, err = io.Copy(io.Discard, br) // until the server closes
	require.False(t, errors.Is(err, os.ErrDeadlineExceeded), "the connection is still open after 3s")
	return answers, bodies, time.Since(began)
}

// drip sends head, then tail a byte every 50ms: the first answer (status 0 when none).
func drip(t *testing.T, addr, head, tail string) (status int, body string, held time.Duration) {
	t.Helper()
	answers, bodies, held := send(t, addr, hostile.Request{Raw: head, Drip: tail}, 50*time.Millisecond)
	if len(answers) == 0 {
		return 0, "", held
	}
	return answers[0].StatusCode, bodies[0], held
}

// TestServeRefusesHostileRequests: each hostile request is refused within the limits, in
// the envelope, on a connection then closed, and changes no run (the hidden ones included).
func TestServeRefusesHostileRequests(t *testing.T) {
	addr, s := serveShort(t)
	for _, r := range hostile.Requests() {
		t.Run(r.Name, func(t *testing.T) {
			answers, bodies, held := send(t, addr, r, hostile.DripInterval)
			assert.Less(t, held, time.Second)
			require.LessOrEqual(t, len(answers), 1, "a hidden request was answered: %q", bodies)
			if r.Status != 0 {
				require.Len(t, answers, 1)
			}
			for i, a := range answers {
				if r.Status != 0 {
					assert.Equal(t, r.Status, a.StatusCode, bodies[i])
				}
				assert.GreaterOrEqual(t, a.StatusCode, 400, bodies[i])
				assert.Equal(t, "application/json", a.Header.Get("Content-Type"), bodies[i])
				assert.True(t, json.Valid([]byte(bodies[i])) && strings.HasPrefix(bodies[i], `{"error":{`), bodies[i])
			}
			for _, id := range []string{hostile.RunID, hostile.HiddenRunID} {
				run, err := s.Store.Get(hostile.ThreadID, id)
				require.NoError(t, err)
				assert.Equal(t, gen.RunStatusQueued, run.Status, id)
			}
		})
	}
}

// request is the head of a cancel of a demo run, up to the blank line.
func request(run string) string {
	return "POST /v1/threads/thread_demo/runs/" + run + "/cancel HTTP/1.1\r\nHost: refserver.test\r\n" +
		"X-Portkey-Api-Key: pk\r\nX-Portkey-Virtual-Key: vk\r\n"
}

// TestServeBoundsEveryPhase: a client that is slow in any phase of a request loses the
// connection once the phase's limit is over.
func TestServeBoundsEveryPhase(t *testing.T) {
	addr, _ := serveShort(t)
	t.Run("header", func(t *testing.T) {
		status, body, held := drip(t, addr, "POST /v1/threads/thread_demo/runs/run_queued/cancel HTTP/1.1\r\n", "Host: refserver.test\r\n")
		assert.NotEqual(t, http.StatusOK, status, body)
		assert.Less(t, held, time.Second)
	})
	t.Run("body", func(t *testing.T) {
		status, body, held := drip(t, addr, request("run_queued")+"Content-Length: 40\r\n\r\n", strings.Repeat("a", 40))
		assert.Equal(t, http.StatusBadRequest, status, body)
		assert.Contains(t, body, `"message":"The request body could not be read to its end`)
		assert.Less(t, held, time.Second)
	})
	t.Run("answer", func(t *testing.T) {
		status, body, held := drip(t, addr, request("run_in_progress")+"Prefer: delay=1s\r\n\r\n", "")
		assert.Zero(t, status, "answered after the write limit: %s", body)
		assert.Less(t, held, 2*time.Second)
	})
	t.Run("idle", func(t *testing.T) {
		status, body, held := drip(t, addr, request("run_requires_action")+"\r\n", "")
		assert.Equal(t, http.StatusOK, status, body)
		assert.Less(t, held, time.Second)
	})
	t.Run("header size", func(t *testing.T) {
		status, body, held := drip(t, addr, request("run_queued")+"X-Padding: "+strings.Repeat("a", 8<<10)+"\r\n\r\n", "")
		assert.Equal(t, http.StatusRequestHeaderFieldsTooLarge, status, body)
		assert.Less(t, held, time.Second)
	})
}

func TestServeLimitsAreSet(t *testing.T) {
	for name, d := range map[string]time.Duration{"header": serveLimits.readHeader, "request": serveLimits.read, "idle": serveLimits.idle} {
		assert.Positive(t, d, name)
	}
	assert.Greater(t, serveLimits.write, maxDelay, "delay= faults can answer")
	assert.Positive(t, serveLimits.maxHeader)
}

// FuzzServeRequest writes any bytes to Serve's server: whatever it answers first is JSON
// under application/json (net/http's own refusals included), it never panics, and it
// closes the connection within its limits.
func FuzzServeRequest(f *testing.F) {
	for _, r := range hostile.Requests() {
		f.Add(r.Raw + r.Drip)
	}
	f.Add(request("run_queued") + "\r\n")
	f.Add(request("run_queued") + "Expect: 100-continue\r\nContent-Length: 2\r\n\r\n{}")
	f.Add("HEAD /v1/threads/thread_demo/runs/run_queued/cancel HTTP/1.1\r\nHost: x\r\n\r\n")
	f.Add("GET / HTTP/1.0\r\n\r\n")
	var log bytes.Buffer
	var mu sync.Mutex
	addr, _ := serveShort(f, WithLogger(slog.New(slog.NewTextHandler(lockedWriter{&mu, &log}, nil))))
	f.Fuzz(func(t *testing.T, raw string) {
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		defer c.Close()
		go func() {
			_, _ = io.WriteString(c, raw)
			_ = c.(*net.TCPConn).CloseWrite()
		}()
		require.NoError(t, c.SetReadDeadline(time.Now().Add(3*time.Second)))
		br := bufio.NewReader(c)
		method, _, _ := strings.Cut(raw, " ")
		for {
			res, err := http.ReadResponse(br, &http.Request{Method: method})
			if err != nil {
				require.False(t, errors.Is(err, os.ErrDeadlineExceeded), "no answer and no close after 3s")
				break
			}
			body, err := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode < 200 {
				continue // 100 Continue
			}
			require.NoError(t, err)
			assert.Equal(t, "application/json", res.Header.Get("Content-Type"), "%d %q", res.StatusCode, body)
			if len(body) > 0 {
				assert.True(t, json.Valid(body), "%d %q", res.StatusCode, body)
			}
			break
		}
		_, err = io.Copy(io.Discard, br)
		require.False(t, errors.Is(err, os.ErrDeadlineExceeded), "the connection is still open after 3s")
		mu.Lock()
		defer mu.Unlock()
		require.NotContains(t, log.String(), "panic")
	})
}

// lockedWriter serialises writes to w.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
