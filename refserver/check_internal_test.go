package refserver

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/routers"
	middleware "github.com/oapi-codegen/nethttp-middleware"
	"github.com/stretchr/testify/require"
)

// decision is what request validation makes of a request: 0 and "" when it passes.
type decision struct {
	status int
	err    string
}

// middlewareDecision is what kin-openapi's validation middleware for net/http, with its
// gorillamux router, made of r: the server's validation before it routed requests itself.
func middlewareDecision(t *testing.T, c *checker, r *http.Request) decision {
	var d decision
	passed := false
	h := middleware.OapiRequestValidatorWithOptions(c.ops.Doc, &middleware.Options{
		DoNotValidateServers: true,
		Options:              *c.opts,
		ErrorHandlerWithOpts: func(_ context.Context, err error, _ http.ResponseWriter, _ *http.Request, opts middleware.ErrorHandlerOpts) {
			d = decision{opts.StatusCode, err.Error()}
			if errors.Is(err, routers.ErrMethodNotAllowed) {
				d.status = http.StatusMethodNotAllowed
			}
		},
	})(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { passed = true }))
	h.ServeHTTP(httptest.NewRecorder(), r)
	require.True(t, passed == (d.status == 0), "passed %v, %+v", passed, d)
	return d
}

// routerDecision is what the router and checker make of r.
func routerDecision(c *checker, r *http.Request) decision {
	info, _ := loadSpec()
	m := newRouter(info.ops)
	op, vals, onPath := m.match(r.Method, r.URL.EscapedPath(), nil)
	var names []string
	if op >= 0 {
		names = m.names[op]
	}
	_, status, err := c.request(r, op, names, vals, onPath)
	if err != nil {
		return decision{status, err.Error()}
	}
	return decision{}
}

// FuzzCheckerAsMiddleware: the router and its checker decide every request as the
// validation middleware they replace did, with the same status and error.
func FuzzCheckerAsMiddleware(f *testing.F) {
	const auth = "x-portkey-api-key: k\nx-portkey-virtual-key: v\n"
	for _, s := range []struct{ method, path, header, body string }{
		{"POST", "/threads/t/runs/r/cancel", auth + "OpenAI-Beta: assistants=v2", ""},
		{"POST", "/threads/t/runs/r/cancel", auth + "OpenAI-Beta: assistants=v1", ""},
		{"POST", "/threads/t/runs/r/cancel", "x-portkey-config: c", "{}"},
		{"POST", "/threads/t/runs/r/cancel", "", ""},
		{"GET", "/threads/t/runs/r/cancel", auth, ""},
		{"GET", "/threads/threads/runs/runs/cancel", auth, ""},
		{"post", "/threads/t/runs/r/cancel", auth, ""},
		{"GET", "/threads/t%2F/runs/%2F", auth, ""},
		{"POST", "/threads/t%2F/runs/%zz/cancel", auth, ""},
		{"GET", "/threads/t/runs/r%41", auth + "OpenAI-Beta: assistants=v2\nOpenAI-Beta: x", ""},
		{"GET", "/threads/t/runs/r/", auth, ""},
		{"GET", "/threads/%72uns", auth, ""},
		{"POST", "/threads/runs", auth, `{"assistant_id":"asst_1"}`},
		{"POST", "/threads/runs", auth + "Content-Type: application/json", `{"assistant_id":"asst_1","stream":true}`},
		{"POST", "/threads/runs", auth + "Content-Type: application/json", `{"assistant_id":1}`},
		{"POST", "/threads/t/runs", auth + "Content-Type: application/json", `{}`},
		{"POST", "/threads/t/runs", auth + "Content-Type: text/plain", `x`},
		{"DELETE", "/threads/t/runs", auth, ``},
		{"POST", "/nothing", auth, ``},
	} {
		f.Add(s.method, s.path, s.header, s.body)
	}
	info, err := loadSpec()
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, method, path, header, body string) {
		if method == "" || !strings.HasPrefix(path, "/") || strings.ContainsAny(path, "?#") {
			return
		}
		newReq := func() *http.Request {
			r, err := http.NewRequest(method, "http://x"+path, bytes.NewBufferString(body))
			if err != nil {
				return nil
			}
			for _, line := range strings.Split(header, "\n") {
				if k, v, ok := strings.Cut(line, ": "); ok {
					r.Header.Add(k, v)
				}
			}
			return r
		}
		r := newReq()
		if r == nil {
			return
		}
		for _, c := range []*checker{info.check, info.checkUpstream} {
			require.Equal(t, middlewareDecision(t, c, newReq()), routerDecision(c, newReq()), "%s %s", method, path)
		}
	})
}

// TestPlainHandlersServeCancelAndRetrieve: cancel and retrieve have their plainHandler
// (their path parameters are as plainHandlers binds them); the creates have none.
func TestPlainHandlersServeCancelAndRetrieve(t *testing.T) {
	s, err := New()
	require.NoError(t, err)
	m := s.handler.(*router)
	for i, op := range m.ops {
		want := op.ID == "cancelRun" || op.ID == "getRun"
		require.Equal(t, want, m.direct[i] != nil, op.ID)
	}
}
