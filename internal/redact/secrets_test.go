package redact_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/seed-a6d846e6/portkey-runs/internal/redact"
)

// Real-looking keys, in the shapes the services issue (made up, never valid).
var realLookingKeys = map[string]string{
	"openai project":  "sk-proj-Qw3rTy7uIoP9aS2dF5gH8jK1lZ4xC6vB0nM3qW9eR2tY5uI8oP1aS4dF7gH0jK3lZ6xC9vB2nM5qW8eR1tY4uI7oP0aS3dF6gH9jK2l_Z5xC8vB1nM4-T3BlbkFJ",
	"openai legacy":   "sk-4fT9xQ2mZ7pL1vK8wR3yN6bH0cJ5dG2eS9aU4iO7tE1qW3rY",
	"openai service":  "sk-svcacct-Xy7Qp2Lm9Vt4Rk8Wn3Bc6Zd1Hf5Gj0Ks2Pa7Ue4Io9",
	"portkey api key": "Pk8vN2xQ7rT4mW9zL3cB6yH1",
	"portkey base64":  "q3Rt8+Vx2mK9/Lp4Wz7Nc1Bf6Hy0Sd5J=",
	"virtual key":     "openai-prod-4f3a2b",
	"jwt":             "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyXzEyMyJ9.Xq7pR2vL9mK4tW8zB3nC6yH1dF5gJ0sA",
}

// TestNoKeySurvives feeds each key through every place a request or response can carry
// it, by its name or by its look, and checks that no output contains it.
func TestNoKeySurvives(t *testing.T) {
	for kind, key := range realLookingKeys {
		t.Run(kind, func(t *testing.T) {
			// By name: headers, query parameters, JSON properties, form fields.
			h := redact.Header(http.Header{
				"X-Portkey-Api-Key":     {key},
				"X-Portkey-Virtual-Key": {key},
				"Authorization":         {"Bearer " + key},
				"Api-Key":               {key},
				"X-Api-Key":             {key},
				"Cookie":                {"session=" + key},
				"X-Portkey-Config":      {`{"provider":"openai","api_key":"` + key + `"}`},
			})
			for name, vs := range h {
				for _, v := range vs {
					assert.NotContains(t, v, key, name)
				}
			}
			q := redact.Query(url.Values{"api_key": {key}, "key": {key}, "access_token": {key}, "apiKey": {key},
				"accessToken": {key}, "client_secret": {key}, "token": {key}})
			assert.NotContains(t, q.Encode(), key)
			assert.NotContains(t, redact.URL("https://api.example.com/v1/x?apiKey="+url.QueryEscape(key)+"&accessToken="+url.QueryEscape(key)), url.QueryEscape(key))
			assert.NotContains(t, redact.URL("https://user:"+url.QueryEscape(key)+"@api.example.com/v1"), url.QueryEscape(key))

			body, _ := json.Marshal(map[string]any{
				"api_key": key, "accessToken": key, "providerKey": key, "virtual_key": key,
				"headers":  map[string]string{"Authorization": "Bearer " + key, "x-portkey-api-key": key},
				"targets":  []map[string]string{{"provider": "openai", "api_key": key}},
				"password": key,
			})
			assert.NotContains(t, string(redact.Body(body)), key)
			truncated := body[:len(body)-3]
			assert.NotContains(t, string(redact.Body(truncated)), key, "a truncated JSON body is redacted as text")

			form := url.Values{"grant_type": {"client_credentials"}, "client_secret": {key}, "api_key": {key}}.Encode()
			assert.NotContains(t, string(redact.Body([]byte(form))), url.QueryEscape(key))

			// By look, where nothing names it (only for keys with a recognisable shape).
			if kind == "virtual key" || kind == "portkey base64" {
				return
			}
			for _, text := range []string{
				"Incorrect API key provided: " + key + ".",
				"Authorization: Bearer " + key,
				`{"error":{"message":"Incorrect API key provided: ` + key + `"}}`,
				"POST /v1/threads/t/runs/r/cancel?x=" + key,
			} {
				assert.NotContains(t, redact.String(text), key, text)
				assert.NotContains(t, string(redact.Body([]byte(text))), key, text)
			}
		})
	}
}

// TestNamedSecretsInText: a raw dump (header lines, form fields, JSON that does not parse)
// names its secrets; redaction finds them by name even when their value looks harmless.
func TestNamedSecretsInText(t *testing.T) {
	dump := strings.Join([]string{
		"POST /v1/threads/t/runs/r/cancel HTTP/1.1",
		"x-portkey-api-key: harmless-looking-1",
		"x-portkey-virtual-key: openai-prod-4f3a2b",
		"Authorization: Bearer harmless-looking-2",
		"",
		`api_key=harmless-looking-3&limit=2 {"password": "harmless-looking-4", "model": "gpt-4o"`,
	}, "\r\n")
	got := redact.String(dump)
	for _, v := range []string{"harmless-looking-1", "openai-prod-4f3a2b", "harmless-looking-2", "harmless-looking-3", "harmless-looking-4"} {
		assert.NotContains(t, got, v)
	}
	for _, v := range []string{"POST /v1/threads/t/runs/r/cancel HTTP/1.1", "limit=2", `"model": "gpt-4o"`, "Authorization: Bearer [REDACTED]"} {
		assert.Contains(t, got, v)
	}
	assert.Equal(t, got, redact.String(got), "idempotent")
}
