package contract

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/seed-a6d846e6/portkey-runs/gen/spec"
	"github.com/seed-a6d846e6/portkey-runs/internal/hostile"
	"github.com/seed-a6d846e6/portkey-runs/internal/wire"
)

// fastAndSlow returns a validator with the fast path and one without it.
func fastAndSlow(t testing.TB, opts Options) (fast, slow *Validator) {
	fast, err := New(opts)
	require.NoError(t, err)
	require.NotNil(t, fast.responses[200].fast, "the fast path compiles from the spec")
	slow, err = New(opts)
	require.NoError(t, err)
	for _, r := range slow.responses {
		r.fast = nil
	}
	return fast, slow
}

// specDoc is the embedded spec, decoded once for the tests that ask kin-openapi directly.
var specDoc = sync.OnceValues(spec.GetSpec)

// CancelPathTemplate is cancelRun's path template, as the spec says it (for this
// package's external tests too).
func CancelPathTemplate(t testing.TB) string {
	ws, err := wire.Load()
	require.NoError(t, err)
	op, ok := ws.ByID("cancelRun")
	require.True(t, ok)
	return op.Path
}

// kinValid is bare kin-openapi's verdict: openapi3filter.ValidateResponse.
func kinValid(t testing.TB, status int, h http.Header, body []byte) bool {
	doc, err := specDoc()
	require.NoError(t, err)
	item := doc.Paths.Value(CancelPathTemplate(t))
	route := &routers.Route{Spec: doc, Path: CancelPathTemplate(t), PathItem: item, Method: http.MethodPost, Operation: item.Post}
	req, err := http.NewRequest(http.MethodPost, "http://127.0.0.1/threads/t/runs/r/cancel", nil)
	require.NoError(t, err)
	return openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, Route: route},
		Status:                 status,
		Header:                 h,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}) == nil
}

// exchanges returns every interaction of every cassette in testdata, as exchanges.
func cassetteExchanges(t *testing.T) map[string]Exchange {
	var files []string
	for _, glob := range []string{"../recording/testdata/cassettes/*.yaml", "../recording/testdata/cassettes/*/*.yaml"} {
		f, err := filepath.Glob(glob)
		require.NoError(t, err)
		files = append(files, f...)
	}
	require.Greater(t, len(files), 15)
	out := map[string]Exchange{}
	for _, f := range files {
		c, err := cassette.Load(strings.TrimSuffix(f, ".yaml"))
		require.NoError(t, err)
		for i, in := range c.Interactions {
			u := in.Request.URL
			if i := strings.Index(u, "/threads/"); i >= 0 {
				u = u[i:]
			}
			out[fmt.Sprintf("%s#%d", f, i)] = Exchange{Method: in.Request.Method, Path: u, RequestHeader: in.Request.Headers,
				Status: in.Response.Code, Header: in.Response.Headers, Body: []byte(in.Response.Body)}
		}
	}
	return out
}

// TestFastPathMatchesKin: over every cassette, and over variants of the conforming Run
// bodies (each value replaced, removed or joined by another), the fast path accepts a body
// only when bare kin-openapi does, and then the validator says exactly what it says
// without the fast path. (When the fast path is unsure, the full path runs: the same
// code with or without it.)
func TestFastPathMatchesKin(t *testing.T) {
	for _, strict := range []bool{false, true} {
		fast, slow := fastAndSlow(t, Options{Strict: strict})
		accepted := 0
		// The full path's schema check is kin-openapi's own (VisitJSON), so that the same
		// output with and without the fast path means kin accepts what the fast path does;
		// bare kin (openapi3filter) judges the cassettes and the examples too.
		check := func(name string, ex Exchange, bare bool) {
			t.Helper()
			if _, ok := fast.fastRun(ex, fast.responses[200], ex.Body); !ok || ex.Status != 200 {
				return
			}
			accepted++
			got := fast.Validate(ex).Violations()
			assert.Equal(t, slow.Validate(ex).Violations(), got, name)
			for _, v := range got {
				assert.NotEqual(t, CheckSchema, v.Check, name)
			}
			if bare {
				assert.True(t, kinValid(t, ex.Status, ex.Header, ex.Body), "%s: the fast path accepts what kin rejects: %s", name, ex.Body)
			}
		}
		for name, ex := range cassetteExchanges(t) {
			assert.Equal(t, slow.Validate(ex).Violations(), fast.Validate(ex).Violations(), name)
			check(name, ex, true)
		}
		real, err := filepath.Glob("testdata/real/bodies/*.json")
		require.NoError(t, err)
		require.NotEmpty(t, real)
		for _, f := range real { // what live services sent, judged as cancel answers
			body, err := os.ReadFile(f)
			require.NoError(t, err)
			ex := Exchange{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: body}
			assert.Equal(t, slow.Validate(ex).Violations(), fast.Validate(ex).Violations(), f)
			check(f, ex, true)
		}
		bodies := exampleBodies(t)
		if !strict { // strict changes only the severity of drift
			for _, body := range bodies[1:2] { // every field filled
				for i, variant := range variants(t, body) {
					check(fmt.Sprintf("variant %d", i), Exchange{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: variant}, false)
				}
			}
		} else {
			for i, body := range bodies {
				check(fmt.Sprintf("example %d", i), Exchange{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: body}, true)
			}
		}
		t.Logf("strict=%v: %d accepted by the fast path", strict, accepted)
		assert.Greater(t, accepted, 3, "the fast path is exercised")
	}
}

// TestFastPathAcceptsConforming: the spec's Run examples, with an undeclared property, take
// the fast path and report the same drift as the full path.
func TestFastPathAcceptsConforming(t *testing.T) {
	fast, slow := fastAndSlow(t, Options{})
	for _, body := range exampleBodies(t) {
		ex := Exchange{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: body}
		drift, ok := fast.fastRun(ex, fast.responses[200], body)
		require.True(t, ok, "%s", body)
		want := slow.Validate(ex).Violations()
		assert.Equal(t, want, drift)
		assert.NotEmpty(t, drift, "the undeclared property is drift")
	}
}

// exampleBodies returns the spec's Run examples, each with undeclared properties added at
// the root and inside a tool, and one with the largest metadata the spec allows.
func exampleBodies(t testing.TB) [][]byte {
	doc, err := specDoc()
	require.NoError(t, err)
	var out [][]byte
	for _, name := range []string{"CancellingRun", "CancelledRunFilled", "RunAllNull"} {
		ex := doc.Components.Examples[name]
		require.NotNil(t, ex, name)
		var run map[string]any
		require.NoError(t, json.Unmarshal(mustMarshal(t, ex.Value.Value), &run))
		run["zz_extra"] = map[string]any{"a": []any{1, 2}}
		run["aa_extra"] = "x"
		if tools, _ := run["tools"].([]any); len(tools) > 0 {
			tools[len(tools)-1].(map[string]any)["extra"] = true
		}
		out = append(out, mustMarshal(t, run))
		if name == "CancelledRunFilled" {
			md := map[string]any{}
			for i := range 16 {
				md[fmt.Sprintf("k%02d\u00e9", i)] = strings.Repeat("\u00e9\"x", 170) + "ab"
			}
			run["metadata"] = md
			out = append(out, mustMarshal(t, run))
		}
	}
	return append(out, manyKeysBody(40, 20, ""))
}

// manyKeysBody is hostile.Run with a free-form object of free members (a JSON schema)
// and drift undeclared properties at its root, then tail in the free-form object.
func manyKeysBody(free, drift int, tail string) []byte {
	b := strings.Replace(hostile.Run, `"response_format":"auto"`,
		`"response_format":{"type":"json_schema","json_schema":{"name":"n","schema":{`+objectMembers("k", free)+tail+`}}}`, 1)
	if drift > 0 {
		b = strings.Replace(b, `{"id"`, `{`+objectMembers("x", drift)+`,"id"`, 1)
	}
	return []byte(b)
}

// TestFastPathIsLinearInKeys: the names of an object of k members cost the fast path O(k)
// comparisons, not one per pair, whether the object is free-form, the root with undeclared
// properties, or metadata past its maxProperties (which the fast path gives up on at once).
func TestFastPathIsLinearInKeys(t *testing.T) {
	v, err := New(Options{})
	require.NoError(t, err)
	h := http.Header{"Content-Type": {"application/json"}}
	for _, k := range []int{1000, 8000} {
		for _, c := range []struct {
			name  string
			body  []byte
			ok    bool
			drift int
		}{
			{"free-form", manyKeysBody(k, 0, ""), true, 0},
			{"free-form with a duplicate", manyKeysBody(k, 0, `,"k0":1`), false, 0},
			{"undeclared", manyKeysBody(0, k, ""), true, k},
			{"metadata", []byte(strings.Replace(hostile.Run, `"metadata":{}`, `"metadata":{`+strings.ReplaceAll(objectMembers("m", k), ":0", `:"v"`)+`}`, 1)), false, 0},
		} {
			n := compares(func() {
				ex := Exchange{Status: 200, Header: h, Body: c.body}
				drift, ok := v.fastRun(ex, v.responses[200], c.body)
				assert.Equal(t, c.ok, ok, "%s, %d keys", c.name, k)
				assert.Len(t, drift, c.drift, "%s, %d keys", c.name, k)
			})
			assert.LessOrEqual(t, n, linearBound(k+1), "%s, %d keys", c.name, k)
		}
	}
}

func mustMarshal(t testing.TB, v any) []byte {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

// replacements are the values each value of a body is replaced with, one at a time.
var replacements = []any{nil, true, "bad name!", strings.Repeat("\u00e9", 513), json.Number("1.5"), json.Number("1.0"),
	json.Number("1e400"), map[string]any{"type": "function"}, "json_schema"}

// variants returns body with each value replaced by each replacement, each property
// removed, and an undeclared property added to each object, plus some byte-level damage.
func variants(t testing.TB, body []byte) [][]byte {
	root, err := decodeJSON(body)
	require.NoError(t, err)
	var out [][]byte
	var walk func(v any, set func(any), remove func())
	walk = func(v any, set func(any), remove func()) {
		for _, r := range replacements {
			set(r)
			out = append(out, mustMarshal(t, root))
		}
		set(v)
		if remove != nil {
			remove()
			out = append(out, mustMarshal(t, root))
			set(v)
		}
		switch v := v.(type) {
		case map[string]any:
			v["zz_new"] = "x"
			out = append(out, mustMarshal(t, root))
			delete(v, "zz_new")
			for _, k := range slices.Sorted(func(yield func(string) bool) {
				for k := range v {
					if !yield(k) {
						return
					}
				}
			}) {
				child := v[k]
				walk(child, func(x any) { v[k] = x }, func() { delete(v, k) })
			}
		case []any:
			for i := range v {
				walk(v[i], func(x any) { v[i] = x }, nil)
			}
		}
	}
	walk(root, func(x any) { root = x }, nil)
	out = append(out,
		append(slices.Clone(body), "x"...),
		append(slices.Clone(body), " \n"...),
		body[:len(body)/2],
		bytes.Replace(body, []byte(`{"`), []byte(`{"id":"dup","`), 1),
		bytes.Replace(body, []byte(`"status"`), []byte(`"st\u0061tus"`), 1),
		bytes.Replace(body, []byte(`":`), []byte(`" : `), -1),
		[]byte(" "+string(body)),
	)
	return out
}

// FuzzFastPath: whatever the body, the fast path accepts it only when kin-openapi does,
// and then reports what the full path reports.
func FuzzFastPath(f *testing.F) {
	fast, slow := fastAndSlow(f, Options{})
	for _, body := range exampleBodies(f) {
		f.Add(body)
	}
	f.Add(manyKeysBody(40, 20, `,"k0":1`))
	for _, body := range factSeeds(f) {
		f.Add(body)
	}
	h := http.Header{"Content-Type": {"application/json"}}
	f.Fuzz(func(t *testing.T, body []byte) {
		ex := Exchange{Status: 200, Header: h, Body: body}
		if _, ok := fast.fastRun(ex, fast.responses[200], body); !ok {
			return
		}
		require.True(t, kinValid(t, 200, h, body), "the fast path accepts what kin rejects: %q", body)
		require.Equal(t, slow.Validate(ex).Violations(), fast.Validate(ex).Violations())
	})
}

func BenchmarkFastRun(b *testing.B) {
	v, err := New(Options{})
	require.NoError(b, err)
	body := exampleBodies(b)[1]
	ex := Exchange{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: body}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := v.fastRun(ex, v.responses[200], body); !ok {
			b.Fatal("not accepted")
		}
	}
}

// BenchmarkFastRunManyKeys checks a Run whose free-form object has n keys.
func BenchmarkFastRunManyKeys(b *testing.B) {
	v, err := New(Options{})
	require.NoError(b, err)
	for _, n := range []int{1000, 10000, 40000} {
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			body := manyKeysBody(n, 0, "")
			ex := Exchange{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: body}
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if _, ok := v.fastRun(ex, v.responses[200], body); !ok {
					b.Fatal("not accepted")
				}
			}
		})
	}
}
