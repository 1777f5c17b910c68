#!/bin/sh
# A Redis master, its replica and three Sentinels on loopback:
#   deploy/local/redis-sentinel.sh up     # master 7101, replica 7102, Sentinels 27101-27103
#   REDIS_ADDRS=127.0.0.1:27101,127.0.0.1:27102,127.0.0.1:27103 REDIS_MASTER_NAME=folio go run .
#   deploy/local/redis-sentinel.sh failover   # kill the master; a Sentinel promotes the replica
#   deploy/local/redis-sentinel.sh down
set -eu
BASE_PORT=${BASE_PORT:-7100}
DIR=${DIR:-${TMPDIR:-/tmp}/folio-redis-sentinel}
master=$((BASE_PORT + 1))
replica=$((BASE_PORT + 2))
start() { # name port extra-args...
	name=$1 port=$2
	shift 2
	mkdir -p "$DIR/$name"
	redis-server "$@" --port "$port" --bind 127.0.0.1 --dir "$DIR/$name" \
		--daemonize yes --pidfile "$DIR/$name/redis.pid" --logfile "$DIR/$name/log"
	until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.1; done
}
case "${1:-}" in
up)
	start master $master --save "" --appendonly no
	start replica $replica --save "" --appendonly no --replicaof 127.0.0.1 $master
	addrs=""
	for i in 1 2 3; do
		port=$((20000 + BASE_PORT + i))
		mkdir -p "$DIR/sentinel$i"
		printf 'sentinel monitor folio 127.0.0.1 %s 2\nsentinel down-after-milliseconds folio 2000\nsentinel failover-timeout folio 10000\n' \
			$master >"$DIR/sentinel$i/sentinel.conf"
		start "sentinel$i" $port "$DIR/sentinel$i/sentinel.conf" --sentinel
		addrs="$addrs,127.0.0.1:$port"
	done
	echo "REDIS_ADDRS=${addrs#,} REDIS_MASTER_NAME=folio"
	;;
failover)
	kill "$(cat "$DIR/master/redis.pid")"
	until redis-cli -p $((20000 + BASE_PORT + 1)) sentinel get-master-addr-by-name folio | grep -q $replica; do sleep 0.2; done
	echo "master is now 127.0.0.1:$replica"
	;;
down)
	for pid in "$DIR"/*/redis.pid; do
		[ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null || true
	done
	rm -rf "$DIR"
	;;
*)
	echo "usage: $0 up|failover|down" >&2
	exit 2
	;;
esac
