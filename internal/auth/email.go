package auth

import (
	"fmt"
	"net/mail"
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// canonicalEmail is the form an email is stored and looked up in:
// lower-cased, then in Unicode Normalization Form C (UAX #15), so that a
// precomposed "é" and "e" followed by U+0301 spell one address, and one
// account. The unique index then decides between the two spellings like
// between two cases.
func canonicalEmail(e string) string {
	return norm.NFC.String(strings.ToLower(e))
}

// emailProblem is the register rule: a plain address (emailSyntaxProblem)
// that also holds no character a reader cannot see or that changes what a
// reader sees, and whose domain is a name, not an IP address.
func emailProblem(e string) string {
	if msg := emailSyntaxProblem(e); msg != "" {
		return msg
	}
	if i := strings.IndexFunc(e, hidden); i >= 0 {
		r, _ := utf8.DecodeRuneInString(e[i:])
		return fmt.Sprintf("email must not contain invisible, space or direction-changing characters (%U)", r)
	}
	if ipDomain(e[strings.LastIndexByte(e, '@')+1:]) {
		return "email must have a domain name, not an IP address"
	}
	return ""
}

// emailSyntaxProblem is the part of the email rule that login applies too:
// text that fails it cannot be the email of any account. It checks the
// bytes before net/mail sees them, since PostgreSQL refuses invalid UTF-8
// and NUL in text outright (SQLSTATE 22021), and no mail system takes a
// control character.
func emailSyntaxProblem(e string) string {
	switch {
	case e == "":
		return "email is required"
	case !utf8.ValidString(e):
		return "email must be valid UTF-8"
	case strings.TrimSpace(e) != e:
		return "email must not start or end with spaces"
	case utf8.RuneCountInString(e) > EmailMaxLen:
		return "email must be at most 100 characters"
	case strings.IndexFunc(e, unicode.IsControl) >= 0:
		return "email must not contain control characters"
	}
	addr, err := mail.ParseAddress(e)
	if err != nil || addr.Name != "" || addr.Address != e {
		return "email must be a plain address such as alice@example.com"
	}
	at := strings.LastIndexByte(e, '@')
	domain := e[at+1:]
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return "email must be a plain address such as alice@example.com"
	}
	return ""
}

// hidden reports whether an address must not hold r because a reader
// cannot see it, or sees something else: format characters (Cf: zero-width
// space U+200B, word joiner U+2060, the byte order mark U+FEFF, soft hyphen
// U+00AD, the bidi overrides and isolates U+202A–U+202E and U+2066–U+2069),
// the other bidi controls, every kind of space and line or paragraph
// separator (U+00A0, U+2028, U+3000, ...), characters ignored when
// displayed (Hangul fillers U+3164 and U+FFA0, variation selectors),
// private-use characters, which show as nothing standard, and U+FFFD,
// which stands for bytes that were not UTF-8 (the JSON decoder puts it in
// their place). Two addresses that differ only in these look the same to a
// person, so one could pass for the other.
func hidden(r rune) bool {
	return r == utf8.RuneError || unicode.In(r,
		unicode.Cf,
		unicode.Bidi_Control,
		unicode.White_Space,
		unicode.Zs, unicode.Zl, unicode.Zp,
		unicode.Other_Default_Ignorable_Code_Point,
		unicode.Variation_Selector,
		unicode.Co,
	)
}

// ipDomain reports whether domain is an address rather than a name: a
// domain literal ("[127.0.0.1]", RFC 5321 §4.1.3), or a dotted number whose
// last label is all digits ("1.2.3.4", "127.1"), which no top-level domain
// is (RFC 3696 §2).
func ipDomain(domain string) bool {
	if strings.HasPrefix(domain, "[") {
		return true
	}
	if _, err := netip.ParseAddr(domain); err == nil {
		return true
	}
	last := domain[strings.LastIndexByte(domain, '.')+1:]
	return strings.Trim(last, "0123456789") == ""
}
