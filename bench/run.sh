#!/usr/bin/env bash
# One command: generate data (if asked), start the production server set-up (gunicorn, 2 workers,
# PostgreSQL, DEBUG off) on 127.0.0.1, run every scenario 3 times, write bench/results/<name>.json.
#
#   bench/run.sh [--dossiers 5000000] [--duration 30] [--name results-name] [--scenarios "read create ..."]
#
# Needs: PostgreSQL on 127.0.0.1:5432 (user postgres), `pip install '.[bench]'`.
set -euo pipefail
cd "$(dirname "$0")/.."
DOSSIERS=0; DURATION=30; NAME="run-$(date -u +%Y%m%dT%H%M)"; RUNS=3; CONC=8
SCENARIOS="create read transition lookup queue kpi_unit ranking"
while [ $# -gt 0 ]; do
  case "$1" in
    --dossiers) DOSSIERS=$2; shift 2;; --duration) DURATION=$2; shift 2;; --name) NAME=$2; shift 2;;
    --scenarios) SCENARIOS=$2; shift 2;; --runs) RUNS=$2; shift 2;; --concurrency) CONC=$2; shift 2;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
export THUDO_DATABASE_URL="${THUDO_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/thudo_bench}"
export THUDO_DATA_DIR="${THUDO_DATA_DIR:-$PWD/var-bench}"
export THUDO_DEBUG=0 THUDO_REQUIRE_2FA=0 THUDO_ALLOWED_HOSTS=127.0.0.1,localhost
export THUDO_SECRET_KEY="${THUDO_SECRET_KEY:-bench-only-secret-$(hostname)}"
PORT=8765

thudo migrate -v0
if [ "$DOSSIERS" -gt 0 ]; then
  /usr/bin/time -v python bench/generate.py --dossiers "$DOSSIERS" 2> bench/results/.generate-time.txt | tee bench/results/.generate.json
fi
python bench/prepare.py --output bench/state.json
thudo collectstatic --noinput -v0

gunicorn thudo.conf.wsgi -w 2 -b 127.0.0.1:$PORT --access-logfile /dev/null --error-logfile bench/results/.gunicorn.log \
  --pid bench/results/.gunicorn.pid --daemon
trap 'kill "$(cat bench/results/.gunicorn.pid)" 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/" >/dev/null && break; sleep 0.2; done
MASTER=$(cat bench/results/.gunicorn.pid)
PIDS=$(pgrep -P "$MASTER" | paste -sd, -)

out="bench/results/$NAME.json"
{
  echo "{\"command\": \"bench/run.sh $*\", \"machine\": {\"nproc\": $(nproc), \"cpu\": \"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)\","
  echo "\"mem_gb\": $(free -g | awk '/Mem:/{print $2}'), \"python\": \"$(python -V 2>&1)\", \"postgres\": \"$(psql -h 127.0.0.1 -U postgres -Atc 'show server_version' 2>/dev/null)\","
  echo "\"commit\": \"$(git rev-parse --short HEAD)\", \"loadavg_before\": \"$(cut -d' ' -f1-3 /proc/loadavg)\"},"
  echo "\"dossiers\": $(python -c "import json;print(json.load(open('bench/state.json'))['dossiers'])"), \"runs\": ["
  first=1
  for s in $SCENARIOS; do
    for r in $(seq "$RUNS"); do
      result=$(python bench/load.py --scenario "$s" --concurrency "$CONC" --duration "$DURATION" --server-pids "$PIDS" --setup bench/state.json)
      [ $first = 1 ] || echo ","; first=0
      echo "$result"
    done
  done
  echo "], \"rss_mb_per_worker\": [$(for p in ${PIDS//,/ }; do awk '/VmHWM/{printf "%d,", $2/1024}' /proc/$p/status; done | sed 's/,$//')]}"
} > "$out.tmp"
python -m json.tool "$out.tmp" > "$out" && rm "$out.tmp"
python bench/summarise.py "$out"
