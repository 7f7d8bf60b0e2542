package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const cancelOp = "POST /threads/{thread_id}/runs/{run_id}/cancel"

// runOps are the operations whose 200 is the Run: a change to it is found at each.
var runOps = []string{"POST /threads/runs", "POST /threads/{thread_id}/runs", "GET /threads/{thread_id}/runs/{run_id}", cancelOp}

// onlyCancel keeps the changes found at the cancel operation.
func onlyCancel(changes []Change) []Change {
	var out []Change
	for _, c := range changes {
		if c.Where == cancelOp {
			out = append(out, c)
		}
	}
	return out
}

// The edits below are made at run time to the committed spec; replace fails the test if its
// anchor is not in the spec exactly once, so a spec rewrite cannot make them silently no-ops.
var (
	removeExpired = edit{"        - incomplete\n        - expired\n", "        - incomplete\n"}
	addPaused     = edit{"        - expired\n", "        - expired\n        - paused\n"}
	requireTemp   = edit{
		"        - response_format\n      properties:\n",
		"        - response_format\n        - temperature\n      properties:\n"}
	addOptional = edit{
		"      properties:\n        id:\n          type: string\n          description: The identifier,",
		"      properties:\n        note:\n          type: string\n        id:\n          type: string\n          description: The identifier,"}
	addDescription = edit{
		"      description: The ID of the thread the run belongs to.\n      schema:\n        type: string\n        minLength: 1\n",
		"      description: The ID of the thread the run belongs to.\n      schema:\n        type: string\n        minLength: 1\n        description: Starts with thread_.\n"}
)

type edit struct{ old, new string }

func spec(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../api/openapi.yaml")
	require.NoError(t, err)
	return string(b)
}

func apply(t *testing.T, s string, edits ...edit) string {
	t.Helper()
	for _, e := range edits {
		require.Equal(t, 1, strings.Count(s, e.old), "anchor %q", e.old)
		s = strings.Replace(s, e.old, e.new, 1)
	}
	return s
}

func TestCompare(t *testing.T) {
	tests := []struct {
		name   string
		edits  []edit
		want   []string // ids
		text   string   // in the first change's text
		breaks string
	}{
		{"remove status value", []edit{removeExpired}, []string{"response-property-enum-value-removed"}, "`expired`", "servers"},
		{"optional field required", []edit{requireTemp}, []string{"response-property-became-required"}, "`temperature`", "servers"},
		{"add status value", []edit{addPaused}, []string{"response-property-enum-value-added"}, "`paused`", "clients"},
		{"both breaking edits", []edit{removeExpired, requireTemp}, []string{"response-property-became-required", "response-property-enum-value-removed"}, "", ""},
		{"add optional property", []edit{addOptional}, nil, "", ""},
		{"add description", []edit{addDescription}, nil, "", ""},
		{"unchanged", nil, nil, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := spec(t)
			changes, err := Compare([]byte(base), []byte(apply(t, base, tt.edits...)))
			require.NoError(t, err)
			var ids []string
			for _, c := range changes {
				assert.Equal(t, "error", c.Level.String())
				assert.Contains(t, runOps, c.Where)
				if c.Where == cancelOp {
					ids = append(ids, c.ID)
				}
			}
			assert.ElementsMatch(t, tt.want, ids)
			assert.Len(t, changes, len(runOps)*len(tt.want), "found at every operation that answers a Run")
			if tt.text != "" {
				require.NotEmpty(t, changes)
				assert.Contains(t, changes[0].Text, tt.text)
				assert.Equal(t, tt.breaks, changes[0].Breaks)
			}
		})
	}
}

func TestCompareBadSpec(t *testing.T) {
	_, err := Compare([]byte(spec(t)), []byte("openapi: [\n"))
	assert.ErrorContains(t, err, "load revision spec")
	_, err = Compare([]byte("paths:\n  /x:\n    $ref: 'other.yaml'\n"), []byte(spec(t)))
	assert.ErrorContains(t, err, "load base spec")
}

func TestReport(t *testing.T) {
	base := spec(t)
	changes, err := Compare([]byte(base), []byte(apply(t, base, removeExpired)))
	require.NoError(t, err)
	changes = onlyCancel(changes)
	require.Len(t, changes, 1)
	ack := Ack{ID: "response-property-enum-value-removed", Where: cancelOp, Reason: "no gateway returns it"}
	withText := func(a Ack, text string) Ack { a.Text = text; return a }
	elsewhere := ack
	elsewhere.Where = "GET /threads/{thread_id}/runs/{run_id}"

	tests := []struct {
		name string
		acks []Ack
		code int
		want []string
	}{
		{"not acknowledged", nil, exitBreaking, []string{
			"error response-property-enum-value-removed at " + cancelOp + ": removed the `expired` enum value from the `status` response property for the response status `200` (breaks servers)\n",
			"breaking: FAIL: 1 breaking change(s) in api/openapi.yaml since HEAD~1, 1 not acknowledged; revert them or list each in api/breaking-ok.yaml with a reason\n"}},
		{"acknowledged", []Ack{ack}, exitOK, []string{
			"    acknowledged: no gateway returns it\n",
			"breaking: ok: 1 breaking change(s) in api/openapi.yaml since HEAD~1, all acknowledged in api/breaking-ok.yaml\n"}},
		{"acknowledged with text", []Ack{withText(ack, "`expired`")}, exitOK, []string{"acknowledged: no gateway returns it"}},
		{"other text", []Ack{withText(ack, "`queued`")}, exitBreaking, []string{
			"note: acknowledgement 1 (response-property-enum-value-removed at " + cancelOp + ") matches no change against HEAD~1",
			"1 not acknowledged"}},
		{"other operation", []Ack{elsewhere}, exitBreaking, []string{"note: acknowledgement 1", "1 not acknowledged"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			assert.Equal(t, tt.code, report(&out, changes, tt.acks, "api/openapi.yaml", "HEAD~1", "api/breaking-ok.yaml"))
			for _, w := range tt.want {
				assert.Contains(t, out.String(), w)
			}
		})
	}

	var out bytes.Buffer
	assert.Equal(t, exitOK, report(&out, nil, nil, "api/openapi.yaml", "HEAD~1", "api/breaking-ok.yaml"))
	assert.Equal(t, "breaking: ok: no breaking change in api/openapi.yaml since HEAD~1\n", out.String())
}

func TestParseAcks(t *testing.T) {
	committed, err := os.ReadFile("../../api/breaking-ok.yaml")
	require.NoError(t, err)
	tests := []struct {
		name string
		in   string
		n    int
		err  string
	}{
		{"committed file", string(committed), -1, ""}, // parses; its entries change with the spec
		{"empty", "", 0, ""},
		{"one", "acknowledged:\n  - id: a\n    where: POST /x\n    text: t\n    reason: r\n", 1, ""},
		{"no reason", "acknowledged:\n  - id: a\n    where: POST /x\n", 0, `entry 1 (id "a"): reason required`},
		{"blank reason", "acknowledged:\n  - id: a\n    where: POST /x\n    reason: '  '\n", 0, "reason required"},
		{"no id nor where", "acknowledged:\n  - reason: r\n", 0, "id, where required"},
		{"misspelt key", "acknowledged:\n  - id: a\n    where: POST /x\n    reson: r\n", 0, "field reson not found"},
		{"not a list", "acknowledged: yes\n", 0, "cannot unmarshal"},
		{"other top key", "acks: []\n", 0, "field acks not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			acks, err := ParseAcks([]byte(tt.in))
			if tt.err != "" {
				assert.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			if tt.n >= 0 {
				assert.Len(t, acks, tt.n)
			}
		})
	}
}

// repo makes a git repository whose commits hold the given versions of api/openapi.yaml
// ("" for a commit without it) and returns its directory.
func repo(t *testing.T, versions ...string) string {
	t.Helper()
	t.Setenv("GIT_CONFIG_GLOBAL", os.DevNull)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	dir := t.TempDir()
	gitT(t, dir, "init", "-q")
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "api"), 0o755))
	writeFile(t, filepath.Join(dir, "api", "breaking-ok.yaml"), "acknowledged: []\n")
	for i, v := range versions {
		p := filepath.Join(dir, "api", "openapi.yaml")
		if v == "" {
			_ = os.Remove(p)
		} else {
			writeFile(t, p, v)
		}
		gitT(t, dir, "add", "-A")
		gitT(t, dir, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "--allow-empty", "-m", string(rune('a'+i)))
	}
	return dir
}

func gitT(t *testing.T, dir string, args ...string) {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput()
	require.NoError(t, err, "git %v: %s", args, out)
}

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, []byte(s), 0o644))
}

func TestRun(t *testing.T) {
	s := spec(t)
	broken := apply(t, s, removeExpired)
	ackExpired := "acknowledged:\n"
	for _, op := range runOps {
		ackExpired += "  - id: response-property-enum-value-removed\n    where: " + op + "\n    reason: unused by gateways\n"
	}
	tests := []struct {
		name     string
		versions []string // committed, oldest first
		worktree string   // api/openapi.yaml in the working tree; "" keeps the last commit's
		ack      string   // api/breaking-ok.yaml; "" keeps the empty list
		args     []string
		code     int
		stdout   string
		stderr   string
	}{
		{"unchanged", []string{s, s}, "", "", nil, exitOK, "no breaking change in", ""},
		{"breaking commit", []string{s, broken}, "", "", nil, exitBreaking, "error response-property-enum-value-removed at " + cancelOp, ""},
		{"breaking working tree", []string{s}, broken, "", []string{"-base", "HEAD"}, exitBreaking, "4 not acknowledged", ""},
		{"acknowledged", []string{s, broken}, "", ackExpired, nil, exitOK, "all acknowledged", ""},
		{"older base", []string{s, s, broken}, "", "", []string{"-base", "HEAD~2"}, exitBreaking, "since HEAD~2", ""},
		{"no spec at base", []string{"", s}, "", "", nil, exitOK, "did not exist at HEAD~1; nothing to compare", ""},
		{"single commit", []string{s}, "", "", nil, exitUsage, "", `base ref "HEAD~1": not found`},
		{"unknown ref", []string{s}, "", "", []string{"-base", "origin/nope"}, exitUsage, "", `base ref "origin/nope": not found`},
		{"option as ref", []string{s}, "", "", []string{"-base", "--output=x"}, exitUsage, "", "not found"},
		{"ack without reason", []string{s, broken}, "", "acknowledged:\n  - id: x\n    where: y\n", nil, exitUsage, "", "reason required"},
		{"spec unparsable", []string{s}, "openapi: [\n", "", []string{"-base", "HEAD"}, exitUsage, "", "load revision spec"},
		{"stray argument", []string{s}, "", "", []string{"HEAD~1"}, exitUsage, "", "unexpected arguments"},
		{"bad flag", []string{s}, "", "", []string{"-nope"}, exitUsage, "", "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := repo(t, tt.versions...)
			if tt.worktree != "" {
				writeFile(t, filepath.Join(dir, "api", "openapi.yaml"), tt.worktree)
			}
			if tt.ack != "" {
				writeFile(t, filepath.Join(dir, "api", "breaking-ok.yaml"), tt.ack)
			}
			var stdout, stderr bytes.Buffer
			args := append([]string{"-spec", filepath.Join(dir, "api", "openapi.yaml")}, tt.args...)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			assert.Equal(t, tt.code, run(ctx, args, &stdout, &stderr), "stdout:\n%s\nstderr:\n%s", &stdout, &stderr)
			assert.Contains(t, stdout.String(), tt.stdout)
			assert.Contains(t, stderr.String(), tt.stderr)
		})
	}
}

func TestRunOutsideRepository(t *testing.T) {
	t.Setenv("GIT_CEILING_DIRECTORIES", os.TempDir())
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "openapi.yaml"), spec(t))
	writeFile(t, filepath.Join(dir, "breaking-ok.yaml"), "")
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	assert.Equal(t, exitUsage, run(ctx, []string{"-spec", filepath.Join(dir, "openapi.yaml")}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "not a git repository")
}

func TestRunMissingAckFile(t *testing.T) {
	dir := repo(t, spec(t))
	require.NoError(t, os.Remove(filepath.Join(dir, "api", "breaking-ok.yaml")))
	var stdout, stderr bytes.Buffer
	assert.Equal(t, exitUsage, run(context.Background(), []string{"-spec", filepath.Join(dir, "api", "openapi.yaml")}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "breaking-ok.yaml: no such file")
}
