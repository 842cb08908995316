package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/authd/authd/internal/password"
	"github.com/authd/authd/internal/token"
)

// PasswordHasher hashes and checks passwords; *password.Hasher is the real one.
type PasswordHasher interface {
	// Cost is the bcrypt cost of the hashes Hash makes.
	Cost() int
	Hash(ctx context.Context, password string) (string, error)
	Compare(ctx context.Context, hash, password string) error
	CompareDummy(ctx context.Context, password string) error
}

// TokenIssuer issues and verifies tokens; *token.Issuer is the JWT one. It is
// an interface so refresh tokens can later become server-side sessions
// (rotation, revocation) without the HTTP API changing.
type TokenIssuer interface {
	Issue(userID int64, username string) (token.Pair, error)
	Parse(raw string, want token.Kind) (token.Claims, error)
}

// Session is a user together with the tokens just issued for them.
type Session struct {
	User   User
	Tokens token.Pair
}

// Service implements register, login, refresh and me on top of a Store.
type Service struct {
	store  Store
	hasher PasswordHasher
	tokens TokenIssuer
	log    *slog.Logger
	now    func() time.Time
	// observe is told each outcome, for metrics; never nil.
	observe Observer
}

// NewService wires a Service; now is time.Now except in tests.
func NewService(store Store, hasher PasswordHasher, tokens TokenIssuer, log *slog.Logger, now func() time.Time, opts ...Option) *Service {
	s := &Service{store: store, hasher: hasher, tokens: tokens, log: log, now: now, observe: nopObserver{}}
	for _, o := range opts {
		o(s)
	}
	return s
}

// clock returns the current time in UTC, whole seconds: the precision API.md
// shows and the one both databases keep alike.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Second) }

// Register creates an active user and logs them in.
func (s *Service) Register(ctx context.Context, in RegisterInput) (Session, error) {
	if errs := in.validate(); len(errs) > 0 {
		return Session{}, validationError(errs)
	}
	hash, err := s.hasher.Hash(ctx, in.Password)
	if err != nil {
		return Session{}, hashFailure("hash password", err)
	}
	u, err := s.store.CreateUser(ctx, NewUser{
		Username:       in.Username,
		Email:          strings.ToLower(in.Email),
		HashedPassword: hash,
		CreatedAt:      s.clock(),
	})
	if errors.Is(err, ErrUserExists) {
		return Session{}, &Error{Code: CodeUserExists, Detail: "Username or email already registered", Err: err}
	}
	if err != nil {
		return Session{}, fmt.Errorf("create user: %w", err)
	}
	s.log.InfoContext(ctx, "user registered", slog.Int64("user_id", u.ID))
	return s.issue(u)
}

// LoginInput names the account by username or by email (exactly one), and
// the password. A username that holds an '@' is looked up as an email.
type LoginInput struct {
	Username string
	Email    string
	Password string
}

// Login checks the password and issues tokens. An unknown user and a wrong
// password get the same error and spend the same bcrypt work, so neither the
// answer nor its timing tells whether the account exists.
func (s *Service) Login(ctx context.Context, in LoginInput) (_ Session, err error) {
	defer func() {
		if result, ok := loginResult(err); ok {
			s.observe.LoginAttempt(result)
		}
	}()
	login, err := in.identifier()
	if err != nil {
		return Session{}, err
	}
	// bcrypt compares only the first 72 bytes; a longer password would
	// match its own prefix, so it cannot be right.
	if len(in.Password) > password.MaxBytes {
		s.log.InfoContext(ctx, "login failed", slog.String("reason", "password_too_long"))
		return Session{}, invalidCredentials()
	}
	u, err := s.lookup(ctx, login)
	if errors.Is(err, ErrUserNotFound) {
		if err := s.hasher.CompareDummy(ctx, in.Password); err != nil && !errors.Is(err, password.ErrMismatch) {
			return Session{}, hashFailure("dummy compare", err)
		}
		s.log.InfoContext(ctx, "login failed", slog.String("reason", "unknown_user"))
		return Session{}, invalidCredentials()
	}
	if err != nil {
		return Session{}, fmt.Errorf("find user: %w", err)
	}
	err = s.hasher.Compare(ctx, u.HashedPassword, in.Password)
	if errors.Is(err, password.ErrMismatch) {
		s.log.InfoContext(ctx, "login failed", slog.String("reason", "wrong_password"), slog.Int64("user_id", u.ID))
		return Session{}, invalidCredentials()
	}
	if err != nil {
		return Session{}, hashFailure("compare password", err)
	}
	if !u.IsActive {
		s.log.InfoContext(ctx, "login failed", slog.String("reason", "inactive"), slog.Int64("user_id", u.ID))
		return Session{}, inactive()
	}
	now := s.clock()
	if err := s.store.SetLastLogin(ctx, u.ID, now); err != nil {
		return Session{}, fmt.Errorf("set last login: %w", err)
	}
	u.LastLogin, u.UpdatedAt = &now, now
	s.rehash(ctx, &u, in.Password)
	s.log.InfoContext(ctx, "user logged in", slog.Int64("user_id", u.ID))
	return s.issue(u)
}

// rehash replaces u's hash with one at the configured bcrypt cost when it
// was made at another (AUTHD_BCRYPT_COST changed since): a login is the only
// moment authd holds the password. Left alone, old hashes would keep their
// cost forever, and a login for an unknown user (the dummy hash, at the new
// cost) would take longer than one with a wrong password for an old
// account, telling which accounts exist. A failed rehash does not fail the
// login: it is logged, and the next login tries again.
func (s *Service) rehash(ctx context.Context, u *User, pw string) {
	old, err := password.HashCost(u.HashedPassword)
	if err != nil || old == s.hasher.Cost() {
		// err cannot happen for a hash that has just matched.
		return
	}
	fail := func(err error) {
		s.log.WarnContext(ctx, "password rehash failed", slog.Int64("user_id", u.ID),
			slog.Int("old_cost", old), slog.Int("new_cost", s.hasher.Cost()), slog.Any("error", err))
	}
	hash, err := s.hasher.Hash(ctx, pw)
	if err != nil {
		fail(err)
		return
	}
	now := s.clock()
	if err := s.store.SetPasswordHash(ctx, u.ID, hash, now); err != nil {
		fail(err)
		return
	}
	u.HashedPassword, u.UpdatedAt = hash, now
	s.log.InfoContext(ctx, "password rehashed", slog.Int64("user_id", u.ID),
		slog.Int("old_cost", old), slog.Int("new_cost", s.hasher.Cost()))
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

func (s *Service) lookup(ctx context.Context, login string) (User, error) {
	if strings.Contains(login, "@") {
		return s.store.UserByEmail(ctx, strings.ToLower(login))
	}
	return s.store.UserByUsername(ctx, login)
}

// Refresh exchanges a refresh token for a new token pair.
func (s *Service) Refresh(ctx context.Context, refreshToken string) (token.Pair, error) {
	u, err := s.userFromToken(ctx, refreshToken, token.Refresh)
	if err != nil {
		s.refreshFailed(err)
		return token.Pair{}, err
	}
	session, err := s.issue(u)
	if err == nil {
		s.observe.RefreshAttempt(RefreshRotated)
	}
	return session.Tokens, err
}

// Me returns the active user an access token was issued to.
func (s *Service) Me(ctx context.Context, accessToken string) (User, error) {
	return s.userFromToken(ctx, accessToken, token.Access)
}

func (s *Service) userFromToken(ctx context.Context, raw string, kind token.Kind) (User, error) {
	claims, err := s.tokens.Parse(raw, kind)
	if errors.Is(err, token.ErrExpired) {
		return User{}, &Error{Code: CodeTokenExpired, Detail: "Token has expired", Err: err}
	}
	if err != nil {
		return User{}, &Error{Code: CodeInvalidToken, Detail: "Invalid token", Err: err}
	}
	u, err := s.store.UserByID(ctx, claims.UserID)
	if errors.Is(err, ErrUserNotFound) {
		// The account behind a well-signed token is gone: the token is void.
		return User{}, &Error{Code: CodeInvalidToken, Detail: "Invalid token", Err: err}
	}
	if err != nil {
		return User{}, fmt.Errorf("find user: %w", err)
	}
	if !u.IsActive {
		return User{}, inactive()
	}
	return u, nil
}

// SetActive activates or deactivates the account named by username or
// email; it is the operator's command, not an HTTP endpoint.
func (s *Service) SetActive(ctx context.Context, login string, active bool) (User, error) {
	// The operator's argument is client text like a login's, and gets the
	// same check before it reaches the store.
	if f := identifierProblem("username", login); f != nil {
		return User{}, validationError([]FieldError{*f})
	}
	u, err := s.lookup(ctx, login)
	if errors.Is(err, ErrUserNotFound) {
		return User{}, &Error{Code: CodeUserNotFound, Detail: "User not found", Err: err}
	}
	if err != nil {
		return User{}, fmt.Errorf("find user: %w", err)
	}
	now := s.clock()
	if err := s.store.SetActive(ctx, u.ID, active, now); err != nil {
		return User{}, fmt.Errorf("set active: %w", err)
	}
	u.IsActive, u.UpdatedAt = active, now
	s.log.InfoContext(ctx, "user activity changed", slog.Int64("user_id", u.ID), slog.Bool("is_active", active))
	return u, nil
}

func (s *Service) issue(u User) (Session, error) {
	pair, err := s.tokens.Issue(u.ID, u.Username)
	if err != nil {
		return Session{}, fmt.Errorf("issue tokens: %w", err)
	}
	return Session{User: u, Tokens: pair}, nil
}

// overloadRetry is what an OVERLOADED answer tells the client to wait.
const overloadRetry = time.Second

// hashFailure turns a full bcrypt queue into 503 OVERLOADED, answered at
// once instead of letting every login wait longer and longer.
func hashFailure(what string, err error) error {
	if errors.Is(err, password.ErrOverloaded) {
		return &Error{Code: CodeOverloaded, Detail: "Too many password checks at once; try again shortly",
			RetryAfter: overloadRetry, Err: err}
	}
	return fmt.Errorf("%s: %w", what, err)
}

// invalidCredentials is one answer for an unknown user and a wrong password.
func invalidCredentials() *Error {
	return &Error{Code: CodeInvalidCredentials, Detail: "Invalid credentials"}
}

func inactive() *Error {
	return &Error{Code: CodeUserInactive, Detail: "User account is inactive"}
}
