package main

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The reference docs are kept current by tests, not by memory: every route
// of /openapi.json, every error code and every setting must be in
// docs/api.md, every setting with its default in docs/configuration.md,
// every sub-command in docs/operations.md. The settings' defaults and
// ranges are written once, in configuration.md; api.md names each setting
// where the API depends on it and links there.

// readDoc is a file of the repository, by its path from the root.
func readDoc(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("../..", path))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// pagesOutsideSpec are the routes that are pages, not API operations, and
// so are not in /openapi.json; docs/api.md must name them too.
func pagesOutsideSpec() []string {
	return []string{"GET /", "GET /docs", "GET /redoc", "GET /openapi.json"}
}

// TestDocsAPIRoutes checks that docs/api.md names every operation authd
// serves, as "METHOD /path" in code.
func TestDocsAPIRoutes(t *testing.T) {
	t.Parallel()
	api := readDoc(t, "docs/api.md")
	in := start(t, sqliteEnv(t))
	res, err := http.Get(in.url + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var spec struct {
		Paths map[string]map[string]json.RawMessage
	}
	if err := json.NewDecoder(res.Body).Decode(&spec); err != nil {
		t.Fatal(err)
	}
	routes := pagesOutsideSpec()
	for path, ops := range spec.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			routes = append(routes, strings.ToUpper(method)+" "+path)
		}
	}
	if len(routes) < len(pagesOutsideSpec())+10 {
		t.Fatalf("only %d routes in /openapi.json", len(routes)-len(pagesOutsideSpec()))
	}
	for _, r := range routes {
		if !strings.Contains(api, "`"+r+"`") {
			t.Errorf("docs/api.md does not name `%s`", r)
		}
	}
}

// TestDocsErrorCodes checks that docs/api.md names every code of auth's
// error table, read from the constants errors.go declares.
func TestDocsErrorCodes(t *testing.T) {
	t.Parallel()
	api := readDoc(t, "docs/api.md")
	codes := errorCodes(t)
	if len(codes) < 20 {
		t.Fatalf("only %d error codes found in internal/auth/errors.go", len(codes))
	}
	for _, c := range codes {
		if !strings.Contains(api, "`"+c+"`") {
			t.Errorf("docs/api.md does not name the error code `%s`", c)
		}
	}
}

// errorCodes are the values of the constants of type Code in
// internal/auth/errors.go: the codes of the one error table.
func errorCodes(t *testing.T) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "../../internal/auth/errors.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			v := s.(*ast.ValueSpec)
			if id, ok := v.Type.(*ast.Ident); !ok || id.Name != "Code" {
				continue
			}
			for _, e := range v.Values {
				if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					c, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					codes = append(codes, c)
				}
			}
		}
	}
	return codes
}

// settings are the AUTHD_* variables internal/config reads: every string
// literal of that form in its non-test files.
func settings(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("../../internal/config/*.go")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	re := regexp.MustCompile(`"(AUTHD_[A-Z0-9_]+)"`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			seen[m[1]] = true
		}
	}
	var names []string
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) < 25 {
		t.Fatalf("only %d settings found in internal/config", len(names))
	}
	return names
}

// TestDocsSettings checks that docs/configuration.md has a table row for
// every setting and that docs/api.md names every one.
func TestDocsSettings(t *testing.T) {
	t.Parallel()
	conf, api := readDoc(t, "docs/configuration.md"), readDoc(t, "docs/api.md")
	for _, s := range settings(t) {
		if !strings.Contains(conf, "| `"+s+"` |") {
			t.Errorf("docs/configuration.md has no row for `%s`", s)
		}
		if !strings.Contains(api, "`"+s+"`") {
			t.Errorf("docs/api.md does not name `%s`", s)
		}
	}
	if !strings.Contains(api, "(configuration.md)") {
		t.Error("docs/api.md does not link configuration.md")
	}
}

// TestDocsCommands checks that docs/operations.md names every sub-command
// of the table, and every verb of those that take one (user activate,
// keys generate).
func TestDocsCommands(t *testing.T) {
	t.Parallel()
	ops := readDoc(t, "docs/operations.md")
	for _, c := range commands() {
		names := []string{"authd " + c.name}
		if f := strings.Fields(c.args); len(f) > 0 && !strings.ContainsAny(f[0], "<[-") {
			names = nil
			for _, verb := range strings.Split(f[0], "|") {
				names = append(names, "authd "+c.name+" "+verb)
			}
		}
		for _, n := range names {
			if !strings.Contains(ops, "`"+n) {
				t.Errorf("docs/operations.md does not name `%s`", n)
			}
		}
	}
}

// linkedDocs are the markdown files a user of the project reads.
func linkedDocs(t *testing.T) []string {
	t.Helper()
	docs, err := filepath.Glob("../../docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	files := []string{"README.md", "CHANGELOG.md", "SECURITY.md"}
	for _, d := range docs {
		files = append(files, filepath.Join("docs", filepath.Base(d)))
	}
	return files
}

// TestDocsLinksStayInRepo checks every markdown link of the docs: a link to
// another site is fine (RFCs, standards), a relative one must name a file
// or folder of this repository, and nothing may point at the files beside
// the repository that a clone does not have.
func TestDocsLinksStayInRepo(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	link := regexp.MustCompile(`\]\(([^)\s]+)\)`)
	for _, file := range linkedDocs(t) {
		text := readDoc(t, file)
		for _, outside := range []string{"../shared", "/work/"} {
			if strings.Contains(text, outside) {
				t.Errorf("%s mentions %s, which a clone does not have", file, outside)
			}
		}
		for _, m := range link.FindAllStringSubmatch(text, -1) {
			target := m[1]
			switch {
			case strings.HasPrefix(target, "https://"), strings.HasPrefix(target, "http://"),
				strings.HasPrefix(target, "mailto:"), strings.HasPrefix(target, "#"):
				continue
			}
			target, _, _ = strings.Cut(target, "#")
			abs := filepath.Join(root, filepath.Dir(file), target)
			if rel, err := filepath.Rel(root, abs); err != nil || strings.HasPrefix(rel, "..") {
				t.Errorf("%s links %s, outside the repository", file, m[1])
				continue
			}
			if _, err := os.Stat(abs); err != nil {
				t.Errorf("%s links %s, which does not exist", file, m[1])
			}
		}
	}
}
