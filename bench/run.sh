#!/usr/bin/env bash
# One command: (optionally generate data,) start the production server set-up (gunicorn, 2 sync
# workers, PostgreSQL, DEBUG off) on 127.0.0.1, run every scenario --runs times, write
# bench/results/<name>.json and print the medians against the targets. Stops the server on exit.
#
#   bench/run.sh [--dossiers 5000000] [--duration 30] [--runs 3] [--concurrency 8] [--name NAME]
#                [--scenarios "create read transition receive lookup queue kpi_unit ranking"]
#
# Without --dossiers it uses the data already in the database (THUDO_DATABASE_URL, default
# postgres://postgres@127.0.0.1:5432/thudo_bench). Needs PostgreSQL on 127.0.0.1:5432, wrk
# (`apt-get install wrk`; without it load.py falls back to an httpx client) and the bench extra
# (`pip install -e '.[bench]'`: gunicorn, httpx).
set -euo pipefail
cd "$(dirname "$0")/.."
DOSSIERS=0; DURATION=30; NAME="run-$(date -u +%Y%m%dT%H%M)"; RUNS=3; CONC=8
SCENARIOS="create read transition receive lookup queue kpi_unit ranking"
ARGS="$*"
while [ $# -gt 0 ]; do
  case "$1" in
    --dossiers) DOSSIERS=$2; shift 2;; --duration) DURATION=$2; shift 2;; --name) NAME=$2; shift 2;;
    --scenarios) SCENARIOS=$2; shift 2;; --runs) RUNS=$2; shift 2;; --concurrency) CONC=$2; shift 2;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
export THUDO_DATABASE_URL="${THUDO_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/thudo_bench}"
export THUDO_DATA_DIR="${THUDO_DATA_DIR:-/tmp/thudo-bench}"
export THUDO_DEBUG=0 THUDO_REQUIRE_2FA=0 THUDO_ALLOWED_HOSTS=127.0.0.1,localhost
# The load comes from one address, far faster than people: no rate limits; payments go through
# the simulated gateway, chosen explicitly (production refuses to start without a gateway).
export THUDO_RATE_LOOKUP=off THUDO_RATE_ANONYMOUS_API=off THUDO_PAYMENT_GATEWAY=simulated
export THUDO_BENCH_QUERIES=1  # X-Queries header: SQL statements per request (a counter, ~1 µs each)
export THUDO_SECRET_KEY="${THUDO_SECRET_KEY:-bench-only-secret-$(hostname)}"
PORT=${BENCH_PORT:-8765}
RESULTS=bench/results
mkdir -p "$RESULTS" "$THUDO_DATA_DIR"

thudo migrate -v0
if [ "$DOSSIERS" -gt 0 ]; then
  python bench/generate.py --dossiers "$DOSSIERS" --output "$RESULTS/generate-$NAME.json"
fi
# KPI pages read the monthly roll-up and the ranking page a published snapshot: make sure the last
# completed month is rolled up and published (nothing to do when it already is).
LAST_MONTH=$(date -u -d "$(date -u +%Y-%m-01) -1 day" +%Y-%m)
case " $SCENARIOS " in *" kpi_unit "*|*" ranking "*) KPI_SETUP=1;; *) KPI_SETUP=0;; esac
[ "$KPI_SETUP" = 1 ] && python - "$LAST_MONTH" <<'EOF'
import os, subprocess, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thudo.conf.settings")
django.setup()
from thudo.kpi import compute, queries
month = compute.parse_period(sys.argv[1])
if not compute.rolled_up(month):
    subprocess.run(["thudo", "kpi_rollup", "--period", sys.argv[1]], check=True)
if not queries.snapshots().filter(period=sys.argv[1]).exists():
    subprocess.run(["thudo", "kpi_publish", "--period", sys.argv[1]], check=True)
EOF
python bench/prepare.py --output bench/state.json
thudo collectstatic --noinput -v0

PIDFILE=$RESULTS/.gunicorn.pid
gunicorn thudo.conf.wsgi -w 2 -b 127.0.0.1:$PORT --access-logfile /dev/null \
  --error-logfile "$RESULTS/.gunicorn.log" --pid "$PIDFILE" --daemon
trap 'kill "$(cat "$PIDFILE")" 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.2; done
MASTER=$(cat "$PIDFILE")
PIDS=$(pgrep -P "$MASTER" | paste -sd, -)

out="$RESULTS/$NAME.json"
{
  echo "{\"command\": \"bench/run.sh $ARGS\", \"machine\": {\"nproc\": $(nproc), \"cpu\": \"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)\","
  echo "\"mem_gb\": $(free -g | awk '/Mem:/{print $2}'), \"python\": \"$(python -V 2>&1)\", \"postgres\": \"$(psql -h 127.0.0.1 -U postgres -Atc 'show server_version' 2>/dev/null)\","
  echo "\"commit\": \"$(git rev-parse --short HEAD)\", \"loadavg_before\": \"$(cut -d' ' -f1-3 /proc/loadavg)\"},"
  echo "\"server\": \"gunicorn 2 sync workers, DEBUG off, THUDO_BENCH_QUERIES=1\","
  echo "\"dossiers\": $(python -c "import json;print(json.load(open('bench/state.json'))['dossiers'])"), \"runs\": ["
  first=1
  for s in $SCENARIOS; do
    for r in $(seq "$RUNS"); do
      result=$(python bench/load.py --base "http://127.0.0.1:$PORT" --scenario "$s" --concurrency "$CONC" \
        --duration "$DURATION" --server-pids "$PIDS" --setup bench/state.json)
      [ $first = 1 ] || echo ","; first=0
      echo "$result"
      echo "$s run $r: $result" >&2
    done
  done
  echo "], \"rss_mb_peak_per_worker\": [$(for p in ${PIDS//,/ }; do awk '/VmHWM/{printf "%d,", $2/1024}' /proc/$p/status; done | sed 's/,$//')],"
  echo "\"loadavg_after\": \"$(cut -d' ' -f1-3 /proc/loadavg)\"}"
} > "$out.tmp"
python -m json.tool "$out.tmp" > "$out" && rm "$out.tmp"
python bench/summarise.py "$out"
