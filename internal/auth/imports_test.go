package auth_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestImportsPointInward: the core imports no package of authd, and each
// use-case package beneath it (admin, later recovery and mfa) imports the
// core alone, never an adapter and never another use case. authtest, the
// harness that wires real adapters for tests, is the one exception. A
// type an adapter needs from a use case belongs in the core.
func TestImportsPointInward(t *testing.T) {
	t.Parallel()
	const module = "github.com/authd/authd/"
	allowed := map[string][]string{
		".":        nil,
		"recovery": {"internal/auth"},
		"admin":    {"internal/auth"},
		"mfa":      {"internal/auth"},
	}
	dirs, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if d.IsDir() && d.Name() != "authtest" {
			if _, ok := allowed[d.Name()]; !ok {
				t.Errorf("package auth/%s has no rule here: add it to allowed (the core alone)", d.Name())
			}
		}
	}
	for dir, ok := range allowed {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no Go files (%v)", dir, err)
		}
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				inner, own := strings.CutPrefix(path, module)
				if own && !slices.Contains(ok, inner) {
					t.Errorf("%s imports %s; it may import only %v of authd", file, path, ok)
				}
			}
		}
	}
}
