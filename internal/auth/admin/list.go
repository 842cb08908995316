package admin

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/authd/authd/internal/auth"
)

// Page sizes of GET /admin/users and GET /admin/audit (API.md).
const (
	DefaultLimit = 50
	MaxLimit     = 200
	// MaxQuery bounds the search text: longer matches nothing a username
	// (50) or email (100) could hold anyway.
	MaxQuery = 100
)

// A cursor is the id a page ended at, wrapped so clients treat it as
// opaque: "u:<id>" for users, "e:<id>" for events, in unpadded base64url.
// Paging by id (not by offset) is what keeps a walk stable while rows are
// inserted: a page starts after the last id seen, whatever came before.
func encodeCursor(kind string, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + strconv.FormatInt(id, 10)))
}

// decodeCursor reads a cursor of kind; "" is the first page (0).
func decodeCursor(kind, c string) (int64, error) {
	if c == "" {
		return 0, nil
	}
	bad := auth.NewError(auth.CodeValidation, "Request validation failed", nil)
	bad.Fields = []auth.FieldError{{Field: "cursor", Message: "cursor is not one this server gave"}}
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, bad
	}
	rest, ok := strings.CutPrefix(string(raw), kind+":")
	if !ok {
		return 0, bad
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	if err != nil || id <= 0 {
		return 0, bad
	}
	return id, nil
}

// pageLimit is limit checked against API.md's 1–200, 0 meaning the default.
func pageLimit(limit int) (int, error) {
	if limit == 0 {
		return DefaultLimit, nil
	}
	if limit < 1 || limit > MaxLimit {
		e := auth.NewError(auth.CodeValidation, "Request validation failed", nil)
		e.Fields = []auth.FieldError{{Field: "limit", Message: fmt.Sprintf("limit must be 1 to %d", MaxLimit)}}
		return 0, e
	}
	return limit, nil
}

// Users is one page of the user list, by id ascending, and the cursor of
// the next page ("" when this one is the last).
func (s *Service) Users(ctx context.Context, query string, limit int, cursor string) ([]auth.User, string, error) {
	after, err := decodeCursor("u", cursor)
	if err != nil {
		return nil, "", err
	}
	if limit, err = pageLimit(limit); err != nil {
		return nil, "", err
	}
	if len(query) > MaxQuery {
		e := auth.NewError(auth.CodeValidation, "Request validation failed", nil)
		e.Fields = []auth.FieldError{{Field: "query", Message: fmt.Sprintf("query must be at most %d bytes", MaxQuery)}}
		return nil, "", e
	}
	// One row more than asked says whether there is a next page.
	users, err := s.deps.Store.ListUsers(ctx, auth.UserQuery{Query: query, After: after, Limit: limit + 1})
	if err != nil {
		return nil, "", fmt.Errorf("list users: %w", err)
	}
	if len(users) <= limit {
		return users, "", nil
	}
	users = users[:limit]
	return users, encodeCursor("u", users[limit-1].ID), nil
}

// Audit is one page of the audit trail, newest first, of userID and
// action when they are set, and the cursor of the next page.
func (s *Service) Audit(ctx context.Context, userID int64, action string, limit int, cursor string) ([]auth.Event, string, error) {
	before, err := decodeCursor("e", cursor)
	if err != nil {
		return nil, "", err
	}
	if limit, err = pageLimit(limit); err != nil {
		return nil, "", err
	}
	ev, err := s.deps.Store.Events(ctx, auth.EventQuery{UserID: userID, Action: auth.Action(action), Before: before, Limit: limit + 1})
	if err != nil {
		return nil, "", fmt.Errorf("audit events: %w", err)
	}
	if len(ev) <= limit {
		return ev, "", nil
	}
	ev = ev[:limit]
	return ev, encodeCursor("e", ev[limit-1].ID), nil
}
