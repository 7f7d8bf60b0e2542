package refserver

import (
	"encoding/json"
	"reflect"
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

// mutate changes, in place, every value reachable from v that a copy could share with its
// original: what pointers point to, slice elements, map entries and each union's bytes
// (through MarshalJSON, which returns them).
func mutate(t *testing.T, v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(v.String() + "!")
	case reflect.Int:
		v.SetInt(v.Int() + 1)
	case reflect.Bool:
		v.SetBool(!v.Bool())
	case reflect.Float64:
		v.SetFloat(v.Float() + 1)
	case reflect.Pointer:
		if !v.IsNil() {
			mutate(t, v.Elem())
		}
	case reflect.Slice:
		for i := range v.Len() {
			mutate(t, v.Index(i))
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(it.Value())
			mutate(t, e)
			v.SetMapIndex(it.Key(), e)
		}
		v.SetMapIndex(reflect.ValueOf("added"), reflect.Zero(v.Type().Elem()))
	case reflect.Interface:
		if !v.IsNil() {
			e := reflect.New(v.Elem().Type()).Elem()
			e.Set(v.Elem())
			mutate(t, e)
			v.Set(e)
		}
	case reflect.Struct:
		if v.NumField() == 1 && !v.Type().Field(0).IsExported() {
			b, err := v.Interface().(json.Marshaler).MarshalJSON()
			require.NoError(t, err)
			for i := range b {
				b[i] = ' '
			}
			return
		}
		for i := range v.NumField() {
			mutate(t, v.Field(i))
		}
	default:
		t.Fatalf("mutate: cannot change a %s", v.Type())
	}
}

// TestStoreCopiesShareNothing: changing every value reachable from a run that Get, Cancel
// or Create returned, its unions' bytes included, leaves the stored run as it was.
func TestStoreCopiesShareNothing(t *testing.T) {
	var full gen.Run
	fill(t, reflect.ValueOf(&full).Elem())
	full.Status, full.ID, full.ThreadID = gen.RunStatusQueued, "run_1", "thread_1"
	for _, c := range []struct {
		name, id string // id: the run copy returns
		copy     func(*Store) (gen.Run, error)
	}{
		{"Get", "run_1", func(s *Store) (gen.Run, error) { return s.Get("thread_1", "run_1") }},
		{"Cancel", "run_1", func(s *Store) (gen.Run, error) { return s.Cancel("thread_1", "run_1") }},
		{"Create", "run_2", func(s *Store) (gen.Run, error) {
			run := full
			run.ID = "run_2"
			return s.Create(run, false, time.Minute)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := NewStore(func() time.Time { return time.Unix(1e9, 0) }, time.Minute, 0)
			require.NoError(t, s.Put(full))
			got, err := c.copy(s)
			require.NoError(t, err)
			want, err := json.Marshal(got) // shares nothing with got
			require.NoError(t, err)
			mutate(t, reflect.ValueOf(&got).Elem())
			again, err := s.Get("thread_1", c.id)
			require.NoError(t, err)
			b, err := json.Marshal(again)
			require.NoError(t, err, "the stored run changed")
			assert.JSONEq(t, string(want), string(b))
		})
	}
}
