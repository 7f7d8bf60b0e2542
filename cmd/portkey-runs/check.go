package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/seed-a6d846e6/portkey-runs/cmd/portkey-runs/internal/report"
	"github.com/seed-a6d846e6/portkey-runs/contract"
	"github.com/seed-a6d846e6/portkey-runs/gen"
	"github.com/seed-a6d846e6/portkey-runs/internal/redact"
	"github.com/seed-a6d846e6/portkey-runs/portkey"
	"github.com/seed-a6d846e6/portkey-runs/recording"
	"github.com/seed-a6d846e6/portkey-runs/refserver"
)

const checkUsage = `Usage: portkey-runs [check] [flags]

Runs the Cancel Run contract suite and prints a verdict.

Without --target or --cassettes: starts the reference server in-process, runs every
scenario against it (faults included), replays every recording of this module, all
offline, no credentials. With --cassettes DIR alone: replays DIR's cassettes, nothing else.
With --target URL: runs the live scenarios against that gateway with the credentials in
the environment (PORTKEY_API_KEY with PORTKEY_VIRTUAL_KEY, or PORTKEY_PROVIDER and
PORTKEY_PROVIDER_KEY, or PORTKEY_CONFIG), one progress line per request on standard error.
Without --run it makes its own run: creates a thread and run of --assistant, cancels it,
retrieves it until its status is terminal (at most 12 times within 60 s, backing off),
and checks the cancel's answer, cancelled_at, that Retrieve agrees with the cancel, and
that a second cancel is refused with 400. With --run, that run is cancelled; a 400 says
it is not cancellable, and nothing is checked (an error, not a pass).

The human report gives a line per result, the checks of each result that did not pass
with their violations, then a recap of every failed or erred result (its first violation
and a command that reproduces it: curl for a live target, with credentials as
"$PORTKEY_API_KEY"-style variables) and the summary line.

Flags:
  --target URL      base URL of a live gateway, /v1 included (https://api.portkey.ai/v1)
  --thread ID       with --run: a real run to cancel (default $PORTKEY_THREAD_ID)
  --run ID          (default $PORTKEY_RUN_ID)
  --assistant ID    without --run: the assistant of the run created (default
                    $PORTKEY_ASSISTANT_ID, else asst_portkey_runs_check, which only the
                    reference server runs)
  --faults          the target honours the Prefer fault header (portkey-runs serve does):
                    also run the 429, 500, 502, 503 and 504 scenarios
  --cassettes DIR   replay only the cassettes (*.yaml) in DIR, not the reference server
                    nor the module's recordings (with --target: after the live scenarios)
  --strict          count drift (properties or response headers the spec does not declare) as a failure
  --format F        human (default), json or junit
  -q, --quiet       human report: only the recap and the summary line
  -v, --verbose     human report: every check of every result, passing ones too
  --output FILE     write the report to FILE; standard output gets the summary line
  --timeout D       per request, a duration above 0 with its unit (default 30s)

Exit codes: 0 everything conforms, 1 a contract violation, 2 usage or I/O error, or a
target that could not be judged (connection error, timeout, unexpected 429 or 5xx).

Examples:
  portkey-runs check
  portkey-runs check -q --cassettes recording/testdata/cassettes/bad
  portkey-runs check --format junit --output contract.xml
  PORTKEY_API_KEY=... PORTKEY_VIRTUAL_KEY=... portkey-runs check --target https://api.portkey.ai/v1
`

// refSeeds are the demo runs refserver.SeedDemo holds, as the standard scenarios need them.
var refSeeds = contract.Seeds{
	Cancellable: contract.RunRef{ThreadID: refserver.DemoThread, RunID: refserver.DemoRunID(gen.RunStatusQueued)},
	Terminal:    contract.RunRef{ThreadID: refserver.DemoThread, RunID: refserver.DemoRunID(gen.RunStatusCompleted)},
	Faults:      true,
}

// Environment variables of live mode, besides portkey's credentials and PORTKEY_BASE_URL.
const (
	envThreadID    = "PORTKEY_THREAD_ID" // with envRunID: a run to cancel for real
	envRunID       = "PORTKEY_RUN_ID"
	envAssistantID = "PORTKEY_ASSISTANT_ID"
)

// defaultAssistantID is the assistant of the created run when --assistant and
// envAssistantID are unset; the reference server runs any assistant, a real service only
// its own.
const defaultAssistantID = "asst_portkey_runs_check"

// liveFlags are the flags that point a command at a live target.
type liveFlags struct {
	target, thread, run, assistant string
	faults                         bool
	timeout                        time.Duration
}

func (l *liveFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&l.target, "target", "", "base `URL` of a live gateway, /v1 included")
	fs.StringVar(&l.thread, "thread", "", "with --run: a real run to cancel (default $"+envThreadID+")")
	fs.StringVar(&l.run, "run", "", "the run's ID (default $"+envRunID+")")
	fs.BoolVar(&l.faults, "faults", false, "the target honours the Prefer fault header (portkey-runs serve does)")
	fs.StringVar(&l.assistant, "assistant", "", "without --run: the assistant of the run created (default $"+envAssistantID+")")
	l.timeout = contract.DefaultTimeout
	fs.Var((*duration)(&l.timeout), "timeout", "timeout per request")
}

// check reports flags that make no sense together.
func (l *liveFlags) check() error {
	switch {
	case l.timeout <= 0:
		return fmt.Errorf("--timeout %s does not bound a request: give a positive duration, e.g. 30s", l.timeout)
	case l.target == "" && (l.thread != "" || l.run != "" || l.faults || l.assistant != ""):
		return errors.New("--thread, --run, --assistant and --faults apply to a live target: add --target URL")
	}
	return nil
}

// live is what live mode runs: the suite, its scenarios, and the run given (zero: the
// suite makes its own, of assistant, with Lifecycle).
type live struct {
	suite     *contract.Suite
	scenarios []contract.Scenario
	run       contract.RunRef
	assistant string
}

// live reads live mode's configuration, the flags over the environment, and returns the
// suite (its client prints a progress line per request to progress), its scenarios, and
// the run and assistant to use. purpose ends the error for missing credentials ("to check
// a live gateway").
func (l *liveFlags) live(e env, v *contract.Validator, progress io.Writer, purpose string) (live, error) {
	if _, err := portkey.ParseBaseURL(l.target); err != nil { // never repeated: it may hold a password
		return live{}, fmt.Errorf("--target: %w; credentials go in the environment", err)
	}
	or := func(flag, name string) string {
		if flag != "" {
			return flag
		}
		return e.getenv(name)
	}
	c := live{run: contract.RunRef{ThreadID: or(l.thread, envThreadID), RunID: or(l.run, envRunID)},
		assistant: or(l.assistant, envAssistantID)}
	if c.assistant == "" {
		c.assistant = defaultAssistantID
	}
	auth := portkey.AuthFrom(e.getenv)
	switch err := auth.Validate(); {
	case auth == (portkey.Auth{}):
		return live{}, errors.New("no credentials: set PORTKEY_API_KEY and PORTKEY_VIRTUAL_KEY " +
			"(or PORTKEY_PROVIDER and PORTKEY_PROVIDER_KEY, or PORTKEY_CONFIG) " + purpose)
	case err != nil:
		return live{}, fmt.Errorf("--target needs credentials: %w", err)
	case (c.run.ThreadID == "") != (c.run.RunID == ""):
		return live{}, fmt.Errorf("set both %s and %s, or neither (--thread and --run set them too)", envThreadID, envRunID)
	}
	// OpenAI's clients send OpenAI-Beta: assistants=v2.
	c.suite = &contract.Suite{BaseURL: l.target, Auth: auth, Validator: v, Header: http.Header{"OpenAI-Beta": {"assistants=v2"}},
		Client: &http.Client{Timeout: l.timeout, Transport: &progressTransport{base: http.DefaultTransport, w: progress, red: e.red}}}
	c.scenarios = contract.Scenarios(contract.Seeds{Live: true, Cancellable: c.run, Faults: l.faults})
	return c, nil
}

func checkFlags(fs *flag.FlagSet) func(context.Context, env, []string) int {
	var o reportFlags
	var l liveFlags
	o.register(fs)
	l.register(fs)
	cassettes := fs.String("cassettes", "", "replay only the cassettes in `DIR`")
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
		switch {
		case l.target != "":
			c, err := l.live(e, v, e.stderr, "to check a live gateway")
			if err != nil {
				return fail(err)
			}
			results, scs := c.suite.RunAll(ctx, c.scenarios), c.scenarios
			if c.run == (contract.RunRef{}) {
				rs, lscs := c.suite.Lifecycle(ctx, c.assistant, contract.DefaultPoll)
				results, scs = append(results, rs...), append(scs, lscs...)
			}
			r.Groups = append(r.Groups, report.Group{Name: "scenarios", Target: l.target, Results: results,
				Reproduce: reproduceLive(e, c.suite, scs)})
		case *cassettes == "":
			g, err := checkReference(ctx, v, l.timeout)
			if err != nil {
				return fail(err)
			}
			r.Groups = append(r.Groups, g)
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
	var lc net.ListenConfig
	lc.SetMultipathTCP(false) // Listen's default where the kernel has MPTCP: probing it costs ~0.1 ms, for loopback
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return report.Group{}, fmt.Errorf("starting the reference server: %w", err)
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	base := "http://" + ln.Addr().String() + "/v1"
	// Any non-empty credentials satisfy the reference server.
	suite := &contract.Suite{BaseURL: base, Auth: portkey.Auth{APIKey: "demo", VirtualKey: "demo"}, Validator: v,
		Header: http.Header{"OpenAI-Beta": {"assistants=v2"}}, Client: &http.Client{Timeout: timeout}}
	return report.Group{Name: "scenarios", Target: "reference server (in-process) at " + base,
		Results: suite.RunAll(ctx, contract.Scenarios(refSeeds))}, nil
}

// replay validates every cassette in dir, or the module's recordings (embedded in the
// binary) when dir is empty.
func replay(v *contract.Validator, dir string) (report.Group, error) {
	g := report.Group{Name: "cassettes", Target: dir, Reproduce: func(name string) string {
		file, _, _ := strings.Cut(name, "#")
		return "portkey-runs validate " + shellQuote(filepath.Join(dir, file+".yaml"))
	}}
	var err error
	if dir == "" {
		g = report.Group{Name: "recordings", Target: "recording/testdata/cassettes (embedded)"}
		g.Results, err = recording.ReplayDir(v, recording.Embedded)
	} else {
		if err := isDir("--cassettes", dir); err != nil {
			return g, err
		}
		g.Results, err = recording.ReplayDir(v, os.DirFS(dir))
	}
	if err != nil {
		return g, err
	}
	if len(g.Results) == 0 {
		return g, fmt.Errorf("no cassette (*.yaml) in %s", g.Target)
	}
	return g, nil
}

// isDir says what is wrong when dir, given to option, is not a directory.
func isDir(option, dir string) error {
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s %s: the directory does not exist", option, dir)
	case err != nil:
		return err
	case !st.IsDir():
		return fmt.Errorf("%s %s: is a file, not a directory (to validate one cassette: portkey-runs validate %s)", option, dir, shellQuote(dir))
	}
	return nil
}

// reproduceLive returns the curl command of each scenario of scs as s sends it, with
// each credential set in the environment as its variable ("$PORTKEY_API_KEY").
func reproduceLive(e env, s *contract.Suite, scs []contract.Scenario) func(string) string {
	placeholders := *s
	placeholders.Auth = portkey.AuthFrom(func(k string) string {
		if e.getenv(k) == "" {
			return ""
		}
		return "$" + k
	})
	return func(name string) string {
		for _, sc := range scs {
			if sc.Name != name {
				continue
			}
			req, err := placeholders.Request(context.Background(), sc)
			if err != nil {
				return ""
			}
			return curl(req)
		}
		return ""
	}
}

// curl renders req as a curl command line that prints the response with its headers; a
// header holding a "$PORTKEY_..." variable is double-quoted so that the shell expands it.
func curl(req *http.Request) string {
	parts := []string{"curl", "-si", "-X", req.Method, shellQuote(req.URL.String())}
	for _, k := range slices.Sorted(maps.Keys(req.Header)) {
		for _, v := range req.Header[k] {
			h := k + ": " + v
			if strings.Contains(v, "$PORTKEY_") {
				h = `"` + h + `"` // only variables from placeholders: nothing else to escape
			} else {
				h = shellQuote(h)
			}
			parts = append(parts, "-H", h)
		}
	}
	if req.GetBody != nil { // a create's JSON, built by contract.Suite.Request
		if body, err := req.GetBody(); err == nil {
			b, _ := io.ReadAll(io.LimitReader(body, 64<<10))
			if len(b) > 0 {
				parts = append(parts, "-d", shellQuote(string(b)))
			}
		}
	}
	return strings.Join(parts, " ")
}

// shellQuote quotes s for a POSIX shell, unless it holds only characters that need none.
func shellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_./:@%+=,-]+$`)

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
