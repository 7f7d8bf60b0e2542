package contract_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/gen/spec"
	"github.com/seed-a6d846e6/portkey-runs/internal/wire"
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

// nonEmptyLines are the lines of a golden file that are neither blank nor comments.
func nonEmptyLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

// cancelTemplate is cancelRun's path template, as the spec says it.
func cancelTemplate(t testing.TB) string {
	ws, err := wire.Load()
	require.NoError(t, err)
	op, ok := ws.ByID("cancelRun")
	require.True(t, ok)
	return op.Path
}
