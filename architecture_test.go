package portkeyruns_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const module = "github.com/seed-a6d846e6/portkey-runs/"

// rooms is ARCHITECTURE.md's import table: each package of the module and the packages of
// the module its non-test files may import.
var rooms = map[string][]string{
	"gen":                              nil,
	"gen/spec":                         nil,
	"internal/wire":                    nil,
	"internal/wire/internal/docgen":    {"gen/spec"},
	"internal/redact":                  nil,
	"internal/realcorpus":              nil,
	"internal/hostile":                 nil,
	"internal/testtarget":              {"contract", "gen", "internal/wire", "portkey", "refserver"},
	"portkey":                          {"gen", "internal/redact", "internal/wire"},
	"refserver":                        {"gen", "internal/redact", "internal/wire"},
	"contract":                         {"gen", "internal/redact", "internal/wire", "portkey"},
	"recording":                        {"contract", "internal/redact", "internal/wire"},
	"contracttest":                     {"contract", "portkey"},
	"cmd/portkey-runs/internal/report": {"contract", "internal/redact"},
	"cmd/portkey-runs": {"cmd/portkey-runs/internal/report", "contract", "gen", "internal/redact", "internal/wire",
		"portkey", "recording", "refserver"},
}

// testSupport are the packages only tests import; they alone may import testing.
var testSupport = []string{"internal/hostile", "internal/testtarget", "contracttest"}

// imports returns the import paths of the non-test Go files in dir, and its exported
// top-level names.
func imports(t *testing.T, dir string) (paths, exported []string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	require.NoError(t, err)
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		for _, im := range f.Imports {
			p, err := strconv.Unquote(im.Path.Value)
			require.NoError(t, err)
			paths = append(paths, p)
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && d.Name.IsExported() {
					exported = append(exported, d.Name.Name)
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						if s.Name.IsExported() {
							exported = append(exported, s.Name.Name)
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.IsExported() {
								exported = append(exported, n.Name)
							}
						}
					}
				}
			}
		}
	}
	return paths, exported
}

// TestArchitecture holds the rooms of ARCHITECTURE.md: every package of the module is in
// the table, imports only what its row allows, and only test support imports testing.
func TestArchitecture(t *testing.T) {
	seen := map[string]bool{}
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (path == "bench" || path == "tools" || path == "interop" || strings.HasPrefix(d.Name(), ".") && path != "." ||
			d.Name() == "testdata" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || path == "." {
			return nil
		}
		dir := filepath.ToSlash(filepath.Dir(path))
		if dir == "." || dir == "api" || seen[dir] || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		seen[dir] = true
		allowed, ok := rooms[dir]
		if !assert.True(t, ok, "%s is in no room of ARCHITECTURE.md: add it there and to rooms", dir) {
			return nil
		}
		paths, _ := imports(t, dir)
		for _, p := range paths {
			if inner, ok := strings.CutPrefix(p, module); ok {
				assert.Contains(t, allowed, inner, "%s imports %s, which ARCHITECTURE.md does not allow", dir, inner)
			}
			if p == "testing" {
				assert.Contains(t, testSupport, dir, "%s is library code: it must not import testing", dir)
			}
		}
		return nil
	})
	require.NoError(t, err)
	for dir := range rooms {
		assert.True(t, seen[dir], "rooms names %s, which has no Go file", dir)
	}
}

// TestSmallSurfaces: contract, the package most users read, keeps under 40 top-level
// exported names (httptest has about 30).
func TestSmallSurfaces(t *testing.T) {
	_, exported := imports(t, "contract")
	slices.Sort(exported)
	assert.Less(t, len(exported), 40, "contract exports %d names: %s", len(exported), strings.Join(exported, " "))
}
