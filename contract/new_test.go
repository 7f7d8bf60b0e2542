package contract_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/contract"
)

// TestNewDoesNotDecodeTheSpecAgain: the embedded spec is decoded once per process, so a
// second New only builds the validator (about 700 allocations; decoding and validating the
// spec again made it 16,500).
func TestNewDoesNotDecodeTheSpecAgain(t *testing.T) {
	_, err := contract.New(contract.Options{})
	require.NoError(t, err)
	allocs := testing.AllocsPerRun(3, func() { _, _ = contract.New(contract.Options{}) })
	assert.Less(t, allocs, 2000.0, "allocations per New")
	t.Logf("%.0f allocations per New", allocs)
}
