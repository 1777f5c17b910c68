package postgrestest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/folio/folio/internal/postgres"
	"github.com/folio/folio/internal/testtool"
)

// PGBin is where Debian installs PostgreSQL 15's server programs.
const PGBin = "/usr/lib/postgresql/15/bin"

// Pair is a throwaway Postgres primary and a streaming replica of it
// (pg_basebackup -R), each a server of its own on a spare loopback port,
// so the shared server is never touched.
type Pair struct {
	tb               testing.TB
	dir              string
	Primary, Replica Server
}

// Server is one server of a Pair.
type Server struct {
	Dir  string // its data directory
	Port int
}

// URL is the URL of database name on s.
func (s Server) URL(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.Port, name)
}

// MustReplica starts a primary and a streaming replica of it; both are
// stopped and removed when tb ends. Without PostgreSQL 15's server
// programs the test is skipped, saying so.
func MustReplica(tb testing.TB) *Pair {
	tb.Helper()
	for _, prog := range []string{"initdb", "pg_ctl", "pg_basebackup"} {
		if _, err := os.Stat(filepath.Join(PGBin, prog)); err != nil {
			testtool.Skip(tb, "PostgreSQL 15's "+prog+" ("+err.Error()+")", "apt-get install postgresql-15")
		}
	}
	dir, err := os.MkdirTemp("", "folio-replica-")
	if err != nil {
		tb.Fatal(err)
	}
	p := &Pair{tb: tb, dir: dir}
	tb.Cleanup(func() {
		for _, s := range []Server{p.Replica, p.Primary} {
			if s.Dir != "" {
				_ = asPostgres("pg_ctl", "-D", s.Dir, "-m", "immediate", "-w", "stop").Run()
			}
		}
		os.RemoveAll(dir)
	})
	owned(tb, dir)
	p.Primary = Server{Dir: filepath.Join(dir, "primary"), Port: sparePort(tb)}
	run(tb, "initdb", "-D", p.Primary.Dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
	appendConf(tb, p.Primary, "wal_level = replica\nmax_wal_senders = 4\n")
	p.start(p.Primary)

	p.Replica = Server{Dir: filepath.Join(dir, "replica"), Port: sparePort(tb)}
	run(tb, "pg_basebackup", "-h", "127.0.0.1", "-p", strconv.Itoa(p.Primary.Port), "-U", "postgres",
		"-D", p.Replica.Dir, "-R", "-X", "stream", "--no-sync")
	appendConf(tb, p.Replica, "hot_standby = on\n")
	p.start(p.Replica)
	return p
}

// StartReplica starts the replica again after StopReplica.
func (p *Pair) StartReplica() { p.tb.Helper(); p.start(p.Replica) }

// StopReplica shuts the replica down, ending its sessions.
func (p *Pair) StopReplica() {
	p.tb.Helper()
	run(p.tb, "pg_ctl", "-D", p.Replica.Dir, "-m", "fast", "-w", "stop")
}

// PauseReplay stops the replica applying the WAL it receives
// (pg_wal_replay_pause), so it lags behind every later write.
func (p *Pair) PauseReplay() { p.tb.Helper(); p.replica(`SELECT pg_wal_replay_pause()`) }

// ResumeReplay lets the replica catch up again.
func (p *Pair) ResumeReplay() { p.tb.Helper(); p.replica(`SELECT pg_wal_replay_resume()`) }

func (p *Pair) replica(sql string) {
	p.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, p.Replica.URL("postgres"))
	if err != nil {
		p.tb.Fatalf("connect to replica: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		p.tb.Fatalf("replica: %s: %v", sql, err)
	}
}

// CatchUp waits until the replica has replayed everything the primary
// had written when it was called.
func (p *Pair) CatchUp() {
	p.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	primary, err := pgx.Connect(ctx, p.Primary.URL("postgres"))
	if err != nil {
		p.tb.Fatalf("connect to primary: %v", err)
	}
	defer primary.Close(ctx)
	replica, err := pgx.Connect(ctx, p.Replica.URL("postgres"))
	if err != nil {
		p.tb.Fatalf("connect to replica: %v", err)
	}
	defer replica.Close(ctx)
	var target string
	if err := primary.QueryRow(ctx, `SELECT pg_current_wal_lsn()::text`).Scan(&target); err != nil {
		p.tb.Fatal(err)
	}
	for {
		var done bool
		err := replica.QueryRow(ctx, `SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn`, target).Scan(&done)
		if err != nil {
			p.tb.Fatalf("replica did not catch up with %s: %v", target, err)
		}
		if done {
			return
		}
		time.Sleep(10 * time.Millisecond) // polling replay, bounded by ctx
	}
}

// CreateDB creates database name on the primary, migrated, and waits
// until the replica has it too. It returns its URL on the primary and on
// the replica.
func (p *Pair) CreateDB(name string) (primaryURL, replicaURL string) {
	p.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, p.Primary.URL("postgres"))
	if err != nil {
		p.tb.Fatal(err)
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	conn.Close(ctx)
	if err != nil {
		p.tb.Fatal(err)
	}
	if err := migrateURL(ctx, p.Primary.URL(name)); err != nil {
		p.tb.Fatalf("migrate: %v", err)
	}
	p.CatchUp()
	return p.Primary.URL(name), p.Replica.URL(name)
}

func (p *Pair) start(s Server) {
	p.tb.Helper()
	log := filepath.Join(filepath.Dir(s.Dir), filepath.Base(s.Dir)+".log")
	if out, err := asPostgres("pg_ctl", "-D", s.Dir, "-l", log, "-w", "-t", "60", "start").CombinedOutput(); err != nil {
		text, _ := os.ReadFile(log)
		p.tb.Fatalf("pg_ctl start %s: %v\n%s\n%s", s.Dir, err, out, text)
	}
}

// asPostgres runs a Postgres program as the postgres user when the test
// runs as root: Postgres refuses to run as root.
func asPostgres(name string, args ...string) *exec.Cmd {
	if os.Geteuid() == 0 {
		return exec.Command("runuser", append([]string{"-u", "postgres", "--", filepath.Join(PGBin, name)}, args...)...)
	}
	return exec.Command(filepath.Join(PGBin, name), args...)
}

func run(tb testing.TB, name string, args ...string) {
	tb.Helper()
	if out, err := asPostgres(name, args...).CombinedOutput(); err != nil {
		tb.Fatalf("%s: %v\n%s", name, err, out)
	}
}

// owned gives dir to the postgres user when the test runs as root.
func owned(tb testing.TB, dir string) {
	tb.Helper()
	if os.Geteuid() != 0 {
		return
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		tb.Fatalf("no postgres user to run the servers as: %v", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(dir, uid, gid); err != nil {
		tb.Fatal(err)
	}
}

func appendConf(tb testing.TB, s Server, extra string) {
	tb.Helper()
	conf := fmt.Sprintf("port = %d\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\nfsync = off\n%s",
		s.Port, filepath.Dir(s.Dir), extra)
	f, err := os.OpenFile(filepath.Join(s.Dir, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(conf); err != nil {
		tb.Fatal(err)
	}
}

// sparePort is a loopback TCP port nothing listens on right now.
func sparePort(tb testing.TB) int {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func migrateURL(ctx context.Context, url string) error {
	db, err := postgres.Open(ctx, url, postgres.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	return migrate(ctx, db)
}
