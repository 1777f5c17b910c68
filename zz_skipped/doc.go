// Package skipped ends `go test ./...` with one line naming every test that
// skipped for a missing tool, and the command that installs it: its name
// sorts last, so `go test` runs and prints it after every other package.
// The records come from internal/testtool; see TestSkipped for the limits.
package skipped
