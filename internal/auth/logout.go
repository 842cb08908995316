package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// LogoutScope is which sessions a bearer logout ends.
type LogoutScope string

// The scopes of POST /auth/logout.
const (
	ScopeCurrent LogoutScope = "current"
	ScopeOthers  LogoutScope = "others"
	ScopeAll     LogoutScope = "all"
)

// Logout ends sessions of the access token's user: the token's own
// (current), every other one (others) or all of them. Logging out of a
// session that has already ended succeeds; ending other sessions needs a
// live one.
func (s *Service) Logout(ctx context.Context, accessToken string, scope LogoutScope, client Client) error {
	c, err := s.bearer(ctx, accessToken)
	if err != nil {
		return err
	}
	now := s.clock()
	switch scope {
	case ScopeCurrent, "":
		return s.end(ctx, c.Session, now, map[string]string{"scope": string(ScopeCurrent)}, client)
	case ScopeOthers, ScopeAll:
	default:
		return validationError([]FieldError{{Field: "scope", Message: `scope must be "current", "others" or "all"`}})
	}
	if !c.Session.live(now) {
		return Fail(CodeSessionRevoked, nil)
	}
	except := c.Session.ID
	if scope == ScopeAll {
		except = ""
	}
	return s.endAll(ctx, SessionEnd{UserID: c.User.ID, Except: except, Reason: EndLogout, At: now,
		Event: client.event(ActionLogout, c.User.ID, now).with("scope", string(scope))})
}

// LogoutRefresh ends the session of a refresh token, spent or not: whoever
// holds one of its tokens could end it by replaying it anyway. A session
// that has already ended (or is gone) is a success; an expired one is
// TOKEN_EXPIRED, as for a refresh.
func (s *Service) LogoutRefresh(ctx context.Context, raw string, client Client) error {
	rt, err := s.deps.Refresh.Parse(raw)
	if err != nil {
		return Fail(CodeInvalidToken, err)
	}
	sess, _, err := s.deps.Store.SessionWithUser(ctx, rt.SessionID)
	if errors.Is(err, ErrSessionNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("find session: %w", err)
	}
	now := s.clock()
	if sess.EndedAt == nil && !now.Before(sess.ExpiresAt) {
		return Fail(CodeTokenExpired, nil)
	}
	return s.end(ctx, sess, now, nil, client)
}

// EndSession ends one live session of the caller, maybe its own. Any other
// id, another user's included, is SESSION_NOT_FOUND, so ids of other users'
// sessions cannot be probed.
func (s *Service) EndSession(ctx context.Context, c Caller, id string, client Client) error {
	notFound := Fail(CodeSessionNotFound, nil)
	if !ValidSessionID(id) {
		return notFound
	}
	now := s.clock()
	ended, err := s.deps.Store.EndSession(ctx, SessionEnd{ID: id, UserID: c.User.ID, Reason: EndLogout, At: now,
		Event: client.event(ActionLogout, c.User.ID, now)})
	if err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	if !ended {
		return notFound
	}
	s.deps.Observer.SessionsEnded(EndLogout, 1)
	s.deps.Log.InfoContext(ctx, "session ended", slog.Int64("user_id", c.User.ID),
		slog.String("session_id", id), slog.String("reason", string(EndLogout)))
	return nil
}

// end ends one session with reason logout, its event carrying details; an
// ended one stays as it is.
func (s *Service) end(ctx context.Context, sess Session, now time.Time, details map[string]string, client Client) error {
	if !sess.live(now) {
		return nil
	}
	ended, err := s.deps.Store.EndSession(ctx, SessionEnd{ID: sess.ID, UserID: sess.UserID, Reason: EndLogout, At: now,
		Event: client.event(ActionLogout, sess.UserID, now).withAll(details)})
	if err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	if ended {
		s.deps.Observer.SessionsEnded(EndLogout, 1)
		s.deps.Log.InfoContext(ctx, "session ended", slog.Int64("user_id", sess.UserID),
			slog.String("session_id", sess.ID), slog.String("reason", string(EndLogout)))
	}
	return nil
}

// endAll ends the sessions e names and counts and logs them.
func (s *Service) endAll(ctx context.Context, e SessionEnd) error {
	n, err := s.deps.Store.EndUserSessions(ctx, e)
	if err != nil {
		return fmt.Errorf("end sessions: %w", err)
	}
	SessionsEnded(ctx, s.deps, e.UserID, e.Reason, n)
	return nil
}

// SessionsEnded counts and logs n sessions of userID ended for reason, as
// every use case that ends a user's sessions reports them. Deactivated
// sessions are counted when they are purged (see PurgeSessions), so that
// they are counted once, by a serving process.
func SessionsEnded(ctx context.Context, d Deps, userID int64, reason EndReason, n int64) {
	if reason != EndDeactivated {
		d.Observe().SessionsEnded(reason, int(n))
	}
	d.Logger().InfoContext(ctx, "sessions ended", slog.Int64("user_id", userID),
		slog.Int64("count", n), slog.String("reason", string(reason)))
}
