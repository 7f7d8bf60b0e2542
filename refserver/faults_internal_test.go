package refserver

import (
	"crypto/sha256"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestFaultCountersAreBounded: past maxCounters keys the oldest counter is forgotten, so its
// fault applies afresh, and memory stays bounded.
func TestFaultCountersAreBounded(t *testing.T) {
	fs := &faults{seen: map[[32]byte]int{}}
	f := fault{code: 503, times: 1}
	key := func(i int) [32]byte { return sha256.Sum256([]byte(fmt.Sprint(i))) }
	assert.True(t, fs.take(f, key(0)))
	assert.False(t, fs.take(f, key(0)), "used up")
	for i := 1; i <= maxCounters; i++ {
		assert.True(t, fs.take(f, key(i)))
	}
	assert.Len(t, fs.seen, maxCounters)
	assert.Len(t, fs.order, maxCounters)
	assert.True(t, fs.take(f, key(0)), "forgotten, so counted afresh")
	assert.False(t, fs.take(f, key(maxCounters)), "the newest are kept")
}
