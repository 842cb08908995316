package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
)

// Register creates an active user and logs them in: a new session.
func (s *Service) Register(ctx context.Context, in RegisterInput) (Authenticated, error) {
	if errs := in.validate(s.passwordProblem); len(errs) > 0 {
		return Authenticated{}, validationError(errs)
	}
	if err := s.checkRegister(ctx, in.Client.addr()); err != nil {
		return Authenticated{}, err
	}
	hash, err := s.deps.Hasher.Hash(ctx, in.Password)
	if err != nil {
		return Authenticated{}, hashFailure("hash password", err)
	}
	now := s.clock()
	email := canonicalEmail(in.Email)
	var verify *CodeRequest
	if s.deps.Mailer != nil {
		// The verification mail is queued with the user, in one write.
		if verify, err = s.deps.Mailer.VerifyRequest(User{Username: in.Username, Email: email}, in.Client, now); err != nil {
			return Authenticated{}, fmt.Errorf("verification mail: %w", err)
		}
	}
	var sess *Session
	if !s.deps.RequireVerified {
		opened := s.deps.Policy.newSession(NewSessionID(), 0, in.Client, now)
		sess = &opened
	}
	// The IP registered from becomes known to the account, as after a
	// login: an account attacked before its owner ever logs in still lets
	// them in from there.
	names := User{Username: in.Username, Email: email}.accountNames()
	// The user, their first session and the known IP are one write: a
	// registration leaves all of them or nothing.
	u, err := s.deps.Store.CreateUser(ctx, NewUser{
		Username:       in.Username,
		Email:          email,
		HashedPassword: hash,
		CreatedAt:      now,
		Session:        sess,
		Verify:         verify,
		Throttle:       s.loginSuccess(loginGuard{}, names, in.Client.addr()),
		Event:          in.Client.event(ActionRegistered, 0, now),
	})
	if errors.Is(err, ErrUserExists) {
		return Authenticated{}, Fail(CodeUserExists, err)
	}
	if err != nil {
		return Authenticated{}, fmt.Errorf("create user: %w", err)
	}
	s.deps.Log.InfoContext(ctx, "user registered", slog.Int64("user_id", u.ID))
	if sess == nil {
		// AUTHD_REQUIRE_VERIFIED_EMAIL: the user, and no session until
		// the address is verified.
		return Authenticated{User: u}, nil
	}
	sess.UserID = u.ID
	s.deps.Log.InfoContext(ctx, "session opened", slog.Int64("user_id", u.ID), slog.String("session_id", sess.ID))
	pair, err := s.pair(u, *sess, sess.Counter)
	if err != nil {
		return Authenticated{}, err
	}
	return Authenticated{User: u, SessionID: sess.ID, Tokens: pair}, nil
}
