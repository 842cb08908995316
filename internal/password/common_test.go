package password

import (
	"strings"
	"testing"

	"github.com/trustelem/zxcvbn/frequency"
)

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
		{"correct-horse-battery", false},
		{"k9#mQ2vL", false},
		{"password-carol", false},
		{" password", false}, // not in the list as it is
		{"abababab", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := c.IsCommon(tt.password); got != tt.common {
			t.Errorf("IsCommon(%q) = %t, want %t", tt.password, got, tt.common)
		}
	}
}

// TestCommonListCoversTheList: every entry of the 30,000 of at least
// MinBytes is refused in any case, so the set holds well over the 10,000
// most common; shorter ones are refused by length before the list is asked.
func TestCommonListCoversTheList(t *testing.T) {
	t.Parallel()
	c := NewCommonList()
	words := frequency.FrequencyLists[commonListName]
	if len(words) < 30000 {
		t.Fatalf("the list has %d entries, want 30,000", len(words))
	}
	long := 0
	for _, w := range words {
		if len(w) < MinBytes {
			continue
		}
		long++
		if !c.IsCommon(w) || !c.IsCommon(strings.ToUpper(w)) {
			t.Errorf("IsCommon(%q) = false", w)
		}
	}
	if c.Len() != long || c.Len() < 10000 {
		t.Errorf("Len() = %d, want the %d entries of %d bytes or more, and over 10,000", c.Len(), long, MinBytes)
	}
}

func BenchmarkNewCommonList(b *testing.B) {
	for b.Loop() {
		NewCommonList()
	}
}

func BenchmarkIsCommon(b *testing.B) {
	c := NewCommonList()
	for _, p := range []string{"correct-horse-battery", "Password123", "password123"} {
		b.Run(p, func(b *testing.B) {
			for b.Loop() {
				c.IsCommon(p)
			}
		})
	}
}
