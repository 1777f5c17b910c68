package httpapi

import (
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// The media types a GraphQL response is served as (GraphQL over HTTP,
// https://graphql.github.io/graphql-over-http/draft/#sec-Media-Types).
const (
	// MediaJSON is application/json: the legacy type, whose request
	// errors are answered 200 so clients read the body.
	MediaJSON = "application/json"
	// MediaGraphQLResponse is application/graphql-response+json: request
	// errors are 4xx, and their body has no "data" entry.
	MediaGraphQLResponse = "application/graphql-response+json"
)

// ResponseMediaType is the media type r's Accept header asks for:
// MediaJSON when it says nothing or accepts anything (*/* or
// application/*), the acceptable one of higher quality otherwise,
// MediaGraphQLResponse on a tie. ok is false when Accept admits neither
// (the answer is then 406).
func ResponseMediaType(r *http.Request) (mediaType string, ok bool) {
	accept := strings.Join(r.Header.Values("Accept"), ",")
	if strings.TrimSpace(accept) == "" {
		return MediaJSON, true
	}
	var qJSON, qGraphQL, qAny float64 = -1, -1, -1
	for part := range strings.SplitSeq(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if s, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 0 && f <= 1 {
				q = f
			}
		}
		switch mt {
		case MediaJSON:
			qJSON = max(qJSON, q)
		case MediaGraphQLResponse:
			qGraphQL = max(qGraphQL, q)
		case "*/*", "application/*":
			qAny = max(qAny, q)
		}
	}
	switch {
	case qGraphQL > 0 && qGraphQL >= qJSON:
		return MediaGraphQLResponse, true
	case qJSON > 0:
		return MediaJSON, true
	case qAny > 0:
		return MediaJSON, true
	}
	return "", false
}
