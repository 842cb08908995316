package auth

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

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
// passwordProblem is the Service's rule for a new password of an account.
func (in RegisterInput) validate(passwordProblem func(p, username, email string) string) []FieldError {
	var errs []FieldError
	if msg := usernameProblem(in.Username); msg != "" {
		errs = append(errs, FieldError{Field: "username", Message: msg})
	}
	if msg := emailProblem(in.Email); msg != "" {
		errs = append(errs, FieldError{Field: "email", Message: msg})
	}
	if msg := passwordProblem(in.Password, in.Username, in.Email); msg != "" {
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
// password change alike (NIST SP 800-63B-4 §3.1.1.2): 8 to 72 bytes, not
// a commonly used one, and not holding the account's own names
// (contextProblem); no composition rules. It counts bytes, not
// characters: bcrypt's limit is 72 bytes, and a longer password is refused
// rather than silently truncated. username and email are the account's, as
// typed at register or as stored at a change.
func (s *Service) passwordProblem(p, username, email string) string {
	return s.deps.passwordProblem(p, username, email)
}

// passwordProblem is Service.passwordProblem for any user of Deps.
func (d Deps) passwordProblem(p, username, email string) string {
	switch {
	case p == "":
		return "password is required"
	case len(p) < PasswordMinBytes:
		return "password must be at least 8 bytes"
	case len(p) > PasswordMaxBytes:
		return "password must be at most 72 bytes"
	case d.Common != nil && d.Common.IsCommon(p):
		return "this password is too common"
	}
	return contextProblem(p, username, email)
}

// contextMinLen is the shortest name, in characters, that contextProblem
// looks for in a password. Usernames are never shorter (UsernameMinLen),
// so theirs is always checked. An email's local part may be one or two
// characters ("a@example.com"); so short a string is in a large share of
// all good passwords by chance, and refusing each of them would push users
// toward worse ones while costing an attacker nothing: two known letters
// barely narrow a guess. Three matches the username rule.
const contextMinLen = UsernameMinLen

// contextProblem is the context-specific words rule of NIST SP 800-63B-4
// §3.1.1.2: a password must not contain the account's username or its
// email's local part (before the last '@'), in any case. Whoever targets
// an account knows both, and tries passwords built on them first.
//
// "In any case" is Unicode's canonical caseless match (Unicode §3.13,
// D145): both sides are decomposed, fully case-folded and decomposed
// again, so "STRASSE" holds "straße", and a precomposed "é" matches "e"
// with U+0301, as the stored email's NFC form and whatever a client sends
// may differ in either way.
func contextProblem(p, username, email string) string {
	folded := caseless(p)
	if holds(folded, username) {
		return "password must not contain the username"
	}
	if at := strings.LastIndexByte(email, '@'); at >= 0 && holds(folded, email[:at]) {
		return "password must not contain the part of the email before @"
	}
	return ""
}

// holds reports whether the caseless form of a password contains name,
// when name is long enough to count (contextMinLen).
func holds(folded, name string) bool {
	if utf8.RuneCountInString(norm.NFC.String(name)) < contextMinLen {
		return false
	}
	return strings.Contains(folded, caseless(name))
}

// caseless is s in the form Unicode's canonical caseless match compares:
// NFD(fold(NFD(s))). A Caser keeps state, so each call takes its own.
func caseless(s string) string {
	return norm.NFD.String(cases.Fold().String(norm.NFD.String(s)))
}

func validationError(fields []FieldError) *Error {
	return &Error{Code: CodeValidation, Detail: "Request validation failed", Fields: fields}
}
