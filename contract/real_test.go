package contract_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/seed-a6d846e6/portkey-runs/contract"
	"github.com/seed-a6d846e6/portkey-runs/internal/realcorpus"
)

const realDir = "testdata/real"

// TestRealCaptures: every body a live service sent (testdata/real) gets the verdict and
// exactly the report lines its manifest row gives, written by a reviewer.
func TestRealCaptures(t *testing.T) {
	caps, err := realcorpus.Load(realDir)
	require.NoError(t, err)
	files, err := filepath.Glob(filepath.Join(realDir, "bodies", "*.json"))
	require.NoError(t, err)
	require.Len(t, caps, len(files), "one manifest row per body")
	v, err := contract.New(contract.Options{})
	require.NoError(t, err)
	for _, c := range caps {
		t.Run(c.File, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join(realDir, "bodies", c.File))
			require.NoError(t, err)
			if !c.Judged() {
				var list struct{ Object string }
				require.NoError(t, json.Unmarshal(body, &list))
				assert.Equal(t, "list", list.Object, "only lists are left unjudged")
				return
			}
			ex := contract.Exchange{Status: c.Status, Header: http.Header{"Content-Type": {"application/json"}}, Body: body}
			ex.Method, ex.Path = realRequest(v, c)
			vs := v.Validate(ex).Violations()
			var got []string
			failed := false
			for _, x := range vs {
				got = append(got, x.String())
				failed = failed || x.Failed()
			}
			want := slices.Clone(c.Lines)
			slices.Sort(got)
			slices.Sort(want)
			assert.Equal(t, want, got, "%s (%s %s, %s)", c.Reason, c.Service, c.Beta, c.Recorded)
			assert.Equal(t, c.Verdict == "fails", failed, "verdict %s", c.Verdict)
		})
	}
}

// realRequest is the method and path of the request a capture answered when that is an
// operation of the spec, so that the capture is judged against it; empty for the other
// endpoints and for stream events (files named *_stream-*: one event of a streamed
// answer, which is not the operation's JSON answer), judged as bare bodies.
func realRequest(v *contract.Validator, c realcorpus.Capture) (method, path string) {
	method, target, _ := strings.Cut(c.Endpoint, " ")
	path, _, _ = strings.Cut(target, "?")
	if _, _, _, ok := v.Operation(method, path); !ok || strings.Contains(c.File, "_stream-") {
		return "", ""
	}
	return method, path
}

// TestRealCassettesHoldRealBodies: each real_*.yaml recording answers with a body of
// testdata/real, byte for byte.
func TestRealCassettesHoldRealBodies(t *testing.T) {
	files, err := filepath.Glob("../recording/testdata/cassettes/real_*.yaml")
	require.NoError(t, err)
	bad, err := filepath.Glob("../recording/testdata/cassettes/bad/real_*.yaml")
	require.NoError(t, err)
	files = append(files, bad...)
	require.Len(t, files, 4)
	bodies, err := filepath.Glob(filepath.Join(realDir, "bodies", "*.json"))
	require.NoError(t, err)
	real := map[string]bool{}
	for _, f := range bodies {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		real[string(b)] = true
	}
	for _, f := range files {
		c, err := cassette.Load(strings.TrimSuffix(f, ".yaml"))
		require.NoError(t, err)
		require.Len(t, c.Interactions, 1, f)
		assert.True(t, real[c.Interactions[0].Response.Body], "%s: the body is not one of %s", f, realDir)
	}
}
