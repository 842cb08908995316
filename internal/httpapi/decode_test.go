package httpapi

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/authd/authd/internal/auth"
)

func TestMediaType(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ct   string
		want string
	}{
		{"application/json", mediaJSON},
		{"Application/JSON; charset=utf-8", mediaJSON},
		{"application/x-www-form-urlencoded", mediaForm},
		{"text/plain", ""},
		{"", ""},
		{"application/json; charset", ""},
	}
	for _, tt := range tests {
		got, err := mediaType(tt.ct, mediaJSON, mediaForm)
		if got != tt.want {
			t.Errorf("mediaType(%q) = %q, want %q", tt.ct, got, tt.want)
		}
		var ae *auth.Error
		if tt.want == "" && (!errors.As(err, &ae) || ae.Code != auth.CodeUnsupportedMedia) {
			t.Errorf("mediaType(%q) err = %v, want 415", tt.ct, err)
		}
	}
}

// FuzzDecodeJSON: no input panics, every refusal is a 400 VALIDATION_ERROR,
// and what is accepted is one JSON object with only known, unique keys.
func FuzzDecodeJSON(f *testing.F) {
	for _, seed := range []string{
		`{"username":"alice","email":"a@example.com","password":"tulip-orbit-1"}`,
		`{"username":"a","username":"b"}`,
		`{"USERNAME":"a"}`,
		`{"username":"a"} {}`,
		`{"username":1}`,
		`[]`, `null`, `"x"`, `{`, ``, `{"username":"\u0000"}`, `{"email":{"a":[1,2,{"b":null}]}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var req RegisterRequest
		err := decodeJSON(body, &req, "username", "email", "password")
		if err != nil {
			var ae *auth.Error
			if !errors.As(err, &ae) || ae.Code != auth.CodeValidation {
				t.Fatalf("refusal is not a validation error: %v", err)
			}
			return
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(body, &m) != nil {
			t.Fatalf("accepted a body that is not one JSON object: %q", body)
		}
		for k := range m {
			if k != "username" && k != "email" && k != "password" {
				t.Fatalf("accepted unknown key %q", k)
			}
		}
		dec := json.NewDecoder(strings.NewReader(string(body)))
		var first map[string]any
		if dec.Decode(&first) != nil || dec.More() {
			t.Fatalf("accepted trailing data: %q", body)
		}
	})
}

func FuzzDecodeForm(f *testing.F) {
	for _, seed := range []string{"username=a&password=b", "username=a&username=b", "x=1", "%zz", "grant_type=password&scope="} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		vals, err := decodeForm([]byte(body), "grant_type", "username", "password", "scope", "client_id", "client_secret")
		if err != nil {
			var ae *auth.Error
			if !errors.As(err, &ae) || ae.Code != auth.CodeValidation {
				t.Fatalf("refusal is not a validation error: %v", err)
			}
			return
		}
		for k, v := range vals {
			if len(v) != 1 {
				t.Fatalf("accepted duplicate %q", k)
			}
		}
	})
}
