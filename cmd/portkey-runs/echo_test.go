package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/portkey"
)

// echoAuth are credentials no pattern recognises as keys: 32 hex characters, a virtual
// key slug, plain words, and a config whose own key is plain words.
var echoAuth = portkey.Auth{
	APIKey:      "3f9a0c7d1e5b2a8c4d6e0f1a2b3c4d5e",
	VirtualKey:  "openai-prod-vk-77",
	Provider:    "openai",
	ProviderKey: "correct-horse-battery-staple",
	Config:      `{"provider":"openai","api_key":"plain words secret/1"}`,
}

// echoSecrets are echoAuth's secret values, the config's key included.
var echoSecrets = []string{echoAuth.APIKey, echoAuth.VirtualKey, echoAuth.ProviderKey, echoAuth.Config, "plain words secret/1"}

// forms are the ways a secret can be written in a URL, JSON or XML document.
func forms(s string) []string {
	j, _ := json.Marshal(s)
	var x bytes.Buffer
	_ = xml.EscapeText(&x, []byte(s))
	return []string{s, url.QueryEscape(s), url.PathEscape(s), string(j[1 : len(j)-1]), x.String()}
}

// echoTarget answers every request with each credential echoed in every form: in header
// values and names, body values and property names, and in values that fail the contract
// (so that the reports quote them). Without credentials it answers 401, the same way.
func echoTarget(t *testing.T) string {
	var echoes []string
	for _, s := range echoSecrets {
		echoes = append(echoes, forms(s)...)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := map[string]any{}
		var tools []any
		for i, e := range echoes {
			w.Header().Add("X-Echo", e)
			if !strings.ContainsAny(e, " \"{}:,/%") {
				w.Header().Set(e, "1") // a header name
			}
			body[e] = e                                      // drift: the name is printed
			tools = append(tools, map[string]any{"type": e}) // a failure quoting the value
			body["metadata_"+string(rune('a'+i%26))] = map[string]any{"k": e}
		}
		body["tools"] = tools
		body["response_format"] = map[string]any{"echo": echoes} // a failure quoting an object
		status := http.StatusOK
		if r.Header.Get(portkey.HeaderAPIKey) == "" {
			status = http.StatusUnauthorized
			body = map[string]any{"error": map[string]any{"message": strings.Join(echoes, " "), "type": echoes[0],
				"param": nil, "code": map[string]any{"echo": echoes}}}
		} else {
			for k, v := range map[string]any{"id": "run_contract_unknown", "object": "thread.run", "created_at": 1,
				"thread_id": "thread_contract_unknown", "status": echoes[1], "model": echoes[2]} {
				body[k] = v
			}
		}
		b, err := json.Marshal(body)
		require.NoError(t, err)
		// The reason phrase echoes too: written by hand, as net/http writes its own.
		conn, buf, err := http.NewResponseController(w).Hijack()
		require.NoError(t, err)
		defer conn.Close()
		reason := http.StatusText(status) + " " + echoAuth.APIKey + " " + echoAuth.VirtualKey
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.Header().Set("Connection", "close")
		fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\n", status, reason)
		require.NoError(t, w.Header().Write(buf))
		buf.WriteString("\r\n")
		buf.Write(b)
		require.NoError(t, buf.Flush())
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/v1"
}

// assertMasked fails for every form of every credential found in out, in any case (header
// names are canonicalized).
func assertMasked(t *testing.T, what, out string) {
	t.Helper()
	for _, s := range echoSecrets {
		for _, f := range forms(s) {
			assert.NotContains(t, strings.ToLower(out), strings.ToLower(f), "%s shows %q", what, f)
		}
	}
}

// TestEchoedCredentialsAreMasked: a target that echoes every credential, in every form
// and place, gets none of them into a report (human, JSON, JUnit), a cassette, a progress
// line or validate's output.
func TestEchoedCredentialsAreMasked(t *testing.T) {
	base := echoTarget(t)
	vars := creds(echoAuth)
	dir := t.TempDir()
	for _, format := range []string{"human", "json", "junit"} {
		report := filepath.Join(dir, "report."+format)
		o := cli(t, "", vars, "check", "--target", base, "--format", format)
		assert.Equal(t, exitFail, o.code, o.stdout+o.stderr)
		assert.Contains(t, o.stdout, "[REDACTED]")
		assertMasked(t, "check --format "+format, o.stdout+o.stderr)

		cassettes := filepath.Join(dir, "cassettes-"+format)
		o = cli(t, "", vars, "record", "--target", base, "--out", cassettes, "--format", format, "--output", report)
		assert.Equal(t, exitFail, o.code, o.stdout+o.stderr)
		assertMasked(t, "record", o.stdout+o.stderr)
		b, err := os.ReadFile(report)
		require.NoError(t, err)
		assert.Contains(t, string(b), "REDACTED")
		assertMasked(t, "the "+format+" report", string(b))
	}

	files, err := filepath.Glob(filepath.Join(dir, "cassettes-human", "*.yaml"))
	require.NoError(t, err)
	require.Len(t, files, 3, "unknown_run, no_credentials and lifecycle (its create)")
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		assert.Contains(t, string(b), "X-Echo")
		assertMasked(t, f, string(b))
	}
	o := cli(t, "", vars, append([]string{"validate"}, files...)...)
	assert.Equal(t, exitFail, o.code, o.stdout+o.stderr)
	assertMasked(t, "validate of the cassettes", o.stdout+o.stderr)

	// What curl -i saved, validated with the credentials in the environment.
	req, err := http.NewRequest(http.MethodPost, base+"/threads/thread_contract_unknown/runs/run_contract_unknown/cancel", nil)
	require.NoError(t, err)
	echoAuth.Apply(req.Header)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	var body bytes.Buffer
	_, err = body.ReadFrom(resp.Body)
	require.NoError(t, err)
	resp.Body.Close()
	capture := filepath.Join(dir, "capture.txt")
	require.NoError(t, os.WriteFile(capture, dump(resp.StatusCode, resp.Header, body.Bytes()), 0o600))
	o = cli(t, "", vars, "validate", capture)
	assert.Equal(t, exitFail, o.code, o.stdout+o.stderr)
	assert.Contains(t, o.stdout, "[REDACTED]")
	assertMasked(t, "validate of a capture", o.stdout+o.stderr)
}
