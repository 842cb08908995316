package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/url"
	"reflect"
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

// jsonBody is the strict JSON decoder of one request body type T. The keys
// it allows are the json names of T's fields, so the Go type that gives
// the OpenAPI schema (see routes) is also the one list of what a body may
// hold. Handlers build theirs once, when routes registers them.
type jsonBody[T any] struct {
	keys []string
}

// newJSONBody reads T's json tags; it panics, at start, on a type that is
// not a flat struct (see bodyFields).
func newJSONBody[T any]() jsonBody[T] {
	return jsonBody[T]{keys: fieldNames(bodyFields(reflect.TypeFor[T]()))}
}

// decode fills a T from body under decodeJSON's rules.
func (b jsonBody[T]) decode(body []byte) (T, error) {
	var v T
	if err := decodeJSON(body, &v, b.keys); err != nil {
		var zero T
		return zero, err
	}
	return v, nil
}

// bodyField is one key of a request body and the index of the struct
// field that holds it.
type bodyField struct {
	name  string
	index int
}

// bodyFields lists the keys of a body type as encoding/json names them:
// the json tag's name, else the field's; "-" and unexported fields are
// not keys. Request bodies are flat structs: an embedded field would
// bring encoding/json's promotion rules, so it panics here, at start,
// rather than let the allowed keys differ from what the decoder fills.
func bodyFields(t reflect.Type) []bodyField {
	if t.Kind() != reflect.Struct {
		panic(fmt.Sprintf("httpapi: request body %s is not a struct", t))
	}
	fields := make([]bodyField, 0, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			panic(fmt.Sprintf("httpapi: request body %s embeds %s", t, f.Name))
		}
		tag := f.Tag.Get("json")
		if !f.IsExported() || tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		fields = append(fields, bodyField{name: name, index: i})
	}
	return fields
}

func fieldNames(fields []bodyField) []string {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.name
	}
	return names
}

// decodeJSON fills dst from body, which must be one JSON object whose keys
// are exactly the names in fields (as written, in any order, each at most
// once) and nothing after it. encoding/json alone would accept duplicate
// keys (last wins), keys in another case and trailing data: each is a way to
// smuggle a value past a proxy or a validator, so each is refused here.
func decodeJSON(body []byte, dst any, fields []string) error {
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

// formBody is jsonBody's counterpart for an
// application/x-www-form-urlencoded body (the OAuth2 token and revocation
// requests): the keys it reads are T's json names, and each fills its
// string field.
type formBody[T any] struct {
	fields []bodyField
	keys   []string
}

// newFormBody reads T's json tags; it panics, at start, on a field that is
// not a string, since a form value is text.
func newFormBody[T any]() formBody[T] {
	t := reflect.TypeFor[T]()
	fields := bodyFields(t)
	for _, f := range fields {
		if t.Field(f.index).Type.Kind() != reflect.String {
			panic(fmt.Sprintf("httpapi: form body %s has a field %s that is not a string", t, f.name))
		}
	}
	return formBody[T]{fields: fields, keys: fieldNames(fields)}
}

// decode fills a T from body under decodeForm's rules.
func (b formBody[T]) decode(body []byte) (T, error) {
	var v T
	vals, err := decodeForm(body, b.keys)
	if err != nil {
		return v, err
	}
	rv := reflect.ValueOf(&v).Elem()
	for _, f := range b.fields {
		rv.Field(f.index).SetString(vals.Get(f.name))
	}
	return v, nil
}

// decodeForm reads an application/x-www-form-urlencoded body. Unlike a
// JSON body, a form may carry parameters authd does not use (resource,
// audience, …): RFC 6749 §3.2 and RFC 7009 §2.1 have the server ignore
// them, and OAuth2 libraries add them unasked. A parameter authd reads
// must appear at most once (§3.2), since two values of one field are
// ambiguous.
func decodeForm(body []byte, fields []string) (url.Values, error) {
	vals, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, badJSON("malformed form body")
	}
	for _, key := range fields {
		if len(vals[key]) > 1 {
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
