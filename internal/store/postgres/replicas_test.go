package postgres_test

import (
	"testing"

	"github.com/authd/authd/internal/store/storetest"
)

// TestStepOnceAcrossReplicas: one TOTP code sent to two authd replicas
// (two stores, two pools, one database) at once is accepted once: the
// compare-and-swap on the last step is decided by the database.
func TestStepOnceAcrossReplicas(t *testing.T) {
	t.Parallel()
	url := storetest.PostgresURL(t)
	storetest.StepOnceAcrossStores(t, open(t, url), open(t, url))
}
