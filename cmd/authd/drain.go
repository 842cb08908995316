package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// handlers counts the requests being served, so that serve closes the
// store only after the last handler has returned: http.Server.Shutdown
// waits for handlers only until its deadline, and Close does not wait.
type handlers struct {
	// mu orders track's Add before drain's Wait (sync.WaitGroup forbids
	// an Add from zero that races with Wait): once closed is set, no
	// handler is added.
	mu     sync.RWMutex
	closed bool
	wg     sync.WaitGroup
}

// track counts every request next serves.
func (h *handlers) track(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.RLock()
		if h.closed {
			h.mu.RUnlock()
			// Only a request read just before its connection was closed
			// gets here; nothing written could reach its client.
			panic(http.ErrAbortHandler)
		}
		h.wg.Add(1)
		h.mu.RUnlock()
		defer h.wg.Done()
		next.ServeHTTP(w, r)
	})
}

// drain refuses new requests and waits for the running ones to return, no
// longer than ctx allows.
func (h *handlers) drain(ctx context.Context) error {
	h.mu.Lock()
	h.closed = true
	h.mu.Unlock()
	done := make(chan struct{})
	go func() {
		h.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// shutdown stops hs: it stops accepting and lets the requests in flight
// finish within timeout (http.Server.Shutdown). Past it, the connections
// still open are closed: a client that never finishes its body, or a
// handler stuck elsewhere, must not keep authd running. Closing a
// connection cancels its request's context, which every store call and
// the wait for a bcrypt worker honour, so the handlers return soon after;
// shutdown waits for them (again no longer than timeout) so that the
// store is closed under no handler.
func shutdown(ctx context.Context, hs *http.Server, busy *handlers, timeout time.Duration, log *slog.Logger) error {
	ctx = context.WithoutCancel(ctx)
	sctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		if !errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("shutdown: %w", err)
		}
		log.WarnContext(ctx, "shutdown timeout: closing the connections still open", slog.Duration("timeout", timeout))
		// Close's error can only be the listener's, which Shutdown has
		// already closed.
		_ = hs.Close()
	}
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := busy.drain(dctx); err != nil {
		return fmt.Errorf("shutdown: handlers still running %s after their connections were closed: %w", timeout, err)
	}
	return nil
}
