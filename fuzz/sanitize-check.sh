#!/bin/bash
# The CI hook (ctest: sanitize_fuzz_smoke, label integration): the fuzz targets and the parser-level
# unit tests built with clang, ASan and UBSan (-DHARNESS_FUZZ=ON), each fuzz target run for a few
# seconds from its seeds, then those unit tests. The build lives in
# ~/.cache/harness/sanitize/<key>, keyed by the contents of the sources, so a second run on the same
# sources builds nothing; a changed source builds a new folder (ccache, when installed, keeps the
# unchanged objects). The two newest folders are kept. The build is configured on $B.src, a symlink
# that each run points at the checkout it was called from: the binaries name their scenario files by
# that path, so a warm build made by another clone of the same sources reads this clone's files.
#   fuzz/sanitize-check.sh [SECONDS_PER_TARGET]   (default 3)
# HARNESS_SANITIZE_BUILD=DIR uses an existing -DHARNESS_FUZZ=ON build (ninja brings it up to date)
# instead of the cache.
set -euo pipefail
SECS=${1:-3}
SRC=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/harness/sanitize
UNIT_TESTS=(test_common test_exiqgrep_model test_plan_file test_repo_unit test_report test_starttls_scenarios test_tls test_testssl_import test_client_capture test_hello_replay test_verdict)
command -v clang++ >/dev/null || { echo "sanitize-check: clang++ not found; install the host packages (containers/setup-host)" >&2; exit 1; }
T0=$(date +%s)

# The key: every file the build reads (sources, CMake files, scenarios the tests load) and the compiler.
KEY=$( { cd "$SRC" && find CMakeLists.txt harness fuzz tests bench scenarios -type f ! -name '*.pyc' -print0 | sort -z | xargs -0 sha256sum;
         clang++ --version; } | sha256sum | cut -c1-16)
B=$CACHE/$KEY
mkdir -p "$CACHE"
if [ -n "${HARNESS_SANITIZE_BUILD:-}" ]; then
  B=$HARNESS_SANITIZE_BUILD
  echo "sanitize-check: bringing $B up to date"
  ninja -C "$B" -j"$(nproc)" fuzz_all "${UNIT_TESTS[@]}" > "$B/sanitize-build.log" 2>&1 || { tail -50 "$B/sanitize-build.log"; exit 1; }
elif [ ! -f "$B/.built" ]; then
  echo "sanitize-check: building $B (cold)"
  ln -sfn "$SRC" "$B.src"
  launcher=()
  if command -v ccache >/dev/null; then
    launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
    export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache} CCACHE_BASEDIR=$B.src
  fi
  rm -rf "$B"
  cmake -S "$B.src" -B "$B" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ "${launcher[@]}" \
    -DHARNESS_FUZZ=ON -DHARNESS_WERROR=OFF > "$B.configure.log" 2>&1 || { cat "$B.configure.log"; exit 1; }
  ninja -C "$B" -j"$(nproc)" fuzz_all "${UNIT_TESTS[@]}" > "$B.build.log" 2>&1 || { tail -50 "$B.build.log"; exit 1; }
  touch "$B/.built"
  # Keep this build and the one before it (build folders are named by their 16-digit key).
  find "$CACHE" -maxdepth 1 -type d -regextype posix-extended -regex '.*/[0-9a-f]{16}' -printf '%T@ %p\n' | sort -rn | tail -n +3 | cut -d' ' -f2- |
    while read -r old; do rm -rf "$old" "$old.src" "$old.configure.log" "$old.build.log"; done
else
  echo "sanitize-check: $B is built for these sources (warm)"
  ln -sfn "$SRC" "$B.src"
fi
T1=$(date +%s)

SEEDS=$CACHE/seeds-$( { cd "$SRC" && sha256sum fuzz/make-seeds.sh tests/repo/make-rpmmd-fixture.sh; find scenarios -type f -print0 | sort -z | xargs -0 sha256sum; } | sha256sum | cut -c1-16)
if [ ! -d "$SEEDS" ]; then
  rm -rf "$CACHE"/seeds-*
  "$SRC/fuzz/make-seeds.sh" "$SEEDS.tmp" && mv "$SEEDS.tmp" "$SEEDS"
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export TMPDIR=$WORK  # the targets' scratch folders (fuzz/fuzz_support.hpp) go with it
echo "sanitize-check: each fuzz target for ${SECS}s, $(nproc) at a time"
ls "$B/fuzz" | grep '^fuzz_' | xargs -P "$(nproc)" -I{} bash -c '
  mkdir -p "$1/{}" "$1/crash"
  if "$2/fuzz/{}" -max_total_time='"$SECS"' -timeout=10 -rss_limit_mb=2048 -max_len=65536 -close_fd_mask=1 -print_final_stats=1 \
       -artifact_prefix="$1/crash/{}-" "$1/{}" "$3/{}" > "$1/{}.log" 2>&1; then
    echo "  {}: $(sed -n "s/^stat::number_of_executed_units: *//p" "$1/{}.log") executions, no crash"
  else
    echo "  {}: FAILED"; tail -40 "$1/{}.log"; exit 1
  fi' _ "$WORK" "$B" "$SEEDS"
T2=$(date +%s)
regex="^($(IFS='|'; echo "${UNIT_TESTS[*]}"))\$"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --test-dir "$B" -R "$regex" --output-on-failure
T3=$(date +%s)
echo "sanitize-check: build $((T1 - T0))s, fuzz $((T2 - T1))s, unit tests $((T3 - T2))s, total $((T3 - T0))s"
