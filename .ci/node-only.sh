#!/usr/bin/env bash
# Runs a command as it would run on a machine with only Node.js: no redis-server, haproxy, promtool or PostgreSQL
# on PATH, and nothing answering on 127.0.0.1:5432 or :6379 (a private network namespace with only loopback).
# Usage: .ci/node-only.sh npm test        (needs root or unprivileged user namespaces for `unshare`)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="$(mktemp -d)"
trap 'rm -rf "$BIN"' EXIT
hidden='^(redis-.*|haproxy|promtool|prometheus|postgres|pg_.*|psql|initdb)$'
IFS=: read -ra dirs <<<"$PATH"
for dir in "${dirs[@]}"; do
  [ -d "$dir" ] || continue
  for tool in "$dir"/*; do
    name="$(basename "$tool")"
    [[ "$name" =~ $hidden ]] && continue
    [ -e "$BIN/$name" ] || ln -s "$tool" "$BIN/$name"
  done
done
unset TEST_DATABASE_URL DATABASE_URL TEST_REDIS_URL REDIS_URL
NET=(unshare -n)
[ "$(id -u)" -ne 0 ] && NET=(unshare -rn)
exec "${NET[@]}" env PATH="$BIN" bash -c 'ip link set lo up 2>/dev/null || true; exec "$@"' node-only "$@"
