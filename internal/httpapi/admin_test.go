package httpapi

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
)

// adminSetup registers root (made admin in the store) and a plain user,
// and returns their access tokens and the plain user's id.
func adminSetup(t *testing.T, e *env) (rootAccess, userAccess string, userID int64) {
	t.Helper()
	r := e.mustRegister(t, "rooty")
	roles := []string{"admin"}
	if _, _, err := e.store.UpdateUser(t.Context(), auth.UserUpdate{UserID: int64(r.json["user"].(map[string]any)["id"].(float64)), Roles: &roles, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	u := e.mustRegister(t, "plainuser")
	return str(r.json, "access_token"), str(u.json, "access_token"), int64(u.json["user"].(map[string]any)["id"].(float64))
}

func bearer(token string) []string { return []string{"Authorization", "Bearer " + token} }

// adminCalls is one call of every /admin operation on user id.
func adminCalls(id int64) []struct{ method, path, body string } {
	u := fmt.Sprintf("/admin/users/%d", id)
	return []struct{ method, path, body string }{
		{http.MethodGet, "/admin/users", ""},
		{http.MethodPost, "/admin/users", `{"username":"newbie","email":"newbie@example.com"}`},
		{http.MethodGet, u, ""},
		{http.MethodPatch, u, `{"roles":["editor"]}`},
		{http.MethodPost, u + "/logout", ""},
		{http.MethodPut, u + "/password", `{"password":"staple-battery-horse-correct"}`},
		{http.MethodPost, u + "/password-reset", ""},
		{http.MethodDelete, u + "/mfa", ""},
		{http.MethodGet, u + "/sessions", ""},
		{http.MethodGet, "/admin/audit", ""},
		{http.MethodDelete, u, ""},
	}
}

func (e *env) call(t *testing.T, method, path, body, token string) response {
	t.Helper()
	ct := ""
	if body != "" {
		ct = "application/json"
	}
	return e.do(t, method, path, ct, body, bearer(token)...)
}

// TestAdminForbiddenAndUnauthenticated: every /admin operation is 403
// FORBIDDEN for a valid token without admin, and 401 without a token.
func TestAdminForbiddenAndUnauthenticated(t *testing.T) {
	t.Parallel()
	bothStores(t, func(t *testing.T, store string) {
		e := newEnv(t, envOptions{store: store})
		_, user, id := adminSetup(t, e)
		for _, c := range adminCalls(id) {
			wantError(t, e.call(t, c.method, c.path, c.body, user), http.StatusForbidden, auth.CodeForbidden)
			r := e.do(t, c.method, c.path, "application/json", c.body)
			wantError(t, r, http.StatusUnauthorized, auth.CodeInvalidToken)
		}
	})
}

// TestAdminOperations: each /admin operation's success and its error
// codes, on both engines.
func TestAdminOperations(t *testing.T) {
	t.Parallel()
	bothStores(t, func(t *testing.T, store string) {
		e := newEnv(t, envOptions{store: store})
		root, user, id := adminSetup(t, e)
		u := fmt.Sprintf("/admin/users/%d", id)
		steps := []struct {
			name, method, path, body string
			status                   int
			code                     auth.Code
			want                     string
		}{
			{"list", http.MethodGet, "/admin/users?limit=1", "", 200, "", `"next_cursor":"`},
			{"list query", http.MethodGet, "/admin/users?query=PLAIN", "", 200, "", `"username":"plainuser"`},
			{"list bad limit", http.MethodGet, "/admin/users?limit=500", "", 400, auth.CodeValidation, ""},
			{"list bad cursor", http.MethodGet, "/admin/users?cursor=xyz", "", 400, auth.CodeValidation, ""},
			{"create", http.MethodPost, "/admin/users", `{"username":"newbie","email":"Newbie@Example.com","roles":["editor"],"is_active":false}`, 201, "", `"roles":["editor"]`},
			{"create taken", http.MethodPost, "/admin/users", `{"username":"NEWBIE","email":"x@example.com"}`, 409, auth.CodeUserExists, ""},
			{"create bad role", http.MethodPost, "/admin/users", `{"username":"newbie2","email":"n2@example.com","roles":["Admin"]}`, 400, auth.CodeValidation, ""},
			{"create email_verified", http.MethodPost, "/admin/users", `{"username":"newbie3","email":"n3@example.com","email_verified":true}`, 201, "", `"email_verified":true`},
			{"create send_reset", http.MethodPost, "/admin/users", `{"username":"newbie4","email":"n4@example.com","send_reset":true}`, 501, auth.CodeNotConfigured, ""},
			{"get", http.MethodGet, u, "", 200, "", `"session_count":1`},
			{"get missing", http.MethodGet, "/admin/users/99999", "", 404, auth.CodeUserNotFound, ""},
			{"get not an id", http.MethodGet, "/admin/users/abc", "", 404, auth.CodeUserNotFound, ""},
			{"patch", http.MethodPatch, u, `{"roles":["editor","billing"],"username":"plain2"}`, 200, "", `"roles":["billing","editor"]`},
			{"patch email_verified", http.MethodPatch, u, `{"email_verified":true}`, 200, "", `"email_verified":true`},
			{"patch email unverifies", http.MethodPatch, u, `{"email":"plain2@example.com"}`, 200, "", `"email_verified":false`},
			{"patch taken", http.MethodPatch, u, `{"email":"rooty@example.com"}`, 409, auth.CodeUserExists, ""},
			{"patch unknown field", http.MethodPatch, u, `{"password":"x"}`, 400, auth.CodeValidation, ""},
			{"patch missing", http.MethodPatch, "/admin/users/99999", `{"is_active":true}`, 404, auth.CodeUserNotFound, ""},
			{"sessions", http.MethodGet, u + "/sessions", "", 200, "", `"sessions":[{`},
			{"password weak", http.MethodPut, u + "/password", `{"password":"password"}`, 400, auth.CodeValidation, ""},
			{"password", http.MethodPut, u + "/password", `{"password":"staple-battery-horse-correct"}`, 204, "", ""},
			{"reset mail", http.MethodPost, u + "/password-reset", "", 501, auth.CodeNotConfigured, ""},
			{"mfa reset", http.MethodDelete, u + "/mfa", "", 204, "", ""},
			{"logout", http.MethodPost, u + "/logout", "", 204, "", ""},
			{"logout missing", http.MethodPost, "/admin/users/99999/logout", "", 404, auth.CodeUserNotFound, ""},
			{"audit", http.MethodGet, fmt.Sprintf("/admin/audit?user_id=%d&action=admin.user_updated", id), "", 200, "", `"action":"admin.user_updated"`},
			{"audit bad cursor", http.MethodGet, "/admin/audit?cursor=zzz", "", 400, auth.CodeValidation, ""},
			{"delete", http.MethodDelete, u, "", 204, "", ""},
			{"delete again", http.MethodDelete, u, "", 404, auth.CodeUserNotFound, ""},
			{"demote the last admin", http.MethodPatch, "/admin/users/1", `{"roles":[]}`, 409, auth.CodeLastAdmin, ""},
			{"deactivate the last admin", http.MethodPatch, "/admin/users/1", `{"is_active":false}`, 409, auth.CodeLastAdmin, ""},
			{"delete the last admin", http.MethodDelete, "/admin/users/1", "", 409, auth.CodeLastAdmin, ""},
		}
		for _, s := range steps {
			r := e.call(t, s.method, s.path, s.body, root)
			if s.code != "" {
				t.Run(s.name, func(t *testing.T) { wantError(t, r, s.status, s.code) })
				continue
			}
			if r.status != s.status || !strings.Contains(r.raw, s.want) {
				t.Errorf("%s: %d %s; want %d with %s", s.name, r.status, r.raw, s.status, s.want)
			}
		}
		// The user's token stopped working with the password set and the delete.
		wantError(t, e.call(t, http.MethodGet, "/auth/me", "", user), http.StatusUnauthorized, auth.CodeSessionRevoked)
		// The names are free again.
		if r := e.register(t, "plain2", "plainuser@example.com", passwordOf("plain2")); r.status != http.StatusCreated {
			t.Errorf("register the deleted user's names: %d %s", r.status, r.raw)
		}
	})
}

// TestRoleRemovalAndTokens: an admin whose role is removed loses access
// at once with the same token; a granted role is in the next access token
// after a refresh, and in /auth/me at once.
func TestRoleRemovalAndTokens(t *testing.T) {
	t.Parallel()
	bothStores(t, func(t *testing.T, store string) {
		e := newEnv(t, envOptions{store: store})
		root, _, id := adminSetup(t, e)
		second := e.mustRegister(t, "second")
		sid := int64(second.json["user"].(map[string]any)["id"].(float64))
		tok := str(second.json, "access_token")
		if r := e.call(t, http.MethodPatch, fmt.Sprintf("/admin/users/%d", sid), `{"roles":["admin","ops"]}`, root); r.status != 200 {
			t.Fatalf("grant: %d %s", r.status, r.raw)
		}
		if r := e.call(t, http.MethodGet, "/auth/me", "", tok); !strings.Contains(r.raw, `"roles":["admin","ops"]`) {
			t.Errorf("/auth/me after the grant: %s", r.raw)
		}
		if r := e.call(t, http.MethodGet, "/admin/users", "", tok); r.status != 200 {
			t.Errorf("the new admin's old token: %d %s", r.status, r.raw)
		}
		if got := rolesClaim(t, tok); len(got) != 0 {
			t.Errorf("roles claim before refresh = %v, want []", got)
		}
		ref := e.postJSON(t, "/auth/refresh", map[string]string{"refresh_token": str(second.json, "refresh_token")})
		if got := rolesClaim(t, str(ref.json, "access_token")); strings.Join(got, ",") != "admin,ops" {
			t.Errorf("roles claim after refresh = %v", got)
		}
		if r := e.call(t, http.MethodPatch, fmt.Sprintf("/admin/users/%d", sid), `{"roles":["ops"]}`, root); r.status != 200 {
			t.Fatalf("revoke: %d %s", r.status, r.raw)
		}
		wantError(t, e.call(t, http.MethodGet, "/admin/users", "", str(ref.json, "access_token")), http.StatusForbidden, auth.CodeForbidden)
		_ = id
	})
}

// rolesClaim reads the roles claim of an access token, failing when it is
// missing or not an array.
func rolesClaim(t *testing.T, jwt string) []string {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", jwt)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var c struct {
		Roles *[]string `json:"roles"`
	}
	if err := json.Unmarshal(raw, &c); err != nil || c.Roles == nil {
		t.Fatalf("claims %s: no roles array (%v)", raw, err)
	}
	return *c.Roles
}

// TestDeleteMeAndOwnEvents: DELETE /auth/me needs the password, deletes
// the account and frees its names; /auth/events shows only the caller's
// events; no event holds a password or token the test used.
func TestDeleteMeAndOwnEvents(t *testing.T) {
	t.Parallel()
	bothStores(t, func(t *testing.T, store string) {
		e := newEnv(t, envOptions{store: store})
		root, _, _ := adminSetup(t, e)
		a := e.mustRegister(t, "anna")
		b := e.mustRegister(t, "bruno")
		ta, tb := str(a.json, "access_token"), str(b.json, "access_token")
		pw := passwordOf("anna")
		newPw := "staple-battery-horse-correct"
		if r := e.do(t, http.MethodPost, "/auth/password", "application/json",
			fmt.Sprintf(`{"current_password":%q,"new_password":%q}`, pw, newPw), append(bearer(ta), "X-Request-ID", "pw-change-1")...); r.status != 204 {
			t.Fatalf("password change: %d %s", r.status, r.raw)
		}
		r := e.call(t, http.MethodGet, "/auth/events", "", ta)
		var own struct{ Events []EventBody }
		if err := json.Unmarshal([]byte(r.raw), &own); err != nil || len(own.Events) != 2 {
			t.Fatalf("anna's events: %s", r.raw)
		}
		if own.Events[0].Action != "password.changed" || own.Events[0].RequestID != "pw-change-1" || own.Events[0].ActorID != nil {
			t.Errorf("newest event %+v", own.Events[0])
		}
		if rb := e.call(t, http.MethodGet, "/auth/events", "", tb); strings.Contains(rb.raw, "password.changed") {
			t.Errorf("bruno sees anna's events: %s", rb.raw)
		}
		wantError(t, e.call(t, http.MethodDelete, "/auth/me", `{"password":"wrong-password-here"}`, ta), http.StatusUnauthorized, auth.CodeInvalidCredentials)
		wantError(t, e.call(t, http.MethodDelete, "/auth/me", `{}`, ta), http.StatusBadRequest, auth.CodeValidation)
		if r := e.call(t, http.MethodDelete, "/auth/me", fmt.Sprintf(`{"password":%q}`, newPw), ta); r.status != 204 {
			t.Fatalf("delete me: %d %s", r.status, r.raw)
		}
		wantError(t, e.call(t, http.MethodGet, "/auth/me", "", ta), http.StatusUnauthorized, auth.CodeSessionRevoked)
		if r := e.register(t, "anna", "anna@example.com", passwordOf("anna")); r.status != 201 {
			t.Errorf("register the freed names: %d %s", r.status, r.raw)
		}
		// Every event in the trail, read by the admin, holds none of the
		// secrets this test used.
		all := e.call(t, http.MethodGet, "/admin/audit?limit=200", "", root)
		if !strings.Contains(all.raw, `"user.deleted"`) {
			t.Errorf("no user.deleted event: %s", all.raw)
		}
		for _, secret := range []string{pw, newPw, passwordOf("bruno"), passwordOf("rooty"), ta, tb, root,
			str(a.json, "refresh_token"), str(b.json, "refresh_token")} {
			if strings.Contains(all.raw, secret) {
				t.Errorf("an event holds a secret the test used (%.8s…)", secret)
			}
		}
	})
}

// TestLogoutEventsCarryTheClient: a logout's and a revoke's audit events
// keep the client IP, user agent and request id, as every event does.
func TestLogoutEventsCarryTheClient(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	root, _, _ := adminSetup(t, e)
	c := e.mustRegister(t, "carla")
	if r := e.do(t, http.MethodPost, "/auth/logout", "application/json", `{"scope":"current"}`,
		append(bearer(str(c.json, "access_token")), "X-Request-ID", "logout-req-7", "User-Agent", "agent/7")...); r.status != 204 {
		t.Fatalf("logout: %d %s", r.status, r.raw)
	}
	r := e.call(t, http.MethodGet, "/admin/audit?action=session.logout", "", root)
	var list EventList
	if err := json.Unmarshal([]byte(r.raw), &list); err != nil || len(list.Events) != 1 {
		t.Fatalf("logout events: %s", r.raw)
	}
	if ev := list.Events[0]; ev.RequestID != "logout-req-7" || ev.UserAgent != "agent/7" || ev.IP == "" || ev.Details["scope"] != "current" {
		t.Errorf("logout event %+v", ev)
	}
}
