// Interop: openai-go v3, a client nobody here wrote, against the reference server. This
// module is separate so that the main module does not depend on openai-go.
package bench

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/gen"
	"github.com/seed-a6d846e6/portkey-runs/portkey"
	"github.com/seed-a6d846e6/portkey-runs/refserver"
)

// interopClient is openai-go pointed at a fresh reference server under /v1, with the
// Portkey provider combination (x-portkey-api-key, x-portkey-provider, Authorization:
// Bearer) as the credentials.
func interopClient(t *testing.T, opts ...option.RequestOption) (openai.Client, *refserver.Store, *atomic.Int32) {
	t.Helper()
	return interopClientWith(t, []refserver.Option{refserver.WithCancelDelay(time.Hour)}, opts...)
}

// interopClientWith is interopClient on a reference server built with sopts.
func interopClientWith(t *testing.T, sopts []refserver.Option, opts ...option.RequestOption) (openai.Client, *refserver.Store, *atomic.Int32) {
	t.Helper()
	s, err := refserver.New(sopts...)
	require.NoError(t, err)
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		s.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	base := []option.RequestOption{
		option.WithBaseURL(srv.URL + "/v1/"),
		option.WithAPIKey("sk-provider-test"),
		option.WithHeader(portkey.HeaderAPIKey, "pk-test"),
		option.WithHeader(portkey.HeaderProvider, "openai"),
		option.WithHTTPClient(srv.Client()),
		option.WithRequestTimeout(10 * time.Second),
	}
	return openai.NewClient(append(base, opts...)...), s.Store, &requests
}

// TestOpenAIGoLifecycle: openai-go creates a thread and run, cancels it and retrieves it
// until it is cancelled, over HTTP alone.
func TestOpenAIGoLifecycle(t *testing.T) {
	client, _, _ := interopClientWith(t, []refserver.Option{refserver.WithCancelDelay(50 * time.Millisecond)})
	ctx := context.Background()
	created, err := client.Beta.Threads.NewAndRun(ctx, openai.BetaThreadNewAndRunParams{AssistantID: "asst_interop"})
	require.NoError(t, err)
	assert.Equal(t, openai.RunStatusQueued, created.Status)

	cancelled, err := client.Beta.Threads.Runs.Cancel(ctx, created.ThreadID, created.ID)
	require.NoError(t, err)
	assert.Equal(t, created.ID, cancelled.ID)
	assert.Contains(t, []openai.RunStatus{openai.RunStatusCancelling, openai.RunStatusCancelled}, cancelled.Status)

	run := cancelled
	for i := 0; i < 40 && run.Status != openai.RunStatusCancelled; i++ {
		time.Sleep(25 * time.Millisecond)
		run, err = client.Beta.Threads.Runs.Get(ctx, created.ThreadID, created.ID)
		require.NoError(t, err)
	}
	assert.Equal(t, openai.RunStatusCancelled, run.Status)
	assert.GreaterOrEqual(t, run.CancelledAt, run.CreatedAt)
}

func TestOpenAIGoCancel(t *testing.T) {
	client, store, _ := interopClient(t)
	for _, id := range []string{"run_1", "run a/b", "..", "run_ünï"} {
		t.Run(id, func(t *testing.T) {
			_, err := store.Seed("thread_1", id, gen.RunStatusQueued)
			require.NoError(t, err)

			run, err := client.Beta.Threads.Runs.Cancel(context.Background(), "thread_1", id)
			require.NoError(t, err)
			assert.Equal(t, openai.RunStatusCancelling, run.Status)
			assert.Equal(t, id, run.ID)
			assert.Equal(t, "thread_1", run.ThreadID)
			assert.Equal(t, "null", run.JSON.CancelledAt.Raw(), "cancelled_at is present and null")

			got, err := store.Get("thread_1", id)
			require.NoError(t, err)
			assert.Equal(t, gen.RunStatusCancelling, got.Status)
		})
	}
}

func TestOpenAIGoCancelErrors(t *testing.T) {
	client, store, _ := interopClient(t, option.WithMaxRetries(0))
	_, err := store.Seed("thread_1", "run_done", gen.RunStatusCompleted)
	require.NoError(t, err)
	cases := []struct {
		name, thread, run string
		status            int
		message           string
	}{
		{"completed", "thread_1", "run_done", http.StatusBadRequest, "Cannot cancel run with status 'completed'."},
		{"unknown run", "thread_1", "run_x", http.StatusNotFound, "No run found with id 'run_x'."},
		{"unknown thread", "thread_x", "run_done", http.StatusNotFound, "No thread found with id 'thread_x'."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := client.Beta.Threads.Runs.Cancel(context.Background(), c.thread, c.run)
			var apiErr *openai.Error
			require.True(t, errors.As(err, &apiErr), "%v", err)
			assert.Equal(t, c.status, apiErr.StatusCode)
			assert.Equal(t, "invalid_request_error", apiErr.Type)
			assert.Equal(t, c.message, apiErr.Message)
		})
	}
}

func TestOpenAIGoUnauthorized(t *testing.T) {
	client, store, _ := interopClient(t, option.WithMaxRetries(0), option.WithHeaderDel(portkey.HeaderProvider))
	_, err := store.Seed("thread_1", "run_1", gen.RunStatusQueued)
	require.NoError(t, err)
	_, err = client.Beta.Threads.Runs.Cancel(context.Background(), "thread_1", "run_1")
	var apiErr *openai.Error
	require.True(t, errors.As(err, &apiErr), "%v", err)
	assert.Equal(t, http.StatusUnauthorized, apiErr.StatusCode)
	assert.Contains(t, apiErr.Message, portkey.HeaderVirtualKey)
	got, err := store.Get("thread_1", "run_1")
	require.NoError(t, err)
	assert.Equal(t, gen.RunStatusQueued, got.Status, "nothing changed")
}

// TestOpenAIGoRetriesFaults: openai-go retries 429 and 503 (honouring retry-after-ms) and
// gets the run once the fault's times= are used up.
func TestOpenAIGoRetriesFaults(t *testing.T) {
	cases := []struct {
		prefer   string
		requests int32
	}{
		{"code=503,times=2,retry-after-ms=10", 3},
		{"code=429,times=1,retry-after-ms=10", 2},
	}
	for _, c := range cases {
		t.Run(c.prefer, func(t *testing.T) {
			client, store, requests := interopClient(t, option.WithMaxRetries(2))
			_, err := store.Seed("thread_1", "run_1", gen.RunStatusInProgress)
			require.NoError(t, err)
			run, err := client.Beta.Threads.Runs.Cancel(context.Background(), "thread_1", "run_1", option.WithHeader("Prefer", c.prefer))
			require.NoError(t, err)
			assert.Equal(t, openai.RunStatusCancelling, run.Status)
			assert.Equal(t, c.requests, requests.Load(), "faulted answers, then the run")
		})
	}
}
