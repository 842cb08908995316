package httpapi

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/authd/authd/internal/auth"
)

// DefaultBodyReadTimeout is how long a request body may take to arrive when
// Options leaves BodyReadTimeout zero.
const DefaultBodyReadTimeout = 5 * time.Second

// readBodies reads every request body in full before any handler runs,
// within MaxBodyBytes (else 413) and BodyReadTimeout (else 408), and hands
// the handlers an in-memory copy. Reading here, once, is what makes both
// bounds hold for every operation: huma applies its read timeout only to
// operations with a typed Body, so a raw-body operation was bounded only by
// the server's ReadTimeout. It is also where a body that cannot be read (a
// malformed chunk, a connection closed before Content-Length) becomes the
// client's 400 instead of a framework 500.
func (s *Server) readBodies(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		body, err := s.readBody(w, r)
		if err != nil {
			// What remains on the wire cannot be told from the next
			// request, and net/http would try to drain it; close instead.
			w.Header().Set("Connection", "close")
			s.writeError(w, r, err)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

// readBody reads r's body under the connection's read deadline. A writer
// that cannot set deadlines (a test recorder) leaves only the size bound.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(s.opts.BodyReadTimeout))
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes))
	if err != nil {
		// Leave the deadline passed, so net/http's drain of the unread
		// rest fails at once instead of waiting on a slow client.
		_ = rc.SetReadDeadline(time.Now())
		return nil, bodyError(err)
	}
	// The body is in; the connection now waits for the next request, which
	// the server's own timeouts bound.
	_ = rc.SetReadDeadline(time.Time{})
	return body, nil
}

// bodyError names why a body could not be read. Each cause is the client's:
// too much, too slow, or not well-formed HTTP; none is logged beyond the
// access line (when the client has gone, the answer reaches no one).
func bodyError(err error) error {
	var tooBig *http.MaxBytesError
	var netErr net.Error
	switch {
	case errors.As(err, &tooBig):
		return auth.Fail(auth.CodePayloadTooLarge, err)
	case errors.Is(err, os.ErrDeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return auth.Fail(auth.CodeRequestTimeout, err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return unreadableBody("request body ended before its declared length", err)
	}
	return unreadableBody("request body is not well-formed (chunked encoding) or the connection broke", err)
}

func unreadableBody(msg string, cause error) error {
	return &auth.Error{Code: auth.CodeValidation, Detail: "Unreadable request body: " + msg,
		Fields: []auth.FieldError{{Field: "body", Message: msg}}, Err: cause}
}
