package graph

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// postJSON is gqlgen's POST transport with a cheaper response writer for
// the usual request, one that accepts application/json (or says nothing).
// encoding/json scans every json.RawMessage it marshals again, to compact
// and HTML-escape it; the executor's data is compact JSON already, and
// copying it as it is saves that pass over the whole response (4% of a
// request's CPU). Requests asking for another media type, and bodies that
// are not JSON, go to gqlgen's POST unchanged.
type postJSON struct{ transport.POST }

var _ graphql.Transport = postJSON{}

func (t postJSON) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	if a := r.Header.Get("Accept"); a != "" && a != "application/json" {
		t.POST.Do(w, r, exec)
		return
	}
	ctx := r.Context()
	start := graphql.Now()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		w.Header().Set("Content-Type", "application/json")
		writeResponse(w, exec.DispatchError(ctx, gqlerror.List{gqlerror.Errorf("could not read request body: %+v", err)}))
		return
	}
	var params graphql.RawParams
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&params); err != nil {
		r.Body = io.NopCloser(bytes.NewReader(body))
		t.POST.Do(w, r, exec)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	rc, opErr := exec.CreateOperationContext(ctx, &params)
	if opErr != nil {
		// As gqlgen's POST answers application/json.
		if errcode.GetErrorKind(opErr) == errcode.KindProtocol {
			w.WriteHeader(http.StatusUnprocessableEntity)
		}
		writeResponse(w, exec.DispatchError(graphql.WithOperationContext(ctx, rc), opErr))
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, rc)
	writeResponse(w, responses(ctx))
}

// writeResponse writes resp as encoding/json would, with its data copied
// as the executor made it.
func writeResponse(w io.Writer, resp *graphql.Response) {
	if resp == nil {
		_, _ = w.Write([]byte("null")) // as encoding/json writes it
		return
	}
	if resp.Label != "" || resp.Path != nil || resp.HasNext != nil {
		// Incremental delivery, which POST does not serve: the general way.
		b, _ := json.Marshal(resp)
		_, _ = w.Write(b)
		return
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
		buf = append(buf, ',')
	}
	buf = append(buf, `"data":`...)
	if len(resp.Data) == 0 {
		buf = append(buf, "null"...)
	} else {
		buf = append(buf, resp.Data...)
	}
	if len(resp.Extensions) > 0 {
		b, err := json.Marshal(resp.Extensions)
		if err != nil {
			panic(err)
		}
		buf = append(buf, `,"extensions":`...)
		buf = append(buf, b...)
	}
	buf = append(buf, '}')
	_, _ = w.Write(buf)
}
