package main

import (
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/seed-a6d846e6/portkey-runs/cmd/portkey-runs/internal/report"
	"github.com/seed-a6d846e6/portkey-runs/contract"
)

// reportFlags are the flags of the commands that print a report (check, record).
type reportFlags struct {
	format, output         string
	strict, quiet, verbose bool
}

func (o *reportFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&o.format, "format", "human", "report format: human, json or junit")
	fs.StringVar(&o.output, "output", "", "write the report to `FILE` (standard output gets the summary line)")
	fs.BoolVar(&o.strict, "strict", false, "count drift (properties the spec does not declare) as a failure")
	for _, name := range []string{"q", "quiet"} {
		fs.BoolVar(&o.quiet, name, false, "human report: only the recap of what did not pass and the summary")
	}
	for _, name := range []string{"v", "verbose"} {
		fs.BoolVar(&o.verbose, name, false, "human report: every check of every result")
	}
}

func (o *reportFlags) check() error {
	switch {
	case o.format != "human" && o.format != "json" && o.format != "junit":
		return fmt.Errorf("--format %q is not one of human, json, junit", o.format)
	case o.quiet && o.verbose:
		return errors.New("--quiet and --verbose contradict each other: give one")
	case (o.quiet || o.verbose) && o.format != "human":
		return fmt.Errorf("--quiet and --verbose shape the human report, not --format %s", o.format)
	}
	return nil
}

// write writes r in the chosen format to the chosen place and returns the exit code of
// its verdict, or exitError when it cannot be written.
func (o *reportFlags) write(e env, name string, r *report.Report) int {
	w, color := e.stdout, colorful(e)
	var f *os.File
	if o.output != "" {
		var err error
		if f, err = os.Create(o.output); err != nil {
			fmt.Fprintf(e.stderr, "portkey-runs %s: %v\n", name, err)
			return exitError
		}
		w, color = f, false
	}
	s := r.Summary()
	var err error
	switch o.format {
	case "json":
		err = report.JSON(w, r)
	case "junit":
		err = report.JUnit(w, r)
	default:
		err = report.Human(w, r, report.HumanOptions{Color: color, Quiet: o.quiet, Verbose: o.verbose})
	}
	if f != nil {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			fmt.Fprintf(e.stdout, "%s: %s; report in %s\n", s.Verdict(), s, o.output)
		}
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "portkey-runs %s: writing the report: %v\n", name, err)
		return exitError
	}
	return verdictCode(s.Verdict())
}

func verdictCode(v contract.Verdict) int {
	switch v {
	case contract.Pass:
		return exitPass
	case contract.Fail:
		return exitFail
	}
	return exitError
}

// colorful reports whether the human report may use colour: standard output is a
// terminal and NO_COLOR is unset or empty (no-color.org).
func colorful(e env) bool {
	if e.getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := e.stdout.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
