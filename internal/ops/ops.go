// Package ops finds which operation of api/openapi.yaml a request is, by method and path,
// from the spec's own path templates.
package ops

import (
	"net/url"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Op is one operation of the spec.
type Op struct {
	ID     string // operationId
	Method string // upper case, as in HTTP
	Path   string // the path template
	segs   []string
}

// Matcher matches requests to the operations of one spec; it is read-only once built.
type Matcher struct{ ops []Op }

// New builds a Matcher over every operation of doc.
func New(doc *openapi3.T) *Matcher {
	m := &Matcher{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			// gen/spec embeds the document with oapi-codegen's capitalised operationIds;
			// api/openapi.yaml's start in lower case.
			id := op.OperationID
			if id != "" {
				id = strings.ToLower(id[:1]) + id[1:]
			}
			m.ops = append(m.ops, Op{ID: id, Method: method, Path: path, segs: strings.Split(path, "/")[1:]})
		}
	}
	// The longest template first: /threads/threads/runs is a createRun, not /threads/runs
	// under a prefix; then by ID, so that the order never depends on a map.
	slices.SortFunc(m.ops, func(a, b Op) int {
		if len(a.segs) != len(b.segs) {
			return len(b.segs) - len(a.segs)
		}
		return strings.Compare(a.ID, b.ID)
	})
	return m
}

// Ops lists the operations, longest path template first.
func (m *Matcher) Ops() []Op { return m.ops }

// ByID returns the operation with this operationId.
func (m *Matcher) ByID(id string) (Op, bool) {
	i := slices.IndexFunc(m.ops, func(o Op) bool { return o.ID == id })
	if i < 0 {
		return Op{}, false
	}
	return m.ops[i], true
}

// Match returns the operation of method (any, when empty) on escapedPath, which may carry
// any prefix (such as /v1) before the template, and its path parameters, unescaped (an
// empty one matches, so that callers can say it is empty).
func (m *Matcher) Match(method, escapedPath string) (Op, map[string]string, bool) {
	for _, op := range m.ops {
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
func (m *Matcher) Allowed(escapedPath string) []string {
	var methods []string
	for _, op := range m.ops {
		if _, ok := op.Params(escapedPath); ok && !slices.Contains(methods, op.Method) {
			methods = append(methods, op.Method)
		}
	}
	slices.Sort(methods)
	return methods
}

// Params matches escapedPath's last segments against op's template and returns the path
// parameters, unescaped.
func (op Op) Params(escapedPath string) (map[string]string, bool) {
	segs := strings.Split(escapedPath, "/")
	if len(segs) < len(op.segs)+1 {
		return nil, false
	}
	segs = segs[len(segs)-len(op.segs):]
	params := map[string]string{}
	for i, t := range op.segs {
		name, isVar := strings.CutPrefix(t, "{")
		if !isVar {
			if segs[i] != t {
				return nil, false
			}
			continue
		}
		v, err := url.PathUnescape(segs[i])
		if err != nil {
			return nil, false
		}
		params[strings.TrimSuffix(name, "}")] = v
	}
	return params, true
}

// Segments returns op's path segments with params in place of the template's variables,
// unescaped (an unknown variable gives an empty segment).
func (op Op) Segments(params map[string]string) []string {
	segs := make([]string, len(op.segs))
	for i, t := range op.segs {
		if name, isVar := strings.CutPrefix(t, "{"); isVar {
			segs[i] = params[strings.TrimSuffix(name, "}")]
		} else {
			segs[i] = t
		}
	}
	return segs
}
