package refserver_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/contract"
	"github.com/seed-a6d846e6/portkey-runs/gen"
	"github.com/seed-a6d846e6/portkey-runs/gen/spec"
	"github.com/seed-a6d846e6/portkey-runs/portkey"
	"github.com/seed-a6d846e6/portkey-runs/refserver"
)

// start is when every test clock starts.
var start = time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)

// clock is a manual clock for WithClock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: start} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fixture is a reference server on loopback with a manual clock.
type fixture struct {
	srv   *refserver.Server
	http  *httptest.Server
	clock *clock
}

func newFixture(t *testing.T, opts ...refserver.Option) *fixture {
	t.Helper()
	c := newClock()
	s, err := refserver.New(append([]refserver.Option{refserver.WithClock(c.Now)}, opts...)...)
	require.NoError(t, err)
	h := httptest.NewServer(s)
	t.Cleanup(h.Close)
	return &fixture{s, h, c}
}

// seed stores a run in status st.
func (f *fixture) seed(t *testing.T, threadID, runID string, st gen.RunStatus) {
	t.Helper()
	_, err := f.srv.Store.Seed(threadID, runID, st)
	require.NoError(t, err)
}

// creds is a valid credential combination (the seed's pair).
var creds = portkey.Auth{APIKey: "pk-test", VirtualKey: "vk-test"}

// answer is one HTTP exchange as the client saw it.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// cancelPath is the escaped path of the operation for two IDs.
func cancelPath(threadID, runID string) string {
	return "/threads/" + escape(threadID) + "/runs/" + escape(runID) + "/cancel"
}

// escape escapes id as one path segment, "." and ".." too: clients refuse those, but the
// server takes what arrives.
func escape(id string) string {
	if id == "." || id == ".." {
		return strings.Repeat("%2E", len(id))
	}
	return url.PathEscape(id)
}

// post sends POST to the escaped path with the given headers (credentials unless nil) and
// checks the answer against the spec.
func (f *fixture) post(t *testing.T, escapedPath string, header http.Header) answer {
	t.Helper()
	return f.do(t, http.MethodPost, escapedPath, header)
}

func (f *fixture) do(t *testing.T, method, escapedPath string, header http.Header) answer {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, f.http.URL, nil)
	require.NoError(t, err)
	req.URL.Opaque = escapedPath // sent exactly as given
	if header == nil {
		header = http.Header{}
		creds.Apply(header)
	}
	req.Header = header
	res, err := f.http.Client().Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	a := answer{res.StatusCode, res.Header, body}
	conforms(t, method, escapedPath, header, a)
	return a
}

// cancel posts to the operation for threadID and runID with credentials plus extra headers.
func (f *fixture) cancel(t *testing.T, threadID, runID string, extra ...string) answer {
	t.Helper()
	h := http.Header{}
	creds.Apply(h)
	for i := 0; i+1 < len(extra); i += 2 {
		h.Add(extra[i], extra[i+1])
	}
	return f.post(t, cancelPath(threadID, runID), h)
}

// run decodes a 200 answer.
func (a answer) run(t *testing.T) gen.Run {
	t.Helper()
	require.Equal(t, http.StatusOK, a.status, string(a.body))
	var r gen.Run
	require.NoError(t, json.Unmarshal(a.body, &r))
	return r
}

// apiError decodes an OpenAI envelope.
func (a answer) apiError(t *testing.T) gen.Error {
	t.Helper()
	var e struct{ Error gen.Error }
	require.NoError(t, json.Unmarshal(a.body, &e), string(a.body))
	require.NotEmpty(t, e.Error.Message, string(a.body))
	return e.Error
}

// specRouter routes requests the way the contract does, on the spec without servers.
var specRouter = sync.OnceValues(func() (routers.Router, error) {
	doc, err := spec.GetSpec()
	if err != nil {
		return nil, err
	}
	doc.Servers = nil
	return gorillamux.NewRouter(doc)
})

// strictValidator is the contract validator with drift as a failure.
var strictValidator = sync.OnceValues(func() (*contract.Validator, error) {
	return contract.New(contract.Options{Strict: true})
})

// conforms fails t unless the contract validator finds no failure in an answer to a request
// routed to the operation; the only notices allowed are infrastructure outcomes (the
// faults' 408, 429 and 5xx) and a request without credentials. Answers to paths outside
// the spec (404/405 "Invalid URL") have no operation to check against; they must still be
// the OpenAI envelope.
func conforms(t *testing.T, method, escapedPath string, header http.Header, a answer) {
	t.Helper()
	router, err := specRouter()
	require.NoError(t, err)
	path, _ := strings.CutPrefix(escapedPath, "/v1")
	req := httptest.NewRequest(method, "http://refserver.test"+path, nil)
	req.Header = header
	if _, _, err := router.FindRoute(req); err != nil {
		assert.Contains(t, []int{http.StatusNotFound, http.StatusMethodNotAllowed}, a.status)
		a.apiError(t)
		return
	}
	v, err := strictValidator()
	require.NoError(t, err)
	for _, vi := range v.Validate(contract.Exchange{Method: method, Path: escapedPath, RequestHeader: header,
		Status: a.status, Header: a.header, Body: a.body}).Violations() {
		allowed := !vi.Failed() && (vi.Check == contract.CheckInfrastructure || vi.Check == contract.CheckRequest)
		assert.True(t, allowed, "%s %s -> %d: %s", method, escapedPath, a.status, vi)
	}
}
