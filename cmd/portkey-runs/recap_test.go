package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/portkey"
)

// TestCheckRecap: a failing live check ends with a recap whose curl lines carry every
// credential as its variable, never its value, and reproduce the answer when run; -q
// prints only the recap and the summary.
func TestCheckRecap(t *testing.T) {
	const key, vkey = "pk-live-7c1e9a3f5b2d8e4c6a0f", "vk-2b7d9f1a3c5e7b9d1f3a"
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		if r.Header.Get(portkey.HeaderAPIKey) == key && r.Header.Get(portkey.HeaderVirtualKey) == vkey {
			w.Write([]byte(`{"message":"Not Found","ok":false}`)) // breaks the schema only with the right keys
			return
		}
		w.Write([]byte(`{"error":{"message":"wrong keys","type":"invalid_request_error","param":null,"code":null}}`))
	}))
	defer broken.Close()
	base := broken.URL + "/v1"
	vars := creds(portkey.Auth{APIKey: key, VirtualKey: vkey})

	o := cli(t, "", vars, "check", "-q", "--target", base)
	assert.Equal(t, 1, o.code, o.stdout+o.stderr)
	curl := "curl -si -X POST " + base + "/threads/thread_contract_unknown/runs/run_contract_unknown/cancel -H 'Openai-Beta: assistants=v2'"
	recap, summary, _ := strings.Cut(o.stdout, "\n\nFAIL ")
	auth := ` -H "X-Portkey-Api-Key: $PORTKEY_API_KEY" -H "X-Portkey-Virtual-Key: $PORTKEY_VIRTUAL_KEY"`
	assert.Equal(t, `Failures:
  FAIL  scenarios.unknown_run: status_code
        status: 404 is the gateway's answer for a path it has no route for ({"message":"Not Found","ok":false}): the target has no such route; does --target end in /v1? (status_code)
        reproduce: `+curl+auth+`
  FAIL  scenarios.no_credentials: scenario
        status: 404 is not the expected 401 or 403; the body says "wrong keys" (scenario)
        reproduce: `+curl+`
  FAIL  scenarios.create_run: status_code
        status: 404 is the gateway's answer for a path it has no route for ({"message":"Not Found","ok":false}): the target has no such route; does --target end in /v1? (status_code)
        and 1 more violation
        reproduce: curl -si -X POST `+base+`/threads/runs -H 'Content-Type: application/json' -H 'Openai-Beta: assistants=v2'`+auth+` -d '{"assistant_id":"asst_portkey_runs_check"}'`, recap, "no credentials sent: none in the line either")
	// Without --run the suite made its own run: the create failed, so nothing followed it.
	assert.Regexp(t, `^3 results: 0 passed, 3 failed, 0 errors; \d+ checks, 4 failed, 0 errors; 0 notices \(\d+\.\dms\)\n$`, summary)
	assert.NotContains(t, o.stdout+o.stderr, key)
	assert.NotContains(t, o.stdout+o.stderr, vkey)

	// record's report has the same recap.
	o = cli(t, "", vars, "record", "-q", "--target", base, "--out", t.TempDir())
	assert.Equal(t, 1, o.code, o.stdout+o.stderr)
	assert.Contains(t, o.stdout, "  FAIL  recorded.unknown_run: status_code\n")
	assert.Contains(t, o.stdout, "        reproduce: "+curl+auth+"\n")

	// Run as printed, in a shell with the variables set, the line gets the same answer.
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("no curl")
	}
	_, line, ok := strings.Cut(o.stdout, "reproduce: ")
	require.True(t, ok)
	line, _, _ = strings.Cut(line, "\n")
	cmd := exec.Command("sh", "-c", line)
	cmd.Env = append(os.Environ(), portkey.EnvAPIKey+"="+key, portkey.EnvVirtualKey+"="+vkey)
	out, err := cmd.Output()
	require.NoError(t, err)
	assert.Contains(t, string(out), "HTTP/1.1 404 Not Found")
	assert.Contains(t, string(out), `{"message":"Not Found","ok":false}`)
}

// TestCassettesAlone: --cassettes DIR replays DIR and nothing else; each result of the
// recap names the validate command that reproduces it.
func TestCassettesAlone(t *testing.T) {
	o := cli(t, "", nil, "check", "--cassettes", badDir)
	assert.Equal(t, 1, o.code)
	assert.True(t, strings.HasPrefix(o.stdout, "cassettes: "+badDir+"\n"), o.stdout)
	assert.NotContains(t, o.stdout, "scenarios:")
	assert.NotContains(t, o.stdout, "recordings:")
	assert.Contains(t, o.stdout, "\n  FAIL  cassettes.wrong_enum: schema\n"+
		`        body /status: "paused" is not one of queued, in_progress, requires_action, cancelling, cancelled, failed, completed, incomplete, expired (schema)`+"\n"+
		"        reproduce: portkey-runs validate "+badDir+"/wrong_enum.yaml\n")
	assert.True(t, strings.HasSuffix(strings.SplitN(o.stdout, "\n\nFailures:\n", 2)[0], "      pass  drift"), "checks of failing results are listed")
}
