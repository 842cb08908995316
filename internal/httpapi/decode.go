package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/url"
	"strings"

	"github.com/authd/authd/internal/auth"
)

// Media types a request body may have.
const (
	mediaJSON = "application/json"
	mediaForm = "application/x-www-form-urlencoded"
)

// mediaType returns the lower-cased media type of a Content-Type header, or
// a 415 when it is none of accept.
func mediaType(contentType string, accept ...string) (string, error) {
	mt, _, err := mime.ParseMediaType(contentType)
	if err == nil {
		for _, a := range accept {
			if mt == a {
				return mt, nil
			}
		}
	}
	return "", &auth.Error{
		Code:   auth.CodeUnsupportedMedia,
		Detail: "Content-Type must be " + strings.Join(accept, " or "),
	}
}

// decodeJSON fills dst from body, which must be one JSON object whose keys
// are exactly the names in fields (as written, in any order, each at most
// once) and nothing after it. encoding/json alone would accept duplicate
// keys (last wins), keys in another case and trailing data: each is a way to
// smuggle a value past a proxy or a validator, so each is refused here.
func decodeJSON(body []byte, dst any, fields ...string) error {
	if err := checkObject(body, fields); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return badJSON(jsonProblem(err))
	}
	return nil
}

// checkObject walks the top-level object's keys with the tokenizer.
func checkObject(body []byte, fields []string) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	tok, err := dec.Token()
	if err != nil {
		return badJSON(jsonProblem(err))
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return badJSON("request body must be a JSON object")
	}
	seen := make(map[string]bool, len(fields))
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return badJSON(jsonProblem(err))
		}
		key, _ := tok.(string)
		if !contains(fields, key) {
			return unknownField(key)
		}
		if seen[key] {
			return fieldProblem(key, fmt.Sprintf("duplicate key %q", key))
		}
		seen[key] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return badJSON(jsonProblem(err))
		}
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return badJSON(jsonProblem(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badJSON("unexpected data after the JSON object")
	}
	return nil
}

// decodeForm reads an application/x-www-form-urlencoded body under the same
// rules: only the named fields, each at most once.
func decodeForm(body []byte, fields ...string) (url.Values, error) {
	vals, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, badJSON("malformed form body")
	}
	for key, vs := range vals {
		if !contains(fields, key) {
			return nil, unknownField(key)
		}
		if len(vs) > 1 {
			return nil, fieldProblem(key, fmt.Sprintf("duplicate field %q", key))
		}
	}
	return vals, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// jsonProblem describes a decoding error without echoing the body.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "request body is empty or cut short"
	case errors.As(err, &syn):
		return fmt.Sprintf("malformed JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %q must be a %s", typ.Field, typ.Type.Kind())
	}
	return "malformed JSON"
}

func badJSON(msg string) error {
	return &auth.Error{Code: auth.CodeValidation, Detail: "Malformed request body: " + msg,
		Fields: []auth.FieldError{{Field: "body", Message: msg}}}
}

func unknownField(key string) error {
	return fieldProblem(key, fmt.Sprintf("unknown field %q", key))
}

func fieldProblem(field, msg string) *auth.Error {
	return &auth.Error{Code: auth.CodeValidation, Detail: "Invalid request: " + msg,
		Fields: []auth.FieldError{{Field: field, Message: msg}}}
}
