package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/seed-a6d846e6/portkey-runs/contract"
	"github.com/seed-a6d846e6/portkey-runs/gen"
	"github.com/seed-a6d846e6/portkey-runs/internal/redact"
	"github.com/seed-a6d846e6/portkey-runs/internal/report"
	"github.com/seed-a6d846e6/portkey-runs/portkey"
	"github.com/seed-a6d846e6/portkey-runs/refserver"
)

const checkUsage = `Usage: portkey-runs [check] [flags]

Runs the Cancel Run contract suite and prints a verdict.

Without --target: starts the reference server in-process, runs every scenario against it
(faults included), replays every recording of this module, all offline, no credentials.
With --target URL: runs the live scenarios against that gateway with the credentials in
the environment (PORTKEY_API_KEY with PORTKEY_VIRTUAL_KEY, or PORTKEY_PROVIDER and
PORTKEY_PROVIDER_KEY, or PORTKEY_CONFIG), one progress line per request on standard error.

Flags:
  --target URL      base URL of a live gateway, /v1 included (https://api.portkey.ai/v1)
  --thread ID       with --run: a real run to cancel (default $PORTKEY_THREAD_ID)
  --run ID          (default $PORTKEY_RUN_ID)
  --faults          the target honours the Prefer fault header (portkey-runs serve does):
                    also run the 429, 500, 502, 503 and 504 scenarios
  --cassettes DIR   replay the cassettes (*.yaml) in DIR instead of the module's recordings
                    (with --target: as well as the live scenarios)
  --strict          count drift (properties the spec does not declare) as a failure
  --format F        human (default), json or junit
  --output FILE     write the report to FILE; standard output gets the summary line
  --timeout D       per request, above 0 (default 30s)

Exit codes: 0 everything conforms, 1 a contract violation, 2 usage or I/O error, or a
target that could not be judged (connection error, timeout, unexpected 429 or 5xx).

Examples:
  portkey-runs check
  portkey-runs check --format junit --output contract.xml
  PORTKEY_API_KEY=... PORTKEY_VIRTUAL_KEY=... portkey-runs check --target https://api.portkey.ai/v1
`

// refSeeds are the demo runs refserver.SeedDemo holds, as the standard scenarios need them.
var refSeeds = contract.Seeds{
	Cancellable: contract.RunRef{ThreadID: refserver.DemoThread, RunID: refserver.DemoRunID(gen.RunStatusQueued)},
	Terminal:    contract.RunRef{ThreadID: refserver.DemoThread, RunID: refserver.DemoRunID(gen.RunStatusCompleted)},
	Faults:      true,
}

// liveFlags are the flags that point a command at a live target.
type liveFlags struct {
	target, thread, run string
	faults              bool
	timeout             time.Duration
}

func (l *liveFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&l.target, "target", "", "base `URL` of a live gateway, /v1 included")
	fs.StringVar(&l.thread, "thread", "", "with --run: a real run to cancel (default $"+contract.EnvThreadID+")")
	fs.StringVar(&l.run, "run", "", "the run's ID (default $"+contract.EnvRunID+")")
	fs.BoolVar(&l.faults, "faults", false, "the target honours the Prefer fault header (portkey-runs serve does)")
	fs.DurationVar(&l.timeout, "timeout", 30*time.Second, "timeout per request")
}

// check reports flags that make no sense together.
func (l *liveFlags) check() error {
	switch {
	case l.timeout <= 0:
		return fmt.Errorf("--timeout %s does not bound a request: give a positive duration, e.g. 30s", l.timeout)
	case l.target == "" && (l.thread != "" || l.run != "" || l.faults):
		return errors.New("--thread, --run and --faults apply to a live target: add --target URL")
	}
	return nil
}

// suite returns the suite and scenarios of live mode: the configuration of
// contract.LiveFromEnv, through e.getenv with the flags over the variables, and requests
// through a client that prints a progress line per request to progress.
func (l *liveFlags) suite(e env, v *contract.Validator, progress io.Writer) (*contract.Suite, []contract.Scenario, error) {
	if _, err := portkey.ParseBaseURL(l.target); err != nil { // never repeated: it may hold a password
		return nil, nil, fmt.Errorf("--target: %w; credentials go in the environment", err)
	}
	flags := map[string]string{portkey.EnvBaseURL: l.target, contract.EnvThreadID: l.thread, contract.EnvRunID: l.run}
	live, err := contract.LiveFromEnv(func(k string) string {
		switch v := flags[k]; {
		case v != "":
			return v
		case k == contract.EnvRecord: // record writes cassettes whatever it says; check never does
			return ""
		}
		return e.getenv(k)
	})
	switch {
	case errors.Is(err, contract.ErrNoCredentials):
		return nil, nil, err
	case err != nil && live.Auth.Validate() != nil:
		return nil, nil, fmt.Errorf("--target needs credentials: %w", err)
	case err != nil:
		return nil, nil, fmt.Errorf("%w (--thread and --run set them too)", err)
	}
	s := live.Suite()
	s.Validator = v
	s.Client = &http.Client{Timeout: l.timeout, Transport: &progressTransport{base: http.DefaultTransport, w: progress, red: e.red}}
	scs := live.Scenarios()
	if l.faults {
		for _, sc := range contract.Scenarios(contract.Seeds{Faults: true}) {
			if sc.Prefer != "" {
				scs = append(scs, sc)
			}
		}
	}
	return s, scs, nil
}

func checkFlags(fs *flag.FlagSet) func(context.Context, env, []string) int {
	var o reportFlags
	var l liveFlags
	o.register(fs)
	l.register(fs)
	cassettes := fs.String("cassettes", "", "replay the cassettes in `DIR` instead of the module's recordings")
	return func(ctx context.Context, e env, args []string) int {
		fail := func(err error) int {
			fmt.Fprintf(e.stderr, "portkey-runs check: %s\n", e.red.Line(err.Error()))
			return exitError
		}
		if len(args) > 0 {
			return fail(fmt.Errorf("unexpected argument %q: check takes only flags (did you mean 'portkey-runs validate %s'?)", args[0], args[0]))
		}
		if err := errors.Join(o.check(), l.check()); err != nil {
			return fail(err)
		}
		v, err := contract.New(contract.Options{Strict: o.strict, Secrets: e.secrets})
		if err != nil {
			return fail(err)
		}
		r := &report.Report{Strict: o.strict, Start: time.Now(), Redactor: e.red}
		if l.target == "" {
			g, err := checkReference(ctx, v, l.timeout)
			if err != nil {
				return fail(err)
			}
			r.Groups = append(r.Groups, g)
		} else {
			s, scs, err := l.suite(e, v, e.stderr)
			if err != nil {
				return fail(err)
			}
			r.Groups = append(r.Groups, report.Group{Name: "scenarios", Target: l.target, Results: s.RunAll(ctx, scs)})
		}
		if l.target == "" || *cassettes != "" {
			g, err := replay(v, *cassettes)
			if err != nil {
				return fail(err)
			}
			r.Groups = append(r.Groups, g)
		}
		r.Duration = time.Since(r.Start)
		return o.write(e, "check", r)
	}
}

// checkReference runs every standard scenario, faults included, against a reference
// server started in-process on a loopback port.
func checkReference(ctx context.Context, v *contract.Validator, timeout time.Duration) (report.Group, error) {
	s, err := refserver.New()
	if err != nil {
		return report.Group{}, err
	}
	if err := refserver.SeedDemo(s.Store); err != nil {
		return report.Group{}, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return report.Group{}, fmt.Errorf("starting the reference server: %w", err)
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	base := "http://" + ln.Addr().String() + "/v1"
	// Any non-empty credentials satisfy the reference server.
	suite := contract.Live{BaseURL: base, Auth: portkey.Auth{APIKey: "demo", VirtualKey: "demo"}}.Suite()
	suite.Validator = v
	suite.Client = &http.Client{Timeout: timeout}
	return report.Group{Name: "scenarios", Target: "reference server (in-process) at " + base,
		Results: suite.RunAll(ctx, contract.Scenarios(refSeeds))}, nil
}

// replay validates every cassette in dir, or the module's recordings (embedded in the
// binary) when dir is empty.
func replay(v *contract.Validator, dir string) (report.Group, error) {
	g := report.Group{Name: "cassettes", Target: dir}
	var err error
	if dir == "" {
		g.Name, g.Target = "recordings", "contract/testdata/cassettes (embedded)"
		g.Results, err = v.ReplayFS(contract.Recordings)
	} else {
		g.Results, err = v.ReplayDir(dir)
	}
	if err != nil {
		return g, err
	}
	if len(g.Results) == 0 {
		return g, fmt.Errorf("no cassette (*.yaml) in %s", g.Target)
	}
	return g, nil
}

// progressTransport prints one line per request: method, URL, status (or error), time.
type progressTransport struct {
	base http.RoundTripper
	w    io.Writer
	red  *redact.Redactor
	mu   sync.Mutex
}

func (p *progressTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := p.base.RoundTrip(req)
	outcome := ""
	if err != nil {
		outcome = err.Error()
		if errors.Is(err, context.DeadlineExceeded) {
			outcome = "timed out"
		}
	} else {
		outcome = resp.Status
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "%s %s: %s (%.1fms)\n", p.red.Line(req.Method), p.red.Line(p.red.URL(req.URL.String())), p.red.Line(outcome),
		float64(time.Since(start).Microseconds())/1000)
	return resp, err
}
