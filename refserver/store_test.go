package refserver_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/gen"
	"github.com/seed-a6d846e6/portkey-runs/refserver"
)

func TestStorePutRefusesIncompleteRuns(t *testing.T) {
	st := refserver.NewStore(nil, 0, 0)
	cases := []struct {
		name string
		run  gen.Run
	}{
		{"no id", gen.Run{ThreadID: "thread_1", Status: gen.RunStatusQueued}},
		{"no thread", gen.Run{ID: "run_1", Status: gen.RunStatusQueued}},
		{"bad status", gen.Run{ID: "run_1", ThreadID: "thread_1", Status: "paused"}},
		{"no status", gen.Run{ID: "run_1", ThreadID: "thread_1"}},
		{"id not UTF-8", gen.Run{ID: "run_\xff", ThreadID: "thread_1", Status: gen.RunStatusQueued}},
		{"thread not UTF-8", gen.Run{ID: "run_1", ThreadID: "thread_\xff", Status: gen.RunStatusQueued}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Error(t, st.Put(c.run))
		})
	}
	assert.Zero(t, st.Len())
}

func TestStorePutCopiesAndReplaces(t *testing.T) {
	st := refserver.NewStore(nil, 0, 0)
	run := refserver.NewRun("thread_1", "run_1", gen.RunStatusQueued, start)
	require.NoError(t, st.Put(run))
	(*run.Metadata)["source"] = "changed after Put"
	got, err := st.Get("thread_1", "run_1")
	require.NoError(t, err)
	assert.Equal(t, "refserver", (*got.Metadata)["source"], "the store keeps its own copy")

	run.ThreadID = "thread_2" // the same run ID, moved to another thread
	require.NoError(t, st.Put(run))
	assert.Equal(t, 1, st.Len())
	_, err = st.Get("thread_1", "run_1")
	assert.ErrorIs(t, err, refserver.ErrNoThread, "thread_1 held only that run")
	_, err = st.Get("thread_2", "run_1")
	assert.NoError(t, err)
}

// TestStoreHandsOutCopies: writing through the pointers of a run from Get or Cancel
// changes nothing in the store.
func TestStoreHandsOutCopies(t *testing.T) {
	cases := []struct {
		name string
		get  func(*refserver.Store) (gen.Run, error)
	}{
		{"Get", func(st *refserver.Store) (gen.Run, error) { return st.Get("thread_1", "run_1") }},
		{"Cancel", func(st *refserver.Store) (gen.Run, error) { return st.Cancel("thread_1", "run_1") }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := refserver.NewStore(func() time.Time { return start }, time.Minute, 0)
			_, err := st.Seed("thread_1", "run_1", gen.RunStatusQueued)
			require.NoError(t, err)
			r, err := c.get(st)
			require.NoError(t, err)
			require.NotNil(t, r.Metadata)
			require.NotNil(t, r.ExpiresAt)
			(*r.Metadata)["source"] = "changed"
			*r.ExpiresAt = 1
			// RawMessage.UnmarshalJSON writes in place when the bytes fit: a shared union would change.
			require.NoError(t, r.ToolChoice.UnmarshalJSON([]byte(`"none"`)))
			require.NoError(t, r.Tools[0].UnmarshalJSON([]byte(`{"type":"function","function":{"name":"f"}}`)[:len(`{"type":"code_interpreter"}`)]))
			got, err := st.Get("thread_1", "run_1")
			require.NoError(t, err)
			assert.Equal(t, "refserver", (*got.Metadata)["source"])
			assert.NotEqual(t, 1, *got.ExpiresAt)
			want := refserver.NewRun("thread_1", "run_1", gen.RunStatusQueued, start)
			assert.Equal(t, *want.ToolChoice, *got.ToolChoice)
			assert.Equal(t, want.Tools, got.Tools)
		})
	}
}

func TestStoreEvictsOldestTerminalRunFirst(t *testing.T) {
	st := refserver.NewStore(func() time.Time { return start }, time.Minute, 3)
	for i, s := range []gen.RunStatus{gen.RunStatusQueued, gen.RunStatusCompleted, gen.RunStatusFailed} {
		_, err := st.Seed("thread_1", fmt.Sprint("run_", i), s)
		require.NoError(t, err)
	}
	_, err := st.Seed("thread_1", "run_3", gen.RunStatusInProgress)
	require.NoError(t, err)
	assert.Equal(t, 3, st.Len())
	_, err = st.Get("thread_1", "run_1")
	assert.ErrorIs(t, err, refserver.ErrNoRun, "the oldest terminal run went")
	for _, id := range []string{"run_0", "run_2", "run_3"} {
		_, err := st.Get("thread_1", id)
		assert.NoError(t, err, id)
	}
}

func TestStoreRefusesWhenFullOfLiveRuns(t *testing.T) {
	now := start
	st := refserver.NewStore(func() time.Time { return now }, time.Minute, 2)
	for _, id := range []string{"run_0", "run_1"} {
		_, err := st.Seed("thread_1", id, gen.RunStatusQueued)
		require.NoError(t, err)
	}
	_, err := st.Seed("thread_1", "run_2", gen.RunStatusQueued)
	require.ErrorIs(t, err, refserver.ErrFull)

	_, err = st.Cancel("thread_1", "run_1")
	require.NoError(t, err)
	_, err = st.Seed("thread_1", "run_2", gen.RunStatusQueued)
	require.ErrorIs(t, err, refserver.ErrFull, "a cancelling run is not terminal yet")

	now = now.Add(time.Minute) // run_1 is cancelled now, so it can go
	_, err = st.Seed("thread_1", "run_2", gen.RunStatusQueued)
	require.NoError(t, err)
	_, err = st.Get("thread_1", "run_1")
	assert.ErrorIs(t, err, refserver.ErrNoRun, "run_1 went; thread_1 still exists")
}

func TestNewRunIsCompleteForEveryStatus(t *testing.T) {
	for _, s := range refserver.AllStatuses {
		t.Run(string(s), func(t *testing.T) {
			run := refserver.NewRun("thread_1", "run_1", s, start)
			assert.Equal(t, s, run.Status)
			assert.Equal(t, gen.RunObjectThreadRun, run.Object)
			assert.NotNil(t, run.Tools)
			assert.Equal(t, s == gen.RunStatusCancelled, run.CancelledAt != nil, "cancelled_at exactly when cancelled")
			assert.Equal(t, s == gen.RunStatusRequiresAction, run.RequiredAction != nil)
			assert.Equal(t, s == gen.RunStatusFailed, run.LastError != nil)
		})
	}
}

// TestStoreEvictionDoesNotScanLiveRuns: with many live runs in front of the one terminal
// run, a Put into the full store costs about what a Put into a store with room costs (a
// scan from the oldest run made it 10^4 times slower at 10^5 runs).
func TestStoreEvictionDoesNotScanLiveRuns(t *testing.T) {
	const live, puts = 50000, 200
	st := refserver.NewStore(func() time.Time { return start }, 0, live+1)
	run := func(id string, s gen.RunStatus) gen.Run {
		return gen.Run{ID: id, ThreadID: "thread_1", Status: s}
	}
	for i := range live - puts {
		require.NoError(t, st.Put(run(fmt.Sprint("run_", i), gen.RunStatusQueued)))
	}
	began := time.Now()
	for i := range puts { // into a store with room
		require.NoError(t, st.Put(run(fmt.Sprint("room_", i), gen.RunStatusQueued)))
	}
	room := time.Since(began)
	require.NoError(t, st.Put(run("done_0", gen.RunStatusCompleted)))
	require.Equal(t, live+1, st.Len())
	began = time.Now()
	for i := 1; i <= puts; i++ { // each evicts the one terminal run
		require.NoError(t, st.Put(run(fmt.Sprint("done_", i), gen.RunStatusCompleted)))
	}
	full := time.Since(began)
	t.Logf("%d evicting Puts at %d runs: %s; %d Puts with room: %s", puts, live, full, puts, room)
	_, err := st.Get("thread_1", fmt.Sprint("done_", puts-1))
	assert.ErrorIs(t, err, refserver.ErrNoRun, "the terminal run before went")
	assert.Less(t, full, 20*room+10*time.Millisecond, "%d evicting Puts took %s, %d Puts with room %s", puts, full, puts, room)
}

// TestStoreEvictsCancelledRunsOnceSettled: a run cancelled through Cancel can be evicted
// once its delay has passed, before a live run and after the terminal runs that ended first.
func TestStoreEvictsCancelledRunsOnceSettled(t *testing.T) {
	now := start
	st := refserver.NewStore(func() time.Time { return now }, time.Minute, 3)
	for i, s := range []gen.RunStatus{gen.RunStatusQueued, gen.RunStatusInProgress, gen.RunStatusCompleted} {
		_, err := st.Seed("thread_1", fmt.Sprint("run_", i), s)
		require.NoError(t, err)
	}
	_, err := st.Cancel("thread_1", "run_1")
	require.NoError(t, err)
	now = now.Add(time.Minute)
	_, err = st.Seed("thread_1", "run_3", gen.RunStatusQueued)
	require.NoError(t, err)
	_, err = st.Get("thread_1", "run_2")
	assert.ErrorIs(t, err, refserver.ErrNoRun, "the completed run ended first")
	_, err = st.Seed("thread_1", "run_4", gen.RunStatusQueued)
	require.NoError(t, err)
	_, err = st.Get("thread_1", "run_1")
	assert.ErrorIs(t, err, refserver.ErrNoRun, "then the cancelled one")
	_, err = st.Seed("thread_1", "run_5", gen.RunStatusQueued)
	assert.ErrorIs(t, err, refserver.ErrFull, "live runs stay")
	for _, id := range []string{"run_0", "run_3", "run_4"} {
		_, err := st.Get("thread_1", id)
		assert.NoError(t, err, id)
	}
}
