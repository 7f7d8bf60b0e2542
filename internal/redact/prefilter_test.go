package redact

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestPrefiltersMissNoMatch: mayHoldKey says yes to every text keyPattern matches, hasToken
// exactly when tokenPattern matches; over texts built from the pieces of their matches
// (cases, white space, the letters (?i) folds to s and k), and a few written out. And they
// do filter: most texts of an error message pass neither.
func TestPrefiltersMissNoMatch(t *testing.T) {
	pieces := []string{"s", "S", "\u017f", "p", "R", "k", "K", "\u212a", "-", "_", "bearer", "Bearer", "BEARER", "bEaReR",
		" ", "\t", "\n", "\v", "eyJ", "EYj", ".", "://", "@", ":", "/", "=", "+", "~", "abcdefgh", "x", "12345678", "é", "\x00"}
	texts := []string{"sk-abcdefgh", "\u017fk-abcdefgh", "s\u212a_abcdefgh", "Bearer \t abc.de", "eyJabcdef.abcdef.",
		"http://u:p@h", "No thread found with id 'thread_contract_unknown'.", "Authorization: Bearer with the provider key",
		"sk-abcdefg", "Bearer abcde", "eyJabcde.", strings.Repeat("a", 23), strings.Repeat("a", 24)}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		var b strings.Builder
		for range 1 + rng.IntN(10) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		texts = append(texts, b.String())
	}
	keys, tokens := 0, 0
	for _, s := range texts {
		if keyPattern.MatchString(s) {
			keys++
			assert.True(t, mayHoldKey(s), "mayHoldKey(%q)", s)
		}
		if tokenPattern.MatchString(s) {
			tokens++
		}
		assert.Equal(t, tokenPattern.MatchString(s), hasToken(s), "hasToken(%q)", s)
	}
	assert.Greater(t, keys, 500, "texts keyPattern matches")
	assert.Greater(t, tokens, 1000, "texts tokenPattern matches")
	for _, s := range []string{"No thread found with id 'thread_contract_unknown'.", "Cannot cancel run with status 'completed'.",
		"Authorization: Bearer with the provider key", "Invalid API key provided."} {
		assert.False(t, mayHoldKey(s) || hasToken(s), "%q passes a filter", s)
	}
}
