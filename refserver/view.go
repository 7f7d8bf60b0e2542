package refserver

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/seed-a6d846e6/portkey-runs/gen"
)

// The values of a stored run that its lifecycle changes, in the order they are encoded.
const (
	holeCancelledAt = iota
	holeExpiresAt
	holeRequiredAction
	holeStartedAt
	holeStatus
	holeUsage
	nHoles
)

// A hole is where one value sits in an encoded run: body[start:end].
type hole struct{ start, end int }

// optInt is an *int without the pointer.
type optInt struct {
	v  int
	ok bool
}

func some(v int) optInt { return optInt{v, true} }

func optOf(p *int) optInt {
	if p == nil {
		return optInt{}
	}
	return some(*p)
}

// A view is a stored run: its bytes as put, and the values its lifecycle changed since.
// Copying a view copies the run; encoding it splices them.
type view struct {
	body  string // encodeRun's output for the run as put
	holes [nHoles]hole

	status                            gen.RunStatus
	cancelledAt, expiresAt, startedAt optInt
	noAction                          bool // required_action is null now
	zeroUsage                         bool // usage was null and is zero now
}

// newView encodes run, whose unions are canonical (copyRun), as the store keeps it, and
// returns its id and thread_id, in the view's body when JSON writes them unescaped (so
// that the store holds one object per run's bytes rather than three).
func newView(run *gen.Run) (_ view, id, threadID string, _ error) {
	e := enc{}
	if e.run(run); e.bad {
		_, err := encodeRun(nil, run) // encoding/json's words for what it cannot encode
		if err == nil {
			err = fmt.Errorf("cannot encode the run")
		}
		return view{}, "", "", err
	}
	body := string(append(e.b, '\n'))
	inBody := func(h hole, s string) string {
		if in := body[h.start+1 : h.end-1]; in == s {
			return in
		}
		return s
	}
	return view{
		body:        body,
		holes:       e.holes,
		status:      AllStatuses[slices.Index(AllStatuses, run.Status)],
		cancelledAt: optOf(run.CancelledAt),
		expiresAt:   optOf(run.ExpiresAt),
		startedAt:   optOf(run.StartedAt),
	}, inBody(e.ids[0], run.ID), inBody(e.ids[1], run.ThreadID), nil
}

// zeroUsageJSON is what encodeRun writes for &gen.RunUsage{}.
const zeroUsageJSON = `{"completion_tokens":0,"prompt_tokens":0,"total_tokens":0}`

// fillUsage sets usage to zero tokens unless the run has usage.
func (v *view) fillUsage() {
	if h := v.holes[holeUsage]; v.body[h.start:h.end] == "null" {
		v.zeroUsage = true
	}
}

// append appends the run as encodeRun writes it, newline included.
func (v *view) append(b []byte) []byte {
	prev := 0
	for i, h := range v.holes {
		b = append(b, v.body[prev:h.start]...)
		prev = h.end
		switch i {
		case holeCancelledAt:
			b = v.cancelledAt.append(b)
		case holeExpiresAt:
			b = v.expiresAt.append(b)
		case holeStartedAt:
			b = v.startedAt.append(b)
		case holeStatus:
			b = appendString(b, string(v.status))
		case holeRequiredAction:
			if v.noAction {
				b = append(b, "null"...)
				continue
			}
			b = append(b, v.body[h.start:h.end]...)
		case holeUsage:
			if v.zeroUsage {
				b = append(b, zeroUsageJSON...)
				continue
			}
			b = append(b, v.body[h.start:h.end]...)
		}
	}
	return append(b, v.body[prev:]...)
}

func (o optInt) append(b []byte) []byte {
	if !o.ok {
		return append(b, "null"...)
	}
	return strconv.AppendInt(b, int64(o.v), 10)
}

// run decodes a copy of the run, for the Store's callers.
func (v *view) run() (gen.Run, error) {
	var run gen.Run
	if err := json.Unmarshal(v.append(nil), &run); err != nil {
		return gen.Run{}, fmt.Errorf("refserver: decoding a stored run: %w", err)
	}
	return run, nil
}
