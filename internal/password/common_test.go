package password

import (
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/trustelem/zxcvbn/frequency"
)

// zxcvbnPasswords is zxcvbn's password list, common.txt's source.
func zxcvbnPasswords(t testing.TB) []string {
	t.Helper()
	words := frequency.FrequencyLists["passwords"]
	if len(words) < 30000 {
		t.Fatalf("the list has %d entries, want 30,000", len(words))
	}
	return words
}

func TestCommonList(t *testing.T) {
	t.Parallel()
	c := NewCommonList()
	tests := []struct {
		password string
		common   bool
	}{
		{"password", true},
		{"12345678", true},
		{"qwertyuiop", true},
		{"password123", true},
		{"iloveyou", true},
		{"PASSWORD123", true},
		{"QwErTyUiOp", true},
		{"        ", true},
		{"aaaaaaaa", true},
		{"éééééééé", true},
		{"\t\t\t\t\t\t\t\t", true},
		{"!qaz2wsx", true},  // the first line of common.txt
		{"zzzzzzzzz", true}, // repeated; the list's last lines are near it
		{"correct-horse-battery", false},
		{"k9#mQ2vL", false},
		{"password-carol", false},
		{" password", false}, // not in the list as it is
		{"password ", false},
		{"passwor", false},       // a line's prefix
		{"password1234x", false}, // a line with more
		{"password\npassword1", false},
		{"password123\n", false},
		{"abababab", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := c.IsCommon(tt.password); got != tt.common {
			t.Errorf("IsCommon(%q) = %t, want %t", tt.password, got, tt.common)
		}
	}
}

// TestCommonListMatchesTheMap: the bisected text answers exactly as the
// map it replaced (every entry of at least MinBytes, lower-cased, looked up
// lower-cased): for every word of the 30,000, short ones included, in
// upper case, and with a byte more or less at either end.
func TestCommonListMatchesTheMap(t *testing.T) {
	t.Parallel()
	words := zxcvbnPasswords(t)
	old := make(map[string]struct{}, len(words)/2)
	for _, w := range words {
		if len(w) >= MinBytes {
			old[strings.ToLower(w)] = struct{}{}
		}
	}
	c := NewCommonList()
	if c.Len() != len(old) || c.Len() < 10000 {
		t.Errorf("Len() = %d, want the map's %d, and over 10,000", c.Len(), len(old))
	}
	for _, w := range words {
		for _, p := range []string{w, strings.ToUpper(w), w + "x", "~" + w, w[1:], w[:len(w)-1]} {
			_, in := old[strings.ToLower(p)]
			if got, want := c.IsCommon(p), repeated(p) || in; got != want {
				t.Errorf("IsCommon(%q) = %t, the map's answer %t", p, got, want)
			}
		}
	}
}

// TestCommonTextIsGenerated: common.txt is CommonLines of the list, as
// go generate writes it, so the two cannot drift apart.
func TestCommonTextIsGenerated(t *testing.T) {
	t.Parallel()
	file, err := os.ReadFile("common.txt")
	if err != nil {
		t.Fatal(err)
	}
	if want := CommonLines(zxcvbnPasswords(t)); string(file) != want || commonText != want {
		t.Fatal("common.txt is not CommonLines of the list; run go generate ./internal/password")
	}
}

// TestHasLine: bisection finds whole lines only, at either end and in the
// middle, of texts of one line or none.
func TestHasLine(t *testing.T) {
	t.Parallel()
	const text = "a\nabc\nabd\nb\nbcdefgh\nc\n"
	tests := []struct {
		lines, w string
		want     bool
	}{
		{text, "a", true},
		{text, "abc", true},
		{text, "abd", true},
		{text, "b", true},
		{text, "bcdefgh", true},
		{text, "c", true},
		{text, "", false},
		{text, "ab", false},
		{text, "abcd", false},
		{text, "bcdefg", false},
		{text, "0", false},
		{text, "d", false},
		{text, "abc\nabd", false},
		{text, "a\n", false},
		{"", "a", false},
		{"", "", false},
		{"only\n", "only", true},
		{"only\n", "onl", false},
		{"x\nlast", "last", true}, // no final '\n'
		{"x\nlast", "las", false},
	}
	for _, tt := range tests {
		if got := hasLine(tt.lines, tt.w); got != tt.want {
			t.Errorf("hasLine(%q, %q) = %t, want %t", tt.lines, tt.w, got, tt.want)
		}
	}
}

// TestCommonListBuildsWithoutHeap: building the set allocates only the
// CommonList itself, a two-word struct, where the map allocated megabytes.
// The byte count also takes in whatever the runtime allocated meanwhile,
// hence a bound of 64 kB rather than 16 bytes. It logs the heap the set
// holds, for the record.
func TestCommonListBuildsWithoutHeap(t *testing.T) {
	if allocs := testing.AllocsPerRun(10, func() { NewCommonList() }); allocs > 1 {
		t.Errorf("NewCommonList: %.0f allocations, want at most 1", allocs)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	c := NewCommonList()
	c.IsCommon("password")
	runtime.GC()
	runtime.ReadMemStats(&after)
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("NewCommonList: %d bytes allocated, heap in use %d -> %d bytes", allocated, before.HeapAlloc, after.HeapAlloc)
	if allocated > 64<<10 {
		t.Errorf("NewCommonList allocated %d bytes, want under 64 kB", allocated)
	}
	runtime.KeepAlive(c)
}

func BenchmarkNewCommonList(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		NewCommonList()
	}
}

// BenchmarkCommon is IsCommon on a miss, a hit that needs lower-casing
// (one allocation) and a hit.
func BenchmarkCommon(b *testing.B) {
	c := NewCommonList()
	for _, p := range []string{"correct-horse-battery", "Password123", "password123"} {
		b.Run(p, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c.IsCommon(p)
			}
		})
	}
}
