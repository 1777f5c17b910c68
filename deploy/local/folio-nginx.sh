#!/bin/sh
# N Folio instances behind nginx (Debian's package) on loopback, as a
# deployment runs them: round robin, keep-alive upstreams, WebSocket
# upgrades passed through for subscriptions.
#   deploy/local/folio-nginx.sh up 4    # instances on 7301-7304 (metrics 7401-…), nginx on 7300
#   curl -s 127.0.0.1:7300/query -H 'Content-Type: application/json' -d '{"query":"{ tags(first: 1) { totalCount } }"}'
#   deploy/local/folio-nginx.sh down
# The instances take Folio's settings from the environment (DATABASE_URL,
# DATABASE_REPLICA_URLS, REDIS_URL or REDIS_ADDRS, RATE_LIMIT, …); the
# database is migrated once before they start, and SEED=small|medium|large
# seeds an empty one. FOLIO_BIN names a built binary; otherwise the
# checkout's is built.
set -eu
BASE_PORT=${BASE_PORT:-7300}
DIR=${DIR:-${TMPDIR:-/tmp}/folio-nginx}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case "${1:-}" in
up)
	n=${2:-2}
	command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { echo "no nginx: apt-get install nginx-light" >&2; exit 1; }
	PATH=$PATH:/usr/sbin
	mkdir -p "$DIR/nginx"
	bin=${FOLIO_BIN:-$DIR/folio}
	[ -n "${FOLIO_BIN:-}" ] || (cd "$ROOT" && go build -o "$bin" .)
	"$bin" migrate up >"$DIR/migrate.log" 2>&1 || { cat "$DIR/migrate.log" >&2; exit 1; }
	if [ -n "${SEED:-}" ]; then "$bin" seed -scale "$SEED" >"$DIR/seed.log" 2>&1 || cat "$DIR/seed.log" >&2; fi
	servers=""
	i=1
	while [ "$i" -le "$n" ]; do
		port=$((BASE_PORT + i))
		# nginx is on loopback: its X-Forwarded-For names the real client.
		HTTP_ADDR=127.0.0.1:$port METRICS_ADDR=127.0.0.1:$((port + 100)) MIGRATE_ON_START=false SEED_IF_EMPTY=false \
			TRUSTED_PROXIES=${TRUSTED_PROXIES:-127.0.0.1/32} \
			nohup "$bin" >"$DIR/folio$i.log" 2>&1 &
		echo $! >"$DIR/folio$i.pid"
		servers="$servers    server 127.0.0.1:$port max_fails=1 fail_timeout=5s;
"
		i=$((i + 1))
	done
	i=1
	while [ "$i" -le "$n" ]; do
		tries=0
		until curl -fs "http://127.0.0.1:$((BASE_PORT + i))/readyz" >/dev/null; do
			tries=$((tries + 1))
			if [ $tries -gt 300 ] || ! kill -0 "$(cat "$DIR/folio$i.pid")" 2>/dev/null; then
				echo "instance $i did not become ready:" >&2
				tail -20 "$DIR/folio$i.log" >&2
				exit 1
			fi
			sleep 0.1
		done
		i=$((i + 1))
	done
	# The shape of deploy/nginx.conf, on loopback ports and this directory.
	cat >"$DIR/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $DIR/nginx/nginx.pid;
error_log $DIR/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $DIR/nginx/body;
  proxy_temp_path $DIR/nginx/proxy;
  fastcgi_temp_path $DIR/nginx/fastcgi;
  uwsgi_temp_path $DIR/nginx/uwsgi;
  scgi_temp_path $DIR/nginx/scgi;
  server_tokens off;
  map \$http_upgrade \$connection_upgrade {
    default upgrade;
    ''      '';
  }
  upstream folio {
$servers    keepalive 64;
  }
  server {
    listen 127.0.0.1:$BASE_PORT;
    client_max_body_size 1m;
    location / {
      proxy_pass http://folio;
      proxy_http_version 1.1;
      proxy_set_header Host \$host;
      proxy_set_header Upgrade \$http_upgrade;
      proxy_set_header Connection \$connection_upgrade;
      proxy_set_header X-Request-ID \$request_id;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_connect_timeout 2s;
      proxy_read_timeout 60s;
      proxy_next_upstream error timeout http_502 http_503;
      proxy_next_upstream_tries 2;
    }
    location = /metrics { return 404; }
  }
}
CONF
	nginx -p "$DIR/nginx" -c "$DIR/nginx/nginx.conf"
	until curl -fs "http://127.0.0.1:$BASE_PORT/healthz" >/dev/null; do sleep 0.1; done
	echo "nginx on http://127.0.0.1:$BASE_PORT/query in front of $n instances (logs in $DIR)"
	;;
down)
	PATH=$PATH:/usr/sbin
	if [ -f "$DIR/nginx/nginx.pid" ]; then
		nginx -p "$DIR/nginx" -c "$DIR/nginx/nginx.conf" -s quit 2>/dev/null || true
	fi
	for pid in "$DIR"/folio*.pid; do
		[ -f "$pid" ] || continue
		p=$(cat "$pid")
		kill "$p" 2>/dev/null || true
		while kill -0 "$p" 2>/dev/null; do sleep 0.1; done
	done
	rm -rf "$DIR"
	;;
*)
	echo "usage: $0 up [N]|down" >&2
	exit 2
	;;
esac
