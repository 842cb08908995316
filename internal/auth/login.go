package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
)

// LoginInput names the account by username or by email (exactly one), and
// the password. A username that holds an '@' is looked up as an email.
type LoginInput struct {
	Username string
	Email    string
	Password string
	// Client is kept with the session a successful login opens.
	Client Client
}

// Login checks the password and opens a session. An unknown user and a wrong
// password get the same error and spend the same bcrypt work, so neither the
// answer nor its timing tells whether the account exists. Throttling is
// checked first, before the user lookup, bcrypt and the hash queue.
func (s *Service) Login(ctx context.Context, in LoginInput) (_ Authenticated, err error) {
	defer func() {
		if result, ok := loginResult(err); ok {
			s.deps.Observer.LoginAttempt(result)
		}
	}()
	login, err := in.identifier()
	if err != nil {
		return Authenticated{}, err
	}
	ip := in.Client.addr()
	guard, err := s.checkLogin(ctx, login, ip)
	if err != nil {
		return Authenticated{}, err
	}
	defer s.release(guard)
	u, err := lookup(ctx, s.deps.Store, login)
	if errors.Is(err, ErrUserNotFound) {
		// An unknown identifier counts under its own lower-cased form.
		// bcrypt compares only the first 72 bytes; a longer password
		// cannot be right, and is refused without the dummy compare,
		// as it is for a known user below.
		if len(in.Password) <= PasswordMaxBytes {
			if err := s.deps.Hasher.CompareDummy(ctx, in.Password); err != nil && !errors.Is(err, ErrPasswordMismatch) {
				return Authenticated{}, hashFailure("dummy compare", err)
			}
		}
		return Authenticated{}, s.failed(ctx, []string{accountName(login)}, ip, in.Client.event("", 0, s.clock()), slog.String("reason", "unknown_user"))
	}
	if err != nil {
		return Authenticated{}, fmt.Errorf("find user: %w", err)
	}
	names := u.accountNames()
	if len(in.Password) > PasswordMaxBytes {
		return Authenticated{}, s.failed(ctx, names, ip, in.Client.event("", u.ID, s.clock()), slog.String("reason", "password_too_long"), slog.Int64("user_id", u.ID))
	}
	err = s.deps.Hasher.Compare(ctx, u.HashedPassword, in.Password)
	if errors.Is(err, ErrPasswordMismatch) {
		return Authenticated{}, s.failed(ctx, names, ip, in.Client.event("", u.ID, s.clock()), slog.String("reason", "wrong_password"), slog.Int64("user_id", u.ID))
	}
	if err != nil {
		return Authenticated{}, hashFailure("compare password", err)
	}
	if !u.IsActive {
		s.deps.Log.InfoContext(ctx, "login failed", slog.String("reason", "inactive"), slog.Int64("user_id", u.ID))
		return Authenticated{}, Fail(CodeUserInactive, nil)
	}
	if err := s.usable(u); err != nil {
		s.deps.Log.InfoContext(ctx, "login failed", slog.String("reason", "email_not_verified"), slog.Int64("user_id", u.ID))
		return Authenticated{}, err
	}
	s.rehash(ctx, &u, in.Password)
	if err := s.secondStep(ctx, u); err != nil {
		return Authenticated{}, err
	}
	a, err := s.OpenSession(ctx, u, in.Client, s.loginSuccess(guard, names, ip))
	if err != nil {
		return Authenticated{}, err
	}
	s.deps.Log.InfoContext(ctx, "user logged in", slog.Int64("user_id", u.ID))
	return a, nil
}

// rehash replaces u's hash with one at the configured bcrypt cost when it
// was made at another (AUTHD_BCRYPT_COST changed since): a login is the only
// moment authd holds the password. Left alone, old hashes would keep their
// cost forever, and a login for an unknown user (the dummy hash, at the new
// cost) would take longer than one with a wrong password for an old
// account, telling which accounts exist. A failed rehash does not fail the
// login: it is logged, and the next login tries again.
func (s *Service) rehash(ctx context.Context, u *User, pw string) {
	old, err := s.deps.Hasher.HashCost(u.HashedPassword)
	if err != nil || old == s.deps.Hasher.Cost() {
		// err cannot happen for a hash that has just matched.
		return
	}
	fail := func(err error) {
		s.deps.Log.WarnContext(ctx, "password rehash failed", slog.Int64("user_id", u.ID),
			slog.Int("old_cost", old), slog.Int("new_cost", s.deps.Hasher.Cost()), slog.Any("error", err))
	}
	hash, err := s.deps.Hasher.Hash(ctx, pw)
	if err != nil {
		fail(err)
		return
	}
	now := s.clock()
	swapped, err := s.deps.Store.RehashPassword(ctx, u.ID, u.HashedPassword, hash, now)
	if err != nil {
		fail(err)
		return
	}
	if !swapped {
		// The password changed since this login read the user; the
		// new hash is the newer password's and stays.
		return
	}
	u.HashedPassword, u.UpdatedAt = hash, now
	s.deps.Log.InfoContext(ctx, "password rehashed", slog.Int64("user_id", u.ID),
		slog.Int("old_cost", old), slog.Int("new_cost", s.deps.Hasher.Cost()))
}

// identifier returns the text that names the account, after checking that
// it could name one at all.
func (in LoginInput) identifier() (string, error) {
	var fields []FieldError
	login, field := in.Username, "username"
	switch {
	case in.Username != "" && in.Email != "":
		fields = append(fields, FieldError{Field: "email", Message: "give username or email, not both"})
	case in.Username == "" && in.Email == "":
		fields = append(fields, FieldError{Field: "username", Message: "username or email is required"})
	case in.Email != "":
		login, field = in.Email, "email"
	}
	if len(fields) == 0 {
		if f := identifierProblem(field, login); f != nil {
			fields = append(fields, *f)
		}
	}
	if in.Password == "" {
		fields = append(fields, FieldError{Field: "password", Message: "password is required"})
	}
	if len(fields) > 0 {
		return "", validationError(fields)
	}
	return login, nil
}

// identifierProblem reports login, sent in field, when it cannot be the
// username or the email of any account: the email field must hold an
// email, the username field a username or an email (one with an '@').
//
// Such text is refused with 400 VALIDATION_ERROR before any store call,
// rather than answered as invalid credentials: the verdict depends on the
// text alone, never on what the database holds, so it tells nothing about
// which accounts exist; it names the client's mistake instead of hiding it
// behind a wrong password; and it spends no bcrypt and no database work. It
// also keeps both engines alike: PostgreSQL refuses NUL and invalid UTF-8
// in text, where SQLite would look them up and find nothing.
//
// Login checks only the syntax of an email, not the register-only rules,
// so an account registered under an older, looser rule can still log in.
func identifierProblem(field, login string) *FieldError {
	var msg string
	if field == "email" || strings.Contains(login, "@") {
		msg = emailSyntaxProblem(login)
	} else {
		msg = usernameProblem(login)
	}
	if msg == "" {
		return nil
	}
	return &FieldError{Field: field, Message: msg}
}

// lookup finds the user login names: an email (it holds an '@') in its
// canonical form, else a username.
func lookup(ctx context.Context, st UserStore, login string) (User, error) {
	if !strings.Contains(login, "@") {
		return st.UserByUsername(ctx, login)
	}
	email := canonicalEmail(login)
	u, err := st.UserByEmail(ctx, email)
	if lower := strings.ToLower(login); errors.Is(err, ErrUserNotFound) && lower != email {
		// An account registered before emails were stored in NFC keeps
		// the spelling it was typed in; that spelling still finds it.
		return st.UserByEmail(ctx, lower)
	}
	return u, err
}

// FindUser finds the user an operator names by username or email: the
// lookup of admin's use cases (the CLI's `user` commands, later /admin).
// The text is checked like a login's before it reaches the store: text
// that cannot name an account is a VALIDATION_ERROR, an unknown account
// USER_NOT_FOUND.
func FindUser(ctx context.Context, st UserStore, login string) (User, error) {
	if f := identifierProblem("username", login); f != nil {
		return User{}, validationError([]FieldError{*f})
	}
	u, err := lookup(ctx, st, login)
	if errors.Is(err, ErrUserNotFound) {
		return User{}, Fail(CodeUserNotFound, err)
	}
	if err != nil {
		return User{}, fmt.Errorf("find user: %w", err)
	}
	return u, nil
}
