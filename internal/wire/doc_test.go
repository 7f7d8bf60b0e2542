package wire

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/gen/spec"
)

// TestEmbeddedDocIsGetSpecs: doc.gen.go builds what gen/spec's GetSpec decodes, field by
// field, unexported ones too (but refPath), with the same pointers shared; and both
// marshal to the same JSON. A spec regenerated without `go generate` fails here.
func TestEmbeddedDocIsGetSpecs(t *testing.T) {
	want, err := spec.GetSpec()
	require.NoError(t, err)
	got := embeddedDoc()
	assert.Empty(t, graphDiff(got, want))

	gotJSON, err := json.Marshal(got)
	require.NoError(t, err)
	wantJSON, err := json.Marshal(want)
	require.NoError(t, err)
	assert.Equal(t, string(wantJSON), string(gotJSON))
}

// TestGraphDiffSees: graphDiff reports a changed value deep in the document and two
// pointers that stopped being one.
func TestGraphDiffSees(t *testing.T) {
	want := embeddedDoc()
	require.Empty(t, graphDiff(embeddedDoc(), want))

	changed := embeddedDoc()
	changed.Components.Schemas["Run"].Value.Properties["status"].Value.Enum[0] = "x"
	assert.NotEmpty(t, graphDiff(changed, want))

	unshared := embeddedDoc()
	ref := unshared.Components.Schemas["Run"]
	copied := *ref.Value
	unshared.Components.Schemas["Run"] = &openapi3.SchemaRef{Ref: ref.Ref, Value: &copied}
	assert.NotEmpty(t, graphDiff(unshared, want), "the components' Run no longer the one $ref'd elsewhere")
}

// graphDiff returns where got and want differ: any field but refPath, which the loader
// sets for every $ref and kin reads only to internalize external refs (InternalizeRefs,
// ReferencesComponentInRootDocument), never to validate or route; and each pointer of
// got must stand for one pointer of want and the other way round.
func graphDiff(got, want *openapi3.T) []string {
	d := &differ{fwd: map[ptrKey]ptrKey{}, back: map[ptrKey]ptrKey{}}
	d.walk("doc", reflect.ValueOf(got), reflect.ValueOf(want))
	return d.diffs
}

type ptrKey struct {
	addr uintptr
	t    reflect.Type
}

type differ struct {
	fwd, back map[ptrKey]ptrKey
	diffs     []string
}

func (d *differ) fail(path, format string, args ...any) {
	d.diffs = append(d.diffs, path+": "+fmt.Sprintf(format, args...))
}

func (d *differ) walk(path string, a, b reflect.Value) {
	if a.Type() != b.Type() {
		d.fail(path, "type %s, want %s", a.Type(), b.Type())
		return
	}
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				d.fail(path, "nil is %t, want %t", a.IsNil(), b.IsNil())
			}
			return
		}
		ka, kb := ptrKey{a.Pointer(), a.Type()}, ptrKey{b.Pointer(), b.Type()}
		fa, seenA := d.fwd[ka]
		_, seenB := d.back[kb]
		switch {
		case seenA && fa == kb:
			return
		case seenA || seenB:
			d.fail(path, "pointer shared differently")
			return
		}
		d.fwd[ka], d.back[kb] = kb, ka
		d.walk(path, a.Elem(), b.Elem())
	case reflect.Interface:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				d.fail(path, "nil is %t, want %t", a.IsNil(), b.IsNil())
			}
			return
		}
		d.walk(path, a.Elem(), b.Elem())
	case reflect.Struct:
		for i := range a.NumField() {
			if f := a.Type().Field(i); f.Name != "refPath" {
				d.walk(path+"."+f.Name, a.Field(i), b.Field(i))
			}
		}
	case reflect.Slice, reflect.Map:
		if a.IsNil() != b.IsNil() || a.Len() != b.Len() {
			d.fail(path, "nil %t, %d long; want nil %t, %d long", a.IsNil(), a.Len(), b.IsNil(), b.Len())
			return
		}
		if a.Kind() == reflect.Slice {
			for i := range a.Len() {
				d.walk(fmt.Sprintf("%s[%d]", path, i), a.Index(i), b.Index(i))
			}
			return
		}
		for _, k := range b.MapKeys() {
			if a.MapIndex(k).IsValid() {
				d.walk(fmt.Sprintf("%s[%v]", path, k), a.MapIndex(k), b.MapIndex(k))
			} else {
				d.fail(path, "no key %v", k)
			}
		}
	case reflect.String:
		if a.String() != b.String() {
			d.fail(path, "%q, want %q", a.String(), b.String())
		}
	case reflect.Bool:
		if a.Bool() != b.Bool() {
			d.fail(path, "%t, want %t", a.Bool(), b.Bool())
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if a.Int() != b.Int() {
			d.fail(path, "%d, want %d", a.Int(), b.Int())
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if a.Uint() != b.Uint() {
			d.fail(path, "%d, want %d", a.Uint(), b.Uint())
		}
	case reflect.Float32, reflect.Float64:
		if math.Float64bits(a.Float()) != math.Float64bits(b.Float()) {
			d.fail(path, "%v, want %v", a.Float(), b.Float())
		}
	default:
		if !a.IsZero() || !b.IsZero() {
			d.fail(path, "a %s, which graphDiff does not compare", a.Kind())
		}
	}
}
