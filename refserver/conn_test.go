package refserver_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/refserver"
)

// exchange writes raw on a new connection to addr and reads answers until the server
// closes it or 3s pass; closed is false when the connection was still open then.
func exchange(t *testing.T, addr, raw string) (answers []answer, closed bool) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	go func() { _, _ = io.WriteString(c, raw) }() // the server may stop reading
	require.NoError(t, c.SetReadDeadline(time.Now().Add(3*time.Second)))
	br := bufio.NewReader(c)
	for {
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			return answers, !errors.Is(err, os.ErrDeadlineExceeded)
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			return answers, !errors.Is(err, os.ErrDeadlineExceeded)
		}
		answers = append(answers, answer{res.StatusCode, res.Header, body})
	}
}

// head is the request line and headers of a cancel of run on the demo thread, with
// credentials and extra (CRLF-terminated lines), up to the blank line that ends them.
func head(run, extra string) string {
	return "POST /v1" + cancelPath(refserver.DemoThread, run) + " HTTP/1.1\r\nHost: refserver.test\r\n" +
		"X-Portkey-Api-Key: pk\r\nX-Portkey-Virtual-Key: vk\r\n" + extra
}

// stillInProgress reports whether run_in_progress of the demo thread can still be
// cancelled at addr (it cancels it).
func stillInProgress(t *testing.T, addr string) bool {
	t.Helper()
	a, _ := exchange(t, addr, head("run_in_progress", "Connection: close\r\n\r\n"))
	require.Len(t, a, 1)
	return a[0].status == http.StatusOK
}

// wrapped is any http.ResponseWriter wrapper that does not unwrap (a logger, a metrics
// middleware, ...).
type wrapped struct{ http.ResponseWriter }

// startWrapped serves New, seeded with the demo runs, behind a wrapping writer.
func startWrapped(t *testing.T) string {
	t.Helper()
	s, err := refserver.New(refserver.WithCancelDelay(time.Hour))
	require.NoError(t, err)
	require.NoError(t, refserver.SeedDemo(s.Store))
	h := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.ServeHTTP(wrapped{w}, r)
	}))
	t.Cleanup(h.Close)
	return h.Listener.Addr().String()
}

// TestOversizedBodySmugglesNothing sends a body over the limit followed by a request
// cancelling run_in_progress (inside the declared length, or after the last chunk), to
// Serve (behind its logger) and to New behind a wrapping writer: the answer is 400, the
// connection closes, and the hidden request never runs.
func TestOversizedBodySmugglesNothing(t *testing.T) {
	hidden := head("run_in_progress", "Content-Length: 0\r\n\r\n")
	pad := strings.Repeat("a", 70<<10)
	bodies := map[string]string{
		"content-length": fmt.Sprintf("Content-Length: %d\r\n\r\n", len(pad)+len(hidden)) + pad + hidden,
		"chunked":        fmt.Sprintf("Transfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n", len(pad), pad) + hidden,
	}
	servers := map[string]func(t *testing.T) string{
		"Serve": func(t *testing.T) string {
			return startServe(t, refserver.WithCancelDelay(time.Hour), refserver.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
		},
		"New behind a wrapper": startWrapped,
	}
	for sname, start := range servers {
		for bname, body := range bodies {
			t.Run(sname+"/"+bname, func(t *testing.T) {
				addr := start(t)
				answers, closed := exchange(t, addr, head("run_queued", body))
				require.NotEmpty(t, answers)
				assert.Equal(t, http.StatusBadRequest, answers[0].status, string(answers[0].body))
				assert.Contains(t, answers[0].apiError(t).Message, "exceeds 65536 bytes")
				assert.Equal(t, 1, len(answers), "the hidden request was answered")
				assert.True(t, closed, "the connection stays open after a refused body")
				assert.True(t, stillInProgress(t, addr), "the hidden request cancelled run_in_progress")
			})
		}
	}
}

// TestCutBodyIs400: a body that ends before its Content-Length is a bad request, answered
// before authentication looks at it.
func TestCutBodyIs400(t *testing.T) {
	for name, addr := range map[string]string{
		"New":   startWrapped(t),
		"Serve": startServe(t, refserver.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))),
	} {
		t.Run(name, func(t *testing.T) {
			for _, start := range []string{head("run_queued", ""), "POST /v1" + cancelPath(refserver.DemoThread, "run_queued") + " HTTP/1.1\r\nHost: x\r\n"} {
				c, err := net.Dial("tcp", addr)
				require.NoError(t, err)
				defer c.Close()
				_, err = io.WriteString(c, start+"Content-Length: 100\r\n\r\n"+strings.Repeat("a", 10))
				require.NoError(t, err)
				require.NoError(t, c.(*net.TCPConn).CloseWrite())
				require.NoError(t, c.SetReadDeadline(time.Now().Add(3*time.Second)))
				res, err := http.ReadResponse(bufio.NewReader(c), nil)
				require.NoError(t, err)
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				a := answer{res.StatusCode, res.Header, body}
				assert.Equal(t, http.StatusBadRequest, a.status, string(body))
				assert.Contains(t, a.apiError(t).Message, "could not be read to its end")
			}
			assert.True(t, stillInProgress(t, addr))
		})
	}
}

// TestServeAnswersUnparsableRequestsInTheEnvelope: what net/http refuses before the
// handler runs is answered in OpenAI's envelope, with the status net/http chose.
func TestServeAnswersUnparsableRequestsInTheEnvelope(t *testing.T) {
	addr := startServe(t, refserver.WithCancelDelay(time.Hour))
	creds := "X-Portkey-Api-Key: pk\r\nX-Portkey-Virtual-Key: vk\r\n"
	cases := []struct {
		name, raw string
		status    int
	}{
		{"bad escape", "POST /v1/threads/thread_demo/runs/run%/cancel HTTP/1.1\r\nHost: x\r\n" + creds + "\r\n", 400},
		{"bad escape digits", "POST /v1/threads/thread_demo/runs/run%zz/cancel HTTP/1.1\r\nHost: x\r\n" + creds + "\r\n", 400},
		{"no host", "POST /v1/threads/thread_demo/runs/run_queued/cancel HTTP/1.1\r\n" + creds + "\r\n", 400},
		{"bad header name", head("run_queued", "Bad Name: x\r\n\r\n"), 400},
		{"unknown transfer coding", head("run_queued", "Transfer-Encoding: zip\r\n\r\n"), 501},
		{"1 MB path", "POST /v1/threads/" + strings.Repeat("a", 1<<20) + "/runs/run_queued/cancel HTTP/1.1\r\nHost: x\r\n" + creds + "\r\n", 431},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			answers, closed := exchange(t, addr, c.raw)
			require.Len(t, answers, 1)
			a := answers[0]
			assert.Equal(t, c.status, a.status, string(a.body))
			assert.Equal(t, "application/json", a.header.Get("Content-Type"))
			assert.Contains(t, a.apiError(t).Message, "The request could not be parsed")
			assert.True(t, closed)
		})
	}
	assert.True(t, stillInProgress(t, addr), "nothing was cancelled")
}

// TestServeLogBoundsLongPaths: a long path is logged cut, saying how much was left out.
func TestServeLogBoundsLongPaths(t *testing.T) {
	var buf syncBuffer
	addr := startServe(t, refserver.WithLogger(slog.New(slog.NewTextHandler(&buf, nil))))
	long := strings.Repeat("a", 50<<10)
	answers, _ := exchange(t, addr, "POST /v1/threads/"+long+"/runs/run_1/cancel HTTP/1.1\r\nHost: x\r\n"+
		"X-Portkey-Api-Key: pk\r\nX-Portkey-Virtual-Key: vk\r\nConnection: close\r\n\r\n")
	require.Len(t, answers, 1)
	assert.Equal(t, http.StatusNotFound, answers[0].status)
	require.Eventually(t, func() bool { return strings.Contains(buf.String(), "status=404") }, 5*time.Second, 10*time.Millisecond)
	line := buf.String()[strings.Index(buf.String(), "msg=request"):]
	assert.Less(t, len(line), 1024, line)
	assert.Contains(t, line, `path="/v1/threads/aaaa`)
	assert.Contains(t, line, fmt.Sprintf(`aaaa...[%d bytes in all]" status=404`, len("/v1/threads/")+len(long)+len("/runs/run_1/cancel")))
}

// TestServeLogRedactsKeysAtTheCut: a key that the cut of a long path splits is redacted
// all the same.
func TestServeLogRedactsKeysAtTheCut(t *testing.T) {
	const key = "Qw3rTy7uIoP9aS2dF5gH8jK1lZ4xC6vB0nM3qW9eR2tY5uI8" // known by its entropy alone
	var buf syncBuffer
	addr := startServe(t, refserver.WithLogger(slog.New(slog.NewTextHandler(&buf, nil))))
	for _, n := range []int{200, 222, 240, 470, 490} { // the key starts before, at and after 256 and 512
		path := "/v1" + cancelPath(strings.Repeat("a", n), key) + "/" + strings.Repeat("b", 1000)
		_, _ = exchange(t, addr, "POST "+path+" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	}
	require.Eventually(t, func() bool { return strings.Count(buf.String(), "status=404") == 5 }, 5*time.Second, 10*time.Millisecond)
	assert.NotContains(t, buf.String(), key[:8])
	assert.Contains(t, buf.String(), "[REDACTED]")
}
