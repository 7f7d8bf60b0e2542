package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	cancel()
	os.Exit(code)
}

// Exit codes.
const (
	exitOK       = 0 // no breaking change, or each one acknowledged
	exitBreaking = 1 // a breaking change is not acknowledged
	exitUsage    = 2 // bad flags, unreadable files, unknown base ref
)

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("breaking", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("base", "HEAD~1", "git ref of the spec to compare with")
	spec := fs.String("spec", "api/openapi.yaml", "the spec, as in the working tree")
	ackPath := fs.String("ack", "", "acknowledgement file (default: breaking-ok.yaml beside -spec)")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "breaking: unexpected arguments %q\n", fs.Args())
		return exitUsage
	}
	if *ackPath == "" {
		*ackPath = filepath.Join(filepath.Dir(*spec), "breaking-ok.yaml")
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "breaking: "+format+"\n", a...)
		return exitUsage
	}

	revision, err := os.ReadFile(*spec)
	if err != nil {
		return fail("%v", err)
	}
	ackData, err := os.ReadFile(*ackPath)
	if err != nil {
		return fail("%v", err)
	}
	acks, err := ParseAcks(ackData)
	if err != nil {
		return fail("%s: %v", *ackPath, err)
	}
	old, found, err := specAt(ctx, *base, *spec)
	if errors.Is(err, errNoRef) {
		return fail("%v in this repository (a shallow clone? try BASE=<ref> after fetching it)", err)
	}
	if err != nil {
		return fail("%v", err)
	}
	if !found {
		fmt.Fprintf(stdout, "breaking: %s did not exist at %s; nothing to compare\n", *spec, *base)
		return exitOK
	}
	changes, err := Compare(old, revision)
	if err != nil {
		return fail("%v", err)
	}
	return report(stdout, changes, acks, *spec, *base, *ackPath)
}

// report prints one line per breaking change and a summary, and returns the exit code.
func report(w io.Writer, changes []Change, acks []Ack, spec, base, ackPath string) int {
	used := make([]bool, len(acks))
	open := 0
	for _, c := range changes {
		i := matchAck(c, acks)
		if i < 0 {
			open++
			fmt.Fprintf(w, "%s\n", c)
			continue
		}
		used[i] = true
		fmt.Fprintf(w, "%s\n    acknowledged: %s\n", c, acks[i].Reason)
	}
	for i, a := range acks {
		if !used[i] {
			fmt.Fprintf(w, "note: acknowledgement %d (%s at %s) matches no change against %s; remove it once its change is in the base\n", i+1, a.ID, a.Where, base)
		}
	}
	switch {
	case len(changes) == 0:
		fmt.Fprintf(w, "breaking: ok: no breaking change in %s since %s\n", spec, base)
		return exitOK
	case open == 0:
		fmt.Fprintf(w, "breaking: ok: %d breaking change(s) in %s since %s, all acknowledged in %s\n", len(changes), spec, base, ackPath)
		return exitOK
	}
	fmt.Fprintf(w, "breaking: FAIL: %d breaking change(s) in %s since %s, %d not acknowledged; revert them or list each in %s with a reason\n",
		len(changes), spec, base, open, ackPath)
	return exitBreaking
}

func matchAck(c Change, acks []Ack) int {
	for i, a := range acks {
		if a.Matches(c) {
			return i
		}
	}
	return -1
}
