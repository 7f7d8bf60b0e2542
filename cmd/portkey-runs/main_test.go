package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBinary builds the command and runs it once per exit code, and serve until SIGINT:
// proof that main wires arguments, streams, environment and signals to run.
func TestBinary(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "portkey-runs")
	build := exec.Command("go", "build", "-o", bin, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, string(out))

	var environ []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PORTKEY_") && !strings.HasPrefix(kv, "NO_COLOR=") {
			environ = append(environ, kv)
		}
	}
	tests := []struct {
		args   []string
		stdin  string
		code   int
		stdout string
	}{
		{nil, "", 0, "\nPASS 18 results: 18 passed, 0 failed, 0 errors;"},
		{[]string{"validate", "-"}, `{"error":{"message":"x","type":"invalid_request_error","param":null,"code":null}}`, 1, "-: body /id: required property is missing (schema)"},
		{[]string{"validate", "--status", "404", "-"}, `{"error":{"message":"x","type":"invalid_request_error","param":null,"code":null}}`, 0, ""},
		{[]string{"chekc"}, "", 2, ""},
	}
	for _, tt := range tests {
		cmd := exec.Command(bin, tt.args...)
		cmd.Env = environ
		cmd.Dir = t.TempDir() // the recordings are embedded: any directory will do
		cmd.Stdin = strings.NewReader(tt.stdin)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else {
			require.NoError(t, err)
		}
		assert.Equal(t, tt.code, code, "%v: %s%s", tt.args, stdout.String(), stderr.String())
		assert.Contains(t, stdout.String(), tt.stdout, tt.args)
		assert.NotContains(t, stdout.String(), "\x1b", "no colour into a pipe")
	}

	// serve stops cleanly on SIGINT.
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0")
	cmd.Env = environ
	var stderr syncBuffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	require.Eventually(t, func() bool { return regexp.MustCompile(`msg=listening`).MatchString(stderr.String()) },
		10*time.Second, 10*time.Millisecond, stderr.String())
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case err := <-waited:
		assert.NoError(t, err, "exit 0 after SIGINT: %s", stderr.String())
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("serve did not stop on SIGINT")
	}
	assert.Contains(t, stderr.String(), "msg=stopped")
}
