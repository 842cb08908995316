package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/authd/authd/internal/auth"
)

// racers is how many registrations run at once in the concurrency cases.
const racers = 20

// race runs f(0) to f(racers-1) at once, released together, and returns
// their errors in that order.
func race(f func(i int) error) []error {
	errs := make([]error, racers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			<-start
			errs[i] = f(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// testConcurrentSameUsername: when requests race for one username, the
// database picks exactly one winner and every loser hears ErrUserExists,
// never a locking or other database error.
func testConcurrentSameUsername(t *testing.T, s auth.Store) {
	users := make([]auth.NewUser, racers)
	for i := range users {
		u := newUser("racer")
		// Case and email differ per request: only the username collides.
		if i%2 == 1 {
			u.Username = "RACER"
		}
		u.Email = fmt.Sprintf("racer%d@example.com", i)
		users[i] = u
	}
	var ok, exists int
	errs := race(func(i int) error {
		_, err := s.CreateUser(t.Context(), users[i])
		return err
	})
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, auth.ErrUserExists):
			exists++
		default:
			t.Errorf("CreateUser #%d: %v, want nil or ErrUserExists", i, err)
		}
	}
	if ok != 1 || exists != racers-1 {
		t.Errorf("%d successes and %d ErrUserExists, want 1 and %d", ok, exists, racers-1)
	}
}

// testConcurrentDifferentUsernames: concurrent writes of different users,
// mixed with reads, all succeed (none fails because another holds a lock),
// and each writer at once reads back what it wrote.
func testConcurrentDifferentUsernames(t *testing.T, s auth.Store) {
	ids := make([]int64, racers)
	errs := race(func(i int) error {
		u, err := s.CreateUser(t.Context(), newUser(fmt.Sprintf("user%02d", i)))
		if err != nil {
			return fmt.Errorf("CreateUser: %w", err)
		}
		ids[i] = u.ID
		got, err := s.UserByUsername(t.Context(), u.Username)
		if err != nil {
			return fmt.Errorf("UserByUsername after CreateUser: %w", err)
		}
		if got.ID != u.ID {
			return fmt.Errorf("UserByUsername(%q) = ID %d, want %d", u.Username, got.ID, u.ID)
		}
		return nil
	})
	for i, err := range errs {
		if err != nil {
			t.Errorf("racer #%d: %v", i, err)
		}
	}
	seen := make(map[int64]bool)
	for _, id := range ids {
		if id != 0 && seen[id] {
			t.Errorf("ID %d given to two users", id)
		}
		seen[id] = true
	}
}
