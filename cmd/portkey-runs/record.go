package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/seed-a6d846e6/portkey-runs/cmd/portkey-runs/internal/report"
	"github.com/seed-a6d846e6/portkey-runs/contract"
	"github.com/seed-a6d846e6/portkey-runs/recording"
)

const recordUsage = `Usage: portkey-runs record --target URL --out DIR [flags]

Runs the live scenarios against URL with the credentials in the environment (as check
--target does) and writes each exchange to DIR/<scenario>.yaml, a go-vcr cassette, with
every secret redacted before anything is written. Without --run, the run it makes and
follows (as check does) goes whole, every request in order, to DIR/lifecycle.yaml.
Prints the report of what it recorded.

Flags:
  --target URL      base URL of a live gateway, /v1 included (required)
  --out DIR         where the cassettes go (required; created when missing)
  --thread ID       with --run: a real run to cancel (default $PORTKEY_THREAD_ID)
  --run ID          (default $PORTKEY_RUN_ID)
  --assistant ID    without --run: the assistant of the run created (as for check)
  --faults          the target honours the Prefer fault header: record the fault scenarios too
  --strict, --format, --output, --timeout, -q/--quiet, -v/--verbose   as for check

Exit codes: as for check.

Example:
  PORTKEY_API_KEY=... PORTKEY_VIRTUAL_KEY=... portkey-runs record --target https://api.portkey.ai/v1 --out cassettes
  portkey-runs check --cassettes cassettes
`

func recordFlags(fs *flag.FlagSet) func(context.Context, env, []string) int {
	var o reportFlags
	var l liveFlags
	o.register(fs)
	l.register(fs)
	out := fs.String("out", "", "write the cassettes to `DIR`")
	return func(ctx context.Context, e env, args []string) int {
		fail := func(err error) int {
			fmt.Fprintf(e.stderr, "portkey-runs record: %s\n", e.red.Line(err.Error()))
			return exitError
		}
		switch {
		case len(args) > 0:
			return fail(fmt.Errorf("unexpected argument %q: record takes only flags", args[0]))
		case l.target == "" || *out == "":
			return fail(fmt.Errorf("record needs --target URL and --out DIR; run 'portkey-runs record --help'"))
		}
		if err := errors.Join(o.check(), l.check()); err != nil {
			return fail(err)
		}
		v, err := contract.New(contract.Options{Strict: o.strict, Secrets: e.secrets})
		if err != nil {
			return fail(err)
		}
		c, err := l.live(e, v, e.stderr, "to record a live gateway")
		if err != nil {
			return fail(err)
		}
		s, scs := c.suite, c.scenarios
		r := &report.Report{Strict: o.strict, Start: time.Now(), Redactor: e.red}
		rs, err := recording.Record(ctx, s, *out, scs)
		cassettes := len(rs)
		if err == nil && c.run == (contract.RunRef{}) {
			cassettes++
			var lrs []contract.Result
			var lscs []contract.Scenario
			lrs, lscs, err = recording.RecordLifecycle(ctx, s, *out, c.assistant, contract.DefaultPoll)
			rs, scs = append(rs, lrs...), append(scs, lscs...)
		}
		r.Duration = time.Since(r.Start)
		r.Groups = []report.Group{{Name: "recorded", Target: l.target, Results: rs, Reproduce: reproduceLive(e, s, scs)}}
		if err != nil { // exchanges that got no answer: not written
			code := fail(err)
			o.write(e, "record", r)
			return code
		}
		fmt.Fprintf(e.stderr, "portkey-runs record: wrote %d cassettes to %s\n", cassettes, *out)
		return o.write(e, "record", r)
	}
}
