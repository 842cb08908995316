package config

import (
	"strings"
	"testing"
)

func TestLoadMFAIssuer(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		value, want, problem string
	}{
		{"", "authd", ""},
		{"Example Corp", "Example Corp", ""},
		{"Example:Corp", "", "without a colon"},
		{strings.Repeat("x", 65), "", "1 to 64"},
	} {
		c, err := Load(func(k string) string {
			if k == "AUTHD_MFA_ISSUER" {
				return tc.value
			}
			return ""
		})
		if tc.problem != "" {
			if err == nil || !strings.Contains(err.Error(), "AUTHD_MFA_ISSUER") || !strings.Contains(err.Error(), tc.problem) {
				t.Errorf("%q: err = %v, want one naming AUTHD_MFA_ISSUER and %q", tc.value, err, tc.problem)
			}
			continue
		}
		if err != nil || c.MFA.Issuer != tc.want {
			t.Errorf("%q: issuer %q, %v; want %q", tc.value, c.MFA.Issuer, err, tc.want)
		}
	}
}
