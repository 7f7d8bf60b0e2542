package redact_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/seed-a6d846e6/portkey-runs/internal/redact"
)

func TestString(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Incorrect API key provided: sk-proj-T3BlbkFJ4sX9qW2eR7tY1uI8", "Incorrect API key provided: [REDACTED]"},
		{"pk-live-abcdef123456 and more", "[REDACTED] and more"},
		{"Authorization: Bearer abc.def-ghi_123", "Authorization: Bearer [REDACTED]"},
		{"token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig_nature", "token [REDACTED]"},
		{"https://user:hunter2@example.com/v1", "https://[REDACTED]@example.com/v1"},
		{"key Xq7pR2vL9mK4tW8zB3nC6yH1 end", "key [REDACTED] end"},
		// Not secrets: IDs, UUIDs, words, short values.
		{"run_4SiHiUa4HbNkH1MSWRfyXjXN", "run_4SiHiUa4HbNkH1MSWRfyXjXN"},
		{"3f2b8c1e-6d4a-4f7b-9e2c-1a5d7b9c3e8f", "3f2b8c1e-6d4a-4f7b-9e2c-1a5d7b9c3e8f"},
		{"Cannot cancel run with status 'completed'.", "Cannot cancel run with status 'completed'."},
		{"gpt-4o-mini-2024-07-18", "gpt-4o-mini-2024-07-18"},
		{"task-manager", "task-manager"},
		{"", ""},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, redact.String(c.in), c.in)
	}
}

func TestFind(t *testing.T) {
	assert.Empty(t, redact.Find("[REDACTED] Bearer [REDACTED] run_abc123 thread_4SiHiUa4HbNkH1MSWRfyXjXN"))
	assert.Len(t, redact.Find("sk-abcdefgh12345678 Xq7pR2vL9mK4tW8zB3nC6yH1"), 2)
}

func TestHeader(t *testing.T) {
	in := http.Header{
		"X-Portkey-Api-Key":     {"short"},
		"X-Portkey-Virtual-Key": {"vk"},
		"X-Portkey-Config":      {"pc-config-1"},
		"Authorization":         {"Bearer sk-abc"},
		"Proxy-Authorization":   {"Basic dXNlcjpwYXNz"},
		"Cookie":                {"session=1"},
		"Set-Cookie":            {"a=b; HttpOnly"},
		"X-Custom-Token":        {"t"},
		"X-Note":                {"uses sk-abcdefgh12345678 inside"},
		"X-Portkey-Provider":    {"openai"},
		"Content-Type":          {"application/json"},
	}
	got := redact.Header(in)
	assert.Equal(t, http.Header{
		"X-Portkey-Api-Key":     {"[REDACTED]"},
		"X-Portkey-Virtual-Key": {"[REDACTED]"},
		"X-Portkey-Config":      {"[REDACTED]"},
		"Authorization":         {"Bearer [REDACTED]"},
		"Proxy-Authorization":   {"[REDACTED]"},
		"Cookie":                {"[REDACTED]"},
		"Set-Cookie":            {"[REDACTED]"},
		"X-Custom-Token":        {"[REDACTED]"},
		"X-Note":                {"uses [REDACTED] inside"},
		"X-Portkey-Provider":    {"openai"},
		"Content-Type":          {"application/json"},
	}, got)
	assert.Equal(t, "short", in.Get("X-Portkey-Api-Key"), "the input is not modified")
}

func TestURL(t *testing.T) {
	assert.Equal(t, "https://%5BREDACTED%5D@api.example.com/v1/threads/t?api_key=%5BREDACTED%5D&limit=2",
		redact.URL("https://me:secret@api.example.com/v1/threads/t?api_key=abc&limit=2"))
	q := redact.Query(url.Values{"token": {"x"}, "q": {"sk-abcdefgh12345678"}, "n": {"1"}})
	assert.Equal(t, url.Values{"token": {"[REDACTED]"}, "q": {"[REDACTED]"}, "n": {"1"}}, q)
}

func TestBody(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"json by name and by look", `{"api_key":"abc","nested":{"msg":"key sk-abcdefgh12345678 bad","n":1},"list":["Bearer tok_123456"]}`,
			`{"api_key":"[REDACTED]","list":["Bearer [REDACTED]"],"nested":{"msg":"key [REDACTED] bad","n":1}}`},
		{"json unchanged keeps its bytes", `{"b":1, "a":"x"}`, `{"b":1, "a":"x"}`},
		{"text", "error: bad key sk-abcdefgh12345678", "error: bad key [REDACTED]"},
		{"empty", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, string(redact.Body([]byte(c.in))))
		})
	}
}

func TestIsSecretName(t *testing.T) {
	for _, name := range []string{"x-portkey-api-key", "X-Portkey-Virtual-Key", "Authorization", "proxy-authorization",
		"Cookie", "set-cookie", "x-portkey-config", "api_key", "apiKey", "X-Api-Key", "access_token", "X-Auth-Token",
		"client_secret", "password", "key", "aws_secret_key", "session_id"} {
		assert.True(t, redact.IsSecretName(name), name)
	}
	for _, name := range []string{"x-ratelimit-remaining-tokens", "max_prompt_tokens", "completion_tokens",
		"x-portkey-provider", "x-portkey-custom-host", "content-type", "keys", "monkey", "author", "openai-beta"} {
		assert.False(t, redact.IsSecretName(name), name)
	}
}

func TestRedactorString(t *testing.T) {
	cases := []struct {
		name, in string
		secrets  []string
		want     string
	}{
		{"a low-entropy secret", "code=openai-vk-prod: bad", []string{"openai-vk-prod"}, "code=[REDACTED]: bad"},
		{"every occurrence", "a1b2c3d4 b a1b2c3d4", []string{"a1b2c3d4"}, "[REDACTED] b [REDACTED]"},
		{"the longer of two overlapping secrets first", "key abcdefgh-ijkl", []string{"abcdefgh", "abcdefgh-ijkl"}, "key [REDACTED]"},
		{"empty secrets are ignored", "plain text", []string{"", ""}, "plain text"},
		{"key-looking parts too", "Bearer abc.def-ghi_123 vk-prod-77", []string{"vk-prod-77"}, "Bearer [REDACTED] [REDACTED]"},
		{"no secrets is String", "pk-live-abcdef123456", nil, "[REDACTED]"},
		{"URL-encoded", "GET /v1/x?k=ab%2Fcd%2Bef+gh&p=ab%2fcd%2bef+gh /v1/ab%2Fcd+ef%20gh", []string{"ab/cd+ef gh"}, "GET /v1/x?k=[REDACTED]&p=[REDACTED] /v1/[REDACTED]"},
		{"JSON-escaped", `{"a":"q\"u<o>te\\x","b":"q\"u\u003co\u003ete\\x"}`, []string{`q"u<o>te\x`}, `{"a":"[REDACTED]","b":"[REDACTED]"}`},
		{"JSON-escaped, ASCII only", `"caf\u00e9-key-1"`, []string{"café-key-1"}, `"[REDACTED]"`},
		{"JSON-escaped slashes", `"ab\/cd\/efgh"`, []string{"ab/cd/efgh"}, `"[REDACTED]"`},
		{"a JSON pointer token", "body /ab~1cd~0efgh: is not declared", []string{"ab/cd~efgh"}, "body /[REDACTED]: is not declared"},
		// A short key only as a whole value: "expired" stays whole.
		{"a short secret is not masked inside text", "status expired, code x", []string{"x"}, "status expired, code x"},
		{"a secret inside the marker is not masked again", "[REDACTED]", []string{"REDACTED"}, "[REDACTED]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := redact.New(c.secrets...)
			got := r.String(c.in)
			assert.Equal(t, c.want, got)
			assert.Equal(t, got, r.String(got), "idempotent")
		})
	}
}

// TestRedactorWholeValues: a secret, however short, is masked where it is a whole value:
// a header, query parameter or JSON string, as a name as well as a value.
func TestRedactorWholeValues(t *testing.T) {
	r := redact.New("x", "openai-prod-vk-77")
	assert.Equal(t, http.Header{"X-Echo": {"[REDACTED]"}, "X-Note": {"expired"}, "[REDACTED]": {"[REDACTED]"}},
		r.Header(http.Header{"X-Echo": {"x"}, "X-Note": {"expired"}, "openai-prod-vk-77": {"openai-prod-vk-77"}}))
	assert.Equal(t, http.Header{"[REDACTED]": {"1"}}, r.Header(http.Header{"Openai-Prod-Vk-77": {"1"}}), "a canonicalized name")
	assert.Equal(t, url.Values{"q": {"[REDACTED]"}, "n": {"expired"}}, r.Query(url.Values{"q": {"x"}, "n": {"expired"}}))
	assert.Equal(t, "https://h/p?q=%5BREDACTED%5D&n=expired", r.URL("https://h/p?q=x&n=expired"))
	assert.Equal(t, `{"[REDACTED]":"[REDACTED]","[REDACTED]#2":"[REDACTED]","a":"expired","b":"[REDACTED]"}`,
		string(r.Body([]byte(`{"x":"openai-prod-vk-77","pk-live-abcdef123456":"x","a":"expired","b":"x"}`))))
}

func TestLine(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain text: 1 of 1", "plain text: 1 of 1"},
		{"a\nb", `a\nb`},
		{"body /x\n\nportkey-runs validate: 1 of 1 inputs conform", "body /x\\n\\nportkey-runs validate: 1 of 1 inputs conform"},
		{"\x1b]0;title\x07\x1b[2J\r\t\x7f", "\\x1b]0;title\\x07\\x1b[2J\\r\\t\\x7f"},
		{"C1 \u009b31m, bidi \u202egnp.exe, separator \u2028", "C1 \\u009b31m, bidi \\u202egnp.exe, separator \\u2028"},
		{"bad \xff byte, caf\u00e9 stays", "bad \\xff byte, café stays"},
		{"sk-proj-T3BlbkFJ4sX9qW2eR7tY1uI8\n", "[REDACTED]\\n"},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, redact.Line(c.in), "%q", c.in)
	}
}
