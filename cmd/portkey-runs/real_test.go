package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/internal/realcorpus"
)

const realDir = "../../contract/testdata/real"

// TestValidateRealCaptures: 'validate --status N' on the bodies live services sent prints
// exactly the lines their manifest rows give (prefixed with the file), counts as
// conforming the captures the manifest says conform, and exits 1 when one fails.
func TestValidateRealCaptures(t *testing.T) {
	caps, err := realcorpus.Load(realDir)
	require.NoError(t, err)
	byStatus := map[int][]realcorpus.Capture{}
	for _, c := range caps {
		if c.Judged() {
			byStatus[c.Status] = append(byStatus[c.Status], c)
		}
	}
	require.Len(t, byStatus, 5, "200, 400, 401, 404 and 429")
	for status, cs := range byStatus {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			args := []string{"validate", "--status", strconv.Itoa(status)}
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
