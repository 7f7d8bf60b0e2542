package contracttest_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/contracttest"
	"github.com/seed-a6d846e6/portkey-runs/gen"
	"github.com/seed-a6d846e6/portkey-runs/internal/testtarget"
	"github.com/seed-a6d846e6/portkey-runs/portkey"
)

// fakeTB records what Require reports instead of failing the real test.
type fakeTB struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}

func TestRequireFailsTheTest(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(200)
		_, _ = io.WriteString(w, "<html>OK</html>")
	}))
	defer srv.Close()
	ftb := &fakeTB{TB: t}
	hc := &http.Client{Transport: contracttest.Require(ftb, nil)}
	resp, err := testtarget.Cancel(hc, srv.URL+"/threads/t/runs/r/cancel")
	require.NoError(t, err)
	resp.Body.Close()
	require.Len(t, ftb.errors, 1)
	assert.Contains(t, ftb.errors[0], `header Content-Type: "text/html" is not application/json (content_type)`)
}

func TestClientHelper(t *testing.T) {
	srv := testtarget.New(t)
	c, err := gen.NewClientWithResponses(srv.URL+"/v1", gen.WithHTTPClient(contracttest.Client(t)), gen.WithRequestEditorFn(testtarget.HostedAuth.Editor()))
	require.NoError(t, err)
	resp, err := portkey.CancelRun(context.Background(), c, testtarget.RunInProgress.ThreadID, testtarget.RunInProgress.RunID)
	require.NoError(t, err)
	require.NotNil(t, resp.JSON200)
}
