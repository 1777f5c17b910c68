package graph

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// TestWriteResponse_AsEncodingJSON checks that the copying writer says what
// encoding/json says, field for field, for every shape a POST answers.
func TestWriteResponse_AsEncodingJSON(t *testing.T) {
	for _, tc := range []struct {
		name string
		resp *graphql.Response
	}{
		{"DataOnly", &graphql.Response{Data: json.RawMessage(`{"a":[1,{"b":"<mark>x</mark> & \"q\""}]}`)}},
		{"NullData", &graphql.Response{}},
		{"ErrorsDataExtensions", &graphql.Response{
			Errors:     gqlerror.List{{Message: "no", Path: ast.Path{ast.PathName("a"), ast.PathIndex(2)}, Extensions: map[string]any{"code": "X"}}},
			Data:       json.RawMessage(`{"a":null}`),
			Extensions: map[string]any{"cost": map[string]any{"requestedQueryCost": 3, "actualQueryCost": 1}},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := bytes.NewBuffer(responseBody(tc.resp, true, nil))
			want, err := json.Marshal(tc.resp)
			if err != nil {
				t.Fatal(err)
			}
			var g, w any
			if err := json.Unmarshal(got.Bytes(), &g); err != nil {
				t.Fatalf("not JSON: %s: %v", got.Bytes(), err)
			}
			_ = json.Unmarshal(want, &w)
			if !reflect.DeepEqual(g, w) {
				t.Errorf("got %s, want %s", got.Bytes(), want)
			}
			if tc.resp.Data != nil && !bytes.Contains(got.Bytes(), tc.resp.Data) {
				t.Errorf("the data is not copied as it is: %s", got.Bytes())
			}
		})
	}
	t.Run("RequestErrorHasNoData", func(t *testing.T) {
		got := bytes.NewBuffer(responseBody(&graphql.Response{Errors: gqlerror.List{{Message: "no"}}, Extensions: map[string]any{"x": 1}}, false, nil))
		if want := `{"errors":[{"message":"no"}],"extensions":{"x":1}}`; got.String() != want {
			t.Errorf("got %s, want %s", got.String(), want)
		}
	})
}
