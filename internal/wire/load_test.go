package wire_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/internal/wire"
)

// TestLoadIsSharedValidAndServerless: every caller gets the one document, valid, without
// servers; the validation that processes no longer pay for at start-up runs here.
func TestLoadIsSharedValidAndServerless(t *testing.T) {
	a, err := wire.Load()
	require.NoError(t, err)
	b, err := wire.Load()
	require.NoError(t, err)
	assert.Same(t, a, b)
	assert.Same(t, a.Doc, b.Doc)
	assert.Nil(t, a.Doc.Servers)
	require.NoError(t, a.Doc.Validate(context.Background()))
	assert.NotNil(t, a.Doc.Paths.Value("/threads/{thread_id}/runs/{run_id}/cancel"))
}
