package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth/authtest"
	"github.com/authd/authd/internal/mail/mailpit"
	"github.com/authd/authd/internal/metrics"
	"github.com/authd/authd/internal/metrics/metricstest"
)

// TestMailSurvivesSMTPDown: with Mailpit stopped, forgot still answers
// 202 at once; the failed delivery is retried on the schedule (5 s, then
// doubling) driven by the injected clock, and the mail arrives once SMTP
// is back. A mail that cannot be delivered for 24 h is dropped with an
// ERROR line.
func TestMailSurvivesSMTPDown(t *testing.T) {
	t.Parallel()
	bothStores(t, func(t *testing.T, store string) {
		// A Mailpit of its own: this test stops and starts it.
		mp := mailpit.Start(t)
		clock := authtest.NewClock(authtest.Start())
		m := metrics.New("test")
		e := mailEnv(t, store, mp, clock, func(o *envOptions) { o.observer = m })
		name := "down" + store
		email := name + "@example.com"
		e.mustRegister(t, name)
		e.deliver(t)
		if len(mp.To(t, email)) != 1 {
			t.Fatal("the verification mail did not arrive")
		}

		mp.Stop(t)
		start := time.Now()
		r := e.postJSON(t, "/auth/password/forgot", map[string]string{"email": email})
		if r.status != http.StatusAccepted {
			t.Fatalf("forgot with SMTP down: %d %s", r.status, r.raw)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("forgot took %v with SMTP down", d)
		}
		if n := e.deliver(t); n != 0 {
			t.Fatalf("delivered %d with SMTP down", n)
		}
		if !hasLogLine(t, e, "warn", "mail delivery failed; will retry") {
			t.Error("no WARN line for the failed delivery")
		}
		// Not due again before the 5 s back-off.
		clock.Add(4 * time.Second)
		mp.Start(t)
		if n := e.deliver(t); n != 0 {
			t.Errorf("retried after 4 s: %d sent", n)
		}
		clock.Add(time.Second)
		if n := e.deliver(t); n != 1 {
			t.Fatalf("after the back-off: %d sent, want 1", n)
		}
		if got := mp.To(t, email); len(got) != 1 || got[0].Subject != subjectReset {
			t.Fatalf("after SMTP came back: %v", got)
		}
		wantMetric(t, m, `authd_mail_sent_total{kind="reset_password",result="failed"}`, 1)
		wantMetric(t, m, `authd_mail_sent_total{kind="reset_password",result="sent"}`, 1)
		wantMetric(t, m, `authd_mail_queue_depth`, 0)
	})
}

// TestMailDroppedAfterADay: retries stop 24 h after the mail was queued:
// it leaves the queue with an ERROR line and result="dropped".
func TestMailDroppedAfterADay(t *testing.T) {
	t.Parallel()
	clock := authtest.NewClock(authtest.Start())
	m := metrics.New("test")
	// Port 1 on loopback: nothing listens, every delivery fails at once.
	e := newEnv(t, envOptions{mail: mailSettings(), now: clock.Now, observer: m})
	e.mustRegister(t, "dropme")
	// Every delivery fails; the clock moves by the longest gap (10 min)
	// between rounds, so each round finds the mail due.
	rounds := 0
	for ; rounds < 200; rounds++ {
		e.deliver(t)
		if n, err := e.store.MailQueueDepth(t.Context()); err != nil || n == 0 {
			break
		}
		clock.Add(10 * time.Minute)
	}
	if rounds < 24*6 {
		t.Errorf("dropped after %d rounds of 10 min, before 24 h", rounds)
	}
	if n, _ := e.store.MailQueueDepth(t.Context()); n != 0 {
		t.Fatal("the mail is still queued after 24 h of failures")
	}
	if !hasLogLine(t, e, "error", "mail dropped: undelivered for 24 h") {
		t.Error("no ERROR line for the dropped mail")
	}
	wantMetric(t, m, `authd_mail_sent_total{kind="verify_email",result="dropped"}`, 1)
}

// TestTwoSendersDeliverOnce: two replicas on one PostgreSQL database,
// each running its sender at the same time, deliver each mail once.
func TestTwoSendersDeliverOnce(t *testing.T) {
	t.Parallel()
	mp := mailpit.Start(t)
	clock := authtest.NewClock(authtest.Start())
	a := mailEnv(t, "postgres", mp, clock, nil)
	b := newEnvOn(t, a.store, envOptions{mail: mailSettings(), smtpURL: mp.SMTPURL(), now: clock.Now})
	const users = 30
	for i := range users {
		a.mustRegister(t, "twin"+string(rune('a'+i%26))+string(rune('a'+i/26)))
	}
	var wg sync.WaitGroup
	for _, e := range []*env{a, b} {
		wg.Go(func() {
			if _, err := e.sender.DeliverDue(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	msgs := mp.Messages(t)
	var to []string
	for _, m := range msgs {
		to = append(to, m.To)
	}
	slices.Sort(to)
	if len(to) != users || len(slices.Compact(slices.Clone(to))) != users {
		t.Errorf("%d messages for %d users (%d distinct recipients)", len(to), users, len(slices.Compact(to)))
	}
	if n, _ := a.store.MailQueueDepth(t.Context()); n != 0 {
		t.Errorf("queue depth %d after both senders ran", n)
	}
}

// wantMetric fails unless m serves series with value.
func wantMetric(t *testing.T, m *metrics.Metrics, series string, value float64) {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	s := metricstest.Parse(t, rec.Body.String())
	if got, ok := s.Values[series]; !ok || got != value {
		t.Errorf("%s = %v (served: %v), want %v", series, got, ok, value)
	}
}

// hasLogLine reports whether e logged message at level.
func hasLogLine(t *testing.T, e *env, level, message string) bool {
	t.Helper()
	for _, l := range e.logs.Lines(t) {
		if l["message"] == message && strings.EqualFold(fmt.Sprint(l["level"]), level) {
			return true
		}
	}
	return false
}

// TestMailAccountLimit: past AUTHD_MAIL_ACCOUNT_MAX in an hour, forgot
// still answers 202 but no mail goes (result="suppressed"); the next hour
// mails again. Past AUTHD_MAIL_IP_MAX the client IP gets 429.
func TestMailAccountLimit(t *testing.T) {
	t.Parallel()
	mp := mailpit.Start(t)
	clock := authtest.NewClock(authtest.Start())
	m := metrics.New("test")
	e := mailEnv(t, "sqlite", mp, clock, func(o *envOptions) {
		o.observer = m
		o.mail.AccountMax, o.mail.IPMax = 2, 4
	})
	e.mustRegister(t, "limited")
	forgot := func() response {
		return e.postJSON(t, "/auth/password/forgot", map[string]string{"username": "limited"})
	}
	for i := range 3 {
		if r := forgot(); r.status != http.StatusAccepted {
			t.Fatalf("forgot %d: %d %s", i+1, r.status, r.raw)
		}
		e.deliver(t)
	}
	resets := 0
	for _, msg := range mp.To(t, "limited@example.com") {
		if msg.Subject == subjectReset {
			resets++
		}
	}
	if resets != 2 {
		t.Errorf("%d reset mails for 3 requests with a limit of 2", resets)
	}
	wantMetric(t, m, `authd_mail_sent_total{kind="reset_password",result="suppressed"}`, 1)
	if r := forgot(); r.status != http.StatusAccepted {
		t.Fatalf("forgot 4: %d %s", r.status, r.raw)
	}
	e.deliver(t)
	wantMetric(t, m, `authd_mail_sent_total{kind="reset_password",result="suppressed"}`, 2)
	if r := forgot(); r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
		t.Errorf("forgot 5 from one IP with AUTHD_MAIL_IP_MAX=4: %d %s", r.status, r.raw)
	}
	clock.Add(time.Hour)
	if r := forgot(); r.status != http.StatusAccepted {
		t.Fatalf("forgot the next hour: %d %s", r.status, r.raw)
	}
	e.deliver(t)
	if n := len(mp.To(t, "limited@example.com")); n != 1+2+1 {
		t.Errorf("%d mails in all, want the verification, 2 resets, and 1 the next hour", n)
	}
}
