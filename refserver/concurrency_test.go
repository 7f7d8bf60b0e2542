package refserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/gen"
	"github.com/seed-a6d846e6/portkey-runs/refserver"
)

// TestConcurrentCancelMix sends 2,000 cancels at once over loopback, spread over runs in
// every status on several threads plus unknown runs, while the clock may pass the cancel
// delay. Every run moves at most once, and every answer is one the run's history allows:
// its final state, or cancelling on the way to cancelled.
func TestConcurrentCancelMix(t *testing.T) {
	cases := []struct {
		name  string
		delay time.Duration
		// settle advances the clock past the delay while the cancels are in flight.
		settle bool
	}{
		{"stays cancelling", time.Minute, false},
		{"settles mid-way", time.Minute, true},
		{"no delay", 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, refserver.WithCancelDelay(c.delay))
			type target struct {
				thread, run string
				initial     gen.RunStatus // "" for an unknown run
			}
			var targets []target
			for th := range 4 {
				thread := fmt.Sprint("thread_", th)
				for _, st := range refserver.AllStatuses {
					run := fmt.Sprintf("run_%d_%s", th, st)
					f.seed(t, thread, run, st)
					targets = append(targets, target{thread, run, st})
				}
				targets = append(targets, target{thread, fmt.Sprint("run_unknown_", th), ""})
			}

			const n = 2000
			client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 64, MaxIdleConnsPerHost: 64}}
			t.Cleanup(client.CloseIdleConnections)
			answers := make([]answer, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			gate := make(chan struct{})
			var done atomic.Int32
			for i := range n {
				wg.Go(func() {
					<-gate
					tg := targets[i%len(targets)]
					answers[i], errs[i] = send(client, f.http.URL+cancelPath(tg.thread, tg.run))
					if c.settle && done.Add(1) == n/2 {
						f.clock.Advance(c.delay)
					}
				})
			}
			close(gate)
			wg.Wait()

			moved := map[string]int{}
			for i, a := range answers {
				require.NoError(t, errs[i])
				tg := targets[i%len(targets)]
				if tg.initial == "" {
					assert.Equal(t, http.StatusNotFound, a.status, string(a.body))
					continue
				}
				final, err := f.srv.Store.Get(tg.thread, tg.run)
				require.NoError(t, err)
				// The statuses this run can be seen in after a cancel reached it.
				seen := []gen.RunStatus{final.Status}
				if final.Status == gen.RunStatusCancelled && tg.initial != gen.RunStatusCancelled && c.delay > 0 {
					seen = append(seen, gen.RunStatusCancelling)
				}
				switch a.status {
				case http.StatusOK:
					moved[tg.run]++
					var run gen.Run
					require.NoError(t, json.Unmarshal(a.body, &run))
					assert.Equal(t, tg.run, run.ID)
					assert.Equal(t, tg.thread, run.ThreadID)
					assert.Contains(t, seen, run.Status, tg.run)
				case http.StatusBadRequest:
					var e struct{ Error gen.Error }
					require.NoError(t, json.Unmarshal(a.body, &e), string(a.body))
					var named []string
					for _, st := range seen {
						named = append(named, fmt.Sprintf("Cannot cancel run with status '%s'.", st))
					}
					assert.Contains(t, named, e.Error.Message, tg.run)
				default:
					t.Errorf("%s: unexpected %d %s", tg.run, a.status, a.body)
				}
			}
			settled := 0
			for _, tg := range targets {
				if tg.initial == "" {
					continue
				}
				final, err := f.srv.Store.Get(tg.thread, tg.run)
				require.NoError(t, err)
				switch tg.initial {
				case gen.RunStatusQueued, gen.RunStatusInProgress, gen.RunStatusRequiresAction:
					assert.Equal(t, 1, moved[tg.run], "%s moved once", tg.run)
					switch {
					case c.settle: // cancelled unless its cancel came after the clock moved
						assert.Contains(t, []gen.RunStatus{gen.RunStatusCancelling, gen.RunStatusCancelled}, final.Status, tg.run)
						if final.Status == gen.RunStatusCancelled {
							settled++
						}
					case c.delay == 0:
						assert.Equal(t, gen.RunStatusCancelled, final.Status, tg.run)
					default:
						assert.Equal(t, gen.RunStatusCancelling, final.Status, tg.run)
					}
				default:
					assert.Zero(t, moved[tg.run], "%s never moves", tg.run)
					assert.Equal(t, tg.initial, final.Status, tg.run)
				}
			}
			if c.settle {
				assert.Positive(t, settled, "some runs settled while cancels were in flight")
			}
		})
	}
}

// send posts to url with credentials and reads the whole answer.
func send(client *http.Client, url string) (answer, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, nil)
	if err != nil {
		return answer{}, err
	}
	creds.Apply(req.Header)
	res, err := client.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	return answer{res.StatusCode, res.Header, body}, err
}

// TestStoreStaysBoundedUnderCreation: clients that keep creating runs (4,000, 20 times the
// bound), concurrently with cancels, never grow the store past its bound; live runs are
// never evicted.
func TestStoreStaysBoundedUnderCreation(t *testing.T) {
	const bound = 200
	now := newClock()
	st := refserver.NewStore(now.Now, time.Minute, bound)
	for i := range 20 {
		_, err := st.Seed("thread_live", fmt.Sprint("run_live_", i), gen.RunStatusQueued)
		require.NoError(t, err)
	}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 500 {
				status := []gen.RunStatus{gen.RunStatusCompleted, gen.RunStatusFailed, gen.RunStatusExpired, gen.RunStatusCancelled}[i%4]
				_, err := st.Seed(fmt.Sprint("thread_", w), fmt.Sprintf("run_%d_%d", w, i), status)
				assert.NoError(t, err)
				assert.LessOrEqual(t, st.Len(), bound)
				_, _ = st.Cancel("thread_live", fmt.Sprint("run_live_", i%20))
			}
		})
	}
	wg.Wait()
	assert.Equal(t, bound, st.Len())
	for i := range 20 {
		run, err := st.Get("thread_live", fmt.Sprint("run_live_", i))
		require.NoError(t, err, "a live run is never evicted")
		assert.Equal(t, gen.RunStatusCancelling, run.Status)
	}
}

// TestStoreEvictsInCreationOrder: past its bound the store keeps its live runs and the
// newest terminal ones, exactly.
func TestStoreEvictsInCreationOrder(t *testing.T) {
	const bound, created, live = 100, 1000, 5
	st := refserver.NewStore(func() time.Time { return start }, time.Minute, bound)
	for i := range created {
		status := gen.RunStatusCompleted
		if i%10 == 0 && i/10 < live {
			status = gen.RunStatusQueued
		}
		_, err := st.Seed("thread_1", fmt.Sprint("run_", i), status)
		require.NoError(t, err)
		require.LessOrEqual(t, st.Len(), bound)
	}
	var kept []int
	for i := range created {
		if _, err := st.Get("thread_1", fmt.Sprint("run_", i)); err == nil {
			kept = append(kept, i)
		}
	}
	want := []int{0, 10, 20, 30, 40}
	for i := created - (bound - live); i < created; i++ {
		want = append(want, i)
	}
	assert.Equal(t, want, kept)
}
