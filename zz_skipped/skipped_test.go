package skipped

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/folio/folio/internal/testtool"
)

// TestSkipped waits until every other process `go test` started (test
// binaries, and the compilers and linkers still making them) has ended,
// then reads the run's skip records and prints them as one line: in the
// test's log, and on the output of `go test` itself, which does not show a
// passing package's log unless -v is given.
//
// Limits, all Linux's /proc: the wait sees processes, so it needs /proc
// (elsewhere it reports what is recorded when it runs); `go test` starts a
// package's binary just after linking it, so the wait asks for the quiet to
// hold over three looks 100 ms apart; a package answered from the test cache
// runs nothing and records nothing (the README's command has -count=1); and
// the line reaches the output of `go test` only when that is a terminal or a
// pipe, never a file, which writing out of turn could corrupt.
func TestSkipped(t *testing.T) {
	complete := waitForSiblings(t, 20*time.Minute)
	dir := testtool.Dir()
	recs, err := testtool.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	line := summary(recs, complete)
	t.Log(line)
	tell(line)
	if err := os.RemoveAll(dir); err != nil {
		t.Errorf("remove %s: %v", dir, err)
	}
}

// summary is the one line that ends the run.
func summary(recs []testtool.Record, complete bool) string {
	var b strings.Builder
	b.WriteString("skipped for a missing tool")
	if len(recs) == 0 {
		b.WriteString(": none")
	} else {
		names := make([]string, len(recs))
		for i, r := range recs {
			names[i] = r.String()
		}
		slices.Sort(names)
		names = slices.Compact(names)
		fmt.Fprintf(&b, " (%d): %s", len(names), strings.Join(names, "; "))
	}
	if !complete {
		b.WriteString(" (other tests were still running; there may be more)")
	}
	return b.String()
}

// waitForSiblings waits until this process is the only child of its parent
// left, and reports whether it saw that before the deadline.
func waitForSiblings(t *testing.T, within time.Duration) bool {
	t.Helper()
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		return false
	}
	parent, self := os.Getppid(), os.Getpid()
	deadline := time.Now().Add(within)
	quiet := 0
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for quiet < 3 {
		if time.Now().After(deadline) {
			return false
		}
		if siblings(parent, self) == 0 {
			quiet++
		} else {
			quiet = 0
		}
		<-tick.C
	}
	return true
}

// siblings counts the processes other than self whose parent is parent.
func siblings(parent, self int) int {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	n := 0
	for _, p := range stats {
		raw, err := os.ReadFile(p)
		if err != nil {
			continue // ended while we looked
		}
		// pid (comm) state ppid …: comm may hold spaces and parentheses.
		rest := string(raw)
		i := strings.LastIndexByte(rest, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(rest[i+1:])
		if len(f) < 2 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		pid, _ := strconv.Atoi(strings.Fields(rest)[0])
		if ppid == parent && pid != self {
			n++
		}
	}
	return n
}

// tell writes line to the output of `go test`, when that is a terminal or
// a pipe.
func tell(line string) {
	out, err := os.OpenFile("/proc/"+strconv.Itoa(os.Getppid())+"/fd/1", os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return
	}
	defer out.Close()
	fi, err := out.Stat()
	if err != nil || fi.Mode()&(os.ModeCharDevice|os.ModeNamedPipe) == 0 {
		return
	}
	fmt.Fprintln(out, line)
}

func TestSummary(t *testing.T) {
	recs := []testtool.Record{
		{Package: "e2e", Test: "TestBrowser", What: "node", Install: "apt-get install nodejs npm"},
		{Package: "schema", Test: "TestCompat", What: "GraphQL Inspector", Install: "npm ci --prefix tools/schema"},
		{Package: "e2e", Test: "TestBrowser", What: "node", Install: "apt-get install nodejs npm"},
	}
	for _, tt := range []struct {
		name     string
		recs     []testtool.Record
		complete bool
		want     string
	}{
		{"None", nil, true, "skipped for a missing tool: none"},
		{"SortedOnce", recs, true, "skipped for a missing tool (2): e2e TestBrowser (node: apt-get install nodejs npm); schema TestCompat (GraphQL Inspector: npm ci --prefix tools/schema)"},
		{"Incomplete", nil, false, "skipped for a missing tool: none (other tests were still running; there may be more)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := summary(tt.recs, tt.complete); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}
