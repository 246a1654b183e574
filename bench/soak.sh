#!/usr/bin/env bash
# Soak test (issue 5 part 10): mixed load against the production set-up (gunicorn, 2 sync workers,
# PostgreSQL, DEBUG off) on 127.0.0.1:8766 while a worker is killed with SIGKILL every few minutes,
# then verify: no lost dossier, no 5xx outside the kill moments, the audit chain verifies.
#
#   bench/soak.sh [--duration 1800] [--kill-every 180] [--concurrency 3] [--name soak-YYYYMMDD]
#
# Writes bench/results/<name>.json (verdicts, counts, kills, load) and <name>.requests.jsonl.gz
# (one line per request: operation, path, start/end, status, idempotency key and attempt).
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres). Reference data is loaded once with
# `thudo demo --no-serve` (about 10 minutes on 2 shared cores) and reused by later runs.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=1800; KILL_EVERY=180; CONC=3; NAME="soak-$(date -u +%Y%m%d)"; FIRST_KILL=60
ARGS="${*:-}"
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION=$2; shift 2;; --kill-every) KILL_EVERY=$2; shift 2;;
    --concurrency) CONC=$2; shift 2;; --name) NAME=$2; shift 2;; --first-kill) FIRST_KILL=$2; shift 2;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
DB=thudo_soak
export THUDO_DATABASE_URL="${THUDO_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/$DB}"
export THUDO_DATA_DIR="${THUDO_DATA_DIR:-/tmp/thudo-soak}"
export THUDO_DEBUG=0 THUDO_REQUIRE_2FA=0 THUDO_ALLOWED_HOSTS=127.0.0.1,localhost
# The load comes from one address, far faster than people: no rate limits; payments go through
# the simulated gateway, chosen explicitly (production refuses to start without a gateway).
export THUDO_RATE_LOOKUP=off THUDO_RATE_ANONYMOUS_API=off THUDO_PAYMENT_GATEWAY=simulated
export THUDO_SECRET_KEY="${THUDO_SECRET_KEY:-soak-only-secret-$(hostname)}"
PORT=8766
WORK="$THUDO_DATA_DIR/soak"
mkdir -p "$WORK" bench/results

psql -h 127.0.0.1 -U postgres -Atc "select 1 from pg_database where datname='$DB'" | grep -q 1 \
  || createdb -h 127.0.0.1 -U postgres "$DB"
thudo migrate -v0
if [ "$(psql -h 127.0.0.1 -U postgres -d "$DB" -Atc 'select count(*) from procedures_procedure')" = 0 ]; then
  thudo demo --no-serve
fi
thudo collectstatic --noinput -v0
python bench/soak.py prepare --state "$WORK/state.json"

rm -f "$WORK/access.log" "$WORK/gunicorn.log" "$WORK/requests.jsonl" "$WORK/meta.json"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
gunicorn thudo.conf.wsgi -w 2 -b 127.0.0.1:$PORT --access-logfile "$WORK/access.log" \
  --error-logfile "$WORK/gunicorn.log" --capture-output --no-control-socket --pid "$WORK/gunicorn.pid" --daemon
trap 'kill "$(cat "$WORK/gunicorn.pid")" 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/" >/dev/null && break; sleep 0.2; done
MASTER=$(cat "$WORK/gunicorn.pid")

python bench/soak.py run --state "$WORK/state.json" --log "$WORK/requests.jsonl" --meta "$WORK/meta.json" \
  --base "http://127.0.0.1:$PORT" --master-pid "$MASTER" --duration "$DURATION" \
  --kill-every "$KILL_EVERY" --first-kill "$FIRST_KILL" --concurrency "$CONC"

kill "$MASTER"; trap - EXIT
gzip -9 -c "$WORK/requests.jsonl" > "bench/results/$NAME.requests.jsonl.gz"
for _ in $(seq 50); do kill -0 "$MASTER" 2>/dev/null || break; sleep 0.2; done
python bench/soak.py verify --state "$WORK/state.json" --log "$WORK/requests.jsonl" --meta "$WORK/meta.json" \
  --output "bench/results/$NAME.json" --command-line "bench/soak.sh $ARGS" --loadavg-before "$LOAD_BEFORE" \
  --server-log "$WORK/gunicorn.log"
