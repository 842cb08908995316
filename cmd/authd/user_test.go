package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/authd/authd/internal/auth"
)

// fakeAdmin answers every call with its user and err, and records what
// it was asked.
type fakeAdmin struct {
	user  auth.User
	err   error
	calls []string
}

func (f *fakeAdmin) SetActive(_ context.Context, login string, active bool) (auth.User, error) {
	if active {
		f.calls = append(f.calls, "activate "+login)
	} else {
		f.calls = append(f.calls, "deactivate "+login)
	}
	return f.user, f.err
}

func (f *fakeAdmin) LogoutUser(_ context.Context, login string) (auth.User, error) {
	f.calls = append(f.calls, "logout "+login)
	return f.user, f.err
}

// TestChangeUser: each verb calls its use case once and prints one line;
// the core's errors map to exit 1 (no such user, store failure) or exit 2
// (not a username or email).
func TestChangeUser(t *testing.T) {
	t.Parallel()
	bob := auth.User{ID: 7, Username: "Bob"}
	stored := errors.New("store down")
	tests := []struct {
		name, verb string
		err        error
		out        string
		wantErr    string
		usage      bool
	}{
		{"activate", "activate", nil, "user 7 (Bob) activated\n", "", false},
		{"deactivate", "deactivate", nil, "user 7 (Bob) deactivated\n", "", false},
		{"logout", "logout", nil, "user 7 (Bob) logged out of every session\n", "", false},
		{"unknown user", "activate", &auth.Error{Code: auth.CodeUserNotFound}, "", `no user "bob"`, false},
		{"not a login", "logout", &auth.Error{Code: auth.CodeValidation, Fields: []auth.FieldError{{Field: "login", Message: "too short"}}},
			"", `"bob" is not a username or email: too short`, true},
		{"store fails", "deactivate", stored, "", "store down", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			admin := &fakeAdmin{user: bob, err: tt.err}
			var out bytes.Buffer
			err := changeUser(context.Background(), admin, tt.verb, "bob", &out)
			if len(admin.calls) != 1 || admin.calls[0] != tt.verb+" bob" {
				t.Errorf("calls = %v, want [%s bob]", admin.calls, tt.verb)
			}
			if out.String() != tt.out {
				t.Errorf("printed %q, want %q", out.String(), tt.out)
			}
			var u *usageError
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("err = %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("err = %v, want %q", err, tt.wantErr)
			case errors.As(err, &u) != tt.usage:
				t.Errorf("err = %v: usage error %v, want %v", err, !tt.usage, tt.usage)
			}
			if tt.err == stored && !errors.Is(err, stored) {
				t.Errorf("err = %v, want the store's error", err)
			}
		})
	}
}
