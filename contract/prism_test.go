package contract_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seed-a6d846e6/portkey-runs/internal/testtarget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"
)

// specOnlyChecks are the golden-file kinds a validator that knows only the spec can see.
var specOnlyChecks = []string{"(schema)", "(content_type)", "(status_code)", "(response_headers)"}

// TestPrismAgrees: Prism, as a validating proxy in front of a server that answers every
// recorded response and the spec's Run examples, flags each known-bad one whose golden file
// names a spec violation, and passes the good ones and those that break only semantic rules. PRISM is the path
// of the pinned prism binary (make interop-prism sets it); without it the test is skipped.
func TestPrismAgrees(t *testing.T) {
	prism := os.Getenv("PRISM")
	if prism == "" {
		t.Skip("PRISM not set: make interop-prism runs this with interop/'s pinned Prism")
	}
	type recorded struct {
		resp    cassette.Response
		flagged bool // Prism should report a violation
	}
	answers := map[string]recorded{}
	const cassetteDir, badDir = "../recording/testdata/cassettes", "../recording/testdata/cassettes/bad"
	for _, dir := range []string{cassetteDir, badDir} {
		files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
		require.NoError(t, err)
		for _, f := range files {
			c, err := cassette.Load(strings.TrimSuffix(f, ".yaml"))
			require.NoError(t, err)
			require.Len(t, c.Interactions, 1, f)
			name := strings.TrimSuffix(filepath.Base(f), ".yaml")
			r := recorded{resp: c.Interactions[0].Response}
			if dir == badDir {
				name = "bad_" + name
				golden, err := os.ReadFile(strings.TrimSuffix(f, ".yaml") + ".golden")
				require.NoError(t, err)
				for _, l := range testtarget.GoldenLines(string(golden)) {
					for _, k := range specOnlyChecks {
						r.flagged = r.flagged || strings.HasSuffix(l, k)
					}
				}
			}
			answers[name] = r
		}
	}
	// The spec's Run examples too: RunAllNull has null in every nullable field (D1).
	for _, name := range []string{"CancellingRun", "CancelledRunFilled", "RunAllNull"} {
		b, err := json.Marshal(exampleValue(t, name))
		require.NoError(t, err)
		answers["example_"+name] = recorded{resp: cassette.Response{Code: 200,
			Headers: http.Header{"Content-Type": {"application/json"}}, Body: string(b)}}
	}
	require.Greater(t, len(answers), 15)

	// The upstream answers /threads/{name}/runs/{run}/cancel with recording name.
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		parts := strings.Split(r.URL.Path, "/")
		a, ok := answers[parts[min(2, len(parts)-1)]]
		if !ok || len(parts) != 6 {
			http.Error(w, "no such recording", http.StatusTeapot)
			return
		}
		for k, vs := range a.resp.Headers {
			switch http.CanonicalHeaderKey(k) {
			case "Content-Length", "Transfer-Encoding", "Content-Encoding", "Connection":
				continue
			}
			w.Header()[k] = vs
		}
		w.WriteHeader(a.resp.Code)
		_, _ = io.WriteString(w, a.resp.Body)
	}))
	defer upstream.Close()

	base := startPrism(t, prism, upstream.URL)
	client := &http.Client{Timeout: 30 * time.Second}
	for name, a := range answers {
		t.Run(name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, base+"/threads/"+name+"/runs/run_abc123/cancel", nil)
			require.NoError(t, err)
			req.Header.Set("x-portkey-api-key", "pk-test")
			req.Header.Set("x-portkey-virtual-key", "vk-test")
			req.Header.Set("OpenAI-Beta", "assistants=v2")
			resp, err := client.Do(req)
			require.NoError(t, err)
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
			require.Equal(t, a.resp.Code, resp.StatusCode, "Prism passed the upstream's status on")

			var violations []struct {
				Location []string `json:"location"`
				Severity string   `json:"severity"`
				Message  string   `json:"message"`
			}
			if h := resp.Header.Get("sl-violations"); h != "" {
				require.NoError(t, json.Unmarshal([]byte(h), &violations), "sl-violations: %s", h)
			}
			var onResponse []string
			for _, v := range violations {
				if len(v.Location) > 0 && v.Location[0] == "response" {
					onResponse = append(onResponse, v.Severity+": "+v.Message)
				} else {
					t.Errorf("Prism finds the request at fault: %s %s", v.Severity, v.Message)
				}
			}
			if a.flagged {
				assert.NotEmpty(t, onResponse, "Prism let a known-bad response through")
			} else {
				assert.Empty(t, onResponse, "Prism flags a response the spec admits")
			}
		})
	}
}

// startPrism starts `prism proxy` for api/openapi.yaml in front of upstream on a free
// loopback port, waits (bounded) until it listens, stops it at the end of t, and returns
// its base URL. Prism serves the spec's paths at / (no /v1).
func startPrism(t *testing.T, prism, upstream string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	_, port, _ := net.SplitHostPort(addr)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	logPath := filepath.Join(t.TempDir(), "prism.log")
	logFile, err := os.Create(logPath)
	require.NoError(t, err)
	cmd := exec.CommandContext(ctx, prism, "proxy", "--host", "127.0.0.1", "--port", port,
		"../api/openapi.yaml", upstream)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.WaitDelay = 5 * time.Second
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cancel()
		<-exited
		logFile.Close()
	})
	logTail := func() string {
		b, _ := os.ReadFile(logPath)
		return string(b[max(0, len(b)-4096):])
	}

	deadline := time.Now().Add(2 * time.Minute)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return "http://" + addr
		}
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("prism exited before listening (%v):\n%s", errors.Join(err), logTail())
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal(fmt.Sprintf("prism did not listen on %s within 2 minutes:\n%s", addr, logTail()))
		}
	}
}
