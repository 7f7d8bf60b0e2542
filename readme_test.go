package portkeyruns_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/seed-a6d846e6/portkey-runs/contract"
	"github.com/seed-a6d846e6/portkey-runs/contracttest"
	"github.com/seed-a6d846e6/portkey-runs/gen"
	"github.com/seed-a6d846e6/portkey-runs/portkey"
	"github.com/seed-a6d846e6/portkey-runs/refserver"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The README's Go snippets, verbatim (TestReadmeGoSnippets checks it): they compile here,
// and the examples below run them against the reference server.

// cancelWithGen cancels a run with the generated client; baseURL is
// https://api.portkey.ai/v1 for the hosted gateway.
func cancelWithGen(ctx context.Context, baseURL string) error {
	auth := portkey.AuthFromEnv() // PORTKEY_API_KEY, PORTKEY_VIRTUAL_KEY, ...
	c, err := gen.NewClientWithResponses(baseURL, gen.WithRequestEditorFn(auth.Editor()))
	if err != nil {
		return err
	}
	res, err := portkey.CancelRun(ctx, c, "thread_abc", "run_abc")
	if err != nil {
		return err
	}
	if res.JSON200 != nil {
		fmt.Println(res.JSON200.Status) // cancelling
	}
	return nil
}

// cancelWithClient cancels a run with the client, then once more with the raw generated
// response.
func cancelWithClient(ctx context.Context) error {
	c, err := portkey.New() // PORTKEY_BASE_URL (default https://api.portkey.ai/v1) and PORTKEY_* credentials
	if err != nil {
		return err
	}
	run, err := c.Cancel(ctx, "thread_abc", "run_abc")
	var apiErr *portkey.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Type, apiErr.Message)
		return err
	}
	if err != nil {
		return err
	}
	fmt.Println(run.Status) // cancelling

	// The raw generated response:
	res, err := portkey.CancelRun(ctx, c.Gen(), "thread_abc", "run_abc")
	if err != nil {
		return err
	}
	fmt.Println(res.StatusCode()) // 400: the run is cancelling already
	return nil
}

// newReference serves the reference server for a test, with run_abc of thread_abc in
// progress.
func newReference(t *testing.T) *httptest.Server {
	s, err := refserver.New(refserver.WithCancelDelay(0)) // also WithClock, WithMaxRuns (default 10000)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Store.Seed("thread_abc", "run_abc", gen.RunStatusInProgress); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s) // point any client at srv.URL or srv.URL+"/v1"
	t.Cleanup(srv.Close)
	return srv
}

// reference serves the reference server with run_abc in progress, and points the PORTKEY_*
// variables at it; stop undoes both.
func reference() (stop func()) {
	s, err := refserver.New()
	if err != nil {
		panic(err)
	}
	if _, err := s.Store.Seed("thread_abc", "run_abc", gen.RunStatusInProgress); err != nil {
		panic(err)
	}
	srv := httptest.NewServer(s)
	vars := map[string]string{portkey.EnvBaseURL: srv.URL + "/v1", portkey.EnvAPIKey: "pk-example", portkey.EnvVirtualKey: "vk-example"}
	for k, v := range vars {
		os.Setenv(k, v)
	}
	return func() {
		for k := range vars {
			os.Unsetenv(k)
		}
		srv.Close()
	}
}

// checkServer runs the standard scenarios against baseURL, which holds a cancellable and
// a terminal run, and fails t on every result that does not pass.
func checkServer(t *testing.T, baseURL string, cancellable, terminal contract.RunRef) {
	s := &contract.Suite{BaseURL: baseURL, Auth: portkey.Auth{APIKey: "test", VirtualKey: "test"}}
	seeds := contract.Seeds{Cancellable: cancellable, Terminal: terminal}
	for _, r := range s.RunAll(context.Background(), contract.Scenarios(seeds)) {
		if r.Verdict != contract.Pass {
			t.Errorf("%s: %s %v", r.Name, r.Verdict, r.Violations())
		}
	}
}

// cancelChecked cancels through a client whose every exchange must conform: a violation
// fails t, and the caller still gets the run.
func cancelChecked(t *testing.T, baseURL string) (*gen.Run, error) {
	c, err := portkey.New(portkey.WithBaseURL(baseURL), portkey.WithHTTPClient(contracttest.Client(t)),
		portkey.WithAuth(portkey.Auth{APIKey: "test", VirtualKey: "test"}))
	if err != nil {
		return nil, err
	}
	return c.Cancel(context.Background(), refserver.DemoThread, refserver.DemoRunID(gen.RunStatusQueued))
}

// TestCheckServerAndClient runs the two snippets above against the reference server.
func TestCheckServerAndClient(t *testing.T) {
	ref, err := refserver.New()
	require.NoError(t, err)
	require.NoError(t, refserver.SeedDemo(ref.Store))
	srv := httptest.NewServer(ref)
	defer srv.Close()
	demo := func(st gen.RunStatus) contract.RunRef {
		return contract.RunRef{ThreadID: refserver.DemoThread, RunID: refserver.DemoRunID(st)}
	}
	checkServer(t, srv.URL+"/v1", demo(gen.RunStatusInProgress), demo(gen.RunStatusCompleted))
	run, err := cancelChecked(t, srv.URL+"/v1")
	require.NoError(t, err)
	assert.Equal(t, gen.RunStatusCancelling, run.Status)
}

func Example_cancelWithGen() {
	defer reference()()
	if err := cancelWithGen(context.Background(), os.Getenv(portkey.EnvBaseURL)); err != nil {
		fmt.Println(err)
	}
	// Output:
	// cancelling
}

func Example_cancelWithClient() {
	defer reference()()
	for range 2 {
		if err := cancelWithClient(context.Background()); err != nil {
			fmt.Println("error:", err)
		}
	}
	// Output:
	// cancelling
	// 400
	// 400 invalid_request_error Cannot cancel run with status 'cancelling'.
	// error: portkey: 400 Bad Request type=invalid_request_error: Cannot cancel run with status 'cancelling'.
}

func TestNewReference(t *testing.T) {
	srv := newReference(t)
	t.Setenv(portkey.EnvAPIKey, "pk-example")
	t.Setenv(portkey.EnvVirtualKey, "vk-example")
	t.Setenv(portkey.EnvBaseURL, srv.URL+"/v1")
	c, err := portkey.New()
	if err != nil {
		t.Fatal(err)
	}
	run, err := c.Cancel(context.Background(), "thread_abc", "run_abc")
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != gen.RunStatusCancelled {
		t.Errorf("with no cancel delay the run is cancelled at once; got %s", run.Status)
	}
}

// TestReadmeGoSnippets: every Go snippet of the README is in this file as it is shown
// (its imports among this file's), so that it compiles and runs as pasted.
func TestReadmeGoSnippets(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	self, err := os.ReadFile("readme_test.go")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(string(readme), -1)
	if len(blocks) < 3 {
		t.Fatalf("%d Go snippets in the README, want 3 or more", len(blocks))
	}
	imports := regexp.MustCompile(`(?s)^import \((.*?)\)\n\n`)
	for _, b := range blocks {
		code := b[1]
		if m := imports.FindStringSubmatch(code); m != nil {
			for _, line := range strings.Split(strings.TrimSpace(m[1]), "\n") {
				if line = strings.TrimSpace(line); line != "" && !strings.Contains(string(self), "\n\t"+line+"\n") {
					t.Errorf("README imports %s, which readme_test.go does not", line)
				}
			}
			code = code[len(m[0]):]
		}
		if !strings.Contains(string(self), code) {
			t.Errorf("README snippet not in readme_test.go as shown:\n%s", code)
		}
	}
}
