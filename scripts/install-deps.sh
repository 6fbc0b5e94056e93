#!/usr/bin/env bash
# Installs the Debian packages dca-backtest builds against, when they are missing:
# libcsv-dev (CSV tokenising), libsqlite3-dev (SQLite, through GRDB), zlib1g-dev (.gz), libzip-dev (.zip, CRC-checked).
set -euo pipefail
packages=(libcsv-dev libsqlite3-dev zlib1g-dev libzip-dev time)
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
