package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/contract"
	"github.com/seed-a6d846e6/portkey-runs/internal/realcorpus"
)

const realDir = "../../contract/testdata/real"

// TestValidateRealCaptures: 'validate --status N', with --operation, --thread and --run of
// the request when it is an operation of the spec (as contract.TestRealCaptures judges it),
// on the bodies live services sent prints exactly the lines their manifest rows give
// (prefixed with the file), counts as conforming the captures the manifest says conform,
// and exits 1 when one fails.
func TestValidateRealCaptures(t *testing.T) {
	caps, err := realcorpus.Load(realDir)
	require.NoError(t, err)
	v, err := contract.New(contract.Options{})
	require.NoError(t, err)
	type call struct {
		status             int
		operation, th, run string
	}
	byCall := map[call][]realcorpus.Capture{}
	statuses := map[int]bool{}
	for _, c := range caps {
		if !c.Judged() {
			continue
		}
		k := call{status: c.Status}
		method, target, _ := strings.Cut(c.Endpoint, " ")
		path, _, _ := strings.Cut(target, "?")
		if op, th, run, ok := v.Operation(method, path); ok && !strings.Contains(c.File, "_stream-") {
			k.operation, k.th, k.run = op, th, run
		}
		byCall[k] = append(byCall[k], c)
		statuses[c.Status] = true
	}
	require.Len(t, statuses, 5, "200, 400, 401, 404 and 429")
	for k, cs := range byCall {
		t.Run(fmt.Sprintf("%d %s %s %s", k.status, k.operation, k.th, k.run), func(t *testing.T) {
			args := []string{"validate", "--status", strconv.Itoa(k.status)}
			if k.operation != "" {
				args = append(args, "--operation", k.operation, "--thread", k.th, "--run", k.run)
			}
			var want []string
			var noticeLines []string
			conforming, code := 0, 0
			for _, c := range cs {
				f := filepath.Join(realDir, "bodies", c.File)
				args = append(args, f)
				for _, l := range c.Lines {
					if isNotice(l) {
						noticeLines = append(noticeLines, l)
						l = "notice: " + l
					}
					want = append(want, f+": "+l)
				}
				if c.Verdict == "conforms" {
					conforming++
				} else {
					code = 1
				}
			}
			o := cli(t, "", nil, args...)
			got := lines(o.stdout)
			slices.Sort(got)
			slices.Sort(want)
			assert.Equal(t, want, got)
			assert.Equal(t, code, o.code)
			assert.Equal(t, fmt.Sprintf("portkey-runs validate: %d of %d inputs conform (%s)\n", conforming, len(cs), notices(noticeLines)), o.stderr)
		})
	}
}
