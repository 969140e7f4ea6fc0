#!/bin/bash
# Runs every libFuzzer target (fuzz/fuzz_*, built with -DHARNESS_FUZZ=ON: ASan+UBSan) for a total
# number of executions, at most JOBS at a time, and prints per target executions, exec/s and crashes,
# then a total. Every target first runs for the same time (--calibrate seconds, default 20), which
# also measures its speed; the rest of the total is then shared in proportion to the square of each
# target's speed, so that each gets fuzzing time in proportion to its speed: a YAML loader at
# 100/s still runs, but a line parser at 20,000/s does most of the executions and the run ends in
# minutes, not hours.
# Exits 1 when any target crashed, leaked, timed out or ran out of memory, naming the input that did
# it (replay: BUILD/fuzz/fuzz_X INPUT).
#   bench/fuzz/run-fuzz.sh [--build DIR] [--total N] [--jobs N] [--work DIR] [--only REGEX] [--calibrate S]
# Defaults: --build build-fuzz, --total 10000000, --jobs $(nproc), --work DIR/fuzz-work (the seeds
# are made there by fuzz/make-seeds.sh; the corpora grow there from run to run).
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$SRC/build-fuzz
TOTAL=10000000
JOBS=$(nproc)
WORK=""
ONLY=.
CAL=20
while [ $# -gt 0 ]; do
  case $1 in
    --build) BUILD=$2; shift 2 ;;
    --total) TOTAL=$2; shift 2 ;;
    --jobs) JOBS=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --calibrate) CAL=$2; shift 2 ;;
    *) echo "run-fuzz.sh: unknown argument '$1' (see the comment at the top of $0)" >&2; exit 2 ;;
  esac
done
WORK=${WORK:-$BUILD/fuzz-work}
[ "$JOBS" -ge 1 ] && [ "$JOBS" -le "$(nproc)" ] || JOBS=$(nproc)
mapfile -t TARGETS < <(find "$BUILD/fuzz" -maxdepth 1 -type f -name 'fuzz_*' -perm -u+x -printf '%f\n' | grep -E -- "$ONLY" | sort)
if [ ${#TARGETS[@]} -eq 0 ]; then
  echo "run-fuzz.sh: no fuzz_* binaries in $BUILD/fuzz; build them: cmake -S . -B $BUILD -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DHARNESS_FUZZ=ON && ninja -C $BUILD fuzz_all" >&2
  exit 2
fi
[ -d "$WORK/seeds" ] || "$SRC/fuzz/make-seeds.sh" "$WORK/seeds" >&2
mkdir -p "$WORK/logs" "$WORK/crashes"
# The targets' scratch files (fuzz/fuzz_support.hpp) go here and go with the run.
export TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/harness-fuzz-run.XXXXXX")
trap 'rm -rf "$TMPDIR"' EXIT

run_one() {  # target phase limit-flag: one libFuzzer run; its log, exit code and times in logs/
  local t=$1 phase=$2 limit=$3
  mkdir -p "$WORK/corpus/$t" "$WORK/seeds/$t"
  local start=$(date +%s.%N) rc=0
  # -rss_limit_mb/-timeout: an input that takes > 2 GiB or 10 s is a finding, as a crash is.
  "$BUILD/fuzz/$t" "$limit" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -close_fd_mask=1 -print_final_stats=1 \
    -artifact_prefix="$WORK/crashes/$t-" "$WORK/corpus/$t" "$WORK/seeds/$t" > "$WORK/logs/$t.$phase.log" 2>&1 || rc=$?
  echo "$rc $start $(date +%s.%N)" > "$WORK/logs/$t.$phase.rc"
}
export -f run_one
export BUILD WORK
execs_of() { sed -n 's/^stat::number_of_executed_units: *//p' "$WORK/logs/$1.$2.log" 2>/dev/null | tail -1; }

echo "fuzzing ${#TARGETS[@]} targets, $TOTAL executions in all, $JOBS at a time (logs: $WORK/logs)"
rm -f "$WORK"/logs/*.rc
T0=$(date +%s.%N)
# Round 1: every target for CAL seconds, to measure its speed.
printf '%s\n' "${TARGETS[@]}" | xargs -P "$JOBS" -I{} bash -c 'run_one {} 1 -max_total_time='"$CAL"
done1=0; rates=()
for t in "${TARGETS[@]}"; do
  read -r rc start end < "$WORK/logs/$t.1.rc"
  n=$(execs_of "$t" 1); n=${n:-0}
  done1=$((done1 + n))
  rates+=("$(awk -v n="$n" -v a="$start" -v b="$end" 'BEGIN { r = (b > a ? n / (b - a) : 0); printf "%.3f", (r < 1 ? 1 : r) }')")
done
# Round 2: the rest of the total, in proportion to speed squared (time in proportion to speed).
rest=$((TOTAL - done1))
if [ "$rest" -gt 0 ]; then
  sum_sq=$(printf '%s\n' "${rates[@]}" | awk '{ s += $1 * $1 } END { printf "%.3f", s }')
  for i in "${!TARGETS[@]}"; do
    t=${TARGETS[$i]}
    read -r rc _ < "$WORK/logs/$t.1.rc"
    [ "$rc" -eq 0 ] || continue  # a target that crashed in round 1 is reported as it is
    echo "$t $(awk -v r="${rates[$i]}" -v s="$sum_sq" -v n="$rest" 'BEGIN { printf "%d", r * r / s * n + 1 }')"
  done | xargs -P "$JOBS" -L 1 bash -c 'run_one "$0" 2 -runs="$1"'
fi
T1=$(date +%s.%N)

printf '%-28s %12s %10s %8s  %s\n' target executions exec/s crashes finding
sum=0; bad=0; crashed=0
for t in "${TARGETS[@]}"; do
  execs=0; secs=0; crashes=0; artifact=""
  for phase in 1 2; do
    [ -f "$WORK/logs/$t.$phase.rc" ] || continue
    read -r rc start end < "$WORK/logs/$t.$phase.rc"
    n=$(execs_of "$t" $phase)
    execs=$((execs + ${n:-0}))
    secs=$(awk -v s="$secs" -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", s + b - a }')
    a=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$WORK/logs/$t.$phase.log" | head -1)
    if [ "$rc" -ne 0 ] || [ -n "$a" ]; then
      crashes=1
      artifact=${a:-"(exit $rc, no input saved: see $WORK/logs/$t.$phase.log)"}
    fi
  done
  [ "$crashes" -eq 0 ] || { bad=1; crashed=$((crashed + 1)); }
  rate=$(awk -v n="$execs" -v s="$secs" 'BEGIN { printf "%d", (s > 0 ? n / s : 0) }')
  sum=$((sum + execs))
  printf '%-28s %12d %10d %8d  %s\n' "$t" "$execs" "$rate" "$crashes" "$artifact"
done
wall=$(awk -v a="$T0" -v b="$T1" 'BEGIN { printf "%.0f", b - a }')
printf '%-28s %12d %10d %8d  wall %ss, %s jobs\n' total "$sum" "$(awk -v n="$sum" -v w="$wall" 'BEGIN { printf "%d", (w > 0 ? n / w : 0) }')" \
  "$crashed" "$wall" "$JOBS"
exit $bad
