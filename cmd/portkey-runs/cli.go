package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/seed-a6d846e6/portkey-runs/internal/redact"
	"github.com/seed-a6d846e6/portkey-runs/internal/wire"
	"github.com/seed-a6d846e6/portkey-runs/portkey"
)

// Exit codes, the same for every command.
const (
	exitPass  = 0 // everything conforms (serve: stopped cleanly)
	exitFail  = 1 // a contract violation
	exitError = 2 // usage, I/O, or a target that could not be judged
)

const usage = `portkey-runs: the Cancel Run (POST /threads/{thread_id}/runs/{run_id}/cancel) contract suite

Usage:
  portkey-runs [check] [flags]          run the suite (default: reference server + recordings, offline)
  portkey-runs validate [flags] FILE... validate captured responses (- reads standard input)
  portkey-runs record --target URL --out DIR   record cassettes from a live target
  portkey-runs serve [flags]            serve the reference server
  portkey-runs version                  module, Go and spec versions

Exit codes: 0 everything conforms, 1 a contract violation, 2 usage or I/O error, or a
target that could not be judged.

Run 'portkey-runs <command> --help' for a command's flags and an example.
`

// env is what a command reads from outside its flags.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// secrets are the credentials of the environment (portkey.AuthFrom), and red the one
	// Redactor that masks them, and key-looking text, in everything a command prints.
	secrets []string
	red     *redact.Redactor
}

// command is one subcommand: its flags are parsed by run, its body does the work.
type command struct {
	usage string
	flags func(fs *flag.FlagSet) func(ctx context.Context, e env, args []string) int
}

var commands = map[string]command{
	"check":    {checkUsage, checkFlags},
	"validate": {validateUsage, validateFlags},
	"record":   {recordUsage, recordFlags},
	"serve":    {serveUsage, serveFlags},
}

// run is the whole command line: args without the program name. getenv supplies every
// variable the CLI reads: the credentials, NO_COLOR, PORTKEY_THREAD_ID, PORTKEY_RUN_ID.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	e := env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv, secrets: portkey.AuthFrom(getenv).Secrets()}
	e.red = redact.New(e.secrets...)
	name := "check"
	if len(args) > 0 {
		switch a := args[0]; {
		case a == "-h" || a == "-help" || a == "--help" || a == "help" && len(args) == 1:
			fmt.Fprint(stdout, usage)
			return exitPass
		case a == "version" || a == "-version" || a == "--version":
			if len(args) > 1 {
				fmt.Fprintf(stderr, "portkey-runs version: unexpected argument %q: version takes none\n", args[1])
				return exitError
			}
			return version(stdout, stderr)
		case a == "help":
			if c, ok := commands[args[1]]; ok {
				fmt.Fprint(stdout, c.usage)
				return exitPass
			}
			return unknown(stderr, args[1])
		case !strings.HasPrefix(a, "-"):
			if _, ok := commands[a]; !ok {
				return unknown(stderr, a)
			}
			name, args = a, args[1:]
		}
	}
	c := commands[name]
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // flagError says it better
	fs.Usage = func() {}
	body := c.flags(fs)
	rest, err := parse(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, c.usage)
		return exitPass
	}
	if err != nil {
		fmt.Fprintf(stderr, "portkey-runs %s: %s; run 'portkey-runs %s --help' for its flags\n", name, e.red.Line(flagError(fs, name, err)), name)
		return exitError
	}
	return body(ctx, e, rest)
}

var (
	undefinedFlag = regexp.MustCompile(`^flag provided but not defined: -+(.*)$`)
	invalidValue  = regexp.MustCompile(`^invalid (?:boolean )?value ("(?:[^"\\]|\\.)*") for (?:flag )?-([^:]*): (.*)$`)
	missingValue  = regexp.MustCompile(`^flag needs an argument: -+(.*)$`)
)

// flagError rewrites an error of package flag for the command name: flags with two
// dashes, the closest flag for an unknown one, what to write for a bad value.
func flagError(fs *flag.FlagSet, name string, err error) string {
	msg := err.Error()
	if m := undefinedFlag.FindStringSubmatch(msg); m != nil {
		return "unknown flag --" + m[1] + suggestFlag(fs, name, m[1])
	}
	if m := invalidValue.FindStringSubmatch(msg); m != nil {
		value, _ := strconv.Unquote(m[1])
		why := m[3]
		if f := fs.Lookup(m[2]); f != nil {
			if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
				return fmt.Sprintf("--%s=%s: a switch is given alone (--%s) or as --%s=true or --%s=false", m[2], value, m[2], m[2], m[2])
			}
		}
		return fmt.Sprintf("--%s %s: %s", m[2], value, why)
	}
	if m := missingValue.FindStringSubmatch(msg); m != nil {
		return "--" + m[1] + " needs a value"
	}
	return msg
}

// suggestFlag names the command that has the unknown flag typed, else the closest flag
// of command name (a typo or a prefix), else nothing.
func suggestFlag(fs *flag.FlagSet, name, typed string) string {
	if typed == "version" {
		return " (did you mean 'portkey-runs version'?)"
	}
	for _, other := range slices.Sorted(maps.Keys(commands)) {
		ofs := flag.NewFlagSet(other, flag.ContinueOnError)
		commands[other].flags(ofs)
		if other != name && ofs.Lookup(typed) != nil {
			return fmt.Sprintf(" (it is a flag of 'portkey-runs %s')", other)
		}
	}
	best, dist := "", 2 // at most one edit in a short name, two in a longer one
	if len(typed) >= 5 {
		dist = 3
	}
	fs.VisitAll(func(f *flag.Flag) {
		d := editDistance(typed, f.Name)
		if len(typed) >= 2 && strings.HasPrefix(f.Name, typed) {
			d = 0
		}
		if len(f.Name) > 1 && d < dist { // -q and -v: their long names are suggested instead
			best, dist = f.Name, d
		}
	})
	if best == "" {
		return ""
	}
	return " (did you mean --" + best + "?)"
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// duration is a flag holding a time.Duration whose error says how to write one.
type duration time.Duration

func (d *duration) String() string { return time.Duration(*d).String() }

func (d *duration) Set(s string) error {
	v, err := time.ParseDuration(s)
	if err == nil {
		*d = duration(v)
		return nil
	}
	if _, nerr := strconv.ParseFloat(s, 64); nerr == nil {
		return fmt.Errorf("a duration needs a unit: write %ss (or %sms, %sm)", s, s, s)
	}
	return errors.New("not a duration: write a number and a unit, e.g. 30s, 500ms, 1m")
}

func unknown(stderr io.Writer, name string) int {
	fmt.Fprintf(stderr, "portkey-runs: unknown command %q: the commands are check, validate, record, serve and version; run 'portkey-runs --help'\n", redact.Escape(name))
	return exitError
}

// version prints the module's version (from the build information, with its commit when
// the build recorded one), the Go version that built it, and the version of the embedded
// spec.
func version(stdout, stderr io.Writer) int {
	ws, err := wire.Load()
	if err != nil {
		fmt.Fprintf(stderr, "portkey-runs version: %v\n", err)
		return exitError
	}
	doc := ws.Doc
	v := strings.Replace(portkey.UserAgent(), "/", " ", 1)
	if bi, ok := debug.ReadBuildInfo(); ok {
		vcs := map[string]string{}
		for _, s := range bi.Settings {
			vcs[s.Key] = s.Value
		}
		if rev := vcs["vcs.revision"]; rev != "" {
			v += " (commit " + rev[:min(12, len(rev))]
			if vcs["vcs.modified"] == "true" {
				v += ", modified"
			}
			v += ")"
		}
	}
	fmt.Fprintf(stdout, "%s\n%s %s/%s\nspec: %s %s (OpenAPI %s)\n", v,
		runtime.Version(), runtime.GOOS, runtime.GOARCH, doc.Info.Title, doc.Info.Version, doc.OpenAPI)
	return exitPass
}

// parse parses flags placed anywhere among the arguments (validate a.json --status 404)
// and returns the others; after "--" everything is an argument.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var after []string
	if i := slices.Index(args, "--"); i >= 0 {
		args, after = args[:i], args[i+1:]
	}
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return append(rest, after...), nil
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
}
