package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/folio/folio/internal/folio"
	"github.com/folio/folio/internal/httpapi"
)

// overHTTP is GraphQL over HTTP as its spec (graphql.github.io/graphql-over-http)
// says, for GET and POST, in place of gqlgen's GET and POST transports:
//
//   - the response's media type is the one Accept asks for
//     (httpapi.ResponseMediaType; httpapi answers 406 when it admits none);
//   - a request error (the body is not a GraphQL request, the document does
//     not parse or validate, the variables do not fit it, a ceiling refuses
//     it) has no "data" entry, and is answered 200 under application/json,
//     so that clients read its errors, and 4xx under
//     application/graphql-response+json;
//   - a GET runs queries only (httpapi's CSRF check answers 405 first);
//   - every refusal carries an extensions.code.
//
// httpapi has read the POST body already, within its size and time limits.
// The executor's data is copied into the response as it is: encoding/json
// would scan every json.RawMessage again to compact and HTML-escape it,
// 4% of a request's CPU.
type overHTTP struct {
	// files bounds the files of a multipart request (the GraphQL multipart
	// request spec); its zero value takes none.
	files fileLimits
}

var _ graphql.Transport = overHTTP{}

func (overHTTP) Supports(r *http.Request) bool {
	return r.Header.Get("Upgrade") == "" && (r.Method == http.MethodGet || r.Method == http.MethodPost)
}

func (t overHTTP) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx, op := withOneOperation(r.Context())
	mt, ok := httpapi.ResponseMediaType(r)
	if !ok {
		mt = httpapi.MediaJSON
	}
	start := graphql.Now()
	params, ferr := requestParams(r, t.files)
	if ferr != nil {
		httpapi.WriteError(w, r, ferr)
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	w.Header().Set("Content-Type", mt)
	rc, opErr := exec.CreateOperationContext(ctx, params)
	if opErr != nil {
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, rc), opErr)
		httpapi.WriteWhole(w, r, requestErrorStatus(mt, params, resp), responseBody(resp, false, nil))
		return
	}
	if r.Method == http.MethodGet {
		if op := rc.Doc.Operations.ForName(rc.OperationName); op == nil || op.Operation != ast.Query {
			// httpapi's CSRF check refuses these first; this is the backstop.
			w.Header().Set("Allow", "POST")
			httpapi.WriteError(w, r, folio.Errorf(folio.EMethodNotAllowed, "Only queries may be sent with GET; send this operation with POST."))
			return
		}
	}
	responses, ctx := exec.DispatchOperation(ctx, rc)
	resp := responses(ctx)
	if resp == nil {
		// The executor gives up without an answer when the request's
		// context ends first.
		resp = &graphql.Response{Errors: gqlerror.List{{
			Message:    "The request ran out of time.",
			Extensions: map[string]any{"code": extCode(folio.ETimeout)},
		}}}
	}
	if hasCode(resp, extCode(folio.EUnavailable)) {
		w.Header().Set("Retry-After", strconv.Itoa(int(retryAfterUnavailable.Seconds())))
	}
	httpapi.WriteWhole(w, r, http.StatusOK, responseBody(resp, true, op))
}

// hasCode reports whether any of resp's errors has code.
func hasCode(resp *graphql.Response, code string) bool {
	for _, e := range resp.Errors {
		if c, _ := e.Extensions["code"].(string); c == code {
			return true
		}
	}
	return false
}

// requestParams decodes the GraphQL request: the JSON body of a POST (or
// its multipart form, with files), or the URL parameters of a GET.
func requestParams(r *http.Request, files fileLimits) (*graphql.RawParams, *folio.Error) {
	params := &graphql.RawParams{}
	if r.Method == http.MethodGet {
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			return nil, folio.Errorf(folio.EInvalid, "The URL's query string does not parse.")
		}
		params.Query = q.Get("query")
		params.OperationName = q.Get("operationName")
		if v := q.Get("variables"); v != "" {
			if err := decodeJSON(strings.NewReader(v), &params.Variables); err != nil {
				return nil, folio.Errorf(folio.EInvalid, "The variables parameter is not a JSON object.")
			}
		}
		if v := q.Get("extensions"); v != "" {
			if err := decodeJSON(strings.NewReader(v), &params.Extensions); err != nil {
				return nil, folio.Errorf(folio.EInvalid, "The extensions parameter is not a JSON object.")
			}
		}
		return params, nil
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		// httpapi read it already; this is a reader over memory.
		return nil, folio.Errorf(folio.EIncompleteBody, "The request body could not be read.")
	}
	if mt, mp, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		return multipartParams(body, mp["boundary"], files)
	}
	if err := decodeJSON(bytes.NewReader(body), params); err != nil {
		return nil, folio.Errorf(folio.EInvalid, "The body is not a JSON object of the form {\"query\": …, \"variables\": {…}}.")
	}
	return params, nil
}

// decodeJSON decodes one JSON value, numbers kept as written, and refuses
// anything after it.
func decodeJSON(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errTrailingData
	}
	return nil
}

var errTrailingData = errors.New("data after the JSON value")

// noOperation is gqlgen's message for a request without a document, or
// whose operationName names none of it.
const noOperation = "no operation provided"

// requestErrorStatus is the HTTP status of a request error in media type
// mt: under application/graphql-response+json, the status of its code
// where that is a server's or a budget's (5xx, 429), 400 otherwise; under
// application/json, 200, unless the request was not a GraphQL request at
// all (no document: 400).
func requestErrorStatus(mt string, params *graphql.RawParams, resp *graphql.Response) int {
	var code string
	if len(resp.Errors) > 0 {
		code, _ = resp.Errors[0].Extensions["code"].(string)
	}
	if mt == httpapi.MediaGraphQLResponse {
		return httpapi.RequestErrorStatus(code)
	}
	if len(resp.Errors) > 0 && resp.Errors[0].Message == noOperation && params.Query == "" {
		return http.StatusBadRequest
	}
	return http.StatusOK
}

// responseBody is resp as encoding/json would write it, with its data
// copied as the executor made it, and no "data" entry unless executed (a
// request error has none). A response of data alone (and extensions) is
// finished in the buffer its data was written to, if op holds it.
func responseBody(resp *graphql.Response, executed bool, op *httpOperation) []byte {
	if resp.Label != "" || resp.Path != nil || resp.HasNext != nil {
		// Incremental delivery, which this transport does not serve: the general way.
		b, _ := json.Marshal(resp)
		return b
	}
	if executed && len(resp.Errors) == 0 {
		if buf, ok := op.opened(resp); ok {
			return closeResponse(buf, resp.Extensions)
		}
	}
	buf := make([]byte, 0, len(resp.Data)+512)
	buf = append(buf, '{')
	if len(resp.Errors) > 0 {
		b, err := json.Marshal(resp.Errors)
		if err != nil {
			panic(err) // as gqlgen's writer: an error that does not marshal is our bug
		}
		buf = append(buf, `"errors":`...)
		buf = append(buf, b...)
	}
	if executed {
		if len(resp.Errors) > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, `"data":`...)
		if len(resp.Data) == 0 {
			buf = append(buf, "null"...)
		} else {
			buf = append(buf, resp.Data...)
		}
	}
	return closeResponse(buf, resp.Extensions)
}

// closeResponse ends the response in buf with its extensions.
func closeResponse(buf []byte, extensions map[string]any) []byte {
	if len(extensions) > 0 {
		b, err := json.Marshal(extensions)
		if err != nil {
			panic(err)
		}
		if len(buf) > 1 {
			buf = append(buf, ',')
		}
		buf = append(buf, `"extensions":`...)
		buf = append(buf, b...)
	}
	return append(buf, '}')
}

// opened returns the buffer that holds resp's data right after the
// response's opening, if marshalData wrote resp's data so for op: the
// data is still that buffer's, and no one has made resp another.
func (op *httpOperation) opened(resp *graphql.Response) ([]byte, bool) {
	if op == nil || len(resp.Data) == 0 || len(op.whole) != len(dataOpening)+len(resp.Data) ||
		&op.whole[len(dataOpening)] != &resp.Data[0] {
		return nil, false
	}
	return op.whole, true
}
