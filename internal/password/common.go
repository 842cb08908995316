package password

import (
	"strings"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn/frequency"
)

// CommonList is the set of passwords too common to accept, as NIST SP
// 800-63B §5.1.1.2 asks of a verifier: values from breach corpuses, and
// repetitive ones.
//
// The list is zxcvbn's (see the package comment for its source and
// licence). Only its entries of at least MinBytes are kept: shorter ones
// are refused by length anyway. The list is lower-case, and so is the
// lookup: "PassWord1" is as common as "password1".
//
// A CommonList is built once, by NewCommonList, and only read after that,
// so it is safe for concurrent use.
type CommonList struct {
	set map[string]struct{}
}

// commonListName is the list's key in the frequency package.
const commonListName = "passwords"

// NewCommonList builds the set from the package's list: about 11,600
// entries of 8 bytes or more, a few milliseconds and under 1 MB. Importing
// the frequency package costs about 1 ms and 1.5 MB more at process start
// (its other lists, of words and names, come with it).
func NewCommonList() *CommonList {
	words := frequency.FrequencyLists[commonListName]
	set := make(map[string]struct{}, len(words)/2)
	for _, w := range words {
		if len(w) >= MinBytes {
			set[strings.ToLower(w)] = struct{}{}
		}
	}
	return &CommonList{set: set}
}

// Len is the number of passwords in the set.
func (c *CommonList) Len() int { return len(c.set) }

// IsCommon reports whether p, without regard to case, is in the list or is
// one character repeated ("        ", "aaaaaaaa"), which no list holds in
// every length. It allocates only when p has upper-case letters.
func (c *CommonList) IsCommon(p string) bool {
	if repeated(p) {
		return true
	}
	_, ok := c.set[strings.ToLower(p)]
	return ok
}

// repeated reports whether p is one character, any number of times.
func repeated(p string) bool {
	first, size := utf8.DecodeRuneInString(p)
	if size == 0 {
		return false
	}
	for _, r := range p[size:] {
		if r != first {
			return false
		}
	}
	return true
}
