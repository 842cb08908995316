package logging

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// countingWriter records each write it gets.
type countingWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	writes int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writes++
	return c.buf.Write(p)
}

func (c *countingWriter) state() (string, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.String(), c.writes
}

func TestBufferedWriterBatches(t *testing.T) {
	t.Parallel()
	out := &countingWriter{}
	b := NewBufferedWriter(out, 1<<10, time.Hour)
	line := strings.Repeat("x", 99) + "\n"
	if _, err := b.Write([]byte(line)); err != nil {
		t.Fatal(err)
	}
	if got, writes := out.state(); got != line || writes != 1 {
		t.Fatalf("first line: %d writes, %q; want it written through at once", writes, got)
	}
	for range 29 {
		if _, err := b.Write([]byte(line)); err != nil {
			t.Fatal(err)
		}
	}
	got, writes := out.state()
	if writes < 2 || writes > 4 || len(got) >= 30*len(line) {
		t.Errorf("before Close: %d writes, %d bytes; want a few full-buffer writes", writes, len(got))
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if got, _ := out.state(); got != strings.Repeat(line, 30) {
		t.Errorf("after Close: %d bytes, want every line in order", len(got))
	}
}

func TestBufferedWriterFlushesOnInterval(t *testing.T) {
	t.Parallel()
	out := &countingWriter{}
	b := NewBufferedWriter(out, 1<<20, 10*time.Millisecond)
	defer b.Close()
	_, _ = b.Write([]byte("server listening\n"))
	deadline := time.Now().Add(5 * time.Second)
	for {
		if got, _ := out.state(); got == "server listening\n" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("line not flushed by the interval")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
