package httpapi

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/password"
)

// TestLoginFloodGetsOverloaded fills a one-worker, one-place bcrypt queue:
// the logins past it get 503 OVERLOADED at once, while /auth/me, which
// never touches bcrypt, still answers 200.
func TestLoginFloodGetsOverloaded(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{cost: 10, pool: password.Pool{Workers: 1, Queue: 1, MaxWait: 5 * time.Second}})
	reg := e.mustRegister(t, "flood")
	const n = 8
	results := make([]response, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = e.postJSON(t, "/auth/login", map[string]string{"username": "flood", "password": passwordOf("flood")})
		}()
	}
	me := e.do(t, http.MethodGet, "/auth/me", "", "", "Authorization", "Bearer "+str(reg.json, "access_token"))
	wg.Wait()
	if me.status != http.StatusOK {
		t.Errorf("me during the flood: %d", me.status)
	}
	count := map[int]int{}
	for _, r := range results {
		count[r.status]++
		if r.status == http.StatusServiceUnavailable {
			wantError(t, r, http.StatusServiceUnavailable, auth.CodeOverloaded)
			if r.header.Get("Retry-After") != "1" {
				t.Errorf("Retry-After = %q, want 1", r.header.Get("Retry-After"))
			}
		}
	}
	if count[200] < 1 || count[503] < 1 || count[200]+count[503] != n {
		t.Errorf("statuses = %v, want some 200 and some 503 only", count)
	}
}
