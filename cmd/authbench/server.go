package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// server is an authd process the harness started and measures.
type server struct {
	cmd          *exec.Cmd
	url          string
	startToReady time.Duration
	metrics      string // "on" or "off", as /metrics answered
}

// startServer builds authd (unless bin is given), applies migrations, then
// starts it and times how long it takes from exec to a 200 on /health/ready.
// alg chooses its signing: a key file that authd generates (EdDSA, ES256)
// or a random HS256 secret. metrics false starts it with AUTHD_METRICS_ADDR=off.
func startServer(ctx context.Context, bin, dbURL string, cost int, alg string, metrics bool, dir string, stderr io.Writer) (*server, error) {
	if bin == "" {
		bin = filepath.Join(dir, "authd")
		build := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/authd/authd/cmd/authd")
		build.Stderr = stderr
		if err := build.Run(); err != nil {
			return nil, fmt.Errorf("build authd: %w", err)
		}
	}
	env := append(os.Environ(),
		"AUTHD_ADDR=127.0.0.1:0",
		"AUTHD_DATABASE_URL="+dbURL,
		"AUTHD_BCRYPT_COST="+strconv.Itoa(cost),
		// Every scenario registers from 127.0.0.1, far more than a client
		// IP may per hour; logins keep their limits (the guessing flood
		// measures them).
		"AUTHD_REGISTER_IP_MAX=0",
		// The load comes from loopback; the guessing flood names its
		// client IPs in X-Forwarded-For, as a load balancer would.
		"AUTHD_TRUSTED_PROXIES=127.0.0.1",
	)
	signing, err := signingEnv(ctx, bin, alg, dir, stderr)
	if err != nil {
		return nil, err
	}
	env = append(env, signing)
	if !metrics {
		env = append(env, "AUTHD_METRICS_ADDR=off")
	}
	migrate := exec.CommandContext(ctx, bin, "migrate")
	migrate.Env, migrate.Stderr = env, stderr
	if err := migrate.Run(); err != nil {
		return nil, fmt.Errorf("authd migrate: %w", err)
	}

	cmd := exec.Command(bin, "serve")
	cmd.Env, cmd.Stderr = env, stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start authd: %w", err)
	}
	s := &server{cmd: cmd}
	addr, err := listeningAddr(out)
	if err != nil {
		s.stop()
		return nil, err
	}
	go func() { _, _ = io.Copy(io.Discard, out) }() // keep its log pipe flowing
	s.url = "http://" + addr
	if err := waitReady(ctx, s.url); err != nil {
		s.stop()
		return nil, err
	}
	s.startToReady = time.Since(start)
	if s.metrics, err = metricsState(ctx, s.url, metrics); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

// metricsState checks that /metrics is served exactly when it should be,
// so a comparison of the two cases compares what it says it does.
func metricsState(ctx context.Context, url string, want bool) (string, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url+"/metrics", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("GET /metrics: %w", err)
	}
	res.Body.Close()
	switch {
	case want && res.StatusCode == http.StatusOK:
		return "on", nil
	case !want && res.StatusCode == http.StatusNotFound:
		return "off", nil
	}
	return "", fmt.Errorf("GET /metrics answered %d with -metrics=%v", res.StatusCode, want)
}

// signingEnv is the variable that makes authd sign with alg: a key file
// written by "authd keys generate", or a random HS256 secret.
func signingEnv(ctx context.Context, bin, alg, dir string, stderr io.Writer) (string, error) {
	if alg == "HS256" {
		secret := make([]byte, 32)
		_, _ = rand.Read(secret)
		return "AUTHD_JWT_SECRET=" + hex.EncodeToString(secret), nil
	}
	gen := exec.CommandContext(ctx, bin, "keys", "generate", "--alg", alg)
	gen.Stderr = stderr
	keys, err := gen.Output()
	if err != nil {
		return "", fmt.Errorf("authd keys generate: %w", err)
	}
	path := filepath.Join(dir, "keys.json")
	if err := os.WriteFile(path, keys, 0o600); err != nil {
		return "", err
	}
	return "AUTHD_JWT_KEYS=" + path, nil
}

// listeningAddr reads log lines until the "server listening" one.
func listeningAddr(r io.Reader) (string, error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		var line struct {
			Message string `json:"message"`
			Addr    string `json:"addr"`
		}
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Message == "server listening" {
			return line.Addr, nil
		}
	}
	return "", errors.New("authd exited before it listened")
}

func waitReady(ctx context.Context, url string) error {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url+"/health/ready", nil)
		if res, err := http.DefaultClient.Do(req); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(time.Millisecond)
	}
	return errors.New("authd not ready after 10s")
}

// memory reads the process's resident and peak resident set, in MiB, from
// /proc (Linux only; zeros elsewhere).
func (s *server) memory() (rss, peak float64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		kb, _ := strconv.ParseFloat(fields[1], 64)
		switch fields[0] {
		case "VmRSS:":
			rss = kb / 1024
		case "VmHWM:":
			peak = kb / 1024
		}
	}
	return rss, peak
}

func (s *server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
	}
}
