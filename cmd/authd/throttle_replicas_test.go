package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authd/authd/internal/store/storetest"
)

// loginAt sends a JSON login to url as the client ip (loopback is a
// trusted proxy) and returns the status, error_code and Retry-After.
func loginAt(t *testing.T, url, ip, username, pw string) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url+"/auth/login",
		strings.NewReader(fmt.Sprintf(`{"username": %q, "password": %q}`, username, pw)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", ip)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return 0, "", ""
	}
	defer res.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(res.Body).Decode(&m)
	code, _ := m["error_code"].(string)
	return res.StatusCode, code, res.Header.Get("Retry-After")
}

// TestThrottleSharedByReplicas: two authd processes on one PostgreSQL
// database count failures together. A pair's failures split across them
// throttle it on both; 20 failures from one IP sent at once, half to each,
// are all counted, so the IP limit of 20 refuses the next attempt.
func TestThrottleSharedByReplicas(t *testing.T) {
	t.Parallel()
	db := storetest.PostgresURL(t)
	bin := buildBinary(t)
	env := map[string]string{
		"AUTHD_ADDR":                     "127.0.0.1:0",
		"AUTHD_DATABASE_URL":             db,
		"AUTHD_JWT_SECRET":               secret,
		"AUTHD_BCRYPT_COST":              "4",
		"AUTHD_TRUSTED_PROXIES":          "127.0.0.1",
		"AUTHD_LOGIN_PAIR_FREE_FAILURES": "4",
		"AUTHD_LOGIN_IP_MAX_FAILURES":    "20",
	}
	replicas := []string{startProcess(t, bin, env).url, startProcess(t, bin, env).url}

	req, _ := http.NewRequest(http.MethodPost, replicas[0]+"/auth/register",
		strings.NewReader(`{"username": "ivy", "email": "ivy@example.com", "password": "tulip-orbit-42"}`))
	req.Header.Set("Content-Type", "application/json")
	if status, _ := do(t, req); status != http.StatusCreated {
		t.Fatalf("register: %d", status)
	}

	const pairIP = "198.51.100.40"
	for i := range 4 {
		if status, code, _ := loginAt(t, replicas[i%2], pairIP, "ivy", "wrong-password"); status != http.StatusUnauthorized {
			t.Fatalf("failure %d on replica %d: %d %s, want 401", i+1, i%2, status, code)
		}
	}
	// The clock is real and stored times are whole seconds: the first
	// wait (1 s) may already be over when the next request arrives, so
	// wait it out and fail once more, which makes the pair wait 2 s.
	time.Sleep(1100 * time.Millisecond)
	if status, code, _ := loginAt(t, replicas[0], pairIP, "ivy", "wrong-password"); status != http.StatusUnauthorized {
		t.Fatalf("failure 5 after the first wait: %d %s, want 401", status, code)
	}
	for i, url := range replicas {
		status, code, retry := loginAt(t, url, pairIP, "ivy", "tulip-orbit-42")
		if status != http.StatusTooManyRequests || code != "RATE_LIMITED" || (retry != "1" && retry != "2") {
			t.Errorf("replica %d after failures split across both: %d %s Retry-After %q, want 429 RATE_LIMITED 1 or 2",
				i, status, code, retry)
		}
	}

	const floodIP = "198.51.100.41"
	start := make(chan struct{})
	var wg sync.WaitGroup
	statuses := make([]int, 20)
	for i := range statuses {
		wg.Go(func() {
			<-start
			statuses[i], _, _ = loginAt(t, replicas[i%2], floodIP, fmt.Sprintf("nobody%d", i), "wrong-password")
		})
	}
	close(start)
	wg.Wait()
	for i, s := range statuses {
		if s != http.StatusUnauthorized {
			t.Errorf("parallel failure %d: %d, want 401", i, s)
		}
	}
	for i, url := range replicas {
		status, code, retry := loginAt(t, url, floodIP, "ivy", "tulip-orbit-42")
		// 15 minutes from the first of them, less the second that may
		// have turned since.
		if status != http.StatusTooManyRequests || code != "RATE_LIMITED" || (retry != "900" && retry != "899") {
			t.Errorf("replica %d after 20 parallel failures: %d %s Retry-After %q, want 429 RATE_LIMITED 900 (a failure was lost)",
				i, status, code, retry)
		}
	}
}
