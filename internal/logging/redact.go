package logging

import "strings"

// isSecretKey tells keys that mark an attribute as secret.
// Matching is by substring without regard to case, so "refresh_token",
// "Authorization" and "new_password" are all caught.
func isSecretKey(key string) bool {
	for _, part := range [...]string{"password", "passwd", "token", "secret", "authorization", "cookie", "hash"} {
		if containsFold(key, part) {
			return true
		}
	}
	return false
}

// looksSecret catches secrets under an innocent key: a bearer credential or
// a JWT (three base64url segments whose header starts with "eyJ", the
// encoding of `{"`), and bcrypt hashes ($2a$, $2b$, $2y$).
func looksSecret(v string) bool {
	if len(v) > 7 && strings.EqualFold(v[:7], "bearer ") {
		return true
	}
	if len(v) > 4 && v[0] == '$' && v[1] == '2' && v[3] == '$' {
		return true
	}
	if i := strings.Index(v, "eyJ"); i >= 0 && strings.Count(v[i:], ".") >= 2 {
		return true
	}
	return false
}

// containsFold reports whether s contains the lower-case ASCII substr,
// ignoring ASCII case, without allocating.
func containsFold(s, substr string) bool {
	n := len(substr)
	for i := 0; i+n <= len(s); i++ {
		match := true
		for j := 0; j < n; j++ {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != substr[j] {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}
