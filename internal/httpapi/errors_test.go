package httpapi

import (
	"net/http"
	"testing"

	"github.com/authd/authd/internal/auth"
)

// TestTransportCode: a status that huma, the mux or the docs handlers
// produce keeps its status through its code, and a status with no
// transport code of its own falls back by class, never to a domain code.
func TestTransportCode(t *testing.T) {
	t.Parallel()
	for _, status := range []int{400, 404, 405, 408, 413, 415, 416} {
		if got := transportCode(status).Status(); got != status {
			t.Errorf("transportCode(%d) = %s with status %d", status, transportCode(status), got)
		}
	}
	tests := map[int]auth.Code{
		// huma: an Accept it cannot meet, a parameter that fails its schema.
		http.StatusNotAcceptable: auth.CodeValidation, http.StatusUnprocessableEntity: auth.CodeValidation,
		// http.ServeContent on a docs page with a failed If-Match.
		http.StatusPreconditionFailed: auth.CodeValidation,
		http.StatusTeapot:             auth.CodeValidation,
		// Domain statuses: only the domain names their codes.
		http.StatusUnauthorized: auth.CodeValidation, http.StatusForbidden: auth.CodeValidation,
		http.StatusConflict: auth.CodeValidation, http.StatusTooManyRequests: auth.CodeValidation,
		http.StatusInternalServerError: auth.CodeInternal, http.StatusBadGateway: auth.CodeInternal,
		http.StatusServiceUnavailable: auth.CodeInternal,
	}
	for status, want := range tests {
		if got := transportCode(status); got != want {
			t.Errorf("transportCode(%d) = %s, want %s", status, got, want)
		}
	}
}
