package portkey_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/gen"
	"github.com/seed-a6d846e6/portkey-runs/portkey"
)

// benchServer answers every request with runJSON.
func benchServer(b *testing.B) *httptest.Server {
	body := []byte(runJSON)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// BenchmarkRawCancel is the baseline: net/http and encoding/json by hand.
func BenchmarkRawCancel(b *testing.B) {
	srv := benchServer(b)
	url := srv.URL + "/v1/threads/thread_abc/runs/run_abc/cancel"
	hc := &http.Client{}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, nil)
		require.NoError(b, err)
		req.Header.Set(portkey.HeaderAPIKey, "pk")
		req.Header.Set(portkey.HeaderVirtualKey, "vk")
		req.Header.Set("OpenAI-Beta", "assistants=v2")
		resp, err := hc.Do(req)
		require.NoError(b, err)
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		require.NoError(b, err)
		var run gen.Run
		require.NoError(b, json.Unmarshal(body, &run))
	}
}

// BenchmarkCancel is Client.Cancel with its defaults (retries on, timeout, bounded reads).
func BenchmarkCancel(b *testing.B) {
	srv := benchServer(b)
	c, err := portkey.New(portkey.WithBaseURL(srv.URL+"/v1"), portkey.WithAuth(portkey.Auth{APIKey: "pk", VirtualKey: "vk"}))
	require.NoError(b, err)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_, err := c.Cancel(ctx, "thread_abc", "run_abc")
		require.NoError(b, err)
	}
}

// BenchmarkGenCancelRun is the guarded generated call, for comparison.
func BenchmarkGenCancelRun(b *testing.B) {
	srv := benchServer(b)
	c, err := portkey.New(portkey.WithBaseURL(srv.URL+"/v1"), portkey.WithAuth(portkey.Auth{APIKey: "pk", VirtualKey: "vk"}))
	require.NoError(b, err)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_, err := portkey.CancelRun(ctx, c.Gen(), "thread_abc", "run_abc")
		require.NoError(b, err)
	}
}
