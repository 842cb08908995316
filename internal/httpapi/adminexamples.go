package httpapi

import (
	"net/http"
	"time"
)

// adminExamples are the examples of the administration operations and of
// the caller's own account operations. The user they act on is an example
// user other than alice (TestDocumentedExamplesWork makes one), so that a
// deletion does not meet the last-admin rule.
func adminExamples() []operationExamples {
	created := time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)
	bob := UserBody{ID: 7, Username: "bob", Email: "bob@example.com", IsActive: true, Roles: []string{"editor"}, CreatedAt: created, UpdatedAt: created}
	admin := exampleUser(true)
	admin.Roles = []string{"admin"}
	actor := "1"
	user := int64(7)
	event := EventBody{ID: 42, At: created.Add(time.Minute), Action: "admin.user_updated", ActorID: &actor, UserID: &user,
		IP: "203.0.113.7", UserAgent: "Mozilla/5.0", RequestID: "550e8400-e29b-41d4-a716-446655440000",
		Details: map[string]string{"fields": "roles", "roles": "editor"}}
	own := EventBody{ID: 3, At: exampleUser(true).CreatedAt, Action: "user.login", UserID: &[]int64{1}[0],
		IP: "203.0.113.7", UserAgent: "Mozilla/5.0", RequestID: "550e8400-e29b-41d4-a716-446655440000", Details: map[string]string{}}
	next := "dTo3"
	return []operationExamples{
		{http.MethodDelete, "/auth/me", map[string]any{"with the password": DeleteMeRequest{Password: examplePassword}}, http.StatusNoContent, nil},
		{http.MethodGet, "/auth/events", nil, http.StatusOK, map[string]any{"recent activity": OwnEventList{Events: []EventBody{own}}}},
		{http.MethodGet, "/admin/users", nil, http.StatusOK, map[string]any{
			"a page": UserList{Users: []UserBody{admin, bob}, NextCursor: &next},
			"last":   UserList{Users: []UserBody{bob}},
		}},
		{http.MethodPost, "/admin/users",
			map[string]any{"with a password and a role": AdminCreateRequest{Username: "carol", Email: "carol@example.com",
				Password: "staple-battery-horse-correct", Roles: []string{"editor"}}},
			http.StatusCreated, map[string]any{"created": UserBody{ID: 8, Username: "carol", Email: "carol@example.com", IsActive: true,
				Roles: []string{"editor"}, CreatedAt: created, UpdatedAt: created}}},
		{http.MethodGet, "/admin/users/{id}", nil, http.StatusOK, map[string]any{"a user": AdminUserBody{UserBody: bob, SessionCount: 2}}},
		{http.MethodPatch, "/admin/users/{id}", map[string]any{"grant a role": AdminUpdateRequest{Roles: &[]string{"editor", "billing"}}},
			http.StatusOK, map[string]any{"updated": bob}},
		{http.MethodPut, "/admin/users/{id}/password", map[string]any{"new password": AdminPasswordRequest{Password: "staple-battery-horse-correct"}},
			http.StatusNoContent, nil},
		{http.MethodGet, "/admin/users/{id}/sessions", nil, http.StatusOK, map[string]any{"one session": AdminSessionList{Sessions: []AdminSessionInfo{{
			ID: exampleSessionID, CreatedAt: created, LastUsedAt: created.Add(time.Hour), ExpiresAt: created.Add(7 * 24 * time.Hour),
			IP: "203.0.113.7", UserAgent: "Mozilla/5.0",
		}}}}},
		{http.MethodGet, "/admin/audit", nil, http.StatusOK, map[string]any{
			"a page": EventList{Events: []EventBody{event}, NextCursor: &next},
			"last":   EventList{Events: []EventBody{own}},
		}},
	}
}
