package contract

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// schemaViolations validates a decoded body (see decodeJSON) against schema with
// kin-openapi, the judge of every schema verdict, and turns its errors into violations.
func (v *Validator) schemaViolations(schema *openapi3.Schema, body any) []Violation {
	err := schema.VisitJSON(body, openapi3.MultiErrors(), openapi3.VisitAsResponse())
	var vs []Violation
	for _, f := range v.findings(err) {
		vs = append(vs, Violation{Check: CheckSchema, Location: pointer(f.ptr), Value: f.value, Rule: f.rule})
	}
	return vs
}

// finding is one schema error, located by the JSON pointer tokens of the value.
type finding struct {
	ptr   []string
	value string
	rule  string
}

// findings flattens a kin-openapi validation error: a MultiError into its parts, an allOf
// into its members, a oneOf into one line naming each branch and why it failed.
func (v *Validator) findings(err error) []finding {
	switch e := err.(type) {
	case nil:
		return nil
	case openapi3.MultiError:
		var fs []finding
		for _, m := range e {
			fs = append(fs, v.findings(m)...)
		}
		return fs
	case *openapi3.SchemaError:
		return v.schemaError(e)
	}
	return []finding{{rule: truncate(v.red.String(err.Error()), 200)}}
}

// members returns the errors of the branches of a oneOf or allOf error.
func members(e *openapi3.SchemaError) []error {
	var me openapi3.MultiError
	if e.Origin != nil && errors.As(e.Origin, &me) {
		return me
	}
	return nil
}

func (v *Validator) schemaError(e *openapi3.SchemaError) []finding {
	ptr := e.JSONPointer()
	s := e.Schema
	switch e.SchemaField {
	case "allOf":
		var fs []finding
		for _, m := range members(e) {
			fs = append(fs, v.findings(m)...)
		}
		return fs
	case "oneOf":
		// kin-openapi tries the branches before the union's own type: that type speaks first.
		if _, isObject := e.Value.(map[string]any); s.Type.Is(openapi3.TypeObject) && !isObject {
			rule := "is not an object"
			if e.Value == nil {
				rule = "is not allowed"
			}
			return []finding{{ptr, v.render(e.Value), rule}}
		}
		names := v.branchNames(s.OneOf)
		if errors.Is(e.Origin, openapi3.ErrOneOfConflict) {
			return []finding{{ptr, v.render(e.Value), "matches more than one of " + strings.Join(names, ", ")}}
		}
		branches := members(e)
		if chosen := discriminated(s, e.Value); chosen != "" {
			// The discriminator chose the branch: its errors are the findings.
			var fs []finding
			for _, b := range branches {
				fs = append(fs, v.findings(b)...)
			}
			return fs
		}
		var parts []string
		for i, b := range branches {
			name := fmt.Sprintf("branch %d", i+1)
			if len(branches) == len(names) {
				name = names[i]
				if nullOnly(s.OneOf[i].Value) {
					parts = append(parts, name+": is not null")
					continue
				}
			}
			var why []string
			for _, f := range v.findings(b) {
				why = append(why, f.relative(ptr))
			}
			parts = append(parts, name+": "+strings.Join(why, ", "))
		}
		return []finding{{ptr, v.render(e.Value), "matches no branch of " + v.schemaName(s, "the oneOf") + " [" + strings.Join(parts, "; ") + "]"}}
	case "discriminator":
		pn := s.Discriminator.PropertyName
		keys := strings.Join(slices.Sorted(maps.Keys(s.Discriminator.Mapping)), ", ")
		switch dv := e.Value.(type) {
		case string:
			return []finding{{append(ptr, pn), v.render(dv), "is not one of " + keys}}
		case nil:
			if strings.Contains(e.Reason, "does not contain") {
				return []finding{{ptr, "", fmt.Sprintf("has no %q property to choose one of %s", pn, keys)}}
			}
		}
		return []finding{{append(ptr, pn), v.render(e.Value), "is not a string"}}
	}
	if name, ok := undeclared(e); ok {
		return []finding{{append(ptr, name), "", "is not a property of " + v.schemaName(s, "this closed object")}}
	}
	return []finding{{ptr, v.valueOf(e), ruleOf(e)}}
}

// undeclared returns the property a closed object (additionalProperties: false) rejects.
func undeclared(e *openapi3.SchemaError) (string, bool) {
	q, ok := strings.CutPrefix(e.Reason, "property ")
	if q, ok = strings.CutSuffix(q, " is unsupported"); !ok || e.SchemaField != "properties" {
		return "", false
	}
	name, err := strconv.Unquote(q)
	return name, err == nil
}

// relative renders f inside a oneOf branch located at base: a pointer relative to base,
// and the value only when it is not the whole branch value.
func (f finding) relative(base []string) string {
	var parts []string
	if len(f.ptr) > len(base) {
		parts = append(parts, pointer(f.ptr[len(base):]))
		if f.value != "" {
			parts = append(parts, f.value)
		}
	}
	return strings.Join(append(parts, f.rule), " ")
}

// discriminated returns the branch reference a discriminator chooses for value, or "".
func discriminated(s *openapi3.Schema, value any) string {
	if s.Discriminator == nil {
		return ""
	}
	obj, ok := value.(map[string]any)
	if !ok {
		return ""
	}
	dv, ok := obj[s.Discriminator.PropertyName].(string)
	if !ok {
		return ""
	}
	return s.Discriminator.Mapping[dv].Ref
}

// branchNames names the branches of a union by their component names.
func (v *Validator) branchNames(refs openapi3.SchemaRefs) []string {
	names := make([]string, len(refs))
	for i, r := range refs {
		names[i] = v.schemaName(r.Value, fmt.Sprintf("branch %d", i+1))
		if r.Ref != "" {
			names[i] = r.Ref[strings.LastIndex(r.Ref, "/")+1:]
		}
	}
	return names
}

func (v *Validator) schemaName(s *openapi3.Schema, fallback string) string {
	if n, ok := v.names[s]; ok {
		return n
	}
	return fallback
}

// valueOf renders the value of e, or nothing when the rule describes it.
func (v *Validator) valueOf(e *openapi3.SchemaError) string {
	switch e.SchemaField {
	case "required", "minItems", "maxItems", "minProperties", "maxProperties", "uniqueItems":
		return ""
	}
	return v.render(e.Value)
}

// ruleOf states the rule e breaks, from the schema, without dumping it.
func ruleOf(e *openapi3.SchemaError) string {
	s := e.Schema
	switch e.SchemaField {
	case "type":
		if s.Type != nil && len(*s.Type) > 0 {
			return "is not " + article(strings.Join(*s.Type, " or "))
		}
	case "enum":
		vals := make([]string, len(s.Enum))
		for i, x := range s.Enum {
			vals[i] = fmt.Sprint(x)
		}
		return "is not one of " + strings.Join(vals, ", ")
	case "nullable":
		return "is not allowed"
	case "required":
		return "required property is missing" + since(e)
	case "minimum":
		if s.Min != nil {
			return fmt.Sprintf("is less than the minimum %v", *s.Min)
		}
	case "maximum":
		if s.Max != nil {
			return fmt.Sprintf("is greater than the maximum %v", *s.Max)
		}
	case "minLength":
		return fmt.Sprintf("is shorter than %d characters", s.MinLength)
	case "maxLength":
		if s.MaxLength != nil {
			return fmt.Sprintf("is longer than %d characters", *s.MaxLength)
		}
	case "pattern":
		return "does not match " + s.Pattern
	case "minItems":
		return fmt.Sprintf("has %d items, fewer than the minimum %d", count(e.Value), s.MinItems)
	case "maxItems":
		if s.MaxItems != nil {
			return fmt.Sprintf("has %d items, more than the maximum %d", count(e.Value), *s.MaxItems)
		}
	case "minProperties":
		return fmt.Sprintf("has %d properties, fewer than the minimum %d", count(e.Value), s.MinProps)
	case "maxProperties":
		if s.MaxProps != nil {
			return fmt.Sprintf("has %d properties, more than the maximum %d", count(e.Value), *s.MaxProps)
		}
	case "uniqueItems":
		return "has duplicate items"
	}
	if e.Reason != "" {
		return e.Reason
	}
	return "does not match the schema's " + e.SchemaField
}

// since explains a missing property that the spec marks as added later (x-since): an
// older answer lacks it (api/DECISIONS.md D23).
func since(e *openapi3.SchemaError) string {
	ptr := e.JSONPointer()
	if len(ptr) == 0 || e.Schema == nil {
		return ""
	}
	p := e.Schema.Properties[ptr[len(ptr)-1]]
	if p == nil || p.Value == nil {
		return ""
	}
	if s, ok := p.Value.Extensions["x-since"].(string); ok && s != "" {
		return " (sent since " + s + "; answers from before lack it)"
	}
	return ""
}

func article(typ string) string {
	if typ != "" && strings.ContainsRune("aeiou", rune(typ[0])) {
		return "an " + typ
	}
	return "a " + typ
}

func count(v any) int {
	switch v := v.(type) {
	case []any:
		return len(v)
	case map[string]any:
		return len(v)
	}
	return 0
}
