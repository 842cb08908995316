package auth

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzEmail: for any text, the email rules answer without panicking, an
// accepted address is valid UTF-8 with no control or hidden character,
// its canonical form has none either and is its own canonical form, and
// login accepts every address that register accepts.
func FuzzEmail(f *testing.F) {
	for _, s := range []string{"alice@example.com", "jose\u0301@example.com", "ali\u200bce@example.com",
		"a@[127.0.0.1]", "a@1.2.3.4", "\xff\xfe@example.com", "a\x00b@example.com", `"a b"@example.com`, "A@B.C"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, e string) {
		if emailProblem(e) != "" {
			return
		}
		if !utf8.ValidString(e) || strings.IndexFunc(e, unicode.IsControl) >= 0 || strings.IndexFunc(e, hidden) >= 0 {
			t.Fatalf("accepted %q, which holds an invalid, control or hidden character", e)
		}
		c := canonicalEmail(e)
		if strings.IndexFunc(c, hidden) >= 0 || strings.IndexFunc(c, unicode.IsControl) >= 0 {
			t.Fatalf("canonical form %q of %q holds a control or hidden character", c, e)
		}
		if canonicalEmail(c) != c {
			t.Fatalf("canonicalEmail is not idempotent on %q: %q then %q", e, c, canonicalEmail(c))
		}
		if f := identifierProblem("email", e); f != nil {
			t.Fatalf("register accepts %q but login refuses it: %s", e, f.Message)
		}
	})
}
