package specdoc_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/internal/specdoc"
)

// TestLoadIsSharedValidAndServerless: every caller gets the one document, valid, without
// servers; the validation that processes no longer pay for at start-up runs here.
func TestLoadIsSharedValidAndServerless(t *testing.T) {
	a, err := specdoc.Load()
	require.NoError(t, err)
	b, err := specdoc.Load()
	require.NoError(t, err)
	assert.Same(t, a, b)
	assert.Nil(t, a.Servers)
	require.NoError(t, a.Validate(context.Background()))
	assert.NotNil(t, a.Paths.Value("/threads/{thread_id}/runs/{run_id}/cancel"))
}
