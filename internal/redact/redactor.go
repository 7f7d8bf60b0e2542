package redact

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MinSecret is the length from which a known secret is masked wherever it appears in text;
// a shorter one is masked only where it is a whole value (a header, query parameter or JSON
// string), so that a key such as "x" does not turn "expired" into "e[REDACTED]pired".
const MinSecret = 8

// Redactor masks the secrets it was built with, in every form they take in output (raw,
// URL-encoded, JSON-escaped, as a JSON pointer token), then every key-looking part. Build
// one per process with New; a nil Redactor masks key-looking parts only.
type Redactor struct {
	exact    map[string]bool   // every secret, for whole values
	folded   map[string]bool   // every secret in lower case, for header names
	replacer *strings.Replacer // the forms of the secrets of MinSecret bytes or more
	longest  int               // the length of the longest form
}

// none masks key-looking parts only: what the package's functions do.
var none *Redactor

// New returns a Redactor for secrets; empty ones are ignored.
func New(secrets ...string) *Redactor {
	r := &Redactor{exact: map[string]bool{}, folded: map[string]bool{}}
	seen := map[string]bool{}
	var all []string
	for _, s := range secrets {
		for _, s := range []string{s, strings.TrimSpace(s)} {
			if s == "" || s == Marker {
				continue
			}
			r.exact[s], r.folded[strings.ToLower(s)] = true, true
			if len(s) < MinSecret {
				continue
			}
			for _, f := range forms(s) {
				// A form inside the marker would be found again in what replaced it.
				if !seen[f] && !strings.Contains(Marker, f) && !strings.Contains(markerEscaped, f) {
					seen[f] = true
					all = append(all, f)
				}
			}
		}
	}
	if len(all) == 0 {
		return r
	}
	// strings.Replacer tries its patterns in argument order: the longest first.
	slices.SortFunc(all, func(a, b string) int { return len(b) - len(a) })
	r.longest = len(all[0])
	pairs := make([]string, 0, 2*len(all))
	for _, f := range all {
		pairs = append(pairs, f, Marker)
	}
	r.replacer = strings.NewReplacer(pairs...)
	return r
}

// forms returns the ways s may be written in a URL, a JSON document or a JSON pointer.
func forms(s string) []string {
	q, p := url.QueryEscape(s), url.PathEscape(s)
	out := []string{s, q, p, lowerHex(q), lowerHex(p), jsonEscape(s, true), jsonEscape(s, false), asciiJSON(s),
		strings.ReplaceAll(jsonEscape(s, false), "/", `\/`), strings.NewReplacer("~", "~0", "/", "~1").Replace(s)}
	return out
}

// lowerHex writes the hex digits of s's %XX escapes in lower case.
func lowerHex(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1], b[i+2] = lower(b[i+1]), lower(b[i+2])
		}
	}
	return string(b)
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// jsonEscape is s as encoding/json writes it inside a string, with or without escaping
// HTML characters.
func jsonEscape(s string, html bool) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(html)
	_ = enc.Encode(s) // a string always encodes
	out := strings.TrimSuffix(b.String(), "\n")
	return out[1 : len(out)-1]
}

// asciiJSON is s inside a JSON string with every character outside printable ASCII
// escaped as \uXXXX, as ASCII-only encoders write it.
func asciiJSON(s string) string {
	var b strings.Builder
	for _, r := range jsonEscape(strings.ToValidUTF8(s, "\uFFFD"), false) {
		switch {
		case r < 0x80:
			b.WriteRune(r)
		case r > 0xFFFF:
			r -= 0x10000
			fmt.Fprintf(&b, `\u%04x\u%04x`, 0xD800+(r>>10), 0xDC00+(r&0x3FF))
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

// Longest is the length of the longest text r masks as a known secret (0: none), so that
// a caller cutting text can keep enough of it to mask a secret across the cut.
func (r *Redactor) Longest() int {
	if r == nil {
		return 0
	}
	return r.longest
}

// String returns s with every known secret, then every key-looking part, replaced by
// Marker; s that is a secret as a whole, however short, is Marker.
func (r *Redactor) String(s string) string {
	if r.isSecret(strings.TrimSpace(s)) {
		return Marker
	}
	if r != nil && r.replacer != nil {
		s = r.replacer.Replace(s)
	}
	return patterns(s)
}

// Line is String made safe to print on one line of a terminal, a log or a report: every
// control, format or line-separator character and every invalid UTF-8 byte is escaped
// (\n, \x1b, \u202e), so that no text can move the cursor, colour or forge a line.
func (r *Redactor) Line(s string) string { return Escape(r.String(s)) }

// Escape is Line without the redaction, for text the user gave (a file name).
func Escape(s string) string {
	i := 0
	for i < len(s) && s[i] >= 0x20 && s[i] < 0x7f {
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.WriteString(s[:i])
	for i < len(s) {
		c, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < 0x80 && (c < 0x20 || c == 0x7f):
			fmt.Fprintf(&b, `\x%02x`, c)
		case unicode.In(c, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp):
			fmt.Fprintf(&b, `\u%04x`, c)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// isSecret reports whether v is one of r's secrets.
func (r *Redactor) isSecret(v string) bool { return r != nil && r.exact[v] }

// Name redacts a header, query parameter or JSON property name; a secret as the whole
// name is found in any case, as net/http canonicalizes header names.
func (r *Redactor) Name(n string) string {
	if r != nil && r.folded[strings.ToLower(n)] {
		return Marker
	}
	return r.String(n)
}

// Value redacts the value of a header, query parameter or JSON property called name.
func (r *Redactor) Value(name, v string) string {
	if v == "" {
		return v
	}
	if IsSecretName(name) || r.isSecret(strings.TrimSpace(v)) {
		if strings.TrimSpace(v) == Marker {
			return v // redacted already
		}
		if f := strings.Fields(v); len(f) == 2 && strings.EqualFold(f[0], "bearer") {
			return f[0] + " " + Marker
		}
		return Marker
	}
	return r.String(v)
}

// Header returns a copy of h with every secret name and value replaced by Marker.
func (r *Redactor) Header(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	return http.Header(r.values(h))
}

// Query returns q with every secret name and value replaced by Marker.
func (r *Redactor) Query(q url.Values) url.Values {
	if q == nil {
		return nil
	}
	return url.Values(r.values(q))
}

func (r *Redactor) values(m map[string][]string) map[string][]string {
	out := make(map[string][]string, len(m))
	for k, vs := range m {
		rv := make([]string, len(vs))
		for i, v := range vs {
			rv[i] = r.Value(k, v)
		}
		nk := r.Name(k)
		out[nk] = append(out[nk], rv...)
	}
	return out
}

// URL returns the URL string raw with its credentials, known secrets and secret query
// values redacted. A string that does not parse is redacted as text.
func (r *Redactor) URL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" { // not a URL, or not one with a path ("name:value")
		return r.String(raw)
	}
	if u.User != nil && u.User.String() != url.User(Marker).String() {
		u.User = url.User(Marker)
	}
	u.RawQuery = r.rawQuery(u.RawQuery)
	return r.String(u.String())
}

// Body returns b with secrets redacted: a JSON body name by name and value by value (so
// that it stays valid JSON), any other body as text.
func (r *Redactor) Body(b []byte) []byte {
	trimmed := bytes.TrimSpace(b)
	if len(trimmed) == 0 {
		return b
	}
	if trimmed[0] == '{' || trimmed[0] == '[' {
		var v any
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if dec.Decode(&v) == nil && !dec.More() {
			rv, changed := r.jsonValue("", v)
			if !changed {
				return b
			}
			out, err := json.Marshal(rv)
			if err == nil {
				return out
			}
		}
	}
	s := r.String(string(b))
	if s == string(b) {
		return b
	}
	return []byte(s)
}

// jsonValue redacts v, a decoded JSON value held under the property name, and reports
// whether anything changed. A property whose redacted name another already has gets a
// "#2" (#3, ...) suffix, so that no value is lost.
func (r *Redactor) jsonValue(name string, v any) (any, bool) {
	switch v := v.(type) {
	case string:
		rv := r.Value(name, v)
		return rv, rv != v
	case map[string]any:
		changed := false
		var renamed []string
		for k, e := range v {
			if rv, c := r.jsonValue(k, e); c {
				v[k], changed = rv, true
			}
			if r.Name(k) != k {
				renamed = append(renamed, k)
			}
		}
		slices.Sort(renamed)
		for _, k := range renamed {
			base := r.Name(k)
			nk := base
			for n := 2; ; n++ {
				if _, taken := v[nk]; !taken {
					break
				}
				nk = fmt.Sprintf("%s#%d", base, n)
			}
			v[nk] = v[k]
			delete(v, k)
			changed = true
		}
		return v, changed
	case []any:
		changed := false
		for i, e := range v {
			if rv, c := r.jsonValue(name, e); c {
				v[i], changed = rv, true
			}
		}
		return v, changed
	}
	return v, false
}
