package password

import (
	_ "embed" // common.txt
	"slices"
	"strings"
	"unicode/utf8"
)

//go:generate go run ./gencommon -o common.txt

// commonText is common.txt, CommonLines of zxcvbn's password list. A string
// cannot change, so this is constant data, as an embed.FS would be; unlike
// an embed.FS it is read in place, with no copy on the heap.
//
//go:embed common.txt
var commonText string

// CommonList is the set of passwords too common to accept, as NIST SP
// 800-63B §5.1.1.2 asks of a verifier: values from breach corpuses, and
// repetitive ones.
//
// The list is zxcvbn's (see the package comment for its source and
// licence). Only its entries of at least MinBytes are kept: shorter ones
// are refused by length anyway. The list is lower-case, and so is the
// lookup: "PassWord1" is as common as "password1".
//
// The set is the embedded text itself, about 11,600 sorted lines (110 kB
// in the binary's read-only data), searched by bisection: a map of the same
// strings took about 5 MB of heap for the process's whole life, and most of
// its pages were never read again after start-up. A CommonList is never
// written after NewCommonList, so it is safe for concurrent use.
type CommonList struct {
	// lines is CommonLines' form: sorted, one entry per line, each line
	// ending in '\n'.
	lines string
}

// NewCommonList returns the set of the package's list. It costs nothing at
// start-up: the list is searched where the binary holds it.
func NewCommonList() *CommonList { return &CommonList{lines: commonText} }

// Len is the number of passwords in the set.
func (c *CommonList) Len() int { return strings.Count(c.lines, "\n") }

// IsCommon reports whether p, without regard to case, is in the list or is
// one character repeated ("        ", "aaaaaaaa"), which no list holds in
// every length. It allocates only when p has upper-case letters.
func (c *CommonList) IsCommon(p string) bool {
	return repeated(p) || hasLine(c.lines, strings.ToLower(p))
}

// hasLine reports whether the sorted lines hold w as a whole line. It
// bisects the text by byte offset, as look(1) does, rather than by line
// number, so no index of line starts is needed: lo and hi are always the
// starts of lines (or the end), and each step compares the line that holds
// the middle byte. A w holding '\n' equals no line, and is not found.
func hasLine(lines, w string) bool {
	lo, hi := 0, len(lines)
	for lo < hi {
		mid := lo + (hi-lo)/2
		start := lo + strings.LastIndexByte(lines[lo:mid], '\n') + 1
		end := strings.IndexByte(lines[start:hi], '\n')
		if end < 0 { // a last line without its '\n'; CommonLines writes none
			end = hi - start
		}
		end += start
		switch line := lines[start:end]; {
		case line == w:
			return true
		case line < w:
			lo = end + 1
		default:
			hi = start
		}
	}
	return false
}

// CommonLines is the text of common.txt made from a frequency list: each
// entry of at least MinBytes, lower-cased as IsCommon lower-cases, once,
// in byte order (Go's string order, which hasLine bisects by), one per
// line. An entry holding '\n' would break the layout, and none of a
// password list should; it is left out. The generator (gencommon) and the
// test that common.txt is up to date both call it.
func CommonLines(words []string) string {
	keep := make([]string, 0, len(words))
	for _, w := range words {
		if len(w) >= MinBytes && !strings.ContainsRune(w, '\n') {
			keep = append(keep, strings.ToLower(w))
		}
	}
	slices.Sort(keep)
	keep = slices.Compact(keep)
	var b strings.Builder
	for _, w := range keep {
		b.WriteString(w)
		b.WriteByte('\n')
	}
	return b.String()
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
