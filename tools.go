//go:build tools

// This file pins the code-generation tools in go.mod, so `go generate ./...`
// runs the version the project was built with.
package main

import (
	_ "github.com/99designs/gqlgen"
	_ "github.com/Khan/genqlient"
)
