package main

import (
	"net"
	"sync"
	"sync/atomic"
	"testing"
)

// proxy is a TCP proxy between authd and PostgreSQL that a test can cut,
// stall and restore: the faults a real network and a real sick server
// produce, without touching the server.
type proxy struct {
	t      *testing.T
	addr   string // where authd connects; the same across cuts
	target string

	mu    sync.Mutex
	ln    net.Listener // nil while cut
	conns map[net.Conn]bool
	// gate is closed while data flows; a stall replaces it with an open
	// channel, so every pipe waits before passing on what it read.
	gate chan struct{}
	done chan struct{}
	// held counts the reads waiting at the gate to be passed on.
	held atomic.Int64
}

// startProxy listens on a free loopback port and forwards to target until
// t ends.
func startProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{t: t, addr: ln.Addr().String(), target: target, ln: ln,
		conns: map[net.Conn]bool{}, gate: make(chan struct{}), done: make(chan struct{})}
	close(p.gate)
	go p.accept(ln)
	t.Cleanup(func() {
		close(p.done)
		p.mu.Lock()
		if p.ln != nil {
			p.ln.Close()
		}
		p.mu.Unlock()
		p.reset()
	})
	return p
}

// cut refuses new connections and resets the open ones: the server is
// down, or the network between is.
func (p *proxy) cut() {
	p.mu.Lock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	p.mu.Unlock()
	p.reset()
}

// stall keeps connections open, and accepts new ones, but passes nothing
// on: a server that hangs.
func (p *proxy) stall() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.gate = make(chan struct{})
}

// restore undoes cut or stall.
func (p *proxy) restore() {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.gate:
	default:
		close(p.gate)
	}
	if p.ln == nil {
		// Go listeners set SO_REUSEADDR, so the port just closed is free
		// to listen on again.
		ln, err := net.Listen("tcp", p.addr)
		if err != nil {
			p.t.Fatalf("proxy: listen again on %s: %v", p.addr, err)
		}
		p.ln = ln
		go p.accept(ln)
	}
}

// reset closes every proxied connection with RST.
func (p *proxy) reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetLinger(0)
		}
		c.Close()
		delete(p.conns, c)
	}
}

func (p *proxy) accept(ln net.Listener) {
	for {
		client, err := ln.Accept()
		if err != nil {
			return
		}
		go p.serve(client)
	}
}

// track remembers c for reset; it reports false once the proxy is done.
func (p *proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.conns[c] = true
	return p.ln != nil
}

// untrack closes c and forgets it.
func (p *proxy) untrack(c net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c.Close()
	delete(p.conns, c)
}

func (p *proxy) serve(client net.Conn) {
	if !p.track(client) || !p.wait() {
		client.Close()
		return
	}
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		client.Close()
		return
	}
	p.track(server)
	go p.pipe(server, client)
	p.pipe(client, server)
}

// pipe copies src to dst, waiting at the gate before each write.
func (p *proxy) pipe(dst, src net.Conn) {
	defer p.untrack(dst)
	defer p.untrack(src)
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.held.Add(1)
			ok := p.wait()
			p.held.Add(-1)
			if !ok {
				return
			}
			if _, err := dst.Write(buf[:n]); err != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// heldWrites is how many reads a stall holds now: a sign that someone
// is waiting for the database.
func (p *proxy) heldWrites() int64 { return p.held.Load() }

// wait blocks while the proxy is stalled; false means it is shutting down.
func (p *proxy) wait() bool {
	p.mu.Lock()
	gate := p.gate
	p.mu.Unlock()
	select {
	case <-gate:
		return true
	case <-p.done:
		return false
	}
}
