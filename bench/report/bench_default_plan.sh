#!/bin/sh
# Warm end-to-end time of the default plan (`harness run` without arguments), beside the time the
# same streams take one after the other (the sum of the per-stream times in manifest.json), which
# is what the parallel streams save. The first run warms images and metadata and is not timed.
# Target: under 30 s warm here. Usage: bench_default_plan.sh [HARNESS-BINARY] [extra run args...]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
harness=${1:-$here/../../build/bin/harness}
[ $# -gt 0 ] && shift
out=$(mktemp -d /tmp/harness-bench-plan.XXXXXX)
trap 'rm -rf "$out"' EXIT INT TERM

echo "warming (images, metadata): $harness run $*" >&2
"$harness" -q run --out "$out/warm" "$@" >/dev/null || true   # a regression exit is still a finished run

start=$(date +%s.%N)
rc=0
"$harness" -q run --out "$out/timed" "$@" >"$out/run.txt" || rc=$?
end=$(date +%s.%N)
manifest="$out/timed/latest/manifest.json"
if [ ! -f "$manifest" ]; then echo "the timed run wrote no report (exit $rc)" >&2; cat "$out/run.txt" >&2; exit 1; fi
python3 - "$manifest" "$start" "$end" "$rc" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
wall = float(sys.argv[3]) - float(sys.argv[2])
sequential = sum(s["seconds"] for s in m["streams"])
t = m["timings"]
print(f"default plan, warm: {wall:.1f} s wall (exit {sys.argv[4]}; {len(m['streams'])} streams; "
      f"load {t.get('load', 0):.2f} s, resolve {t.get('resolve', 0):.2f} s, streams {t.get('streams', 0):.1f} s)")
print(f"  baseline, the same streams one after the other: {sequential:.1f} s")
print(f"  ratio: {wall / sequential if sequential else 0:.2f} of sequential; target < 30 s warm: {'met' if wall < 30 else 'MISSED'}")
PY
