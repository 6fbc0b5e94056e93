#!/usr/bin/env bash
# Installs the Debian packages dca-backtest needs, when they are missing.
#   scripts/install-deps.sh       what building and `make test` need
#   scripts/install-deps.sh ci    and what CI's extra services need (.ci/run)
# One package per line, each with its reason: add yours on a line of its own.
set -euo pipefail

build_packages=(
  libcsv-dev       # CSV tokenising
  libsqlite3-dev   # SQLite, through GRDB
  zlib1g-dev       # .gz candle files (and zip's deflate)
  libzip-dev       # .zip candle files, CRC-checked, sizes bounded
  time             # /usr/bin/time: the hostile-input tests read a child's peak memory from it
)

ci_packages=(
  postgresql       # the PostgreSQL server the storage tests write to (scripts/start-postgres.sh)
  openssl          # its throw-away TLS authority and certificates (scripts/start-postgres.sh)
)

packages=("${build_packages[@]}")
[ "${1:-}" = "ci" ] && packages+=("${ci_packages[@]}")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  echo "Installing ${missing[*]} ..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "Missing Debian packages: ${missing[*]}. Install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
