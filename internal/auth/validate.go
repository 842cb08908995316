package auth

import "strings"

// Limits of API.md's register rules, exported so the HTTP layer documents
// the same numbers it enforces.
const (
	UsernameMinLen = 3
	UsernameMaxLen = 50
	EmailMaxLen    = 100
	// UsernamePattern is the documented form of the username rule.
	UsernamePattern = `^[A-Za-z0-9_.-]{3,50}$`
)

// RegisterInput is what a client sends to create an account.
type RegisterInput struct {
	Username string
	Email    string
	Password string
	// Client is kept with the session registering opens.
	Client Client
}

// validate checks every field and reports each failure, so a client can fix
// all of them at once. Spaces around a username or email are refused rather
// than trimmed: changing what the user typed would surprise them at login.
// passwordProblem is the Service's rule for a new password.
func (in RegisterInput) validate(passwordProblem func(string) string) []FieldError {
	var errs []FieldError
	if msg := usernameProblem(in.Username); msg != "" {
		errs = append(errs, FieldError{Field: "username", Message: msg})
	}
	if msg := emailProblem(in.Email); msg != "" {
		errs = append(errs, FieldError{Field: "email", Message: msg})
	}
	if msg := passwordProblem(in.Password); msg != "" {
		errs = append(errs, FieldError{Field: "password", Message: msg})
	}
	return errs
}

func usernameProblem(u string) string {
	switch {
	case u == "":
		return "username is required"
	case strings.TrimSpace(u) != u:
		return "username must not start or end with spaces"
	case len(u) < UsernameMinLen || len(u) > UsernameMaxLen:
		return "username must be 3 to 50 characters"
	}
	for i := 0; i < len(u); i++ {
		if !isUsernameByte(u[i]) {
			return "username may contain only ASCII letters, digits, '_', '.' and '-'"
		}
	}
	return ""
}

func isUsernameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '_' || c == '.' || c == '-'
}

// passwordProblem is the rule for every new password, at register and at
// password change alike (NIST SP 800-63B §5.1.1.2): 8 to 72 bytes and not
// a commonly used one; no composition rules. It counts bytes, not
// characters: bcrypt's limit is 72 bytes, and a longer password is refused
// rather than silently truncated.
func (s *Service) passwordProblem(p string) string {
	switch {
	case p == "":
		return "password is required"
	case len(p) < PasswordMinBytes:
		return "password must be at least 8 bytes"
	case len(p) > PasswordMaxBytes:
		return "password must be at most 72 bytes"
	case s.deps.Common.IsCommon(p):
		return "this password is too common"
	}
	return ""
}

func validationError(fields []FieldError) *Error {
	return &Error{Code: CodeValidation, Detail: "Request validation failed", Fields: fields}
}
