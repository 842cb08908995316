package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/password"
)

// TestLoginRehashesAtNewCost: a user registered at bcrypt cost 4 who logs
// in after the cost was raised to 5 has a cost-5 hash stored, logged once
// at INFO with the user and both costs; the new hash then logs in.
func TestLoginRehashesAtNewCost(t *testing.T) {
	bothStores(t, func(t *testing.T, store string) {
		before := newEnv(t, envOptions{store: store, cost: 4})
		reg := before.mustRegister(t, "rita")
		id := int64(reg.json["user"].(map[string]any)["id"].(float64))
		wantCost(t, before.store, "rita", 4)

		e := newEnvOn(t, before.store, envOptions{cost: 5})
		for range 2 {
			if r := e.postJSON(t, "/auth/login", map[string]string{"username": "rita", "password": passwordOf("rita")}); r.status != http.StatusOK {
				t.Fatalf("login: %d %s", r.status, r.raw)
			}
		}
		wantCost(t, e.store, "rita", 5)
		var lines []map[string]any
		for _, l := range e.logs.Lines(t) {
			if l["message"] == "password rehashed" {
				lines = append(lines, l)
			}
		}
		if len(lines) != 1 {
			t.Fatalf("%d 'password rehashed' lines after two logins, want 1: %v", len(lines), lines)
		}
		l := lines[0]
		if l["level"] != "INFO" || l["user_id"] != float64(id) || l["old_cost"] != float64(4) || l["new_cost"] != float64(5) {
			t.Errorf("rehash line %v, want INFO with user_id %d, old_cost 4, new_cost 5", l, id)
		}
		if strings.Contains(e.logs.String(), "$2a$") {
			t.Error("a hash reached the log")
		}
	})
}

// failingRehash is a real store whose RehashPassword fails as an outage
// would: the one fault a healthy database cannot show on demand.
type failingRehash struct{ auth.Store }

func (failingRehash) RehashPassword(context.Context, int64, string, string, time.Time) (bool, error) {
	return false, auth.DatabaseError(errors.New("rehash password: connection reset by peer"))
}

// TestLoginSurvivesFailedRehash: when storing the new hash fails, the
// login still succeeds, the failure is logged at WARN, and the old hash
// stays (the next login tries again).
func TestLoginSurvivesFailedRehash(t *testing.T) {
	bothStores(t, func(t *testing.T, store string) {
		before := newEnv(t, envOptions{store: store, cost: 4})
		before.mustRegister(t, "sam")
		e := newEnvOn(t, failingRehash{before.store}, envOptions{cost: 5})
		r := e.postJSON(t, "/auth/login", map[string]string{"username": "sam", "password": passwordOf("sam")})
		if r.status != http.StatusOK || str(r.json, "access_token") == "" {
			t.Fatalf("login with a failing rehash: %d %s", r.status, r.raw)
		}
		wantCost(t, before.store, "sam", 4)
		found := false
		for _, l := range e.logs.Lines(t) {
			switch l["message"] {
			case "password rehash failed":
				found = l["level"] == "WARN" && l["old_cost"] == float64(4) && l["new_cost"] == float64(5)
			case "password rehashed":
				t.Errorf("rehash logged as done: %v", l)
			}
		}
		if !found {
			t.Errorf("no WARN 'password rehash failed' line with both costs")
		}
	})
}

// wantCost checks the bcrypt cost of the hash stored for username.
func wantCost(t *testing.T, st auth.Store, username string, want int) {
	t.Helper()
	u, err := st.UserByUsername(t.Context(), username)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := password.HashCost(u.HashedPassword); err != nil || got != want {
		t.Errorf("stored hash cost = %d (%v), want %d", got, err, want)
	}
}
