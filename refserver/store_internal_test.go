package refserver

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/gen"
)

// TestCloneCopiesWithoutJSON: a copy of the fullest demo run costs few allocations (the
// JSON round trip it replaced took 38) and shares nothing writable with the original,
// the raw bytes of its unions included.
func TestCloneCopiesWithoutJSON(t *testing.T) {
	run := NewRun("thread_1", "run_1", gen.RunStatusRequiresAction, time.Unix(1e9, 0))
	want, err := json.Marshal(run)
	require.NoError(t, err)

	allocs := testing.AllocsPerRun(100, func() { _, _ = clone(run) })
	assert.LessOrEqual(t, allocs, 25.0, "allocations per copy")

	c, err := clone(run)
	require.NoError(t, err)
	got, err := json.Marshal(c)
	require.NoError(t, err)
	assert.JSONEq(t, string(want), string(got), "the copy encodes as the original")

	// RawMessage.UnmarshalJSON writes in place when the bytes fit: a shared union would change.
	require.NoError(t, c.ToolChoice.UnmarshalJSON([]byte(`"none"`)))
	require.NoError(t, c.Tools[0].UnmarshalJSON([]byte(`{"type":"function","function":{"name":"f"}}`)[:len(`{"type":"code_interpreter"}`)]))
	c.RequiredAction.SubmitToolOutputs.ToolCalls[0].Function.Name = "changed"
	(*c.Metadata)["source"] = "changed"
	*c.Temperature = 0
	after, err := json.Marshal(run)
	require.NoError(t, err)
	assert.JSONEq(t, string(want), string(after), "writing through the copy left the original alone")
}

func BenchmarkClone(b *testing.B) {
	run := NewRun("thread_1", "run_1", gen.RunStatusRequiresAction, time.Unix(1e9, 0))
	b.ReportAllocs()
	for range b.N {
		if _, err := clone(run); err != nil {
			b.Fatal(err)
		}
	}
}
