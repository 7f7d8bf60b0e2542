package portkey_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/gen"
	"github.com/seed-a6d846e6/portkey-runs/portkey"
)

func TestCancelReturnsRun(t *testing.T) {
	srv, s := serve(t, reply{status: 200, body: runJSON})
	c := newClient(t, srv, nil)
	run, err := c.Cancel(context.Background(), "thread_abc", "run_abc")
	require.NoError(t, err)
	assert.Equal(t, "run_abc", run.ID)
	assert.Equal(t, gen.RunStatusCancelling, run.Status)
	got := s.requests()
	require.Len(t, got, 1)
	assert.Equal(t, http.MethodPost, got[0].Method)
	assert.Equal(t, "/v1/threads/thread_abc/runs/run_abc/cancel", got[0].URL.EscapedPath())
}

// TestCancelIgnoresResponseHeaders: a run is a run whatever the answer's headers say; the
// generated parser would fail it on an openai-processing-ms that is not an integer.
func TestCancelIgnoresResponseHeaders(t *testing.T) {
	srv, _ := serve(t, reply{status: 200, header: map[string]string{"openai-processing-ms": "12.5", "x-ratelimit-remaining-requests": "many"}, body: runJSON})
	c := newClient(t, srv, nil)
	run, err := c.Cancel(context.Background(), "thread_abc", "run_abc")
	require.NoError(t, err)
	assert.Equal(t, "run_abc", run.ID)
}

func TestCancelSendsIDsExactly(t *testing.T) {
	srv, got := recordingServer(t, "/v1")
	c, err := portkey.New(portkey.WithBaseURL(srv.URL+"/v1/"), portkey.WithAuth(testAuth), portkey.WithMaxRetries(0))
	require.NoError(t, err)
	for _, id := range []string{"run_abc123", "a/b", "50%", "%2F", "with space", "thread_ünï", "q?x=1#f", "a/../b", "...", "%2E"} {
		*got = nil
		_, err := c.Cancel(context.Background(), "t-"+id, id)
		require.NoError(t, err, id)
		require.Len(t, *got, 1, id)
		assert.Equal(t, seen{http.MethodPost, "t-" + id, id, nil}, withoutHeader((*got)[0]), id)
	}
}

func TestCancelRejectsEmptyIDsBeforeSending(t *testing.T) {
	srv, s := serve(t, reply{status: 200, body: runJSON})
	c := newClient(t, srv, nil)
	for _, ids := range [][2]string{{"", "run_1"}, {"thread_1", ""}, {"", ""}} {
		_, err := c.Cancel(context.Background(), ids[0], ids[1])
		assert.ErrorIs(t, err, portkey.ErrEmptyID)
	}
	for _, ids := range [][2]string{{"thread_\xff", "run_1"}, {"thread_1", "run_\xc3"}, {".", "run_1"}, {"thread_1", ".."}} {
		_, err := c.Cancel(context.Background(), ids[0], ids[1])
		assert.ErrorIs(t, err, portkey.ErrInvalidID)
	}
	assert.Empty(t, s.requests())
}

func TestNewDefaultHeaders(t *testing.T) {
	srv, s := serve(t, reply{status: 200, body: runJSON})
	c := newClient(t, srv, nil)
	_, err := c.Cancel(context.Background(), "thread_abc", "run_abc")
	require.NoError(t, err)
	// The generated methods send the same headers.
	_, err = portkey.CancelRun(context.Background(), c.Gen(), "thread_abc", "run_abc")
	require.NoError(t, err)
	got := s.requests()
	require.Len(t, got, 2)
	for _, r := range got {
		assert.Equal(t, "assistants=v2", r.Header.Get("OpenAI-Beta"))
		assert.Regexp(t, `^portkey-runs/\S+$`, r.Header.Get("User-Agent"))
		assert.Equal(t, "pk-SECRET-api", r.Header.Get(portkey.HeaderAPIKey))
		assert.Equal(t, "vk-SECRET-virtual", r.Header.Get(portkey.HeaderVirtualKey))
		assert.Equal(t, "/v1/threads/thread_abc/runs/run_abc/cancel", r.URL.EscapedPath())
	}
	assert.Equal(t, portkey.UserAgent(), got[0].Header.Get("User-Agent"))
}

func TestWithHeader(t *testing.T) {
	srv, s := serve(t, reply{status: 200, body: runJSON})
	c := newClient(t, srv, nil, portkey.WithHeader("OpenAI-Beta", ""), portkey.WithHeader("X-Team", "runs"))
	_, err := c.Cancel(context.Background(), "thread_abc", "run_abc")
	require.NoError(t, err)
	h := s.requests()[0].Header
	assert.Empty(t, h.Values("OpenAI-Beta"))
	assert.Equal(t, "runs", h.Get("X-Team"))
}

func TestNewAuthModes(t *testing.T) {
	cases := []struct {
		name string
		auth portkey.Auth
		want map[string]string
	}{
		{"virtual key", portkey.Auth{APIKey: "pk", VirtualKey: "vk"},
			map[string]string{portkey.HeaderAPIKey: "pk", portkey.HeaderVirtualKey: "vk"}},
		{"provider", portkey.Auth{APIKey: "pk", Provider: "openai", ProviderKey: "sk"},
			map[string]string{portkey.HeaderAPIKey: "pk", portkey.HeaderProvider: "openai", "Authorization": "Bearer sk"}},
		{"config", portkey.Auth{APIKey: "pk", Config: "pc-abc"},
			map[string]string{portkey.HeaderAPIKey: "pk", portkey.HeaderConfig: "pc-abc"}},
		{"custom host", portkey.Auth{APIKey: "pk", Provider: "openai", ProviderKey: "sk", CustomHost: "http://127.0.0.1:9/v1"},
			map[string]string{portkey.HeaderAPIKey: "pk", portkey.HeaderProvider: "openai", "Authorization": "Bearer sk", portkey.HeaderCustomHost: "http://127.0.0.1:9/v1"}},
	}
	all := []string{portkey.HeaderAPIKey, portkey.HeaderVirtualKey, portkey.HeaderProvider, portkey.HeaderConfig, portkey.HeaderCustomHost, "Authorization"}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv, s := serve(t, reply{status: 200, body: runJSON})
			cl := newClient(t, srv, nil, portkey.WithAuth(c.auth))
			_, err := cl.Cancel(context.Background(), "thread_abc", "run_abc")
			require.NoError(t, err)
			h := s.requests()[0].Header
			for _, k := range all {
				assert.Equal(t, c.want[k], h.Get(k), k)
			}
		})
	}
}

func TestNewReadsEnvironment(t *testing.T) {
	srv, s := serve(t, reply{status: 200, body: runJSON})
	t.Setenv(portkey.EnvBaseURL, srv.URL+"/v1")
	t.Setenv(portkey.EnvAPIKey, "pk-env")
	t.Setenv(portkey.EnvVirtualKey, "")
	t.Setenv(portkey.EnvProvider, "openai")
	t.Setenv(portkey.EnvProviderKey, "sk-env")
	t.Setenv(portkey.EnvConfig, "")
	t.Setenv(portkey.EnvCustomHost, "http://127.0.0.1:9/v1")
	assert.Equal(t, portkey.Auth{APIKey: "pk-env", Provider: "openai", ProviderKey: "sk-env", CustomHost: "http://127.0.0.1:9/v1"}, portkey.AuthFromEnv())

	c, err := portkey.New(portkey.WithMaxRetries(0))
	require.NoError(t, err)
	_, err = c.Cancel(context.Background(), "thread_abc", "run_abc")
	require.NoError(t, err)
	h := s.requests()[0].Header
	assert.Equal(t, "pk-env", h.Get(portkey.HeaderAPIKey))
	assert.Equal(t, "Bearer sk-env", h.Get("Authorization"))
	assert.Equal(t, "http://127.0.0.1:9/v1", h.Get(portkey.HeaderCustomHost))
}

func TestNewDefaultBaseURL(t *testing.T) {
	t.Setenv(portkey.EnvBaseURL, "")
	c, err := portkey.New(portkey.WithAuth(testAuth))
	require.NoError(t, err)
	assert.Contains(t, c.String(), `BaseURL:"https://api.portkey.ai/v1"`)
}

func TestNewRejectsBadConfig(t *testing.T) {
	t.Setenv(portkey.EnvBaseURL, "")
	cases := []struct {
		name string
		opts []portkey.Option
		want string
	}{
		{"no credentials", []portkey.Option{portkey.WithAuth(portkey.Auth{})}, "PORTKEY_API_KEY"},
		{"api key alone", []portkey.Option{portkey.WithAuth(portkey.Auth{APIKey: "pk-SECRET-api"})}, "virtual key"},
		{"relative base URL", []portkey.Option{portkey.WithBaseURL("api.portkey.ai/v1")}, "base URL"},
		{"other scheme", []portkey.Option{portkey.WithBaseURL("ftp://api.portkey.ai/v1")}, "base URL"},
		{"query", []portkey.Option{portkey.WithBaseURL("https://api.portkey.ai/v1?x=1")}, "base URL"},
		{"credentials in the URL", []portkey.Option{portkey.WithBaseURL("https://user:pk-SECRET-api@api.portkey.ai/v1")}, "base URL"},
		{"unparsable", []portkey.Option{portkey.WithBaseURL("http://[::1")}, "base URL"},
		{"negative retries", []portkey.Option{portkey.WithMaxRetries(-1)}, "retries"},
		{"negative timeout", []portkey.Option{portkey.WithTimeout(-time.Second)}, "timeout"},
		{"zero body limit", []portkey.Option{portkey.WithMaxResponseBytes(0)}, "limit"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := portkey.New(append([]portkey.Option{portkey.WithAuth(testAuth)}, c.opts...)...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
			for _, s := range secretValues {
				assert.NotContains(t, err.Error(), s)
			}
		})
	}
}

func TestWithHTTPClientKeepsCallersClient(t *testing.T) {
	srv, s := serve(t, reply{status: 503, body: `{}`}, reply{status: 200, body: runJSON})
	var sent int
	mine := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		sent++
		return http.DefaultTransport.RoundTrip(r)
	})}
	before := mine.Transport
	c, err := portkey.New(portkey.WithBaseURL(srv.URL), portkey.WithAuth(testAuth), portkey.WithHTTPClient(mine),
		portkey.WithMaxRetries(1))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = c.Cancel(ctx, "thread_abc", "run_abc")
	require.NoError(t, err, "retried once over the caller's transport")
	assert.Equal(t, 2, sent)
	assert.Len(t, s.requests(), 2)
	assert.Equal(t, fmt.Sprint(before), fmt.Sprint(mine.Transport), "the caller's client is not changed")
}

func TestConfigPrintsNoKey(t *testing.T) {
	auth := portkey.Auth{APIKey: "pk-SECRET-api", VirtualKey: "vk-SECRET-virtual", Provider: "openai", ProviderKey: "sk-SECRET-provider", Config: "pc-SECRET-config"}
	c, err := portkey.New(portkey.WithAuth(auth), portkey.WithBaseURL("https://api.portkey.ai/v1"))
	require.NoError(t, err)
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		for _, v := range []any{c, auth, &auth, *c.Gen()} {
			out := fmt.Sprintf(format, v)
			for _, s := range secretValues {
				assert.NotContains(t, out, s, "%s of %T", format, v)
			}
		}
	}
	assert.Contains(t, c.String(), "MaxRetries:2")
	assert.Contains(t, c.String(), `Provider:"openai"`)
}

func TestAPIErrorShapes(t *testing.T) {
	cases := []struct {
		name   string
		status int
		header map[string]string
		body   string
		want   portkey.APIError
	}{
		{"openai envelope", 400, map[string]string{"x-request-id": "req_1"},
			`{"error":{"message":"Cannot cancel run with status 'completed'.","type":"invalid_request_error","param":null,"code":null}}`,
			portkey.APIError{StatusCode: 400, Type: "invalid_request_error", Message: "Cannot cancel run with status 'completed'.", RequestID: "req_1"}},
		{"envelope with code and param", 429, map[string]string{"x-request-id": "req_2", "x-portkey-trace-id": "trace_2"},
			`{"error":{"message":"Rate limit reached","type":"requests","param":"run_id","code":"rate_limit_exceeded"}}`,
			portkey.APIError{StatusCode: 429, Type: "requests", Code: "rate_limit_exceeded", Param: "run_id", Message: "Rate limit reached", RequestID: "req_2"}},
		{"gateway failure", 502, map[string]string{"x-portkey-trace-id": "trace_3"},
			`{"status":"failure","message":"Something went wrong"}`,
			portkey.APIError{StatusCode: 502, Message: "Something went wrong", RequestID: "trace_3"}},
		{"gateway not found", 404, nil, `{"message":"Not Found","ok":false}`,
			portkey.APIError{StatusCode: 404, Message: "Not Found"}},
		{"html from a proxy", 504, map[string]string{"Content-Type": "text/html"},
			"<html><head><title>504 Gateway Time-out</title></head>\n<body><center><h1>504 Gateway Time-out</h1></center><hr><center>nginx</center></body></html>",
			portkey.APIError{StatusCode: 504, Message: "body: 504 Gateway Time-out 504 Gateway Time-out nginx"}},
		{"json content type, not json", 500, nil, `upstream connect error`,
			portkey.APIError{StatusCode: 500, Message: "body: upstream connect error"}},
		{"empty body", 401, nil, ``,
			portkey.APIError{StatusCode: 401, Message: "(empty body)"}},
		{"other json", 403, nil, `{"detail":"nope"}`,
			portkey.APIError{StatusCode: 403, Message: `body: {"detail":"nope"}`}},
		{"undocumented 2xx is not an error but 3xx is", 304, nil, ``,
			portkey.APIError{StatusCode: 304, Message: "(empty body)"}},
		{"key echoed by the server is masked", 401, nil,
			`{"error":{"message":"Invalid API key pk-SECRET-api","type":"authentication_error","param":null,"code":"invalid_api_key"}}`,
			portkey.APIError{StatusCode: 401, Type: "authentication_error", Code: "invalid_api_key", Message: "Invalid API key [REDACTED]"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv, _ := serve(t, reply{status: c.status, header: c.header, body: c.body})
			cl := newClient(t, srv, nil)
			run, err := cl.Cancel(context.Background(), "thread_abc", "run_abc")
			assert.Nil(t, run)
			var apiErr *portkey.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, c.want, *apiErr)
			for _, s := range secretValues {
				assert.NotContains(t, err.Error(), s)
			}
		})
	}
}

func TestAPIErrorString(t *testing.T) {
	e := &portkey.APIError{StatusCode: 429, Type: "requests", Code: "rate_limit_exceeded", Message: "Rate limit reached", RequestID: "req_1"}
	assert.Equal(t, "portkey: 429 Too Many Requests type=requests code=rate_limit_exceeded request_id=req_1: Rate limit reached", e.Error())
	assert.Equal(t, "portkey: 502 Bad Gateway: Something went wrong", (&portkey.APIError{StatusCode: 502, Message: "Something went wrong"}).Error())
}

func TestAPIErrorExcerptIsShort(t *testing.T) {
	srv, _ := serve(t, reply{status: 500, header: map[string]string{"Content-Type": "text/plain"}, body: strings.Repeat("é", 5000)})
	_, err := newClient(t, srv, nil).Cancel(context.Background(), "thread_abc", "run_abc")
	var apiErr *portkey.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.LessOrEqual(t, len(apiErr.Message), 220)
	assert.True(t, strings.HasSuffix(apiErr.Message, "é..."), apiErr.Message)
}

func TestCancelBadRunBody(t *testing.T) {
	srv, _ := serve(t, reply{status: 200, header: map[string]string{"Content-Type": "text/html"}, body: `<html>captive portal</html>`})
	_, err := newClient(t, srv, nil).Cancel(context.Background(), "thread_abc", "run_abc")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "decoding the run")
	assert.Contains(t, err.Error(), "captive portal")
}

func TestBodyLimit(t *testing.T) {
	big := `{"id":"run_abc","status":"cancelling","pad":"` + strings.Repeat("x", 2000) + `"}`
	for _, chunked := range []bool{false, true} {
		t.Run(fmt.Sprint("chunked=", chunked), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if !chunked {
					w.Header().Set("Content-Length", fmt.Sprint(len(big)))
				}
				_, _ = io.WriteString(w, big[:len(big)/2])
				w.(http.Flusher).Flush()
				_, _ = io.WriteString(w, big[len(big)/2:])
			}))
			t.Cleanup(srv.Close)
			c := newClient(t, srv, nil, portkey.WithMaxResponseBytes(1000))
			_, err := c.Cancel(context.Background(), "thread_abc", "run_abc")
			var tooLarge *portkey.BodyTooLargeError
			require.ErrorAs(t, err, &tooLarge)
			assert.Equal(t, portkey.BodyTooLargeError{StatusCode: 200, Limit: 1000}, *tooLarge)
			assert.Contains(t, err.Error(), "1000-byte limit")

			// The generated methods are bounded too.
			_, err = portkey.CancelRun(context.Background(), c.Gen(), "thread_abc", "run_abc")
			require.ErrorAs(t, err, &tooLarge)

			// A body of exactly the limit is fine.
			c = newClient(t, srv, nil, portkey.WithMaxResponseBytes(int64(len(big))))
			_, err = c.Cancel(context.Background(), "thread_abc", "run_abc")
			require.NoError(t, err, "read in full and decoded")
		})
	}
}

func TestCancelHonoursDeadline(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	t.Cleanup(srv.Close)
	c := newClient(t, srv, portkey.NewRetryTransport(nil))
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Cancel(ctx, "thread_abc", "run_abc")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 2*time.Second)
}

func TestDefaultTimeout(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	t.Cleanup(srv.Close)
	c := newClient(t, srv, nil, portkey.WithTimeout(150*time.Millisecond))
	start := time.Now()
	_, err := c.Cancel(context.Background(), "thread_abc", "run_abc")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 2*time.Second)
}

func TestClientRetriesAndLogsNoSecrets(t *testing.T) {
	srv, s := serve(t,
		reply{status: 429, header: map[string]string{"retry-after-ms": "10"}, body: `{"error":{"message":"slow down","type":"requests","param":null,"code":"rate_limit_exceeded"}}`},
		reply{status: 200, body: runJSON})
	var logs bytes.Buffer
	c := newClient(t, srv, nil, portkey.WithHTTPClient(nil), portkey.WithMaxRetries(2),
		portkey.WithLogger(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	run, err := c.Cancel(context.Background(), "thread_abc", "run_abc")
	require.NoError(t, err)
	assert.Equal(t, gen.RunStatusCancelling, run.Status)
	assert.Len(t, s.requests(), 2)
	assert.Contains(t, logs.String(), `"status":429`)
	for _, v := range secretValues {
		assert.NotContains(t, logs.String(), v)
	}
}

func TestTruncatedBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(len(runJSON)))
		_, _ = io.WriteString(w, runJSON[:len(runJSON)/2])
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	}))
	t.Cleanup(srv.Close)
	_, err := newClient(t, srv, nil).Cancel(context.Background(), "thread_abc", "run_abc")
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.False(t, errors.As(err, new(*portkey.APIError)))
}

func TestCancelConcurrently(t *testing.T) {
	srv, s := serve(t, reply{status: 200, body: runJSON})
	rt, _ := fastRetry()
	c := newClient(t, srv, rt)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			run, err := c.Cancel(context.Background(), "thread_abc", fmt.Sprint("run_", i))
			assert.NoError(t, err)
			assert.NotNil(t, run)
		})
	}
	wg.Wait()
	assert.Len(t, s.requests(), 16)
}

func TestBodyLimitHugeContentLength(t *testing.T) {
	// The header claims a terabyte: the client must fail before allocating or reading it.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1099511627776\r\n\r\n{}")
		_ = buf.Flush()
	}))
	t.Cleanup(srv.Close)
	_, err := newClient(t, srv, nil).Cancel(context.Background(), "thread_abc", "run_abc")
	var tooLarge *portkey.BodyTooLargeError
	require.ErrorAs(t, err, &tooLarge)
	assert.Equal(t, int64(portkey.DefaultMaxResponseBytes), tooLarge.Limit)
}
