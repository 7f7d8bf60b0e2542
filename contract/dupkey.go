package contract

import (
	"slices"
	"unicode/utf8"
)

// duplicateKey returns the JSON pointer of the first property that appears twice in its
// object in b, a valid JSON document (anything else gives no answer, and no panic).
// encoding/json keeps the last one silently, other readers the first: a body like that
// means different things to different clients. It lexes the bytes once with the fast
// path's scan, without decoding values, so that it costs little next to the schema check.
func duplicateKey(b []byte) (string, bool) {
	s := newScan(b)
	defer s.release()
	s.dups, s.maxDepth = true, maxJSONDepth
	if s.skip() || len(s.dup) == 0 {
		return "", false
	}
	slices.Reverse(s.dup)
	return pointer(tokenStrings(s.dup)), true
}

// maxJSONDepth is past the nesting encoding/json accepts (10000), so that duplicateKey
// lexes every body decodeJSON does.
const maxJSONDepth = 10001

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
