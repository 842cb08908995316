package httpapi

import (
	"context"
	"net/http"
	"testing"

	"github.com/authd/authd/internal/auth"
)

func TestHealth(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	r := e.do(t, http.MethodGet, "/health", "", "")
	if r.status != http.StatusOK || r.json["status"] != "ok" || r.json["version"] != "test" || str(r.json, "checks", "database") != "ok" {
		t.Errorf("health: %d %s", r.status, r.raw)
	}
	ready := e.do(t, http.MethodGet, "/health/ready", "", "")
	if ready.status != http.StatusOK || ready.json["status"] != "ready" {
		t.Errorf("ready: %d %s", ready.status, ready.raw)
	}

	// A closed store is a database that no longer answers.
	e.store.Close()
	r = e.do(t, http.MethodGet, "/health", "", "")
	if r.status != http.StatusOK || r.json["status"] != "degraded" || str(r.json, "checks", "database") != "error" {
		t.Errorf("health with the store closed: %d %s", r.status, r.raw)
	}
	ready = e.do(t, http.MethodGet, "/health/ready", "", "")
	wantError(t, ready, http.StatusServiceUnavailable, auth.CodeNotReady)
	if ready.header.Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
}

func TestHealthCheckValues(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{checks: []HealthCheck{
		{Name: "database", Check: func(context.Context) (string, bool) { return "ok", true }},
		{Name: "circuit_breaker", Check: func(context.Context) (string, bool) { return "open", false }},
	}})
	r := e.do(t, http.MethodGet, "/health", "", "")
	if r.json["status"] != "degraded" || str(r.json, "checks", "circuit_breaker") != "open" {
		t.Errorf("health: %s", r.raw)
	}
	wantError(t, e.do(t, http.MethodGet, "/health/ready", "", ""), http.StatusServiceUnavailable, auth.CodeNotReady)
}
