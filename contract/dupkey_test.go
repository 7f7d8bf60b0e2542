package contract

import (
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
