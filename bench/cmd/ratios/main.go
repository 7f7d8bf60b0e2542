// Command ratios reads the Go benchmark results of one `make bench` run (bench/out/*.txt)
// and prints, as a Markdown table, each measure of issue 17: ours and its baseline (medians
// of that run), their ratio, the target and whether it was met.
//
//	ratios FILE...
package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"golang.org/x/perf/benchfmt"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: ratios FILE...")
		os.Exit(2)
	}
	samples, err := read(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "ratios:", err)
		os.Exit(1)
	}
	write(os.Stdout, samples)
}

// A measure compares benchmark ours with benchmark base (names without "Benchmark" and
// GOMAXPROCS) in unit.
type measure struct {
	what       string
	ours, base string
	unit       string // "sec/op" or "req/s"
	// faster: the ratio is base/ours, "N times faster"; else ours/base.
	faster bool
	// atLeast: the ratio must be at least target, else at most; no target when 0.
	atLeast bool
	target  float64
}

var measures = []measure{
	{what: "Validating the typical 200 (1.5 KB): `contract` `ValidateResponse` vs bare kin-openapi `openapi3filter.ValidateResponse`",
		ours: "Validate/body=typical/impl=contract", base: "Validate/body=typical/impl=kin-openapi",
		unit: "sec/op", faster: true, atLeast: true, target: 10},
	{what: "`contract` `Validate` vs `json.Valid` on the same bytes, the typical 200 (1.5 KB)",
		ours: "ValidateBytes/body=typical/impl=contract", base: "ValidateBytes/body=typical/impl=json.Valid",
		unit: "sec/op", target: 3},
	{what: "The same, the 8 KB 200 (16 metadata values of 512 characters)",
		ours: "ValidateBytes/body=8KB/impl=contract", base: "ValidateBytes/body=8KB/impl=json.Valid",
		unit: "sec/op", target: 3},
	{what: "The same, the 64 KB 200 (the 8 KB one with 128 tools)",
		ours: "ValidateBytes/body=64KB/impl=contract", base: "ValidateBytes/body=64KB/impl=json.Valid",
		unit: "sec/op", target: 3},
	{what: "One Cancel over loopback: `portkey` client (retries on) vs raw `net/http` + `encoding/json`",
		ours: "Cancel/impl=portkey", base: "Cancel/impl=raw", unit: "sec/op", target: 1.15},
	{what: "One Cancel over loopback: `portkey` client vs openai-go v3 `Beta.Threads.Runs.Cancel`",
		ours: "Cancel/impl=portkey", base: "Cancel/impl=openai-go", unit: "sec/op", target: 0.5},
	{what: "Reference server under wrk, validation on vs bare `net/http` (constant body), 8 connections",
		ours: "Serve/conns=8/impl=on", base: "Serve/conns=8/impl=bare", unit: "req/s", atLeast: true, target: 0.8},
	{what: "The same, 64 connections",
		ours: "Serve/conns=64/impl=on", base: "Serve/conns=64/impl=bare", unit: "req/s", atLeast: true, target: 0.8},
	{what: "Reference server, validation off (`refserver.WithoutValidation`) vs bare `net/http`, 8 connections",
		ours: "Serve/conns=8/impl=off", base: "Serve/conns=8/impl=bare", unit: "req/s"},
	{what: "Validation off vs bare, 64 connections",
		ours: "Serve/conns=64/impl=off", base: "Serve/conns=64/impl=bare", unit: "req/s"},
	{what: "`portkey-runs check` on the embedded default vs a binary that only prints (wall time, start to exit)",
		ours: "Startup/impl=check", base: "Startup/impl=only-prints", unit: "sec/op", target: 10},
}

// samples holds every value read, by benchmark name and unit.
type samples map[string]map[string][]float64

func read(paths []string) (samples, error) {
	s := samples{}
	files := benchfmt.Files{Paths: paths}
	for files.Scan() {
		switch r := files.Result().(type) {
		case *benchfmt.SyntaxError:
			return nil, r
		case *benchfmt.Result:
			name := key(r.Name)
			if s[name] == nil {
				s[name] = map[string][]float64{}
			}
			for _, v := range r.Values {
				s[name][v.Unit] = append(s[name][v.Unit], v.Value)
			}
		}
	}
	return s, files.Err()
}

// key is a benchmark's name without its GOMAXPROCS suffix.
func key(n benchfmt.Name) string {
	base, parts := n.Parts()
	if len(parts) > 0 && bytes.HasPrefix(parts[len(parts)-1], []byte("-")) {
		parts = parts[:len(parts)-1]
	}
	return string(base) + string(bytes.Join(parts, nil))
}

// median returns the median of xs and how many there were; 0, 0 for none.
func median(xs []float64) (float64, int) {
	if len(xs) == 0 {
		return 0, 0
	}
	xs = slices.Sorted(slices.Values(xs))
	m := len(xs) / 2
	if len(xs)%2 == 0 {
		return (xs[m-1] + xs[m]) / 2, len(xs)
	}
	return xs[m], len(xs)
}

func write(w io.Writer, s samples) {
	fmt.Fprintln(w, "| Measure (medians of this run) | Ours | Baseline | Runs | Ratio | Target | Met |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
	for _, m := range measures {
		fmt.Fprintln(w, m.row(s))
	}
}

// row is m's table row, with "not measured" where a side has no sample.
func (m measure) row(s samples) string {
	ours, n := median(s[m.ours][m.unit])
	base, nb := median(s[m.base][m.unit])
	target, met := "-", "-"
	if m.target > 0 {
		target = fmt.Sprintf("<= %gx", m.target)
		if m.atLeast {
			target = ">= " + target[3:]
		}
		if m.faster {
			target += " faster"
		}
	}
	if n == 0 || nb == 0 {
		return fmt.Sprintf("| %s | %s | %s | %d/%d | not measured | %s | - |", m.what, m.value(ours, n), m.value(base, nb), n, nb, target)
	}
	ratio := ours / base
	if m.faster {
		ratio = base / ours
	}
	if m.target > 0 {
		met = "missed"
		if m.atLeast && ratio >= m.target || !m.atLeast && ratio <= m.target {
			met = "met"
		}
	}
	return fmt.Sprintf("| %s | %s | %s | %d/%d | %s | %s | %s |", m.what, m.value(ours, n), m.value(base, nb), n, nb, m.ratioText(ratio), target, met)
}

func (m measure) ratioText(r float64) string {
	if m.faster {
		return fmt.Sprintf("%.2fx faster", r)
	}
	return fmt.Sprintf("%.2fx", r)
}

func (m measure) value(v float64, n int) string {
	switch {
	case n == 0:
		return "-"
	case m.unit == "req/s":
		return thousands(v) + " req/s"
	case v >= 1e-3:
		return fmt.Sprintf("%.1f ms", v*1e3)
	case v >= 1e-6:
		return fmt.Sprintf("%.1f us", v*1e6)
	default:
		return fmt.Sprintf("%.0f ns", v*1e9)
	}
}

// thousands formats v rounded to an integer, with commas between thousands.
func thousands(v float64) string {
	d := fmt.Sprintf("%.0f", v)
	var b strings.Builder
	for i, c := range d {
		if i > 0 && (len(d)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
