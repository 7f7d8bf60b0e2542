package hostile_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/internal/hostile"
)

func TestRunIsJSON(t *testing.T) {
	var run map[string]any
	require.NoError(t, json.Unmarshal([]byte(hostile.Run), &run))
	assert.Equal(t, hostile.RunID, run["id"])
	assert.Equal(t, hostile.ThreadID, run["thread_id"])
}

func TestCasesAreDistinctAndClassified(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range hostile.Cases() {
		assert.False(t, seen[c.Name], "duplicate case %s", c.Name)
		seen[c.Name] = true
		assert.Contains(t, []hostile.Class{hostile.Conforming, hostile.Malformed, hostile.Infrastructure, hostile.TooLarge}, c.Class, c.Name)
		assert.NotZero(t, c.Status, c.Name)
	}
	assert.Len(t, seen, 24)
}

// TestStaticCasesServeTheirBytes: what a case serves is its Body, byte for byte, under
// its status and headers (the transport must not decompress for this to hold).
func TestStaticCasesServeTheirBytes(t *testing.T) {
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	for _, c := range hostile.Cases() {
		if c.Body == nil {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			srv := httptest.NewServer(c)
			defer srv.Close()
			resp, err := client.Post(srv.URL+hostile.Path, "", nil)
			require.NoError(t, err)
			defer resp.Body.Close()
			got, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			assert.Equal(t, c.Status, resp.StatusCode)
			assert.Equal(t, c.Header.Get("Content-Type"), resp.Header.Get("Content-Type"))
			assert.Equal(t, c.Body, got)
		})
	}
}

func TestHugeBodyIsHugeSizeOfValidJSON(t *testing.T) {
	n, err := io.Copy(io.Discard, hostile.HugeBody())
	require.NoError(t, err)
	assert.EqualValues(t, hostile.HugeSize, n)
	head := make([]byte, 40)
	_, err = io.ReadFull(hostile.HugeBody(), head)
	require.NoError(t, err)
	assert.Equal(t, `{"id":"run_hostile","instructions":"aaaa`, string(head))
}

func TestGetPanicsOnUnknownName(t *testing.T) {
	assert.Equal(t, "drip", hostile.Get("drip").Name)
	assert.Panics(t, func() { hostile.Get("no_such_case") })
}

// TestCasesAreCopies: changing what Cases or Get returned changes nothing for the next
// caller, although the table is built once.
func TestCasesAreCopies(t *testing.T) {
	cs := hostile.Cases()
	cs[0].Body[0] = 'X'
	cs[0].Header.Set("Content-Type", "changed")
	cs[1].Name = "changed"
	g := hostile.Get(cs[0].Name)
	g.Body[1] = 'Y'
	fresh := hostile.Cases()
	assert.NotEqual(t, byte('X'), fresh[0].Body[0])
	assert.NotEqual(t, byte('Y'), fresh[0].Body[1])
	assert.NotEqual(t, "changed", fresh[0].Header.Get("Content-Type"))
	assert.NotEqual(t, "changed", fresh[1].Name)
	assert.Equal(t, fresh[0], hostile.Get(fresh[0].Name))
}

// TestRequestsAreDistinct: every hostile request has its own name,
// starts like a cancel and, for the smuggling ones, hides the cancel of HiddenRunID.
func TestRequestsAreDistinct(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range hostile.Requests() {
		assert.False(t, seen[r.Name], "duplicate request %s", r.Name)
		seen[r.Name] = true
		assert.True(t, strings.HasPrefix(r.Raw, "POST /v1/threads/"), r.Name)
		if strings.Contains(r.Name, "oversized") {
			assert.Contains(t, r.Raw, "POST /v1"+hostile.HiddenPath+" HTTP/1.1\r\n", r.Name)
		}
	}
	assert.Len(t, seen, 11)
}
