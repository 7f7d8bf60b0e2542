package refserver

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// short are limits small enough for tests to see each one end a connection.
var short = limits{readHeader: 200 * time.Millisecond, read: 300 * time.Millisecond,
	write: 500 * time.Millisecond, idle: 300 * time.Millisecond, maxHeader: 4 << 10}

// serveShort runs Serve with the short limits until the test ends.
func serveShort(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, "127.0.0.1:0", func(a net.Addr) { ready <- a.String() }, withLimits(short)) }()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case addr := <-ready:
		return addr
	case err := <-done:
		t.Fatalf("Serve: %v", err)
	}
	return ""
}

// drip writes head at once, then tail a byte every 50ms, and reads what the server
// answers until it closes the connection (at most 3s): the answer (status 0 when none)
// and how long the connection was held.
func drip(t *testing.T, addr, head, tail string) (status int, body string, held time.Duration) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	began := time.Now()
	go func() {
		if _, err := io.WriteString(c, head); err != nil {
			return
		}
		for i := range len(tail) {
			time.Sleep(50 * time.Millisecond)
			if _, err := io.WriteString(c, tail[i:i+1]); err != nil {
				return
			}
		}
	}()
	require.NoError(t, c.SetReadDeadline(began.Add(3*time.Second)))
	br := bufio.NewReader(c)
	if res, err := http.ReadResponse(br, nil); err == nil {
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		status, body = res.StatusCode, string(b)
	}
	_, err = io.Copy(io.Discard, br) // until the server closes
	require.False(t, errors.Is(err, os.ErrDeadlineExceeded), "the connection is still open after 3s")
	return status, body, time.Since(began)
}

// request is the head of a cancel of a demo run, up to the blank line.
func request(run string) string {
	return "POST /v1/threads/thread_demo/runs/" + run + "/cancel HTTP/1.1\r\nHost: refserver.test\r\n" +
		"X-Portkey-Api-Key: pk\r\nX-Portkey-Virtual-Key: vk\r\n"
}

// TestServeBoundsEveryPhase: a client that is slow in any phase of a request loses the
// connection once the phase's limit is over.
func TestServeBoundsEveryPhase(t *testing.T) {
	addr := serveShort(t)
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
