package portkeyruns_test

import (
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGeneratedCodeIsCurrent runs `go generate` on a copy of the generators' inputs and
// requires gen/ and internal/wire/doc.gen.go to be byte-identical: a hand edit to them, or
// a spec edit without regenerating, fails here with the diff.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skips regenerating gen/")
	}
	dir := t.TempDir()
	for _, f := range []string{"go.mod", "go.sum", "tools.go", "generate.go"} {
		copyFile(t, f, filepath.Join(dir, f))
	}
	require.NoError(t, os.CopyFS(filepath.Join(dir, "api"), os.DirFS("api")))
	require.NoError(t, os.CopyFS(filepath.Join(dir, docgen), os.DirFS(docgen)))

	cmd := exec.Command("go", "generate", ".")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go generate: %s", out)

	want := readTree(t, filepath.Join(dir, "gen"))
	got := readTree(t, "gen")
	assert.ElementsMatch(t, slices.Collect(maps.Keys(want)), slices.Collect(maps.Keys(got)), "files in gen/")
	for name, w := range want {
		assert.Equal(t, w, got[name], "gen/%s differs from what go generate produces: run `make generate`", name)
	}
	assert.True(t, readFile(t, filepath.Join(dir, docGo)) == readFile(t, docGo), "%s differs from what go generate produces: run `make generate`", docGo)
}

// docgen writes docGo, the embedded spec as Go, from gen/spec.
const docgen, docGo = "internal/wire/internal/docgen", "internal/wire/doc.gen.go"

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	require.NoError(t, err)
	return string(b)
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(to, b, 0o644))
}

// readTree maps each regular file below root (by its slash path) to its contents.
func readTree(t *testing.T, root string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		rel, _ := filepath.Rel(root, path)
		files[filepath.ToSlash(rel)] = string(b)
		return err
	})
	require.NoError(t, err)
	return files
}
