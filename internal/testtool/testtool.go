// Package testtool lets a test that needs a program the machine may lack
// (Node, Chromium, redis-server, initdb) skip and say so where a person
// reads it: each skip is recorded for the run of `go test` it belongs to,
// and the package zz_skipped, which `go test ./...` runs last, ends the run
// with one line naming every such skip and the command that installs the
// missing tool.
//
// A run is the `go test` process: every test binary it starts is its child,
// so records go to a directory named after the parent's process id. Tests
// run by hand (`go test -run X ./pkg`) record too; without zz_skipped in the
// run nothing reads the directory, which is left in os.TempDir.
package testtool

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Dir is where the current `go test` run's skip records go: one directory
// per run, keyed by the process id of `go test`, the parent of every test
// binary it starts.
func Dir() string {
	return filepath.Join(os.TempDir(), "folio-skipped-"+strconv.Itoa(os.Getppid()))
}

// Skip records that tb is skipped because what is missing, with the
// command that installs it, then skips tb. Callers that must fail instead
// (FOLIO_REQUIRE_NODE in CI) check that first.
func Skip(tb testing.TB, what, install string) {
	tb.Helper()
	if err := record(Dir(), tb.Name(), what, install); err != nil {
		tb.Logf("cannot record the skip for the run's summary: %v", err)
	}
	tb.Skipf("%s is missing: %s", what, install)
}

// record appends one line, package TAB test TAB what TAB install, to this
// test binary's file in dir. One file per binary, written with O_APPEND,
// so binaries running side by side never interleave.
func record(dir, test, what, install string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	pkg := strings.TrimSuffix(filepath.Base(os.Args[0]), ".test")
	f, err := os.OpenFile(filepath.Join(dir, strconv.Itoa(os.Getpid())), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	line := strings.Join([]string{pkg, test, oneLine(what), oneLine(install)}, "\t") + "\n"
	if _, err := f.WriteString(line); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func oneLine(s string) string {
	return strings.NewReplacer("\t", " ", "\n", " ").Replace(s)
}

// Record is one recorded skip.
type Record struct {
	Package, Test, What, Install string
}

// String is the record as the summary shows it.
func (r Record) String() string {
	return fmt.Sprintf("%s %s (%s: %s)", r.Package, r.Test, r.What, r.Install)
}

// Read returns the records in dir, in no particular order.
func Read(dir string) ([]Record, error) {
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Record
	for _, e := range entries {
		raw, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
			if f := strings.Split(line, "\t"); len(f) == 4 {
				out = append(out, Record{f[0], f[1], f[2], f[3]})
			}
		}
	}
	return out, nil
}
