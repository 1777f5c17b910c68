package httpapi

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"

	"github.com/folio/folio/internal/accesslog"
	"github.com/folio/folio/internal/folio"
)

// wire is how each domain error code reaches a client: its extensions.code
// and, for an error raised before the executor runs, its HTTP status. It is
// the one table of Folio's error vocabulary (docs/api.md lists it for
// clients); a code missing here is shown as an internal error.
var wire = map[folio.Code]struct {
	code   string
	status int
}{
	folio.EInvalid:         {"BAD_USER_INPUT", http.StatusBadRequest},
	folio.ETaken:           {"BAD_USER_INPUT", http.StatusBadRequest},
	folio.ENotFound:        {"NOT_FOUND", http.StatusNotFound},
	folio.EInternal:        {"INTERNAL_SERVER_ERROR", http.StatusInternalServerError},
	folio.EUnauthenticated: {"UNAUTHENTICATED", http.StatusUnauthorized},
	folio.ECredentials:     {"UNAUTHENTICATED", http.StatusUnauthorized},
	folio.EForbidden:       {"FORBIDDEN", http.StatusForbidden},
	folio.EUnverified:      {"EMAIL_NOT_VERIFIED", http.StatusForbidden},
	folio.EConflict:        {"CONFLICT", http.StatusConflict},
	folio.ERateLimited:     {"RATE_LIMITED", http.StatusTooManyRequests},
	folio.ETimeout:         {"TIMEOUT", http.StatusGatewayTimeout},
	folio.EUnavailable:     {"SERVICE_UNAVAILABLE", http.StatusServiceUnavailable},

	folio.EIdempotencyKeyReused: {"IDEMPOTENCY_KEY_REUSED", http.StatusUnprocessableEntity},
	folio.EIdempotencyKeyInUse:  {"IDEMPOTENCY_KEY_IN_USE", http.StatusConflict},

	folio.EMethodNotAllowed: {"BAD_USER_INPUT", http.StatusMethodNotAllowed},
	folio.EUnsupportedMedia: {"BAD_USER_INPUT", http.StatusUnsupportedMediaType},
	folio.ETooLarge:         {"BAD_USER_INPUT", http.StatusRequestEntityTooLarge},
	folio.ENotAcceptable:    {"BAD_USER_INPUT", http.StatusNotAcceptable},
	folio.ESlowBody:         {"BAD_USER_INPUT", http.StatusRequestTimeout},
	folio.EIncompleteBody:   {"BAD_USER_INPUT", http.StatusBadRequest},
	folio.EUploadsDisabled:  {"UPLOADS_DISABLED", http.StatusUnsupportedMediaType},

	folio.EImageType:       {"UNSUPPORTED_IMAGE_TYPE", http.StatusUnsupportedMediaType},
	folio.EImageSize:       {"IMAGE_TOO_LARGE", http.StatusRequestEntityTooLarge},
	folio.EImageDimensions: {"IMAGE_DIMENSIONS_TOO_LARGE", http.StatusRequestEntityTooLarge},

	// GraphQL over HTTP answers 200 for an operation refused after it was
	// read: the refusal is in the body.
	folio.ECostLimit:      {"COST_LIMIT_EXCEEDED", http.StatusOK},
	folio.EDepthLimit:     {"DEPTH_LIMIT_EXCEEDED", http.StatusOK},
	folio.EAliasLimit:     {"ALIAS_LIMIT_EXCEEDED", http.StatusOK},
	folio.ETokenLimit:     {"TOKEN_LIMIT_EXCEEDED", http.StatusOK},
	folio.EDirectiveLimit: {"DIRECTIVE_LIMIT_EXCEEDED", http.StatusOK},
	folio.EDocumentSize:   {"DOCUMENT_SIZE_LIMIT_EXCEEDED", http.StatusOK},
	folio.EOperationLimit: {"OPERATION_LIMIT_EXCEEDED", http.StatusOK},
	folio.EFieldLimit:     {"FIELD_LIMIT_EXCEEDED", http.StatusOK},
	folio.ESelectionLimit: {"SELECTION_LIMIT_EXCEEDED", http.StatusOK},
	folio.ERepeatLimit:    {"REPEATED_FIELD_LIMIT_EXCEEDED", http.StatusOK},
	folio.ESpreadLimit:    {"FRAGMENT_SPREAD_LIMIT_EXCEEDED", http.StatusOK},
	folio.EVariableLimit:  {"VARIABLE_LIMIT_EXCEEDED", http.StatusOK},

	folio.EPersistedQueryNotFound:  {"PERSISTED_QUERY_NOT_FOUND", http.StatusOK},
	folio.ETrustedDocumentRequired: {"TRUSTED_DOCUMENT_REQUIRED", http.StatusOK},
}

// ExtensionCode is the extensions.code a client sees for c.
func ExtensionCode(c folio.Code) string {
	if w, ok := wire[c]; ok {
		return w.code
	}
	return wire[folio.EInternal].code
}

// Status is the HTTP status of a response refused with c before the
// executor ran.
func Status(c folio.Code) int {
	if w, ok := wire[c]; ok {
		return w.status
	}
	return http.StatusInternalServerError
}

// WriteError answers a request refused before the GraphQL executor ran: a
// GraphQL response that carries only err, with the status of its code. It
// is the only writer of such responses, so they all look alike.
func WriteError(w http.ResponseWriter, r *http.Request, err *folio.Error) {
	code := ExtensionCode(err.Code)
	accesslog.From(r.Context()).AddErrorCodes(code)
	mt, ok := ResponseMediaType(r)
	if !ok {
		mt = MediaJSON
	}
	w.Header().Set("Content-Type", mt)
	if err.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(err.RetryAfter.Seconds()))))
	}
	w.WriteHeader(Status(err.Code))
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{"message": err.Message, "extensions": map[string]any{"code": code}}}})
}

// RequestErrorStatus is the HTTP status of a request error (one raised
// before execution) whose extensions.code is code, answered as
// application/graphql-response+json: the status of a server's failure
// (5xx) or a spent budget (429) where the code has one, 400 otherwise.
func RequestErrorStatus(code string) int {
	for _, w := range wire {
		if w.code == code && (w.status >= 500 || w.status == http.StatusTooManyRequests) {
			return w.status
		}
	}
	return http.StatusBadRequest
}
