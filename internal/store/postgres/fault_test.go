package postgres

import (
	"context"
	"errors"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/store/storetest"
)

// listener starts a TCP listener on the loopback that does to each
// connection what serve does, until t ends.
func listener(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serve(c)
		}
	}()
	return ln.Addr().String()
}

// closedPort is a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// wantDatabaseError checks that translate makes err an infrastructure
// failure that keeps its cause for the log.
func wantDatabaseError(t *testing.T, cause error) {
	t.Helper()
	if cause == nil {
		t.Fatal("the fault produced no error")
	}
	err := translate("op", cause)
	var e *auth.Error
	if !errors.As(err, &e) || e.Code != auth.CodeDatabase || !errors.Is(err, cause) {
		t.Errorf("translate(%v) = %v, want DATABASE_ERROR wrapping the cause", cause, err)
	}
	if errors.Is(err, auth.ErrUserNotFound) || errors.Is(err, auth.ErrUserExists) {
		t.Errorf("translate(%v) = %v, an outage must never read as not found or taken", cause, err)
	}
}

// TestTranslateConnectFaults: the errors pgx really returns when the
// server cannot be reached, each class from a listener that misbehaves in
// its own way, are DATABASE_ERRORs.
func TestTranslateConnectFaults(t *testing.T) {
	t.Parallel()
	silent := func(c net.Conn) { // accepts, reads, never answers
		defer c.Close()
		buf := make([]byte, 1024)
		for {
			if _, err := c.Read(buf); err != nil {
				return
			}
		}
	}
	reset := func(c net.Conn) {
		c.(*net.TCPConn).SetLinger(0) // close with RST, not FIN
		c.Close()
	}
	cases := []struct {
		name    string
		addr    func(t *testing.T) string
		query   string // extra URL parameters
		timeout time.Duration
		wantIs  error
		wantMsg string
	}{
		{"connection refused", closedPort, "", 5 * time.Second, syscall.ECONNREFUSED, ""},
		{"connection reset", func(t *testing.T) string { return listener(t, reset) }, "", 5 * time.Second, nil, ""},
		{"no answer by the call deadline", func(t *testing.T) string { return listener(t, silent) }, "", 200 * time.Millisecond, context.DeadlineExceeded, ""},
		{"no answer by connect_timeout", func(t *testing.T) string { return listener(t, silent) }, "&connect_timeout=1", 10 * time.Second, nil, "timeout"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), tc.timeout)
			defer cancel()
			url := "postgres://authd@" + tc.addr(t) + "/authd?sslmode=disable" + tc.query
			conn, err := pgx.Connect(ctx, url)
			if err == nil {
				conn.Close(ctx)
				t.Fatal("connected to a faulty server")
			}
			if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Errorf("pgx error %v, want it to wrap %v", err, tc.wantIs)
			}
			if !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("pgx error %v, want it to mention %q", err, tc.wantMsg)
			}
			wantDatabaseError(t, err)
		})
	}
}

// TestTranslateSessionFaults: failures of a session the real server had
// accepted — a statement that runs out of time on the server, a backend
// terminated under it, a connection lost under it — are DATABASE_ERRORs.
func TestTranslateSessionFaults(t *testing.T) {
	t.Parallel()
	url := storetest.PostgresURL(t)
	ctx := t.Context()
	connect := func(t *testing.T) *pgx.Conn {
		c, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close(context.Background()) })
		return c
	}
	cases := []struct {
		name  string
		fault func(t *testing.T) error
	}{
		{"statement timeout", func(t *testing.T) error {
			c := connect(t)
			if _, err := c.Exec(ctx, "SET statement_timeout = '50ms'"); err != nil {
				t.Fatal(err)
			}
			_, err := c.Exec(ctx, "SELECT pg_sleep(5)")
			return err
		}},
		{"backend terminated", func(t *testing.T) error {
			c := connect(t)
			var pid int
			if err := c.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
				t.Fatal(err)
			}
			if _, err := connect(t).Exec(ctx, "SELECT pg_terminate_backend($1)", pid); err != nil {
				t.Fatal(err)
			}
			_, err := c.Exec(ctx, "SELECT 1")
			return err
		}},
		{"connection lost", func(t *testing.T) error {
			c := connect(t)
			c.PgConn().Conn().Close()
			_, err := c.Exec(ctx, "SELECT 1")
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantDatabaseError(t, tc.fault(t))
		})
	}
}

// TestOpenBoundsConnect: with no connect_timeout in the URL, a server that
// accepts but never answers fails Open after defaultConnectTimeout rather
// than hanging it (and, later, holding pool slots).
func TestOpenBoundsConnect(t *testing.T) {
	t.Parallel()
	addr := listener(t, func(c net.Conn) {
		defer c.Close()
		_, _ = c.Read(make([]byte, 1024))
		<-t.Context().Done()
	})
	ctx, cancel := context.WithTimeout(t.Context(), 6*defaultConnectTimeout)
	defer cancel()
	start := time.Now()
	s, err := Open(ctx, "postgres://authd@"+addr+"/authd?sslmode=disable", 2)
	if err == nil {
		s.Close()
		t.Fatal("Open succeeded against a server that never answers")
	}
	took := time.Since(start)
	if took > 3*defaultConnectTimeout || ctx.Err() != nil {
		t.Errorf("Open gave up after %s (%v), want about %s", took, err, defaultConnectTimeout)
	}
	t.Logf("Open gave up after %s: %v", took.Round(time.Millisecond), err)
}
