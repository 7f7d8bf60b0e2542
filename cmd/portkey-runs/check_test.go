package main

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/internal/redact"
	"github.com/seed-a6d846e6/portkey-runs/portkey"
)

// TestCheckFormats: each format of the default check, on standard output and in a file.
func TestCheckFormats(t *testing.T) {
	type summary struct{ Results, Passed, Failed, Errors, Checks int }
	parse := map[string]func(t *testing.T, out string) summary{
		"human": func(t *testing.T, out string) summary {
			// With -v: one line per result, one per check under it, then the summary line.
			assert.Regexp(t, `(?m)^scenarios: reference server \(in-process\) at http://127\.0\.0\.1:\d+/v1$`, out)
			assert.Contains(t, out, "\nrecordings: recording/testdata/cassettes (embedded)\n  PASS  cancel_cancelled (200, ")
			assert.Regexp(t, `(?m)^  PASS  rate_limited \(429, \d+\.\dms\)$`, out)
			assert.Contains(t, out, "\n      pass  infrastructure\n            notice: status: 429 rate limited")
			var s summary
			s.Results = len(regexp.MustCompile(`(?m)^  (PASS |FAIL |ERROR) `).FindAllString(out, -1))
			s.Passed = strings.Count(out, "\n  PASS  ")
			s.Checks = len(regexp.MustCompile(`(?m)^      (pass |FAIL |ERROR) [a-z_]+$`).FindAllString(out, -1))
			return s
		},
		"json": func(t *testing.T, out string) summary {
			var doc struct {
				Verdict string
				Summary summary
				Groups  []struct {
					Name    string
					Results []struct {
						Verdict string
						Checks  []struct{ Result string }
					}
				}
			}
			require.NoError(t, json.Unmarshal([]byte(out), &doc))
			assert.Equal(t, "pass", doc.Verdict)
			require.Len(t, doc.Groups, 2)
			assert.Equal(t, "scenarios", doc.Groups[0].Name)
			assert.Equal(t, "recordings", doc.Groups[1].Name)
			var s summary
			for _, g := range doc.Groups {
				for _, r := range g.Results {
					s.Results++
					if r.Verdict == "pass" {
						s.Passed++
					}
					s.Checks += len(r.Checks)
				}
			}
			assert.Equal(t, doc.Summary, s, "the summary counts what is listed")
			return s
		},
		"junit": func(t *testing.T, out string) summary {
			var doc struct {
				Tests  int `xml:"tests,attr"`
				Suites []struct {
					Failures int `xml:"failures,attr"`
					Cases    []struct {
						Name    string    `xml:"name,attr"`
						Failure *struct{} `xml:"failure"`
					} `xml:"testcase"`
				} `xml:"testsuite"`
			}
			require.NoError(t, xml.Unmarshal([]byte(out), &doc))
			var s summary
			for _, suite := range doc.Suites {
				s.Results++
				if suite.Failures == 0 {
					s.Passed++
				}
				s.Checks += len(suite.Cases)
			}
			assert.Equal(t, doc.Tests, s.Checks)
			return s
		},
	}
	// 10 scenarios against the reference server, 8 recordings.
	want := summary{Results: 18, Passed: 18, Checks: 143}
	for format, read := range parse {
		t.Run(format, func(t *testing.T) {
			args := []string{"check", "--format", format}
			if format == "human" {
				args = append(args, "-v")
			}
			o := cli(t, "", nil, args...)
			require.Equal(t, 0, o.code, o.stderr)
			assert.Empty(t, o.stderr)
			assert.Equal(t, want, read(t, o.stdout))

			file := filepath.Join(t.TempDir(), "report")
			o = cli(t, "", nil, append(args, "--output", file)...)
			require.Equal(t, 0, o.code, o.stderr)
			assert.Equal(t, "pass: 18 results: 18 passed, 0 failed, 0 errors; 143 checks, 0 failed, 0 errors; 8 notices; report in "+file+"\n", o.stdout)
			b, err := os.ReadFile(file)
			require.NoError(t, err)
			assert.Equal(t, want, read(t, string(b)))
			assert.NotContains(t, string(b), "\x1b[")
		})
	}
}

func TestCheckOutputUnwritable(t *testing.T) {
	o := cli(t, "", nil, "check", "--output", filepath.Join(t.TempDir(), "no", "such", "dir", "r.xml"))
	assert.Equal(t, 2, o.code)
	assert.Contains(t, o.stderr, "no such file or directory")
}

// TestColour: colour only on a terminal and never with NO_COLOR.
func TestColour(t *testing.T) {
	// /dev/null is a character device, like a terminal; a regular file is not.
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	require.NoError(t, err)
	defer devNull.Close()
	file, err := os.Create(filepath.Join(t.TempDir(), "out"))
	require.NoError(t, err)
	defer file.Close()

	tests := []struct {
		name    string
		stdout  any
		noColor string
		want    bool
	}{
		{"character device", devNull, "", true},
		{"character device, NO_COLOR=1", devNull, "1", false},
		{"regular file", file, "", false},
		{"pipe or buffer", &strings.Builder{}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := tt.stdout.(interface{ Write([]byte) (int, error) })
			e := env{stdout: w, getenv: func(k string) string { return map[string]string{"NO_COLOR": tt.noColor}[k] }}
			assert.Equal(t, tt.want, colorful(e))
		})
	}

	// A whole run to a file or a buffer has no ANSI code, with or without NO_COLOR.
	for _, vars := range []map[string]string{nil, {"NO_COLOR": "1"}} {
		o := cli(t, "", vars, "check", "--cassettes", badDir)
		assert.Equal(t, 1, o.code)
		assert.NotContains(t, o.stdout, "\x1b")
		assert.Contains(t, o.stdout, "FAIL  wrong_enum")
	}
}

// TestCheckTarget runs live mode against a reference server on a loopback port.
func TestCheckTarget(t *testing.T) {
	base := startRef(t)
	cv := creds(anyCreds)

	// Without --run, the suite makes its own run and follows it to cancelled.
	o := cli(t, "", cv, "check", "--target", base)
	require.Equal(t, 0, o.code, o.stdout+o.stderr)
	assert.Contains(t, o.stdout, "scenarios: "+base+"\n")
	for _, name := range []string{"unknown_run (404", "no_credentials (401", "create_run (200", "cancel (200", "retrieve_until_terminal (200", "cancel_again (400"} {
		assert.Contains(t, o.stdout, "  PASS  "+name+", ")
	}
	assert.Contains(t, o.stdout, "\nPASS 6 results: 6 passed")
	assert.NotContains(t, o.stdout, "recordings:", "live mode replays nothing unless asked")
	// One progress line per request: two, the create, the cancel, the retrieves (serve
	// cancels after 1 s), the second cancel.
	progress := strings.Split(strings.TrimSpace(o.stderr), "\n")
	require.GreaterOrEqual(t, len(progress), 6)
	assert.Regexp(t, `^POST `+regexp.QuoteMeta(base)+`/threads/thread_contract_unknown/runs/run_contract_unknown/cancel: 404 Not Found \(\d+\.\dms\)$`, progress[0])
	assert.Contains(t, progress[1], ": 401 Unauthorized (")
	assert.Regexp(t, `^POST `+regexp.QuoteMeta(base)+`/threads/runs: 200 OK `, progress[2])
	assert.Regexp(t, `^GET `+regexp.QuoteMeta(base)+`/threads/thread_\w+/runs/run_\w+: 200 OK `, progress[4])
	assert.Regexp(t, `/cancel: 400 Bad Request `, progress[len(progress)-1])

	// A real run from the environment, fault scenarios, and recordings as well.
	vars := creds(anyCreds, "PORTKEY_THREAD_ID", "thread_demo", "PORTKEY_RUN_ID", "run_in_progress")
	o = cli(t, "", vars, "check", "--target", base, "--faults", "--cassettes", cassetteDir, "--strict")
	require.Equal(t, 0, o.code, o.stdout+o.stderr)
	assert.Contains(t, o.stdout, "  PASS  cancel_run (200, ")
	assert.Contains(t, o.stdout, "  PASS  gateway_timeout (504, ")
	assert.Contains(t, o.stdout, "\nPASS (strict) 16 results: 16 passed")
	assert.Len(t, strings.Split(strings.TrimSpace(o.stderr), "\n"), 8)

	// The flags win over the environment; the run is cancelled already: a 400 checks
	// nothing, an error rather than a pass.
	o = cli(t, "", vars, "check", "--target", base, "--thread", "thread_demo", "--run", "run_cancelled")
	require.Equal(t, 2, o.code, o.stdout+o.stderr)
	assert.Contains(t, o.stdout, "  ERROR cancel_run (400, ")
	assert.Contains(t, o.stdout, "not cancellable: nothing checked")

	o = cli(t, "", creds(anyCreds, "PORTKEY_RUN_ID", "run_x"), "check", "--target", base)
	assert.Equal(t, 2, o.code)
	assert.Contains(t, o.stderr, "set both PORTKEY_THREAD_ID and PORTKEY_RUN_ID, or neither (--thread and --run set them too)")
	o = cli(t, "", cv, "check", "--target", base, "--thread", "thread_demo")
	assert.Equal(t, 2, o.code)
	assert.Contains(t, o.stderr, "set both PORTKEY_THREAD_ID and PORTKEY_RUN_ID, or neither (--thread and --run set them too)")

	// Credentials come from the variables the CLI is given, not from the process.
	setProcessCreds(t, anyCreds)
	o = cli(t, "", nil, "check", "--target", base)
	assert.Equal(t, 2, o.code)
	assert.Contains(t, o.stderr, "no credentials")
}

// TestCheckTargetVerdicts: a target that breaks the contract exits 1, one that cannot be
// reached 2, with the violation or the error under its check.
func TestCheckTargetVerdicts(t *testing.T) {
	cv := creds(anyCreds)
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"message":"Not Found","ok":false}`))
	}))
	defer broken.Close()
	o := cli(t, "", cv, "check", "--target", broken.URL+"/v1")
	assert.Equal(t, 1, o.code)
	assert.Contains(t, o.stdout, "  FAIL  unknown_run (404, ")
	assert.Contains(t, o.stdout, "      FAIL  status_code\n            status: 404 is the gateway's answer for a path it has no route for ({\"message\":\"Not Found\",\"ok\":false}): the target has no such route; does --target end in /v1?")

	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	o = cli(t, "", cv, "check", "--target", down.URL+"/v1", "--format", "junit")
	assert.Equal(t, 2, o.code)
	assert.Contains(t, o.stdout, `<error message="connection: failed: Post &#34;`+down.URL)
	assert.Contains(t, o.stderr, "connection refused")
}

// TestMissingCredential: live mode without usable credentials names the variables to set
// and never prints a key.
func TestMissingCredential(t *testing.T) {
	const key = "pk-live-7c1e9a3f5b2d8e4c6a0f"
	tests := []struct {
		name string
		auth portkey.Auth
		want string
	}{
		{"none", portkey.Auth{}, "portkey-runs check: no credentials: set PORTKEY_API_KEY and PORTKEY_VIRTUAL_KEY (or PORTKEY_PROVIDER and PORTKEY_PROVIDER_KEY, or PORTKEY_CONFIG) to check a live gateway\n"},
		{"no API key", portkey.Auth{VirtualKey: key}, "portkey-runs check: --target needs credentials: portkey: a virtual key needs the API key (PORTKEY_API_KEY)\n"},
		{"API key alone", portkey.Auth{APIKey: key}, "portkey-runs check: --target needs credentials: portkey: the API key needs a virtual key, a config, or a provider (PORTKEY_VIRTUAL_KEY, PORTKEY_CONFIG, PORTKEY_PROVIDER)\n"},
		{"provider key without provider", portkey.Auth{APIKey: key, ProviderKey: key}, "portkey-runs check: --target needs credentials: portkey: a provider key needs its provider name (PORTKEY_PROVIDER)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := cli(t, "", creds(tt.auth), "check", "--target", "http://127.0.0.1:1/v1")
			assert.Equal(t, 2, o.code)
			assert.Equal(t, tt.want, o.stderr)
			assert.Empty(t, o.stdout)
		})
	}
}

// TestRecord records from the reference server, then replays what it wrote.
func TestRecord(t *testing.T) {
	base := startRef(t)
	// A real-looking key: it must not reach the cassettes.
	const key = "pk-live-7c1e9a3f5b2d8e4c6a0f"
	cv := creds(portkey.Auth{APIKey: key, VirtualKey: "vk-2b7d9f1a3c5e7b9d1f3a"})
	dir := filepath.Join(t.TempDir(), "cassettes")
	o := cli(t, "", cv, "record", "--target", base, "--out", dir, "--thread", "thread_demo", "--run", "run_queued", "--faults")
	require.Equal(t, 0, o.code, o.stdout+o.stderr)
	assert.Contains(t, o.stderr, "portkey-runs record: wrote 8 cassettes to "+dir)
	assert.Contains(t, o.stdout, "recorded: "+base)

	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	require.NoError(t, err)
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		assert.NotContains(t, string(b), key, f)
		assert.Empty(t, redact.Find(string(b)), f)
	}
	assert.ElementsMatch(t, []string{"unknown_run.yaml", "no_credentials.yaml", "cancel_run.yaml", "rate_limited.yaml",
		"server_error.yaml", "bad_gateway.yaml", "service_unavailable.yaml", "gateway_timeout.yaml"}, names)

	o = cli(t, "", cv, "check", "--cassettes", dir)
	assert.Equal(t, 0, o.code, o.stdout)
	assert.Contains(t, o.stdout, "cassettes: "+dir+"\n  PASS  bad_gateway (502, ")

	// Without --run, the run the suite makes is recorded whole, and replays as it ran.
	dir = filepath.Join(t.TempDir(), "lifecycle")
	o = cli(t, "", cv, "record", "--target", base, "--out", dir)
	require.Equal(t, 0, o.code, o.stdout+o.stderr)
	assert.Contains(t, o.stderr, "portkey-runs record: wrote 3 cassettes to "+dir)
	b, err := os.ReadFile(filepath.Join(dir, "lifecycle.yaml"))
	require.NoError(t, err)
	assert.NotContains(t, string(b), key)
	assert.Contains(t, string(b), "url: "+base+"/threads/runs\n")
	assert.Contains(t, string(b), "method: GET\n", "the retrieves")
	o = cli(t, "", cv, "check", "--cassettes", dir)
	assert.Equal(t, 0, o.code, o.stdout)
	for _, name := range []string{"lifecycle#0 (200", "lifecycle#1 (200", "lifecycle#2 (200"} {
		assert.Contains(t, o.stdout, "  PASS  "+name+", ")
	}
	assert.Regexp(t, `PASS  lifecycle#\d+ \(400, `, o.stdout, "the second cancel")
}

// TestReportsRedactSecrets: a key in the target URL, or echoed by the target in a value
// that fails, appears in no report format, progress line or error.
func TestReportsRedactSecrets(t *testing.T) {
	const key = "pk-live-7c1e9a3f5b2d8e4c6a0f"
	cv := creds(portkey.Auth{APIKey: key, VirtualKey: "vk-2b7d9f1a3c5e7b9d1f3a"})
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"error":{"message":"unknown key","type":"invalid_request_error","param":null,"code":{"key":"` + r.Header.Get(portkey.HeaderAPIKey) + `"}}}`))
	}))
	defer echo.Close()
	for _, format := range []string{"human", "json", "junit"} {
		o := cli(t, "", cv, "check", "--target", echo.URL+"/v1", "--format", format)
		assert.Equal(t, 1, o.code, o.stdout+o.stderr)
		assert.Contains(t, o.stdout, "[REDACTED]", "the echoed key is shown redacted")
		assert.NotContains(t, o.stdout, key, format)
		assert.NotContains(t, o.stderr, key, format)
	}
	o := cli(t, `{"error":{"message":"unknown key","type":"invalid_request_error","param":null,"code":{"key":"`+key+`"}}}`, nil,
		"validate", "--status", "404", "-")
	assert.Equal(t, 1, o.code)
	assert.Contains(t, o.stdout, `[Error: /code {"key":"[REDACTED]"} is not a string;`)
	assert.NotContains(t, o.stdout+o.stderr, key)
}

// TestReplayKeepsTheRecordedVerdict: replaying what record wrote gives record's exit code
// and verdicts, through a gateway that fails the cancel (500, as @portkey-ai/gateway
// without the @hono/node-server override) and through one that breaks the contract.
func TestReplayKeepsTheRecordedVerdict(t *testing.T) {
	stock := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Header.Get(portkey.HeaderProvider) == "":
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"status":"failure","message":"Either x-portkey-config or x-portkey-provider header is required"}`))
		case strings.Contains(r.URL.Path, "run_queued"):
			w.Header().Set("x-portkey-gateway-exception", "true")
			w.WriteHeader(http.StatusInternalServerError)
			w.Write([]byte(`{"status":"failure","message":"Something went wrong"}`))
		default:
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"error":{"message":"No thread found with id 'thread_contract_unknown'.","type":"invalid_request_error","param":null,"code":null}}`))
		}
	}))
	defer stock.Close()
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusConflict)
		w.Write([]byte(`{"error":{"message":"Run is busy.","type":"invalid_request_error","param":null,"code":null}}`))
	}))
	defer broken.Close()
	cv := creds(portkey.Auth{APIKey: "pk-interop", Provider: "openai", ProviderKey: "sk-interop", CustomHost: "http://127.0.0.1:9/v1"})
	for _, tc := range []struct {
		name, target string
		code         int
		lines        []string
	}{
		{"gateway exception", stock.URL + "/v1", 2, []string{"  PASS  no_credentials (400, ", "  ERROR cancel_run (500, ",
			"status: 500 gateway failure (x-portkey-gateway-exception: true) (infrastructure)"}},
		{"contract broken", broken.URL + "/v1", 1, []string{"  FAIL  no_credentials (409, ",
			`status: 409 is not the expected 401 or 403; the body says "Run is busy." (scenario)`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "cassettes")
			o := cli(t, "", cv, "record", "--target", tc.target, "--out", dir, "--thread", "thread_demo", "--run", "run_queued")
			require.Equal(t, tc.code, o.code, o.stdout+o.stderr)
			for _, l := range tc.lines {
				assert.Contains(t, o.stdout, l)
			}
			o = cli(t, "", nil, "check", "--cassettes", dir)
			assert.Equal(t, tc.code, o.code, o.stdout+o.stderr)
			for _, l := range tc.lines {
				assert.Contains(t, o.stdout, l)
			}
		})
	}
}
