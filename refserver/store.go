package refserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/seed-a6d846e6/portkey-runs/gen"
)

// Errors of the Store; the server answers ErrNoThread and ErrNoRun with 404.
var (
	ErrNoThread = errors.New("refserver: no such thread")
	ErrNoRun    = errors.New("refserver: no such run on this thread")
	ErrFull     = errors.New("refserver: store is full and holds no terminal run to evict")
)

// NotCancellableError is returned when a run's status does not allow cancelling it.
type NotCancellableError struct{ Status gen.RunStatus }

// Error is the message of OpenAI's 400 answer.
func (e *NotCancellableError) Error() string {
	return fmt.Sprintf("Cannot cancel run with status '%s'.", e.Status)
}

// DefaultMaxRuns is the number of runs a Store holds unless told otherwise.
const DefaultMaxRuns = 10000

// Store holds threads and runs in memory; it is safe for concurrent use. A thread exists
// while it holds a run, and run IDs are unique across threads, as OpenAI's are.
//
// Cancelling needs no timer: a cancelled run records when it becomes cancelled, and every
// read settles it, so a Store never owns a goroutine and needs no Close.
type Store struct {
	now     func() time.Time
	delay   time.Duration
	maxRuns int

	mu      sync.Mutex
	runs    map[string]*entry
	threads map[string]int // thread ID -> number of runs
	// Eviction takes the front of ended, after moving there the front of pending while it
	// is due: a cancel's cancelAt is its time plus the same delay, so pending is in order.
	ended   queue // terminal runs, in the order the store saw them end
	pending queue // runs cancelled through Cancel and not settled by evict yet
	// expiring holds the runs Create made and nothing else moved since: they all live
	// CreatedRunLifetime, so it is in the order they expire.
	expiring queue
}

// An entry is one stored run: its encoded bytes and what a lifecycle changed since, so that
// the collector marks a handful of objects per run rather than every field's.
type entry struct {
	view
	id, threadID string
	cancelAt     time.Time // when a cancelling run becomes cancelled; zero if never
	startAt      time.Time // when a created, queued run becomes in_progress; zero if never
	expireAt     time.Time // when a created run not yet cancelled or ended expires; zero if never
	queue        *queue    // ended, pending, expiring or nil (a live run)
	prev, next   *entry    // its neighbours in queue
}

// A queue is a list of entries linked through their prev and next, oldest first.
type queue struct{ front, back *entry }

// push appends e, in no queue, to q.
func (q *queue) push(e *entry) {
	e.queue, e.prev, e.next = q, q.back, nil
	if q.back != nil {
		q.back.next = e
	} else {
		q.front = e
	}
	q.back = e
}

// unlink takes e out of q, its queue.
func (q *queue) unlink(e *entry) {
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		q.front = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		q.back = e.prev
	}
	e.queue, e.prev, e.next = nil, nil, nil
}

// NewStore returns an empty store. now is its clock (time.Now when nil), delay is how long
// a cancelled run stays cancelling (0: cancelled at once), and maxRuns bounds its size
// (DefaultMaxRuns when <= 0).
func NewStore(now func() time.Time, delay time.Duration, maxRuns int) *Store {
	if now == nil {
		now = time.Now
	}
	if maxRuns <= 0 {
		maxRuns = DefaultMaxRuns
	}
	return &Store{now: now, delay: max(delay, 0), maxRuns: maxRuns,
		runs: map[string]*entry{}, threads: map[string]int{}}
}

// Put stores a copy of run, replacing any run with the same ID. It fills object and a nil
// tools list, and evicts the terminal run that ended first when the store is full. A run put in
// status cancelling stays cancelling; only runs cancelled through Cancel move on.
func (s *Store) Put(run gen.Run) error {
	_, err := s.put(run, false, time.Time{}, time.Time{})
	return err
}

// Create stores run as a new queued run that becomes in_progress after start and, unless
// cancelled first, expired at its expires_at (as OpenAI's runs do after 10 minutes), so
// that it can be evicted. Its thread must hold a run already unless newThread; else
// ErrNoThread. It returns the run as stored.
func (s *Store) Create(run gen.Run, newThread bool, start time.Duration) (gen.Run, error) {
	v, err := s.create(run, newThread, start)
	if err != nil {
		return gen.Run{}, err
	}
	return v.run()
}

// create is Create without decoding the run it returns.
func (s *Store) create(run gen.Run, newThread bool, start time.Duration) (view, error) {
	now := s.now()
	expire := now.Add(CreatedRunLifetime)
	run.Status, run.StartedAt, run.CreatedAt, run.ExpiresAt = gen.RunStatusQueued, nil, int(now.Unix()), ptr(int(expire.Unix()))
	return s.put(run, !newThread, now.Add(max(start, 0)), expire)
}

// CreatedRunLifetime is how long a created run may stay unfinished before it expires.
const CreatedRunLifetime = 10 * time.Minute

// put stores run, encoded, and returns it as stored.
func (s *Store) put(run gen.Run, needThread bool, startAt, expireAt time.Time) (view, error) {
	if run.ID == "" || run.ThreadID == "" {
		return view{}, errors.New("refserver: a run needs an id and a thread_id")
	}
	if !utf8.ValidString(run.ID) || !utf8.ValidString(run.ThreadID) {
		return view{}, errors.New("refserver: a run's id and thread_id must be valid UTF-8") // JSON would change them
	}
	if !run.Status.Valid() {
		return view{}, fmt.Errorf("refserver: unknown run status %q", run.Status)
	}
	run.Object = gen.RunObjectThreadRun
	if run.Tools == nil {
		run.Tools = []gen.AssistantTool{}
	}
	canon, err := copyRun(run, true)
	if err != nil {
		return view{}, err
	}
	v, id, threadID, err := newView(&canon)
	if err != nil {
		return view{}, fmt.Errorf("refserver: run %q: %w", run.ID, err)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if needThread && s.threads[run.ThreadID] == 0 {
		return view{}, ErrNoThread
	}
	if e, ok := s.runs[run.ID]; ok {
		s.remove(e)
	} else if len(s.runs) >= s.maxRuns && !s.evict() {
		return view{}, ErrFull
	}
	e := &entry{view: v, id: id, threadID: threadID, startAt: startAt, expireAt: expireAt}
	switch {
	case terminal(v.status):
		s.enqueue(e, &s.ended)
	case !expireAt.IsZero():
		s.enqueue(e, &s.expiring)
	}
	s.runs[id] = e
	s.threads[run.ThreadID]++
	return v, nil
}

// Seed stores NewRun(threadID, runID, status) at the store's current time and returns it.
func (s *Store) Seed(threadID, runID string, status gen.RunStatus) (gen.Run, error) {
	run := NewRun(threadID, runID, status, s.now())
	return run, s.Put(run)
}

// Get returns a copy of the run as it is now.
func (s *Store) Get(threadID, runID string) (gen.Run, error) {
	v, err := s.get(threadID, runID)
	if err != nil {
		return gen.Run{}, err
	}
	return v.run()
}

// get is Get without decoding the run.
func (s *Store) get(threadID, runID string) (view, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.find(threadID, runID)
	if err != nil {
		return view{}, err
	}
	return e.view, nil
}

// Cancel moves a queued, in_progress or requires_action run to cancelling (or straight to
// cancelled when the delay is 0) and returns it. Any other status gives a
// *NotCancellableError and changes nothing. The run returned is a copy.
func (s *Store) Cancel(threadID, runID string) (gen.Run, error) {
	v, err := s.cancel(threadID, runID, true)
	if err != nil {
		return gen.Run{}, err
	}
	return v.run()
}

// cancel is Cancel without decoding the run; with commit false it only computes the answer.
func (s *Store) cancel(threadID, runID string, commit bool) (view, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.find(threadID, runID)
	if err != nil {
		return view{}, err
	}
	switch e.status {
	case gen.RunStatusQueued, gen.RunStatusInProgress, gen.RunStatusRequiresAction:
	default:
		return view{}, &NotCancellableError{Status: e.status}
	}
	now := s.now()
	next := *e
	next.status = gen.RunStatusCancelling
	next.noAction = true // nothing is required of a run being cancelled
	next.cancelAt = now.Add(s.delay)
	settle(&next, now)
	if commit {
		e.view, e.cancelAt = next.view, next.cancelAt
		if terminal(e.status) {
			s.enqueue(e, &s.ended)
		} else {
			s.enqueue(e, &s.pending)
		}
	}
	return next.view, nil
}

// Len reports how many runs the store holds.
func (s *Store) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.runs)
}

// find returns the settled entry of runID on threadID. Callers hold s.mu.
func (s *Store) find(threadID, runID string) (*entry, error) {
	if s.threads[threadID] == 0 {
		return nil, ErrNoThread
	}
	e, ok := s.runs[runID]
	if !ok {
		return nil, ErrNoRun
	}
	if e.threadID != threadID {
		return nil, ErrNoRun
	}
	settle(e, s.now())
	return e, nil
}

// evict removes the terminal run that ended first and reports whether there was one, in
// O(1) amortised time. Callers hold s.mu.
func (s *Store) evict() bool {
	now := s.now()
	for _, q := range []*queue{&s.pending, &s.expiring} {
		for e := q.front; e != nil; e = q.front {
			settle(e, now)
			if !terminal(e.status) {
				break
			}
			s.enqueue(e, &s.ended)
		}
	}
	if s.ended.front == nil {
		return false
	}
	s.remove(s.ended.front)
	return true
}

// enqueue moves e to the back of q. Callers hold s.mu.
func (s *Store) enqueue(e *entry, q *queue) {
	if e.queue != nil {
		e.queue.unlink(e)
	}
	q.push(e)
}

// remove deletes e's run. Callers hold s.mu.
func (s *Store) remove(e *entry) {
	if e.queue != nil {
		e.queue.unlink(e)
	}
	delete(s.runs, e.id)
	if s.threads[e.threadID]--; s.threads[e.threadID] <= 0 {
		delete(s.threads, e.threadID)
	}
}

// settle turns a created run whose start has come into an in_progress one, one whose
// lifetime has passed into an expired one, and a cancelling run whose delay has passed
// into a cancelled one.
func settle(e *entry, now time.Time) {
	if e.status == gen.RunStatusQueued && !e.startAt.IsZero() && !now.Before(e.startAt) {
		e.status, e.startedAt = gen.RunStatusInProgress, some(int(e.startAt.Unix()))
	}
	if e.status != gen.RunStatusQueued {
		e.startAt = time.Time{}
	}
	if !e.expireAt.IsZero() && !now.Before(e.expireAt) && !terminal(e.status) && e.status != gen.RunStatusCancelling {
		e.status, e.noAction, e.expireAt = gen.RunStatusExpired, true, time.Time{}
		e.fillUsage()
	}
	if e.status != gen.RunStatusCancelling || e.cancelAt.IsZero() || now.Before(e.cancelAt) {
		return
	}
	e.status = gen.RunStatusCancelled
	e.cancelledAt = some(int(e.cancelAt.Unix()))
	e.expiresAt = optInt{}
	e.fillUsage()
	e.cancelAt = time.Time{}
}

// terminal reports whether a run in status st can no longer change.
func terminal(st gen.RunStatus) bool {
	switch st {
	case gen.RunStatusCancelled, gen.RunStatusCompleted, gen.RunStatusFailed,
		gen.RunStatusIncomplete, gen.RunStatusExpired:
		return true
	}
	return false
}

// copyRun deep-copies run; with canon, it also writes each union as encoding/json does
// (compact, escaped; see enc.union), or fails if one is not valid JSON.
func copyRun(run gen.Run, canon bool) (gen.Run, error) {
	var c gen.Run
	if err := deepCopy(reflect.ValueOf(&c).Elem(), reflect.ValueOf(run), canon); err != nil {
		return gen.Run{}, fmt.Errorf("refserver: run %q: %w", run.ID, err)
	}
	return c, nil
}

// deepCopy sets dst, a zero settable value, to a copy of src that shares no memory with it.
// A generated union (one unexported json.RawMessage) is copied by its UnmarshalJSON.
func deepCopy(dst, src reflect.Value, canon bool) error {
	switch src.Kind() {
	case reflect.Pointer, reflect.Interface:
		if src.IsNil() {
			return nil
		}
		if src.Kind() == reflect.Interface {
			c := reflect.New(src.Elem().Type()).Elem()
			if err := deepCopy(c, src.Elem(), canon); err != nil {
				return err
			}
			dst.Set(c)
			return nil
		}
		p := reflect.New(src.Type().Elem())
		if err := deepCopy(p.Elem(), src.Elem(), canon); err != nil {
			return err
		}
		dst.Set(p)
	case reflect.Slice:
		if src.IsNil() {
			return nil
		}
		dst.Set(reflect.MakeSlice(src.Type(), src.Len(), src.Len()))
		for i := range src.Len() {
			if err := deepCopy(dst.Index(i), src.Index(i), canon); err != nil {
				return err
			}
		}
	case reflect.Map:
		if src.IsNil() {
			return nil
		}
		dst.Set(reflect.MakeMapWithSize(src.Type(), src.Len()))
		for it := src.MapRange(); it.Next(); {
			v := reflect.New(src.Type().Elem()).Elem()
			if err := deepCopy(v, it.Value(), canon); err != nil {
				return err
			}
			dst.SetMapIndex(it.Key(), v)
		}
	case reflect.Struct:
		if src.IsZero() {
			return nil
		}
		if t := src.Type(); t.NumField() == 1 && !t.Field(0).IsExported() && t.Field(0).Type == rawMessage {
			u, ok := dst.Addr().Interface().(json.Unmarshaler) // a union: its raw bytes
			if !ok {
				return fmt.Errorf("cannot copy a %s", t)
			}
			raw := src.Field(0).Bytes()
			if canon {
				var err error
				if raw, err = canonicalUnion(raw); err != nil {
					return fmt.Errorf("a %s: %w", t, err)
				}
			}
			return u.UnmarshalJSON(raw)
		}
		for i := range src.NumField() {
			if !src.Type().Field(i).IsExported() {
				return fmt.Errorf("cannot copy the unexported field %s of a %s", src.Type().Field(i).Name, src.Type())
			}
			if err := deepCopy(dst.Field(i), src.Field(i), canon); err != nil {
				return err
			}
		}
	default:
		dst.Set(src)
	}
	return nil
}

var rawMessage = reflect.TypeFor[json.RawMessage]()

func ptr[T any](v T) *T { return &v }
