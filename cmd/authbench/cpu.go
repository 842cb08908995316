package main

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// CPUSplit is where the machine's CPU went while a scenario measured, in
// cores (1 is one CPU busy the whole time), read from /proc (Linux only).
// The load generator runs on the same cores as the server it loads, so a
// figure such as logins over the limit is read beside it.
type CPUSplit struct {
	CPUs  int      `json:"cpus"`
	Authd *float64 `json:"authd_cores,omitempty"` // only for the authd that authbench started
	// Authbench is this process. Against -url, or an authd in the same
	// process as in the tests, the server is in Rest or here.
	Authbench float64 `json:"authbench_cores"`
	// AuthbenchMsPerRequest is authbench's CPU time per request it sent
	// in that time, in milliseconds: what one request costs the generator.
	AuthbenchMsPerRequest float64 `json:"authbench_ms_per_request"`
	Rest                  float64 `json:"rest_cores"` // every other busy process: PostgreSQL, a build…
	Idle                  float64 `json:"idle_cores"`
}

// cpuSample is a reading of /proc's CPU counters, all in the kernel's clock
// ticks (USER_HZ), which /proc/stat and /proc/<pid>/stat share: their
// ratios need no tick rate.
type cpuSample struct {
	cpus             int
	total, idle      uint64 // all CPUs: every state, and idle + iowait of them
	authbench, authd uint64 // utime + stime of this process and of the started authd
	at               time.Time
}

// readCPU samples the counters; pid is the started authd, 0 for none. It
// fails where /proc is missing.
func readCPU(pid int) (cpuSample, error) {
	s := cpuSample{at: time.Now()}
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return s, fmt.Errorf("read CPU counters: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) > 8 && f[0] == "cpu":
			// user nice system idle iowait irq softirq steal, then guest
			// and guest_nice, which user and nice already count.
			for i, v := range f[1:9] {
				n, err := strconv.ParseUint(v, 10, 64)
				if err != nil {
					return s, fmt.Errorf("/proc/stat: %w", err)
				}
				s.total += n
				if i == 3 || i == 4 {
					s.idle += n
				}
			}
		case len(f) > 0 && strings.HasPrefix(f[0], "cpu"):
			s.cpus++
		}
	}
	if s.cpus == 0 || s.total == 0 {
		return s, fmt.Errorf("/proc/stat: no CPU lines")
	}
	if s.authbench, err = processTicks("self"); err != nil {
		return s, err
	}
	if pid != 0 {
		if s.authd, err = processTicks(strconv.Itoa(pid)); err != nil {
			return s, err
		}
	}
	return s, nil
}

// processTicks is utime + stime of a process, all its threads, from
// /proc/<pid>/stat.
func processTicks(pid string) (uint64, error) {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0, fmt.Errorf("read process CPU: %w", err)
	}
	// The command name, field 2, is in parentheses and may hold spaces
	// or parentheses itself; the fields after the last ")" start with
	// the state, field 3, so utime (14) and stime (15) are at 11 and 12.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%s/stat: %d fields", pid, len(f))
	}
	var ticks uint64
	for _, v := range f[11:13] {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/%s/stat: %w", pid, err)
		}
		ticks += n
	}
	return ticks, nil
}

// cpuUse adds up the counters over several intervals (the flood phases of
// an interleaved run) and the requests sent in them.
type cpuUse struct {
	cpus                          int
	total, idle, authbench, authd uint64
	wall                          time.Duration
	requests                      int
	failed                        bool
}

// add counts the interval from a to b; a failed sample (no /proc) spoils
// the sum, so that a partial split is never printed.
func (u *cpuUse) add(a, b cpuSample, err error, requests int) {
	if err != nil {
		u.failed = true
		return
	}
	u.cpus = b.cpus
	u.total += b.total - a.total
	u.idle += b.idle - a.idle
	u.authbench += b.authbench - a.authbench
	u.authd += b.authd - a.authd
	u.wall += b.at.Sub(a.at)
	u.requests += requests
}

// split is the average over the intervals, nil if there is none; authd
// says whether the authd counters mean anything.
func (u cpuUse) split(authd bool) *CPUSplit {
	if u.failed || u.total == 0 {
		return nil
	}
	perCPU := float64(u.total) / float64(u.cpus) // ticks of one CPU in the intervals
	cores := func(ticks uint64) float64 { return float64(ticks) / perCPU }
	s := &CPUSplit{CPUs: u.cpus, Authbench: cores(u.authbench), Idle: cores(u.idle)}
	s.Rest = cores(u.total-u.idle) - s.Authbench
	if authd {
		a := cores(u.authd)
		s.Authd = &a
		s.Rest -= a
	}
	// The kernel keeps a process's time more finely than /proc/stat's
	// per-tick samples, so over a short interval the difference can dip
	// below zero.
	s.Rest = max(s.Rest, 0)
	if u.requests > 0 {
		s.AuthbenchMsPerRequest = s.Authbench * u.wall.Seconds() * 1000 / float64(u.requests)
	}
	return s
}
