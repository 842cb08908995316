package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/authd/authd/internal/auth/authtest"
	"github.com/authd/authd/internal/mail/mailpit"
)

// TestBrowserMailPages opens the links of real mails (through Mailpit) in
// headless Chromium: opening a page spends nothing (no request leaves it
// before the button), mismatched passwords are an error on the page, and
// the button resets the password or verifies the address, with a message.
// The page's CSP must allow all it does: any violation fails the test.
func TestBrowserMailPages(t *testing.T) {
	t.Parallel()
	exe := needChromium(t)
	mp := mailpit.Start(t)
	authd := start(t, mailEnv(t, mp))
	const name = "pagealice"
	email := name + "@example.com"
	if status, body := authd.post(t, "/auth/register", register(name)); status != http.StatusCreated {
		t.Fatalf("register: %d %v", status, body)
	}
	if status, body := authd.post(t, "/auth/password/forgot", `{"email":"`+email+`"}`); status != http.StatusAccepted {
		t.Fatalf("forgot: %d %v", status, body)
	}
	tokens := waitTokens(t, mp, email, "Reset your password", "Confirm your email address")
	shots := artifactDir(t)

	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	rec := newPageRecord()
	guard := newEgressGuard(t)
	tab := newBrowser(t, ctx, exe, guard.srv.URL, rec)
	text := func(sel string) string {
		s, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("read %s: %v", sel, err)
		}
		return s
	}
	do := func(what string, a chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(tab, a); err != nil {
			screenshot(t, tab, shots, "mail-pages-failed.png")
			t.Fatalf("%s: %v", what, err)
		}
	}

	resetURL := authd.url + "/account/reset-password"
	do("open the reset link", chromedp.Steps(
		chromedp.Navigate(resetURL+"#token="+tokens[0]),
		chromedp.WaitVisible(chromedp.CSS("#password")),
	))
	time.Sleep(300 * time.Millisecond) // what a scanner's visit lasts; the page must send nothing
	if _, sent := rec.lastRequest(http.MethodPost, authd.url+"/auth/password/reset"); sent {
		t.Fatal("opening the reset page sent the token")
	}
	newPw := authtest.Password(name + "-page")
	do("mismatched passwords", chromedp.Steps(
		chromedp.SendKeys(chromedp.CSS("#password"), newPw),
		chromedp.SendKeys(chromedp.CSS("#password2"), newPw+"x"),
		chromedp.Click(chromedp.CSS("#submit"), chromedp.NodeVisible),
	))
	if got := text("#message"); !strings.Contains(got, "do not match") {
		t.Errorf("mismatched passwords: message %q", got)
	}
	if _, sent := rec.lastRequest(http.MethodPost, authd.url+"/auth/password/reset"); sent {
		t.Fatal("mismatched passwords were sent")
	}
	// Make the first field match the second: both are newPw+"x" now.
	newPw += "x"
	do("matching passwords", chromedp.Steps(
		chromedp.SendKeys(chromedp.CSS("#password"), "x"),
		chromedp.Click(chromedp.CSS("#submit"), chromedp.NodeVisible),
		chromedp.WaitVisible(chromedp.CSS("#message.ok")),
	))
	if got := text("#message"); !strings.Contains(got, "password has been changed") {
		t.Errorf("after the reset: message %q", got)
	}
	screenshot(t, tab, shots, "reset-password.png")
	if status, body := authd.post(t, "/auth/login", `{"username":"`+name+`","password":"`+newPw+`"}`); status != http.StatusOK {
		t.Errorf("login with the password set on the page: %d %v", status, body)
	}

	do("open the verification link", chromedp.Steps(
		chromedp.Navigate(authd.url+"/account/verify-email#token="+tokens[1]),
		chromedp.WaitVisible(chromedp.CSS("#submit")),
	))
	if loc, _ := chromedp.Run(tab, chromedp.Location()); strings.Contains(loc, "token") {
		t.Errorf("the token stays in the address bar: %s", loc)
	}
	do("confirm", chromedp.Steps(
		chromedp.Click(chromedp.CSS("#submit"), chromedp.NodeVisible),
		chromedp.WaitVisible(chromedp.CSS("#message.ok")),
	))
	screenshot(t, tab, shots, "verify-email.png")
	status, body := authd.post(t, "/auth/login", `{"username":"`+name+`","password":"`+newPw+`"}`)
	if user, _ := body["user"].(map[string]any); status != http.StatusOK || user["email_verified"] != true {
		t.Errorf("after the verification page: %d %v", status, body)
	}
	rec.check(t, authd.url)
	guard.log(t)
}

// waitTokens waits for a mail of each subject to addr and returns their
// link tokens in that order.
func waitTokens(t *testing.T, mp *mailpit.Server, addr string, subjects ...string) []string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		found := map[string]string{}
		for _, m := range mp.To(t, addr) {
			if tok, _ := m.Link(); tok != "" {
				found[m.Subject] = tok
			}
		}
		if len(found) >= len(subjects) {
			var out []string
			for _, s := range subjects {
				out = append(out, found[s])
			}
			return out
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("mails %v to %s did not arrive", subjects, addr)
	return nil
}
