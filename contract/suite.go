package contract

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/seed-a6d846e6/portkey-runs/gen"
	"github.com/seed-a6d846e6/portkey-runs/internal/wire"
	"github.com/seed-a6d846e6/portkey-runs/portkey"
)

// Scenario is one request the Suite sends, and what it expects back.
type Scenario struct {
	Name string
	// Operation is the operationId called (one of Validator.Operations); empty: cancelRun.
	Operation       string
	ThreadID, RunID string
	// Body is the JSON request body (a create's); empty sends none.
	Body string
	// Prefer asks a target that supports it (the reference server) for a fault, e.g.
	// "code=429,retry-after=2" (keys: refserver.Server); empty for none.
	Prefer string
	// NoAuth sends no credentials at all; besides Expect, the self-hosted gateway's 400
	// failure body (its refusal without x-portkey-provider or x-portkey-config) is expected.
	NoAuth bool
	// Expect lists the statuses this scenario expects; empty accepts any documented status
	// that is not an infrastructure outcome.
	Expect []int
	// RequireHeaders lists response headers that must be present (e.g. Retry-After).
	RequireHeaders []string
	// NotCancellable says a 400 means the run given cannot be cancelled: nothing is
	// checked, and the result is an error, not a pass.
	NotCancellable bool
}

// RunRef names a run on a thread.
type RunRef struct{ ThreadID, RunID string }

// Seeds are the runs a target holds for the standard scenarios; a zero RunRef leaves its
// scenarios out.
type Seeds struct {
	Cancellable RunRef // queued, in_progress or requires_action: cancel answers 200
	Terminal    RunRef // completed, failed, cancelled, incomplete or expired: cancel answers 400
	// Faults says the target honours the Prefer fault header, like the reference server.
	Faults bool
	// Live says the target is a real gateway: unknown IDs may get any documented 4xx, no
	// credentials 401 or 403, Terminal is ignored, and Cancellable is cancelled once, a
	// 400 saying it is not cancellable (nothing checked).
	Live bool
}

// Unknown IDs that no target should hold.
const (
	UnknownThreadID = "thread_contract_unknown"
	UnknownRunID    = "run_contract_unknown"
)

// Scenarios returns the standard scenarios for a target holding seeds, in the order they
// must run (cancel before cancel_again).
func Scenarios(seeds Seeds) []Scenario {
	if seeds.Live {
		return liveScenarios(seeds)
	}
	var scs []Scenario
	if c := seeds.Cancellable; c != (RunRef{}) {
		scs = append(scs,
			Scenario{Name: "cancel", ThreadID: c.ThreadID, RunID: c.RunID, Expect: []int{200}},
			Scenario{Name: "cancel_again", ThreadID: c.ThreadID, RunID: c.RunID, Expect: []int{400}})
	}
	if t := seeds.Terminal; t != (RunRef{}) {
		scs = append(scs, Scenario{Name: "cancel_terminal", ThreadID: t.ThreadID, RunID: t.RunID, Expect: []int{400}})
	}
	scs = append(scs,
		Scenario{Name: "unknown_run", ThreadID: UnknownThreadID, RunID: UnknownRunID, Expect: []int{404}},
		Scenario{Name: "no_credentials", ThreadID: UnknownThreadID, RunID: UnknownRunID, NoAuth: true, Expect: []int{401}})
	return append(scs, faults(seeds)...)
}

// unknownIDStatuses are the documented 4xx answers to unknown IDs; 401 (the credentials
// are wrong), 408 and 429 (infrastructure) are not among them.
var unknownIDStatuses = []int{400, 403, 404, 409, 412, 446}

func liveScenarios(seeds Seeds) []Scenario {
	scs := []Scenario{
		{Name: "unknown_run", ThreadID: UnknownThreadID, RunID: UnknownRunID, Expect: unknownIDStatuses},
		{Name: "no_credentials", ThreadID: UnknownThreadID, RunID: UnknownRunID, NoAuth: true, Expect: []int{401, 403}},
	}
	if c := seeds.Cancellable; c != (RunRef{}) {
		scs = append(scs, Scenario{Name: "cancel_run", ThreadID: c.ThreadID, RunID: c.RunID, Expect: []int{200}, NotCancellable: true})
	}
	return append(scs, faults(seeds)...)
}

// faults are the scenarios of the Prefer fault header, when seeds.Faults.
func faults(seeds Seeds) []Scenario {
	var scs []Scenario
	if seeds.Faults {
		fault := func(name, prefer string, status int, headers ...string) Scenario {
			return Scenario{Name: name, ThreadID: UnknownThreadID, RunID: UnknownRunID, Prefer: prefer,
				Expect: []int{status}, RequireHeaders: headers}
		}
		scs = append(scs,
			fault("rate_limited", "code=429,retry-after=2", 429, "Retry-After"),
			fault("server_error", "code=500", 500),
			fault("bad_gateway", "code=502", 502),
			fault("service_unavailable", "code=503,retry-after=1", 503, "Retry-After"),
			fault("gateway_timeout", "code=504", 504))
	}
	return scs
}

// Suite runs scenarios against one target and validates every exchange.
type Suite struct {
	// BaseURL is the server URL the spec's paths hang off, e.g. https://api.portkey.ai/v1.
	BaseURL string
	Auth    portkey.Auth
	// Client sends the requests (nil: http.DefaultClient), through a copy that never
	// follows a redirect (portkey.CheckRedirect) and gives up after 30 s if its Timeout is 0.
	Client *http.Client
	// Validator judges the exchanges; nil uses Default(). Auth's secrets are masked in the
	// results whatever its Options.Secrets hold.
	Validator *Validator
	// Header is added to every request (e.g. OpenAI-Beta).
	Header http.Header
}

// RunAll runs scs in order and returns one Result each.
func (s *Suite) RunAll(ctx context.Context, scs []Scenario) []Result {
	out := make([]Result, 0, len(scs))
	for _, sc := range scs {
		out = append(out, s.Run(ctx, sc))
	}
	return out
}

// Run sends sc's request, validates the exchange and checks sc's expectations.
func (s *Suite) Run(ctx context.Context, sc Scenario) Result {
	r, _ := s.run(ctx, sc)
	return r
}

// validator is s.Validator, or Default().
func (s *Suite) validator() (*Validator, error) {
	if s.Validator != nil {
		return s.Validator, nil
	}
	return Default()
}

// run is Run, also returning the body read (at most MaxBody bytes).
func (s *Suite) run(ctx context.Context, sc Scenario) (Result, []byte) {
	start := time.Now()
	v, err := s.validator()
	if err != nil {
		return s.setupError(sc, err, start), nil
	}
	v = v.masking(s.Auth.Secrets())
	req, err := s.Request(ctx, sc)
	if err != nil {
		return s.setupError(sc, err, start), nil
	}
	resp, err := s.client().Do(req)
	var body []byte
	if err == nil {
		body, err = peekBody(resp, v.opts.MaxBody)
		resp.Body.Close()
	}
	r := v.Judge(newExchange(req, resp, body, err), sc)
	r.Duration = time.Since(start)
	return r, body
}

// Judge validates ex as the answer to sc: every check of Validate, then sc's expectations
// (its statuses, its headers). The result is named after sc. An infrastructure outcome sc
// does not expect, or an answer not read whole, leaves it unjudged; so does a 400 to a
// NotCancellable scenario, where nothing is checked.
func (v *Validator) Judge(ex Exchange, sc Scenario) Result {
	checks, vs := v.validate(ex, make([]Check, 0, 8))
	if refused(sc, ex) {
		return notCancellable(sc.Name, ex.Status, checks, vs, 0)
	}
	checks, vs, expected := v.expect(sc, ex, checks, vs)
	return newResult(sc.Name, ex.Status, checks, vs, !expected || ex.Err != nil, 0)
}

// expect adds to what validate found of ex what sc expects of it (its status, its
// headers), and says whether the status was expected. Live runs and replays share it.
func (v *Validator) expect(sc Scenario, ex Exchange, checks []Check, vs []Violation) ([]Check, []Violation, bool) {
	if sc.NoAuth {
		// Leaving the credentials out is the point of this scenario.
		vs = slices.DeleteFunc(vs, func(x Violation) bool { return x.Check == CheckRequest && !x.Failed() })
	}
	expected := slices.Contains(sc.Expect, ex.Status) || sc.NoAuth && gatewayRefusal(ex.Status, ex.Body)
	if ex.Status == 0 {
		return checks, vs, expected
	}
	checks = append(checks, CheckScenario)
	if len(sc.Expect) > 0 && !expected && !isInfra(vs) {
		vs = append(vs, Violation{Check: CheckScenario, Location: "status", Value: strconv.Itoa(ex.Status),
			Rule: "is not the expected " + joinInts(sc.Expect, " or ") + v.said(ex)})
	}
	for _, h := range sc.RequireHeaders {
		if expected && ex.Header.Get(h) == "" {
			vs = append(vs, Violation{Check: CheckScenario, Location: "header " + h, Rule: "is missing"})
		}
	}
	return checks, vs, expected
}

// refused reports whether ex is a 400 to a scenario whose given run must be cancellable.
func refused(sc Scenario, ex Exchange) bool {
	return sc.NotCancellable && ex.Status == http.StatusBadRequest
}

// notCancellable is the result of a refused exchange: nothing checked, an error (unless
// the 400 itself breaks the contract).
func notCancellable(name string, status int, checks []Check, vs []Violation, d time.Duration) Result {
	vs = append(vs, Violation{Check: CheckScenario, Location: "status", Value: "400", Severity: Unjudged,
		Rule: "not cancellable: nothing checked (give a queued, in_progress or requires_action run, or no --run)"})
	return newResult(name, status, append(checks, CheckScenario), vs, false, d)
}

// DefaultTimeout bounds a Suite's request when its Client sets no Timeout.
const DefaultTimeout = 30 * time.Second

// client is s.Client under the module's rules: no redirect followed, a bounded wait.
func (s *Suite) client() *http.Client {
	c := &http.Client{}
	if s.Client != nil {
		*c = *s.Client
	}
	c.CheckRedirect = portkey.CheckRedirect
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	return c
}

func (s *Suite) setupError(sc Scenario, err error, start time.Time) Result {
	// Nothing was sent: the target is not judged.
	vs := []Violation{{Check: CheckScenario, Location: "request", Rule: "cannot be built: " + err.Error(), Severity: Unjudged}}
	return newResult(sc.Name, 0, []Check{CheckScenario}, vs, false, time.Since(start))
}

// Request builds the HTTP request of sc with the generated request builder of its
// operation (each ID sent as exactly one path segment), its body, the suite's credentials
// (unless NoAuth), its extra headers and sc's Prefer header. An ID of "." or ".." is refused:
// no path segment can carry it (RFC 3986 5.2.4).
func (s *Suite) Request(ctx context.Context, sc Scenario) (*http.Request, error) {
	base, err := portkey.ParseBaseURL(s.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("contract: %w", err)
	}
	v, err := s.validator()
	if err != nil {
		return nil, err
	}
	id := sc.Operation
	if id == "" {
		id = defaultOperation
	}
	build, ok := requests[id]
	if _, known := v.wire.ByID(id); !ok || !known {
		return nil, fmt.Errorf("contract: operation %q is not one of %s", id, strings.Join(v.Operations(), ", "))
	}
	if wire.DotSegment(sc.ThreadID) || wire.DotSegment(sc.RunID) {
		return nil, errors.New(`contract: a thread or run ID of "." or ".." cannot be sent as a path segment`)
	}
	var body io.Reader
	if sc.Body != "" {
		body = strings.NewReader(sc.Body)
	}
	// The generated builders resolve their paths against the base as a directory.
	req, err := build(strings.TrimSuffix(base.String(), "/")+"/", sc, body)
	if err != nil {
		return nil, err
	}
	req = req.WithContext(ctx)
	if sc.Body == "" {
		req.Header.Del("Content-Type")
	}
	for k, vs := range s.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if !sc.NoAuth {
		s.Auth.Apply(req.Header)
	}
	if sc.Prefer != "" {
		req.Header.Set("Prefer", sc.Prefer)
	}
	return req, nil
}

// requests builds each operation's request with its generated builder, by operationId.
var requests = map[string]func(server string, sc Scenario, body io.Reader) (*http.Request, error){
	"cancelRun": func(server string, sc Scenario, _ io.Reader) (*http.Request, error) {
		return gen.NewCancelRunRequest(server, sc.ThreadID, sc.RunID, nil)
	},
	"getRun": func(server string, sc Scenario, _ io.Reader) (*http.Request, error) {
		return gen.NewGetRunRequest(server, sc.ThreadID, sc.RunID, nil)
	},
	"createRun": func(server string, sc Scenario, body io.Reader) (*http.Request, error) {
		return gen.NewCreateRunRequestWithBody(server, sc.ThreadID, nil, "application/json", body)
	},
	"createThreadAndRun": func(server string, _ Scenario, body io.Reader) (*http.Request, error) {
		return gen.NewCreateThreadAndRunRequestWithBody(server, nil, "application/json", body)
	},
}

// gatewayRefusal reports whether an answer is the self-hosted gateway's refusal of a request
// without credentials: 400 with its {"status":"failure"} body (api/DECISIONS.md D40).
func gatewayRefusal(status int, body []byte) bool {
	var b struct{ Status string }
	return status == http.StatusBadRequest && json.Unmarshal(body, &b) == nil && b.Status == "failure"
}

func isInfra(vs []Violation) bool {
	return slices.ContainsFunc(vs, func(v Violation) bool { return v.Check == CheckInfrastructure })
}

func joinInts(xs []int, sep string) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, sep)
}
