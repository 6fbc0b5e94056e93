#!/usr/bin/env bash
# What the tests need beyond the build (CI runs this before `make test`): Debian's headless
# Chromium, which the report test uses to render report.html and read its DOM. Without it that
# test is skipped, saying so (outside CI).
set -euo pipefail
command -v chromium >/dev/null 2>&1 && exit 0
if [ "$(id -u)" -eq 0 ]; then
  echo "Installing chromium (for the report rendering test) ..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
else
  echo "chromium is missing; the report rendering test will be skipped. Install it with: sudo apt-get install -y chromium" >&2
fi
