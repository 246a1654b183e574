#!/usr/bin/env bash
# Tested upgrade (issue 15, part 8): install the previous release in its own venv, fill a fresh
# PostgreSQL database with its demo (`thudo demo --no-serve`), then upgrade to the commit under
# test (the `thudo` on PATH: .ci/run's venv, or your activated one), migrate, check the audit
# chain (`thudo audit_verify`) and walk a few journeys (scripts/upgrade_journeys.py).
#
#   scripts/upgrade_check.sh            # from the previous release, 0.1.0
#   THUDO_UPGRADE_FROM=0.2.0 scripts/upgrade_check.sh
#
# The previous release is the git tag THUDO_UPGRADE_FROM. A clone normally carries the tags;
# when the tag is missing (a clone made with --no-tags, a mirror that dropped it) the script
# fetches tags from origin, and failing that uses the release's commit recorded below (the
# same commit the tag points to, CHANGELOG.md): every later commit has it in its history. It
# never silently skips: with neither the tag nor the commit the check fails, saying so.
#
# Environment: THUDO_UPGRADE_PG (default postgres://postgres@127.0.0.1:5432) is the server; a
# database thudo_upgrade_<random> is created there and dropped afterwards. THUDO_DEMO_DOSSIERS
# (default 20 here) keeps the demo's history short, so the check takes a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

FROM=${THUDO_UPGRADE_FROM:-0.1.0}
declare -A RELEASE_COMMITS=(
  [0.1.0]=c34cb9c4cb316b05d25e297654c07b3de00e6294
)
PG=${THUDO_UPGRADE_PG:-postgres://postgres@127.0.0.1:5432}
PY=${THUDO_PYTHON:-python3}
command -v thudo >/dev/null || { echo "FATAL: no 'thudo' on PATH (activate the venv of the commit under test)" >&2; exit 1; }

resolve() {
  git rev-parse -q --verify "refs/tags/$FROM^{commit}" 2>/dev/null && return 0
  echo "== tag $FROM not in this clone: fetching tags from origin" >&2
  if git fetch -q --tags origin 2>/dev/null && git rev-parse -q --verify "refs/tags/$FROM^{commit}" 2>/dev/null; then
    return 0
  fi
  local known=${RELEASE_COMMITS[$FROM]:-}
  if [ -n "$known" ] && git cat-file -e "$known^{commit}" 2>/dev/null; then
    echo "== tag $FROM missing: using its recorded commit $known" >&2
    echo "$known"; return 0
  fi
  return 1
}
commit=$(resolve) || { echo "FATAL: release $FROM: no tag and no recorded commit in this clone" >&2; exit 1; }
echo "== upgrade check: $FROM ($commit) -> $(git rev-parse --short HEAD)"

work=$(mktemp -d)
db="thudo_upgrade_$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')"
cleanup() {
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/old"
git archive "$commit" | tar -x -C "$work/old"
"$PY" -m venv "$work/venv-old"
echo "== pip install the $FROM release"
"$work/venv-old/bin/python" -m pip install -q "$work/old"

psql "$PG/postgres" -qc "CREATE DATABASE $db" >/dev/null
export THUDO_DATABASE_URL="$PG/$db"
export THUDO_DATA_DIR="$work/data"
export THUDO_SECRET_KEY="upgrade-check-secret-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
export THUDO_PAYMENT_GATEWAY=simulated
export THUDO_DEMO_DOSSIERS=${THUDO_DEMO_DOSSIERS:-20}
export THUDO_ALLOWED_HOSTS="testserver,localhost,127.0.0.1"
export THUDO_RATE_LOOKUP=off THUDO_RATE_ANONYMOUS_API=off

echo "== $FROM: thudo demo --no-serve (THUDO_DEMO_DOSSIERS=$THUDO_DEMO_DOSSIERS)"
(cd "$work" && "$work/venv-old/bin/thudo" demo --no-serve >"$work/demo.log" 2>&1) || {
  tail -40 "$work/demo.log" >&2; echo "FATAL: the $FROM demo failed" >&2; exit 1; }
"$work/venv-old/bin/thudo" audit_verify

echo "== upgrade to $(git rev-parse --short HEAD): migrate"
thudo migrate --no-input
plan=$(thudo showmigrations --plan)
if grep -q '^\[ \]' <<<"$plan"; then
  echo "FATAL: migrations left unapplied after the upgrade:" >&2; grep '^\[ \]' <<<"$plan" >&2; exit 1
fi
echo "== audit_verify after the upgrade"
thudo audit_verify
echo "== journeys"
thudo shell -c "$(cat scripts/upgrade_journeys.py)"
echo "== upgrade check passed in $(( $(date +%s) - started ))s"
