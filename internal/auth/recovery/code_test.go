package recovery

import (
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
)

func TestDecideCode(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 8, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		code auth.OneTimeCode
		want codeOutcome
	}{
		{"fresh", auth.OneTimeCode{ExpiresAt: now.Add(time.Hour)}, codeUsable},
		{"one second left", auth.OneTimeCode{ExpiresAt: now.Add(time.Second)}, codeUsable},
		{"expires now", auth.OneTimeCode{ExpiresAt: now}, codeExpired},
		{"expired", auth.OneTimeCode{ExpiresAt: now.Add(-time.Second)}, codeExpired},
		{"four tries", auth.OneTimeCode{ExpiresAt: now.Add(time.Hour), Tries: MaxCodeTries - 1}, codeUsable},
		{"five tries", auth.OneTimeCode{ExpiresAt: now.Add(time.Hour), Tries: MaxCodeTries}, codeExhausted},
		{"expired and exhausted", auth.OneTimeCode{ExpiresAt: now.Add(-time.Hour), Tries: 9}, codeExpired},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := decideCode(c.code, now); got != c.want {
				t.Errorf("decideCode = %d, want %d", got, c.want)
			}
		})
	}
}

func TestSecretsAndHashes(t *testing.T) {
	t.Parallel()
	s, err := newSecret()
	if err != nil {
		t.Fatal(err)
	}
	if len(s.token) < 22 || len(s.code) != 6 {
		t.Fatalf("token %d chars, code %q: want at least 128 bits and 6 digits", len(s.token), s.code)
	}
	h := hasher{key: []byte("k")}
	th := h.token(s.token)
	if string(th) == s.token || len(th) != 32 {
		t.Fatal("the token hash is not a keyed 32-byte hash")
	}
	if string(h.code(th, "123456")) == string(h.code(h.token("other"), "123456")) {
		t.Error("a code's hash does not depend on its token")
	}
	if string(hasher{key: []byte("j")}.token(s.token)) == string(th) {
		t.Error("the token hash does not depend on the key")
	}
}
