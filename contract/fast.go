package contract

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/bits"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
)

// The fast path answers the common case, a 200 Run body that conforms, in one pass over
// its bytes, without decoding it into values and without kin-openapi. It is compiled from
// the spec's schemas at New and accepts a body only when kin-openapi would: it knows the
// keywords the spec uses, refuses to compile any other, and gives up ("unsure") on
// anything that is not plainly valid (a violation, a duplicate key, an escaped enum,
// 1.0 for an integer, ...). Then the full path runs: kin-openapi judges and reports.
// TestFastPathMatchesKin holds the two to the same verdicts. On the way it gathers the
// facts the semantic checks read (TestFactsAgree holds them to the full path's).

// jsonType is a set of JSON value kinds a schema accepts.
type jsonType uint8

const (
	tBool jsonType = 1 << iota
	tNumber
	tString
	tArray
	tObject
	tAll = tBool | tNumber | tString | tArray | tObject
)

// node is one compiled schema.
type node struct {
	types      jsonType
	nullable   bool
	any        bool // the empty schema: any value but null
	requireInt bool // type integer

	enum           *lookup // strings only
	minLen, maxLen int     // maxLen < 0: none
	pattern        *regexp.Regexp
	min, max       *float64

	items              *node // nil: items unconstrained
	minItems, maxItems int   // maxItems < 0: none

	free               bool // an object whose content is not constrained at all
	names              []string
	index              lookup // of names
	props              []*node
	required           uint64 // bit i: names[i] is required
	additional         *node  // additionalProperties schema
	closed             bool   // additionalProperties: false
	open               bool   // undeclared properties are not drift
	minProps, maxProps int    // maxProps < 0: none

	oneOf      []*node
	discProp   string
	discValues lookup // the discriminator's values
	discBranch []int  // discValues' branches (indexes of oneOf); -1: none

	topFields []int8 // root Run only: the rootFields index of names[i], or -1
}

// rootFields are the root properties whose values fill the facts, captured while
// scanning: fID to fError, timestamps in the order of timestampNames.
var rootFields = append([]string{"id", "thread_id", "status", "metadata", "message", "error"}, timestampNames[:]...)

const (
	fID = iota
	fThreadID
	fStatus
	fMetadata
	fMessage
	fError
	fTimes // the first timestamp
)

var errUnsupported = errors.New("schema uses a keyword the fast path does not know")

type compiler map[*openapi3.Schema]*node

// compileFast compiles the Run schema, or fails when any schema reachable from it uses a
// keyword the fast path does not implement exactly as kin-openapi does.
func compileFast(run *openapi3.Schema) (*node, error) {
	c := compiler{}
	n, err := c.compile(run)
	if err != nil {
		return nil, err
	}
	if n.free || n.any || n.oneOf != nil || len(n.names) == 0 {
		return nil, errUnsupported
	}
	root := *n
	root.topFields = make([]int8, len(root.names))
	for i, name := range root.names {
		root.topFields[i] = int8(slices.Index(rootFields, name))
		if root.topFields[i] == fMetadata && root.props[i].oneOf != nil {
			return nil, errUnsupported // its keys would be gathered once per branch tried
		}
	}
	return &root, nil
}

func (c compiler) compile(s *openapi3.Schema) (*node, error) {
	if s == nil {
		return nil, errUnsupported
	}
	if n, ok := c[s]; ok {
		return n, nil
	}
	if nullOnly(s) {
		n := &node{nullable: true}
		c[s] = n
		return n, nil
	}
	if unsupported(s) {
		return nil, fmt.Errorf("%w (%s)", errUnsupported, s.Description)
	}
	// The nullable wrapper: {nullable: true, allOf: [$ref]}.
	if len(s.AllOf) > 0 {
		if len(s.AllOf) != 1 || !onlyNullable(s) {
			return nil, errUnsupported
		}
		inner, err := c.compile(s.AllOf[0].Value)
		if err != nil {
			return nil, err
		}
		n := *inner
		n.nullable = n.nullable || s.Nullable
		c[s] = &n
		return &n, nil
	}
	n := &node{nullable: s.Nullable, maxLen: -1, maxItems: -1, maxProps: -1}
	c[s] = n
	if s.IsEmpty() {
		n.any, n.types = true, tAll
		return n, nil
	}
	if len(s.OneOf) > 0 {
		return n, c.oneOf(n, s)
	}
	if s.Discriminator != nil {
		return nil, errUnsupported
	}
	switch {
	case s.Type == nil:
		n.types = tAll
	case len(*s.Type) != 1:
		return nil, errUnsupported
	default:
		switch (*s.Type)[0] {
		case openapi3.TypeBoolean:
			n.types = tBool
		case openapi3.TypeInteger:
			n.types, n.requireInt = tNumber, true
		case openapi3.TypeNumber:
			n.types = tNumber
		case openapi3.TypeString:
			n.types = tString
		case openapi3.TypeArray:
			n.types = tArray
		case openapi3.TypeObject:
			n.types = tObject
		default:
			return nil, errUnsupported
		}
	}
	if f := s.Format; f != "" {
		_, isString := openapi3.SchemaStringFormats[f]
		_, isNumber := openapi3.SchemaNumberFormats[f]
		_, isInteger := openapi3.SchemaIntegerFormats[f]
		if isString || isNumber || isInteger {
			return nil, errUnsupported // kin checks this format
		}
	}
	if len(s.Enum) > 0 {
		var values []string
		for _, e := range s.Enum {
			str, ok := e.(string)
			if !ok {
				return nil, errUnsupported
			}
			values = append(values, str)
		}
		n.enum = newLookup(values)
	}
	n.minLen = int(s.MinLength)
	if s.MaxLength != nil {
		n.maxLen = int(min(*s.MaxLength, 1<<31))
	}
	if s.Pattern != "" {
		re, err := regexp.Compile(s.Pattern)
		if err != nil || strings.Contains(s.Pattern, `\u`) {
			return nil, errUnsupported
		}
		n.pattern = re
	}
	n.min, n.max = s.Min, s.Max
	n.minItems = int(min(s.MinItems, 1<<31))
	if s.MaxItems != nil {
		n.maxItems = int(min(*s.MaxItems, 1<<31))
	}
	if s.Items != nil {
		items, err := c.compile(s.Items.Value)
		if err != nil {
			return nil, err
		}
		n.items = items
	}
	return n, c.object(n, s)
}

func (c compiler) object(n *node, s *openapi3.Schema) error {
	if len(s.Properties) > 64 {
		return errUnsupported
	}
	n.names = slices.Sorted(maps.Keys(s.Properties))
	n.index = *newLookup(n.names)
	for _, name := range n.names {
		p, err := c.compile(s.Properties[name].Value)
		if err != nil {
			return err
		}
		n.props = append(n.props, p)
	}
	for _, r := range s.Required {
		i := slices.Index(n.names, r)
		if i < 0 {
			return errUnsupported
		}
		n.required |= 1 << i
	}
	n.minProps = int(min(s.MinProps, 1<<31))
	if s.MaxProps != nil {
		n.maxProps = int(min(*s.MaxProps, 1<<31))
	}
	ap := s.AdditionalProperties
	if ap.Schema != nil {
		add, err := c.compile(ap.Schema.Value)
		if err != nil {
			return err
		}
		n.additional = add
	}
	n.closed, n.open = undeclaredRule(ap, len(n.names) > 0)
	n.free = len(n.names) == 0 && n.additional == nil && !n.closed && n.minProps == 0 && n.maxProps < 0
	return nil
}

func (c compiler) oneOf(n *node, s *openapi3.Schema) error {
	n.types = tAll
	if s.Type != nil {
		if !s.Type.Is(openapi3.TypeObject) {
			return errUnsupported
		}
		n.types = tObject
	}
	if len(s.Properties) > 0 || len(s.Enum) > 0 || s.Items != nil || len(s.Required) > 0 ||
		s.AdditionalProperties.Has != nil || s.AdditionalProperties.Schema != nil || s.Format != "" {
		return errUnsupported
	}
	nulls := 0
	for _, b := range s.OneOf {
		bn, err := c.compile(b.Value)
		if err != nil {
			return err
		}
		n.oneOf = append(n.oneOf, bn)
		if bn.nullable {
			nulls++
		}
	}
	// kin-openapi admits null in a union when the union is nullable or exactly one branch is.
	n.nullable = n.nullable || nulls == 1
	d := s.Discriminator
	if d == nil {
		return nil
	}
	if len(d.Mapping) == 0 {
		return errUnsupported
	}
	n.discProp = d.PropertyName
	values := slices.Sorted(maps.Keys(d.Mapping))
	n.discValues = *newLookup(values)
	for _, value := range values {
		ref := d.Mapping[value].Ref
		if ref != "" && !strings.Contains(ref, "/") {
			ref = "#/components/schemas/" + ref
		}
		n.discBranch = append(n.discBranch, slices.IndexFunc(s.OneOf, func(b *openapi3.SchemaRef) bool { return b.Ref == ref }))
	}
	return nil
}

// lookup finds a string among a few known at New: by its length, then by comparison.
type lookup struct {
	values []string
	byLen  [][]int // byLen[n]: the indexes of the values of n bytes
}

func newLookup(values []string) *lookup {
	l := &lookup{values: values}
	for i, v := range values {
		for len(l.byLen) <= len(v) {
			l.byLen = append(l.byLen, nil)
		}
		l.byLen[len(v)] = append(l.byLen[len(v)], i)
	}
	return l
}

// find returns the index of b among the values, or -1.
func (l *lookup) find(b []byte) int {
	if len(b) < len(l.byLen) {
		for _, i := range l.byLen[len(b)] {
			if l.values[i] == string(b) {
				return i
			}
		}
	}
	return -1
}

// unsupported reports whether s sets any field besides those the fast path implements and
// annotations that do not affect validation.
func unsupported(s *openapi3.Schema) bool {
	c := withoutAnnotations(s)
	c.OneOf, c.AllOf, c.Type, c.Format, c.Enum, c.Nullable = nil, nil, nil, "", nil, false
	c.Min, c.Max, c.MinLength, c.MaxLength, c.Pattern = nil, nil, 0, nil, ""
	c.MinItems, c.MaxItems, c.Items = 0, nil, nil
	c.Required, c.Properties, c.MinProps, c.MaxProps = nil, nil, 0, nil
	c.AdditionalProperties, c.Discriminator = openapi3.AdditionalProperties{}, nil
	return !reflect.ValueOf(&c).Elem().IsZero() // DeepEqual with Schema{} (no float field) at a tenth of its cost
}

// onlyNullable reports whether s, besides allOf, sets only nullable and annotations.
func onlyNullable(s *openapi3.Schema) bool {
	c := withoutAnnotations(s)
	c.AllOf, c.Nullable = nil, false
	return reflect.ValueOf(&c).Elem().IsZero()
}

// nullOnly reports whether s is the spec's way to admit null alone (NullValue):
// {type: T, nullable: true, not: {type: T}}, besides annotations.
func nullOnly(s *openapi3.Schema) bool {
	if s == nil || !s.Nullable || s.Type == nil || s.Not == nil || s.Not.Value == nil {
		return false
	}
	c, not := withoutAnnotations(s), withoutAnnotations(s.Not.Value)
	c.Not, c.Nullable = nil, false
	return reflect.DeepEqual(c, openapi3.Schema{Type: s.Type}) && reflect.DeepEqual(not, openapi3.Schema{Type: s.Type})
}

// withoutAnnotations returns a copy of s without the fields that do not affect validation.
func withoutAnnotations(s *openapi3.Schema) openapi3.Schema {
	c := *s
	c.Extensions, c.Origin, c.Title, c.Description, c.Default, c.Example = nil, nil, "", "", nil, nil
	c.ExternalDocs, c.Deprecated, c.XML, c.Examples, c.Comment = nil, false, nil, nil, ""
	return c
}

// maxFastDepth bounds nesting; deeper bodies take the full path.
const maxFastDepth = 64

// tok is one JSON pointer token: a property name, or an array index.
type tok struct {
	name  string
	index int
	isIdx bool
}

// span is where one root field's value lies in the body.
type span struct{ start, end int }

// fastScan checks one body against a compiled schema. ok false means "unsure": the body
// may or may not conform, and the full path must judge it. duplicateKey uses it too, on
// free nodes alone, to lex any JSON.
type fastScan struct {
	b        []byte
	i        int
	depth    int
	maxDepth int
	drift    [][]tok  // the pointers of undeclared properties, built innermost token first
	keys     [][]byte // names of undeclared properties of the objects being scanned
	top      [fTimes + len(timestampNames)]span
	mdDepth  int // the depth of the root metadata's members while they are scanned, else 0
	facts    facts

	dups bool  // duplicateKey's scan: any JSON, dup the path of the first duplicate name
	dup  []tok // innermost first
}

// scans keeps fastScans, with their buffers, between bodies.
var scans = sync.Pool{New: func() any { return new(fastScan) }}

func newScan(body []byte) *fastScan {
	s := scans.Get().(*fastScan)
	s.b, s.i, s.depth, s.maxDepth, s.top, s.mdDepth, s.facts = body, 0, 0, maxFastDepth, [len(s.top)]span{}, 0, facts{}
	return s
}

// release clears s of everything that refers to the body and puts it back.
func (s *fastScan) release() {
	clear(s.keys[:cap(s.keys)])
	clear(s.drift[:cap(s.drift)])
	clear(s.dup[:cap(s.dup)])
	s.b, s.keys, s.drift, s.dups, s.dup, s.facts = nil, s.keys[:0], s.drift[:0], false, s.dup[:0], facts{}
	if cap(s.keys) > 1024 || cap(s.drift) > 1024 || cap(s.dup) > 1024 {
		return // grown by an odd body: let it go
	}
	scans.Put(s)
}

// run checks the body against n and fills s.facts, reporting whether the body conforms.
func (s *fastScan) run(n *node) bool {
	if !utf8.Valid(s.b) || !s.value(n) {
		return false
	}
	s.ws()
	for _, d := range s.drift {
		slices.Reverse(d)
	}
	return s.i == len(s.b) && s.fill()
}

// fastRun checks body, a 200 Run body, and returns what the semantic and drift checks
// find with ok true when the body conforms to the schema, else ok false.
func (v *Validator) fastRun(ex Exchange, resp *response, body []byte) ([]Violation, bool) {
	s := newScan(body)
	defer s.release()
	if !s.run(resp.fast) {
		return nil, false
	}
	vs := slices.Grow(v.checkSemantic(ex, resp, &s.facts), len(s.drift))
	slices.SortFunc(s.drift, compareTokens)
	for _, d := range s.drift {
		vs = append(vs, v.drift(v.pointers.render(d)))
	}
	return vs, true
}

// fill sets s.facts from the root fields found; false when one cannot be read exactly as
// the full path reads it (an escape encoding/json would turn into U+FFFD).
func (s *fastScan) fill() bool {
	f, ok := &s.facts, true
	var kept strings.Builder // one allocation for the texts kept, which are never rewritten
	size := 0
	for field, sp := range s.top {
		if field != fMetadata && field != fError && sp.end > 0 && s.b[sp.start] != '{' && s.b[sp.start] != '[' {
			size += sp.end - sp.start
		}
	}
	kept.Grow(size)
	keep := func(start, end int) string {
		at := kept.Len()
		kept.Write(s.b[start:end])
		return kept.String()[at:]
	}
	str := func(field int) (t text) {
		if sp := s.top[field]; sp.end > 0 && s.b[sp.start] == '"' {
			exact := true
			if start, end := sp.start+1, sp.end-1; escaped(s.b[start:end]) {
				t.s, exact = s.decodeString(start, end)
			} else {
				t.s = keep(start, end)
			}
			t.ok, ok = true, ok && exact
		}
		return t
	}
	f.object = true
	f.id, f.threadID, f.status = str(fID), str(fThreadID), str(fStatus).s
	for i := range f.times {
		if sp := s.top[fTimes+i]; sp.end > 0 && strings.IndexByte("-0123456789", s.b[sp.start]) >= 0 {
			f.times[i] = keep(sp.start, sp.end) // a number
		}
	}
	sp := s.top[fTimes+cancelled]
	f.cancelledAtNull = sp.end > 0 && s.b[sp.start] == 'n'
	slices.Sort(f.longKeys)
	f.message = str(fMessage)
	if sp := s.top[fError]; sp.end > 0 && s.b[sp.start] == '{' {
		e, err := decodeJSON(s.b[sp.start:sp.end]) // rare in a Run: an undeclared error object
		m, _ := e.(map[string]any)
		f.message, f.inError, ok = textOf(m["message"]), true, ok && err == nil
	}
	return ok
}

// tokenStrings renders pointer tokens as strings.
func tokenStrings(d []tok) []string {
	tokens := make([]string, len(d))
	for i, t := range d {
		tokens[i] = t.name
		if t.isIdx {
			tokens[i] = strconv.Itoa(t.index)
		}
	}
	return tokens
}

// compareTokens orders pointers as the drift check walks: names sorted, items in order.
func compareTokens(a, b []tok) int {
	for i := range min(len(a), len(b)) {
		if c := compareTok(a[i], b[i]); c != 0 {
			return c
		}
	}
	return len(a) - len(b)
}

func compareTok(a, b tok) int {
	if a.isIdx && b.isIdx {
		return a.index - b.index
	}
	return strings.Compare(a.name, b.name)
}

func (s *fastScan) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// value checks the value at s.i against n and moves past it.
func (s *fastScan) value(n *node) bool {
	s.ws()
	if s.i >= len(s.b) {
		return false
	}
	c := s.b[s.i]
	if c == 'n' {
		return s.literal("null") && n.nullable
	}
	if n.oneOf != nil {
		return s.oneOf(n)
	}
	switch c {
	case 't':
		return s.literal("true") && n.types&tBool != 0
	case 'f':
		return s.literal("false") && n.types&tBool != 0
	case '"':
		return n.types&tString != 0 && s.str(n)
	case '{':
		if n.types&tObject == 0 {
			return false
		}
		if n.any || n.free {
			return s.skip()
		}
		return s.object(n)
	case '[':
		if n.types&tArray == 0 {
			return false
		}
		if n.any {
			return s.skip()
		}
		return s.array(n)
	}
	return n.types&tNumber != 0 && s.number(n)
}

func (s *fastScan) literal(lit string) bool {
	if !strings.HasPrefix(string(s.b[s.i:min(len(s.b), s.i+len(lit))]), lit) {
		return false
	}
	s.i += len(lit)
	return true
}

// oneOf checks a union: the branch the discriminator names, else each branch, exactly one
// of which must accept the value. Drift is that of the accepting branch.
func (s *fastScan) oneOf(n *node) bool {
	start, drift := s.i, len(s.drift)
	if n.types == tObject && s.b[start] != '{' {
		return false
	}
	if n.discProp != "" && s.b[start] == '{' {
		dv, ok := s.discriminator(n.discProp)
		if !ok {
			return false
		}
		v := n.discValues.find(dv)
		if v < 0 || n.discBranch[v] < 0 {
			return false
		}
		b := n.discBranch[v]
		s.i = start
		return s.value(n.oneOf[b])
	}
	matched, end := -1, 0
	var keep [][]tok
	for i, b := range n.oneOf {
		s.i, s.drift = start, s.drift[:drift]
		if !s.value(b) {
			continue
		}
		if matched >= 0 {
			return false
		}
		matched, end, keep = i, s.i, slices.Clone(s.drift[drift:])
	}
	if matched < 0 {
		return false
	}
	s.i, s.drift = end, append(s.drift[:drift], keep...)
	return true
}

// discriminator returns the string value of property prop of the object at s.i, leaving
// s.i where it was.
func (s *fastScan) discriminator(prop string) ([]byte, bool) {
	start := s.i
	dv, ok := s.findString(prop)
	s.i = start
	return dv, ok
}

func (s *fastScan) findString(prop string) ([]byte, bool) {
	s.i++
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		return nil, false
	}
	for {
		s.ws()
		ks, ke, esc, ok := s.rawString()
		if !ok {
			return nil, false
		}
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return nil, false
		}
		s.i++
		s.ws()
		if esc {
			return nil, false // rare: the full path decides
		}
		if string(s.b[ks:ke]) == prop {
			if s.i >= len(s.b) || s.b[s.i] != '"' {
				return nil, false
			}
			vs, ve, esc, ok := s.rawString()
			if !ok || esc {
				return nil, false
			}
			return s.b[vs:ve], true
		}
		if !s.pass() {
			return nil, false
		}
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] != ',' {
			return nil, false
		}
		s.i++
	}
}

func (s *fastScan) object(n *node) bool {
	if s.depth >= s.maxDepth {
		return false
	}
	s.depth++
	keys := len(s.keys)
	ok := s.members(n)
	s.depth--
	s.keys = s.keys[:keys]
	return ok
}

// members checks the members of the object at s.i (its names from s.keys on).
func (s *fastScan) members(n *node) bool {
	s.i++ // {
	var seen uint64
	count := 0
	keys := len(s.keys)
	var set names // the undeclared names past smallObject
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		return n.required == 0 && n.minProps == 0
	}
	for {
		s.ws()
		ks, ke, esc, ok := s.rawString()
		if !ok {
			return false
		}
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return false
		}
		s.i++
		s.ws()
		count++
		if n.maxProps >= 0 && count > n.maxProps {
			return false // past maxProperties: the full path reports it
		}
		var name []byte
		if esc {
			str, ok := s.decodeString(ks, ke)
			if !ok {
				return false
			}
			name = []byte(str)
		} else {
			name = s.b[ks:ke]
		}
		if s.depth == s.mdDepth && len(name) > maxMetadataKey && longKey(string(name)) {
			s.facts.longKeys = append(s.facts.longKeys, string(name))
		}
		start := s.i
		if i := n.index.find(name); i >= 0 {
			if seen&(1<<i) != 0 {
				return false // a duplicate key: the full path reports it
			}
			seen |= 1 << i
			f := fieldOf(n, i)
			if f == fMetadata {
				s.mdDepth = s.depth + 1
			}
			drift := len(s.drift)
			if !s.value(n.props[i]) {
				return false
			}
			s.under(drift, tok{name: n.names[i]})
			if f >= 0 {
				s.top[f], s.mdDepth = span{start, s.i}, 0
			}
		} else {
			if addName(&s.keys, keys, &set, name) {
				if s.dups {
					s.dup = append(s.dup, tok{name: string(name)})
				}
				return false // a duplicate key: the full path reports it
			}
			switch {
			case n.additional != nil:
				drift := len(s.drift)
				if !s.value(n.additional) {
					return false
				}
				if len(s.drift) > drift {
					s.under(drift, tok{name: string(name)})
				}
			case n.closed:
				return false
			default:
				if !n.open {
					s.drift = append(s.drift, append(make([]tok, 0, s.depth), tok{name: string(name)}))
				}
				if !s.skip() {
					if len(s.dup) > 0 {
						s.dup = append(s.dup, tok{name: string(name)})
					}
					return false
				}
			}
			if n.topFields != nil { // an undeclared root field, such as error
				if f := slices.IndexFunc(rootFields, func(r string) bool { return r == string(name) }); f >= 0 {
					s.top[f] = span{start, s.i}
				}
			}
		}
		s.ws()
		if s.i >= len(s.b) {
			return false
		}
		if s.b[s.i] == '}' {
			s.i++
			break
		}
		if s.b[s.i] != ',' {
			return false
		}
		s.i++
	}
	return seen&n.required == n.required && count >= n.minProps && (n.maxProps < 0 || count <= n.maxProps)
}

// under puts t before the pointers of the drift found since the drift-th, which are built
// innermost first.
func (s *fastScan) under(drift int, t tok) {
	for i := drift; i < len(s.drift); i++ {
		s.drift[i] = append(s.drift[i], t)
	}
}

func fieldOf(n *node, i int) int8 {
	if n.topFields == nil {
		return -1
	}
	return n.topFields[i]
}

func (s *fastScan) array(n *node) bool {
	if s.depth >= s.maxDepth {
		return false
	}
	s.depth++
	ok := s.items(n)
	s.depth--
	return ok
}

func (s *fastScan) items(n *node) bool {
	s.i++ // [
	count := 0
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		return count >= n.minItems
	}
	for {
		if n.items != nil {
			drift := len(s.drift)
			if !s.value(n.items) {
				return false
			}
			s.under(drift, tok{index: count, isIdx: true})
		} else if !s.skip() {
			if len(s.dup) > 0 {
				s.dup = append(s.dup, tok{index: count, isIdx: true})
			}
			return false
		}
		count++
		s.ws()
		if s.i >= len(s.b) {
			return false
		}
		if s.b[s.i] == ']' {
			s.i++
			break
		}
		if s.b[s.i] != ',' {
			return false
		}
		s.i++
	}
	return count >= n.minItems && (n.maxItems < 0 || count <= n.maxItems)
}

// str checks the string at s.i against n's string keywords.
func (s *fastScan) str(n *node) bool {
	start, end, esc, ok := s.rawString()
	if !ok {
		return false
	}
	if n.enum == nil && n.minLen == 0 && n.maxLen < 0 && n.pattern == nil {
		return true
	}
	val := s.b[start:end]
	if esc {
		str, ok := s.decodeString(start, end)
		if !ok {
			return false
		}
		val = []byte(str)
	}
	if n.enum != nil && n.enum.find(val) < 0 {
		return false
	}
	if n.minLen > 0 || n.maxLen >= 0 && len(val) > n.maxLen { // no rune has fewer than one byte
		l := utf8.RuneCount(val) // the body is valid UTF-8
		if l < n.minLen || n.maxLen >= 0 && l > n.maxLen {
			return false
		}
	}
	return n.pattern == nil || n.pattern.Match(val)
}

// rawString moves past the string at s.i and returns where its content lies and whether
// it holds an escape.
func (s *fastScan) rawString() (start, end int, esc, ok bool) {
	b := s.b
	if s.i >= len(b) || b[s.i] != '"' {
		return 0, 0, false, false
	}
	start = s.i + 1
	for i := start; ; i++ {
		for i+8 <= len(b) { // eight bytes at a time up to the first special one
			m := special(binary.LittleEndian.Uint64(b[i:]))
			if m != 0 {
				i += bits.TrailingZeros64(m) / 8
				break
			}
			i += 8
		}
		if i >= len(b) {
			return 0, 0, false, false
		}
		switch c := b[i]; {
		case c == '"':
			s.i = i + 1
			return start, i, esc, true
		case c == '\\':
			esc = true
			i++
			if i >= len(b) {
				return 0, 0, false, false
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(b) {
					return 0, 0, false, false
				}
				for _, h := range b[i+1 : i+5] {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						return 0, 0, false, false
					}
				}
				i += 4
			default:
				return 0, 0, false, false
			}
		case c < 0x20:
			return 0, 0, false, false
		}
	}
}

// special marks, in the high bit of each byte, the bytes of w (little-endian) that are a
// quote, a backslash or a control character; bytes above the first marked one may be
// marked wrongly.
func special(w uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q, bs := w^(ones*'"'), w^(ones*'\\')
	return ((q-ones)&^q | (bs-ones)&^bs | (w-ones*0x20)&^w) & highs
}

func escaped(b []byte) bool {
	for _, c := range b {
		if c == '\\' {
			return true
		}
	}
	return false
}

// decodeString returns the string whose content is b[start:end], as encoding/json would.
func (s *fastScan) decodeString(start, end int) (string, bool) {
	raw := s.b[start:end]
	if !escaped(raw) {
		return string(raw), true
	}
	var str string
	if json.Unmarshal(s.b[start-1:end+1], &str) != nil {
		return "", false
	}
	if !s.dups && (!utf8.ValidString(str) || strings.ContainsRune(str, utf8.RuneError)) {
		return "", false // lone surrogates and the like: the full path decides
	}
	return str, true
}

// number checks the number at s.i against n.
func (s *fastScan) number(n *node) bool {
	start := s.i
	b := s.b
	i := s.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	digits := 0
	switch {
	case i < len(b) && b[i] == '0':
		i++
		digits = 1
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
			digits++
		}
	default:
		return false
	}
	isInt := true
	if i < len(b) && b[i] == '.' {
		isInt = false
		i++
		frac := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		if i == frac {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		isInt = false
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		exp := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		if i == exp {
			return false
		}
	}
	s.i = i
	if s.dups {
		return true // JSON is all duplicateKey asks
	}
	if n.requireInt && (!isInt || digits > 15) {
		return false // 1.0 and huge integers: the full path decides
	}
	if isInt && digits <= 15 && n.min == nil && n.max == nil {
		return true // exact as a float64
	}
	var f float64
	if isInt && digits <= 15 { // exact as a float64
		var v int64
		for _, c := range b[start:i] {
			if c != '-' {
				v = v*10 + int64(c-'0')
			}
		}
		if f = float64(v); b[start] == '-' {
			f = -f
		}
	} else {
		var err error
		if f, err = strconv.ParseFloat(string(b[start:i]), 64); err != nil {
			return false // 1e400: kin cannot convert it
		}
	}
	return (n.min == nil || *n.min <= f) && (n.max == nil || *n.max >= f)
}

// skip moves past the value at s.i, checking only that it is JSON without duplicate keys.
func (s *fastScan) skip() bool {
	s.ws()
	if s.i >= len(s.b) {
		return false
	}
	switch s.b[s.i] {
	case '{':
		return s.object(freeObject)
	case '[':
		return s.array(freeArray)
	case '"':
		_, _, _, ok := s.rawString()
		return ok
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case 'n':
		return s.literal("null")
	}
	return s.number(freeArray)
}

// pass moves past the value at s.i, exactly when it is JSON, and checks nothing else: the
// discriminator's look-ahead, whose object is then checked in full.
func (s *fastScan) pass() bool {
	depth := 0
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '"':
			if _, _, _, ok := s.rawString(); !ok || depth == 0 {
				return ok
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth--; depth <= 0 {
				s.i++
				return depth == 0
			}
		case ',', ':', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return true // the end of a number or literal
			}
		}
		s.i++
	}
	return depth == 0
}

// freeObject and freeArray accept any content; object and array use them to skip.
var (
	freeObject = &node{types: tAll, open: true, maxProps: -1, maxLen: -1, maxItems: -1}
	freeArray  = &node{types: tAll, maxProps: -1, maxLen: -1, maxItems: -1}
)

// pointerCache keeps rendered drift locations: the same few undeclared properties come
// back on every response, and redacting their names is the costliest step left.
type pointerCache struct {
	mu sync.RWMutex
	m  map[string]string // key(tokens) -> pointer
}

const maxCachedPointers = 1024

func (c *pointerCache) render(d []tok) string {
	var buf [128]byte
	key := buf[:0] // each token as i<index>: or <length>:<name>:, so that no two lists meet
	for _, t := range d {
		if t.isIdx {
			key = strconv.AppendInt(append(key, 'i'), int64(t.index), 10)
		} else {
			key = append(strconv.AppendInt(key, int64(len(t.name)), 10), ':')
			key = append(key, t.name...)
		}
		key = append(key, ':')
	}
	c.mu.RLock()
	p, ok := c.m[string(key)]
	c.mu.RUnlock()
	if ok {
		return p
	}
	p = pointer(tokenStrings(d))
	c.mu.Lock()
	if len(c.m) < maxCachedPointers {
		if c.m == nil {
			c.m = map[string]string{}
		}
		c.m[string(key)] = p
	}
	c.mu.Unlock()
	return p
}
