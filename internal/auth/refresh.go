package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// OpenSession finishes a login of u from c, the one way every kind of
// login ends (a password now; the second factor and passkeys later): it
// issues the session's first tokens, then stores the session together with
// what the login records (last_login, the throttling success th, the
// event) in one write, so a login leaves all of it or nothing. A user at
// the session cap loses their least recently used session in that write.
func (s *Service) OpenSession(ctx context.Context, u User, c Client, th LoginSuccess) (Authenticated, error) {
	return s.openSession(ctx, u, c, th, AAL1)
}

// openSession is OpenSession at the assurance level aal.
func (s *Service) openSession(ctx context.Context, u User, c Client, th LoginSuccess, aal string) (Authenticated, error) {
	now := s.clock()
	sess := s.deps.Policy.newSession(NewSessionID(), u.ID, c, now)
	sess.AAL = aal
	// Tokens are made before the session is stored, so nothing can fail
	// after it exists.
	pair, err := s.pair(u, sess, sess.Counter)
	if err != nil {
		return Authenticated{}, err
	}
	capped, err := s.deps.Store.CreateSession(ctx, NewSession{Session: sess, LastLogin: true, Throttle: th,
		Cap: s.deps.Policy.MaxPerUser, Event: c.event(ActionLogin, u.ID, now)})
	if errors.Is(err, ErrUserInactive) {
		// Deactivated since the login read the user: the deactivation
		// ended their sessions, and this login must not add one.
		s.deps.Log.InfoContext(ctx, "login failed", slog.String("reason", "inactive"), slog.Int64("user_id", u.ID))
		return Authenticated{}, Fail(CodeUserInactive, err)
	}
	if err != nil {
		return Authenticated{}, fmt.Errorf("create session: %w", err)
	}
	u.LastLogin, u.UpdatedAt = &now, now
	s.deps.Log.InfoContext(ctx, "session opened", slog.Int64("user_id", u.ID), slog.String("session_id", sess.ID))
	if capped > 0 {
		SessionsEnded(ctx, s.deps, u.ID, EndCap, capped)
	}
	return Authenticated{User: u, SessionID: sess.ID, Tokens: pair}, nil
}

// pair issues an access token for the session and the refresh token of counter.
func (s *Service) pair(u User, sess Session, counter int64) (Pair, error) {
	sid := sess.ID
	access, expires, err := s.deps.Tokens.Issue(AccessClaims{UserID: u.ID, Username: u.Username, SessionID: sid,
		Roles: u.Roles, AMR: sess.AMR(), AAL: sess.aal()})
	if err != nil {
		return Pair{}, fmt.Errorf("issue access token: %w", err)
	}
	refresh, err := s.deps.Refresh.Mint(sid, counter)
	if err != nil {
		return Pair{}, fmt.Errorf("mint refresh token: %w", err)
	}
	return Pair{Access: access, Refresh: refresh, AccessExpires: expires}, nil
}

// Refresh exchanges a refresh token, presented by the client c, for a new
// token pair, rotating the session (see decideRefresh for the rules). It
// is the one refresh of authd: POST /auth/refresh and the OAuth2 refresh
// grant both call it.
//
// Concurrency is decided by the database: of several refreshes of one
// token, on one replica or many, exactly one compare-and-swap matches; the
// others read the session again and, inside the grace, answer the token
// the winner got (minting is deterministic). A store failure is returned
// as it is (500 or 503), never as a 401: a client must not throw away a
// good session because the database blinked.
func (s *Service) Refresh(ctx context.Context, raw string, c Client) (Pair, error) {
	rt, err := s.deps.Refresh.Parse(raw)
	if err != nil {
		s.deps.Log.InfoContext(ctx, "refresh refused", slog.String("reason", "invalid"))
		s.deps.Observer.RefreshAttempt(RefreshInvalid)
		return Pair{}, Fail(CodeInvalidToken, err)
	}
	sess, u, err := s.sessionWithUser(ctx, rt.SessionID)
	if err != nil {
		s.refreshFailed(err)
		return Pair{}, err
	}
	now := s.clock()
	outcome := decideRefresh(sess, rt.Counter, c.IP, now, s.deps.Policy.ReuseGrace)
	if outcome == refreshRotate {
		if err := s.usable(u); err != nil {
			return Pair{}, err
		}
		// The answer is made before the swap, so nothing can fail once
		// the old token is spent.
		pair, err := s.pair(u, sess, sess.Counter+1)
		if err != nil {
			return Pair{}, err
		}
		swapped, err := s.deps.Store.RotateSession(ctx, SessionRotation{ID: sess.ID, From: sess.Counter, At: now,
			Expires: s.deps.Policy.expiry(now, sess.MaxExpiresAt), IP: c.IP})
		if err != nil {
			return Pair{}, fmt.Errorf("rotate session: %w", err)
		}
		if swapped {
			s.deps.Log.InfoContext(ctx, "session refreshed", slog.Int64("user_id", u.ID), slog.String("session_id", sess.ID))
			s.deps.Observer.RefreshAttempt(RefreshRotated)
			return pair, nil
		}
		// Another refresh or an end came first: decide again on what it
		// left. The counter only grows, so this cannot be a rotation again.
		if sess, u, err = s.sessionWithUser(ctx, rt.SessionID); err != nil {
			return Pair{}, err
		}
		if outcome = decideRefresh(sess, rt.Counter, c.IP, now, s.deps.Policy.ReuseGrace); outcome == refreshRotate {
			return Pair{}, errors.New("rotate session: lost the swap but the counter did not move")
		}
	}
	return s.refreshOutcome(ctx, outcome, sess, u, now, c)
}

// refreshOutcome answers every outcome but a rotation.
func (s *Service) refreshOutcome(ctx context.Context, outcome refreshOutcome, sess Session, u User, now time.Time, c Client) (Pair, error) {
	attrs := []any{slog.Int64("user_id", u.ID), slog.String("session_id", sess.ID), slog.String("reason", outcome.String())}
	switch outcome {
	case refreshGrace:
		if err := s.usable(u); err != nil {
			return Pair{}, err
		}
		s.deps.Log.InfoContext(ctx, "session refreshed", attrs...)
		s.deps.Observer.RefreshAttempt(RefreshGrace)
		return s.pair(u, sess, sess.Counter)
	case refreshReuse:
		// RFC 9700 §4.14.2: a spent refresh token came back, so either the
		// client or an attacker holds a copy; the whole session ends.
		ended, err := s.deps.Store.EndSession(ctx, SessionEnd{ID: sess.ID, UserID: sess.UserID, Reason: EndReuse, At: now,
			Event: c.event(ActionReuseDetected, sess.UserID, now)})
		if err != nil {
			return Pair{}, fmt.Errorf("end session after reuse: %w", err)
		}
		s.deps.Observer.RefreshAttempt(RefreshReused)
		if ended {
			s.deps.Observer.SessionsEnded(EndReuse, 1)
		}
		s.deps.Log.WarnContext(ctx, "refresh token reused: session ended", attrs...)
		return Pair{}, Fail(CodeRefreshReused, nil)
	case refreshExpired:
		s.deps.Log.InfoContext(ctx, "refresh refused", attrs...)
		s.deps.Observer.RefreshAttempt(RefreshExpired)
		return Pair{}, Fail(CodeTokenExpired, nil)
	case refreshRevoked:
		s.deps.Log.InfoContext(ctx, "refresh refused", attrs...)
		s.deps.Observer.RefreshAttempt(RefreshRevoked)
		return Pair{}, Fail(CodeSessionRevoked, nil)
	}
	s.deps.Log.InfoContext(ctx, "refresh refused", attrs...)
	s.deps.Observer.RefreshAttempt(RefreshInvalid)
	return Pair{}, Fail(CodeInvalidToken, nil)
}

// sessionWithUser reads a session named by a verified token. A session that
// is gone (deleted some time after it ended) makes the token invalid.
func (s *Service) sessionWithUser(ctx context.Context, sid string) (Session, User, error) {
	sess, u, err := s.deps.Store.SessionWithUser(ctx, sid)
	if errors.Is(err, ErrSessionNotFound) {
		return Session{}, User{}, Fail(CodeInvalidToken, err)
	}
	if err != nil {
		return Session{}, User{}, fmt.Errorf("find session: %w", err)
	}
	return sess, u, nil
}
