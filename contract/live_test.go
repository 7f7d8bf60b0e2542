package contract_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/contract"
	"github.com/seed-a6d846e6/portkey-runs/internal/testtarget"
	"github.com/seed-a6d846e6/portkey-runs/portkey"
)

// liveRecordDir receives the cassettes of PORTKEY_RECORD=1.
const liveRecordDir = "testdata/cassettes/live"

// TestLive runs live mode against PORTKEY_BASE_URL (default: the hosted gateway) with the
// credentials of the environment; it skips without them.
func TestLive(t *testing.T) {
	live, err := contract.LiveFromEnv(os.Getenv)
	if err == contract.ErrNoCredentials {
		t.Skip("live: " + err.Error())
	}
	require.NoError(t, err)
	runLive(t, live, liveRecordDir)
}

// runLive runs live's scenarios (recording them into dir when live.Record) and fails t on
// anything but a pass.
func runLive(t *testing.T, live contract.Live, dir string) []contract.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s := live.Suite()
	var rs []contract.Result
	if live.Record {
		var err error
		rs, err = contract.Record(ctx, s, dir, live.Scenarios())
		require.NoError(t, err)
	} else {
		rs = s.RunAll(ctx, live.Scenarios())
	}
	for _, r := range rs {
		t.Logf("live %s: %d %s in %s", r.Name, r.Status, r.Verdict, r.Duration.Round(time.Millisecond))
		for _, v := range r.Violations() {
			t.Logf("    %s", v)
		}
		assert.Equal(t, contract.Pass, r.Verdict, "%s: %v", r.Name, lines(r.Violations()))
	}
	return rs
}

// TestLiveModeAgainstFakeTarget runs live mode end to end, environment and recording
// included, with the fake target standing in for a gateway.
func TestLiveModeAgainstFakeTarget(t *testing.T) {
	srv := testtarget.New(t)
	env := map[string]string{
		portkey.EnvBaseURL: srv.URL + "/v1", portkey.EnvAPIKey: testtarget.APIKey, portkey.EnvVirtualKey: testtarget.VirtualKey,
		contract.EnvThreadID: testtarget.RunInProgress.ThreadID, contract.EnvRunID: testtarget.RunInProgress.RunID, contract.EnvRecord: "1",
	}
	live, err := contract.LiveFromEnv(func(k string) string { return env[k] })
	require.NoError(t, err)
	assert.True(t, live.Record)
	dir := t.TempDir()
	rs := runLive(t, live, dir)
	assert.Equal(t, []int{404, 401, 200}, statuses(rs))
	for _, name := range []string{"unknown_run", "no_credentials", "cancel_run"} {
		b, err := os.ReadFile(filepath.Join(dir, name+".yaml"))
		require.NoError(t, err)
		assert.NotContains(t, string(b), testtarget.APIKey)
		assert.NotContains(t, string(b), testtarget.VirtualKey)
	}
}

func TestLiveFromEnv(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	_, err := contract.LiveFromEnv(getenv)
	assert.Equal(t, contract.ErrNoCredentials, err)

	env[portkey.EnvAPIKey] = "k"
	_, err = contract.LiveFromEnv(getenv)
	assert.ErrorContains(t, err, "PORTKEY_VIRTUAL_KEY")

	env[portkey.EnvConfig] = "pc-1"
	env[contract.EnvRunID] = "run_1"
	_, err = contract.LiveFromEnv(getenv)
	assert.ErrorContains(t, err, "PORTKEY_THREAD_ID")

	env[contract.EnvThreadID] = "thread_1"
	env[contract.EnvRecord] = "maybe"
	_, err = contract.LiveFromEnv(getenv)
	assert.ErrorContains(t, err, "PORTKEY_RECORD")

	delete(env, contract.EnvRecord)
	live, err := contract.LiveFromEnv(getenv)
	require.NoError(t, err)
	assert.Equal(t, portkey.DefaultBaseURL, live.BaseURL)
	assert.Equal(t, portkey.Auth{APIKey: "k", Config: "pc-1"}, live.Auth)
	assert.Equal(t, contract.RunRef{ThreadID: "thread_1", RunID: "run_1"}, live.Run)
	assert.False(t, live.Record)

	v := validator(t, contract.Options{})
	for _, sc := range live.Scenarios() {
		for _, status := range sc.Expect {
			assert.True(t, v.Documented(status), "%s expects %d, which the spec must document", sc.Name, status)
		}
	}
}
