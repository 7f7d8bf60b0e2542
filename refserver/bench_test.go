package refserver_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/seed-a6d846e6/portkey-runs/gen"
	"github.com/seed-a6d846e6/portkey-runs/refserver"
)

// BenchmarkCancel measures one cancel through the whole server (validation, security,
// routing, strict handler, store) against the baseline: a bare handler that reads the IDs
// with PathValue, cancels in the same Store and encodes the same body.
func BenchmarkCancel(b *testing.B) {
	bare := func(st *refserver.Store) http.Handler {
		mux := http.NewServeMux()
		mux.HandleFunc("POST /threads/{thread_id}/runs/{run_id}/cancel", func(w http.ResponseWriter, r *http.Request) {
			run, err := st.Cancel(r.PathValue("thread_id"), r.PathValue("run_id"))
			w.Header().Set("Content-Type", "application/json")
			if err != nil {
				w.WriteHeader(http.StatusBadRequest)
				_ = json.NewEncoder(w).Encode(map[string]gen.Error{"error": {Message: err.Error(), Type: "invalid_request_error"}})
				return
			}
			_ = json.NewEncoder(w).Encode(run)
		})
		return mux
	}
	for _, c := range []struct {
		name   string
		status gen.RunStatus
		want   int
	}{{"200", gen.RunStatusQueued, 200}, {"400", gen.RunStatusCompleted, 400}} {
		for _, impl := range []string{"refserver", "bare"} {
			b.Run(c.name+"/"+impl, func(b *testing.B) {
				s, err := refserver.New(refserver.WithCancelDelay(time.Hour), refserver.WithMaxRuns(b.N+1))
				if err != nil {
					b.Fatal(err)
				}
				var h http.Handler = s
				if impl == "bare" {
					h = bare(s.Store)
				}
				reqs := make([]*http.Request, b.N)
				for i := range reqs {
					id := fmt.Sprint("run_", i)
					if _, err := s.Store.Seed("thread_1", id, c.status); err != nil {
						b.Fatal(err)
					}
					reqs[i] = httptest.NewRequest(http.MethodPost, cancelPath("thread_1", id), nil)
					creds.Apply(reqs[i].Header)
				}
				b.ReportAllocs()
				b.ResetTimer()
				for i := range b.N {
					w := httptest.NewRecorder()
					h.ServeHTTP(w, reqs[i])
					if w.Code != c.want {
						b.Fatalf("status %d: %s", w.Code, w.Body)
					}
				}
			})
		}
	}
}
