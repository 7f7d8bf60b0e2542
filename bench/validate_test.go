package bench

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/contract"
)

var bodies = []struct {
	name string
	body func() []byte
}{
	{"typical", TypicalBody},
	{"8KB", LargeBody},
	{"64KB", body64KB},
}

// TestPeersAgree: the benchmarked work is the same for every peer: each accepts every
// body and rejects it once broken.
func TestPeersAgree(t *testing.T) {
	broken := map[string]func([]byte) []byte{
		"unknown status": func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"status":"cancelled"`), []byte(`"status":"paused"`), 1)
		},
		"missing id": func(b []byte) []byte { return bytes.Replace(b, []byte(`"id":"run_def456",`), nil, 1) },
		"tool of no kind": func(b []byte) []byte {
			return bytes.Replace(b, []byte(`{"type":"code_interpreter"}`), []byte(`{"type":"web_search"}`), 1)
		},
		"metadata value too long": func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"team":"support"`), []byte(`"team":"`+string(bytes.Repeat([]byte("x"), 513))+`"`), 1)
		},
	}
	for _, p := range peers {
		v := p.new(t)
		for _, b := range bodies {
			t.Run(p.name+"/"+b.name, func(t *testing.T) {
				assert.True(t, v.valid(newExchange(t, b.body()).req, newExchange(t, b.body()).resp))
				for name, breakIt := range broken {
					body := breakIt(b.body())
					if name == "metadata value too long" && b.name != "typical" {
						continue // its metadata has other keys
					}
					require.NotEqual(t, b.body(), body, name)
					ex := newExchange(t, body)
					assert.False(t, v.valid(ex.req, ex.resp), name)
				}
			})
		}
	}
}

func TestBodies(t *testing.T) {
	typical, large, huge := TypicalBody(), LargeBody(), body64KB()
	assert.InDelta(t, 1500, len(typical), 300, "typical is about 1.5 KB")
	assert.InDelta(t, 9500, len(large), 500, "large is 8 KB of metadata plus the rest")
	assert.InDelta(t, 64<<10, len(huge), 2<<10, "64 KB")
	for _, b := range [][]byte{large, huge} {
		var run map[string]any
		require.NoError(t, json.Unmarshal(b, &run))
		md := run["metadata"].(map[string]any)
		assert.Len(t, md, 16)
		for k, v := range md {
			assert.Len(t, v, 512, k)
		}
		assert.Contains(t, run, "file_ids", "an undeclared property")
	}
	var run struct{ Tools []json.RawMessage }
	require.NoError(t, json.Unmarshal(huge, &run))
	assert.Equal(t, 128, len(run.Tools), "the most tools the spec allows")
}

// BenchmarkValidate validates one 200 response; each validator is built once.
func BenchmarkValidate(b *testing.B) {
	for _, body := range bodies {
		for _, p := range peers {
			b.Run("body="+body.name+"/impl="+p.name, func(b *testing.B) {
				v := p.new(b)
				ex := newExchange(b, body.body())
				b.SetBytes(int64(len(ex.body)))
				b.ReportAllocs()
				for b.Loop() {
					ex.reset()
					if !v.valid(ex.req, ex.resp) {
						b.Fatal("invalid")
					}
				}
			})
		}
	}
}

// BenchmarkValidateBytes is Validate on a body already read against json.Valid on the same
// bytes, the floor of any validator that reads them.
func BenchmarkValidateBytes(b *testing.B) {
	v := newOurs(b).v
	for _, body := range bodies {
		ex := newExchange(b, body.body())
		in := contract.Exchange{Method: ex.req.Method, Path: ex.req.URL.EscapedPath(), RequestHeader: ex.req.Header,
			Status: ex.resp.StatusCode, Header: ex.resp.Header, Body: ex.body}
		b.Run("body="+body.name+"/impl=contract", func(b *testing.B) {
			b.SetBytes(int64(len(in.Body)))
			b.ReportAllocs()
			for b.Loop() {
				if v.Validate(in).Verdict == contract.Fail {
					b.Fatal("invalid")
				}
			}
		})
		b.Run("body="+body.name+"/impl=json.Valid", func(b *testing.B) {
			b.SetBytes(int64(len(in.Body)))
			b.ReportAllocs()
			for b.Loop() {
				if !json.Valid(in.Body) {
					b.Fatal("invalid")
				}
			}
		})
	}
}

// BenchmarkBuild is the one-off cost of building each validator from the embedded spec.
func BenchmarkBuild(b *testing.B) {
	for _, p := range peers {
		b.Run("impl="+p.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p.new(b)
			}
		})
	}
}
