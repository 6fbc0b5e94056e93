#!/usr/bin/env bash
# Starts a throw-away PostgreSQL server for the tests, on loopback only, and prints the two
# lines to `eval` (DCA_BACKTEST_POSTGRES_URL and PGPASSWORD):
#   eval "$(scripts/start-postgres.sh)"
# The cluster is an `initdb` into a temporary folder (PGDATA_DIR, default a new folder under
# /tmp), run by an unprivileged user (`postgres` when started as root), on PGPORT (default
# 54329). The database `dca_backtest` belongs to the role `dca`, whose random password goes to
# PGPASSWORD (never into the URL). The server also speaks TLS, with a throw-away certificate
# authority in "$PGDATA_DIR.tls" (ca.crt; server.crt for 127.0.0.1; client.crt and client.key for
# the role `dca_cert`, which logs in by its certificate alone and whose databases `dca` may
# create): DCA_BACKTEST_POSTGRES_TLS_DIR names that folder for the TLS tests.
# Stop it with: scripts/stop-postgres.sh "$PGDATA_DIR"
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
# TLS: a certificate authority, the server's certificate (127.0.0.1 and localhost) and a client
# certificate for the role dca_cert, all valid for two days (openssl, Debian package openssl).
tls="$data.tls"
mkdir -p "$tls"
chmod 755 "$tls"  # the server's user reads its key and certificates in it
(
  cd "$tls"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=dca-backtest test CA" -keyout ca.key -out ca.crt
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout server.key -out server.csr
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > server.ext
  openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile server.ext -out server.crt
  openssl req -newkey rsa:2048 -nodes -subj "/CN=dca_cert" -keyout client.key -out client.csr
  openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -out client.crt
  chmod 600 ca.key server.key client.key
) > "$data.tls.log" 2>&1 || { cat "$data.tls.log" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] && chown postgres: "$tls/server.key" "$tls/server.crt" "$tls/ca.crt"
# The certificate role first: `cert` authentication over TLS; everyone else as initdb set up.
hba="$data/pg_hba.conf"
{ printf 'hostssl all dca_cert 127.0.0.1/32 cert\n'; cat "$hba"; } > "$hba.new" && cat "$hba.new" > "$hba" && rm -f "$hba.new"
as_owner "'$bin/pg_ctl' -D '$data' -l '$data/server.log' -w -o \"-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories='$data' -c fsync=on -c ssl=on -c ssl_cert_file='$tls/server.crt' -c ssl_key_file='$tls/server.key' -c ssl_ca_file='$tls/ca.crt'\" start" >&2 \
  || { cat "$data/server.log" >&2; exit 1; }
as_owner "'$bin/psql' -h '$data' -p $port -U postgres -v ON_ERROR_STOP=1 -q -c \"CREATE ROLE dca LOGIN CREATEDB PASSWORD '$password'\" -c 'CREATE DATABASE dca_backtest OWNER dca' -c 'CREATE ROLE dca_cert LOGIN' -c 'GRANT dca_cert TO dca'" >&2
echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, data in $data" >&2
echo "export PGDATA_DIR='$data'"
echo "export PGPASSWORD='$password'"
echo "export DCA_BACKTEST_POSTGRES_URL='postgresql://dca@127.0.0.1:$port/dca_backtest?sslmode=disable'"
echo "export DCA_BACKTEST_POSTGRES_TLS_DIR='$tls'"
