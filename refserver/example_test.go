package refserver_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/seed-a6d846e6/portkey-runs/gen"
	"github.com/seed-a6d846e6/portkey-runs/portkey"
	"github.com/seed-a6d846e6/portkey-runs/refserver"
)

// Seed a run, then cancel it twice with the generated client: the first cancel answers the
// run as cancelling, the second the 400 of the real service.
func Example() {
	s, err := refserver.New()
	if err != nil {
		panic(err)
	}
	if _, err := s.Store.Seed("thread_abc", "run_abc", gen.RunStatusInProgress); err != nil {
		panic(err)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()

	auth := portkey.Auth{APIKey: "pk-test", VirtualKey: "vk-test"}
	c, err := gen.NewClientWithResponses(srv.URL+"/v1", gen.WithRequestEditorFn(auth.Editor()))
	if err != nil {
		panic(err)
	}
	for range 2 {
		res, err := c.CancelRunWithResponse(context.Background(), "thread_abc", "run_abc", nil)
		if err != nil {
			panic(err)
		}
		if res.JSON200 != nil {
			fmt.Println(res.StatusCode(), res.JSON200.Status)
			continue
		}
		env, _ := res.JSON400.AsErrorEnvelope()
		e, _ := env.Error.AsError()
		fmt.Println(res.StatusCode(), e.Message)
	}
	// Output:
	// 200 cancelling
	// 400 Cannot cancel run with status 'cancelling'.
}

// A Prefer header asks for a fault: here a 429 with Retry-After for the first request only.
func Example_faults() {
	s, _ := refserver.New()
	_, _ = s.Store.Seed("thread_abc", "run_abc", gen.RunStatusQueued)
	srv := httptest.NewServer(s)
	defer srv.Close()

	auth := portkey.Auth{APIKey: "pk-test", VirtualKey: "vk-test"}
	c, _ := gen.NewClientWithResponses(srv.URL, gen.WithRequestEditorFn(auth.Editor()))
	for range 2 {
		res, err := c.CancelRunWithResponse(context.Background(), "thread_abc", "run_abc", nil,
			func(_ context.Context, req *http.Request) error {
				req.Header.Set("Prefer", "code=429,retry-after=2,times=1")
				return nil
			})
		if err != nil {
			panic(err)
		}
		fmt.Println(res.StatusCode(), res.HTTPResponse.Header.Get("Retry-After"))
	}
	// Output:
	// 429 2
	// 200
}

// A manual clock and a cancel delay make the cancelling -> cancelled step deterministic.
func ExampleStore_Cancel() {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	st := refserver.NewStore(func() time.Time { return now }, time.Minute, 0)
	_, _ = st.Seed("thread_abc", "run_abc", gen.RunStatusQueued)

	run, _ := st.Cancel("thread_abc", "run_abc")
	fmt.Println(run.Status, run.CancelledAt == nil)

	now = now.Add(time.Minute)
	run, _ = st.Get("thread_abc", "run_abc")
	fmt.Println(run.Status, *run.CancelledAt == int(now.Unix()))

	_, err := st.Cancel("thread_abc", "run_abc")
	fmt.Println(err)
	// Output:
	// cancelling true
	// cancelled true
	// Cannot cancel run with status 'cancelled'.
}
