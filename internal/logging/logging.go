// Package logging builds authd's one JSON logger: the key names of API.md,
// the request ID taken from the context, and a redaction guard so a secret
// passed to a log call by mistake never reaches the output.
package logging

import (
	"context"
	"io"
	"log/slog"
	"time"
)

// Redacted replaces the value of any attribute that may hold a secret.
const Redacted = "[REDACTED]"

// New returns a logger that writes one JSON object per line to w with the
// keys timestamp (RFC 3339, UTC), level, message and, when the context
// carries one, request_id.
func New(w io.Writer, level slog.Leveler) *slog.Logger {
	h := slog.NewJSONHandler(w, &slog.HandlerOptions{
		Level:       level,
		ReplaceAttr: replaceAttr,
	})
	return slog.New(contextHandler{h})
}

// For returns base tagged with the name of the component that logs through it.
func For(base *slog.Logger, component string) *slog.Logger {
	return base.With(slog.String("logger", component))
}

// replaceAttr renames the built-in keys and applies the redaction guard.
func replaceAttr(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 {
		switch a.Key {
		case slog.TimeKey:
			return slog.String("timestamp", a.Value.Time().UTC().Format(time.RFC3339Nano))
		case slog.MessageKey:
			return slog.Attr{Key: "message", Value: a.Value}
		case slog.LevelKey:
			return a
		}
	}
	if isSecretKey(a.Key) {
		return slog.String(a.Key, Redacted)
	}
	switch a.Value.Kind() {
	case slog.KindString:
		if looksSecret(a.Value.String()) {
			return slog.String(a.Key, Redacted)
		}
	case slog.KindAny:
		// An error's text may quote what it failed on: a token, a header.
		if err, ok := a.Value.Any().(error); ok && looksSecret(err.Error()) {
			return slog.String(a.Key, Redacted)
		}
	}
	return a
}

// contextHandler adds request_id from the context to every record.
type contextHandler struct{ slog.Handler }

func (h contextHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h contextHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return contextHandler{h.Handler.WithAttrs(attrs)}
}

func (h contextHandler) WithGroup(name string) slog.Handler {
	return contextHandler{h.Handler.WithGroup(name)}
}

type requestIDKey struct{}

// WithRequestID returns ctx carrying the request ID that log lines written
// with it will show.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID is the request ID ctx carries, or "".
func RequestID(ctx context.Context) string {
	if ctx == nil {
		return ""
	}
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
