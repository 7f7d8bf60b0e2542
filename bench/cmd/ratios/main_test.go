package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRows: medians of the files' samples (GOMAXPROCS suffix or not), each ratio the
// right way round, met or missed against its target, and "not measured" for a side
// without samples.
func TestRows(t *testing.T) {
	dir := t.TempDir()
	peers := filepath.Join(dir, "peers.txt")
	require.NoError(t, os.WriteFile(peers, []byte(`goos: linux
BenchmarkValidate/body=typical/impl=contract-2   100  1000 ns/op  1500 B/s
BenchmarkValidate/body=typical/impl=contract-2   100  9000 ns/op
BenchmarkValidate/body=typical/impl=contract-2   100  1100 ns/op
BenchmarkValidate/body=typical/impl=kin-openapi-2 100 12000 ns/op
BenchmarkValidateBytes/body=8KB/impl=contract-2   100  3100 ns/op
BenchmarkValidateBytes/body=8KB/impl=json.Valid-2 100  1000 ns/op
PASS
`), 0o600))
	serve := filepath.Join(dir, "wrk.txt")
	require.NoError(t, os.WriteFile(serve, []byte(`BenchmarkServe/conns=8/impl=bare 1 10000 req/s
BenchmarkServe/conns=8/impl=on 1 8000 req/s
BenchmarkServe/conns=64/impl=bare 1 10000 req/s
BenchmarkServe/conns=64/impl=on 1 7900 req/s
`), 0o600))
	s, err := read([]string{peers, serve})
	require.NoError(t, err)
	var out strings.Builder
	write(&out, s)
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	require.Len(t, lines, 2+len(measures), "a header and a row for each measure")
	rows := map[string]string{}
	for i, m := range measures {
		require.True(t, strings.HasPrefix(lines[2+i], "| "+m.what+" |"), lines[2+i])
		rows[m.ours+" vs "+m.base] = lines[2+i]
	}
	assert.Contains(t, rows["Validate/body=typical/impl=contract vs Validate/body=typical/impl=kin-openapi"],
		"| 1.1 us | 12.0 us | 3/1 | 10.91x faster | >= 10x faster | met |")
	assert.Contains(t, rows["ValidateBytes/body=8KB/impl=contract vs ValidateBytes/body=8KB/impl=json.Valid"],
		"| 3.1 us | 1.0 us | 1/1 | 3.10x | <= 3x | missed |")
	assert.Contains(t, rows["Serve/conns=8/impl=on vs Serve/conns=8/impl=bare"], "| 8,000 req/s | 10,000 req/s | 1/1 | 0.80x | >= 0.8x | met |")
	assert.Contains(t, rows["Serve/conns=64/impl=on vs Serve/conns=64/impl=bare"], "| 0.79x | >= 0.8x | missed |")
	assert.Contains(t, rows["Serve/conns=8/impl=off vs Serve/conns=8/impl=bare"], "| - | 10,000 req/s | 0/1 | not measured | - | - |")
	assert.Contains(t, rows["Startup/impl=check vs Startup/impl=only-prints"], "| - | - | 0/0 | not measured | <= 10x | - |")
}

func TestReadFails(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.txt")
	require.NoError(t, os.WriteFile(bad, []byte("BenchmarkX 1 fast ns/op\n"), 0o600))
	_, err := read([]string{bad})
	assert.Error(t, err, "a malformed result")
	_, err = read([]string{filepath.Join(t.TempDir(), "absent.txt")})
	assert.Error(t, err, "a missing file")
}
