package contract_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/seed-a6d846e6/portkey-runs/contract"
	"github.com/seed-a6d846e6/portkey-runs/gen"
	"github.com/seed-a6d846e6/portkey-runs/internal/testtarget"
	"github.com/seed-a6d846e6/portkey-runs/portkey"
	"github.com/seed-a6d846e6/portkey-runs/refserver"
)

// Validate a response you captured yourself: its status, headers and body, plus the IDs
// of the request so that the body can be checked against them.
func ExampleValidator_Validate() {
	v, err := contract.New(contract.Options{})
	if err != nil {
		panic(err)
	}
	body := `{"id":"run_abc123","object":"thread.run","created_at":1699075072,"thread_id":"thread_abc123",
	"assistant_id":"asst_abc123","status":"paused","required_action":null,"last_error":null,
	"expires_at":null,"started_at":1699075072,"cancelled_at":null,"failed_at":null,"completed_at":null,
	"incomplete_details":null,"model":"gpt-4o","instructions":"","tools":[],"metadata":null,"usage":null,
	"max_prompt_tokens":null,"max_completion_tokens":null,"truncation_strategy":null,"tool_choice":null,
	"parallel_tool_calls":true,"response_format":null,"undeclared_extra":{}}`
	violations := v.Validate(contract.Exchange{
		ThreadID: "thread_abc123", RunID: "run_abc123",
		Status: 200,
		Header: http.Header{"Content-Type": {"application/json"}},
		Body:   []byte(body),
	}).Violations()
	for _, vi := range violations {
		fmt.Println(vi.Severity, vi)
	}
	// Output:
	// failure body /status: "paused" is not one of queued, in_progress, requires_action, cancelling, cancelled, failed, completed, incomplete, expired (schema)
	// notice body /undeclared_extra: is not declared in the spec (drift)
}

// Wrap your own http.Client: every Cancel Run exchange is validated on its way back to
// you, and the caller still reads the body. In a test, contracttest.Client(t)
// or contracttest.Require(t, base) fail the test on a violation instead.
func ExampleTransport() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"error":{"message":"No run found with id 'run_1'.","type":"invalid_request_error","param":null}}`)
	}))
	defer srv.Close()

	client := &http.Client{Transport: &contract.Transport{
		Report: func(r contract.Result) {
			fmt.Println(r.Name, r.Status, r.Verdict)
			for _, v := range r.Violations() {
				fmt.Println("  ", v)
			}
		},
	}}
	auth := portkey.Auth{APIKey: "pk-example", VirtualKey: "vk-example"}
	c, err := gen.NewClientWithResponses(srv.URL+"/v1", gen.WithHTTPClient(client), gen.WithRequestEditorFn(auth.Editor()))
	if err != nil {
		panic(err)
	}
	resp, err := portkey.CancelRun(context.Background(), c, "thread_1", "run_1")
	if err != nil {
		panic(err)
	}
	fmt.Println("caller got:", resp.StatusCode(), len(resp.Body) > 0)
	// Output:
	// POST /v1/threads/thread_1/runs/run_1/cancel 404 fail
	//    body: {"error":{"message":"No run found with id 'run_1'.","para... matches no branch of ErrorResponse [ErrorEnvelope: /error {"message":"No run found with id 'run_1'.","param":null,"... matches no branch of ErrorObject [Error: /code required property is missing; AzureError: /param is not a property of AzureError, /type is not a property of AzureError, /code required property is missing]; GatewayFailure: /status required property is missing, /message required property is missing]; the body says "No run found with id 'run_1'." (schema)
	// caller got: 404 true
}

// Run the standard scenarios against a target that holds a cancellable run and a
// terminal one: here the reference server, its cancelling runs slow to settle.
func ExampleSuite_RunAll() {
	ref, err := refserver.New(refserver.WithCancelDelay(time.Hour))
	if err != nil {
		panic(err)
	}
	for rr, st := range map[contract.RunRef]gen.RunStatus{testtarget.RunInProgress: gen.RunStatusInProgress, testtarget.RunCompleted: gen.RunStatusCompleted} {
		if _, err := ref.Store.Seed(rr.ThreadID, rr.RunID, st); err != nil {
			panic(err)
		}
	}
	srv := httptest.NewServer(ref)
	defer srv.Close()
	s := &contract.Suite{BaseURL: srv.URL + "/v1", Auth: testtarget.HostedAuth}
	for _, r := range s.RunAll(context.Background(), contract.Scenarios(contract.Seeds{Cancellable: testtarget.RunInProgress, Terminal: testtarget.RunCompleted})) {
		fmt.Println(r.Name, r.Status, r.Verdict)
	}
	// Output:
	// cancel 200 pass
	// cancel_again 400 pass
	// cancel_terminal 400 pass
	// unknown_run 404 pass
	// no_credentials 401 pass
}
