// Package wire is the HTTP surface of api/openapi.yaml, built once per process from
// doc.gen.go (the embedded spec as Go): its operations and path templates, the credentials
// a request must carry; and the HTTP rules around them: Content-Encoding, JSON media types,
// response-body wrappers.
package wire

import (
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// Spec is the embedded spec and what this package reads from it. It is shared by every
// caller: read it, never change it.
type Spec struct {
	// Doc is the decoded spec without its servers (it is served and called on any host,
	// at / and /v1).
	Doc      *openapi3.T
	ops      []Op
	security [][]credential // per requirement, sorted by name
}

// Op is one operation of the spec.
type Op struct {
	ID     string // operationId
	Method string // upper case, as in HTTP
	Path   string // the path template
	segs   []string
}

// credential is one header a security scheme reads.
type credential struct {
	name string // as the spec writes it
	key  string // canonical, to index an http.Header without allocating
}

// Load returns the Spec, built on the first call only from doc.gen.go (the embedded spec
// as gen/spec decodes it, compiled in: no process decodes it).
var Load = sync.OnceValues(func() (*Spec, error) {
	doc := embeddedDoc()
	doc.Servers = nil
	return read(doc)
})

func read(doc *openapi3.T) (*Spec, error) {
	s := &Spec{Doc: doc}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.Security != nil {
				return nil, fmt.Errorf("%s %s declares its own security; every operation uses the document's", method, path)
			}
			// gen/spec embeds the document with oapi-codegen's capitalised operationIds;
			// api/openapi.yaml's start in lower case.
			id := op.OperationID
			if id != "" {
				id = strings.ToLower(id[:1]) + id[1:]
			}
			s.ops = append(s.ops, Op{ID: id, Method: method, Path: path, segs: strings.Split(path, "/")[1:]})
		}
	}
	// The longest template first: /threads/threads/runs is a createRun, not /threads/runs
	// under a prefix; then by ID, so that the order never depends on a map.
	slices.SortFunc(s.ops, func(a, b Op) int {
		if len(a.segs) != len(b.segs) {
			return len(b.segs) - len(a.segs)
		}
		return strings.Compare(a.ID, b.ID)
	})
	for _, req := range doc.Security {
		var creds []credential
		for name := range req {
			sc := doc.Components.SecuritySchemes[name]
			if sc == nil || sc.Value == nil {
				return nil, fmt.Errorf("unknown security scheme %q", name)
			}
			switch v := sc.Value; {
			case v.Type == "apiKey" && v.In == "header":
				creds = append(creds, credential{v.Name, textproto.CanonicalMIMEHeaderKey(v.Name)})
			case v.Type == "http" && strings.EqualFold(v.Scheme, "bearer"):
				creds = append(creds, credential{"Authorization", "Authorization"})
			default:
				return nil, fmt.Errorf("security scheme %q is not supported", name)
			}
		}
		slices.SortFunc(creds, func(a, b credential) int { return strings.Compare(a.name, b.name) })
		s.security = append(s.security, creds)
	}
	if len(s.security) == 0 {
		return nil, errors.New("the spec has no security requirement")
	}
	return s, nil
}

// Ops lists the operations, longest path template first.
func (s *Spec) Ops() []Op { return s.ops }

// ByID returns the operation with this operationId.
func (s *Spec) ByID(id string) (Op, bool) {
	i := slices.IndexFunc(s.ops, func(o Op) bool { return o.ID == id })
	if i < 0 {
		return Op{}, false
	}
	return s.ops[i], true
}

// Match returns the operation of method (any, when empty) on escapedPath, which may carry
// any prefix (such as /v1) before the template, and its path parameters, unescaped (an
// empty one matches, so that callers can say it is empty).
func (s *Spec) Match(method, escapedPath string) (Op, map[string]string, bool) {
	for _, op := range s.ops {
		if method != "" && op.Method != method {
			continue
		}
		if params, ok := op.Params(escapedPath); ok {
			return op, params, true
		}
	}
	return Op{}, nil, false
}

// Allowed returns the methods of the operations whose template escapedPath matches.
func (s *Spec) Allowed(escapedPath string) []string {
	var methods []string
	for _, op := range s.ops {
		if _, ok := op.Params(escapedPath); ok && !slices.Contains(methods, op.Method) {
			methods = append(methods, op.Method)
		}
	}
	slices.Sort(methods)
	return methods
}

// Params matches escapedPath's last segments against op's template and returns the path
// parameters, unescaped. It allocates only for a match.
func (op Op) Params(escapedPath string) (map[string]string, bool) {
	start := len(escapedPath)
	for range op.segs {
		if start = strings.LastIndexByte(escapedPath[:start], '/'); start < 0 {
			return nil, false
		}
	}
	tail := escapedPath[min(start+1, len(escapedPath)):] // len(op.segs) segments
	for rest, i := tail, 0; i < len(op.segs); i++ {
		var seg string
		seg, rest, _ = strings.Cut(rest, "/")
		if t := op.segs[i]; !strings.HasPrefix(t, "{") && seg != t {
			return nil, false
		}
	}
	params := make(map[string]string, 2)
	for rest, i := tail, 0; i < len(op.segs); i++ {
		var seg string
		seg, rest, _ = strings.Cut(rest, "/")
		name, isVar := strings.CutPrefix(op.segs[i], "{")
		if !isVar {
			continue
		}
		v, err := url.PathUnescape(seg)
		if err != nil {
			return nil, false
		}
		params[strings.TrimSuffix(name, "}")] = v
	}
	return params, true
}

// DotSegment reports whether id is "." or "..": URL resolution and normalising proxies
// remove such a path segment (RFC 3986 5.2.4), so no request can carry it as a path ID.
func DotSegment(id string) bool { return id == "." || id == ".." }

// Security lists the spec's security requirements, each as the header names its
// credentials are sent in, sorted ("Authorization" for the bearer token).
func (s *Spec) Security() [][]string {
	reqs := make([][]string, len(s.security))
	for i, creds := range s.security {
		for _, c := range creds {
			reqs[i] = append(reqs[i], c.name)
		}
	}
	return reqs
}

// Missing returns nil when h meets one of the security requirements, else the headers
// missing from the requirement closest to being met. It does not allocate when h meets one.
func (s *Spec) Missing(h http.Header) []string {
	best, fewest := 0, -1
	for i, creds := range s.security {
		n := 0
		for _, c := range creds {
			if !sent(h, c.key) {
				n++
			}
		}
		if n == 0 {
			return nil
		}
		if fewest < 0 || n < fewest {
			best, fewest = i, n
		}
	}
	var missing []string
	for _, c := range s.security[best] {
		if !sent(h, c.key) {
			missing = append(missing, c.name)
		}
	}
	return missing
}

// Sent reports whether h carries the credential header name as Portkey reads it: a value
// that is not blank, and for Authorization the Bearer scheme with a token.
func Sent(h http.Header, name string) bool {
	return sent(h, textproto.CanonicalMIMEHeaderKey(name))
}

func sent(h http.Header, key string) bool {
	var v string
	if vs := h[key]; len(vs) > 0 {
		v = strings.TrimSpace(vs[0])
	}
	if key != "Authorization" {
		return v != ""
	}
	scheme, token, _ := strings.Cut(v, " ")
	return strings.EqualFold(scheme, "bearer") && strings.TrimSpace(token) != ""
}
