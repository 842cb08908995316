package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// client sends requests to one authd and decodes JSON answers.
type client struct {
	base string
	http *http.Client
}

func newClient(base string, conns int) *client {
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, IdleConnTimeout: time.Minute}
	return &client{base: base, http: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

// call sends one request and returns its status, latency and decoded body
// (nil unless out is given and the answer is 2xx).
func (c *client) call(ctx context.Context, method, path string, body any, bearer string, out any) (int, time.Duration, error) {
	return c.callFrom(ctx, "", method, path, body, bearer, out)
}

// callFrom is call on behalf of client IP ip, named in X-Forwarded-For (an
// authd that trusts loopback as its proxy takes it as the client); "" sends
// no header.
func (c *client) callFrom(ctx context.Context, ip, method, path string, body any, bearer string, out any) (int, time.Duration, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, 0, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	if ip != "" {
		req.Header.Set("X-Forwarded-For", ip)
	}
	start := time.Now()
	res, err := c.http.Do(req)
	if err != nil {
		return 0, time.Since(start), err
	}
	defer res.Body.Close()
	if out != nil && res.StatusCode/100 == 2 {
		err = json.NewDecoder(res.Body).Decode(out)
	} else {
		_, err = io.Copy(io.Discard, res.Body)
	}
	return res.StatusCode, time.Since(start), err
}

// tokens is the token part of register, login and refresh answers.
type tokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
}

// step is one request of a scenario's worker; it reports status and latency.
type step func(ctx context.Context) (int, time.Duration, error)

// tally is where hammer records answers: a recorder, or a switch between
// recorders.
type tally interface {
	add(status int, d time.Duration)
	fail(err error)
}

// hammer runs each step in its own goroutine, in a loop until ctx ends,
// and records every answer in rec.
func hammer(ctx context.Context, steps []step, rec tally) {
	var wg sync.WaitGroup
	for _, s := range steps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				status, d, err := s(ctx)
				switch {
				case ctx.Err() != nil:
					return // cut short by the end of the run: not an answer
				case err != nil:
					rec.fail(err)
				default:
					rec.add(status, d)
				}
			}
		}()
	}
	wg.Wait()
}

// user is an account created for the benchmark.
type user struct {
	name, password string
	tokens         tokens
}

// makeUsers registers n users with a few workers, returning their tokens.
func makeUsers(ctx context.Context, c *client, prefix string, n int) ([]user, error) {
	users := make([]user, n)
	errs := make(chan error, n)
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			u := user{name: fmt.Sprintf("%s-%d", prefix, i), password: "bench-password-" + prefix}
			var out tokens
			body := map[string]string{"username": u.name, "email": u.name + "@bench.example", "password": u.password}
			status, _, err := c.call(ctx, http.MethodPost, "/auth/register", body, "", &out)
			// Set-up is not measured: on a machine busy enough that the
			// bcrypt queue answers 503 OVERLOADED, wait and try again.
			for try := 0; err == nil && status == http.StatusServiceUnavailable && try < 10; try++ {
				time.Sleep(time.Second)
				status, _, err = c.call(ctx, http.MethodPost, "/auth/register", body, "", &out)
			}
			if err == nil && status != http.StatusCreated {
				err = fmt.Errorf("register %s: status %d", u.name, status)
			}
			u.tokens = out
			users[i] = u
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return users, nil
}
