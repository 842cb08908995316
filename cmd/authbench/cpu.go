package main

import (
	"fmt"
	"time"

	"github.com/prometheus/procfs"
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

// cpuSample is a reading of /proc's CPU counters, in CPU seconds.
type cpuSample struct {
	cpus             int
	total, idle      float64 // all CPUs: every state, and idle + iowait of them
	authbench, authd float64 // user + system time of this process and of the started authd
	at               time.Time
}

// readCPU samples the counters; pid is the started authd, 0 for none. It
// fails where /proc is missing.
func readCPU(pid int) (cpuSample, error) {
	s := cpuSample{at: time.Now()}
	st, err := procfs.NewStat()
	if err != nil {
		return s, fmt.Errorf("read CPU counters: %w", err)
	}
	c := st.CPUTotal
	// Guest and guest_nice are left out: user and nice already count them.
	s.total = c.User + c.Nice + c.System + c.Idle + c.Iowait + c.IRQ + c.SoftIRQ + c.Steal
	s.idle = c.Idle + c.Iowait
	s.cpus = len(st.CPU)
	if s.cpus == 0 || s.total == 0 {
		return s, fmt.Errorf("/proc/stat: no CPU lines")
	}
	self, err := procfs.Self()
	if err == nil {
		s.authbench, err = processCPU(self)
	}
	if err != nil {
		return s, fmt.Errorf("read this process's CPU: %w", err)
	}
	if pid != 0 {
		p, err := procfs.NewProc(pid)
		if err == nil {
			s.authd, err = processCPU(p)
		}
		if err != nil {
			return s, fmt.Errorf("read authd's CPU: %w", err)
		}
	}
	return s, nil
}

// processCPU is the user + system time of a process, all its threads.
func processCPU(p procfs.Proc) (float64, error) {
	st, err := p.Stat()
	if err != nil {
		return 0, err
	}
	return st.CPUTime(), nil
}

// cpuUse adds up the counters over several intervals (the flood phases of
// an interleaved run) and the requests sent in them.
type cpuUse struct {
	cpus                          int
	total, idle, authbench, authd float64
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
	perCPU := u.total / float64(u.cpus) // seconds of one CPU in the intervals
	cores := func(seconds float64) float64 { return seconds / perCPU }
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
