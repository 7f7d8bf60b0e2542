package refserver

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/gen"
)

// stdEncode is what the generated response types write: json.Encoder's output.
func stdEncode(run *gen.Run) ([]byte, error) {
	var buf bytes.Buffer
	err := json.NewEncoder(&buf).Encode(run)
	return buf.Bytes(), err
}

// assertEncodesAsJSON checks that encodeRun writes what encoding/json writes of run, or
// fails as it does, once the store holds run.
func assertEncodesAsJSON(t *testing.T, run *gen.Run) {
	t.Helper()
	want, wantErr := stdEncode(run)
	stored, err := copyRun(*run, true)
	require.NoError(t, err)
	got, err := encodeRun([]byte("prefix"), &stored)
	if wantErr != nil {
		require.EqualError(t, err, wantErr.Error())
		return
	}
	require.NoError(t, err)
	require.Equal(t, "prefix"+string(want), string(got))
}

// fill sets every field v holds, recursively, to a value that is not its zero value; the
// strings carry what encoding/json escapes, the unions JSON that it compacts and escapes.
func fill(t *testing.T, v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString("a\"b\\c\n\t\b\f\x01<&>\u2028\u2029\xffé")
	case reflect.Int:
		v.SetInt(-42)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Float64:
		v.SetFloat(1e-7)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(t, v.Elem())
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		fill(t, v.Index(0))
		fill(t, v.Index(1))
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		for _, k := range []string{"zeta", "alpha<"} {
			e := reflect.New(v.Type().Elem()).Elem()
			if e.Kind() == reflect.Interface {
				e.Set(reflect.ValueOf("v"))
			} else {
				fill(t, e)
			}
			v.SetMapIndex(reflect.ValueOf(k), e)
		}
	case reflect.Struct:
		if v.NumField() == 1 && !v.Type().Field(0).IsExported() {
			u := v.Addr().Interface().(json.Unmarshaler)
			require.NoError(t, u.UnmarshalJSON([]byte(" { \"type\" : \"x < y & z\u2028\" ,\n \"n\": [1, 2] } ")))
			return
		}
		for i := range v.NumField() {
			fill(t, v.Field(i))
		}
	default:
		t.Fatalf("fill: no value for a %s", v.Type())
	}
}

// TestEncodeRunMatchesJSON: the server's encoder writes the bytes encoding/json writes,
// for the demo runs and for a run with every field filled (so a field added to gen.Run
// fails here until the encoder writes it), and fails as encoding/json does.
func TestEncodeRunMatchesJSON(t *testing.T) {
	for _, st := range AllStatuses {
		run := NewRun("thread_1", "run_1", st, time.Unix(1e9, 0))
		assertEncodesAsJSON(t, &run)
	}
	var full gen.Run
	fill(t, reflect.ValueOf(&full).Elem())
	assertEncodesAsJSON(t, &full)

	var empty gen.Run
	assertEncodesAsJSON(t, &empty)

	for _, f := range []float64{0, 1, -0.5, 1e21, 1e20, 1e-6, 123456789.125, math.MaxFloat64, math.SmallestNonzeroFloat64} {
		full.Temperature, full.TopP = &f, &f
		assertEncodesAsJSON(t, &full)
	}
	nan := math.NaN()
	full.TopP = &nan
	assertEncodesAsJSON(t, &full)

}

// TestStoreKeepsUnionsAsEncoded: the store keeps each union as encoding/json writes it,
// which the encoder copies unchecked, and refuses one that is not JSON.
func TestStoreKeepsUnionsAsEncoded(t *testing.T) {
	var full gen.Run
	fill(t, reflect.ValueOf(&full).Elem())
	full.Status, full.ID, full.ThreadID = gen.RunStatusQueued, "run_1", "thread_1"
	s := NewStore(nil, 0, 0)
	require.NoError(t, s.Put(full))
	stored, err := s.runs[full.ID].run()
	require.NoError(t, err)
	for _, u := range []json.Marshaler{stored.ToolChoice, stored.ResponseFormat, stored.Tools[0], stored.Tools[1]} {
		raw, err := u.MarshalJSON()
		require.NoError(t, err)
		assert.Equal(t, `{"type":"x \u003c y \u0026 z\u2028","n":[1,2]}`, string(raw))
	}

	var bad gen.ToolChoice
	require.NoError(t, bad.UnmarshalJSON([]byte(`{"unclosed`)))
	full.ToolChoice = &bad
	assert.ErrorContains(t, s.Put(full), "gen.ToolChoice")
}

// FuzzEncodeRun: whatever run a JSON document decodes to, the encoder writes what
// encoding/json writes.
func FuzzEncodeRun(f *testing.F) {
	full, err := json.Marshal(NewRun("thread_1", "run_1", gen.RunStatusRequiresAction, time.Unix(1e9, 0)))
	require.NoError(f, err)
	f.Add(full)
	f.Add([]byte(`{"id":"a<b","metadata":{"b":"\u2028","a":"\ud800"},"tools":[ {"type" : "x&y"} , null],"temperature":1e-9}`))
	f.Add([]byte(`{"tool_choice":"auto","response_format":{ "type":"json_schema" },"usage":{"completion_tokens_details":{}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var run gen.Run
		if json.Unmarshal(data, &run) != nil {
			return
		}
		assertEncodesAsJSON(t, &run)
	})
}
