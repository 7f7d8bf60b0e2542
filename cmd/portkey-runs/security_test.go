package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/internal/hostile"
	"github.com/seed-a6d846e6/portkey-runs/portkey"
)

// redirectCreds are credentials in every header Go copies to another origin.
var redirectCreds = portkey.Auth{APIKey: "pk-live-7c1e9a3f5b2d8e4c6a0f", VirtualKey: "vk-2b7d9f1a3c5e7b9d1f3a", Config: "pc-conf-9d8c7b6a"}

// redirectTo starts a server that redirects with status to a second one on another port,
// and returns the first's URL, the second's, and the count of requests the second got.
func redirectTo(t *testing.T, status int) (from, to string, reached *atomic.Int32) {
	reached = new(atomic.Int32)
	dst := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		http.NotFound(w, r)
	}))
	t.Cleanup(dst.Close)
	src := httptest.NewServer(hostile.Redirect(status, dst.URL))
	t.Cleanup(src.Close)
	return src.URL, dst.URL, reached
}

// TestCheckAndRecordNeverFollowARedirect: check and record report a redirect to another
// port as what it is, exit 2 (nothing judged), and the other origin never gets a request;
// the cassette holds the redirect itself.
func TestCheckAndRecordNeverFollowARedirect(t *testing.T) {
	for _, status := range []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			from, to, reached := redirectTo(t, status)
			want := `redirects the cancel (` + strconv.Itoa(status) + `), not followed: its answer is not judged`

			o := cli(t, "", creds(redirectCreds), "check", "--target", from+"/v1")
			assert.Equal(t, exitError, o.code, o.stdout+o.stderr)
			assert.Contains(t, o.stdout, `header Location: "`+to+`/v1/threads/`)
			assert.Contains(t, o.stdout, want)
			assert.Contains(t, o.stderr, ": "+strconv.Itoa(status)+" ")

			dir := t.TempDir()
			o = cli(t, "", creds(redirectCreds), "record", "--target", from+"/v1", "--out", dir)
			assert.Equal(t, exitError, o.code, o.stdout+o.stderr)
			assert.Contains(t, o.stdout, want)
			b, err := os.ReadFile(filepath.Join(dir, "unknown_run.yaml"))
			require.NoError(t, err)
			assert.Contains(t, string(b), "code: "+strconv.Itoa(status))
			assert.Zero(t, reached.Load(), "the other origin is never called")
		})
	}
}

// TestTargetIsNeverRepeated: a target that is not a plain http(s) base URL is refused with
// a message that does not repeat it, since it may hold a password.
func TestTargetIsNeverRepeated(t *testing.T) {
	const password = "hunter2-Pa55"
	for _, target := range []string{
		"admin:" + password + "@127.0.0.1:8080",                  // no scheme
		"admin:" + password + "@127.0.0.1:8080/v1",               // no scheme, with a path
		"http://admin:" + password + "@127.0.0.1:1/v1",           // user info
		"http://127.0.0.1:1/v1?token=" + password,                // query
		"http://admin:" + password + "@127.0.0.1:99999999/v1%zz", // does not parse
	} {
		for _, args := range [][]string{{"check", "--target", target}, {"record", "--target", target, "--out", t.TempDir()}} {
			o := cli(t, "", creds(anyCreds), args...)
			assert.Equal(t, exitError, o.code, o.stdout+o.stderr)
			assert.Equal(t, "portkey-runs "+args[0]+": --target: the base URL must be an http or https URL without user info, query or fragment, such as https://api.portkey.ai/v1; credentials go in the environment\n", o.stderr)
			assert.NotContains(t, o.stdout+o.stderr, password)
		}
	}
}

// TestRecordWritesNoCassetteWithoutAnAnswer: a target that refuses the connection or
// drips past --timeout gets no cassette; record says which scenarios it could not record
// and exits 2.
func TestRecordWritesNoCassetteWithoutAnAnswer(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	drip := httptest.NewServer(hostile.Get("drip"))
	defer drip.Close()
	for name, target := range map[string]string{"refused": down.URL, "drip": drip.URL} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			start := time.Now()
			o := cli(t, "", creds(anyCreds), "record", "--target", target+"/v1", "--out", dir, "--timeout", "200ms")
			assert.Less(t, time.Since(start), 5*time.Second)
			assert.Equal(t, exitError, o.code, o.stdout+o.stderr)
			assert.Contains(t, o.stderr, "portkey-runs record: recording: unknown_run not recorded: connection: ")
			assert.Contains(t, o.stderr, "recording: no_credentials not recorded: connection: ")
			assert.NotContains(t, o.stderr, "wrote")
			assert.Contains(t, o.stdout, "ERROR unknown_run")
			files, err := filepath.Glob(filepath.Join(dir, "*"))
			require.NoError(t, err)
			assert.Empty(t, files, "no cassette says nothing happened")
		})
	}
}

// TestValidateCutCassette: a cassette whose body record cut (recording.HeaderCut) is not
// judged, although what is stored would fail as JSON: exit 2.
func TestValidateCutCassette(t *testing.T) {
	const cut = `---
version: 2
interactions:
    - id: 0
      request:
        url: http://127.0.0.1:8080/v1/threads/thread_hostile/runs/run_hostile/cancel
        method: POST
      response:
        content_length: 40
        headers:
            Content-Type:
                - application/json
            Content-Length:
                - "40"
            Portkey-Runs-Body-Cut:
                - cut at 40 bytes of 104857600
        body: '{"id":"run_hostile","instructions":"aaaa'
        status: 200 OK
        code: 200
`
	file := filepath.Join(t.TempDir(), "cut.yaml")
	require.NoError(t, os.WriteFile(file, []byte(cut), 0o600))
	o := cli(t, "", nil, "validate", file)
	assert.Equal(t, exitError, o.code, o.stdout+o.stderr)
	assert.Equal(t, file+": error: body: was cut at 40 bytes when recorded and was not validated (infrastructure)\n", o.stdout)
	assert.True(t, strings.HasSuffix(o.stderr, "0 of 1 inputs conform (0 notices)\n"), o.stderr)
}
