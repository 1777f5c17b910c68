// Package migrations holds Folio's numbered SQL migrations, embedded into the
// binary so a deployed server carries the schema it expects.
package migrations

import "embed"

// FS is the set of goose migrations, applied in file-name order.
//
//go:embed *.sql
var FS embed.FS
