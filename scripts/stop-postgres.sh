#!/usr/bin/env bash
# Stops the server scripts/start-postgres.sh started and removes its folder:
#   scripts/stop-postgres.sh "$PGDATA_DIR"
set -euo pipefail
data="${1:?give the data folder printed by scripts/start-postgres.sh (PGDATA_DIR)}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
if [ "$(id -u)" -eq 0 ]; then
  su postgres -s /bin/bash -c "'$bin/pg_ctl' -D '$data' -m fast -w stop" >/dev/null 2>&1 || true
else
  "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
fi
rm -rf "$data" "$data.initdb.log" "$data.tls" "$data.tls.log"
