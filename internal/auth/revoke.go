package auth

import (
	"context"
	"errors"
	"fmt"
)

// The token_type_hint values of RFC 7009 §2.1.
const (
	HintRefreshToken = "refresh_token"
	HintAccessToken  = "access_token"
)

// Revoke is RFC 7009 token revocation: a refresh token or an access token
// ends the session it belongs to. Whatever else is presented (garbage, a
// token of another server, an expired access token, a session that has
// ended or is gone) is a success with nothing to do, as §2.2 asks: the
// answer tells the caller nothing about the token. Only a store failure is
// an error.
//
// hint names which kind to try first (§2.1); the other kind is tried too,
// since a client may send a wrong hint. Both kinds end the whole session:
// an access token is only ever as good as its session at authd's own
// endpoints, so revoking one alone would mean nothing there.
func (s *Service) Revoke(ctx context.Context, raw, hint string, client Client) error {
	kinds := []string{HintRefreshToken, HintAccessToken}
	if hint == HintAccessToken {
		kinds = []string{HintAccessToken, HintRefreshToken}
	}
	for _, kind := range kinds {
		sid, userID, ok := s.tokenSession(kind, raw)
		if ok {
			return s.revokeSession(ctx, kind, sid, userID, client)
		}
	}
	return nil
}

// tokenSession reads raw as a token of kind and names its session; userID
// is the access token's user (0 for a refresh token, which names none).
func (s *Service) tokenSession(kind, raw string) (sid string, userID int64, ok bool) {
	if kind == HintRefreshToken {
		rt, err := s.deps.Refresh.Parse(raw)
		return rt.SessionID, 0, err == nil
	}
	c, err := s.deps.Tokens.Parse(raw)
	return c.SessionID, c.UserID, err == nil
}

// revokeSession ends session sid, revoked with a token of kind; userID,
// when not 0, must own it (as for a bearer call).
func (s *Service) revokeSession(ctx context.Context, kind, sid string, userID int64, client Client) error {
	sess, _, err := s.deps.Store.SessionWithUser(ctx, sid)
	if errors.Is(err, ErrSessionNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("find session: %w", err)
	}
	if userID != 0 && sess.UserID != userID {
		return nil
	}
	return s.end(ctx, sess, s.clock(), map[string]string{"via": "revoke", "token_type": kind}, client)
}
