package refserver_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/gen"
	"github.com/seed-a6d846e6/portkey-runs/portkey"
	"github.com/seed-a6d846e6/portkey-runs/refserver"
)

func TestCancelByStatus(t *testing.T) {
	cases := []struct {
		status gen.RunStatus
		want   int // 200, or 400 with "Cannot cancel run with status '<status>'."
	}{
		{gen.RunStatusQueued, 200},
		{gen.RunStatusInProgress, 200},
		{gen.RunStatusRequiresAction, 200},
		{gen.RunStatusCancelling, 400},
		{gen.RunStatusCancelled, 400},
		{gen.RunStatusCompleted, 400},
		{gen.RunStatusFailed, 400},
		{gen.RunStatusIncomplete, 400},
		{gen.RunStatusExpired, 400},
	}
	for _, c := range cases {
		t.Run(string(c.status), func(t *testing.T) {
			f := newFixture(t, refserver.WithCancelDelay(2*time.Second))
			f.seed(t, "thread_1", "run_1", c.status)
			before, err := f.srv.Store.Get("thread_1", "run_1")
			require.NoError(t, err)

			a := f.cancel(t, "thread_1", "run_1")
			if c.want == 400 {
				require.Equal(t, 400, a.status, string(a.body))
				e := a.apiError(t)
				assert.Equal(t, fmt.Sprintf("Cannot cancel run with status '%s'.", c.status), e.Message)
				assert.Equal(t, "invalid_request_error", e.Type)
				assert.Nil(t, e.Param)
				assert.Nil(t, e.Code)
				after, err := f.srv.Store.Get("thread_1", "run_1")
				require.NoError(t, err)
				assert.Equal(t, before, after, "a refused cancel changes nothing")
				return
			}

			run := a.run(t)
			assert.Equal(t, gen.RunStatusCancelling, run.Status)
			assert.Equal(t, "run_1", run.ID)
			assert.Equal(t, "thread_1", run.ThreadID)
			assert.Nil(t, run.CancelledAt, "cancelled_at is set only once cancelled")
			assert.Nil(t, run.RequiredAction)
			assert.Contains(t, string(a.body), `"cancelled_at":null`, "nulls are explicit")

			f.clock.Advance(time.Second)
			again := f.cancel(t, "thread_1", "run_1")
			assert.Equal(t, "Cannot cancel run with status 'cancelling'.", again.apiError(t).Message)

			f.clock.Advance(time.Second)
			got, err := f.srv.Store.Get("thread_1", "run_1")
			require.NoError(t, err)
			assert.Equal(t, gen.RunStatusCancelled, got.Status)
			require.NotNil(t, got.CancelledAt)
			assert.Equal(t, int(start.Add(2*time.Second).Unix()), *got.CancelledAt)
			assert.NotNil(t, got.Usage, "a terminal run reports usage")
			last := f.cancel(t, "thread_1", "run_1")
			assert.Equal(t, "Cannot cancel run with status 'cancelled'.", last.apiError(t).Message)
		})
	}
}

func TestCancelWithZeroDelayAnswersCancelled(t *testing.T) {
	f := newFixture(t, refserver.WithCancelDelay(0))
	f.seed(t, "thread_1", "run_1", gen.RunStatusInProgress)
	run := f.cancel(t, "thread_1", "run_1").run(t)
	assert.Equal(t, gen.RunStatusCancelled, run.Status)
	require.NotNil(t, run.CancelledAt)
	assert.Equal(t, int(start.Unix()), *run.CancelledAt)
	require.NotNil(t, run.StartedAt)
	assert.LessOrEqual(t, *run.StartedAt, *run.CancelledAt)
}

func TestNotFound(t *testing.T) {
	f := newFixture(t)
	f.seed(t, "thread_1", "run_1", gen.RunStatusQueued)
	f.seed(t, "thread_2", "run_2", gen.RunStatusQueued)
	cases := []struct{ name, thread, run, message string }{
		{"unknown thread", "thread_x", "run_1", "No thread found with id 'thread_x'."},
		{"unknown run", "thread_1", "run_x", "No run found with id 'run_x'."},
		{"run of another thread", "thread_1", "run_2", "No run found with id 'run_2'."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := f.cancel(t, c.thread, c.run)
			require.Equal(t, http.StatusNotFound, a.status)
			e := a.apiError(t)
			assert.Equal(t, c.message, e.Message)
			assert.Equal(t, "invalid_request_error", e.Type)
		})
	}
	for _, id := range [][2]string{{"thread_1", "run_1"}, {"thread_2", "run_2"}} {
		run, err := f.srv.Store.Get(id[0], id[1])
		require.NoError(t, err)
		assert.Equal(t, gen.RunStatusQueued, run.Status, "nothing changed")
	}
}

// TestAuthentication compares the server's verdict, taken from the spec's security
// requirements, with portkey.Auth.Validate for every combination of the six credentials.
func TestAuthentication(t *testing.T) {
	f := newFixture(t)
	f.seed(t, "thread_1", "run_1", gen.RunStatusCompleted) // 400 when let in: nothing can change
	for mask := range 1 << 6 {
		var a portkey.Auth
		set := func(bit int, v *string, val string) {
			if mask&(1<<bit) != 0 {
				*v = val
			}
		}
		set(0, &a.APIKey, "pk")
		set(1, &a.VirtualKey, "vk")
		set(2, &a.Provider, "openai")
		set(3, &a.ProviderKey, "sk")
		set(4, &a.Config, "pc-1")
		set(5, &a.CustomHost, "http://127.0.0.1:9/v1")
		h := http.Header{}
		a.Apply(h)
		got := f.post(t, cancelPath("thread_1", "run_1"), h)
		if a.Validate() == nil {
			assert.Equal(t, http.StatusBadRequest, got.status, "%v: %s", a, got.body)
			continue
		}
		require.Equal(t, http.StatusUnauthorized, got.status, "%v: %s", a, got.body)
		e := got.apiError(t)
		assert.Equal(t, "invalid_request_error", e.Type)
		for _, name := range []string{portkey.HeaderAPIKey, portkey.HeaderVirtualKey, portkey.HeaderConfig, portkey.HeaderProvider, portkey.HeaderCustomHost, "Authorization: Bearer"} {
			assert.Contains(t, e.Message, name)
		}
	}
}

func TestUnauthorizedChangesNothing(t *testing.T) {
	f := newFixture(t)
	f.seed(t, "thread_1", "run_1", gen.RunStatusQueued)
	for _, h := range []http.Header{
		{},
		{"X-Portkey-Api-Key": {"pk"}},
		{"X-Portkey-Virtual-Key": {"vk"}},
		{"X-Portkey-Provider": {"openai"}, "Authorization": {"Basic c2s="}},
		{"X-Portkey-Provider": {"openai"}, "Authorization": {"Bearer "}},
		{"X-Portkey-Custom-Host": {"http://127.0.0.1:9/v1"}, "Authorization": {"Bearer sk"}},
		{"X-Portkey-Api-Key": {" "}, "X-Portkey-Virtual-Key": {"vk"}},
	} {
		a := f.post(t, cancelPath("thread_1", "run_1"), h)
		assert.Equal(t, http.StatusUnauthorized, a.status, "%v", h)
	}
	run, err := f.srv.Store.Get("thread_1", "run_1")
	require.NoError(t, err)
	assert.Equal(t, gen.RunStatusQueued, run.Status)
}

// TestIDsArriveExactly sends IDs that need escaping and checks that the run with exactly
// that ID is cancelled.
func TestIDsArriveExactly(t *testing.T) {
	f := newFixture(t)
	ids := []string{"a/b", "/", "//", "a/", "%2F", "50%", "with space", "thread_ünï", "日本", "..", ".", "q?x=1#f", "a/../b", "semi;colon", "plus+sign"}
	for _, id := range ids {
		t.Run(id, func(t *testing.T) {
			f.seed(t, "t-"+id, id, gen.RunStatusQueued)
			run := f.cancel(t, "t-"+id, id).run(t)
			assert.Equal(t, id, run.ID)
			assert.Equal(t, "t-"+id, run.ThreadID)
			got, err := f.srv.Store.Get("t-"+id, id)
			require.NoError(t, err)
			assert.Equal(t, gen.RunStatusCancelling, got.Status)
		})
	}
}

func TestPathsOutsideTheSpec(t *testing.T) {
	f := newFixture(t)
	f.seed(t, "thread_1", "run_1", gen.RunStatusQueued)
	cases := []struct {
		name, method, path string
		status             int
	}{
		{"v1 prefix", http.MethodPost, "/v1" + cancelPath("thread_1", "run_x"), 404}, // routed: unknown run
		{"empty thread", http.MethodPost, "/threads//runs/run_1/cancel", 404},
		{"dot segments", http.MethodPost, "/threads/x/../thread_1/runs/run_1/cancel", 404},
		{"dot thread", http.MethodPost, "/threads/./runs/run_1/cancel", 404},
		{"trailing slash", http.MethodPost, cancelPath("thread_1", "run_1") + "/", 404},
		{"other route", http.MethodPost, "/threads/thread_1/runs/run_1/steps", 404},
		{"other route under v1", http.MethodPost, "/v1/threads/thread_1/runs/run_1/steps", 404},
		{"POST a retrieve", http.MethodPost, "/threads/thread_1/runs/run_1", 405},
		{"root", http.MethodGet, "/", 404},
		{"GET", http.MethodGet, cancelPath("thread_1", "run_1"), 405},
		{"DELETE under v1", http.MethodDelete, "/v1" + cancelPath("thread_1", "run_1"), 405},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := f.do(t, c.method, c.path, nil)
			assert.Equal(t, c.status, a.status, string(a.body))
			if c.status == http.StatusMethodNotAllowed {
				allow := "POST" // the cancel path
				if !strings.HasSuffix(c.path, "/cancel") {
					allow = "GET" // the retrieve path
				}
				assert.Equal(t, allow, a.header.Get("Allow"))
			}
			assert.Equal(t, "application/json", a.header.Get("Content-Type"))
			e := a.apiError(t)
			if c.name != "v1 prefix" {
				assert.Equal(t, "Invalid URL ("+c.method+" "+c.path+").", e.Message, "the path as sent")
			}
			assert.Empty(t, a.header.Get("Location"), "never a redirect")
		})
	}
	run, err := f.srv.Store.Get("thread_1", "run_1")
	require.NoError(t, err)
	assert.Equal(t, gen.RunStatusQueued, run.Status, "nothing changed")

	ok := f.post(t, "/v1"+cancelPath("thread_1", "run_1"), nil)
	assert.Equal(t, gen.RunStatusCancelling, ok.run(t).Status, "served under /v1 too")
}

func TestRequestValidation(t *testing.T) {
	f := newFixture(t)
	f.seed(t, "thread_1", "run_1", gen.RunStatusQueued)

	a := f.cancel(t, "thread_1", "run_1", "OpenAI-Beta", "assistants=v2", "OpenAI-Beta", "assistants=v1")
	require.Equal(t, http.StatusBadRequest, a.status, string(a.body))
	e := a.apiError(t)
	require.NotNil(t, e.Param)
	assert.Equal(t, "OpenAI-Beta", *e.Param)

	run, err := f.srv.Store.Get("thread_1", "run_1")
	require.NoError(t, err)
	assert.Equal(t, gen.RunStatusQueued, run.Status, "nothing changed")

	ok := f.cancel(t, "thread_1", "run_1", "OpenAI-Beta", "assistants=v2")
	assert.Equal(t, gen.RunStatusCancelling, ok.run(t).Status)
}

func TestOversizedBodyIsRefused(t *testing.T) {
	f := newFixture(t)
	f.seed(t, "thread_1", "run_1", gen.RunStatusQueued)
	req, err := http.NewRequest(http.MethodPost, f.http.URL+cancelPath("thread_1", "run_1"), bytes.NewReader(make([]byte, 1<<20)))
	require.NoError(t, err)
	creds.Apply(req.Header)
	res, err := f.http.Client().Do(req)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	run, err := f.srv.Store.Get("thread_1", "run_1")
	require.NoError(t, err)
	assert.Equal(t, gen.RunStatusQueued, run.Status)
}

// TestConcurrentCancel cancels one run from 200 goroutines at once: exactly one sees the
// transition to cancelling, every other one the 400 that names the status it found.
func TestConcurrentCancel(t *testing.T) {
	for _, delay := range []time.Duration{time.Minute, 0} {
		t.Run(fmt.Sprint("delay ", delay), func(t *testing.T) {
			f := newFixture(t, refserver.WithCancelDelay(delay))
			f.seed(t, "thread_1", "run_1", gen.RunStatusInProgress)
			const n = 200
			answers := make([]answer, n)
			var wg sync.WaitGroup
			gate := make(chan struct{})
			for i := range n {
				wg.Go(func() {
					<-gate
					answers[i] = f.cancel(t, "thread_1", "run_1")
				})
			}
			close(gate)
			wg.Wait()

			want := gen.RunStatusCancelling
			if delay == 0 {
				want = gen.RunStatusCancelled
			}
			var ok int
			for _, a := range answers {
				if a.status == http.StatusOK {
					ok++
					assert.Equal(t, want, a.run(t).Status)
					continue
				}
				require.Equal(t, http.StatusBadRequest, a.status, string(a.body))
				assert.Equal(t, fmt.Sprintf("Cannot cancel run with status '%s'.", want), a.apiError(t).Message)
			}
			assert.Equal(t, 1, ok, "exactly one transition")
		})
	}
}

func TestServeLogsWithoutSecrets(t *testing.T) {
	var buf syncBuffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	addr := startServe(t, refserver.WithLogger(logger))

	req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/v1"+cancelPath(refserver.DemoThread, "run_queued")+"?key=query-secret", nil)
	require.NoError(t, err)
	portkey.Auth{APIKey: "pk-secret-1", Provider: "openai", ProviderKey: "sk-secret-2"}.Apply(req.Header)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)

	require.Eventually(t, func() bool { return strings.Contains(buf.String(), "status=200") }, 5*time.Second, 10*time.Millisecond)
	log := buf.String()
	assert.Contains(t, log, "method=POST path=/v1/threads/thread_demo/runs/run_queued/cancel status=200 duration=")
	for _, secret := range []string{"pk-secret-1", "sk-secret-2", "query-secret", "openai"} {
		assert.NotContains(t, log, secret)
	}
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestWithoutValidationServesTheSameStorePath: without validation a request without
// credentials is served, through the same store, while the default server answers 401.
func TestWithoutValidationServesTheSameStorePath(t *testing.T) {
	for _, c := range []struct {
		name string
		opts []refserver.Option
		want int
	}{{"validating", nil, http.StatusUnauthorized}, {"without validation", []refserver.Option{refserver.WithoutValidation()}, http.StatusOK}} {
		t.Run(c.name, func(t *testing.T) {
			s, err := refserver.New(c.opts...)
			require.NoError(t, err)
			_, err = s.Store.Seed("thread_1", "run_1", gen.RunStatusQueued)
			require.NoError(t, err)
			w := httptest.NewRecorder()
			s.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/v1"+cancelPath("thread_1", "run_1"), nil))
			require.Equal(t, c.want, w.Code, w.Body.String())
			run, err := s.Store.Get("thread_1", "run_1")
			require.NoError(t, err)
			assert.Equal(t, c.want == http.StatusOK, run.Status == gen.RunStatusCancelling, "only a served cancel changes the run")
		})
	}
}

// TestWithoutValidationBindsAsTheGeneratedCode: without validation, an escaped ID is
// unescaped, any one OpenAI-Beta value is taken and two are refused, as the generated
// wrapper binds them.
func TestWithoutValidationBindsAsTheGeneratedCode(t *testing.T) {
	s, err := refserver.New(refserver.WithoutValidation())
	require.NoError(t, err)
	for _, id := range []string{"run/1", "run_2", "run_3"} {
		_, err = s.Store.Seed("thread_1", id, gen.RunStatusQueued)
		require.NoError(t, err)
	}
	for _, c := range []struct {
		run  string
		beta []string
		want int
	}{{"run/1", nil, http.StatusOK}, {"run_2", []string{"not-an-enum-value"}, http.StatusOK}, {"run_3", []string{"assistants=v2", "assistants=v2"}, http.StatusBadRequest}} {
		r := httptest.NewRequest(http.MethodPost, "/v1"+cancelPath("thread_1", c.run), nil)
		for _, v := range c.beta {
			r.Header.Add("OpenAI-Beta", v)
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		require.Equal(t, c.want, w.Code, "%s: %s", c.run, w.Body)
		run, err := s.Store.Get("thread_1", c.run)
		require.NoError(t, err)
		assert.Equal(t, c.want == http.StatusOK, run.Status == gen.RunStatusCancelling, c.run)
		if c.want == http.StatusBadRequest {
			assert.Contains(t, w.Body.String(), `"param":"OpenAI-Beta"`)
		}
	}
}
