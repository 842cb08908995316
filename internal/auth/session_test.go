package auth

import "testing"

// TestPrintable: a User-Agent keeps what a person can read; bytes that are
// not UTF-8 become U+FFFD and control characters go, so the text is the
// same on every engine.
func TestPrintable(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"Mozilla/5.0 (X11; Linux)": "Mozilla/5.0 (X11; Linux)",
		"curl/8.0 \xff\xfe":        "curl/8.0 \ufffd\ufffd",
		"a\x00b\tc\x7fd\u0085e":    "abcde",
		"né":                       "né",
		"":                         "",
	}
	for in, want := range tests {
		if got := printable(in); got != want {
			t.Errorf("printable(%q) = %q, want %q", in, got, want)
		}
	}
}
