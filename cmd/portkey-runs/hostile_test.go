package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/internal/hostile"
	"github.com/seed-a6d846e6/portkey-runs/portkey"
)

// dump renders a response as 'curl -i' prints it (without --compressed: bytes as sent).
func dump(status int, h http.Header, body []byte) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	b.WriteString("\r\n")
	b.Write(body)
	return b.Bytes()
}

// served is what a case sends over the wire within timeout, read raw (no decompression)
// up to limit bytes, as 'curl -i --max-time' would save it.
func served(t *testing.T, hc hostile.Case, limit int64, timeout time.Duration) (*http.Response, []byte) {
	t.Helper()
	srv := httptest.NewServer(hc)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}, Timeout: timeout, CheckRedirect: portkey.CheckRedirect}
	resp, err := client.Post(srv.URL+hostile.Path, "", nil)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, limit)) // a cut body ends in an error: keep what came
	return resp, body
}

// TestValidateHostileResponses: every case, as captured with 'curl -i', makes validate
// exit 0 (conforming), 1 with located lines naming the file (malformed, the proxy's HTML
// 502, a capture cut short by the connection or the deadline), or 2 naming the input (a
// body too large to judge). A huge body on standard input is refused at the input limit,
// never read whole.
func TestValidateHostileResponses(t *testing.T) {
	dir := t.TempDir()
	for _, hc := range hostile.Cases() {
		t.Run(hc.Name, func(t *testing.T) {
			status, header, body := hc.Status, hc.Header, hc.Body
			if body == nil {
				timeout := 10 * time.Second // a hang guard only
				if hc.Name == "drip" {
					timeout = 300 * time.Millisecond // the capture holds what arrived by then
				}
				resp, b := served(t, hc, 2<<20, timeout)
				status, header, body = resp.StatusCode, resp.Header, b
				if hc.Class == hostile.TooLarge && header.Get("Content-Encoding") == "" {
					// curl would have saved it all: feed the whole stream on standard input.
					var stdout, stderr bytes.Buffer
					code := run(context.Background(), []string{"validate", "-"}, hostile.HugeBody(), &stdout, &stderr, func(string) string { return "" })
					assert.Equal(t, exitError, code)
					assert.Contains(t, stderr.String(), "-: is larger than "+strconv.Itoa(maxInput>>20)+" MiB")
					return
				}
			}
			file := filepath.Join(dir, hc.Name+".txt")
			require.NoError(t, os.WriteFile(file, dump(status, header, body), 0o600))
			o := cli(t, "", creds(portkey.Auth{APIKey: hostile.EchoedKey, VirtualKey: "vk"}), "validate", file)
			out := lines(o.stdout)
			for _, l := range out {
				assert.True(t, strings.HasPrefix(l, file+": "), "every line names the input: %q", l)
			}
			// Nothing echoed or injected shows: no credential, control character or forged line.
			assert.NotContains(t, o.stdout+o.stderr, hostile.EchoedKey)
			assert.NotRegexp(t, `[\x00-\x09\x0b-\x1f\x7f\x{80}-\x{9f}\x{202e}]`, o.stdout+o.stderr)
			summaries := 0
			for _, l := range lines(o.stdout + o.stderr) {
				if strings.HasPrefix(l, "portkey-runs validate: ") {
					summaries++
				}
			}
			assert.Equal(t, 1, summaries, "one summary line: %s", o.stdout+o.stderr)
			switch {
			case hc.Class == hostile.Conforming:
				assert.Equal(t, exitPass, o.code, o.stdout+o.stderr)
				assert.Empty(t, out)
			case strings.HasPrefix(hc.Name, "redirect_"): // the answer is elsewhere: not judged
				assert.Equal(t, exitError, o.code, o.stdout+o.stderr)
				assert.Equal(t, []string{file + `: error: header Location: "` + hostile.Nowhere + `/v1/threads/thread_hostile/runs/run_hos..." redirects the cancel (` +
					strconv.Itoa(hc.Status) + `), not followed: its answer is not judged (infrastructure)`}, out)
			case hc.Class == hostile.TooLarge: // gzip that inflates past the validator's limit
				assert.Equal(t, exitError, o.code, o.stdout+o.stderr)
				assert.Contains(t, o.stdout, file+": error: body: is larger than 4194304 bytes (the validator's limit) and was not validated (infrastructure)")
			case hc.Name == "html_502": // a 5xx in any media type: a notice, as validate's notices do not fail
				assert.Equal(t, exitPass, o.code, o.stdout+o.stderr)
				assert.Equal(t, []string{file + `: notice: status: 502 server error, a "text/html" body: "<html> <head><title>502 Bad Gateway</title></head> <body> <center><h1>502 Bad Gateway</h1></center> <hr><center>nginx</center> </body> </html>" (infrastructure)`}, out)
			default: // malformed, and the truncated captures of cut_mid_body and drip
				assert.Equal(t, exitFail, o.code, o.stdout+o.stderr)
				require.NotEmpty(t, out)
				located := false
				for _, l := range out {
					rest := strings.TrimPrefix(l, file+": ")
					located = located || strings.HasPrefix(rest, "body") || strings.HasPrefix(rest, "header ")
				}
				assert.True(t, located, "a located failure: %v", out)
			}
		})
	}
}

// TestErrorsRedactSecrets: what the commands print about their own failures (a target
// that does not answer, a cassette that does not parse) never carries a key.
func TestErrorsRedactSecrets(t *testing.T) {
	const key = "sk-proj-Qw3rTy7uIoP9aS2dF5gH8jK1lZ4xC6vB0nM3qW9eR2tY5uI8"
	cv := creds(anyCreds)
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close() // nothing listens there any more
	for _, target := range []string{
		strings.Replace(srv.URL, "http://", "http://user:"+key+"@", 1) + "/v1?api_key=" + key, // refused
		"http://user:" + key + "@127.0.0.1:99999999/v1%zz",                                    // not a URL
	} {
		o := cli(t, "", cv, "record", "--target", target, "--out", t.TempDir())
		assert.Equal(t, exitError, o.code, o.stdout+o.stderr)
		assert.NotContains(t, o.stdout+o.stderr, key[8:20])
	}

	file := filepath.Join(t.TempDir(), "broken.yaml")
	require.NoError(t, os.WriteFile(file, []byte("version: 2\ninteractions:\n  - response: {code: "+key+"}\n"), 0o600))
	o := cli(t, "", cv, "validate", file)
	assert.Equal(t, exitError, o.code, o.stdout+o.stderr)
	assert.Contains(t, o.stderr, "into int", "the YAML error quotes (the start of) the value")
	assert.NotContains(t, o.stdout+o.stderr, key[8:20])
}
