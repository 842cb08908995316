package auth

import (
	"context"
	"errors"
	"fmt"
)

// Caller is the user and session behind a verified access token.
type Caller struct {
	User    User
	Session Session
}

// Authenticate checks an access token and its session: the one check
// behind every bearer endpoint. It costs one database query, which reads
// the session and its user together, so a logout takes effect at authd's
// endpoints at once.
func (s *Service) Authenticate(ctx context.Context, accessToken string) (Caller, error) {
	c, err := s.bearer(ctx, accessToken)
	if err != nil {
		return Caller{}, err
	}
	if !c.Session.live(s.clock()) {
		return Caller{}, Fail(CodeSessionRevoked, nil)
	}
	if !c.User.IsActive {
		return Caller{}, Fail(CodeUserInactive, nil)
	}
	return c, nil
}

// Me returns the active user an access token was issued to, while its
// session lives.
func (s *Service) Me(ctx context.Context, accessToken string) (User, error) {
	c, err := s.Authenticate(ctx, accessToken)
	return c.User, err
}

// bearer verifies an access token and reads its session, live or not.
func (s *Service) bearer(ctx context.Context, raw string) (Caller, error) {
	claims, err := s.deps.Tokens.Parse(raw)
	if errors.Is(err, ErrTokenExpired) {
		return Caller{}, Fail(CodeTokenExpired, err)
	}
	if err != nil {
		return Caller{}, Fail(CodeInvalidToken, err)
	}
	sess, u, err := s.deps.Store.SessionWithUser(ctx, claims.SessionID)
	if errors.Is(err, ErrSessionNotFound) {
		// A token we signed whose session is gone: it was deleted some
		// time after it ended.
		return Caller{}, Fail(CodeSessionRevoked, err)
	}
	if err != nil {
		return Caller{}, fmt.Errorf("find session: %w", err)
	}
	if sess.UserID != claims.UserID {
		return Caller{}, Fail(CodeInvalidToken, fmt.Errorf("session %s belongs to user %d, token to %d", sess.ID, sess.UserID, claims.UserID))
	}
	return Caller{User: u, Session: sess}, nil
}

// Sessions lists the caller's live sessions, newest first.
func (s *Service) Sessions(ctx context.Context, c Caller) ([]Session, error) {
	list, err := s.deps.Store.UserSessions(ctx, c.User.ID, s.clock())
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	return list, nil
}
