package main

import (
	"bytes"
	"context"
	"flag"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/portkey"
	"github.com/seed-a6d846e6/portkey-runs/refserver"
)

const (
	cassetteDir = "../../recording/testdata/cassettes"
	badDir      = cassetteDir + "/bad"
)

// outcome is what one in-process run of the command line gave.
type outcome struct {
	code           int
	stdout, stderr string
}

// cli runs the command line in-process with stdin and the variables in vars (credentials,
// NO_COLOR, PORTKEY_THREAD_ID, ...), and no other: the process environment is not read.
func cli(t *testing.T, stdin string, vars map[string]string, args ...string) outcome {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &stdout, &stderr,
		func(k string) string { return vars[k] })
	return outcome{code, stdout.String(), stderr.String()}
}

// creds returns the PORTKEY_* credential variables of a, plus the name-value pairs kv.
func creds(a portkey.Auth, kv ...string) map[string]string {
	vars := map[string]string{
		portkey.EnvAPIKey: a.APIKey, portkey.EnvVirtualKey: a.VirtualKey, portkey.EnvProvider: a.Provider,
		portkey.EnvProviderKey: a.ProviderKey, portkey.EnvConfig: a.Config, portkey.EnvCustomHost: a.CustomHost,
	}
	for i := 0; i+1 < len(kv); i += 2 {
		vars[kv[i]] = kv[i+1]
	}
	return vars
}

// setProcessCreds sets the PORTKEY_* credential variables of the process, for tests that
// show the CLI does not read them.
func setProcessCreds(t *testing.T, a portkey.Auth) {
	for k, v := range creds(a) {
		t.Setenv(k, v)
	}
}

// startRef serves a seeded reference server on a loopback port and returns its base URL.
func startRef(t *testing.T) string {
	t.Helper()
	s, err := refserver.New()
	require.NoError(t, err)
	require.NoError(t, refserver.SeedDemo(s.Store))
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv.URL + "/v1"
}

// anyCreds satisfy the reference server.
var anyCreds = portkey.Auth{APIKey: "any", VirtualKey: "any"}

// TestExitCodes: every command's exit code for success, violations, and usage errors, and
// what it says.
func TestExitCodes(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		stdin      string
		code       int
		stdout     string // substring expected on standard output
		stderr     string // substring expected on standard error
		emptyOut   bool
		emptyError bool
	}{
		{name: "no command is check", code: 0, stdout: "\nPASS 18 results: 18 passed, 0 failed, 0 errors;", emptyError: true},
		{name: "check", args: []string{"check"}, code: 0, stdout: "PASS 18 results", emptyError: true},
		{name: "check strict", args: []string{"check", "--strict"}, code: 0, stdout: "PASS (strict) 18 results"},
		{name: "flags without command", args: []string{"--format", "json"}, code: 0, stdout: `"verdict": "pass"`},
		{name: "check known-bad cassettes alone", args: []string{"check", "--cassettes", badDir}, code: 1, stdout: "\nFAIL 14 results: 0 passed, 14 failed, 0 errors;"},
		{name: "check empty cassette dir", args: []string{"check", "--cassettes", "."}, code: 2, stderr: "no cassette (*.yaml) in ."},
		{name: "check missing cassette dir", args: []string{"check", "--cassettes", "nowhere"}, code: 2, stderr: "portkey-runs check: --cassettes nowhere: the directory does not exist\n", emptyOut: true},
		{name: "check cassette file", args: []string{"check", "--cassettes", badDir + "/wrong_enum.yaml"}, code: 2, stderr: "--cassettes " + badDir + "/wrong_enum.yaml: is a file, not a directory (to validate one cassette: portkey-runs validate " + badDir + "/wrong_enum.yaml)\n", emptyOut: true},
		{name: "check argument", args: []string{"check", "x.json"}, code: 2, stderr: `unexpected argument "x.json": check takes only flags (did you mean 'portkey-runs validate x.json'?)`},
		{name: "check bad format", args: []string{"check", "--format", "xml"}, code: 2, stderr: `--format "xml" is not one of human, json, junit`},
		{name: "check unknown flag", args: []string{"check", "--formt", "json"}, code: 2, stderr: "portkey-runs check: unknown flag --formt (did you mean --format?); run 'portkey-runs check --help' for its flags\n", emptyOut: true},
		{name: "check unknown flag prefix", args: []string{"check", "--thr", "t"}, code: 2, stderr: "portkey-runs check: unknown flag --thr (did you mean --thread?); run 'portkey-runs check --help' for its flags\n", emptyOut: true},
		{name: "check flag of another command", args: []string{"check", "--out", "x"}, code: 2, stderr: "portkey-runs check: unknown flag --out (it is a flag of 'portkey-runs record'); run 'portkey-runs check --help' for its flags\n"},
		{name: "check unknown flag far from any", args: []string{"check", "--xyz"}, code: 2, stderr: "portkey-runs check: unknown flag --xyz; run 'portkey-runs check --help' for its flags\n"},
		{name: "check --version", args: []string{"check", "--version"}, code: 2, stderr: "portkey-runs check: unknown flag --version (did you mean 'portkey-runs version'?); run 'portkey-runs check --help' for its flags\n"},
		{name: "check timeout without unit", args: []string{"check", "--timeout", "5"}, code: 2, stderr: "portkey-runs check: --timeout 5: a duration needs a unit: write 5s (or 5ms, 5m); run 'portkey-runs check --help' for its flags\n", emptyOut: true},
		{name: "check timeout not a duration", args: []string{"check", "--timeout", "soon"}, code: 2, stderr: "portkey-runs check: --timeout soon: not a duration: write a number and a unit, e.g. 30s, 500ms, 1m; run 'portkey-runs check --help' for its flags\n"},
		{name: "check switch with a value", args: []string{"check", "--faults=maybe"}, code: 2, stderr: "portkey-runs check: --faults=maybe: a switch is given alone (--faults) or as --faults=true or --faults=false; run 'portkey-runs check --help' for its flags\n"},
		{name: "check flag without value", args: []string{"check", "--format"}, code: 2, stderr: "portkey-runs check: --format needs a value; run 'portkey-runs check --help' for its flags\n"},
		{name: "check quiet json", args: []string{"check", "-q", "--format", "json"}, code: 2, stderr: "portkey-runs check: --quiet and --verbose shape the human report, not --format json\n", emptyOut: true},
		{name: "check quiet verbose", args: []string{"check", "-q", "-v"}, code: 2, stderr: "portkey-runs check: --quiet and --verbose contradict each other: give one\n", emptyOut: true},
		{name: "serve delay without unit", args: []string{"serve", "--cancel-delay", "2"}, code: 2, stderr: "portkey-runs serve: --cancel-delay 2: a duration needs a unit: write 2s (or 2ms, 2m); run 'portkey-runs serve --help' for its flags\n"},
		{name: "version", args: []string{"version"}, code: 0, stdout: "\nspec: Portkey Runs API (Cancel a run) 1.0.0 (OpenAPI 3.0.3)\n", emptyError: true},
		{name: "version argument", args: []string{"version", "x"}, code: 2, stderr: "portkey-runs version: unexpected argument \"x\": version takes none\n", emptyOut: true},
		{name: "check bad target", args: []string{"check", "--target", "api.portkey.ai"}, code: 2, stderr: "--target: the base URL must be an http or https URL without user info, query or fragment, such as https://api.portkey.ai/v1; credentials go in the environment"},
		{name: "check run without target", args: []string{"check", "--thread", "t", "--run", "r"}, code: 2, stderr: "--thread, --run, --assistant and --faults apply to a live target: add --target URL"},
		{name: "check negative timeout", args: []string{"check", "--timeout", "-1s"}, code: 2, stderr: "--timeout -1s does not bound a request: give a positive duration, e.g. 30s"},
		{name: "check zero timeout", args: []string{"check", "--timeout", "0"}, code: 2, stderr: "--timeout 0s does not bound a request: give a positive duration, e.g. 30s", emptyOut: true},
		{name: "record zero timeout", args: []string{"record", "--target", "http://127.0.0.1:1/v1", "--out", "x", "--timeout", "0s"}, code: 2, stderr: "--timeout 0s does not bound a request", emptyOut: true},
		{name: "unknown command", args: []string{"chekc"}, code: 2, stderr: `unknown command "chekc": the commands are check, validate, record, serve and version; run 'portkey-runs --help'`, emptyOut: true},
		{name: "help", args: []string{"--help"}, code: 0, stdout: "Run 'portkey-runs <command> --help'", emptyError: true},
		{name: "help word", args: []string{"help"}, code: 0, stdout: "Exit codes: 0 everything conforms"},
		{name: "help check", args: []string{"help", "check"}, code: 0, stdout: "Usage: portkey-runs [check] [flags]"},
		{name: "help unknown", args: []string{"help", "nope"}, code: 2, stderr: `unknown command "nope"`},
		{name: "check help", args: []string{"check", "-h"}, code: 0, stdout: "Examples:\n  portkey-runs check\n", emptyError: true},
		{name: "validate help", args: []string{"validate", "--help"}, code: 0, stdout: "Examples:\n  curl -si"},
		{name: "record help", args: []string{"record", "--help"}, code: 0, stdout: "Example:\n  PORTKEY_API_KEY=..."},
		{name: "serve help", args: []string{"serve", "--help"}, code: 0, stdout: "Example:\n  portkey-runs serve --addr"},
		{name: "validate good", args: []string{"validate", cassetteDir + "/not_found.yaml"}, code: 0, emptyOut: true, stderr: "1 of 1 inputs conform"},
		{name: "validate bad", args: []string{"validate", badDir + "/wrong_enum.yaml"}, code: 1, stdout: `wrong_enum.yaml: body /status: "paused" is not one of`},
		{name: "validate nothing", args: []string{"validate"}, code: 2, stderr: "name at least one FILE (- for standard input)"},
		{name: "validate missing file", args: []string{"validate", "missing.json"}, code: 2, stderr: "missing.json: no such file\n"},
		{name: "validate dir", args: []string{"validate", badDir}, code: 1, stdout: badDir + "/real_azure_cancel_2024-02.yaml: notice: body /file_ids: is not declared in the spec (drift)\n", stderr: "portkey-runs validate: 0 of 14 inputs conform (6 notices)\n"},
		{name: "validate dir without cassettes", args: []string{"validate", "testdata"}, code: 2, stderr: "testdata: no cassette (*.yaml) in this directory\n"},
		{name: "validate bad status", args: []string{"validate", "--status", "42", "-"}, code: 2, stderr: "--status 42 is not an HTTP status"},
		{name: "validate unknown flag", args: []string{"validate", "--state", "404", "-"}, code: 2, stderr: "run 'portkey-runs validate --help'"},
		{name: "record without target", args: []string{"record", "--out", "x"}, code: 2, stderr: "record needs --target URL and --out DIR"},
		{name: "record without credentials", args: []string{"record", "--target", "http://127.0.0.1:1/v1", "--out", "x"}, code: 2, stderr: "portkey-runs record: no credentials: set PORTKEY_API_KEY and PORTKEY_VIRTUAL_KEY (or PORTKEY_PROVIDER and PORTKEY_PROVIDER_KEY, or PORTKEY_CONFIG) to record a live gateway\n"},
		{name: "record argument", args: []string{"record", "x"}, code: 2, stderr: `unexpected argument "x"`},
		{name: "serve argument", args: []string{"serve", "now"}, code: 2, stderr: `unexpected argument "now"`},
		{name: "serve negative delay", args: []string{"serve", "--cancel-delay", "-1s"}, code: 2, stderr: "--cancel-delay -1s is negative"},
		{name: "serve bad address", args: []string{"serve", "--addr", "127.0.0.1:99999"}, code: 2, stderr: "portkey-runs serve: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := cli(t, tt.stdin, nil, tt.args...)
			assert.Equal(t, tt.code, o.code, "stdout:\n%s\nstderr:\n%s", o.stdout, o.stderr)
			assert.Contains(t, o.stdout, tt.stdout)
			assert.Contains(t, o.stderr, tt.stderr)
			if tt.emptyOut {
				assert.Empty(t, o.stdout)
			}
			if tt.emptyError {
				assert.Empty(t, o.stderr)
			}
		})
	}
}

func TestParseIntersperses(t *testing.T) {
	o := cli(t, `{"error":{"message":"No run found","type":"invalid_request_error","param":null,"code":null}}`, nil,
		"validate", "-", "--status", "404")
	assert.Equal(t, 0, o.code, o.stdout+o.stderr)

	// After --, a name that looks like a flag is a file.
	o = cli(t, "", nil, "validate", "--", "--status")
	assert.Equal(t, 2, o.code)
	assert.Contains(t, o.stderr, "--status: no such file\n")
}

// TestUsageListsEveryFlag keeps each command's --help in step with its flags.
func TestUsageListsEveryFlag(t *testing.T) {
	for name, c := range commands {
		fs := flag.NewFlagSet(name, flag.ContinueOnError)
		c.flags(fs)
		n := 0
		fs.VisitAll(func(f *flag.Flag) {
			n++
			assert.Contains(t, c.usage, "--"+f.Name, "%s --help", name)
		})
		assert.NotZero(t, n, name)
		assert.Contains(t, c.usage, "Example", name)
		assert.Contains(t, usage, "portkey-runs "+strings.TrimPrefix(name, "check"), name)
	}
}
