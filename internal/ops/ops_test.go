package ops_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/gen/spec"
	"github.com/seed-a6d846e6/portkey-runs/internal/ops"
)

func TestMatch(t *testing.T) {
	doc, err := spec.GetSwagger()
	require.NoError(t, err)
	m := ops.New(doc)
	cases := []struct {
		method, path, id string
		params           map[string]string
	}{
		{"POST", "/threads/runs", "createThreadAndRun", map[string]string{}},
		{"POST", "/v1/threads/th/runs", "createRun", map[string]string{"thread_id": "th"}},
		{"POST", "/threads/threads/runs", "createRun", map[string]string{"thread_id": "threads"}},
		{"GET", "/openai/threads/th/runs/r%2F1", "getRun", map[string]string{"thread_id": "th", "run_id": "r/1"}},
		{"POST", "/v1/threads/th/runs/r/cancel", "cancelRun", map[string]string{"thread_id": "th", "run_id": "r"}},
		{"POST", "/threads//runs/r/cancel", "cancelRun", map[string]string{"thread_id": "", "run_id": "r"}},
	}
	for _, c := range cases {
		op, params, ok := m.Match(c.method, c.path)
		require.True(t, ok, c.path)
		assert.Equal(t, c.id, op.ID, c.path)
		assert.Equal(t, c.params, params, c.path)
	}
	for _, p := range [][2]string{{"GET", "/threads/runs"}, {"POST", "/threads/th/runs/r"}, {"POST", "/threads/th/runs/r/steps"}, {"POST", "/runs"}, {"GET", "/threads/th/runs/r%zz"}} {
		_, _, ok := m.Match(p[0], p[1])
		assert.False(t, ok, p)
	}
	assert.Equal(t, []string{"GET"}, m.Allowed("/v1/threads/th/runs/r"))
	assert.Equal(t, []string{"POST"}, m.Allowed("/threads/th/runs/r/cancel"))
	assert.Empty(t, m.Allowed("/threads/th/messages"))
	_, ok := m.ByID("getRun")
	assert.True(t, ok)
}
