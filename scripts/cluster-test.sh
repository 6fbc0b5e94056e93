#!/usr/bin/env bash
# The cluster test: a real one-node Slurm (Debian's slurm-wlm with munge) on localhost runs
# deploy/slurm-sweep.sh as a job array, a dependent job merges the shards, and the merged tables
# must equal those of the same sweep run locally without shards (every column but the two
# wall-clock ones, executed_at and wall_seconds).
#
# Needs root (it installs packages and starts munged, slurmctld and slurmd). Without root it says
# so and exits 0, unless CI=true, where it fails. Everything it starts is stopped on exit; its
# files live in one temporary folder.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD

if [ "$(id -u)" -ne 0 ]; then
  echo "cluster-test: skipped: starting Slurm's daemons needs root (run as root, or see deploy/slurm-sweep.sh)" >&2
  [ "${CI:-}" = "true" ] && exit 1
  exit 0
fi

packages=(slurm-wlm munge sqlite3)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "cluster-test: installing ${missing[*]} ..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

swift build --product dca-backtest >/dev/null
binary="$top/.build/debug/dca-backtest"

work=$(mktemp -d /tmp/dca-cluster-test.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${munge_pid:-}" ] && kill "$munge_pid" 2>/dev/null || true
  if [ "${KEEP_CLUSTER_TEST:-}" != "1" ]; then rm -rf "$work"; fi
}
trap cleanup EXIT

# munge: the Debian package creates /etc/munge/munge.key; a machine without one gets a new key.
if [ ! -s /etc/munge/munge.key ]; then
  mungekey --create --keyfile=/etc/munge/munge.key 2>/dev/null || dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 2>/dev/null
  chown munge:munge /etc/munge/munge.key
  chmod 400 /etc/munge/munge.key
fi
mkdir -p "$work/munge"
chown munge:munge "$work/munge"
socket="$work/munge/munge.socket"
su -s /bin/sh munge -c "munged --socket=$socket --pid-file=$work/munge/munged.pid --log-file=$work/munge/munged.log --seed-file=$work/munge/seed"
munge_pid=$(cat "$work/munge/munged.pid")

node=$(hostname -s)
cpus=$(nproc)
memory=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 512 ))
mkdir -p "$work/state" "$work/spool" "$work/log" "$work/run"
cat >"$work/slurm.conf" <<CONF
ClusterName=dca-local
SlurmctldHost=$node
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/run/slurmctld.pid
SlurmdPidFile=$work/run/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
SlurmdTimeout=60
NodeName=$node CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=local Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$work/slurm.conf"

slurmctld -D -f "$SLURM_CONF" >"$work/log/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" >"$work/log/slurmd.out" 2>&1 &
pids+=($!)

fail() {
  echo "cluster-test: FAILED: $*" >&2
  for f in "$work"/log/* "$work"/munge/munged.log; do
    [ -s "$f" ] && { echo "--- $f" >&2; tail -n 20 "$f" >&2; }
  done
  exit 1
}

for _ in $(seq 1 60); do
  state=$(sinfo -h -n "$node" -o %t 2>/dev/null || true)
  [ "$state" = "idle" ] && break
  sleep 1
done
[ "$state" = "idle" ] || fail "the node did not become idle within 60 s (state '${state:-none}')"
echo "cluster-test: Slurm is up: node $node, $cpus CPUs, partition local" >&2

# The sweep: the bundled bot and grid over the bundled Binance archives.
export DCA_BACKTEST="$binary"
export SWEEP_CONFIG="$top/datasets/btc-1m-ladder.json"
export SWEEP_GRID="$top/datasets/example-grid.json"
export SWEEP_DATA="$top/datasets/BTCUSDT-1m-2020-01-01.zip $top/datasets/BTCUSDT-1m-2020-01-02.zip"
export SWEEP_RESULTS="$work/results"
shards=3
started=$(date +%s)
array=$(sbatch --parsable --array=0-$((shards - 1)) --cpus-per-task=1 --chdir="$work" \
  --output="$work/log/shard-%a.out" "$top/deploy/slurm-sweep.sh") || fail "sbatch refused the array job"
merge=$(sbatch --parsable --dependency=afterok:"$array" --chdir="$work" --output="$work/log/merge.out" \
  --wrap "'$binary' merge '$work/results/merged.sqlite' $(for i in $(seq 0 $((shards - 1))); do printf "'%s' " "$work/results/shard-$i.sqlite"; done)") \
  || fail "sbatch refused the merge job"
echo "cluster-test: submitted array job $array ($shards shards) and merge job $merge" >&2

for _ in $(seq 1 600); do
  [ -z "$(squeue -h -j "$array,$merge" 2>/dev/null)" ] && break
  sleep 1
done
[ -z "$(squeue -h -j "$array,$merge" 2>/dev/null)" ] || fail "the jobs did not finish within 600 s"
for i in $(seq 0 $((shards - 1))); do
  [ -s "$work/results/shard-$i.sqlite" ] || fail "shard $i wrote no database ($(cat "$work/log/shard-$i.out" 2>/dev/null | tail -n 5))"
done
[ -s "$work/results/merged.sqlite" ] || fail "the merge job wrote no database ($(tail -n 5 "$work/log/merge.out" 2>/dev/null))"
echo "cluster-test: the array and the merge finished in $(( $(date +%s) - started )) s" >&2

# The same sweep, locally and unsharded.
# shellcheck disable=SC2086
"$binary" sweep --config "$SWEEP_CONFIG" --grid "$SWEEP_GRID" --data $SWEEP_DATA --orders none \
  --db "$work/results/local.sqlite" >"$work/log/local.out" 2>&1 || fail "the local sweep failed: $(tail -n 5 "$work/log/local.out")"

dump() {
  local db=$1
  sqlite3 "$db" "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%' ORDER BY name" |
  while read -r table; do
    columns=$(sqlite3 "$db" "SELECT name FROM pragma_table_info('$table') WHERE name NOT IN ('executed_at', 'wall_seconds') ORDER BY cid" | paste -sd, -)
    list=$(echo "$columns" | sed 's/\([^,]*\)/quote(\1)/g; s/,/ || '"'"'|'"'"' || /g')
    echo "## $table"
    sqlite3 "$db" "SELECT $list FROM $table ORDER BY $columns"
  done
}
dump "$work/results/merged.sqlite" >"$work/merged.dump"
dump "$work/results/local.sqlite" >"$work/local.dump"
runs=$(sqlite3 "$work/results/merged.sqlite" "SELECT count(*) FROM bot_runs")
[ "$runs" -gt 0 ] || fail "the merged database holds no runs"
if ! cmp -s "$work/merged.dump" "$work/local.dump"; then
  diff "$work/local.dump" "$work/merged.dump" | head -n 20 >&2
  fail "the merged tables differ from the local sweep's"
fi
echo "cluster-test: passed: $runs runs; the merged shards equal the local sweep, table for table" >&2
