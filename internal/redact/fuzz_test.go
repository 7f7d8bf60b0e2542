package redact_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/internal/redact"
)

// FuzzRedact: redaction never panics, is idempotent, leaves nothing key-looking behind,
// and removes a planted OpenAI-style key wherever it sits in text or in a JSON body.
// Seeded with the committed cassettes and the keys of the secrets tests.
func FuzzRedact(f *testing.F) {
	files, err := filepath.Glob("../../contract/testdata/cassettes/*.yaml")
	require.NoError(f, err)
	bad, err := filepath.Glob("../../contract/testdata/cassettes/bad/*.yaml")
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
	})
}

// assertGone fails unless no 16 characters in a row of the key's random part survive.
func assertGone(t *testing.T, out, random string) {
	t.Helper()
	for i := 0; i+16 <= len(random); i++ {
		if strings.Contains(out, random[i:i+16]) {
			t.Fatalf("part of the key %q survives in %q", random[i:i+16], out)
		}
	}
}
