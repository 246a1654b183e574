#!/usr/bin/env bash
# Let the local PostgreSQL (127.0.0.1:5432) accept streaming-replication connections from
# 127.0.0.1, so tests/ops/test_read_replica.py can build a real hot standby with pg_basebackup.
#
# Debian's cluster has wal_level=replica and max_wal_senders=10 by default, but its pg_hba.conf
# only has "all" database lines, and "all" does not match replication connections. This adds
#   host replication all 127.0.0.1/32 trust
# (the machine's other lines already trust 127.0.0.1) and reloads the server. It needs write
# access to pg_hba.conf (root, or the postgres user); otherwise it says so and exits 0: the
# replica test then skips with the same explanation (or fails under CI=true).
set -euo pipefail
PSQL=(psql -h 127.0.0.1 -p "${PGPORT:-5432}" -U postgres -Atq -d postgres)
hba=$("${PSQL[@]}" -c 'show hba_file')
wal=$("${PSQL[@]}" -c 'show wal_level')
senders=$("${PSQL[@]}" -c 'show max_wal_senders')
if [ "$wal" = minimal ] || [ "$senders" = 0 ]; then
  echo "PostgreSQL: wal_level=$wal max_wal_senders=$senders: no streaming replication without a restart" >&2
  exit 0
fi
if grep -Eq '^[[:space:]]*host[[:space:]]+replication[[:space:]]' "$hba" 2>/dev/null; then
  echo "PostgreSQL: $hba already allows replication connections"
  exit 0
fi
if [ ! -w "$hba" ]; then
  echo "PostgreSQL: cannot write $hba; add 'host replication all 127.0.0.1/32 trust' by hand" >&2
  exit 0
fi
printf '\n# tests/ops/test_read_replica.py (scripts/pg_allow_replication.sh)\nhost replication all 127.0.0.1/32 trust\n' >> "$hba"
"${PSQL[@]}" -c 'select pg_reload_conf()' >/dev/null
echo "PostgreSQL: replication connections from 127.0.0.1 allowed ($hba)"
