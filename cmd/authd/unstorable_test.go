package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/authd/authd/internal/store/storetest"
)

// TestUnstorableTextKeepsBreakerClosed: text PostgreSQL cannot hold (NUL,
// invalid UTF-8) in every field that names an account, sent again and
// again to authd on PostgreSQL with a breaker threshold of 3, is answered
// 400 naming the field each time; the breaker stays closed and a normal
// login works afterwards.
func TestUnstorableTextKeepsBreakerClosed(t *testing.T) {
	t.Parallel()
	env := faultEnv(t)
	env["AUTHD_DATABASE_URL"] = storetest.PostgresURL(t)
	in := start(t, env)
	if a := in.send(t, "/auth/register", register("alice")); a.status != http.StatusCreated {
		t.Fatalf("register alice: %+v", a)
	}

	const form = "application/x-www-form-urlencoded"
	cases := []struct {
		name, path, contentType, body, field string
	}{
		{"login NUL in username", "/auth/login", "", `{"username":"a\u0000b","password":"xxxxxxxx"}`, "username"},
		{"login form invalid UTF-8", "/auth/login", form, "username=%ff%fe&password=xxxxxxxx", "username"},
		{"login form NUL", "/auth/login", form, "username=a%00b&password=xxxxxxxx", "username"},
		{"login form invalid UTF-8 email", "/auth/login", form, "username=%ff%fe%40example.com&password=xxxxxxxx", "username"},
		{"login NUL in email", "/auth/login", "", `{"email":"a\u0000b@example.com","password":"xxxxxxxx"}`, "email"},
		{"login control in email", "/auth/login", "", `{"email":"a\u0085b@example.com","password":"xxxxxxxx"}`, "email"},
		{"login over-long username", "/auth/login", "", `{"username":"` + strings.Repeat("a", 5000) + `","password":"xxxxxxxx"}`, "username"},
		{"register NUL in email", "/auth/register", "", `{"username":"bob","email":"b\u0000b@example.com","password":"tulip-orbit-42"}`, "email"},
		{"register NUL in username", "/auth/register", "", `{"username":"b\u0000b","email":"bob@example.com","password":"tulip-orbit-42"}`, "username"},
	}
	for round := range 2 {
		for _, tc := range cases {
			status, body := postRaw(t, in.url+tc.path, tc.contentType, tc.body)
			if status != http.StatusBadRequest || body["error_code"] != "VALIDATION_ERROR" || !namesField(body, tc.field) {
				t.Errorf("round %d, %s: %d %v, want 400 VALIDATION_ERROR on %s", round, tc.name, status, body, tc.field)
			}
		}
	}
	if got := in.health(t)["circuit_breaker"]; got != "closed" {
		t.Errorf("circuit_breaker = %v after %d refused requests, want closed", got, 2*len(cases))
	}
	if a := in.send(t, "/auth/login", login("alice")); a.status != http.StatusOK {
		t.Errorf("login after the refused requests: %+v", a)
	}
}

// postRaw posts body as it is (JSON unless contentType says otherwise) and
// returns the status and the decoded JSON answer.
func postRaw(t *testing.T, u, contentType, body string) (int, map[string]any) {
	t.Helper()
	if contentType == "" {
		contentType = "application/json"
	}
	res, err := faultClient.Post(u, contentType, strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", u, err)
	}
	defer res.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(res.Body).Decode(&m)
	return res.StatusCode, m
}

// namesField reports whether a VALIDATION_ERROR body names field.
func namesField(body map[string]any, field string) bool {
	list, _ := body["errors"].([]any)
	for _, item := range list {
		if m, _ := item.(map[string]any); m["field"] == field {
			return true
		}
	}
	return false
}
