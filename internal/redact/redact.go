package redact

import (
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Marker replaces every secret.
const Marker = "[REDACTED]"

// markerEscaped is Marker as a URL query value.
var markerEscaped = url.QueryEscape(Marker)

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
		{"private", "key"}: true, {"secret", "key"}: true, {"session", "id"}: true, {"provider", "key"}: true}
)

// IsSecretName reports whether a header, query parameter or JSON property called name holds
// a secret by its name alone.
func IsSecretName(name string) bool {
	if secretHeaders[http.CanonicalHeaderKey(name)] {
		return true
	}
	words := nameWords(name)
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

// nameWords splits a name into lower-case words at every character that is not a letter
// or digit and where camelCase starts a word: "accessToken" is "access", "token".
func nameWords(name string) []string {
	var words []string
	start := -1
	for i := 0; i <= len(name); i++ {
		var c byte
		if i < len(name) {
			c = name[i]
		}
		lower, upper, digit := c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9'
		camel := upper && i > 0 && (name[i-1] >= 'a' && name[i-1] <= 'z' || name[i-1] >= '0' && name[i-1] <= '9')
		if start >= 0 && (!(lower || upper || digit) || camel) {
			words = append(words, strings.ToLower(name[start:i]))
			start = -1
		}
		if start < 0 && (lower || upper || digit) {
			start = i
		}
	}
	return words
}

// Named secrets in text: a header line ("X-Api-Key: v"), an assignment as in a form or
// query ("api_key=v") and a quoted property, even in JSON that does not parse
// ("password": "v"). The value is redacted when the name is a secret's.
var (
	headerLine = regexp.MustCompile(`(?m)^([ \t]*[A-Za-z][A-Za-z0-9_-]*[ \t]*:[ \t]*)([^\r\n]*)`)
	assignment = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_.-]*)=([^&\s"';,<>#]+)`)
	quotedProp = regexp.MustCompile(`"([^"\\]{1,64})"(\s*:\s*)"((?:[^"\\]|\\.)*)("?)`)
)

// redactNamed redacts the values of named secrets in text.
func redactNamed(s string) string {
	// Each pattern runs only on text holding the characters every match of it holds.
	if strings.IndexByte(s, ':') >= 0 {
		s = headerLine.ReplaceAllStringFunc(s, func(m string) string {
			g := headerLine.FindStringSubmatch(m)
			name := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(g[1]), ":"))
			if g[2] == "" || !IsSecretName(name) {
				return m
			}
			return g[1] + Value(name, g[2])
		})
	}
	if strings.IndexByte(s, '=') >= 0 {
		s = assignment.ReplaceAllStringFunc(s, func(m string) string {
			name, v, _ := strings.Cut(m, "=")
			if !IsSecretName(name) || v == Marker || v == markerEscaped {
				return m // no secret, or one redacted already (as URL query values are)
			}
			return name + "=" + Marker
		})
	}
	if strings.IndexByte(s, ':') < 0 || strings.IndexByte(s, '"') < 0 {
		return s
	}
	return quotedProp.ReplaceAllStringFunc(s, func(m string) string {
		g := quotedProp.FindStringSubmatch(m)
		if !IsSecretName(g[1]) {
			return m
		}
		return `"` + g[1] + `"` + g[2] + `"` + Value(g[1], g[3]) + g[4]
	})
}

var (
	// keyPattern matches prefixed keys (sk-..., pk-...), bearer tokens, JWTs and URL
	// credentials. mayHoldKey mirrors its alternatives: change both (TestPrefiltersMissNoMatch).
	keyPattern = regexp.MustCompile(`(?i)\b(?:sk|pk|rk)[-_][A-Za-z0-9_-]{8,}|\bBearer\s+[A-Za-z0-9._~+/=-]{6,}|\beyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]*|://[^/@\s:]+:[^/@\s]+@`)
	// tokenPattern finds candidate tokens for the entropy test.
	tokenPattern = regexp.MustCompile(`[A-Za-z0-9_-]{24,}`)
	// notSecret matches tokens that look random but are identifiers: OpenAI-style object IDs
	// (run_..., thread_...) and UUIDs such as trace IDs.
	notSecret = regexp.MustCompile(`^(?:[a-z]{2,12}_[A-Za-z0-9]+|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$`)
)

// String returns s with every key-looking part replaced by Marker.
func String(s string) string { return none.String(s) }

// patterns replaces every key-looking part of s by Marker.
func patterns(s string) string {
	if s == "" {
		return s
	}
	s = redactNamed(s)
	if mayHoldKey(s) {
		s = keyPattern.ReplaceAllStringFunc(s, func(m string) string {
			switch {
			case strings.HasPrefix(strings.ToLower(m), "bearer"):
				return m[:len("Bearer ")] + Marker
			case strings.HasPrefix(m, "://"):
				return "://" + Marker + "@"
			}
			return Marker
		})
	}
	if !hasToken(s) {
		return s
	}
	return tokenPattern.ReplaceAllStringFunc(s, func(m string) string {
		if highEntropy(m) {
			return Marker
		}
		return m
	})
}

// mayHoldKey is false only for text keyPattern cannot match: ASCII text in which no
// alternative of it starts ((?i) folds some other letters, such as U+212A, to ASCII ones).
func mayHoldKey(s string) bool {
	for i := 0; i < len(s); i++ {
		c, rest := s[i], s[i:]
		if c >= utf8.RuneSelf {
			return true
		}
		switch c | 0x20 { // ASCII lower case, for letters
		case 's', 'p', 'r': // sk-, pk-, rk-: 8 key characters
			if len(rest) > 3 && rest[1]|0x20 == 'k' && (rest[2] == '-' || rest[2] == '_') && span(rest[3:], isKeyChar) >= 8 {
				return true
			}
		case 'b': // Bearer, white space, 6 token characters
			if len(rest) > 6 && strings.EqualFold(rest[:6], "bearer") {
				n := span(rest[6:], isSpace)
				if n > 0 && span(rest[6+n:], isTokenChar) >= 6 {
					return true
				}
			}
		case 'e': // a JWT: eyJ and 6 key characters
			if len(rest) > 3 && strings.EqualFold(rest[:3], "eyj") && span(rest[3:], isKeyChar) >= 6 {
				return true
			}
		}
		if strings.HasPrefix(rest, "://") {
			return true
		}
	}
	return false
}

// hasToken reports whether tokenPattern matches s: 24 key characters in a row.
func hasToken(s string) bool {
	for i := 0; i < len(s); i++ {
		n := span(s[i:], isKeyChar)
		if n >= 24 {
			return true
		}
		i += n
	}
	return false
}

// span returns how many bytes s starts with that are in, one by one.
func span(s string, in func(byte) bool) int {
	n := 0
	for n < len(s) && in(s[n]) {
		n++
	}
	return n
}

// The classes of keyPattern and tokenPattern: [A-Za-z0-9_-], [A-Za-z0-9._~+/=-] and \s.
func isKeyChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}
func isTokenChar(c byte) bool { return isKeyChar(c) || strings.IndexByte("._~+/=", c) >= 0 }
func isSpace(c byte) bool     { return strings.IndexByte("\t\n\f\r ", c) >= 0 }

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
func Value(name, v string) string { return none.Value(name, v) }

// Header returns a copy of h with every secret value replaced by Marker.
func Header(h http.Header) http.Header { return none.Header(h) }

// Query returns q with every secret value replaced by Marker.
func Query(q url.Values) url.Values { return none.Query(q) }

// URL returns the URL string raw with its credentials and secret query values redacted.
// A string that does not parse is redacted as text.
func URL(raw string) string { return none.URL(raw) }

// Body returns b with secrets redacted: a JSON body value by value (so that it stays
// valid JSON), any other body as text.
func Body(b []byte) []byte { return none.Body(b) }

// Line is String made safe to print as one line (see Redactor.Line).
func Line(s string) string { return none.Line(s) }

// rawQuery redacts the values of secret parameters in a raw query, keeping the rest of its
// text as it is (even where it does not decode).
func (r *Redactor) rawQuery(q string) string {
	if q == "" {
		return q
	}
	pairs := strings.Split(q, "&")
	for i, p := range pairs {
		name, v, ok := strings.Cut(p, "=")
		if n, err := url.QueryUnescape(name); err == nil {
			name = n
		}
		secret := IsSecretName(name)
		if u, err := url.QueryUnescape(v); err == nil && r.isSecret(u) {
			secret = true
		}
		if ok && v != "" && v != markerEscaped && secret {
			pairs[i] = p[:len(p)-len(v)] + markerEscaped
		}
	}
	return strings.Join(pairs, "&")
}
