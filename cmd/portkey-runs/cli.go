package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/seed-a6d846e6/portkey-runs/internal/redact"
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
	fs.SetOutput(stderr)
	fs.Usage = func() {}
	body := c.flags(fs)
	rest, err := parse(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, c.usage)
		return exitPass
	}
	if err != nil {
		fmt.Fprintf(stderr, "run 'portkey-runs %s --help' for its flags\n", name)
		return exitError
	}
	return body(ctx, e, rest)
}

func unknown(stderr io.Writer, name string) int {
	fmt.Fprintf(stderr, "portkey-runs: unknown command %q: the commands are check, validate, record and serve; run 'portkey-runs --help'\n", name)
	return exitError
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
