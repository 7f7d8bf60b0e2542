package wire_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/internal/wire"
)

func TestMatch(t *testing.T) {
	m, err := wire.Load()
	require.NoError(t, err)
	cases := []struct {
		method, path, id string
		params           map[string]string
	}{
		{"POST", "/threads/runs", "createThreadAndRun", map[string]string{}},
		{"POST", "/v1/threads/th/runs", "createRun", map[string]string{"thread_id": "th"}},
		{"POST", "/threads/threads/runs", "createRun", map[string]string{"thread_id": "threads"}},
		{"GET", "/openai/threads/th/runs/r%2F1", "getRun", map[string]string{"thread_id": "th", "run_id": "r/1"}},
		{"POST", "/v1/threads/th/runs/r/cancel", "cancelRun", map[string]string{"thread_id": "th", "run_id": "r"}},
		{"POST", "/threads//runs/r/cancel", "cancelRun", map[string]string{"thread_id": "", "run_id": "r"}},
	}
	for _, c := range cases {
		op, params, ok := m.Match(c.method, c.path)
		require.True(t, ok, c.path)
		assert.Equal(t, c.id, op.ID, c.path)
		assert.Equal(t, c.params, params, c.path)
	}
	for _, p := range [][2]string{{"GET", "/threads/runs"}, {"POST", "/threads/th/runs/r"}, {"POST", "/threads/th/runs/r/steps"}, {"POST", "/runs"}, {"GET", "/threads/th/runs/r%zz"}} {
		_, _, ok := m.Match(p[0], p[1])
		assert.False(t, ok, p)
	}
	assert.Equal(t, []string{"GET"}, m.Allowed("/v1/threads/th/runs/r"))
	assert.Equal(t, []string{"POST"}, m.Allowed("/threads/th/runs/r/cancel"))
	assert.Empty(t, m.Allowed("/threads/th/messages"))
	_, ok := m.ByID("getRun")
	assert.True(t, ok)
}

func TestSecurity(t *testing.T) {
	s, err := wire.Load()
	require.NoError(t, err)
	reqs := s.Security()
	require.NotEmpty(t, reqs)
	assert.Equal(t, []string{"x-portkey-api-key", "x-portkey-virtual-key"}, reqs[0])
	cases := []struct {
		name string
		h    http.Header
		want []string
	}{
		{"virtual key", http.Header{"X-Portkey-Api-Key": {"pk"}, "X-Portkey-Virtual-Key": {"vk"}}, nil},
		{"provider with its key", http.Header{"X-Portkey-Api-Key": {"pk"}, "X-Portkey-Provider": {"openai"}, "Authorization": {"Bearer sk"}}, nil},
		{"self-hosted config", http.Header{"X-Portkey-Config": {"pc"}}, nil},
		{"api key alone", http.Header{"X-Portkey-Api-Key": {"pk"}}, []string{"x-portkey-virtual-key"}},
		{"blank virtual key", http.Header{"X-Portkey-Api-Key": {"pk"}, "X-Portkey-Virtual-Key": {" "}}, []string{"x-portkey-virtual-key"}},
		{"basic is no bearer", http.Header{"X-Portkey-Provider": {"openai"}, "Authorization": {"Basic c2s="}}, []string{"x-portkey-api-key"}}, // the first of the closest,
		{"nothing", http.Header{}, []string{"x-portkey-config"}},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, s.Missing(c.h), c.name)
	}
}

// TestMissingDoesNotAllocateWhenMet: issue 17, the request-side check of every exchange.
func TestMissingDoesNotAllocateWhenMet(t *testing.T) {
	s, err := wire.Load()
	require.NoError(t, err)
	h := http.Header{"X-Portkey-Api-Key": {"pk"}, "X-Portkey-Config": {"pc"}}
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = s.Missing(h) }))
}

func BenchmarkMissing(b *testing.B) {
	s, err := wire.Load()
	require.NoError(b, err)
	h := http.Header{"X-Portkey-Api-Key": {"pk"}, "X-Portkey-Virtual-Key": {"vk"}}
	b.ReportAllocs()
	for b.Loop() {
		if s.Missing(h) != nil {
			b.Fatal("missing")
		}
	}
}

func TestSent(t *testing.T) {
	cases := []struct {
		name, header, value string
		want                bool
	}{
		{"api key", "x-portkey-api-key", "pk", true},
		{"any case of the name", "X-Portkey-Api-Key", "pk", true},
		{"blank", "x-portkey-api-key", "  ", false},
		{"missing", "x-portkey-api-key", "", false},
		{"bearer", "Authorization", "Bearer sk", true},
		{"bearer in any case", "authorization", "bEaReR sk", true},
		{"bearer without token", "Authorization", "Bearer ", false},
		{"bearer word alone", "Authorization", "Bearer", false},
		{"basic", "Authorization", "Basic c2s=", false},
		{"token without scheme", "Authorization", "sk", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := http.Header{}
			if c.value != "" {
				h.Set(c.header, c.value)
			}
			assert.Equal(t, c.want, wire.Sent(h, c.header))
		})
	}
}

// TestCancelParamsAsSplit: the cancel operation's Params agrees with the plain reading of
// the path by segments on every path made of these segments.
func TestCancelParamsAsSplit(t *testing.T) {
	s, err := wire.Load()
	require.NoError(t, err)
	cancel, ok := s.ByID("cancelRun")
	require.True(t, ok)
	bySplit := func(p string) (string, string, bool) {
		segs := strings.Split(p, "/")
		n := len(segs)
		if n < 6 || segs[n-5] != "threads" || segs[n-3] != "runs" || segs[n-1] != "cancel" {
			return "", "", false
		}
		t, err1 := url.PathUnescape(segs[n-4])
		r, err2 := url.PathUnescape(segs[n-2])
		if err1 != nil || err2 != nil {
			return "", "", false
		}
		return t, r, true
	}
	parts := []string{"", "threads", "runs", "cancel", "t%2F", "%zz"}
	var paths []string
	var build func(prefix string, depth int)
	build = func(prefix string, depth int) {
		paths = append(paths, prefix)
		if depth == 0 {
			return
		}
		for _, p := range parts {
			build(prefix+"/"+p, depth-1)
		}
	}
	build("", 6)
	paths = append(paths, "threads/t/runs/r/cancel", "x/threads/t/runs/r/cancel")
	require.Greater(t, len(paths), 50000)
	matched := 0
	for _, p := range paths {
		params, ok1 := cancel.Params(p)
		t1, r1 := params["thread_id"], params["run_id"]
		t2, r2, ok2 := bySplit(p)
		if ok1 != ok2 || t1 != t2 || r1 != r2 {
			t.Fatalf("%q: got %q %q %v, want %q %q %v", p, t1, r1, ok1, t2, r2, ok2)
		}
		if ok1 {
			matched++
		}
	}
	assert.Greater(t, matched, 50)
}

func TestJSON(t *testing.T) {
	for mt, want := range map[string]bool{"application/json": true, "application/problem+json": true,
		"text/json": false, "application/jsonl": false, "text/html": false, "": false} {
		assert.Equal(t, want, wire.JSON(mt), mt)
	}
}
