package httpapi

import (
	"context"
	"strings"
	"time"

	"github.com/authd/authd/internal/auth"
)

// checkTimeout bounds each component check, so a hung database makes the
// probe answer "error" instead of hanging the probe.
const checkTimeout = 2 * time.Second

// HealthBody is the answer of GET /health.
type HealthBody struct {
	Status  string            `json:"status" enum:"ok,degraded" example:"ok"`
	Version string            `json:"version" example:"v0.1.0"`
	Checks  map[string]string `json:"checks" doc:"Each component's state, e.g. database: ok|error, circuit_breaker: closed|open|half_open."`
}

// ReadyBody is the answer of GET /health/ready when authd can serve.
type ReadyBody struct {
	Status string `json:"status" enum:"ready" example:"ready"`
}

type healthOutput struct{ Body HealthBody }
type readyOutput struct{ Body ReadyBody }

// runChecks runs every check and names the unhealthy ones.
func runChecks(ctx context.Context, checks []HealthCheck) (map[string]string, []string) {
	results := make(map[string]string, len(checks))
	var failing []string
	for _, c := range checks {
		cctx, cancel := context.WithTimeout(ctx, checkTimeout)
		status, ok := c.Check(cctx)
		cancel()
		results[c.Name] = status
		if !ok {
			failing = append(failing, c.Name)
		}
	}
	return results, failing
}

func handleHealth(version string, checks []HealthCheck) func(context.Context, *struct{}) (*healthOutput, error) {
	return func(ctx context.Context, _ *struct{}) (*healthOutput, error) {
		results, failing := runChecks(ctx, checks)
		status := "ok"
		if len(failing) > 0 {
			status = "degraded"
		}
		return &healthOutput{Body: HealthBody{Status: status, Version: version, Checks: results}}, nil
	}
}

func handleReady(checks []HealthCheck) func(context.Context, *struct{}) (*readyOutput, error) {
	return func(ctx context.Context, _ *struct{}) (*readyOutput, error) {
		if _, failing := runChecks(ctx, checks); len(failing) > 0 {
			return nil, &auth.Error{Code: auth.CodeNotReady, Detail: "Not ready: " + strings.Join(failing, ", ")}
		}
		return &readyOutput{Body: ReadyBody{Status: "ready"}}, nil
	}
}
