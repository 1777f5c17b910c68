#!/bin/sh
# A Postgres primary and a streaming replica of it (pg_basebackup -R) on
# loopback, for trying read replicas on one machine:
#   deploy/local/postgres-replica.sh up      # primary 7201, replica 7202
#   DATABASE_URL=postgres://postgres@127.0.0.1:7201/folio?sslmode=disable \
#   DATABASE_REPLICA_URLS=postgres://postgres@127.0.0.1:7202/folio?sslmode=disable go run .
#   deploy/local/postgres-replica.sh pause   # the replica stops replaying: it lags
#   deploy/local/postgres-replica.sh resume
#   deploy/local/postgres-replica.sh status  # each server's position
#   deploy/local/postgres-replica.sh down
# Run as root, the servers run as the postgres user (Postgres refuses root).
set -eu
BASE_PORT=${BASE_PORT:-7200}
DIR=${DIR:-${TMPDIR:-/tmp}/folio-postgres-replica}
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
primary=$((BASE_PORT + 1))
replica=$((BASE_PORT + 2))
as_pg() { # program args...
	prog=$1
	shift
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$PGBIN/$prog" "$@"; else "$PGBIN/$prog" "$@"; fi
}
conf() { # datadir port
	printf "port = %s\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\nwal_level = replica\nmax_wal_senders = 4\nhot_standby = on\n" \
		"$2" "$DIR" >>"$1/postgresql.conf"
}
sql() { # port statement
	as_pg psql -h 127.0.0.1 -p "$1" -U postgres -d postgres -Atqc "$2"
}
case "${1:-}" in
up)
	[ -x "$PGBIN/pg_basebackup" ] || { echo "no pg_basebackup under $PGBIN: apt-get install postgresql" >&2; exit 1; }
	mkdir -p "$DIR"
	[ "$(id -u)" = 0 ] && chown postgres: "$DIR"
	as_pg initdb -D "$DIR/primary" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
	conf "$DIR/primary" $primary
	as_pg pg_ctl -D "$DIR/primary" -l "$DIR/primary.log" -w start >/dev/null
	sql $primary "CREATE DATABASE folio" >/dev/null
	as_pg pg_basebackup -h 127.0.0.1 -p $primary -U postgres -D "$DIR/replica" -R -X stream --no-sync
	conf "$DIR/replica" $replica
	as_pg pg_ctl -D "$DIR/replica" -l "$DIR/replica.log" -w start >/dev/null
	echo "DATABASE_URL=postgres://postgres@127.0.0.1:$primary/folio?sslmode=disable"
	echo "DATABASE_REPLICA_URLS=postgres://postgres@127.0.0.1:$replica/folio?sslmode=disable"
	;;
pause) sql $replica "SELECT pg_wal_replay_pause()" >/dev/null ;;
resume) sql $replica "SELECT pg_wal_replay_resume()" >/dev/null ;;
status)
	echo "primary $(sql $primary "SELECT pg_current_wal_lsn()")"
	echo "replica $(sql $replica "SELECT pg_last_wal_replay_lsn() || CASE WHEN pg_is_wal_replay_paused() THEN ' (paused)' ELSE '' END")"
	;;
down)
	for s in replica primary; do
		[ -d "$DIR/$s" ] && as_pg pg_ctl -D "$DIR/$s" -m fast -w stop >/dev/null 2>&1 || true
	done
	rm -rf "$DIR"
	;;
*)
	echo "usage: $0 up|pause|resume|status|down" >&2
	exit 2
	;;
esac
