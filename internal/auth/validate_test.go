package auth

import "testing"

// TestContextProblem is the context-specific words rule as a table: the
// username or the email's local part anywhere in the password, in any
// case, refuses it; a local part under three characters does not count.
func TestContextProblem(t *testing.T) {
	t.Parallel()
	const (
		byName  = "password must not contain the username"
		byLocal = "password must not contain the part of the email before @"
	)
	tests := []struct {
		name, password, username, email, want string
	}{
		{"the username itself", "mallory12", "mallory12", "m@example.com", byName},
		{"username inside", "xx-mallory12-yy", "mallory12", "m@example.com", byName},
		{"username upper-case", "MALLORY12!!", "mallory12", "m@example.com", byName},
		{"username mixed case", "MaLLoRy.2026", "mallory", "m@example.com", byName},
		{"username with dots and dashes", "my-j.doe_x-pass", "j.doe_x", "z@example.com", byName},
		{"Kelvin sign folds to k", "\u212Aate-1984-x", "kate", "z@example.com", byName},
		{"shortest username", "zoe-and-me-2026", "zoe", "z@example.com", byName},
		{"local part", "tulip-orbit-bob.smith", "bsmith", "bob.smith@example.com", byLocal},
		{"local part any case", "Tulip-BOB.SMITH", "bsmith", "bob.smith@example.com", byLocal},
		{"local part of a stored, lower-cased email", "ROSE-garden-99", "gardener", "rose@example.com", byLocal},
		{"the whole email", "Bob.Smith@Example.com", "bsmith", "bob.smith@example.com", byLocal},
		{"local part three characters", "my-ann-is-here", "annabel", "ann@example.com", byLocal},
		{"sharp s folds to ss", "STRASSE-42-x", "walker", "straße@example.com", byLocal},
		{"capital sharp s", "\u1E9Eorbit-x-ß", "walker", "ßorbit@example.com", byLocal},
		{"precomposed password, decomposed email", "Jos\u00C9-1984-x", "walker", "jose\u0301@example.com", byLocal},
		{"decomposed password, precomposed email", "JOSE\u0301-1984-x", "walker", "jos\u00E9@example.com", byLocal},
		{"username checked before local part", "alice-alice", "alice", "alice@example.com", byName},
		{"local part of two characters ignored", "jo-tulip-orbit", "walker", "jo@example.com", ""},
		{"local part of one character ignored", "a-tulip-orbit", "walker", "a@example.com", ""},
		{"two characters in a non-Latin script ignored", "日本-tulip-orbit", "walker", "日本@example.com", ""},
		{"three characters in a non-Latin script", "日本語-tulip-orbit", "walker", "日本語@example.com", byLocal},
		{"a near miss of the username", "mallor-y12", "mallory12", "m@example.com", ""},
		{"accent is not a case: e is not é", "jose-1984-x", "walker", "josé@example.com", ""},
		{"domain is not the local part", "example-orbit", "walker", "bob@example.com", ""},
		{"nothing in common", "tulip-orbit-42", "mallory12", "mallory@example.com", ""},
		{"email without @ (refused on email)", "tulip-orbit", "walker", "tulip", ""},
		{"empty username and email", "tulip-orbit", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := contextProblem(tt.password, tt.username, tt.email); got != tt.want {
				t.Errorf("contextProblem(%q, %q, %q) = %q, want %q", tt.password, tt.username, tt.email, got, tt.want)
			}
		})
	}
}
