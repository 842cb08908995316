package httpapi

import (
	"bufio"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
)

// rawConn opens a TCP connection to e's server, for requests that
// net/http's client would refuse to send.
func (e *env) rawConn(t *testing.T) *net.TCPConn {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(e.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	// Nothing in these tests should take long; a hang fails instead of stalling.
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	return c.(*net.TCPConn)
}

// readRaw reads one response from c and decodes its body when it is JSON.
func readRaw(t *testing.T, c net.Conn) response {
	t.Helper()
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := response{status: res.StatusCode, header: res.Header, raw: string(raw), closed: res.Close}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &r.json); err != nil {
			t.Fatalf("body is not JSON: %q", raw)
		}
	}
	return r
}

// accessLine waits for the access line of path and returns it with every
// line at ERROR; the line is written after the answer, so it may lag.
func (e *env) accessLine(t *testing.T, path string) (access map[string]any, errs []map[string]any) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		access, errs = nil, nil
		for _, l := range e.logs.Lines(t) {
			if l["message"] == "request" && l["path"] == path {
				access = l
			}
			if l["level"] == "ERROR" {
				errs = append(errs, l)
			}
		}
		if access != nil {
			return access, errs
		}
	}
	t.Fatalf("no access line for %s in %s", path, e.logs.String())
	return nil, nil
}

// TestUnreadableBodyIsClientError sends bodies that break HTTP's framing:
// each is the client's fault, so 400 VALIDATION_ERROR and no ERROR line.
func TestUnreadableBodyIsClientError(t *testing.T) {
	t.Parallel()
	const head = "POST /auth/login HTTP/1.1\r\nHost: authd\r\nContent-Type: application/json\r\n"
	tests := []struct {
		name, request string
		// halfClose ends the client's sending side after the request, as a
		// client does that has nothing more to send.
		halfClose bool
	}{
		{"invalid chunk size", head + "Transfer-Encoding: chunked\r\n\r\nZZZ\r\n{}\r\n0\r\n\r\n", false},
		{"chunk cut short", head + "Transfer-Encoding: chunked\r\n\r\n40\r\n{\"username\":", true},
		{"shorter than Content-Length", head + "Content-Length: 100\r\n\r\n{\"username\":\"alice\"", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, envOptions{level: slog.LevelInfo})
			c := e.rawConn(t)
			if _, err := io.WriteString(c, tt.request); err != nil {
				t.Fatal(err)
			}
			if tt.halfClose {
				_ = c.CloseWrite()
			}
			r := readRaw(t, c)
			wantError(t, r, http.StatusBadRequest, auth.CodeValidation)
			if got := fieldErrors(r); len(got) != 1 || got[0] != "body" {
				t.Errorf("errors = %v, want one on body", got)
			}
			access, errs := e.accessLine(t, "/auth/login")
			if access["status"] != float64(http.StatusBadRequest) || access["level"] != "INFO" {
				t.Errorf("access line = %v, want status 400 at INFO", access)
			}
			if len(errs) > 0 {
				t.Errorf("ERROR lines for a client's mistake: %v", errs)
			}
		})
	}
}

// TestClientGoneMidBody closes the connection before the body is complete:
// nothing can be answered, and nothing is an ERROR.
func TestClientGoneMidBody(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{level: slog.LevelInfo})
	c := e.rawConn(t)
	_, _ = io.WriteString(c, "POST /auth/register HTTP/1.1\r\nHost: authd\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"username\":")
	c.Close()
	access, errs := e.accessLine(t, "/auth/register")
	if access["level"] != "INFO" || access["status"] != float64(http.StatusBadRequest) {
		t.Errorf("access line = %v, want status 400 at INFO", access)
	}
	if len(errs) > 0 {
		t.Errorf("ERROR lines for a client that left: %v", errs)
	}
}

// TestSlowBodyTimesOut dribbles a body one byte at a time: the read must be
// cut at the configured timeout with 408, for raw-body operations too.
func TestSlowBodyTimesOut(t *testing.T) {
	t.Parallel()
	const timeout = 150 * time.Millisecond
	for _, path := range []string{"/auth/register", "/auth/login", "/auth/refresh"} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, envOptions{opts: Options{BodyReadTimeout: timeout}})
			c := e.rawConn(t)
			_, _ = io.WriteString(c, "POST "+path+" HTTP/1.1\r\nHost: authd\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
			stop := make(chan struct{})
			defer close(stop)
			go func() { // one byte every 20 ms: never done within the timeout
				tick := time.NewTicker(20 * time.Millisecond)
				defer tick.Stop()
				for {
					select {
					case <-stop:
						return
					case <-tick.C:
						if _, err := io.WriteString(c, " "); err != nil {
							return
						}
					}
				}
			}()
			start := time.Now()
			r := readRaw(t, c)
			took := time.Since(start)
			wantError(t, r, http.StatusRequestTimeout, auth.CodeRequestTimeout)
			// Generous against a busy machine, far below any server timeout.
			if took > 2*time.Second {
				t.Errorf("408 after %s, want about %s", took, timeout)
			}
			if !r.closed {
				t.Error("connection kept open; want Connection: close, the rest of the body is never read")
			}
		})
	}
}

// TestBodyWithinTimeoutAccepted sends a body in pieces that arrive well
// within the timeout, and then uses the same connection again: the deadline
// must be lifted once the body is in.
func TestBodyWithinTimeoutAccepted(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{opts: Options{BodyReadTimeout: 2 * time.Second}})
	c := e.rawConn(t)
	body := `{"username":"slowpoke","email":"slowpoke@example.com","password":"` + passwordOf("slowpoke") + `"}`
	_, _ = io.WriteString(c, "POST /auth/register HTTP/1.1\r\nHost: authd\r\nContent-Type: application/json\r\nContent-Length: "+
		strconv.Itoa(len(body))+"\r\n\r\n"+body[:10])
	time.Sleep(50 * time.Millisecond)
	_, _ = io.WriteString(c, body[10:])
	br := bufio.NewReader(c)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("register in two pieces: %d", res.StatusCode)
	}
	_, _ = io.WriteString(c, "GET /health HTTP/1.1\r\nHost: authd\r\n\r\n")
	res, err = http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("second request on the connection: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("second request: %d", res.StatusCode)
	}
}
