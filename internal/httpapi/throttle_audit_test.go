package httpapi

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/authd/authd/internal/auth"
)

// TestAccountLimitEvent: the failed login that brings an account to
// AUTHD_LOGIN_ACCOUNT_MAX_FAILURES writes throttle.account_limit in the
// transaction that counts it, once per window, with the client's IP; an
// identifier no user has gets one too, with no user.
func TestAccountLimitEvent(t *testing.T) {
	t.Parallel()
	bothStores(t, func(t *testing.T, store string) {
		e, _ := throttleEnv(t, store, auth.Throttle{AccountMaxFailures: 3}, 4)
		id := mustUser(t, e, "lima")
		for i := range 3 {
			ip := fmt.Sprintf("198.51.100.%d", 10+i)
			wantError(t, e.loginFrom(t, ip, "lima", "wrong-password"), http.StatusUnauthorized, auth.CodeInvalidCredentials)
			wantError(t, e.loginFrom(t, ip, "nobody-here", "wrong-password"), http.StatusUnauthorized, auth.CodeInvalidCredentials)
		}
		// Past the limit an unknown IP is refused, uncounted: no second event.
		wantRateLimited(t, e.loginFrom(t, "198.51.100.99", "lima", "wrong-password"), 24*60*60)
		events, err := e.store.Events(t.Context(), auth.EventQuery{Action: auth.ActionAccountLimit, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var known, unknown int
		for _, ev := range events {
			switch ev.UserID {
			case id:
				known++
				if ev.IP != "198.51.100.12" || ev.Details["failures"] != "3" || ev.ActorID != "" {
					t.Errorf("the account's event: %+v; want the third failure's IP, failures 3, no actor", ev)
				}
			case 0:
				unknown++
			default:
				t.Errorf("event of another user: %+v", ev)
			}
		}
		if known != 1 || unknown != 1 {
			t.Errorf("throttle.account_limit events: %d for the account, %d for the unknown name; want 1 and 1", known, unknown)
		}
	})
}
