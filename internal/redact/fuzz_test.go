package redact_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/internal/redact"
)

// FuzzRedact: redaction never panics, is idempotent, leaves nothing key-looking behind,
// removes a planted OpenAI-style key wherever it sits in text or in a JSON body, masks a
// known secret in every form and place, and Line leaves no control character.
// Seeded with the committed cassettes and the keys of the secrets tests.
func FuzzRedact(f *testing.F) {
	files, err := filepath.Glob("../../recording/testdata/cassettes/*.yaml")
	require.NoError(f, err)
	bad, err := filepath.Glob("../../recording/testdata/cassettes/bad/*.yaml")
	require.NoError(f, err)
	require.NotEmpty(f, files)
	for _, file := range append(files, bad...) {
		b, err := os.ReadFile(file)
		require.NoError(f, err)
		f.Add(string(b), "", []byte(file))
	}
	for _, key := range realLookingKeys {
		f.Add("Incorrect API key provided: "+key, "Authorization: Bearer "+key, []byte(key))
		f.Add(`{"api_key":"`+key+`","n":1}`, "api_key="+key+"&x=1", []byte(key))
	}
	f.Add("x-portkey-api-key: v\r\nCookie: a=b", `"password": "x`, []byte{0})
	f.Add("\x1b]0;t\x07\u009b31m\u202e\n1 of 1 inputs conform", "caf\xff\u2028", []byte("control"))

	f.Fuzz(func(t *testing.T, prefix, suffix string, seed []byte) {
		for _, s := range []string{prefix, suffix} {
			out := redact.String(s)
			assert.Equal(t, out, redact.String(out), "String is idempotent on %q", s)
			assert.Empty(t, redact.Find(out), "nothing key-looking survives %q", s)
			b := redact.Body([]byte(s))
			assert.Equal(t, string(b), string(redact.Body(b)), "Body is idempotent on %q", s)
			_ = redact.URL(s)
			// URL is for request URLs, absolute or from the path on, as net/url writes them.
			if pu, err := url.Parse(s); err == nil && (pu.Host != "" && (pu.Scheme == "http" || pu.Scheme == "https") || strings.HasPrefix(pu.Path, "/")) {
				u := redact.URL(pu.String())
				assert.Equal(t, u, redact.URL(u), "URL is idempotent on %q", pu.String())
				assert.Empty(t, redact.Find(u), "nothing key-looking survives in %q", pu.String())
			}
			_ = redact.Header(http.Header{s: {s, suffix}})
			_ = redact.Query(url.Values{s: {prefix}})
			_ = redact.Value(s, suffix)
			_ = redact.IsSecretName(s)
		}

		sum := sha256.Sum256(seed)
		random := base64.RawURLEncoding.EncodeToString(sum[:])
		key := "sk-proj-" + random
		text := prefix + " " + key + " " + suffix
		assertGone(t, redact.String(text), random)
		assertGone(t, string(redact.Body([]byte(text))), random)
		body, err := json.Marshal(map[string]string{"message": text, "note": prefix})
		require.NoError(t, err)
		assertGone(t, string(redact.Body(body)), random)

		// A known secret that looks like nothing, with characters every encoding escapes,
		// is masked in each of its forms, as text, in a JSON body (as a value and a name),
		// in a header and in a URL; Line leaves no control character.
		secret := "k/" + random[:12] + ` "q"&<é>`
		r := redact.New(secret)
		j, _ := json.Marshal(secret)
		for _, form := range []string{secret, url.QueryEscape(secret), url.PathEscape(secret), string(j[1 : len(j)-1])} {
			text := prefix + form + suffix
			out := r.String(text)
			assert.Equal(t, out, r.String(out), "Redactor.String is idempotent on %q", text)
			assertGone(t, out, random)
			line := r.Line(text)
			assertGone(t, line, random)
			assert.NotRegexp(t, control, line)
			h := r.Header(http.Header{"X-Echo": {text}, form: {"1"}})
			for k, vs := range h {
				assertGone(t, k+" "+strings.Join(vs, " "), random)
			}
			assertGone(t, r.URL("https://h/v1/"+url.PathEscape(text)+"?q="+url.QueryEscape(text)), random)
		}
		b, err := json.Marshal(map[string]any{secret: secret, "m": prefix + secret + suffix, prefix: map[string]string{secret: suffix}})
		require.NoError(t, err)
		assertGone(t, string(r.Body(b)), random)
		for _, s := range []string{prefix, suffix} {
			assert.NotRegexp(t, control, redact.Line(s))
			assert.Equal(t, redact.Escape(s), redact.Escape(redact.Escape(s)), "Escape is idempotent on %q", s)
		}
	})
}

// control matches what printed text must not hold raw (redact.Line).
var control = regexp.MustCompile(`[\x00-\x1f\x7f\x{80}-\x{9f}\x{2028}\x{2029}\x{202a}-\x{202e}\x{2066}-\x{2069}]`)

// assertGone fails unless no 16 characters in a row of the key's random part survive.
func assertGone(t *testing.T, out, random string) {
	t.Helper()
	for i := 0; i+16 <= len(random); i++ {
		if strings.Contains(out, random[i:i+16]) {
			t.Fatalf("part of the key %q survives in %q", random[i:i+16], out)
		}
	}
}
