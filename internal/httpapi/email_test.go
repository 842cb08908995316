package httpapi

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/password"
)

// TestRegisterRefusesHiddenCharacters: an email holding a character a
// reader cannot see, or that changes what a reader sees, or an IP address
// for a domain, is a 400 naming email.
func TestRegisterRefusesHiddenCharacters(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	refused := []struct{ name, email string }{
		{"zero-width space", "ali\u200bce@example.com"},
		{"right-to-left override", "alice\u202e@example.com"},
		{"byte order mark", "\ufeffalice@example.com"},
		{"no-break space", "ali\u00a0ce@example.com"},
		{"next line", "ali\u0085ce@example.com"},
		{"word joiner", "ali\u2060ce@example.com"},
		{"left-to-right mark", "alice@exam\u200eple.com"},
		{"first strong isolate", "alice@example\u2068.com"},
		{"soft hyphen", "ali\u00adce@example.com"},
		{"ideographic space", "ali\u3000ce@example.com"},
		{"line separator", "ali\u2028ce@example.com"},
		{"Hangul filler", "ali\u3164ce@example.com"},
		{"variation selector", "ali\ufe0fce@example.com"},
		{"private use", "ali\ue000ce@example.com"},
		{"replacement character", "ali\ufffdce@example.com"},
		{"space in quotes", `"ali ce"@example.com`},
		{"IPv4 literal", "alice@[127.0.0.1]"},
		{"IPv4 domain", "alice@1.2.3.4"},
		{"numeric domain", "alice@127.1"},
		{"invalid UTF-8 made U+FFFD by JSON", "ali\xffce@example.com"},
	}
	for i, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			r := e.register(t, fmt.Sprintf("hidden%d", i), tt.email, "correct-horse-battery")
			wantError(t, r, http.StatusBadRequest, auth.CodeValidation)
			if fe := fieldErrors(r); len(fe) != 1 || fe[0] != "email" {
				t.Errorf("errors = %v, want one on email", fe)
			}
		})
	}
	for i, ok := range []string{"jos\u00e9@example.com", "\u5f20\u4f1f@example.cn", "alice@xn--bcher-kva.example", "o'brien+tag@sub.example.co.uk"} {
		if r := e.register(t, fmt.Sprintf("visible%d", i), ok, "correct-horse-battery"); r.status != http.StatusCreated {
			t.Errorf("register %q: %d %s", ok, r.status, r.raw)
		}
	}
}

// TestEmailNormalForms: the NFC and NFD spellings of one address (and its
// upper case) are one account: the second registration is a conflict, the
// stored email is the NFC form, and every spelling logs in.
func TestEmailNormalForms(t *testing.T) {
	const (
		nfc      = "jos\u00e9@example.com"  // é as one code point
		nfd      = "jose\u0301@example.com" // e + combining acute accent
		upperNFD = "JOSE\u0301@EXAMPLE.COM"
	)
	bothStores(t, func(t *testing.T, store string) {
		e := newEnv(t, envOptions{store: store})
		r := e.register(t, "jose", nfd, "correct-horse-battery")
		if r.status != http.StatusCreated {
			t.Fatalf("register NFD: %d %s", r.status, r.raw)
		}
		if got := str(r.json, "user", "email"); got != nfc {
			t.Errorf("stored email %q, want the NFC form %q", got, nfc)
		}
		for _, spelling := range []string{nfc, nfd, "JOS\u00c9@example.com"} {
			wantError(t, e.register(t, "jose2", spelling, "correct-horse-battery"), http.StatusConflict, auth.CodeUserExists)
		}
		for _, spelling := range []string{nfc, nfd, upperNFD} {
			for _, field := range []string{"email", "username"} {
				lr := e.postJSON(t, "/auth/login", map[string]string{field: spelling, "password": "correct-horse-battery"})
				if lr.status != http.StatusOK || str(lr.json, "user", "username") != "jose" {
					t.Errorf("login by %s %q: %d %s", field, spelling, lr.status, lr.raw)
				}
			}
		}
	})
}

// TestEmailStoredBeforeNFC: an account whose email was stored in NFD, as
// registration did before emails were normalised, still logs in by that
// spelling.
func TestEmailStoredBeforeNFC(t *testing.T) {
	bothStores(t, func(t *testing.T, store string) {
		e := newEnv(t, envOptions{store: store})
		hasher, err := password.NewHasher(4, password.Pool{})
		if err != nil {
			t.Fatal(err)
		}
		hash, err := hasher.Hash(t.Context(), "correct-horse-battery")
		if err != nil {
			t.Fatal(err)
		}
		const nfd = "rene\u0301@example.com"
		if _, err := e.store.CreateUser(t.Context(), auth.NewUser{Username: "rene", Email: nfd, HashedPassword: hash, CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		r := e.postJSON(t, "/auth/login", map[string]string{"email": nfd, "password": "correct-horse-battery"})
		if r.status != http.StatusOK || str(r.json, "user", "username") != "rene" {
			t.Errorf("login by the stored NFD spelling: %d %s", r.status, r.raw)
		}
	})
}
