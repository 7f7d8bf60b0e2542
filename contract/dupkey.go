package contract

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// duplicateKey returns the JSON pointer of the first property that appears twice in its
// object in b, a valid JSON document (anything else gives no answer, and no panic).
// encoding/json keeps the last one silently, other readers the first: a body like that
// means different things to different clients. It scans the bytes once, without decoding
// values, so that it costs little next to the schema check.
func duplicateKey(b []byte) (string, bool) {
	type frame struct {
		object bool
		keys   int    // where this object's keys start in keys
		key    []byte // the current property name (objects)
		index  int    // the current element (arrays)
	}
	stack := make([]frame, 0, 16)
	keys := make([][]byte, 0, 64)
	expectKey := false
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '{':
			stack = append(stack, frame{object: true, keys: len(keys)})
			expectKey = true
		case '[':
			stack = append(stack, frame{keys: len(keys)})
			expectKey = false
		case '}', ']':
			if len(stack) == 0 {
				return "", false // not JSON after all
			}
			keys = keys[:stack[len(stack)-1].keys]
			stack = stack[:len(stack)-1]
			expectKey = false
		case ',':
			if len(stack) == 0 {
				return "", false
			}
			top := &stack[len(stack)-1]
			if top.object {
				expectKey = true
			} else {
				top.index++
			}
		case '"':
			end := i + 1
			for ; end < len(b) && b[end] != '"'; end++ {
				if b[end] == '\\' {
					end++
				}
			}
			if end >= len(b) {
				return "", false // an unterminated string: not JSON
			}
			if expectKey {
				name := b[i+1 : end]
				if bytes.IndexByte(name, '\\') >= 0 {
					var s string
					_ = json.Unmarshal(b[i:end+1], &s)
					name = []byte(s)
				}
				top := &stack[len(stack)-1]
				for _, k := range keys[top.keys:] {
					if bytes.Equal(k, name) {
						top.key = name
						tokens := make([]string, len(stack))
						for d, f := range stack {
							if f.object {
								tokens[d] = string(f.key)
							} else {
								tokens[d] = strconv.Itoa(f.index)
							}
						}
						return pointer(tokens), true
					}
				}
				keys = append(keys, name)
				top.key = name
				expectKey = false
			}
			i = end
		}
	}
	return "", false
}

// invalidUTF8At is the offset of the first byte of b that is not valid UTF-8.
func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}
