#!/usr/bin/env bash
# Fuzzes the candle loading path (bytes in, candles or a refusal out) with libFuzzer.
#
#   scripts/fuzz.sh [--kind csv|gz|zip|all] [--time SECONDS | --runs N] [--jobs N] [--no-asan] [--ci] [-- LIBFUZZER-ARGS]
#
# Builds .build/fuzz/loader-fuzzer with `swiftc -sanitize=fuzzer,address` from Sources/MarketData
# and Fuzz/LoaderFuzzer (the C libraries libcsv, zlib and libzip are the system's), seeds a corpus
# per input kind in .build/fuzz/corpus/KIND from datasets/, the shared datasets and failure cases
# when ../shared is present (or $DCA_SHARED), then runs each kind for --time seconds (default 600)
# or --runs executions. A crash, a memory error, a trap or an input taking over 10 s (a hang)
# stops the run with a non-zero exit; the input is kept in .build/fuzz/artifacts/.
# --ci: every kind for 60 s each (--time overrides). --no-asan: libFuzzer without AddressSanitizer
# (several times faster, for long runs; Swift's own checks still trap on overflow and bounds).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
kinds=(csv gz zip)
seconds=600
runs=""
jobs=1
sanitizers=fuzzer,address
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --kind) [ "$2" = all ] || kinds=("$2"); shift 2 ;;
    --time) seconds=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --no-asan) sanitizers=fuzzer; shift ;;
    --ci) seconds=${FUZZ_SECONDS:-60}; shift ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "fuzz.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

build=$root/.build/fuzz
binary=$build/loader-fuzzer-${sanitizers//,/-}
# FUZZ_OUT: where corpora, logs and findings go (default .build/fuzz), e.g. for a second run at once.
out=${FUZZ_OUT:-$build}
mkdir -p "$build/stub" "$out/artifacts"
sources=(Sources/MarketData/*.swift Fuzz/LoaderFuzzer/*.swift)
if [ ! -x "$binary" ] || [ -n "$(find "${sources[@]}" Fuzz/CryptoStub -newer "$binary" 2>/dev/null | head -1)" ]; then
  echo "Building $binary ..." >&2
  # swift-crypto is not needed by the loading path: a compile-only stub stands in for it.
  swiftc -parse-as-library -emit-module -emit-library -static -module-name Crypto \
    -emit-module-path "$build/stub/Crypto.swiftmodule" -o "$build/stub/libCrypto.a" Fuzz/CryptoStub/SHA256.swift > "$build/build.log" 2>&1 || { cat "$build/build.log" >&2; exit 1; }
  swiftc -O -g -swift-version 6 -enable-upcoming-feature ExistentialAny -parse-as-library \
    -sanitize=$sanitizers -module-name MarketData \
    -I Sources/CLibCSV -I Sources/CGzip -I Sources/CLibZip -I "$build/stub" -L "$build/stub" -lCrypto \
    "${sources[@]}" -o "$binary" > "$build/build.log" 2>&1 || { grep -v "ld.gold: warning" "$build/build.log" >&2; exit 1; }
fi

shared=${DCA_SHARED:-$root/../shared}
seed() {  # seed KIND DIR: small seeds (the first 12 lines of each candle file, archived as KIND)
  local kind=$1 dir=$2
  mkdir -p "$dir"
  [ -n "$(ls -A "$dir" 2>/dev/null)" ] && return 0
  local files=()
  [ -d "$shared/datasets" ] && while IFS= read -r f; do files+=("$f"); done < <(find "$shared/datasets" -type f \( -name '*.csv' -o -name '*.txt' \) | sort)
  local tmp; tmp=$(mktemp -d)
  local i=0
  for f in "${files[@]}"; do
    i=$((i + 1)); head -n 12 "$f" | head -c 2048 > "$tmp/seed$i.csv"
  done
  for z in datasets/*.zip; do i=$((i + 1)); unzip -p "$z" 2>/dev/null | head -n 12 > "$tmp/seed$i.csv" || true; done
  [ -d "$shared/cases" ] && for f in "$shared"/cases/*/*.csv; do i=$((i + 1)); head -c 2048 "$f" > "$tmp/seed$i.csv"; done
  case $kind in
    csv) cp "$tmp"/*.csv "$dir"/ ;;
    gz) for f in "$tmp"/*.csv; do gzip -9 -n -c "$f" > "$dir/$(basename "$f").gz"; done
        [ -d "$shared/datasets" ] && find "$shared/datasets" -name '*.gz' -size -64k -exec cp {} "$dir"/ \; ;;
    zip) cp datasets/*.zip "$dir"/
         [ -d "$shared/cases" ] && find "$shared/cases" -name '*.zip' -size -256k -exec cp {} "$dir"/ \;
         if command -v python3 >/dev/null; then
           python3 - "$tmp" "$dir" <<'PY'
import sys, zipfile, pathlib
tmp, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
for n, f in enumerate(sorted(tmp.glob('*.csv'))):
    for method, tag in ((zipfile.ZIP_DEFLATED, 'd'), (zipfile.ZIP_STORED, 's')):
        with zipfile.ZipFile(out / f'{f.stem}-{tag}.zip', 'w', method) as z:
            z.write(f, f.name)
PY
         fi ;;
  esac
  rm -rf "$tmp"
}

status=0
for kind in "${kinds[@]}"; do
  corpus=$out/corpus/$kind
  seed "$kind" "$corpus"
  limit=(-max_total_time="$seconds")
  [ -n "$runs" ] && limit=(-runs="$runs")
  echo "Fuzzing $kind inputs ($(ls "$corpus" | wc -l) seeds; $([ -n "$runs" ] && echo "$runs runs" || echo "$seconds s")) ..." >&2
  log=$out/$kind.log
  parallel=()
  [ "$jobs" -gt 1 ] && parallel=(-jobs="$jobs" -workers="$jobs")
  # -timeout: an input taking over 10 s is a hang; -rss_limit_mb bounds a memory blow-up.
  # SWIFT_BACKTRACE: the runtime's backtracer would run inside ASan's handler; libFuzzer reports.
  if ! (cd "$out" && SWIFT_BACKTRACE=enable=no FUZZ_KIND=$kind "$binary" "$corpus" -timeout=10 -rss_limit_mb=2048 -max_len=$([ "$kind" = csv ] && echo 4096 || echo 65536) "${parallel[@]}" \
      -print_final_stats=1 -artifact_prefix="$out/artifacts/$kind-" "${limit[@]}" "${extra[@]}" > "$log" 2>&1); then
    status=1
    echo "fuzz.sh: $kind: a crash, a hang or a memory error; see $log and $out/artifacts/" >&2
    grep -E "ERROR|Fatal|error:|SUMMARY|Test unit written" "$log" | head -20 >&2 || true
  fi
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$log" | sed "s/^/  $kind /" >&2 || true
done
exit $status
