package httpapi

import (
	"encoding/json"
	"errors"
	"net/url"
	"slices"
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
		_, err := newJSONBody[RegisterRequest]().decode(body)
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
		_, err := newFormBody[LoginForm]().decode([]byte(body))
		if err != nil {
			var ae *auth.Error
			if !errors.As(err, &ae) || ae.Code != auth.CodeValidation {
				t.Fatalf("refusal is not a validation error: %v", err)
			}
			return
		}
		vals, err := url.ParseQuery(body)
		if err != nil {
			t.Fatalf("accepted a malformed form: %q", body)
		}
		// Unknown keys are ignored (RFC 6749 §3.2); known ones appear once.
		for k, v := range vals {
			if len(v) != 1 && slices.Contains([]string{"grant_type", "username", "password", "refresh_token", "scope", "client_id", "client_secret"}, k) {
				t.Fatalf("accepted duplicate %q", k)
			}
		}
	})
}

// TestBodyKeys: each body type allows exactly the keys API.md gives it, as
// its json tags name them.
func TestBodyKeys(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		got  []string
		want []string
	}{
		{"RegisterRequest", newJSONBody[RegisterRequest]().keys, []string{"username", "email", "password"}},
		{"LoginRequest", newJSONBody[LoginRequest]().keys, []string{"username", "email", "password"}},
		{"RefreshRequest", newJSONBody[RefreshRequest]().keys, []string{"refresh_token"}},
		{"LogoutRequest", newJSONBody[LogoutRequest]().keys, []string{"scope", "refresh_token"}},
		{"PasswordRequest", newJSONBody[PasswordRequest]().keys, []string{"current_password", "new_password", "code"}},
		{"LoginForm", newFormBody[LoginForm]().keys, []string{"grant_type", "username", "password", "refresh_token", "scope", "client_id", "client_secret"}},
		{"tags", newJSONBody[struct {
			Plain   string
			Renamed string `json:"other,omitempty"`
			Skipped string `json:"-"`
			hidden  string
		}]().keys, []string{"Plain", "other"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !slices.Equal(tt.got, tt.want) {
				t.Errorf("keys = %v, want %v", tt.got, tt.want)
			}
		})
	}
}

// TestBodyTypesRefused: a body type the decoders cannot describe exactly
// stops the server at start instead of allowing the wrong keys.
func TestBodyTypesRefused(t *testing.T) {
	t.Parallel()
	type inner struct {
		A string `json:"a"`
	}
	tests := map[string]func(){
		"embedded field":    func() { newJSONBody[struct{ inner }]() },
		"not a struct":      func() { newJSONBody[map[string]string]() },
		"form field of int": func() { newFormBody[struct{ N int }]() },
	}
	for name, build := range tests {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("built without a panic")
				}
			}()
			build()
		})
	}
}

func TestFormBodyFills(t *testing.T) {
	t.Parallel()
	got, err := newFormBody[LoginForm]().decode([]byte("grant_type=password&username=alice&password=p%26ss&scope="))
	if err != nil {
		t.Fatal(err)
	}
	if want := (LoginForm{GrantType: "password", Username: "alice", Password: "p&ss"}); got != want {
		t.Errorf("decode = %+v, want %+v", got, want)
	}
}
