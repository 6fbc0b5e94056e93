#!/usr/bin/env bash
# Starts a throw-away PostgreSQL server for the tests, on loopback only, and prints the two
# lines to `eval` (DCA_BACKTEST_POSTGRES_URL and PGPASSWORD):
#   eval "$(scripts/start-postgres.sh)"
# The cluster is an `initdb` into a temporary folder (PGDATA_DIR, default a new folder under
# /tmp), run by an unprivileged user (`postgres` when started as root), on PGPORT (default
# 54329). The database `dca_backtest` belongs to the role `dca`, whose random password goes to
# PGPASSWORD (never into the URL). Stop it with: scripts/stop-postgres.sh "$PGDATA_DIR"
set -euo pipefail
port="${PGPORT:-54329}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[ -x "$bin/initdb" ] || { echo "PostgreSQL's server is not installed (Debian package postgresql): run scripts/install-deps.sh as root." >&2; exit 1; }
data="${PGDATA_DIR:-$(mktemp -d /tmp/dca-backtest-pg.XXXXXX)}"
password="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
as_owner() { if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
if [ "$(id -u)" -eq 0 ]; then chown postgres: "$data"; fi
chmod 700 "$data"
pwfile="$data.pw"; umask 077; printf '%s\n' "$password" > "$pwfile"
[ "$(id -u)" -eq 0 ] && chown postgres: "$pwfile"
as_owner "'$bin/initdb' -D '$data' -U postgres --auth-local=trust --auth-host=scram-sha-256 --pwfile='$pwfile' -E UTF8 --locale=C.UTF-8" >"$data.initdb.log" 2>&1 \
  || { cat "$data.initdb.log" >&2; exit 1; }
rm -f "$pwfile"
as_owner "'$bin/pg_ctl' -D '$data' -l '$data/server.log' -w -o \"-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories='$data' -c fsync=on\" start" >&2 \
  || { cat "$data/server.log" >&2; exit 1; }
as_owner "'$bin/psql' -h '$data' -p $port -U postgres -v ON_ERROR_STOP=1 -q -c \"CREATE ROLE dca LOGIN CREATEDB PASSWORD '$password'\" -c 'CREATE DATABASE dca_backtest OWNER dca'" >&2
echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, data in $data" >&2
echo "export PGDATA_DIR='$data'"
echo "export PGPASSWORD='$password'"
echo "export DCA_BACKTEST_POSTGRES_URL='postgresql://dca@127.0.0.1:$port/dca_backtest?sslmode=disable'"
