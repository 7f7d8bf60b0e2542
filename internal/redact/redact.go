package redact

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// Marker replaces every secret.
const Marker = "[REDACTED]"

// secretHeaders are removed whatever their value looks like.
var secretHeaders = map[string]bool{
	"X-Portkey-Api-Key":     true,
	"X-Portkey-Virtual-Key": true,
	"X-Portkey-Config":      true,
	"Authorization":         true,
	"Proxy-Authorization":   true,
	"Cookie":                true,
	"Set-Cookie":            true,
}

// secretWords mark a name as holding a secret when they are one of its words; secretPairs
// when they are two consecutive words ("api key", "virtual key"). Plural "tokens" (a count,
// as in x-ratelimit-remaining-tokens or max_prompt_tokens) is not a secret.
var (
	secretWords = map[string]bool{"token": true, "secret": true, "password": true, "passwd": true,
		"credential": true, "credentials": true, "authorization": true, "cookie": true, "apikey": true, "signature": true}
	secretPairs = map[[2]string]bool{{"api", "key"}: true, {"virtual", "key"}: true, {"access", "key"}: true,
		{"private", "key"}: true, {"secret", "key"}: true, {"session", "id"}: true}
)

// IsSecretName reports whether a header, query parameter or JSON property called name holds
// a secret by its name alone.
func IsSecretName(name string) bool {
	if secretHeaders[http.CanonicalHeaderKey(name)] {
		return true
	}
	words := strings.FieldsFunc(strings.ToLower(name), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	})
	if len(words) == 1 && words[0] == "key" {
		return true
	}
	for i, w := range words {
		if secretWords[w] || i > 0 && secretPairs[[2]string{words[i-1], w}] {
			return true
		}
	}
	return false
}

var (
	// keyPattern matches prefixed keys (sk-..., pk-...), bearer tokens, JWTs and URL
	// credentials.
	keyPattern = regexp.MustCompile(`(?i)\b(?:sk|pk|rk)[-_][A-Za-z0-9_-]{8,}|\bBearer\s+[A-Za-z0-9._~+/=-]{6,}|\beyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]*|://[^/@\s:]+:[^/@\s]+@`)
	// tokenPattern finds candidate tokens for the entropy test.
	tokenPattern = regexp.MustCompile(`[A-Za-z0-9_-]{24,}`)
	// notSecret matches tokens that look random but are identifiers: OpenAI-style object IDs
	// (run_..., thread_...) and UUIDs such as trace IDs.
	notSecret = regexp.MustCompile(`^(?:[a-z]{2,12}_[A-Za-z0-9]+|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$`)
)

// String returns s with every key-looking part replaced by Marker.
func String(s string) string {
	if s == "" {
		return s
	}
	s = keyPattern.ReplaceAllStringFunc(s, func(m string) string {
		switch {
		case strings.HasPrefix(strings.ToLower(m), "bearer"):
			return m[:len("Bearer ")] + Marker
		case strings.HasPrefix(m, "://"):
			return "://" + Marker + "@"
		}
		return Marker
	})
	return tokenPattern.ReplaceAllStringFunc(s, func(m string) string {
		if highEntropy(m) {
			return Marker
		}
		return m
	})
}

// Find returns the key-looking parts of s (Marker itself is not one).
func Find(s string) []string {
	found := keyPattern.FindAllString(s, -1)
	for _, m := range tokenPattern.FindAllString(s, -1) {
		if highEntropy(m) {
			found = append(found, m)
		}
	}
	return found
}

// highEntropy reports whether tok looks random: letters and digits mixed, and at least
// 4 bits of Shannon entropy per character (hex IDs and UUIDs stay below that).
func highEntropy(tok string) bool {
	if notSecret.MatchString(tok) {
		return false
	}
	var letters, digits bool
	counts := map[rune]int{}
	for _, r := range tok {
		counts[r]++
		switch {
		case r >= '0' && r <= '9':
			digits = true
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
			letters = true
		}
	}
	if !letters || !digits {
		return false
	}
	n := float64(len(tok))
	var h float64
	for _, c := range counts {
		p := float64(c) / n
		h -= p * math.Log2(p)
	}
	return h >= 4.0
}

// Value redacts the value of a header, query parameter or JSON property called name.
func Value(name, v string) string {
	if v == "" {
		return v
	}
	if IsSecretName(name) {
		if f := strings.Fields(v); len(f) == 2 && strings.EqualFold(f[0], "bearer") {
			return f[0] + " " + Marker
		}
		return Marker
	}
	return String(v)
}

// Header returns a copy of h with every secret value replaced by Marker.
func Header(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for k, vs := range h {
		rv := make([]string, len(vs))
		for i, v := range vs {
			rv[i] = Value(k, v)
		}
		out[k] = rv
	}
	return out
}

// Query returns q with every secret value replaced by Marker.
func Query(q url.Values) url.Values {
	if q == nil {
		return nil
	}
	out := make(url.Values, len(q))
	for k, vs := range q {
		rv := make([]string, len(vs))
		for i, v := range vs {
			rv[i] = Value(k, v)
		}
		out[k] = rv
	}
	return out
}

// URL returns the URL string raw with its credentials and secret query values redacted.
// A string that does not parse is redacted as text.
func URL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return String(raw)
	}
	if u.User != nil {
		u.User = url.User(Marker)
	}
	if u.RawQuery != "" {
		u.RawQuery = Query(u.Query()).Encode()
	}
	u.Fragment = String(u.Fragment)
	return u.String()
}

// Body returns b with secrets redacted: a JSON body value by value (so that it stays
// valid JSON), any other body as text.
func Body(b []byte) []byte {
	trimmed := bytes.TrimSpace(b)
	if len(trimmed) == 0 {
		return b
	}
	if trimmed[0] == '{' || trimmed[0] == '[' {
		var v any
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if dec.Decode(&v) == nil && !dec.More() {
			rv, changed := jsonValue("", v)
			if !changed {
				return b
			}
			out, err := json.Marshal(rv)
			if err == nil {
				return out
			}
		}
	}
	s := String(string(b))
	if s == string(b) {
		return b
	}
	return []byte(s)
}

// jsonValue redacts v, a decoded JSON value held under the property name, and reports
// whether anything changed.
func jsonValue(name string, v any) (any, bool) {
	switch v := v.(type) {
	case string:
		r := Value(name, v)
		return r, r != v
	case map[string]any:
		changed := false
		for k, e := range v {
			if r, c := jsonValue(k, e); c {
				v[k], changed = r, true
			}
		}
		return v, changed
	case []any:
		changed := false
		for i, e := range v {
			if r, c := jsonValue(name, e); c {
				v[i], changed = r, true
			}
		}
		return v, changed
	}
	return v, false
}
