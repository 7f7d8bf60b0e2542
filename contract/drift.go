package contract

import (
	"maps"
	"slices"
	"strconv"

	"github.com/getkin/kin-openapi/openapi3"
)

// checkDrift reports properties present in body but not declared by schema, by pointer:
// a notice, or a failure in strict mode. Free-form objects (additionalProperties: true or
// a schema) are not drift.
func (v *Validator) checkDrift(schema *openapi3.Schema, body any) []Violation {
	var vs []Violation
	var walk func(s *openapi3.Schema, val any, ptr []string)
	walk = func(s *openapi3.Schema, val any, ptr []string) {
		for s != nil && len(s.AllOf) == 1 && len(s.Properties) == 0 && len(s.OneOf) == 0 {
			s = s.AllOf[0].Value // the nullable wrapper allOf: [$ref]
		}
		if s == nil || val == nil {
			return
		}
		if len(s.OneOf) > 0 {
			walk(matchingBranch(s, val), val, ptr)
			return
		}
		switch val := val.(type) {
		case []any:
			if s.Items == nil {
				return
			}
			for i, item := range val {
				walk(s.Items.Value, item, append(slices.Clip(ptr), strconv.Itoa(i)))
			}
		case map[string]any:
			sh, ok := v.shapes[s]
			if !ok {
				sh = shapeOf(s)
			}
			props, open := sh.props, sh.open
			for _, k := range slices.Sorted(maps.Keys(val)) {
				p := append(slices.Clip(ptr), k)
				switch ps, ok := props[k]; {
				case ok:
					walk(ps, val[k], p)
				case s.AdditionalProperties.Schema != nil:
					walk(s.AdditionalProperties.Schema.Value, val[k], p)
				case !open:
					vs = append(vs, v.drift(pointer(p)))
				}
			}
		}
	}
	walk(schema, body, nil)
	return vs
}

// shape is what an object schema declares: its properties, its allOf members' included,
// and whether it admits any other property (additionalProperties true or a schema, or no
// properties declared at all).
type shape struct {
	props map[string]*openapi3.Schema
	open  bool
}

func shapeOf(s *openapi3.Schema) shape {
	props := map[string]*openapi3.Schema{}
	var collect func(s *openapi3.Schema)
	collect = func(s *openapi3.Schema) {
		for name, p := range s.Properties {
			props[name] = p.Value
		}
		for _, m := range s.AllOf {
			collect(m.Value)
		}
	}
	collect(s)
	_, open := undeclaredRule(s.AdditionalProperties, len(props) > 0)
	return shape{props, open}
}

// undeclaredRule is how an object schema that declares properties (or not) takes the
// others: closed rejects them (additionalProperties: false); open admits them as not drift
// (additionalProperties true or a schema, or no property declared).
func undeclaredRule(ap openapi3.AdditionalProperties, declares bool) (closed, open bool) {
	closed = ap.Has != nil && !*ap.Has
	return closed, ap.Has != nil && *ap.Has || ap.Schema != nil || !declares && !closed
}

// drift is the finding of an undeclared property or header at loc: a notice, or a
// failure in strict mode.
func (v *Validator) drift(loc string) Violation {
	sev := Notice
	if v.opts.Strict {
		sev = Failure
	}
	return Violation{Check: CheckDrift, Location: loc, Rule: "is not declared in the spec", Severity: sev}
}

// shapes precomputes the shape of every schema reachable from root.
func shapes(root *openapi3.Schema, into map[*openapi3.Schema]shape) {
	if root == nil {
		return
	}
	if _, done := into[root]; done {
		return
	}
	into[root] = shapeOf(root)
	for _, p := range root.Properties {
		shapes(p.Value, into)
	}
	for _, rs := range [][]*openapi3.SchemaRef{root.AllOf, root.OneOf, root.AnyOf} {
		for _, r := range rs {
			shapes(r.Value, into)
		}
	}
	if root.Items != nil {
		shapes(root.Items.Value, into)
	}
	if root.AdditionalProperties.Schema != nil {
		shapes(root.AdditionalProperties.Schema.Value, into)
	}
}

// matchingBranch returns the oneOf branch val belongs to: the one its discriminator names,
// else the only branch that accepts it; nil when that is not clear.
func matchingBranch(s *openapi3.Schema, val any) *openapi3.Schema {
	if ref := discriminated(s, val); ref != "" {
		for _, b := range s.OneOf {
			if b.Ref == ref {
				return b.Value
			}
		}
	}
	var match *openapi3.Schema
	for _, b := range s.OneOf {
		if b.Value.IsMatching(val) {
			if match != nil {
				return nil
			}
			match = b.Value
		}
	}
	return match
}
