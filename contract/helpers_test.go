package contract_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/gen/spec"
)

// exampleValue returns a named example of the embedded spec.
func exampleValue(t testing.TB, name string) any {
	t.Helper()
	doc, err := spec.GetSpec()
	require.NoError(t, err)
	ex := doc.Components.Examples[name]
	require.NotNil(t, ex, name)
	b, err := json.Marshal(ex.Value.Value)
	require.NoError(t, err)
	var v any
	require.NoError(t, json.Unmarshal(b, &v))
	return v
}

func mustJSONTB(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}
