package graph

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	otelcodes "go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/folio/folio/internal/accesslog"
	"github.com/folio/folio/internal/folio"
)

// observer is the gqlgen extension that makes each operation visible: it
// tells the request's access-log entry the operation, viewer, variables
// and error codes, and wraps the operation in an OpenTelemetry span, the
// parent of the spans of its SQL statements and Redis commands.
type observer struct {
	tracer trace.Tracer
}

var (
	_ graphql.HandlerExtension    = observer{}
	_ graphql.ResponseInterceptor = observer{}
)

func newObserver(tp trace.TracerProvider) observer {
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	return observer{tracer: tp.Tracer("github.com/folio/folio/graph")}
}

func (observer) ExtensionName() string                   { return "Observer" }
func (observer) Validate(graphql.ExecutableSchema) error { return nil }
func (o observer) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	name, opType := "", ""
	entry := accesslog.From(ctx)
	if graphql.HasOperationContext(ctx) {
		oc := graphql.GetOperationContext(ctx)
		name = oc.OperationName
		if oc.Operation != nil {
			opType = string(oc.Operation.Operation)
			if name == "" {
				name = oc.Operation.Name
			}
		}
		entry.SetVariables(oc.Variables)
	}
	entry.SetOperation(name, opType)
	entry.SetViewer(folio.ViewerFrom(ctx))

	spanName := strings.TrimSpace(opType + " " + name)
	if spanName == "" {
		spanName = "GraphQL operation"
	}
	ctx, span := o.tracer.Start(ctx, spanName, trace.WithAttributes(
		attribute.String("graphql.operation.name", name),
		attribute.String("graphql.operation.type", opType),
	))
	defer span.End()

	resp := next(ctx)
	if resp != nil && len(resp.Errors) > 0 {
		errCodes := make([]string, 0, len(resp.Errors))
		for _, e := range resp.Errors {
			c, _ := e.Extensions["code"].(string)
			errCodes = append(errCodes, c)
		}
		entry.AddErrorCodes(errCodes...)
		span.SetAttributes(attribute.StringSlice("graphql.error.codes", errCodes))
		span.SetStatus(otelcodes.Error, strings.Join(errCodes, ","))
	}
	return resp
}
