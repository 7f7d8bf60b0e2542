package refserver

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/gen"
)

// TestViewEncodesTheRunAsItIsNow: after a cancel and after expiry, the bytes the server
// splices, and the run Store's methods decode, are the run with its lifecycle's changes.
func TestViewEncodesTheRunAsItIsNow(t *testing.T) {
	at := time.Unix(1e9, 0)
	for _, st := range []gen.RunStatus{gen.RunStatusQueued, gen.RunStatusInProgress, gen.RunStatusRequiresAction} {
		for _, step := range []string{"cancel", "expire"} {
			now := at
			s := NewStore(func() time.Time { return now }, 0, 0)
			run := NewRun("thread_1", "run_1", st, at)
			_, err := s.put(run, false, time.Time{}, at.Add(CreatedRunLifetime))
			require.NoError(t, err)
			var v view
			if step == "cancel" {
				now = at.Add(time.Second)
				v, err = s.cancel("thread_1", "run_1", true)
				run.Status, run.CancelledAt, run.ExpiresAt = gen.RunStatusCancelled, ptr(int(now.Unix())), nil
			} else {
				now = at.Add(CreatedRunLifetime)
				v, err = s.get("thread_1", "run_1")
				run.Status = gen.RunStatusExpired
			}
			require.NoError(t, err)
			run.RequiredAction, run.Usage = nil, &gen.RunUsage{}
			want, err := stdEncode(&run)
			require.NoError(t, err)
			assert.Equal(t, string(want), string(v.append(nil)), "%s, %s", st, step)
			got, err := v.run()
			require.NoError(t, err)
			b, err := json.Marshal(got)
			require.NoError(t, err)
			assert.JSONEq(t, string(want), string(b), "decoded, %s, %s", st, step)
		}
	}
}
