package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func lines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line is not JSON: %q: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

func TestKeys(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := For(New(&buf, slog.LevelInfo), "httpapi")
	ctx := WithRequestID(context.Background(), "req-1")
	log.InfoContext(ctx, "user registered", slog.Int64("user_id", 7))
	log.Info("no request")
	log.Debug("filtered out")

	got := lines(t, &buf)
	if len(got) != 2 {
		t.Fatalf("got %d lines, want 2 (debug filtered): %v", len(got), got)
	}
	first := got[0]
	ts, _ := first["timestamp"].(string)
	parsed, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil || !strings.HasSuffix(ts, "Z") || parsed.IsZero() {
		t.Errorf("timestamp = %q, want RFC 3339 in UTC", ts)
	}
	want := map[string]any{"level": "INFO", "message": "user registered", "logger": "httpapi", "request_id": "req-1", "user_id": float64(7)}
	for k, v := range want {
		if first[k] != v {
			t.Errorf("%s = %v, want %v", k, first[k], v)
		}
	}
	for _, k := range []string{"time", "msg"} {
		if _, ok := first[k]; ok {
			t.Errorf("key %q present; want it renamed", k)
		}
	}
	if _, ok := got[1]["request_id"]; ok {
		t.Error("request_id present on a line logged without a request")
	}
}

func TestRedaction(t *testing.T) {
	t.Parallel()
	const secret = "hunter2-secret-value"
	jwt := "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
	tests := []struct {
		name string
		attr slog.Attr
	}{
		{"password", slog.String("password", secret)},
		{"new_password mixed case", slog.String("New_Password", secret)},
		{"access_token", slog.String("access_token", secret)},
		{"refresh token", slog.String("refresh_token", secret)},
		{"secret", slog.String("jwt_secret", secret)},
		{"authorization", slog.String("Authorization", secret)},
		{"cookie", slog.String("cookie", secret)},
		{"hashed_password", slog.String("hashed_password", secret)},
		{"non-string under secret key", slog.Any("password", []byte(secret))},
		{"grouped", slog.Group("req", slog.String("password", secret))},
		{"bearer under innocent key", slog.String("header", "Bearer "+secret)},
		{"jwt under innocent key", slog.String("value", "token: "+jwt+secret)},
		{"bcrypt hash under innocent key", slog.String("value", "$2a$12$"+secret)},
		{"error text holding a jwt", slog.Any("error", errors.New("parse "+jwt+secret))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			New(&buf, slog.LevelDebug).LogAttrs(context.Background(), slog.LevelInfo, "event", tt.attr)
			if strings.Contains(buf.String(), secret) {
				t.Errorf("secret leaked: %s", buf.String())
			}
			if !strings.Contains(buf.String(), Redacted) {
				t.Errorf("no %s marker: %s", Redacted, buf.String())
			}
		})
	}
}

func TestInnocentValuesKept(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	New(&buf, slog.LevelDebug).Info("request", slog.String("path", "/auth/login"), slog.Int("status", 200), slog.String("reason", "wrong_password"))
	got := lines(t, &buf)[0]
	if got["path"] != "/auth/login" || got["status"] != float64(200) || got["reason"] != "wrong_password" {
		t.Errorf("line = %v", got)
	}
}

func TestWithGroupKeepsRequestID(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := New(&buf, slog.LevelInfo).WithGroup("g")
	log.InfoContext(WithRequestID(context.Background(), "abc"), "grouped", slog.Int("n", 1))
	if !strings.Contains(buf.String(), `"abc"`) {
		t.Errorf("request_id lost under a group: %s", buf.String())
	}
	if RequestID(context.Background()) != "" {
		t.Error("RequestID of a bare context is not empty")
	}
}
