package main

import (
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/contract"
)

// goldenLines reads a known-bad cassette's reviewed .golden file (contract's testdata):
// one violation a line, # comments aside.
func goldenLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// TestValidateKnownBad: each known-bad cassette exits 1 with exactly its golden lines,
// each prefixed with the file's name.
func TestValidateKnownBad(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(badDir, "*.yaml"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 10)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			var want []string
			for _, l := range goldenLines(t, strings.TrimSuffix(f, ".yaml")+".golden") {
				if isNotice(l) {
					l = "notice: " + l
				}
				want = append(want, f+": "+l)
			}
			o := cli(t, "", nil, "validate", f)
			assert.Equal(t, 1, o.code)
			got := lines(o.stdout)
			slices.Sort(got)
			slices.Sort(want)
			assert.Equal(t, want, got)
			assert.Equal(t, "portkey-runs validate: 0 of 1 inputs conform ("+notices(want)+")\n", o.stderr)
		})
	}
}

// isNotice reports whether a golden line is a notice (drift, infrastructure, a request
// without the spec's credentials).
func isNotice(l string) bool {
	return strings.HasSuffix(l, "(drift)") || strings.HasSuffix(l, "(infrastructure)") || strings.Contains(l, "request headers: ")
}

// notices counts the golden lines that are notices, as validate's summary says it.
func notices(ls []string) string {
	n := 0
	for _, l := range ls {
		if isNotice(l) {
			n++
		}
	}
	if n == 1 {
		return "1 notice"
	}
	return strconv.Itoa(n) + " notices"
}

// TestValidateGood: every recording conforms; the only lines are infrastructure notices and,
// for the real capture, that its request went to OpenAI without Portkey's credentials.
func TestValidateGood(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(cassetteDir, "*.yaml"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 8)
	o := cli(t, "", nil, append([]string{"validate", "--strict"}, files...)...)
	assert.Equal(t, 0, o.code, o.stdout)
	assert.Equal(t, []string{
		cassetteDir + `/gateway_failure.yaml: notice: status: 500 gateway failure (x-portkey-gateway-exception: true) (infrastructure)`,
		cassetteDir + `/rate_limited.yaml: notice: status: 429 rate limited, Retry-After "2" (infrastructure)`,
		cassetteDir + `/real_openai_not_cancellable.yaml: notice: request headers: meet no credential combination of the spec (the closest lacks x-portkey-provider) (request)`,
	}, lines(o.stdout))
	assert.Contains(t, o.stderr, "8 of 8 inputs conform (3 notices)")

	// Good and bad together: 1, each line naming its input.
	o = cli(t, "", nil, "validate", cassetteDir+"/not_found.yaml", badDir+"/id_not_echoing.yaml")
	assert.Equal(t, 1, o.code)
	assert.Equal(t, []string{badDir + `/id_not_echoing.yaml: body /id: "run_xyz789" does not echo the request's run_id "run_abc123" (semantic)`}, lines(o.stdout))

	// An unreadable input is a 2, even beside a violation; the others are still validated.
	o = cli(t, "", nil, "validate", "missing.yaml", badDir+"/wrong_enum.yaml")
	assert.Equal(t, 2, o.code)
	assert.Len(t, lines(o.stdout), 1)
}

// curlDump is a response as 'curl -i' printed it, captured from 'portkey-runs serve'.
func curlDump(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return string(b)
}

// http2 rewrites an HTTP/1.1 dump the way curl prints HTTP/2: "HTTP/2 200", lower-case
// header names.
func http2(dump string) string {
	head, body, _ := strings.Cut(dump, "\r\n\r\n")
	hl := strings.Split(head, "\r\n")
	hl[0] = regexp.MustCompile(`^HTTP/1\.1 (\d+) .*$`).ReplaceAllString(hl[0], "HTTP/2 $1 ")
	for i := 1; i < len(hl); i++ {
		k, v, _ := strings.Cut(hl[i], ":")
		hl[i] = strings.ToLower(k) + ":" + v
	}
	return strings.Join(hl, "\r\n") + "\r\n\r\n" + body
}

func TestValidateCurlDump(t *testing.T) {
	cancel := curlDump(t, "curl_cancel.txt") // thread_demo/run_queued, 200 cancelling
	paused := strings.Replace(cancel, `"status":"cancelling"`, `"status":"paused"`, 1)
	const pausedLine = `body /status: "paused" is not one of queued, in_progress, requires_action, cancelling, cancelled, failed, completed, incomplete, expired (schema)`
	tests := []struct {
		name  string
		dump  string
		flags []string
		code  int
		want  []string // lines after "<input>: "
		err   string
	}{
		{name: "HTTP/1.1", dump: cancel, flags: []string{"--thread", "thread_demo", "--run", "run_queued"}},
		{name: "another run", dump: cancel, flags: []string{"--run", "run_other"}, code: 1,
			want: []string{`body /id: "run_queued" does not echo the request's run_id "run_other" (semantic)`}},
		{name: "100 Continue first", dump: curlDump(t, "curl_continue.txt")},
		{name: "400 envelope", dump: curlDump(t, "curl_not_cancellable.txt")},
		{name: "HTTP/2", dump: http2(cancel), flags: []string{"--run", "run_queued"}},
		{name: "HTTP/2 wrong enum", dump: http2(paused), code: 1, want: []string{pausedLine}},
		{name: "LF line endings", dump: strings.ReplaceAll(paused, "\r\n", "\n"), code: 1, want: []string{pausedLine}},
		{name: "chunked, as curl prints it decoded", dump: regexp.MustCompile(`Content-Length: \d+`).ReplaceAllString(cancel, "Transfer-Encoding: chunked")},
		{name: "redirect followed with -L", dump: "HTTP/1.1 308 Permanent Redirect\r\nLocation: /v1/threads/thread_demo/runs/run_queued/cancel\r\n\r\n" + http2(paused),
			code: 1, want: []string{pausedLine}},
		{name: "HTML error page", dump: "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\n\r\n<html><body>Bad Gateway</body></html>\n", code: 0,
			want: []string{`notice: status: 502 server error, a "text/html" body: "<html><body>Bad Gateway</body></html>" (infrastructure)`}},
		{name: "bad status line", dump: "HTTP/1.1 abc\r\n\r\n", code: 2, err: `reading the HTTP response: malformed HTTP status code "abc"`},
		{name: "only 100 Continue", dump: "HTTP/1.1 100 Continue\r\n\r\n", code: 2, err: "the informational 100 response is not followed by a response"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "dump.txt")
			require.NoError(t, os.WriteFile(file, []byte(tt.dump), 0o600))
			o := cli(t, "", nil, append(append([]string{"validate"}, tt.flags...), file)...)
			assert.Equal(t, tt.code, o.code, o.stdout+o.stderr)
			var want []string
			for _, l := range tt.want {
				want = append(want, file+": "+l)
			}
			got := lines(o.stdout)
			slices.Sort(got)
			slices.Sort(want)
			assert.Equal(t, want, got)
			assert.Contains(t, o.stderr, tt.err)
		})
	}
}

// TestValidateStdin: "-" reads standard input, whatever it holds.
func TestValidateStdin(t *testing.T) {
	wrongEnum, err := os.ReadFile(filepath.Join(badDir, "wrong_enum.yaml"))
	require.NoError(t, err)
	_, runBody, _ := strings.Cut(curlDump(t, "curl_cancel.txt"), "\r\n\r\n")
	const envelope = `{"error":{"message":"No run found with id 'run_x'.","type":"invalid_request_error","param":null,"code":null}}`
	tests := []struct {
		name  string
		stdin string
		flags []string
		code  int
		out   []string
		first string // when set, instead of out: the first line's beginning
		err   string
	}{
		{name: "cassette", stdin: string(wrongEnum), code: 1,
			out: []string{`-: body /status: "paused" is not one of queued, in_progress, requires_action, cancelling, cancelled, failed, completed, incomplete, expired (schema)`}},
		{name: "curl dump", stdin: curlDump(t, "curl_not_cancellable.txt")},
		{name: "JSON run", stdin: runBody, flags: []string{"--thread", "thread_demo", "--run", "run_queued"}},
		{name: "JSON run, other thread", stdin: runBody, flags: []string{"--thread", "thread_x"}, code: 1,
			out: []string{`-: body /thread_id: "thread_demo" does not echo the request's thread_id "thread_x" (semantic)`}},
		{name: "JSON error with its status", stdin: envelope, flags: []string{"--status", "404"}},
		{name: "JSON error as a 200", stdin: envelope, code: 1, first: "-: body /id: required property is missing (schema)",
			err: "-: an error body is judged as a 200 answer: pass its status with --status N"},
		{name: "JSON with undocumented status", stdin: envelope, flags: []string{"--status", "418"}, code: 1,
			out: []string{"-: status: 418 is not documented for cancelRun; the body says \"No run found with id 'run_x'.\" (status_code)"}},
		{name: "JSON run as a cancel's", stdin: runBody, flags: []string{"--operation", "cancelRun"}},
		{name: "JSON run as a retrieve's", stdin: runBody, flags: []string{"--operation", "getRun"}},
		{name: "JSON run as a create's", stdin: runBody, flags: []string{"--operation", "createRun"}, code: 1,
			out: []string{`-: body /status: "cancelling" is not queued after a create (semantic)`}},
		{name: "JSON with undocumented status, a retrieve", stdin: envelope, flags: []string{"--operation", "getRun", "--status", "418"}, code: 1,
			out: []string{"-: status: 418 is not documented for getRun; the body says \"No run found with id 'run_x'.\" (status_code)"}},
		{name: "unknown operation", stdin: runBody, flags: []string{"--operation", "deleteRun"}, code: 2,
			err: "portkey-runs validate: --operation deleteRun is not one of cancelRun, createRun, createThreadAndRun, getRun"},
		{name: "not JSON", stdin: "hello", code: 2, err: "-: is neither a go-vcr cassette, nor an HTTP response as 'curl -i' prints it, nor JSON"},
		{name: "broken JSON", stdin: `{"id":`, code: 1, first: "-: body: "},
		{name: "empty", stdin: " \n", code: 2, err: "-: is empty"},
		{name: "broken cassette", stdin: "interactions: [\n", code: 2, err: "-: reading the cassette: yaml: line 2:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := cli(t, tt.stdin, nil, append(append([]string{"validate"}, tt.flags...), "-")...)
			assert.Equal(t, tt.code, o.code, o.stdout+o.stderr)
			got := lines(o.stdout)
			if tt.first != "" {
				require.NotEmpty(t, got)
				assert.True(t, strings.HasPrefix(got[0], tt.first), got[0])
			} else {
				assert.Equal(t, tt.out, got)
			}
			assert.Contains(t, o.stderr, tt.err)
		})
	}
}

// TestValidateBodyOverLimitIsNotDecoded: a JSON body past the validator's limit is refused
// without being decoded (once to sniff it, once to see if it is an error body): what
// validate allocates stays a small multiple of the input, not the decoded tree's size.
func TestValidateBodyOverLimitIsNotDecoded(t *testing.T) {
	body := "[" + strings.Repeat(`{"a":1},`, (contract.DefaultMaxBody+(256<<10))/8) + `{"a":1}]`
	require.Less(t, len(body), maxInput)
	file := filepath.Join(t.TempDir(), "big.json")
	require.NoError(t, os.WriteFile(file, []byte(body), 0o600))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	o := cli(t, "", nil, "validate", file)
	runtime.ReadMemStats(&after)
	assert.Equal(t, exitError, o.code, o.stderr)
	assert.Contains(t, o.stdout, "body: is larger than 4194304 bytes (the validator's limit) and was not validated")
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(8*len(body)), "bytes allocated for a %d-byte input", len(body))
}

// TestValidateInputLimit: an input past maxInput is refused by name, whatever it holds.
func TestValidateInputLimit(t *testing.T) {
	assert.LessOrEqual(t, maxInput, contract.DefaultMaxBody+1<<20, "about the validator's limit plus room for headers")
	o := cli(t, strings.Repeat(" ", maxInput+1), nil, "validate", "-")
	assert.Equal(t, exitError, o.code)
	assert.Contains(t, o.stderr, "-: is larger than "+strconv.Itoa(maxInput>>20)+" MiB")
}
