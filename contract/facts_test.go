package contract

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/internal/hostile"
	"github.com/seed-a6d846e6/portkey-runs/internal/realcorpus"
)

// factSeeds are Run bodies that conform to the schema and give the facts the other bodies
// leave unset: a long metadata key, an undeclared error object and message at the root.
func factSeeds(t testing.TB) [][]byte {
	run := func() map[string]any {
		doc, err := specDoc()
		require.NoError(t, err)
		var run map[string]any
		require.NoError(t, json.Unmarshal(mustMarshal(t, doc.Components.Examples["CancelledRunFilled"].Value.Value), &run))
		return run
	}
	long, message := run(), run()
	long["metadata"] = map[string]any{strings.Repeat("k", maxMetadataKey+1): "v", "short": "v", strings.Repeat("\u00e9", maxMetadataKey) + "x": "v"}
	long["error"] = map[string]any{"message": "boom", "code": nil}
	message["message"], message["status"], message["cancelled_at"] = " ", "cancelled", nil
	return [][]byte{mustMarshal(t, long), mustMarshal(t, message)}
}

// factBodies returns every body the package has: testdata/real, the cassettes, the fast
// path's seeds and fuzz corpus, the variants TestFastPathMatchesKin judges and the hostile
// table.
func factBodies(t *testing.T) map[string][]byte {
	out := map[string][]byte{}
	caps, err := realcorpus.Load("testdata/real")
	require.NoError(t, err)
	require.NotEmpty(t, caps)
	for _, c := range caps {
		b, err := os.ReadFile(filepath.Join("testdata/real/bodies", c.File))
		require.NoError(t, err)
		out[c.File] = b
	}
	for name, ex := range cassetteExchanges(t) {
		out[name] = ex.Body
	}
	seeds := append(append(exampleBodies(t), manyKeysBody(40, 20, `,"k0":1`)), factSeeds(t)...)
	for i, b := range seeds {
		out[fmt.Sprintf("seed %d", i)] = b
	}
	for i, b := range variants(t, exampleBodies(t)[1]) {
		out[fmt.Sprintf("variant %d", i)] = b
	}
	for _, c := range hostile.Cases() {
		out["hostile "+c.Name] = c.Body
	}
	corpus, err := filepath.Glob("testdata/fuzz/FuzzFastPath/*")
	require.NoError(t, err)
	for _, f := range corpus {
		out[f] = fuzzInput(t, f)
	}
	return out
}

// fuzzInput reads the []byte of a go fuzz corpus file.
func fuzzInput(t *testing.T, file string) []byte {
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 8<<20)
	for sc.Scan() {
		if lit, ok := strings.CutPrefix(sc.Text(), "[]byte("); ok {
			s, err := strconv.Unquote(strings.TrimSuffix(lit, ")"))
			require.NoError(t, err, file)
			return []byte(s)
		}
	}
	t.Fatalf("%s: no []byte", file)
	return nil
}

// fastFacts returns the facts the fast path gathers of body, when it accepts it.
func fastFacts(v *Validator, body []byte) (facts, bool) {
	s := newScan(body)
	defer s.release()
	ok := s.run(v.responses[200].fast)
	return s.facts, ok
}

// TestFactsAgree: on every body the fast path accepts, it gathers the facts the full path
// reads of the decoded body, and so the semantic checks say the same on either; and each
// fact is set by some such body, so that a fact one path leaves unset fails here.
func TestFactsAgree(t *testing.T) {
	v, err := New(Options{})
	require.NoError(t, err)
	resp := v.responses[200]
	set := map[string]bool{}
	accepted := 0
	for name, body := range factBodies(t) {
		got, ok := fastFacts(v, body)
		if !ok {
			continue
		}
		accepted++
		decoded, err := decodeJSON(body)
		require.NoError(t, err, name)
		want := factsOf(decoded)
		require.Equal(t, want, got, name)
		for _, ex := range []Exchange{
			{Operation: "cancelRun", Status: 200, ThreadID: "thread_x", RunID: "run_x", known: true},
			{Operation: "createRun", Status: 200, known: true},
			{Status: 404},
		} {
			require.Equal(t, v.checkSemantic(ex, resp, &want), v.checkSemantic(ex, resp, &got), name)
		}
		nonZero(reflect.ValueOf(got), "facts", set)
	}
	t.Logf("%d bodies accepted by the fast path", accepted)
	assert.Greater(t, accepted, 100)
	for _, leaf := range leaves(reflect.TypeOf(facts{}), "facts") {
		assert.True(t, set[leaf], "%s is set by no body the fast path accepts: give it one (factSeeds)", leaf)
	}
}

// leaves names the fields of a facts-like type, down to strings, bools and slices.
func leaves(typ reflect.Type, name string) []string {
	switch typ.Kind() {
	case reflect.Struct:
		var out []string
		for i := range typ.NumField() {
			out = append(out, leaves(typ.Field(i).Type, name+"."+typ.Field(i).Name)...)
		}
		return out
	case reflect.Array:
		var out []string
		for i := range typ.Len() {
			out = append(out, leaves(typ.Elem(), fmt.Sprintf("%s[%d]", name, i))...)
		}
		return out
	}
	return []string{name}
}

// nonZero marks in set the leaves of v (named as leaves does) that are not zero.
func nonZero(v reflect.Value, name string, set map[string]bool) {
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			nonZero(v.Field(i), name+"."+v.Type().Field(i).Name, set)
		}
	case reflect.Array:
		for i := range v.Len() {
			nonZero(v.Index(i), fmt.Sprintf("%s[%d]", name, i), set)
		}
	default:
		if !v.IsZero() {
			set[name] = true
		}
	}
}
