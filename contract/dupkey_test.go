package contract

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDuplicateKey(t *testing.T) {
	cases := []struct{ body, want string }{
		{`{"a":1,"a":2}`, "/a"},
		{`{"\u0061":1,"a":2}`, "/a"},
		{`{"x":[{"k":1},{"k":1,"k":2}]}`, "/x/1/k"},
		{`{"a/b~":1,"a/b~":2}`, "/a~1b~0"},
		{`[1,{"a":[],"a":[]}]`, "/1/a"},
		{`{"a":{"b":{"c":1,"c":2}}}`, "/a/b/c"},
		// No duplicate: the same name in different objects, names as values.
		{`{"a":{"b":1,"c":{"b":2}},"b":3}`, ""},
		{`{"a":"b","b":"a"}`, ""},
		{`{"s":"\":","t":[{},{}]}`, ""},
		{`[{"a":1},{"a":1}]`, ""},
		{`"a"`, ""},
		{`{}`, ""},
		// Objects past smallObject names, whose names are looked up in a set.
		{`{` + objectMembers("k", 15) + `,"k0":1}`, "/k0"},
		{`{` + objectMembers("k", 16) + `,"k0":1}`, "/k0"},
		{`{` + objectMembers("k", 40) + `,"k39":1}`, "/k39"},
		{`{` + objectMembers("k", 40) + `,"o":{"k1":1,"k1":2}}`, "/o/k1"},
		{`{"o":{` + objectMembers("k", 40) + `},"p":{` + objectMembers("k", 40) + `,"k3":1}}`, "/p/k3"},
		{`{` + objectMembers("k", 40) + `,"o":{` + objectMembers("k", 40) + `}}`, ""},
		// What the fast path gives up on, and encoding/json reads: lone surrogates (both
		// U+FFFD), a number out of float64's range, nesting past maxFastDepth.
		{`{"\ud800":1,"\udbff":2}`, "/\ufffd"},
		{`{"a":1e400,"a":2}`, "/a"},
		{strings.Repeat(`[{"a":`, 100) + `{"b":1,"b":2}` + strings.Repeat(`}]`, 100), strings.Repeat("/0/a", 100) + "/b"},
		// Not JSON: no answer, no panic.
		{`}}]],,`, ""},
		{"a: [1, 2]\nb: {c: d}", ""},
	}
	for _, c := range cases {
		got, dup := duplicateKey([]byte(c.body))
		assert.Equal(t, c.want, got, c.body)
		assert.Equal(t, c.want != "", dup, c.body)
	}
}

// TestDuplicateKeyUnterminated: a string cut off at the end of the input (the scan may
// step past it over a backslash) gives no answer, even with no spare capacity.
func TestDuplicateKeyUnterminated(t *testing.T) {
	for _, body := range []string{`{"\`, `{"a\`, `{"a":1,"a\`, `{"a`, `{"a":1,"a`, `["\`} {
		b := []byte(body)
		b = b[:len(b):len(b)]
		var got string
		var dup bool
		require.NotPanics(t, func() { got, dup = duplicateKey(b) }, body)
		assert.False(t, dup, body)
		assert.Empty(t, got, body)
	}
}

func TestInvalidUTF8At(t *testing.T) {
	assert.Equal(t, 3, invalidUTF8At([]byte("abc\xffdef")))
	assert.Equal(t, 2, invalidUTF8At([]byte("é\xc3")))
	assert.Equal(t, 4, invalidUTF8At([]byte("abcd")))
}

// compares counts the property-name comparisons and look-ups f makes (see nameCompared).
func compares(f func()) int {
	n := 0
	nameCompared = func() { n++ }
	defer func() { nameCompared = nil }()
	f()
	return n
}

// objectMembers returns the members "<prefix>0":0 to "<prefix><k-1>":0, comma-separated.
func objectMembers(prefix string, k int) string {
	var b strings.Builder
	for i := range k {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"%s%d":0`, prefix, i)
	}
	return b.String()
}

// linearBound is what judging the names of an object of k members may cost: a few per
// member, plus the pairs of the first smallObject.
func linearBound(k int) int { return 2*k + smallObject*smallObject }

// TestDuplicateKeyIsLinear: the names of an object of k members cost O(k) comparisons, not
// one per pair (32,000 keys: 1.8 to 9.5 s), and a duplicate among them is still found.
func TestDuplicateKeyIsLinear(t *testing.T) {
	for _, k := range []int{1000, 8000} {
		body := []byte(`{"a":[{` + objectMembers("k", k) + `}]}`)
		n := compares(func() {
			_, dup := duplicateKey(body)
			assert.False(t, dup)
		})
		assert.LessOrEqual(t, n, linearBound(k), "%d keys", k)

		body = []byte(`{"a":[{` + objectMembers("k", k) + `,"k0":1}]}`)
		n = compares(func() {
			ptr, dup := duplicateKey(body)
			assert.True(t, dup)
			assert.Equal(t, "/a/0/k0", ptr)
		})
		assert.LessOrEqual(t, n, linearBound(k+1), "%d keys", k)
	}
}

// BenchmarkDuplicateKey scans an object of n keys.
func BenchmarkDuplicateKey(b *testing.B) {
	for _, n := range []int{1000, 10000, 40000} {
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			body := []byte(`{` + objectMembers("k", n) + `}`)
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if _, dup := duplicateKey(body); dup {
					b.Fatal("no duplicate expected")
				}
			}
		})
	}
}
