#!/bin/sh
# Load through nginx with 1, 2 and then 4 Folio instances (folio-nginx.sh),
# on the home feed and an article page, with wrk:
#   DATABASE_URL=… DATABASE_REPLICA_URLS=… deploy/local/load.sh
# Prints, per instance count and page: req/s, p50 and p99, errors (non-2xx,
# GraphQL errors, socket errors) and the share of routed reads the replicas
# answered (folio_db_reads_total of every instance, before and after).
# The caches are off (CACHE_TTL=0) so that every request reaches Postgres,
# and budgets are out of the way.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
BASE_PORT=${BASE_PORT:-7300}
INSTANCES=${INSTANCES:-"1 2 4"}
SECS=${SECS:-10}
CONN=${CONN:-32}
export BASE_PORT CACHE_TTL=${CACHE_TTL:-0} RATE_LIMIT=${RATE_LIMIT:-false}
DIR=${DIR:-${TMPDIR:-/tmp}/folio-nginx}
export DIR
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
url=http://127.0.0.1:$BASE_PORT/query
reads() { # n target-regexp: the sum of folio_db_reads_total over n instances
	i=1 sum=0
	while [ "$i" -le "$1" ]; do
		v=$(curl -s "http://127.0.0.1:$((BASE_PORT + 100 + i))/metrics" | awk -v re="$2" '$1 ~ /^folio_db_reads_total/ && $1 ~ re { s += $2 } END { printf "%d", s }')
		sum=$((sum + v))
		i=$((i + 1))
	done
	echo $sum
}
for n in $INSTANCES; do
	"$HERE/folio-nginx.sh" up "$n" >/dev/null
	jq -n '{operationName: "HomeFeed", query: "query HomeFeed($after: String) { articles(first: 20, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id slug title excerpt publishedAt readingMinutes author { handle displayName avatarUrl } category { slug name } tags { slug name } commentCount reactionCounts { like love insightful celebrate total } } } } }", variables: {after: null}}' >"$work/home.json"
	slug=$(curl -s "$url" -H 'Content-Type: application/json' --data-binary @"$work/home.json" | jq -r '.data.articles.edges[0].node.slug')
	jq -n --arg slug "$slug" '{operationName: "ArticlePage", query: "query ArticlePage($slug: String!) { article(slug: $slug) { id title body publishedAt author { handle displayName bio articles(first: 3) { nodes { slug title } } } tags { slug name } comments(first: 20) { totalCount pageInfo { hasNextPage endCursor } nodes { id body deleted createdAt author { handle displayName } replies(first: 5) { totalCount nodes { id body author { handle } } } } } } }", variables: {slug: $slug}}' >"$work/article.json"
	for page in home article; do
		BODY_FILE="$work/$page.json" wrk -t1 -c"$CONN" -d2s -s "$HERE/load/post.lua" "$url" >/dev/null # warm up
		r0=$(reads "$n" 'primary') a0=$(reads "$n" '.')
		line=$(BODY_FILE="$work/$page.json" wrk -t1 -c"$CONN" -d"${SECS}s" --timeout 10s --latency -s "$HERE/load/post.lua" "$url" | grep '^RESULT')
		r1=$(reads "$n" 'primary') a1=$(reads "$n" '.')
		all=$((a1 - a0)) primary=$((r1 - r0))
		share=0
		[ "$all" -gt 0 ] && share=$(((all - primary) * 100 / all))
		echo "instances=$n page=$page ${line#RESULT } replica_share=${share}%"
	done
	"$HERE/folio-nginx.sh" down
done
