package recording_test

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed-a6d846e6/portkey-runs/contract"
	"github.com/seed-a6d846e6/portkey-runs/recording"
)

// cassetteFiles are every committed cassette, good and known-bad.
func cassetteFiles(f *testing.F) []string {
	good, err := filepath.Glob("testdata/cassettes/*.yaml")
	require.NoError(f, err)
	bad, err := filepath.Glob("testdata/cassettes/bad/*.yaml")
	require.NoError(f, err)
	require.NotEmpty(f, good)
	return append(good, bad...)
}

// FuzzReplay: a cassette file, however broken, gives results or an error, never a
// panic. Seeded with the committed cassettes and the refused shapes of YAML.
func FuzzReplay(f *testing.F) {
	v, err := contract.New(contract.Options{})
	require.NoError(f, err)
	for _, file := range cassetteFiles(f) {
		b, err := os.ReadFile(file)
		require.NoError(f, err)
		f.Add(b)
	}
	f.Add([]byte(headersCassette(2, 256)))
	f.Add([]byte(headersCassette(1, 257)))
	f.Add([]byte(aliasCassette))
	// A redirect, a body record cut, and no interaction at all.
	response := func(code int, headers, body string) []byte {
		return []byte("version: 2\ninteractions:\n  - request: {method: POST, url: 'http://127.0.0.1:1/v1/threads/t/runs/r/cancel'}\n" +
			"    response: {code: " + strconv.Itoa(code) + ", headers: {" + headers + "}, body: '" + body + "'}\n")
	}
	f.Add(response(307, "Location: ['http://admin:pw@127.0.0.1:2/v1/threads/t/runs/r/cancel']", ""))
	f.Add(response(200, "Content-Type: [application/json], "+recording.HeaderCut+": ['cut at 4 bytes of 9']", `{"id`))
	f.Add([]byte("version: 2\ninteractions: []\n"))
	dir := f.TempDir()
	n := 0
	f.Fuzz(func(t *testing.T, data []byte) {
		n++
		path := filepath.Join(dir, "c"+strconv.Itoa(n)+".yaml")
		require.NoError(t, os.WriteFile(path, data, 0o600))
		defer os.Remove(path)
		results, err := replayFile(v, path)
		if err != nil {
			assert.Empty(t, results)
			return
		}
		for _, r := range results {
			assert.Contains(t, []contract.Verdict{contract.Pass, contract.Fail, contract.Error}, r.Verdict)
		}
	})
}

// TestEmptyCassettesAreRefused: a cassette without interactions says nothing, and one
// whose interaction is empty (the crasher FuzzReplay found) cannot be judged: each is
// an error for replay and for the replaying transport alike, never a conforming input.
func TestEmptyCassettesAreRefused(t *testing.T) {
	for yaml, want := range map[string]string{
		"version: 2\ninteractions: []\n":     "it holds no interaction",
		"version: 2\ninteractions:\n    -\n": "interaction 0 is empty",
	} {
		path := filepath.Join(t.TempDir(), "empty.yaml")
		require.NoError(t, os.WriteFile(path, []byte(yaml), 0o600))
		v, err := contract.Default()
		require.NoError(t, err)
		_, err = replayFile(v, path)
		require.ErrorContains(t, err, want)
		_, err = recording.Replayer(path)
		require.ErrorContains(t, err, want)
	}
}
