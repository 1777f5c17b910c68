#!/bin/sh
# A real three-node Redis Cluster on loopback, for trying Folio on a Cluster:
#   deploy/local/redis-cluster.sh up      # ports 7001-7003 (BASE_PORT=7000)
#   REDIS_ADDRS=127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003 go run .
#   deploy/local/redis-cluster.sh down
# Three masters and no replicas: enough to prove that every multi-key
# operation stays in one slot; not a highly available setup.
set -eu
BASE_PORT=${BASE_PORT:-7000}
DIR=${DIR:-${TMPDIR:-/tmp}/folio-redis-cluster}
case "${1:-}" in
up)
	mkdir -p "$DIR"
	addrs=""
	for i in 1 2 3; do
		port=$((BASE_PORT + i))
		mkdir -p "$DIR/$port"
		redis-server --port "$port" --bind 127.0.0.1 --cluster-enabled yes \
			--cluster-config-file nodes.conf --cluster-node-timeout 2000 \
			--dir "$DIR/$port" --save "" --appendonly no \
			--daemonize yes --pidfile "$DIR/$port/redis.pid" --logfile "$DIR/$port/log"
		until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.1; done
		addrs="$addrs 127.0.0.1:$port"
	done
	# shellcheck disable=SC2086 # one argument per address
	redis-cli --cluster create $addrs --cluster-replicas 0 --cluster-yes >"$DIR/create.log"
	for i in 1 2 3; do
		until redis-cli -p $((BASE_PORT + i)) cluster info | grep -q cluster_state:ok; do sleep 0.1; done
	done
	echo "REDIS_ADDRS=$(echo $addrs | tr ' ' ',')"
	;;
down)
	for pid in "$DIR"/*/redis.pid; do
		[ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null || true
	done
	rm -rf "$DIR"
	;;
*)
	echo "usage: $0 up|down" >&2
	exit 2
	;;
esac
