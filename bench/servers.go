package bench

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/seed-a6d846e6/portkey-runs/gen"
	"github.com/seed-a6d846e6/portkey-runs/refserver"
)

// LoadThread is the thread the load servers hold their runs on.
const LoadThread = "thread_load"

// LoadPath is the path of the i-th request of a load: run i on LoadThread, under /v1.
func LoadPath(i int) string {
	return "/v1/threads/" + LoadThread + "/runs/run_" + strconv.Itoa(i) + "/cancel"
}

// fullRunAs is fullRun as a generated Run, with the given IDs and status.
func fullRunAs(runID string, st gen.RunStatus) gen.Run {
	var run gen.Run
	if err := json.Unmarshal([]byte(fullRun), &run); err != nil {
		panic(err)
	}
	run.ID, run.ThreadID, run.Status, run.CancelledAt = runID, LoadThread, st, nil
	return run
}

// BareHandler is the ceiling: a net/http handler that writes a constant Run body, the one
// the reference server answers a load's cancel with.
func BareHandler() http.Handler {
	body, err := json.Marshal(fullRunAs("run_0", gen.RunStatusCancelling))
	if err != nil {
		panic(err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
}

// RefServer returns the reference server holding runs in_progress runs with fullRun's
// fields, run_0 to run_<runs-1> on LoadThread, so that each request of a load cancels one.
func RefServer(runs int, opts ...refserver.Option) (*refserver.Server, error) {
	s, err := refserver.New(append([]refserver.Option{refserver.WithCancelDelay(time.Hour), refserver.WithMaxRuns(runs)}, opts...)...)
	if err != nil {
		return nil, err
	}
	for i := range runs {
		if err := s.Store.Put(fullRunAs("run_"+strconv.Itoa(i), gen.RunStatusInProgress)); err != nil {
			return nil, fmt.Errorf("seeding run %d: %w", i, err)
		}
	}
	return s, nil
}
