package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadStopsAtRequestCount(t *testing.T) {
	var seen atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.Add(1)
		assert.Equal(t, "v", r.Header.Get("X-Test"))
		if r.URL.Path == "/7" {
			w.WriteHeader(http.StatusTeapot)
		}
	}))
	defer srv.Close()
	res, err := Load{Base: srv.URL, Path: func(i int) string { return "/" + string(rune('0'+i%10)) },
		Header: http.Header{"X-Test": {"v"}}, Concurrency: 3, Requests: 50, Duration: 10 * time.Second}.Run(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 50, res.Requests)
	assert.EqualValues(t, 50, seen.Load())
	assert.Equal(t, map[int]int{200: 45, 418: 5}, res.Statuses)
	assert.Zero(t, res.Errors)
	assert.Positive(t, res.P50)
	assert.GreaterOrEqual(t, res.P99, res.P50)
	assert.Positive(t, res.PerSecond())
}

func TestLoadStopsAtDuration(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { time.Sleep(20 * time.Millisecond) }))
	defer srv.Close()
	start := time.Now()
	res, err := Load{Base: srv.URL, Path: func(int) string { return "/" }, Concurrency: 2, Requests: 1 << 30,
		Duration: 200 * time.Millisecond}.Run(context.Background())
	require.NoError(t, err)
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.InDelta(t, 20, res.Requests, 12, "2 workers, 20 ms each, 200 ms")
	assert.InDelta(t, 20*time.Millisecond, res.P50, float64(15*time.Millisecond))
}

func TestLoadLoopbackOnly(t *testing.T) {
	for _, base := range []string{"http://192.168.1.1:80", "http://example.com", "https://127.0.0.1", "ftp://localhost"} {
		_, err := Load{Base: base, Path: func(int) string { return "/" }, Requests: 1, Duration: time.Second}.Run(context.Background())
		assert.Error(t, err, base)
	}
	for _, base := range []string{"http://127.0.0.1:1", "http://localhost:1", "http://[::1]:1"} {
		assert.NoError(t, CheckLoopback(base), base)
	}
	_, err := Load{Base: "http://127.0.0.1:1"}.Run(context.Background())
	assert.ErrorContains(t, err, "required")
}

func TestLoadCountsConnectionErrors(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close()
	res, err := Load{Base: base, Path: func(int) string { return "/" }, Requests: 5, Duration: 5 * time.Second}.Run(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 5, res.Errors)
	assert.Zero(t, res.Requests)
}
