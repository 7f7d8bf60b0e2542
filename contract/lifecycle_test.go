package contract_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/contract"
	"github.com/seed-a6d846e6/portkey-runs/internal/testtarget"
	"github.com/seed-a6d846e6/portkey-runs/portkey"
	"github.com/seed-a6d846e6/portkey-runs/refserver"
)

// fastPoll follows a run of a reference server with a short cancel delay.
var fastPoll = contract.Poll{Attempts: 20, Within: 10 * time.Second, First: 20 * time.Millisecond, Max: 100 * time.Millisecond}

// lifecycleTarget serves a reference server on loopback, through wrap when not nil.
func lifecycleTarget(t *testing.T, wrap func(http.Handler) http.Handler, opts ...refserver.Option) *contract.Suite {
	t.Helper()
	s, err := refserver.New(opts...)
	require.NoError(t, err)
	var h http.Handler = s
	if wrap != nil {
		h = wrap(s)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &contract.Suite{BaseURL: srv.URL + "/v1", Auth: portkey.Auth{APIKey: "pk", VirtualKey: "vk"}}
}

// TestLifecycle: against the reference server over loopback, the suite creates its own
// run, cancels it, follows it to cancelled and sees a second cancel refused.
func TestLifecycle(t *testing.T) {
	s := lifecycleTarget(t, nil, refserver.WithCancelDelay(150*time.Millisecond))
	rs, scs := s.Lifecycle(context.Background(), "asst_1", fastPoll)
	assert.Equal(t, []string{"create_run", "cancel", "retrieve_until_terminal", "cancel_again"}, names(rs))
	assert.Equal(t, []int{200, 200, 200, 400}, statuses(rs))
	for _, r := range rs {
		assert.Equal(t, contract.Pass, r.Verdict, "%s: %v", r.Name, testtarget.Lines(r.Violations()))
	}
	require.Len(t, scs, 4)
	assert.Equal(t, "createThreadAndRun", scs[0].Operation)
	assert.NotEmpty(t, scs[1].RunID, "the IDs the target gave")
	assert.Equal(t, scs[1].RunID, scs[2].RunID)
	assert.Equal(t, "getRun", scs[2].Operation)
	assert.GreaterOrEqual(t, rs[2].Duration, 100*time.Millisecond, "it waited for the cancel delay")
}

// TestLifecycleBounded: a run that stays cancelling is followed only as far as the poll
// allows, and nothing is concluded.
func TestLifecycleBounded(t *testing.T) {
	s := lifecycleTarget(t, nil, refserver.WithCancelDelay(time.Hour))
	p := contract.Poll{Attempts: 3, Within: 5 * time.Second, First: 10 * time.Millisecond, Max: 20 * time.Millisecond}
	start := time.Now()
	rs, _ := s.Lifecycle(context.Background(), "asst_1", p)
	assert.Less(t, time.Since(start), 2*time.Second)
	require.Len(t, rs, 4)
	assert.Equal(t, contract.Error, rs[2].Verdict)
	assert.Equal(t, []string{`body /status: "cancelling" still not terminal after the retrieves allowed (3 within 5s): nothing concluded (scenario)`},
		testtarget.Lines(rs[2].Violations()))
	assert.Equal(t, contract.Pass, rs[3].Verdict, "cancelling: a second cancel is refused")
}

// TestLifecycleDisagreement: a retrieve that contradicts the cancel's answer fails.
func TestLifecycleDisagreement(t *testing.T) {
	lie := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			body := rec.Body.Bytes()
			if r.Method == http.MethodGet {
				body = bytes.Replace(body, []byte(`"status":"cancelling"`), []byte(`"status":"in_progress"`), 1)
			}
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.Header().Del("Content-Length")
			w.WriteHeader(rec.Code)
			_, _ = w.Write(body)
		})
	}
	s := lifecycleTarget(t, lie, refserver.WithCancelDelay(time.Hour))
	rs, _ := s.Lifecycle(context.Background(), "asst_1", fastPoll)
	require.Len(t, rs, 4)
	assert.Equal(t, contract.Fail, rs[2].Verdict)
	assert.Equal(t, []string{`body /status: "in_progress" after the cancel answered "cancelling" (scenario)`}, testtarget.Lines(rs[2].Violations()))
}

// TestLifecycleStopsWhenCreateFails: a target that cannot create runs (an unknown route)
// gets one failing result and nothing sent after it.
func TestLifecycleStopsWhenCreateFails(t *testing.T) {
	notFound := func(http.Handler) http.Handler { return http.NotFoundHandler() }
	s := lifecycleTarget(t, notFound)
	rs, scs := s.Lifecycle(context.Background(), "asst_1", fastPoll)
	assert.Equal(t, []string{"create_run"}, names(rs))
	assert.Len(t, scs, 1)
	assert.Equal(t, contract.Fail, rs[0].Verdict)
}

// TestLiveNotCancellable: with a run given, a 400 to the first cancel says the run could
// not serve: an error with nothing checked, not a pass.
func TestLiveNotCancellable(t *testing.T) {
	srv := testtarget.New(t)
	s := &contract.Suite{BaseURL: srv.URL + "/v1", Auth: testtarget.HostedAuth}
	scs := contract.Scenarios(contract.Seeds{Live: true, Cancellable: testtarget.RunCompleted})
	r := s.Run(context.Background(), scs[len(scs)-1])
	assert.Equal(t, "cancel_run", r.Name)
	assert.Equal(t, 400, r.Status)
	assert.Equal(t, contract.Error, r.Verdict)
	assert.Equal(t, []string{`status: 400 not cancellable: nothing checked (give a queued, in_progress or requires_action run, or no --run) (scenario)`}, testtarget.Lines(r.Violations()))
	// Judged once, here: the reason is Unjudged, and so is its check.
	last := r.Checks[len(r.Checks)-1]
	assert.Equal(t, contract.CheckScenario, last.Check)
	assert.Equal(t, contract.Error, last.Verdict)
	assert.Equal(t, contract.Unjudged, last.Violations[0].Severity)
}
