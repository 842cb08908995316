package logging

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// BufferedWriter gathers log lines into fewer, larger writes. At thousands
// of requests a second, one write(2) per access line is a large share of a
// cheap request's cost (see docs/benchmarks.md). A line is written through
// at once when nothing was written for an interval (so a quiet server's
// lines, "server listening" first, appear without delay); under load lines
// are batched and written when the buffer fills, at the first line after
// each interval, by a ticker for the last lines, and on Close. A line waits
// at most about an interval, and a crash can lose at most that much.
type BufferedWriter struct {
	mu        sync.Mutex
	buf       *bufio.Writer
	interval  time.Duration
	lastFlush time.Time
	stop      chan struct{}
	done      chan struct{}
}

// NewBufferedWriter buffers up to size bytes for w and flushes every interval.
func NewBufferedWriter(w io.Writer, size int, interval time.Duration) *BufferedWriter {
	b := &BufferedWriter{buf: bufio.NewWriterSize(w, size), interval: interval, stop: make(chan struct{}), done: make(chan struct{})}
	go b.flushEvery(interval)
	return b
}

// Write buffers p, and writes the buffer out when an interval has passed
// since it last did.
func (b *BufferedWriter) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n, err := b.buf.Write(p)
	if err != nil {
		return n, err
	}
	if now := time.Now(); now.Sub(b.lastFlush) >= b.interval {
		b.lastFlush = now
		err = b.buf.Flush()
	}
	return n, err
}

// Flush writes out what is buffered.
func (b *BufferedWriter) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lastFlush = time.Now()
	return b.buf.Flush()
}

// Close stops the periodic flush and writes out what is left.
func (b *BufferedWriter) Close() error {
	close(b.stop)
	<-b.done
	return b.Flush()
}

func (b *BufferedWriter) flushEvery(interval time.Duration) {
	defer close(b.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			_ = b.Flush()
		case <-b.stop:
			return
		}
	}
}
