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
		set    names  // this object's keys past smallObject
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
				top.key = name
				if addName(&keys, top.keys, &top.set, name) {
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
				expectKey = false
			}
			i = end
		}
	}
	return "", false
}

// smallObject is how many property names an object has before addName indexes them:
// fewer are cheaper to compare one by one, and allocate nothing.
const smallObject = 16

// names indexes the property names of one object that has more than smallObject.
type names map[string]struct{}

// nameCompared, when a test sets it, is called on each comparison or look-up of a name.
var nameCompared func()

// addName adds name to those of one object, (*keys)[start:] and then *set, and reports
// whether the object has it already. Past smallObject names, it looks names up in *set
// (made then), so that an object of k names costs O(k), not O(k^2).
func addName(keys *[][]byte, start int, set *names, name []byte) bool {
	if *set == nil {
		own := (*keys)[start:]
		for _, k := range own {
			if nameCompared != nil {
				nameCompared()
			}
			if string(k) == string(name) {
				return true
			}
		}
		if len(own) < smallObject {
			*keys = append(*keys, name)
			return false
		}
		*set = make(names, 2*len(own))
		for _, k := range own {
			(*set)[string(k)] = struct{}{}
		}
	}
	if nameCompared != nil {
		nameCompared()
	}
	if _, ok := (*set)[string(name)]; ok {
		return true
	}
	(*set)[string(name)] = struct{}{}
	return false
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
