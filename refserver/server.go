package refserver

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/seed-a6d846e6/portkey-runs/gen"
	"github.com/seed-a6d846e6/portkey-runs/internal/wire"
)

// DefaultCancelDelay is how long a cancelled run stays cancelling unless WithCancelDelay
// says otherwise.
const DefaultCancelDelay = time.Second

// maxBody bounds what the server reads of a request body; a create request is far smaller.
const maxBody = 64 << 10

// Server is the reference Cancel Run service: an http.Handler over a Store. It serves the
// operation at /threads/{thread_id}/runs/{run_id}/cancel and under /v1, as gateways do, and
// beside it Create thread and run, Create run and Retrieve run: a created run is queued,
// then in_progress after the start delay, and expired after CreatedRunLifetime unless
// cancelled; stream: true answers 400; a create on an unknown thread 404; a full store (no
// terminal run to evict) 429.
//
// It behaves like the real service: cancel moves a queued, in_progress or requires_action
// run to cancelling and, after the cancel delay, to cancelled; other statuses answer 400
// "Cannot cancel run with status '<status>'."; unknown threads and runs answer 404; a
// request that satisfies none of the spec's security combinations answers 401; a body over
// 64 KiB or cut short answers 400 first and closes the connection. Every error uses
// OpenAI's envelope.
//
// Faults for client tests are asked for per request with a Prefer header, a comma-separated
// list of key=value (applied after authentication and validation, never changing a run):
//
//	code=NNN          answer NNN: 429 and 500 in the OpenAI envelope, 502/503/504 with the
//	                  gateway's {"status":"failure"} body, other documented statuses in the
//	                  envelope; an undocumented status answers 400
//	retry-after=N     send Retry-After: N (default 1 with code=429)
//	retry-after-ms=N  send retry-after-ms: N
//	delay=D           wait D (a Go duration, at most 30s) before answering; ends early, with
//	                  nothing changed, when the client gives up
//	truncate=true     send half of the body under the full Content-Length and close the
//	                  connection; without code=, the body is what the cancel would answer,
//	                  and the run is not changed
//	times=N           apply to the first N requests with the same Prefer value, method and
//	                  path only
//
// With WithUpstream it is instead the OpenAI-compatible provider behind a gateway.
type Server struct {
	Store    *Store
	handler  http.Handler // validation, routing, faults, the strict handler
	upstream bool
	now      func() time.Time
}

// Option configures New and Serve.
type Option func(*config)

type config struct {
	now      func() time.Time
	delay    time.Duration
	start    time.Duration
	maxRuns  int
	bare     bool         // without request validation
	logger   *slog.Logger // Serve's
	limits   limits       // Serve's
	upstream bool
}

// WithCancelDelay sets how long a cancelled run stays cancelling before it is cancelled;
// 0 answers the cancel with the run already cancelled.
func WithCancelDelay(d time.Duration) Option { return func(c *config) { c.delay = d } }

// DefaultStartDelay is how long a created run stays queued unless WithStartDelay says otherwise.
const DefaultStartDelay = time.Second

// WithStartDelay sets how long a created run stays queued before it is in_progress.
func WithStartDelay(d time.Duration) Option { return func(c *config) { c.start = d } }

// WithClock replaces time.Now, so that tests decide when a cancelling run is cancelled.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// WithMaxRuns bounds the store (DefaultMaxRuns by default).
func WithMaxRuns(n int) Option { return func(c *config) { c.maxRuns = n } }

// WithUpstream makes the server the OpenAI-compatible provider behind a Portkey gateway,
// which forwards only Authorization: Bearer: that is the one credential it asks for (401
// in OpenAI's words without it), and every answer carries x-request-id,
// openai-processing-ms and openai-version as OpenAI's do.
func WithUpstream() Option { return func(c *config) { c.upstream = true } }

// WithoutValidation serves without request validation (and so without authentication), for
// measuring what validation costs; everything else is unchanged.
func WithoutValidation() Option { return func(c *config) { c.bare = true } }

// New returns a server with an empty store. Seed it through Server.Store.
func New(opts ...Option) (*Server, error) {
	c := newConfig(opts)
	info, err := loadSpec()
	if err != nil {
		return nil, err
	}
	s := &Server{Store: NewStore(c.now, c.delay, c.maxRuns), upstream: c.upstream, now: c.now}
	f := &faults{documented: info.documented, seen: map[[32]byte]int{}}
	strict := gen.NewStrictHandlerWithOptions(handler{s.Store, c.start}, []gen.StrictMiddlewareFunc{f.middleware(s.Store)},
		gen.StrictHTTPServerOptions{
			RequestErrorHandlerFunc:  badRequest,
			ResponseErrorHandlerFunc: internalError,
		})
	mux := newRouter(info.ops)
	direct := plainHandlers(strict)
	for i, op := range mux.ops {
		if h, ok := direct[op.ID]; ok && slices.Equal(mux.names[i], []string{"thread_id", "run_id"}) {
			mux.direct[i] = h // its vals are the thread's and the run's IDs
		}
	}
	gen.HandlerWithOptions(strict, gen.StdHTTPServerOptions{BaseRouter: mux, ErrorHandlerFunc: badRequest})
	switch {
	case c.bare:
		s.handler = mux
	case c.upstream:
		mux.check = info.checkUpstream
		s.handler = bearerOnly(mux)
	default:
		mux.check = info.check
		s.handler = mux
	}
	return s, nil
}

func newConfig(opts []Option) config {
	c := config{now: time.Now, delay: DefaultCancelDelay, start: DefaultStartDelay, limits: serveLimits}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// ServeHTTP reads the body, strips an optional /v1 prefix, refuses paths that are not
// canonical (dot segments, doubled slashes), validates the request against the spec,
// then serves it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.upstream {
		w = &providerWriter{ResponseWriter: w, start: s.now(), now: s.now}
	}
	if !readBody(w, r) {
		return
	}
	if !canonical(servedPath(r)) {
		writeError(w, http.StatusNotFound, invalidURL(r), nil)
		return
	}
	s.handler.ServeHTTP(w, r)
}

// servedPath is r's escaped path without its optional /v1 prefix: the path that routing,
// the Allow header and the times= fault counters go by.
func servedPath(r *http.Request) string {
	path := r.URL.EscapedPath()
	if strings.HasPrefix(path, "/v1/") {
		return path[len("/v1"):]
	}
	return path
}

// readBody reads the request body whole, up to maxBody, before the validator does (it
// reads it before authenticating). A body too large or cut short answers 400 with
// Connection: close, so that whatever follows it on the connection is never taken for
// another request, whatever wraps w.
func readBody(w http.ResponseWriter, r *http.Request) bool {
	if r.Body == nil || r.Body == http.NoBody {
		return true
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	var msg string
	switch {
	case err != nil:
		msg = fmt.Sprintf("The request body could not be read to its end (%v).", err)
	case len(b) > maxBody:
		msg = fmt.Sprintf("The request body exceeds %d bytes.", maxBody)
	case len(b) == 0:
		r.Body = http.NoBody
		return true
	default:
		r.Body = io.NopCloser(bytes.NewReader(b))
		return true
	}
	writeError(w, http.StatusBadRequest, envelope(msg, "invalid_request_error", nil, nil), http.Header{"Connection": {"close"}})
	return false
}

// canonical reports whether path has no empty, "." or ".." segment (escaped ones are fine).
func canonical(path string) bool {
	rest, ok := strings.CutPrefix(path, "/")
	for ok {
		var seg string
		seg, rest, ok = strings.Cut(rest, "/")
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
	}
	return strings.HasPrefix(path, "/")
}

// router is the generated code's gen.ServeMux. http.ServeMux will not match a wildcard to a
// segment that is exactly %2F (an ID "/"), so router matches escaped paths with the spec's
// templates and unescapes each parameter into its path value. With check, it validates
// each request against the operation it found first.
type router struct {
	ops      []wire.Op
	segs     [][]string         // of each template, split at "/"
	names    [][]string         // of each template's parameters, in order
	handlers []http.HandlerFunc // of each op, as the generated code registers them
	direct   []plainHandler     // of each op that has one: what serves its plain requests
	check    *checker           // nil: no request validation
}

// A plainHandler serves a request whose parameters bind plainly, as the generated wrapper
// would bind them, or reports that they do not and writes nothing: its path parameters
// vals, in the template's order, sent unescaped, and each header parameter, when present,
// with one value (what checker.plainPass asks, and what binding a string asks without
// validation).
type plainHandler func(w http.ResponseWriter, r *http.Request, vals []string) bool

// plainHandlers are the plainHandlers of the operations that have plain requests, by
// operationId, calling si directly rather than through the generated wrapper; their path
// parameters are thread_id and run_id.
func plainHandlers(si gen.ServerInterface) map[string]plainHandler {
	return map[string]plainHandler{
		"cancelRun": func(w http.ResponseWriter, r *http.Request, vals []string) bool {
			beta, ok := betaParam[gen.CancelRunParamsOpenAIBeta](r)
			if ok {
				si.CancelRun(w, r, vals[0], vals[1], gen.CancelRunParams{OpenAIBeta: beta})
			}
			return ok
		},
		"getRun": func(w http.ResponseWriter, r *http.Request, vals []string) bool {
			beta, ok := betaParam[gen.GetRunParamsOpenAIBeta](r)
			if ok {
				si.GetRun(w, r, vals[0], vals[1], gen.GetRunParams{OpenAIBeta: beta})
			}
			return ok
		},
	}
}

// betaHeader is the OpenAI-Beta header parameter's key in an http.Header.
var betaHeader = http.CanonicalHeaderKey("OpenAI-Beta")

// betaParam binds the OpenAI-Beta header as the generated wrapper does: nil when absent,
// its value when sent once; not ok when sent more than once.
func betaParam[T ~string](r *http.Request) (*T, bool) {
	v, sent := r.Header[betaHeader]
	switch {
	case !sent:
		return nil, true
	case len(v) != 1:
		return nil, false
	}
	return ptr(T(v[0])), true
}

// maxVars is how many path parameters a template has at most without an allocation.
const maxVars = 4

func newRouter(ws *wire.Spec) *router {
	m := &router{ops: ws.Ops()}
	for _, op := range m.ops {
		segs := strings.Split(op.Path, "/")
		var names []string
		for _, seg := range segs {
			if name, ok := strings.CutPrefix(seg, "{"); ok {
				names = append(names, strings.TrimSuffix(name, "}"))
			}
		}
		m.segs, m.names = append(m.segs, segs), append(m.names, names)
	}
	m.handlers, m.direct = make([]http.HandlerFunc, len(m.ops)), make([]plainHandler, len(m.ops))
	return m
}

// HandleFunc registers a "METHOD /path/{name}" pattern.
func (m *router) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	for i, op := range m.ops {
		if op.Method+" "+op.Path == pattern {
			m.handlers[i] = h
		}
	}
}

func (m *router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var buf [maxVars]string
	i, vals, onPath := m.match(r.Method, servedPath(r), buf[:0])
	if m.check != nil {
		var names []string
		if i >= 0 {
			names = m.names[i]
		}
		plain, status, err := m.check.request(r, i, names, vals, onPath)
		if err != nil {
			m.check.writeError(w, r, status, err)
			return
		}
		if plain && m.direct[i] != nil && m.direct[i](w, r, vals) {
			return
		}
	} else if i >= 0 && m.direct[i] != nil && !slices.ContainsFunc(vals, escaped) && m.direct[i](w, r, vals) {
		return
	}
	if i >= 0 && m.handlers[i] != nil && setPathValues(r, m.names[i], vals) {
		m.handlers[i](w, r)
		return
	}
	writeError(w, http.StatusNotFound, invalidURL(r), nil)
}

// escaped reports whether a path parameter as sent has an escape.
func escaped(v string) bool { return strings.Contains(v, "%") }

// setPathValues sets each of vals, unescaped, as the path value of the same name.
func setPathValues(r *http.Request, names, vals []string) bool {
	for i, v := range vals {
		u, err := url.PathUnescape(v)
		if err != nil {
			return false
		}
		r.SetPathValue(names[i], u)
	}
	return true
}

// match returns the index of the operation of method whose template is escapedPath, with
// its path parameters as sent (escaped) appended to vals, or -1 and whether another
// method's template is (onPath).
func (m *router) match(method, escapedPath string, vals []string) (op int, _ []string, onPath bool) {
	for i, o := range m.ops {
		if onPath && o.Method != method {
			continue
		}
		v, ok := templateVars(m.segs[i], escapedPath, vals)
		if !ok {
			continue
		}
		onPath = true
		if o.Method == method {
			return i, v, true
		}
	}
	return -1, nil, onPath
}

// templateVars matches path against the template's segments t and appends the values of
// its parameters to vals.
func templateVars(t []string, path string, vals []string) ([]string, bool) {
	for i, ts := range t {
		seg, rest, more := strings.Cut(path, "/")
		if more != (i < len(t)-1) {
			return nil, false
		}
		path = rest
		switch {
		case !strings.HasPrefix(ts, "{"):
			if seg != ts {
				return nil, false
			}
		case seg == "":
			return nil, false
		default:
			vals = append(vals, seg)
		}
	}
	return vals, true
}

// handler implements the generated strict server interface over a Store.
type handler struct {
	store *Store
	start time.Duration // how long a created run stays queued
}

// CreateThreadAndRun creates a thread holding a new queued run.
func (h handler) CreateThreadAndRun(_ context.Context, req gen.CreateThreadAndRunRequestObject) (gen.CreateThreadAndRunResponseObject, error) {
	v, res := h.create(newID("thread_"), true, req.Body, req.Body.Stream)
	if res != nil {
		return res, nil
	}
	return answerRun(&v), nil
}

// CreateRun creates a new queued run on a thread that holds a run already.
func (h handler) CreateRun(_ context.Context, req gen.CreateRunRequestObject) (gen.CreateRunResponseObject, error) {
	v, res := h.create(req.ThreadID, false, req.Body, req.Body.Stream)
	if res != nil {
		return res, nil
	}
	return answerRun(&v), nil
}

// GetRun answers with the run as it is now.
func (h handler) GetRun(_ context.Context, req gen.GetRunRequestObject) (gen.GetRunResponseObject, error) {
	v, err := h.store.get(req.ThreadID, req.RunID)
	if err != nil {
		if msg, ok := notFound(err, req.ThreadID, req.RunID); ok {
			return gen.GetRun404JSONResponse{NotFoundJSONResponse: gen.NotFoundJSONResponse{Body: envelope(msg, "invalid_request_error", nil, nil)}}, nil
		}
		return gen.GetRun500JSONResponse{InternalServerErrorJSONResponse: gen.InternalServerErrorJSONResponse{Body: envelope(err.Error(), "server_error", nil, nil)}}, nil
	}
	return answerRun(&v), nil
}

// create stores a new queued run on threadID with what body (a create request) sets, or
// says which error to answer: 400 for stream, 404 for an unknown thread, 429 when full.
func (h handler) create(threadID string, newThread bool, body any, stream *bool) (view, *reply) {
	if stream != nil && *stream {
		return view{}, &reply{status: http.StatusBadRequest, body: envelope("This server does not stream; send stream: false or leave it out.", "invalid_request_error", ptr("stream"), nil)}
	}
	run := NewRun(threadID, newID("run_"), gen.RunStatusQueued, h.store.now())
	run.Metadata = nil // a map would merge with the request's
	b, err := json.Marshal(body)
	if err == nil {
		err = json.Unmarshal(b, &run) // the fields a request and a Run share, by JSON name
	}
	if run.Metadata == nil {
		run.Metadata = &gen.Metadata{}
	}
	var v view
	if err == nil {
		v, err = h.store.create(run, newThread, h.start)
	}
	switch {
	case err == nil:
		return v, nil
	case errors.Is(err, ErrNoThread):
		return view{}, &reply{status: http.StatusNotFound, body: envelope(fmt.Sprintf("No thread found with id '%s'.", threadID), "invalid_request_error", nil, nil)}
	case errors.Is(err, ErrFull):
		return view{}, &reply{status: http.StatusTooManyRequests, header: http.Header{"Retry-After": {"1"}}, body: envelope("The server holds as many unfinished runs as it can; cancel some, or retry once some expire.", "requests", nil, ptr("rate_limit_exceeded"))}
	}
	return view{}, &reply{status: http.StatusInternalServerError, body: envelope(err.Error(), "server_error", nil, nil)}
}

// newID returns prefix followed by 24 random hex digits, as OpenAI's IDs look.
func newID(prefix string) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// notFound gives the 404 message for the store's ErrNoThread or ErrNoRun.
func notFound(err error, threadID, runID string) (string, bool) {
	switch {
	case errors.Is(err, ErrNoThread):
		return fmt.Sprintf("No thread found with id '%s'.", threadID), true
	case errors.Is(err, ErrNoRun):
		return fmt.Sprintf("No run found with id '%s'.", runID), true
	}
	return "", false
}

// CancelRun answers with the run now cancelling, or with the store's refusal.
func (h handler) CancelRun(_ context.Context, req gen.CancelRunRequestObject) (gen.CancelRunResponseObject, error) {
	return answer(h.store, req, true), nil
}

// answer cancels (or, with commit false, only looks at what cancelling would give) and
// turns the result into a response.
func answer(store *Store, req gen.CancelRunRequestObject, commit bool) gen.CancelRunResponseObject {
	v, err := store.cancel(req.ThreadID, req.RunID, commit)
	if err == nil {
		return answerRun(&v)
	}
	var notCancellable *NotCancellableError
	switch {
	case errors.As(err, &notCancellable):
		return gen.CancelRun400JSONResponse{BadRequestJSONResponse: gen.BadRequestJSONResponse{Body: envelope(err.Error(), "invalid_request_error", nil, nil)}}
	case errors.Is(err, ErrNoThread), errors.Is(err, ErrNoRun):
		msg, _ := notFound(err, req.ThreadID, req.RunID)
		return gen.CancelRun404JSONResponse{NotFoundJSONResponse: gen.NotFoundJSONResponse{Body: envelope(msg, "invalid_request_error", nil, nil)}}
	default:
		return gen.CancelRun500JSONResponse{InternalServerErrorJSONResponse: gen.InternalServerErrorJSONResponse{Body: envelope(err.Error(), "server_error", nil, nil)}}
	}
}

// envelope builds OpenAI's error body.
func envelope(message, typ string, param, code *string) gen.ErrorResponse {
	var o gen.ErrorObject
	_ = o.FromError(gen.Error{Message: message, Type: typ, Param: param, Code: code})
	var e gen.ErrorResponse
	_ = e.FromErrorEnvelope(gen.ErrorEnvelope{Error: o})
	return e
}

// gatewayFailure builds the Portkey gateway's own error body.
func gatewayFailure(message string) gen.ErrorResponse {
	var e gen.ErrorResponse
	_ = e.FromGatewayFailure(gen.GatewayFailure{Status: gen.GatewayFailureStatusFailure, Message: message})
	return e
}

// writeError answers status with body, for errors found outside the strict handler.
func writeError(w http.ResponseWriter, status int, body gen.ErrorResponse, header http.Header) {
	b, err := json.Marshal(body)
	if err != nil {
		b = []byte(`{"error":{"message":"internal error","type":"server_error","param":null,"code":null}}`)
		status = http.StatusInternalServerError
	}
	for k, v := range header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

func invalidURL(r *http.Request) gen.ErrorResponse {
	return envelope(fmt.Sprintf("Invalid URL (%s %s).", r.Method, sentPath(r)), "invalid_request_error", nil, nil)
}

// sentPath is the escaped path the client sent, /v1 included, without the query.
func sentPath(r *http.Request) string {
	if u, err := url.ParseRequestURI(r.RequestURI); err == nil {
		return u.EscapedPath()
	}
	return r.URL.EscapedPath() // a request made in-process, without RequestURI
}

// badRequest renders parameter binding errors of the generated code.
func badRequest(w http.ResponseWriter, _ *http.Request, err error) {
	var param *string
	var invalid *gen.InvalidParamFormatError
	var tooMany *gen.TooManyValuesForParamError
	switch {
	case errors.As(err, &invalid):
		param = &invalid.ParamName
	case errors.As(err, &tooMany):
		param = &tooMany.ParamName
	}
	writeError(w, http.StatusBadRequest, envelope(err.Error(), "invalid_request_error", param, nil), nil)
}

func internalError(w http.ResponseWriter, _ *http.Request, err error) {
	writeError(w, http.StatusInternalServerError, envelope(err.Error(), "server_error", nil, nil), nil)
}

// specInfo is what the server takes from the embedded spec, read once: the request
// validators, the 401 message and the documented error statuses.
type specInfo struct {
	check         *checker
	checkUpstream *checker     // check without the spec's security
	unauthorized  string       // names the spec's credential combinations
	documented    map[int]bool // error statuses documented for cancel (every operation shares them)
	ops           *wire.Spec
}

var loadSpec = sync.OnceValues(func() (specInfo, error) {
	ws, err := wire.Load()
	if err != nil {
		return specInfo{}, fmt.Errorf("refserver: %w", err)
	}
	cancel, ok := ws.ByID("cancelRun")
	if !ok {
		return specInfo{}, errors.New("refserver: the embedded spec has no cancelRun")
	}
	info := specInfo{documented: map[int]bool{}, ops: ws}
	for code := range ws.Doc.Paths.Value(cancel.Path).GetOperation(cancel.Method).Responses.Map() {
		if n, err := strconv.Atoi(code); err == nil && n >= 400 {
			info.documented[n] = true
		}
	}
	var combos []string
	for _, names := range ws.Security() {
		if i := slices.Index(names, "Authorization"); i >= 0 {
			names = append(slices.Delete(names, i, i+1), "Authorization: Bearer with the provider key")
		}
		combos = append(combos, strings.Join(names, " + "))
	}
	info.unauthorized = "Missing credentials: send one of " + strings.Join(combos, "; ") + "."
	var routes []*routers.Route
	var plain []map[string][]string
	for _, op := range ws.Ops() {
		item := ws.Doc.Paths.Value(op.Path)
		route := &routers.Route{Spec: ws.Doc, Path: op.Path, PathItem: item, Method: op.Method, Operation: item.GetOperation(op.Method)}
		routes = append(routes, route)
		headers, _ := plainRequest(route)
		plain = append(plain, headers)
	}
	// The validator asks for each scheme of a requirement in turn; a request passes when it
	// meets one requirement, which is what Missing says.
	info.check = &checker{routes: routes, plain: plain, ops: ws, unauthorized: info.unauthorized, opts: &openapi3filter.Options{
		KeepValidatedValue: true,
		AuthenticationFunc: func(_ context.Context, in *openapi3filter.AuthenticationInput) error {
			if ws.Missing(in.RequestValidationInput.Request.Header) != nil {
				return errMissingCredentials
			}
			return nil
		}}}
	info.checkUpstream = &checker{routes: routes, plain: plain, ops: ws, unauthorized: info.unauthorized, opts: &openapi3filter.Options{
		KeepValidatedValue: true,
		AuthenticationFunc: func(context.Context, *openapi3filter.AuthenticationInput) error {
			return nil // bearerOnly has checked the one credential an upstream gets
		}}}
	return info, nil
})

var errMissingCredentials = errors.New("the request meets none of the spec's credential combinations")

// checker validates requests against the spec with kin-openapi's openapi3filter, on the
// route the router found.
type checker struct {
	opts         *openapi3filter.Options
	routes       []*routers.Route      // of each of ops.Ops()
	plain        []map[string][]string // plainRequest's, of each op; nil: not plain
	ops          *wire.Spec
	unauthorized string
}

// request validates r against the op of index op (-1 when the router found none; onPath
// when the path is another method's), its path parameters named names and valued vals,
// and returns the status to answer when it is invalid, as kin-openapi's request
// validation middleware for net/http did, or whether it plainly passed (plainPass).
func (c *checker) request(r *http.Request, op int, names, vals []string, onPath bool) (plain bool, status int, _ error) {
	switch {
	case onPath && op < 0:
		return false, http.StatusMethodNotAllowed, routers.ErrMethodNotAllowed
	case op < 0:
		return false, http.StatusNotFound, routers.ErrPathNotFound
	}
	if c.plainPass(r, op, vals) {
		return true, 0, nil
	}
	vars := make(map[string]string, len(names))
	for i, name := range names {
		vars[name] = vals[i]
	}
	err := openapi3filter.ValidateRequest(r.Context(), &openapi3filter.RequestValidationInput{
		Request: r, PathParams: vars, Route: c.routes[op], Options: c.opts})
	var request *openapi3filter.RequestError
	var security *openapi3filter.SecurityRequirementsError
	switch {
	case err == nil:
		return false, 0, nil
	case errors.As(err, &request) && err == error(request):
		return false, http.StatusBadRequest, err
	case errors.As(err, &security) && err == error(security):
		return false, http.StatusUnauthorized, err
	}
	return false, http.StatusInternalServerError, fmt.Errorf("error validating route: %w", err)
}

// plainRequest reports whether a request of route, sent without a body or query, asks for
// nothing but its path (matched), the credentials and the header parameters it returns
// with their allowed values: no request body, plain string path parameters and optional
// enum headers.
func plainRequest(route *routers.Route) (map[string][]string, bool) {
	if route.Operation.RequestBody != nil {
		return nil, false
	}
	headers := map[string][]string{}
	for _, ref := range append(slices.Clone(route.PathItem.Parameters), route.Operation.Parameters...) {
		p := ref.Value
		if p == nil || p.Schema == nil || p.Schema.Value == nil || p.Content != nil {
			return nil, false
		}
		s := p.Schema.Value
		plainString := s.Type.Is("string") && s.Format == "" && s.Pattern == "" && s.MaxLength == nil && s.MinLength <= 1 && s.Not == nil &&
			len(s.AllOf)+len(s.AnyOf)+len(s.OneOf) == 0
		switch {
		case p.In == "path" && plainString && len(s.Enum) == 0:
		case p.In == "header" && !p.Required && plainString && len(s.Enum) > 0:
			for _, v := range s.Enum {
				str, ok := v.(string)
				if !ok {
					return nil, false
				}
				headers[http.CanonicalHeaderKey(p.Name)] = append(headers[http.CanonicalHeaderKey(p.Name)], str)
			}
		default:
			return nil, false
		}
	}
	return headers, true
}

// plainPass reports whether r surely passes validation without asking kin-openapi: a
// plainRequest without a body or query, its path parameters unescaped, each header
// parameter sent at most once with an allowed value, and the credentials present.
func (c *checker) plainPass(r *http.Request, op int, vals []string) bool {
	headers := c.plain[op]
	if headers == nil || (r.Body != nil && r.Body != http.NoBody) || r.URL.RawQuery != "" || r.URL.ForceQuery {
		return false
	}
	if slices.Contains(vals, "") || slices.ContainsFunc(vals, escaped) {
		return false
	}
	for name, allowed := range headers {
		if sent := r.Header[name]; len(sent) > 1 || len(sent) == 1 && !slices.Contains(allowed, sent[0]) {
			return false
		}
	}
	return c.ops.Missing(r.Header) == nil
}

// writeError renders what request found in the OpenAI envelope.
func (c *checker) writeError(w http.ResponseWriter, r *http.Request, status int, err error) {
	var security *openapi3filter.SecurityRequirementsError
	var request *openapi3filter.RequestError
	switch {
	case status == http.StatusMethodNotAllowed:
		writeError(w, http.StatusMethodNotAllowed, invalidURL(r), http.Header{"Allow": {strings.Join(c.ops.Allowed(servedPath(r)), ", ")}})
	case status == http.StatusNotFound:
		writeError(w, http.StatusNotFound, invalidURL(r), nil)
	case errors.As(err, &security):
		writeError(w, http.StatusUnauthorized, envelope(c.unauthorized, "invalid_request_error", nil, nil), nil)
	case errors.As(err, &request):
		var param *string
		if request.Parameter != nil {
			param = &request.Parameter.Name
		}
		msg, _, _ := strings.Cut(request.Error(), "\n")
		writeError(w, http.StatusBadRequest, envelope(msg, "invalid_request_error", param, nil), nil)
	default:
		writeError(w, status, envelope(err.Error(), "invalid_request_error", nil, nil), nil)
	}
}
