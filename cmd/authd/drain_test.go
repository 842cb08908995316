package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestShutdownClosesStuckClient: a client that never finishes its body
// holds its request past AUTHD_SHUTDOWN_TIMEOUT. authd then closes the
// connection, waits for the handler to return, closes the store and run
// returns nil (exit 0), as docs/operations.md promises. The body read timeout is
// set far beyond the test, so it is the shutdown that ends the request.
func TestShutdownClosesStuckClient(t *testing.T) {
	t.Parallel()
	env := sqliteEnv(t)
	env["AUTHD_SHUTDOWN_TIMEOUT"] = "300ms"
	env["AUTHD_BODY_READ_TIMEOUT"] = "10m"
	in := start(t, env)

	conn := stuckRequest(t, in)
	defer conn.Close()
	begin := time.Now()
	if err := in.stop(); err != nil {
		t.Fatalf("run = %v, want nil (exit 0)", err)
	}
	// Far below the server's 30 s ReadTimeout and the 10 m body timeout.
	if took := time.Since(begin); took > 10*time.Second {
		t.Errorf("shutdown took %s", took)
	}
	wantDrained(t, in.stdout.String(), "/auth/register")
}

// TestShutdownClosesHandlerStuckInStore: a handler stuck in a store call
// (the database hangs; its timeout is far away) ends with its connection:
// closing it cancels the request's context. run returns nil.
func TestShutdownClosesHandlerStuckInStore(t *testing.T) {
	t.Parallel()
	env := faultEnv(t)
	env["AUTHD_SHUTDOWN_TIMEOUT"] = "300ms"
	env["AUTHD_DATABASE_TIMEOUT"] = "1m"
	p, _ := throughProxy(t, env)
	in := start(t, env)
	if a := in.send(t, "/auth/register", register("erin")); a.status != http.StatusCreated {
		t.Fatalf("register: %+v", a)
	}

	p.stall()
	go func() {
		res, err := faultClient.Post(in.url+"/auth/login", "application/json", strings.NewReader(login("erin")))
		if err == nil {
			res.Body.Close()
		}
	}()
	// The login's query is held by the stalled proxy: the handler is in
	// the store.
	within(t, 10*time.Second, "the login reaches the database", func() bool { return p.heldWrites() > 0 })
	stopped := make(chan error, 1)
	go func() { stopped <- in.stop() }()
	// Once the handler has returned, the store is closed, and closing a
	// PostgreSQL pool says goodbye to the database: let it through then.
	// The shutdown timeout is 300ms; 10 s is for a busy machine.
	within(t, 10*time.Second, "stopped after SIGTERM", func() bool {
		return strings.Contains(in.stdout.String(), `"message":"stopped"`)
	})
	p.restore()
	if err := <-stopped; err != nil {
		t.Fatalf("run = %v, want nil (exit 0)", err)
	}
	wantDrained(t, in.stdout.String(), "/auth/login")
}

// within polls cond until it holds, and fails the test after d.
func within(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stuckRequest starts a registration whose body never finishes and returns
// once its handler is reading the body: with Expect: 100-continue, net/http
// answers 100 Continue on the handler's first read.
func stuckRequest(t *testing.T, in *instance) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(in.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	head := "POST /auth/register HTTP/1.1\r\nHost: authd\r\nContent-Type: application/json\r\n" +
		"Content-Length: 100\r\nExpect: 100-continue\r\n\r\n"
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	status, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || !strings.Contains(status, "100 Continue") {
		t.Fatalf("want 100 Continue, got %q, %v", status, err)
	}
	if _, err := io.WriteString(conn, `{"username":"stuck"`); err != nil {
		t.Fatal(err)
	}
	return conn
}

// wantDrained checks the log of a shutdown that timed out: the WARN line,
// and the stuck request's access line before "stopped", which run writes
// before it closes the store.
func wantDrained(t *testing.T, log, path string) {
	t.Helper()
	var order []string
	for _, line := range strings.Split(log, "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) != nil {
			continue
		}
		switch {
		case m["message"] == "request" && m["path"] == path:
			order = append(order, "request")
		case m["message"] == "stopped", m["message"] == "shutdown timeout: closing the connections still open" && m["level"] == "WARN":
			order = append(order, m["message"].(string))
		}
	}
	want := []string{"shutdown timeout: closing the connections still open", "request", "stopped"}
	if strings.Join(order, " | ") != strings.Join(want, " | ") {
		t.Errorf("log order %q, want %q:\n%s", order, want, log)
	}
}
