package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// ANSI colours, used only when Human is asked for them.
const (
	red    = "\x1b[31m"
	green  = "\x1b[32m"
	yellow = "\x1b[33m"
	bold   = "\x1b[1m"
	reset  = "\x1b[0m"
)

// Human writes r for people: per group a heading, per result a line with its verdict,
// per check a line with pass/fail and the violations indented under it, then the summary
// line. color adds ANSI colours; pass it only for a terminal.
func Human(w io.Writer, r *Report, color bool) error {
	bw := bufio.NewWriter(w)
	paint := func(code, s string) string {
		if !color {
			return s
		}
		return code + s + reset
	}
	// word labels a status, padded to five columns; a result's verdict is in capitals,
	// a check's pass is not.
	word := func(status string, verdict bool) string {
		label, code := "pass", green
		switch {
		case status == statusFail:
			label, code = "FAIL", red
		case status == statusError:
			label, code = "ERROR", yellow
		case verdict:
			label = "PASS"
		}
		return paint(code, label) + strings.Repeat(" ", 5-len(label))
	}
	for i, g := range r.Groups {
		if i > 0 {
			fmt.Fprintln(bw)
		}
		fmt.Fprintf(bw, "%s: %s\n", paint(bold, r.clean(g.Name)), r.target(g.Target))
		if len(g.Results) == 0 {
			fmt.Fprintln(bw, "  (nothing to check)")
		}
		for _, res := range g.Results {
			status := fmt.Sprint(res.Status)
			if res.Status == 0 {
				status = "no response"
			}
			fmt.Fprintf(bw, "  %s %s (%s, %.1fms)\n", word(string(res.Verdict), true), r.clean(res.Name), status, millis(res.Duration))
			for _, row := range rows(res) {
				fmt.Fprintf(bw, "      %s %s\n", word(row.status, false), r.clean(string(row.check)))
				for _, v := range row.violations {
					prefix := ""
					if !v.Failed() && row.status != statusError {
						prefix = paint(yellow, "notice: ")
					}
					fmt.Fprintf(bw, "            %s%s\n", prefix, r.line(v))
				}
			}
		}
	}
	s := r.Summary()
	verdict := strings.TrimSpace(word(string(s.Verdict()), true))
	strict := ""
	if r.Strict {
		strict = " (strict)"
	}
	fmt.Fprintf(bw, "\n%s%s %s (%.1fms)\n", verdict, strict, s, millis(r.Duration))
	return bw.Flush()
}
