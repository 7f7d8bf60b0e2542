// Command startup times whole commands, each run n times, alternating between them, and
// prints every run as a Go benchmark result, BenchmarkStartup/impl=NAME, for bench/cmd/ratios.
//
//	startup [-n 15] NAME='COMMAND [ARG...]'...
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "startup:", err)
		os.Exit(1)
	}
}

type command struct {
	name, path string
	args       []string
}

func run() error {
	n := flag.Int("n", 15, "runs of each command, after one unmeasured run")
	timeout := flag.Duration("timeout", time.Minute, "the longest one run may take")
	flag.Parse()
	if *n <= 0 || flag.NArg() == 0 {
		return errors.New("want -n > 0 and at least one NAME='COMMAND [ARG...]'")
	}
	var cmds []command
	for _, a := range flag.Args() {
		name, line, ok := strings.Cut(a, "=")
		f := strings.Fields(line)
		if !ok || name == "" || len(f) == 0 {
			return fmt.Errorf("%q: want NAME='COMMAND [ARG...]'", a)
		}
		cmds = append(cmds, command{name, f[0], f[1:]})
	}
	for i := -1; i < *n; i++ {
		for _, c := range cmds {
			d, err := timeRun(c, *timeout)
			if err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			if i >= 0 {
				fmt.Printf("BenchmarkStartup/impl=%s 1 %d ns/op\n", c.name, d.Nanoseconds())
			}
		}
	}
	return nil
}

// timeRun runs c, its output discarded, and returns how long it took from start to exit.
func timeRun(c command, timeout time.Duration) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.path, c.args...)
	start := time.Now()
	err := cmd.Run()
	return time.Since(start), err
}
