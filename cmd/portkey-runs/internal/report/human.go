package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/seed-a6d846e6/portkey-runs/contract"
)

// ANSI colours, used only when Human is asked for them.
const (
	red    = "\x1b[31m"
	green  = "\x1b[32m"
	yellow = "\x1b[33m"
	bold   = "\x1b[1m"
	reset  = "\x1b[0m"
)

// HumanOptions choose what Human prints.
type HumanOptions struct {
	Color   bool // ANSI colours; ask for them only for a terminal
	Quiet   bool // only the recap of what did not pass and the summary line
	Verbose bool // every check of every result, those of passing results too
}

// Human writes r for people: per group a heading and a line per result; under a result
// that did not pass (under every result with Verbose) a line per check with its
// violations; under a passing one its notices. Then a recap of every result that failed or
// erred (its first violation and how to reproduce it) and the summary line.
func Human(w io.Writer, r *Report, o HumanOptions) error {
	h := human{w: bufio.NewWriter(w), r: r, color: o.Color}
	if !o.Quiet {
		for i, g := range r.Groups {
			if i > 0 {
				fmt.Fprintln(h.w)
			}
			h.group(g, o.Verbose)
		}
	}
	h.recap(o.Quiet)
	s := r.Summary()
	strict := ""
	if r.Strict {
		strict = " (strict)"
	}
	if !o.Quiet || s.Verdict() != contract.Pass {
		fmt.Fprintln(h.w)
	}
	fmt.Fprintf(h.w, "%s%s %s (%.1fms)\n", strings.TrimSpace(h.word(s.Verdict(), true)), strict, s, millis(r.Duration))
	return h.w.Flush()
}

type human struct {
	w     *bufio.Writer
	r     *Report
	color bool
}

func (h human) paint(code, s string) string {
	if !h.color {
		return s
	}
	return code + s + reset
}

// word labels a status, padded to six columns; a result's verdict is in capitals, a
// check's pass is not.
func (h human) word(status contract.Verdict, verdict bool) string {
	label, code := "pass", green
	switch {
	case status == contract.Fail:
		label, code = "FAIL", red
	case status == contract.Error:
		label, code = "ERROR", yellow
	case verdict:
		label = "PASS"
	}
	return h.paint(code, label) + strings.Repeat(" ", 6-len(label))
}

func (h human) group(g Group, verbose bool) {
	r := h.r
	fmt.Fprintf(h.w, "%s: %s\n", h.paint(bold, r.clean(g.Name)), r.target(g.Target))
	if len(g.Results) == 0 {
		fmt.Fprintln(h.w, "  (nothing to check)")
	}
	for _, res := range g.Results {
		status := fmt.Sprint(res.Status)
		if res.Status == 0 {
			status = "no response"
		}
		fmt.Fprintf(h.w, "  %s%s (%s, %.1fms)\n", h.word(res.Verdict, true), r.clean(res.Name), status, millis(res.Duration))
		if res.Verdict == contract.Pass && !verbose {
			for _, v := range res.Violations() {
				fmt.Fprintf(h.w, "        %s%s\n", h.paint(yellow, "notice: "), r.line(v))
			}
			continue
		}
		for _, c := range res.Checks {
			fmt.Fprintf(h.w, "      %s%s\n", h.word(c.Verdict, false), r.clean(string(c.Check)))
			for _, v := range c.Violations {
				prefix := ""
				if v.Severity == contract.Notice {
					prefix = h.paint(yellow, "notice: ")
				}
				fmt.Fprintf(h.w, "            %s%s\n", prefix, r.line(v))
			}
		}
	}
}

// recap lists every result that did not pass: its group and name, the first check that
// did not pass, that check's first violation, how many more there are, and the group's
// command that reproduces it.
func (h human) recap(quiet bool) {
	r := h.r
	var failed, erred bool
	var lines []string
	for _, g := range r.Groups {
		for _, res := range g.Results {
			if res.Verdict == contract.Pass {
				continue
			}
			failed = failed || res.Verdict == contract.Fail
			erred = erred || res.Verdict != contract.Fail
			head := h.word(res.Verdict, true) + r.clean(g.Name+"."+res.Name)
			var first []string
			more := 0
			for _, c := range res.Checks {
				for _, v := range c.Violations {
					if v.Severity == contract.Notice {
						continue
					}
					if first == nil {
						head += ": " + r.clean(string(c.Check))
						first = []string{r.line(v)}
					} else {
						more++
					}
				}
			}
			lines = append(lines, "  "+head)
			for _, l := range first {
				lines = append(lines, "        "+l)
			}
			if more > 0 {
				lines = append(lines, "        and "+Count(more, "more violation"))
			}
			if g.Reproduce != nil {
				if cmd := g.Reproduce(res.Name); cmd != "" {
					lines = append(lines, "        reproduce: "+r.clean(cmd))
				}
			}
		}
	}
	if len(lines) == 0 {
		return
	}
	title := "Failures and errors:"
	switch {
	case !erred:
		title = "Failures:"
	case !failed:
		title = "Errors:"
	}
	if !quiet {
		fmt.Fprintln(h.w)
	}
	fmt.Fprintln(h.w, h.paint(bold, title))
	for _, l := range lines {
		fmt.Fprintln(h.w, l)
	}
}
