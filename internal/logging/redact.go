package logging

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strings"
)

// Redacted replaces a secret in the logs.
const Redacted = "[REDACTED]"

// sensitiveSuffixes name what must never be logged. A key is compared in
// lower case without '-' and '_', and matches when it ends with one of
// them: "Authorization", "X-API-Key", "refreshToken", "new_password",
// "clientSecret". Identifiers such as "api_key_id" do not match.
var sensitiveSuffixes = []string{"password", "passwd", "token", "secret", "apikey", "authorization", "cookie", "credentials"}

// SensitiveKey reports whether a field, header or variable called key holds
// a secret.
func SensitiveKey(key string) bool {
	// Normalise into a buffer on the stack: this runs for every attribute
	// of every log line.
	var buf [64]byte
	k := buf[:0]
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c == '-' || c == '_':
			continue
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		}
		k = append(k, c)
	}
	for _, s := range sensitiveSuffixes {
		if len(k) >= len(s) && string(k[len(k)-len(s):]) == s {
			return true
		}
	}
	return false
}

// secretPattern finds secrets by their shape, whatever they are called: a
// JWT (three base64url parts, the first a JSON header "eyJ…"), a Folio API
// key ("folio_" and a long random tail) and a bearer credential.
var secretPattern = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*|\bfolio_[A-Za-z0-9_-]{16,}|(?i:\bbearer\s+)[A-Za-z0-9._~+/=-]{8,}`)

// RedactString replaces every secret-shaped part of s.
func RedactString(s string) string {
	if !strings.Contains(s, "eyJ") && !strings.Contains(s, "folio_") && !strings.Contains(s, "earer") {
		return s // the common case, without running the pattern
	}
	return secretPattern.ReplaceAllString(s, Redacted)
}

// redactAttr returns a with every secret replaced: by its key, by its
// shape, and inside groups, maps and slices it carries.
func redactAttr(a slog.Attr) slog.Attr {
	if SensitiveKey(a.Key) {
		return slog.String(a.Key, Redacted)
	}
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, RedactString(v.String()))
	case slog.KindGroup:
		g := v.Group()
		out := make([]slog.Attr, len(g))
		for i, ga := range g {
			out[i] = redactAttr(ga)
		}
		return slog.Attr{Key: a.Key, Value: slog.GroupValue(out...)}
	case slog.KindAny:
		return slog.Any(a.Key, redactValue(v.Any()))
	}
	return slog.Attr{Key: a.Key, Value: v}
}

// redactValue walks the shapes secrets travel in: GraphQL variables
// (map[string]any, []any), headers, query strings, errors and strings.
// Values of other types are logged as their redacted text.
func redactValue(v any) any {
	switch x := v.(type) {
	case nil, bool, int, int64, float64:
		return x
	case string:
		return RedactString(x)
	case error:
		return RedactString(x.Error())
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if SensitiveKey(k) {
				out[k] = Redacted
			} else {
				out[k] = redactValue(e)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = redactValue(e)
		}
		return out
	case map[string]string:
		out := make(map[string]string, len(x))
		for k, e := range x {
			if SensitiveKey(k) {
				out[k] = Redacted
			} else {
				out[k] = RedactString(e)
			}
		}
		return out
	case http.Header:
		return redactMulti(x)
	case url.Values:
		return redactMulti(x)
	case map[string][]string:
		return redactMulti(x)
	case []string:
		out := make([]string, len(x))
		for i, e := range x {
			out[i] = RedactString(e)
		}
		return out
	}
	switch reflect.ValueOf(v).Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return v
	}
	return RedactString(fmt.Sprint(v))
}

func redactMulti[M ~map[string][]string](m M) map[string][]string {
	out := make(map[string][]string, len(m))
	for k, vs := range m {
		if SensitiveKey(k) {
			out[k] = []string{Redacted}
			continue
		}
		red := make([]string, len(vs))
		for i, e := range vs {
			red[i] = RedactString(e)
		}
		out[k] = red
	}
	return out
}
