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
	metricsURL   string // the metrics listener's base URL; "" with metrics off
}

// startServer builds authd (unless bin is given), applies migrations, then
// starts it and times how long it takes from exec to a 200 on /health/ready.
// alg chooses its signing: a key file that authd generates (EdDSA, ES256)
// or a random HS256 secret. metrics true starts it with AUTHD_METRICS_ADDR on
// a loopback port of its own (metrics are off without it).
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
		// The forgot scenario sends its 50 requests/s from one IP. Mail
		// itself is on only when the caller's environment sets
		// AUTHD_SMTP_URL (with AUTHD_MAIL_FROM and AUTHD_PUBLIC_URL).
		"AUTHD_MAIL_IP_MAX=0",
	)
	signing, err := signingEnv(ctx, bin, alg, dir, stderr)
	if err != nil {
		return nil, err
	}
	env = append(env, signing)
	// Set either way, so that the caller's environment does not decide.
	if metrics {
		env = append(env, "AUTHD_METRICS_ADDR=127.0.0.1:0")
	} else {
		env = append(env, "AUTHD_METRICS_ADDR=")
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
	addr, metricsAddr, err := listeningAddrs(out)
	if err != nil {
		s.stop()
		return nil, err
	}
	go func() { _, _ = io.Copy(io.Discard, out) }() // keep its log pipe flowing
	s.url = "http://" + addr
	if metricsAddr != "" {
		s.metricsURL = "http://" + metricsAddr
	}
	if err := waitReady(ctx, s.url); err != nil {
		s.stop()
		return nil, err
	}
	s.startToReady = time.Since(start)
	if s.metrics, err = metricsState(ctx, s, metrics); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

// metricsState checks that /metrics is served exactly when it should be,
// and only on the metrics listener, so a comparison of the two cases
// compares what it says it does.
func metricsState(ctx context.Context, s *server, want bool) (string, error) {
	if code, err := getStatus(ctx, s.url+"/metrics"); err != nil || code != http.StatusNotFound {
		return "", fmt.Errorf("GET /metrics on the API listener: %d, %v; want 404", code, err)
	}
	if !want {
		if s.metricsURL != "" {
			return "", fmt.Errorf("a metrics listener started with -metrics=off")
		}
		return "off", nil
	}
	if s.metricsURL == "" {
		return "", fmt.Errorf("no metrics listener with -metrics=on")
	}
	if code, err := getStatus(ctx, s.metricsURL+"/metrics"); err != nil || code != http.StatusOK {
		return "", fmt.Errorf("GET /metrics on the metrics listener: %d, %v; want 200", code, err)
	}
	return "on", nil
}

// getStatus is the status of a GET of url.
func getStatus(ctx context.Context, url string) (int, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	res.Body.Close()
	return res.StatusCode, nil
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

// listeningAddrs reads log lines until the "server listening" one, and
// returns its address and the metrics listener's, if one was logged.
func listeningAddrs(r io.Reader) (api, metrics string, err error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		var line struct {
			Message string `json:"message"`
			Addr    string `json:"addr"`
		}
		if json.Unmarshal(sc.Bytes(), &line) != nil {
			continue
		}
		switch line.Message {
		case "metrics listening": // logged before the API listener opens
			metrics = line.Addr
		case "server listening":
			return line.Addr, metrics, nil
		}
	}
	return "", "", errors.New("authd exited before it listened")
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
