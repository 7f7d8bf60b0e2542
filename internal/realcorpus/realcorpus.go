// Package realcorpus reads the manifest of contract/testdata/real: bodies that live
// services sent, with the verdict and report lines a reviewer expects for each.
package realcorpus

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Capture is one row of manifest.tsv.
type Capture struct {
	File, Service, Beta, Endpoint string
	Status                        int
	Recorded                      string
	// Verdict is "conforms", "fails" or "not judged: <why>".
	Verdict, Reason string
	// Lines are the expected report lines (violation.String()), failures and notices.
	Lines []string
}

// Judged reports whether the capture is judged at all.
func (c Capture) Judged() bool { return !strings.HasPrefix(c.Verdict, "not judged") }

// Load reads dir/manifest.tsv; a capture's body is dir/bodies/<File>.
func Load(dir string) ([]Capture, error) {
	f, err := os.Open(filepath.Join(dir, "manifest.tsv"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var out []Capture
	for n := 1; sc.Scan(); n++ {
		c := strings.Split(sc.Text(), "\t")
		if n == 1 {
			continue // the header
		}
		if len(c) != 12 {
			return nil, fmt.Errorf("manifest.tsv:%d: %d columns, want 12", n, len(c))
		}
		status, err := strconv.Atoi(c[4])
		if err != nil {
			return nil, fmt.Errorf("manifest.tsv:%d: status %q", n, c[4])
		}
		switch v := c[9]; {
		case v == "conforms", v == "fails", strings.HasPrefix(v, "not judged: "):
		default:
			return nil, fmt.Errorf("manifest.tsv:%d: unknown verdict %q", n, v)
		}
		var lines []string
		if c[11] != "" {
			lines = strings.Split(c[11], " | ")
		}
		out = append(out, Capture{File: c[0], Service: c[1], Beta: c[2], Endpoint: c[3], Status: status,
			Recorded: c[5], Verdict: c[9], Reason: c[10], Lines: lines})
	}
	return out, sc.Err()
}
