package portkey_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/gen"
	"github.com/seed-a6d846e6/portkey-runs/internal/redact"
	"github.com/seed-a6d846e6/portkey-runs/internal/wire"
	"github.com/seed-a6d846e6/portkey-runs/portkey"
)

// seen records what the server received for one request.
type seen struct {
	method, threadID, runID string
	header                  http.Header
}

// recordingServer answers 200 with an empty JSON object and records each request, splitting
// the escaped path itself so that the IDs are exactly what went over the wire.
func recordingServer(t *testing.T, basePath string) (*httptest.Server, *[]seen) {
	var got []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest, ok := strings.CutPrefix(r.URL.EscapedPath(), basePath+"/threads/")
		parts := strings.Split(rest, "/")
		if !ok || len(parts) != 4 || parts[1] != "runs" || parts[3] != "cancel" {
			t.Errorf("unexpected path %q", r.URL.EscapedPath())
			http.NotFound(w, r)
			return
		}
		thread, err1 := url.PathUnescape(parts[0])
		run, err2 := url.PathUnescape(parts[2])
		require.NoError(t, err1)
		require.NoError(t, err2)
		got = append(got, seen{r.Method, thread, run, r.Header.Clone()})
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":"run","status":"cancelling"}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &got
}

func TestCancelRunSendsIDsExactly(t *testing.T) {
	srv, got := recordingServer(t, "/v1")
	c, err := gen.NewClientWithResponses(srv.URL + "/v1")
	require.NoError(t, err)

	ids := []string{"run_abc123", "a/b", "50%", "%2F", "with space", "thread_ünï", "q?x=1#f", "a/../b", "...", "%2E%2E"}
	for _, id := range ids {
		t.Run(id, func(t *testing.T) {
			*got = nil
			_, err := portkey.CancelRun(context.Background(), c, "t-"+id, id)
			require.NoError(t, err)
			_, err = portkey.CancelRun(context.Background(), c, id, "r-"+id)
			require.NoError(t, err)
			require.Len(t, *got, 2)
			assert.Equal(t, seen{http.MethodPost, "t-" + id, id, nil}, withoutHeader((*got)[0]))
			assert.Equal(t, seen{http.MethodPost, id, "r-" + id, nil}, withoutHeader((*got)[1]))
		})
	}
}

func withoutHeader(s seen) seen { s.header = nil; return s }

// wrapped is a decorator around the generated client, as callers write for tracing.
type wrapped struct{ *gen.Client }

// TestCancelRunKeepsBasePathThroughAWrappedClient: the base path comes from the request the
// generated code built, so a ClientInterface that is not exactly *gen.Client still works.
func TestCancelRunKeepsBasePathThroughAWrappedClient(t *testing.T) {
	for _, base := range []string{"/v1", "", "/a/b%2Fc/v1"} {
		srv, got := recordingServer(t, base)
		gc, err := gen.NewClient(srv.URL + base)
		require.NoError(t, err)
		c := &gen.ClientWithResponses{ClientInterface: wrapped{gc}}
		for _, ids := range [][2]string{{"t 1", "..."}, {"threads", "runs"}, {"a/b", "50%"}, {"runs", "cancel"}} {
			*got = nil
			_, err := portkey.CancelRun(context.Background(), c, ids[0], ids[1])
			require.NoError(t, err, "%s %q", base, ids)
			require.Len(t, *got, 1, "%s %q", base, ids)
			assert.Equal(t, seen{http.MethodPost, ids[0], ids[1], nil}, withoutHeader((*got)[0]), "%s %q", base, ids)
		}
	}
}

// TestCancelURL: the URL the generated request builder makes, through Client.Cancel, for
// bases with and without a trailing slash or escapes of their own.
func TestCancelURL(t *testing.T) {
	cases := []struct{ base, thread, run, want string }{
		{"https://api.portkey.ai/v1", "thread_1", "run_1", "https://api.portkey.ai/v1/threads/thread_1/runs/run_1/cancel"},
		{"https://api.portkey.ai/v1/", "thread_1", "run_1", "https://api.portkey.ai/v1/threads/thread_1/runs/run_1/cancel"},
		{"http://127.0.0.1:8080", "...", "a/../b", "http://127.0.0.1:8080/threads/.../runs/a%2F..%2Fb/cancel"},
		{"http://h/a%2Fb/v1", "a/b", "t 1", "http://h/a%2Fb/v1/threads/a%2Fb/runs/t%201/cancel"},
		{"http://h/v1", "50%", "q?x=1#f", "http://h/v1/threads/50%25/runs/q%3Fx=1%23f/cancel"},
	}
	for _, c := range cases {
		var got *url.URL
		hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			got = r.URL
			return nil, errors.New("not sent")
		})}
		client, err := portkey.New(portkey.WithBaseURL(c.base), portkey.WithAuth(testAuth), portkey.WithMaxRetries(0), portkey.WithHTTPClient(hc))
		require.NoError(t, err)
		_, err = client.Cancel(context.Background(), c.thread, c.run)
		require.Error(t, err)
		require.NotNil(t, got, c.base)
		assert.Equal(t, c.want, got.String(), c.base)
		back, err := url.Parse(got.String())
		require.NoError(t, err)
		assert.True(t, strings.HasSuffix(back.Path, "/threads/"+c.thread+"/runs/"+c.run+"/cancel"), back.Path)
	}
}

func TestCancelRunRejectsEmptyIDsBeforeSending(t *testing.T) {
	srv, got := recordingServer(t, "")
	c, err := gen.NewClientWithResponses(srv.URL)
	require.NoError(t, err)
	for _, ids := range [][2]string{{"", "run_1"}, {"thread_1", ""}, {"", ""}} {
		_, err := portkey.CancelRun(context.Background(), c, ids[0], ids[1])
		assert.ErrorIs(t, err, portkey.ErrEmptyID)
	}
	for _, ids := range [][2]string{{"thread_\xff", "run_1"}, {"thread_1", "run_\xc3"}, {".", "run_1"}, {"..", "run_1"}, {"thread_1", "."}, {"thread_1", ".."}} {
		_, err := portkey.CancelRun(context.Background(), c, ids[0], ids[1])
		assert.ErrorIs(t, err, portkey.ErrInvalidID)
	}
	assert.Empty(t, *got, "no request may be sent")
}

func TestAuthHeaders(t *testing.T) {
	cases := []struct {
		name string
		auth portkey.Auth
		want map[string]string
	}{
		{"virtual key", portkey.Auth{APIKey: "pk", VirtualKey: "vk"},
			map[string]string{"X-Portkey-Api-Key": "pk", "X-Portkey-Virtual-Key": "vk"}},
		{"provider", portkey.Auth{APIKey: "pk", Provider: "openai", ProviderKey: "sk"},
			map[string]string{"X-Portkey-Api-Key": "pk", "X-Portkey-Provider": "openai", "Authorization": "Bearer sk"}},
		{"config", portkey.Auth{APIKey: "pk", Config: "pc-abc"},
			map[string]string{"X-Portkey-Api-Key": "pk", "X-Portkey-Config": "pc-abc"}},
		{"custom host", portkey.Auth{APIKey: "pk", Provider: "openai", ProviderKey: "sk", CustomHost: "http://127.0.0.1:9/v1"},
			map[string]string{"X-Portkey-Api-Key": "pk", "X-Portkey-Provider": "openai", "Authorization": "Bearer sk", "X-Portkey-Custom-Host": "http://127.0.0.1:9/v1"}},
		{"model catalog", portkey.Auth{APIKey: "pk", Provider: "@openai-prod"},
			map[string]string{"X-Portkey-Api-Key": "pk", "X-Portkey-Provider": "@openai-prod"}},
		{"self-hosted provider", portkey.Auth{Provider: "openai", ProviderKey: "sk"},
			map[string]string{"X-Portkey-Provider": "openai", "Authorization": "Bearer sk"}},
		{"self-hosted config", portkey.Auth{Config: `{"provider":"openai"}`},
			map[string]string{"X-Portkey-Config": `{"provider":"openai"}`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.NoError(t, c.auth.Validate())
			srv, got := recordingServer(t, "")
			client, err := gen.NewClientWithResponses(srv.URL, gen.WithRequestEditorFn(c.auth.Editor()))
			require.NoError(t, err)
			_, err = portkey.CancelRun(context.Background(), client, "thread_1", "run_1")
			require.NoError(t, err)
			require.Len(t, *got, 1)
			h := (*got)[0].header
			for k, v := range c.want {
				assert.Equal(t, v, h.Get(k), k)
			}
			for _, k := range []string{"X-Portkey-Api-Key", "X-Portkey-Virtual-Key", "X-Portkey-Provider", "X-Portkey-Config", "X-Portkey-Custom-Host", "Authorization"} {
				if _, want := c.want[k]; !want {
					assert.Empty(t, h.Get(k), "%s must not be sent", k)
				}
			}
			assert.NotContains(t, c.auth.String(), "pk")
			assert.NotContains(t, c.auth.GoString(), "sk")
			assert.Contains(t, c.auth.String(), redact.Marker, "the one marker")
		})
	}
}

// TestHeadersAreTheSpecs: the client's credential headers are exactly those of the spec's
// security schemes.
func TestHeadersAreTheSpecs(t *testing.T) {
	s, err := wire.Load()
	require.NoError(t, err)
	var inSpec []string
	for _, req := range s.Security() {
		inSpec = append(inSpec, req...)
	}
	slices.Sort(inSpec)
	assert.Equal(t, slices.Compact(inSpec), []string{"Authorization", portkey.HeaderAPIKey, portkey.HeaderConfig, portkey.HeaderCustomHost, portkey.HeaderProvider, portkey.HeaderVirtualKey})
}

func TestAuthValidate(t *testing.T) {
	cases := []struct {
		name    string
		auth    portkey.Auth
		wantErr string
	}{
		{"nothing", portkey.Auth{}, "PORTKEY_API_KEY"},
		{"api key alone", portkey.Auth{APIKey: "pk"}, "PORTKEY_VIRTUAL_KEY"},
		{"provider key without provider", portkey.Auth{APIKey: "pk", ProviderKey: "sk"}, "PORTKEY_PROVIDER"},
		{"provider key alone", portkey.Auth{ProviderKey: "sk"}, "PORTKEY_API_KEY"},
		{"virtual key without api key", portkey.Auth{VirtualKey: "vk"}, "PORTKEY_API_KEY"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.auth.Validate()
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.wantErr)
		})
	}
}
