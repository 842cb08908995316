package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// browserStorage is everything a page of authd's origin can keep in the
// browser: web storage as [key, value] pairs, cookies, and the names of
// its IndexedDB databases and Cache Storage caches.
type browserStorage struct {
	Local     [][2]string `json:"local"`
	Session   [][2]string `json:"session"`
	Cookie    string      `json:"cookie"`
	IndexedDB []string    `json:"indexedDB"`
	Caches    []string    `json:"caches"`
	raw       string
}

// readStorage reads browserStorage in the tab's current page.
func readStorage(t *testing.T, tab context.Context) browserStorage {
	t.Helper()
	raw, err := chromedp.Run(tab, chromedp.Evaluate[string](`(async () => {
		const pairs = s => Object.keys(s).map(k => [k, s.getItem(k)]);
		const dbs = indexedDB.databases ? (await indexedDB.databases()).map(d => d.name) : [];
		const cs = typeof caches === "undefined" ? [] : await caches.keys();
		return JSON.stringify({local: pairs(localStorage), session: pairs(sessionStorage),
			cookie: document.cookie, indexedDB: dbs, caches: cs});
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("read the browser's storage: %v", err)
	}
	var s browserStorage
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		t.Fatalf("read the browser's storage: %v: %s", err, raw)
	}
	s.raw = raw
	return s
}

// loginAnswer returns the tokens of the last POST /auth/login answer the
// tab received: what the Authorize dialog's password flow got.
func loginAnswer(t *testing.T, tab context.Context, rec *pageRecord, url string) (access, refresh string) {
	t.Helper()
	id, ok := rec.lastRequest(http.MethodPost, url)
	if !ok {
		t.Fatalf("the page sent no POST %s", url)
	}
	body, err := chromedp.Run(tab, chromedp.Action[string](func(ctx context.Context, tg *chromedp.Target) (string, error) {
		res, err := cdp.Call(ctx, tg, network.GetResponseBody, network.GetResponseBodyParams{RequestID: id})
		return string(res.Body), err
	}))
	if err != nil {
		t.Fatalf("the answer to POST %s: %v", url, err)
	}
	access, refresh = jsonField(body, "access_token"), jsonField(body, "refresh_token")
	if access == "" || refresh == "" {
		t.Fatalf("POST %s answered without both tokens: %s", url, body)
	}
	return access, refresh
}

// checkStorage asserts what the docs pages may keep (ASVS 5.0 V14.3.3):
// at most the access token, in sessionStorage; nothing in localStorage,
// cookies, IndexedDB or Cache Storage; and none of secrets (the password,
// the refresh token) anywhere, whole or inside a value.
func checkStorage(t *testing.T, tab context.Context, when, access string, secrets ...string) {
	t.Helper()
	s := readStorage(t, tab)
	for _, secret := range secrets {
		if strings.Contains(s.raw, secret) {
			t.Errorf("%s: the browser's storage holds %q: %s", when, secret, s.raw)
		}
	}
	if len(s.Local) != 0 || s.Cookie != "" || len(s.IndexedDB) != 0 || len(s.Caches) != 0 {
		t.Errorf("%s: the docs pages kept data outside sessionStorage: %s", when, s.raw)
	}
	if len(s.Session) != 1 || s.Session[0][1] != access {
		t.Errorf("%s: sessionStorage = %v, want the access token alone", when, s.Session)
	}
}
