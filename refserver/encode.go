package refserver

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/seed-a6d846e6/portkey-runs/gen"
)

// runAnswer is a 200 answer with a run from the store: the generated response types' bytes
// and headers, written at once with a Content-Length. It holds a pooled buffer, so that
// answering allocates neither the body nor the interface holding the answer.
type runAnswer struct{ body *[]byte }

// answerRun encodes v into a runAnswer.
func answerRun(v *view) runAnswer {
	bp := bufPool.Get().(*[]byte)
	*bp = v.append((*bp)[:0])
	return runAnswer{bp}
}

func (a runAnswer) VisitCancelRunResponse(w http.ResponseWriter) error {
	b := *a.body
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(b)
	if cap(b) <= maxPooled {
		bufPool.Put(a.body)
	}
	return err
}

func (a runAnswer) VisitGetRunResponse(w http.ResponseWriter) error {
	return a.VisitCancelRunResponse(w)
}
func (a runAnswer) VisitCreateRunResponse(w http.ResponseWriter) error {
	return a.VisitCancelRunResponse(w)
}
func (a runAnswer) VisitCreateThreadAndRunResponse(w http.ResponseWriter) error {
	return a.VisitCancelRunResponse(w)
}

// maxPooled bounds the buffers kept for reuse; a run with large metadata is rare.
const maxPooled = 16 << 10

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// encodeRun appends what json.NewEncoder(w).Encode(run) writes, newline included, for a
// run as the store returns it.
func encodeRun(dst []byte, run *gen.Run) ([]byte, error) {
	e := enc{b: dst}
	if e.run(run); !e.bad {
		return append(e.b, '\n'), nil
	}
	// Only encoding/json says what it says about a value it cannot encode (NaN).
	buf := bytes.NewBuffer(dst)
	err := json.NewEncoder(buf).Encode(run)
	return buf.Bytes(), err
}

// enc appends JSON as encoding/json writes it; bad records a value left to encoding/json
// (NaN, an infinity). holes records where each value a lifecycle changes sits in b.
type enc struct {
	b     []byte
	bad   bool
	holes [nHoles]hole
	ids   [2]hole // where the run's id and thread_id strings sit in b, quotes included
}

func (e *enc) open(h int)  { e.holes[h].start = len(e.b) }
func (e *enc) close(h int) { e.holes[h].end = len(e.b) }

func (e *enc) lit(s string) { e.b = append(e.b, s...) }
func (e *enc) str(s string) { e.b = appendString(e.b, s) }
func (e *enc) int(n int)    { e.b = strconv.AppendInt(e.b, int64(n), 10) }
func (e *enc) bool(v bool)  { e.b = strconv.AppendBool(e.b, v) }
func (e *enc) intPtr(p *int) {
	if p == nil {
		e.lit("null")
	} else {
		e.int(*p)
	}
}

// run appends r; a field added to gen.Run fails TestEncodeRunMatchesJSON until it is here.
func (e *enc) run(r *gen.Run) {
	e.lit(`{"assistant_id":`)
	e.str(r.AssistantID)
	e.lit(`,"cancelled_at":`)
	e.open(holeCancelledAt)
	e.intPtr(r.CancelledAt)
	e.close(holeCancelledAt)
	e.lit(`,"completed_at":`)
	e.intPtr(r.CompletedAt)
	e.lit(`,"created_at":`)
	e.int(r.CreatedAt)
	e.lit(`,"expires_at":`)
	e.open(holeExpiresAt)
	e.intPtr(r.ExpiresAt)
	e.close(holeExpiresAt)
	e.lit(`,"failed_at":`)
	e.intPtr(r.FailedAt)
	e.lit(`,"id":`)
	e.ids[0].start = len(e.b)
	e.str(r.ID)
	e.ids[0].end = len(e.b)
	e.lit(`,"incomplete_details":`)
	switch d := r.IncompleteDetails; {
	case d == nil:
		e.lit("null")
	case d.Reason == nil:
		e.lit("{}")
	default:
		e.lit(`{"reason":`)
		e.str(string(*d.Reason))
		e.lit("}")
	}
	e.lit(`,"instructions":`)
	if r.Instructions == nil {
		e.lit("null")
	} else {
		e.str(*r.Instructions)
	}
	e.lit(`,"last_error":`)
	if le := r.LastError; le == nil {
		e.lit("null")
	} else {
		e.lit(`{"code":`)
		e.str(string(le.Code))
		e.lit(`,"message":`)
		e.str(le.Message)
		e.lit("}")
	}
	e.lit(`,"max_completion_tokens":`)
	e.intPtr(r.MaxCompletionTokens)
	e.lit(`,"max_prompt_tokens":`)
	e.intPtr(r.MaxPromptTokens)
	e.lit(`,"metadata":`)
	if r.Metadata == nil || *r.Metadata == nil {
		e.lit("null")
	} else {
		e.metadata(*r.Metadata)
	}
	e.lit(`,"model":`)
	e.str(r.Model)
	e.lit(`,"object":`)
	e.str(string(r.Object))
	e.lit(`,"parallel_tool_calls":`)
	e.bool(r.ParallelToolCalls)
	if r.ReasoningEffort != nil {
		e.lit(`,"reasoning_effort":`)
		e.str(*r.ReasoningEffort)
	}
	e.lit(`,"required_action":`)
	e.open(holeRequiredAction)
	if a := r.RequiredAction; a == nil {
		e.lit("null")
	} else {
		e.lit(`{"submit_tool_outputs":{"tool_calls":`)
		if a.SubmitToolOutputs.ToolCalls == nil {
			e.lit("null")
		} else {
			e.lit("[")
			for i, c := range a.SubmitToolOutputs.ToolCalls {
				if i > 0 {
					e.lit(",")
				}
				e.lit(`{"function":{"arguments":`)
				e.str(c.Function.Arguments)
				e.lit(`,"name":`)
				e.str(c.Function.Name)
				e.lit(`},"id":`)
				e.str(c.ID)
				e.lit(`,"type":`)
				e.str(string(c.Type))
				e.lit("}")
			}
			e.lit("]")
		}
		e.lit(`},"type":`)
		e.str(string(a.Type))
		e.lit("}")
	}
	e.close(holeRequiredAction)
	e.lit(`,"response_format":`)
	if r.ResponseFormat == nil {
		e.lit("null")
	} else {
		e.union(r.ResponseFormat)
	}
	e.lit(`,"started_at":`)
	e.open(holeStartedAt)
	e.intPtr(r.StartedAt)
	e.close(holeStartedAt)
	e.lit(`,"status":`)
	e.open(holeStatus)
	e.str(string(r.Status))
	e.close(holeStatus)
	if r.Temperature != nil {
		e.lit(`,"temperature":`)
		e.float(*r.Temperature)
	}
	e.lit(`,"thread_id":`)
	e.ids[1].start = len(e.b)
	e.str(r.ThreadID)
	e.ids[1].end = len(e.b)
	e.lit(`,"tool_choice":`)
	if r.ToolChoice == nil {
		e.lit("null")
	} else {
		e.union(r.ToolChoice)
	}
	if r.ToolResources != nil {
		e.lit(`,"tool_resources":`)
		e.marshal(r.ToolResources)
	}
	e.lit(`,"tools":`)
	if r.Tools == nil {
		e.lit("null")
	} else {
		e.lit("[")
		for i := range r.Tools {
			if i > 0 {
				e.lit(",")
			}
			e.union(&r.Tools[i])
		}
		e.lit("]")
	}
	if r.TopP != nil {
		e.lit(`,"top_p":`)
		e.float(*r.TopP)
	}
	e.lit(`,"truncation_strategy":`)
	if t := r.TruncationStrategy; t == nil {
		e.lit("null")
	} else {
		e.lit("{")
		if t.LastMessages != nil {
			e.lit(`"last_messages":`)
			e.int(*t.LastMessages)
			e.lit(",")
		}
		e.lit(`"type":`)
		e.str(string(t.Type))
		e.lit("}")
	}
	e.lit(`,"usage":`)
	e.open(holeUsage)
	if u := r.Usage; u == nil {
		e.lit("null")
	} else {
		e.lit(`{"completion_tokens":`)
		e.int(u.CompletionTokens)
		if u.CompletionTokensDetails != nil {
			e.lit(`,"completion_tokens_details":`)
			e.marshal(u.CompletionTokensDetails)
		}
		if u.PromptTokenDetails != nil {
			e.lit(`,"prompt_token_details":`)
			e.marshal(u.PromptTokenDetails)
		}
		e.lit(`,"prompt_tokens":`)
		e.int(u.PromptTokens)
		e.lit(`,"total_tokens":`)
		e.int(u.TotalTokens)
		e.lit("}")
	}
	e.close(holeUsage)
	e.lit("}")
}

// metadata appends m with its keys sorted, as encoding/json does.
func (e *enc) metadata(m gen.Metadata) {
	var arr [16]string // the spec allows 16 keys
	keys := arr[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	e.lit("{")
	for i, k := range keys {
		if i > 0 {
			e.lit(",")
		}
		e.str(k)
		e.lit(":")
		e.str(m[k])
	}
	e.lit("}")
}

// float appends f as encoding/json does (ES6 number formatting).
func (e *enc) float(f float64) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		e.bad = true
		return
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b := strconv.AppendFloat(e.b, f, format, -1, 64)
	if n := len(b); format == 'e' && n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
		b[n-2] = b[n-1] // e-07 is e-7
		b = b[:n-1]
	}
	e.b = b
}

// marshal appends json.Marshal(v), for the fields a run seldom has.
func (e *enc) marshal(v any) {
	m, err := json.Marshal(v)
	if err != nil {
		e.bad = true
	}
	e.b = append(e.b, m...)
}

// union appends a generated union of a stored run, which the store keeps as encoding/json
// writes it (compact, with <, >, &, U+2028 and U+2029 escaped: canonicalUnion).
func (e *enc) union(u json.Marshaler) {
	raw, err := u.MarshalJSON()
	if err != nil {
		e.bad = true
	}
	e.b = append(e.b, raw...)
}

// canonicalUnion returns raw as encoding/json writes a Marshaler's output: compact, with
// <, >, &, U+2028 and U+2029 escaped; or an error if raw is not JSON.
func canonicalUnion(raw []byte) ([]byte, error) {
	var compact, escaped bytes.Buffer
	if err := json.Compact(&compact, raw); err != nil {
		return nil, err
	}
	json.HTMLEscape(&escaped, compact.Bytes())
	return escaped.Bytes(), nil
}

// appendString appends s as a JSON string as encoding/json does, HTML characters,
// U+2028 and U+2029 escaped and invalid UTF-8 replaced.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(append(b, s[start:i]...), `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(append(b, s[start:i]...), '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(append(b, s[start:]...), '"')
}

const hexDigits = "0123456789abcdef"
