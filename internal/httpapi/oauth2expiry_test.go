package httpapi

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/authd/authd/internal/auth/authtest"
)

// TestOAuth2ClientAcrossExpiries: golang.org/x/oauth2 with a 1 s access
// TTL and a 300 ms expiry margin calls /auth/me 20 times across many
// expiries with no 401: it refreshes before each token dies, because
// expires_in never promises more than the token lives (issue 22: a token
// that lived 0.7 s was announced as 1 s, and the library used it after
// its end).
//
// Deterministic, with no sleep: the server runs on an injected clock that
// starts half a second past a whole second and moves 400 ms before each
// call, so tokens are issued at every phase of a second. x/oauth2 judges
// expiry by time.Now against the Expiry of the token it holds, so the same
// 400 ms are taken off that Expiry (see elapse): both sides see the same
// time pass, the library only a few real milliseconds more, which makes it
// refresh earlier, never later. The steps keep every decision at least
// 100 ms from its threshold.
func TestOAuth2ClientAcrossExpiries(t *testing.T) {
	t.Parallel()
	start := time.Now().Truncate(time.Second).Add(500 * time.Millisecond)
	clock := authtest.NewClock(start)
	e := newEnv(t, envOptions{now: clock.Now, accessTTL: time.Second, refreshTTL: time.Hour})
	e.mustRegister(t, "theo")

	reqs := &requestRecorder{}
	ctx := context.WithValue(t.Context(), oauth2.HTTPClient, &http.Client{Transport: reqs})
	conf := &oauth2.Config{Endpoint: oauth2.Endpoint{TokenURL: e.url + tokenPath, AuthStyle: oauth2.AuthStyleInParams}}
	first, err := conf.PasswordCredentialsToken(ctx, "theo", passwordOf("theo"))
	if err != nil {
		t.Fatalf("PasswordCredentialsToken: %v", err)
	}
	held := &heldToken{tok: first}
	src := oauth2.ReuseTokenSourceWithExpiry(first, held.refresher(ctx, conf), 300*time.Millisecond)
	client := oauth2.NewClient(ctx, src)

	unauthorized := 0
	for i := range 20 {
		clock.Add(400 * time.Millisecond)
		held.elapse(400 * time.Millisecond)
		res, err := client.Get(e.url + "/auth/me")
		if err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
		r := read(t, res)
		if r.status == http.StatusUnauthorized {
			unauthorized++
			t.Errorf("call %d at start+%v: 401 %s", i+1, clock.Now().Sub(start), r.raw)
		} else if r.status != http.StatusOK {
			t.Fatalf("call %d: %d %s", i+1, r.status, r.raw)
		}
	}
	refreshes := 0
	for _, line := range reqs.lines() {
		if line == "POST /auth/login refresh_token" {
			refreshes++
		}
	}
	// 8 s of 1 s tokens, each used until 300 ms before its end.
	if unauthorized != 0 || refreshes < 8 {
		t.Errorf("401s = %d, refreshes = %d; want 0 and at least 8", unauthorized, refreshes)
	}
}

// heldToken is the token x/oauth2 holds, which the test ages (see elapse).
type heldToken struct {
	mu  sync.Mutex
	tok *oauth2.Token
}

// refresher is the source ReuseTokenSourceWithExpiry renews from: one
// refresh grant with the held refresh token. The token it returns is the
// one the reuse source keeps, so the test can age it.
func (h *heldToken) refresher(ctx context.Context, conf *oauth2.Config) oauth2.TokenSource {
	return tokenSourceFunc(func() (*oauth2.Token, error) {
		h.mu.Lock()
		spent := &oauth2.Token{RefreshToken: h.tok.RefreshToken, Expiry: time.Unix(1, 0)}
		h.mu.Unlock()
		tok, err := conf.TokenSource(ctx, spent).Token()
		if err != nil {
			return nil, err
		}
		h.mu.Lock()
		h.tok = tok
		h.mu.Unlock()
		return tok, nil
	})
}

// elapse lets d pass for the library: the held token expires d sooner.
func (h *heldToken) elapse(d time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.tok.Expiry = h.tok.Expiry.Add(-d)
}

type tokenSourceFunc func() (*oauth2.Token, error)

func (f tokenSourceFunc) Token() (*oauth2.Token, error) { return f() }
