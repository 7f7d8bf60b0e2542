package contract_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/contract"
	"github.com/seed-a6d846e6/portkey-runs/gen"
	"github.com/seed-a6d846e6/portkey-runs/internal/testtarget"
	"github.com/seed-a6d846e6/portkey-runs/portkey"
)

// collect returns a Report func and the results it gathered.
func collect() (func(contract.Result), func() []contract.Result) {
	var mu sync.Mutex
	var rs []contract.Result
	return func(r contract.Result) { mu.Lock(); rs = append(rs, r); mu.Unlock() },
		func() []contract.Result { mu.Lock(); defer mu.Unlock(); return append([]contract.Result(nil), rs...) }
}

func TestTransportAroundGeneratedClient(t *testing.T) {
	srv := testtarget.New(t)
	report, results := collect()
	hc := &http.Client{Transport: &contract.Transport{Report: report}}
	c, err := gen.NewClientWithResponses(srv.URL+"/v1", gen.WithHTTPClient(hc), gen.WithRequestEditorFn(testtarget.HostedAuth.Editor()))
	require.NoError(t, err)

	resp, err := portkey.CancelRun(context.Background(), c, testtarget.RunInProgress.ThreadID, testtarget.RunInProgress.RunID)
	require.NoError(t, err)
	require.NotNil(t, resp.JSON200, "the caller still gets the parsed body")
	assert.Equal(t, gen.RunStatusCancelling, resp.JSON200.Status)

	resp, err = portkey.CancelRun(context.Background(), c, testtarget.RunCompleted.ThreadID, testtarget.RunCompleted.RunID)
	require.NoError(t, err)
	require.NotNil(t, resp.JSON400)

	rs := results()
	require.Len(t, rs, 2)
	for i, status := range []int{200, 400} {
		assert.Equal(t, status, rs[i].Status)
		assert.Equal(t, contract.Pass, rs[i].Verdict, "%v", rs[i].Violations())
		assert.Empty(t, rs[i].Violations())
	}
	assert.Equal(t, "POST /v1/threads/thread_contract/runs/run_in_progress/cancel", rs[0].Name)
}

func TestTransportReportsViolationsAndKeepsBody(t *testing.T) {
	body := `{"id":"run_1","object":"thread.run","status":"paused"}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
	}))
	defer srv.Close()
	report, results := collect()
	hc := &http.Client{Transport: &contract.Transport{Report: report}}

	// Not the Cancel Run operation: passed through, not reported.
	resp, err := hc.Get(srv.URL + "/v1/models")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Empty(t, results())

	resp, err = testtarget.Cancel(hc, srv.URL+"/v1/threads/thread_1/runs/run_1/cancel")
	require.NoError(t, err)
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, body, string(got), "the body reaches the caller unchanged")

	rs := results()
	require.Len(t, rs, 1)
	assert.Equal(t, contract.Fail, rs[0].Verdict)
	assert.Contains(t, testtarget.Lines(rs[0].Violations()),
		`body /status: "paused" is not one of queued, in_progress, requires_action, cancelling, cancelled, failed, completed, incomplete, expired (schema)`)
}

func TestTransportBoundsBody(t *testing.T) {
	big := `{"pad":"` + strings.Repeat("x", 1000) + `"}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, big)
	}))
	defer srv.Close()
	v := validator(t, contract.Options{MaxBody: 100})
	report, results := collect()
	hc := &http.Client{Transport: &contract.Transport{Validator: v, Report: report}}
	resp, err := testtarget.Cancel(hc, srv.URL+"/threads/t/runs/r/cancel")
	require.NoError(t, err)
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, big, string(got))
	rs := results()
	require.Len(t, rs, 1)
	assert.Equal(t, []string{"body: is larger than 100 bytes (the validator's limit) and was not validated (infrastructure)"}, testtarget.Lines(rs[0].Violations()))
	assert.Equal(t, contract.Error, rs[0].Verdict, "a body not validated is not a pass")
}

func TestTransportKeepsReadErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "100")
		_, _ = io.WriteString(w, `{"id":`)
		// The handler returns early: the client sees an unexpected EOF.
	}))
	defer srv.Close()
	report, results := collect()
	hc := &http.Client{Transport: &contract.Transport{Report: report}}
	resp, err := testtarget.Cancel(hc, srv.URL+"/threads/t/runs/r/cancel")
	require.NoError(t, err)
	got, err := io.ReadAll(resp.Body)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF, "the caller sees the read error")
	assert.Equal(t, `{"id":`, string(got))
	rs := results()
	require.Len(t, rs, 1)
	assert.Equal(t, contract.Error, rs[0].Verdict)
	assert.Equal(t, []string{"connection: failed: unexpected EOF (infrastructure)"}, testtarget.Lines(rs[0].Violations()))
}

func TestTransportConnectionError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	report, results := collect()
	hc := &http.Client{Transport: &contract.Transport{Report: report}}
	_, err := testtarget.Cancel(hc, url+"/threads/t/runs/r/cancel")
	require.Error(t, err)
	rs := results()
	require.Len(t, rs, 1)
	assert.Equal(t, contract.Error, rs[0].Verdict)
	require.Len(t, rs[0].Violations(), 1)
	assert.Equal(t, contract.CheckInfrastructure, rs[0].Violations()[0].Check)
}
