package main

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/authd/authd/internal/store/postgres"
	"github.com/authd/authd/internal/store/storetest"
)

// TestSessionsAcrossProcesses: two authd processes on one PostgreSQL share
// sessions: a session opened on A is refreshed on B, a logout on A is
// refused at once by B, and a refresh race split over both rotates once.
func TestSessionsAcrossProcesses(t *testing.T) {
	t.Parallel()
	url := storetest.PostgresURL(t)
	bin := buildBinary(t)
	env := map[string]string{
		"AUTHD_DATABASE_URL": url,
		"AUTHD_JWT_SECRET":   secret,
		"AUTHD_BCRYPT_COST":  "4",
		"AUTHD_ADDR":         "127.0.0.1:0",
	}
	a := startProcess(t, bin, env)
	b := startProcess(t, bin, env)
	bearer := func(body map[string]any) []string {
		return []string{"Authorization", "Bearer " + body["access_token"].(string)}
	}
	refreshBody := func(body map[string]any) string {
		return `{"refresh_token":"` + body["refresh_token"].(string) + `"}`
	}

	status, reg := a.post(t, "/auth/register", `{"username":"rep","email":"rep@example.com","password":"tulip-orbit-42"}`)
	if status != http.StatusCreated {
		t.Fatalf("register on A: %d %v", status, reg)
	}
	status, fresh := b.post(t, "/auth/refresh", refreshBody(reg))
	if status != http.StatusOK {
		t.Fatalf("refresh on B of A's token: %d %v", status, fresh)
	}
	if status, _ := b.get(t, "/auth/me", bearer(fresh)...); status != http.StatusOK {
		t.Fatalf("me on B: %d", status)
	}
	if status, body := a.post(t, "/auth/logout", "", bearer(reg)...); status != http.StatusNoContent {
		t.Fatalf("logout on A: %d %v", status, body)
	}
	for name, got := range map[string]map[string]any{
		"me on B":      second(b.get(t, "/auth/me", bearer(fresh)...)),
		"refresh on B": second(b.post(t, "/auth/refresh", refreshBody(fresh))),
	} {
		if got["error_code"] != "SESSION_REVOKED" {
			t.Errorf("%s after logout on A: %v, want SESSION_REVOKED", name, got)
		}
	}

	// Twenty refreshes of one token at once, half on each process.
	status, login := a.post(t, "/auth/login", `{"username":"rep","password":"tulip-orbit-42"}`)
	if status != http.StatusOK {
		t.Fatalf("login: %d", status)
	}
	const n = 20
	var wg sync.WaitGroup
	start := make(chan struct{})
	statuses, tokens := make([]int, n), make([]string, n)
	for i := range n {
		target := []*instance{a, b}[i%2]
		wg.Go(func() {
			<-start
			st, body := target.post(t, "/auth/refresh", refreshBody(login))
			statuses[i] = st
			tokens[i], _ = body["refresh_token"].(string)
		})
	}
	close(start)
	wg.Wait()
	distinct := map[string]bool{}
	for i := range n {
		if statuses[i] != http.StatusOK {
			t.Errorf("refresh #%d: %d", i, statuses[i])
		}
		distinct[tokens[i]] = true
	}
	if len(distinct) != 1 {
		t.Errorf("%d distinct refresh tokens across the processes, want 1", len(distinct))
	}
	st, err := postgres.Open(context.Background(), url, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	status, list := a.get(t, "/auth/sessions", bearer(login)...)
	sessions, _ := list["sessions"].([]any)
	if status != http.StatusOK || len(sessions) != 1 {
		t.Fatalf("sessions: %d %v, want the one live session", status, list)
	}
	sid, _ := sessions[0].(map[string]any)["id"].(string)
	sess, _, err := st.SessionWithUser(context.Background(), sid)
	if err != nil || sess.Counter != 1 {
		t.Errorf("session after the race: counter %d, %v; want 1", sess.Counter, err)
	}
}

func second[A, B any](_ A, b B) B { return b }
