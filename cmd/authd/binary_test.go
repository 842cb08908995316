package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestBinaryGracefulShutdown builds the real binary, starts it, begins a
// request whose body is still arriving, sends SIGTERM, then finishes the
// body: the request must complete and the process must exit 0.
func TestBinaryGracefulShutdown(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bin := buildBinary(t)
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(),
		"AUTHD_ADDR=127.0.0.1:0",
		"AUTHD_DATABASE_URL=sqlite:"+filepath.Join(dir, "authd.db"),
		"AUTHD_JWT_SECRET="+secret,
		"AUTHD_BCRYPT_COST=4",
	)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	lines := bufio.NewScanner(stdout)
	var addr string
	var logs strings.Builder
	for addr == "" && lines.Scan() {
		logs.WriteString(lines.Text() + "\n")
		var m map[string]any
		if json.Unmarshal(lines.Bytes(), &m) == nil && m["message"] == "server listening" {
			addr, _ = m["addr"].(string)
		}
	}
	if addr == "" {
		t.Fatalf("no listening line:\n%s", logs.String())
	}
	rest := make(chan string, 1)
	go func() { b, _ := io.ReadAll(stdout); rest <- string(b) }()

	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"username":"slowpoke","email":"slow@example.com","password":"tulip-orbit-42"}`
	head := "POST /auth/register HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: application/json\r\n" +
		"Content-Length: " + itoa(len(body)) + "\r\nConnection: close\r\n\r\n"
	if _, err := io.WriteString(conn, head+body[:10]); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // the server is now reading the body
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // shutdown has begun and waits for us
	if _, err := io.WriteString(conn, body[10:]); err != nil {
		t.Fatalf("finish body: %v", err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Errorf("in-flight request: %d, want 201", res.StatusCode)
	}
	// Read to EOF before Wait: Wait closes the pipe, and under load it
	// could cut off the last lines before the reader got them.
	out := <-rest
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit: %v, want status 0", err)
	}
	if !strings.Contains(out, `"message":"shutting down"`) || !strings.Contains(out, `"message":"stopped"`) {
		t.Errorf("shutdown lines missing:\n%s", out)
	}
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Error("still accepting connections after exit")
	}
}

// TestBinaryBadConfigExits2 checks the exit status and the one line, for
// bad values and for a key file authd cannot sign with, and that nothing
// was acted on: the database file is never created. An absurd
// AUTHD_HASH_WORKERS once reached GOMAXPROCS before validation and killed
// the process out of memory.
func TestBinaryBadConfigExits2(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	public := filepath.Join(t.TempDir(), "public.json")
	if err := os.WriteFile(public, []byte(`{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, variable, value string }{
		{"bad duration", "AUTHD_ACCESS_TOKEN_TTL", "soon"},
		{"token born expired", "AUTHD_ACCESS_TOKEN_TTL", "500ms"},
		{"absurd hash workers", "AUTHD_HASH_WORKERS", "100000000"},
		{"bad listen address", "AUTHD_ADDR", "127.0.0.1:99999"},
		{"public-only key file", "AUTHD_JWT_KEYS", public},
		{"malformed PostgreSQL URL", "AUTHD_DATABASE_URL", "postgres://u:hunter2@127.0.0.1:5432/x?sslmode=bogus"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := filepath.Join(t.TempDir(), "x.db")
			// A regression may hang or eat memory instead of exiting: it is
			// killed and reported, not waited for.
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin)
			cmd.Env = append(os.Environ(), "AUTHD_DATABASE_URL=sqlite:"+db, tt.variable+"="+tt.value)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			err := cmd.Run()
			got := strings.TrimSpace(stderr.String())
			if cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != 2 {
				t.Fatalf("err = %v, want exit status 2; stderr (first 300 bytes) %.300s", err, got)
			}
			if strings.Count(got, "\n") != 0 || !strings.Contains(got, tt.variable) || strings.Contains(got, "hunter2") {
				t.Errorf("stderr = %q, want one line naming %s", got, tt.variable)
			}
			if _, err := os.Stat(db); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("database file: %v, want none: a bad setting must stop authd before it acts", err)
			}
		})
	}
}

func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "authd")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func itoa(n int) string { return strconv.Itoa(n) }
