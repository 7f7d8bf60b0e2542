package portkey_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/internal/redact"
	"github.com/seed-a6d846e6/portkey-runs/portkey"
)

// leakedKey is an OpenAI-style key that ends up where it should not: in an ID, in a
// server's error message, in a body.
const leakedKey = "sk-proj-Qw3rTy7uIoP9aS2dF5gH8jK1lZ4xC6vB0nM3qW9eR2tY5uI8"

// TestNoSecretInLogsOrErrors: a key that reaches the URL, a connection error, an error
// answer or a body that is not a run never reaches the retry log or an error string.
func TestNoSecretInLogsOrErrors(t *testing.T) {
	cases := []struct {
		name    string
		replies []reply
		run     string
	}{
		{"key in the path, retried", []reply{{status: 503, body: `{"status":"failure","message":"busy"}`}, {status: 200, body: runJSON}}, leakedKey},
		{"key in an error message", []reply{{status: 401, body: `{"error":{"message":"Incorrect API key provided: ` + leakedKey + `.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`}}, "run_abc"},
		{"key in a proxy page", []reply{{status: 502, header: map[string]string{"Content-Type": "text/html"}, body: "<html>upstream said: Authorization: Bearer " + leakedKey + "</html>"}}, "run_abc"},
		{"key in a body that is not a run", []reply{{status: 200, body: `{"echo":{"api_key":"` + leakedKey + `"}}`}}, "run_abc"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv, _ := serve(t, c.replies...)
			var logs bytes.Buffer
			rt, _ := fastRetry()
			rt.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			_, err := newClient(t, srv, rt).Cancel(context.Background(), "thread_abc", c.run)
			if err != nil {
				assert.NotContains(t, err.Error(), leakedKey[8:20])
			}
			assert.NotContains(t, logs.String(), leakedKey[8:20])
		})
	}
}

// TestNoSecretInConnectionErrorLogs: the transport's own errors quote the URL; the retry
// log and the error the caller gets are redacted.
func TestNoSecretInConnectionErrorLogs(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close() // nothing listens: every attempt fails to connect
	var logs bytes.Buffer
	rt, _ := fastRetry()
	rt.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := portkey.New(portkey.WithBaseURL(srv.URL+"/v1"), portkey.WithAuth(testAuth), portkey.WithHTTPClient(&http.Client{Transport: rt}))
	require.NoError(t, err)
	_, err = c.Cancel(context.Background(), leakedKey, "run_abc")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), leakedKey[8:20])
	var ue *url.Error
	assert.ErrorAs(t, err, &ue, "still a *url.Error")
	require.Contains(t, logs.String(), "retrying")
	assert.NotContains(t, logs.String(), leakedKey[8:20])
}

// TestOwnKeysScrubbedFromEveryField: a server that echoes the client's own low-entropy
// virtual key in any field of an error, or in a 2xx body that is not a run, never gets it
// into an error string or field.
func TestOwnKeysScrubbedFromEveryField(t *testing.T) {
	const vk = "openai-vk-prod" // low entropy: only the client knows it is a key
	cases := []struct {
		name string
		rep  reply
	}{
		{"envelope fields", reply{status: 401, header: map[string]string{"X-Request-Id": "req-" + vk},
			body: `{"error":{"message":"bad key ` + vk + `","type":"t-` + vk + `","param":"x-portkey-virtual-key=` + vk + `","code":"` + vk + `"}}`}},
		{"trace id", reply{status: 502, header: map[string]string{"X-Portkey-Trace-Id": vk}, body: `{"status":"failure","message":"down"}`}},
		{"html 200", reply{status: 200, header: map[string]string{"Content-Type": "text/html"}, body: "debug: virtual key " + vk}},
		{"json 200 not a run", reply{status: 200, body: `{"echo":"` + vk + `"}`}},
		{"content type", reply{status: 200, header: map[string]string{"Content-Type": "text/" + vk}, body: "x"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv, _ := serve(t, c.rep)
			auth := portkey.Auth{APIKey: "pk-SECRET-api", VirtualKey: vk}
			cl := newClient(t, srv, nil, portkey.WithAuth(auth))
			_, err := cl.Cancel(context.Background(), "thread_abc", "run_abc")
			require.Error(t, err)
			assert.NotContains(t, err.Error(), vk)
			assert.Contains(t, err.Error(), redact.Marker)
			var apiErr *portkey.APIError
			if errors.As(err, &apiErr) {
				assert.NotContains(t, fmt.Sprintf("%+v", *apiErr), vk)
			}
			var decErr *portkey.DecodeError
			if errors.As(err, &decErr) {
				assert.NotContains(t, decErr.Excerpt+decErr.ContentType, vk)
			}
		})
	}
}

// TestEchoedCredentialsInErrors: whatever shape a credential has, an error answer or a
// body that is not a run echoing it (raw, URL-encoded, JSON-escaped, as a property name)
// never shows it in the error; a key too short to mask inside text leaves words whole.
func TestEchoedCredentialsInErrors(t *testing.T) {
	auth := portkey.Auth{APIKey: "0123456789abcdef0123456789abcdef", VirtualKey: "openai-prod-vk-77",
		Config: `{"provider":"openai","api_key":"plain words key"}`}
	secrets := []string{auth.APIKey, auth.VirtualKey, auth.Config, "plain words key"}
	echo := func(v string) string {
		return url.QueryEscape(v) + " " + strings.Trim(strconv.Quote(v), `"`) + ` {"` + v + `":1}`
	}
	for _, status := range []int{401, 200} {
		for _, v := range append(secrets, `plain\/words`) {
			body := `{"error":{"message":"echo ` + strings.ReplaceAll(echo(v), `"`, `\"`) + `","type":"t","param":null,"code":null},"` + v + `":"` + v + `"}`
			if strings.Contains(v, `"`) {
				body = `{"error":{"message":"echo ` + url.QueryEscape(v) + `","type":"t","param":null,"code":null}}`
			}
			srv, _ := serve(t, reply{status: status, body: body})
			_, err := newClient(t, srv, nil, portkey.WithAuth(auth)).Cancel(context.Background(), "thread_abc", "run_abc")
			require.Error(t, err)
			for _, s := range secrets {
				assert.NotContains(t, err.Error(), s, "status %d", status)
				assert.NotContains(t, err.Error(), url.QueryEscape(s), "status %d", status)
			}
		}
	}

	short := portkey.Auth{APIKey: "x", VirtualKey: "vk"}
	srv, _ := serve(t, reply{status: 401, body: `{"error":{"message":"the key has expired","type":"x","param":null,"code":null}}`})
	_, err := newClient(t, srv, nil, portkey.WithAuth(short)).Cancel(context.Background(), "thread_abc", "run_abc")
	var apiErr *portkey.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "the key has expired", apiErr.Message, "a short key leaves words whole")
	assert.Equal(t, redact.Marker, apiErr.Type, "and is masked as a whole value")
}
