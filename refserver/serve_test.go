package refserver_test

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/gen"
	"github.com/seed-a6d846e6/portkey-runs/refserver"
)

// startServe runs Serve on a free loopback port until the test ends, and checks that it
// then returns nil.
func startServe(t *testing.T, opts ...refserver.Option) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- refserver.Serve(ctx, "127.0.0.1:0", func(a net.Addr) { ready <- a.String() }, opts...)
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("Serve: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not start")
	}
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			assert.NoError(t, err)
		case <-time.After(10 * time.Second):
			t.Error("Serve did not return after its context ended")
		}
	})
	return addr
}

func TestServeSeedsDemoRuns(t *testing.T) {
	addr := startServe(t, refserver.WithCancelDelay(time.Hour))
	for _, st := range refserver.AllStatuses {
		t.Run(string(st), func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, "http://"+addr+cancelPath(refserver.DemoThread, refserver.DemoRunID(st)), nil)
			require.NoError(t, err)
			creds.Apply(req.Header)
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			res.Body.Close()
			switch st {
			case gen.RunStatusQueued, gen.RunStatusInProgress, gen.RunStatusRequiresAction:
				assert.Equal(t, http.StatusOK, res.StatusCode)
			default:
				assert.Equal(t, http.StatusBadRequest, res.StatusCode)
			}
		})
	}
}

// TestServeShutsDownGracefully ends Serve's context while a delay= request waits: the
// request is answered at once and Serve returns nil well before the delay is over.
func TestServeShutsDownGracefully(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- refserver.Serve(ctx, "127.0.0.1:0", func(a net.Addr) { ready <- a.String() })
	}()
	addr := <-ready

	status := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+cancelPath(refserver.DemoThread, "run_queued"), nil)
		creds.Apply(req.Header)
		req.Header.Set("Prefer", "delay=30s")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			status <- 0
			return
		}
		res.Body.Close()
		status <- res.StatusCode
	}()
	time.Sleep(200 * time.Millisecond) // let the request reach its delay
	began := time.Now()
	cancel()
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return")
	}
	assert.Less(t, time.Since(began), 6*time.Second)
	assert.Equal(t, http.StatusRequestTimeout, <-status)

	_, err := net.DialTimeout("tcp", addr, time.Second)
	assert.Error(t, err, "no longer listening")
}

func TestServeReportsListenErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	err = refserver.Serve(context.Background(), ln.Addr().String(), nil)
	assert.Error(t, err, "address in use")
}
