package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// servePprof serves the runtime profiles on addr (config allows loopback
// only) until ctx ends. Off unless AUTHD_PPROF_ADDR is set: profiles show
// internals. The handlers go on a mux of their own, never the API's.
func servePprof(ctx context.Context, addr string, log *slog.Logger) error {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return serveAside(ctx, "pprof", addr, mux, log)
}

// serveAside serves h on a listener of its own at addr until ctx ends, for
// what must stay off the API's listener (profiles, metrics). It logs
// "<what> listening" with the bound address.
func serveAside(ctx context.Context, what, addr string, h http.Handler, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%s listen on %s: %w", what, addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	go func() { _ = srv.Serve(ln) }()
	log.InfoContext(ctx, what+" listening", slog.String("addr", ln.Addr().String()))
	return nil
}
