package contract_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/contract"
	"github.com/seed-a6d846e6/portkey-runs/internal/hostile"
	"github.com/seed-a6d846e6/portkey-runs/portkey"
)

// floorBodies are conforming 200 Run bodies of about 1.5, 8 and 64 KB: the typical run;
// with 16 metadata values of 512 characters (the most the spec allows); and with 128 tools
// (the most) and long instructions besides.
func floorBodies(tb testing.TB) []struct {
	name string
	body []byte
} {
	run := func() map[string]any {
		var m map[string]any
		require.NoError(tb, json.Unmarshal(typicalRun(tb), &m))
		return m
	}
	large := run()
	md := map[string]any{}
	for i := range 16 {
		md[fmt.Sprintf("key_%02d", i)] = strings.Repeat(string(rune('a'+i)), 500) + fmt.Sprintf("-%011d", i)
	}
	large["metadata"] = md
	huge := run()
	huge["metadata"] = md
	kinds := huge["tools"].([]any)
	tools := make([]any, 128)
	for i := range tools {
		tools[i] = kinds[i%len(kinds)]
	}
	huge["tools"] = tools
	huge["instructions"] = strings.Repeat("Answer weather questions briefly; cite the source. ", 600)
	return []struct {
		name string
		body []byte
	}{{"1.5KB", typicalRun(tb)}, {"8KB", mustJSONTB(tb, large)}, {"64KB", mustJSONTB(tb, huge)}}
}

func floorExchange(body []byte) contract.Exchange {
	req := http.Header{}
	portkey.Auth{APIKey: "pk-test", VirtualKey: "vk-test"}.Apply(req)
	return contract.Exchange{Method: http.MethodPost, Path: "/v1/threads/thread_def456/runs/run_def456/cancel",
		RequestHeader: req, Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: body}
}

func TestFloorBodies(t *testing.T) {
	v := validator(t, contract.Options{})
	sizes := []int{1500, 8 << 10, 64 << 10}
	for i, b := range floorBodies(t) {
		assert.InEpsilon(t, sizes[i], len(b.body), 0.3, b.name)
		r := v.Validate(floorExchange(b.body))
		assert.Equal(t, contract.Pass, r.Verdict, b.name)
		if assert.Len(t, r.Violations(), 1, b.name) {
			assert.Equal(t, "/file_ids", r.Violations()[0].Location, "the one drift of %s", b.name)
		}
	}
}

// BenchmarkValidateVsJSONValid sets Validate beside json.Valid on the same bytes, the floor
// of any validator that reads them.
func BenchmarkValidateVsJSONValid(b *testing.B) {
	v, err := contract.New(contract.Options{})
	require.NoError(b, err)
	for _, body := range floorBodies(b) {
		ex := floorExchange(body.body)
		b.Run("body="+body.name+"/impl=validate", func(b *testing.B) {
			b.SetBytes(int64(len(body.body)))
			b.ReportAllocs()
			for b.Loop() {
				if v.Validate(ex).Verdict != contract.Pass {
					b.Fatal("not a pass")
				}
			}
		})
		b.Run("body="+body.name+"/impl=jsonvalid", func(b *testing.B) {
			b.SetBytes(int64(len(body.body)))
			b.ReportAllocs()
			for b.Loop() {
				if !json.Valid(body.body) {
					b.Fatal("not JSON")
				}
			}
		})
	}
}

// raceDetector is set under -race, whose sync.Pool drops what it is given at random.
var raceDetector bool

// TestValidateAllocations: judging a conforming Run allocates 8 times, whatever its size
// (it took 60 to 74).
func TestValidateAllocations(t *testing.T) {
	if raceDetector {
		t.Skip("the race detector's sync.Pool drops scans")
	}
	v := validator(t, contract.Options{})
	for _, b := range floorBodies(t) {
		ex := floorExchange(b.body)
		assert.LessOrEqual(t, testing.AllocsPerRun(20, func() { v.Validate(ex) }), 8.0, b.name)
	}
}

// BenchmarkValidateGrowth judges a Run grown 1x and 16x in each hostile way (a free object
// of many keys, many undeclared properties, deep nesting, escapes, whitespace, too many
// tools): linear work costs about 16 times as much at 16x, quadratic 256 times. Each run has
// a new Validator, its drift cache empty. (A benchmark, not a timed test: compare the
// sizes' ns/op side by side.)
func BenchmarkValidateGrowth(b *testing.B) {
	t := b
	replace := func(old, new string) string {
		require.Contains(t, hostile.Run, old)
		return strings.Replace(hostile.Run, old, new, 1)
	}
	members := func(prefix string, n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, `,"%s%d":0`, prefix, i)
		}
		return b.String()[1:]
	}
	inSchema := func(s string) string {
		return replace(`"response_format":"auto"`, `"response_format":{"type":"json_schema","json_schema":{"name":"n","schema":{`+s+`}}}`)
	}
	shapes := map[string]func(n int) string{
		"many keys":       func(n int) string { return inSchema(members("k", n)) },
		"many undeclared": func(n int) string { return replace(`{"id"`, `{`+members("x", n)+`,"id"`) },
		"deep nesting":    func(n int) string { return inSchema(`"a":` + strings.Repeat("[", n) + strings.Repeat("]", n)) },
		"escapes": func(n int) string {
			return replace(`"instructions":""`, `"instructions":"`+strings.Repeat(`\"\u00e9\\`, n)+`"`)
		},
		"whitespace": func(n int) string {
			return replace(`"instructions":""`, `"instructions":`+strings.Repeat(" \n", n)+`""`)
		},
		"many tools": func(n int) string {
			return replace(`"tools":[]`, `"tools":[`+strings.Repeat(`{"type":"code_interpreter"},`, n)+`{"type":"code_interpreter"}]`)
		},
	}
	const n = 1000
	for _, name := range slices.Sorted(maps.Keys(shapes)) {
		for _, k := range []int{1, 16} {
			ex := contract.Exchange{Path: hostile.Path, Status: 200, Header: http.Header{"Content-Type": {"application/json"}},
				Body: []byte(shapes[name](k * n))}
			b.Run(fmt.Sprintf("shape=%s/size=%dx", strings.ReplaceAll(name, " ", "_"), k), func(b *testing.B) {
				b.SetBytes(int64(len(ex.Body)))
				for b.Loop() {
					b.StopTimer()
					v := validator(b, contract.Options{})
					b.StartTimer()
					v.Validate(ex)
				}
			})
		}
	}
}
