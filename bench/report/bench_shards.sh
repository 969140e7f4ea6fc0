#!/bin/sh
# Three shards of the default plan run one after the other, then `harness merge`, against the
# unsharded run measured in the same session: what splitting costs in total machine time (each
# shard loads and resolves the plan again). Also checks that the merged report has the same
# verdict per case and the same JUnit counts as the unsharded one. Target: ratio <= 1.1.
# The first run warms images and metadata and is not timed.
# Usage: bench_shards.sh [HARNESS-BINARY] [extra run args...]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
harness=${1:-$here/../../build/bin/harness}
[ $# -gt 0 ] && shift
out=$(mktemp -d /tmp/harness-bench-shards.XXXXXX)
trap 'rm -rf "$out"' EXIT INT TERM
now() { date +%s.%N; }

echo "warming (images, metadata): $harness run $*" >&2
"$harness" -q run --out "$out/warm" "$@" >/dev/null || true   # a regression exit is still a finished run

t0=$(now)
"$harness" -q run --out "$out/whole" "$@" >/dev/null || true
t1=$(now)
for k in 1 2 3; do
  "$harness" -q run --out "$out/shard$k" --shard "$k/3" "$@" >/dev/null || true
done
t2=$(now)
"$harness" -q merge "$out/shard1/latest" "$out/shard2/latest" "$out/shard3/latest" --out "$out/merged" >/dev/null || true
t3=$(now)
python3 - "$out" "$t0" "$t1" "$t2" "$t3" <<'PY'
import json, sys, xml.etree.ElementTree as ET
out, t0, t1, t2, t3 = sys.argv[1], *map(float, sys.argv[2:])
def verdicts(d):
    rows = json.load(open(f"{out}/{d}/latest/results.json"))["cases"]
    return {(r["suite"], r["case"], r["stream"]): r.get("verdict", r["outcome"]) for r in rows}
def counts(d):
    root = ET.parse(f"{out}/{d}/latest/junit.xml").getroot()
    return {k: root.get(k) for k in ("tests", "failures", "errors", "skipped")}
whole, sharded, merge = t1 - t0, t2 - t1, t3 - t2
same = verdicts("whole") == verdicts("merged") and counts("whole") == counts("merged")
print(f"default plan, warm: unsharded {whole:.1f} s; 3 shards one after the other {sharded:.1f} s + merge {merge:.2f} s")
print(f"  ratio: {(sharded + merge) / whole:.2f} of unsharded (target <= 1.1: {'met' if (sharded + merge) / whole <= 1.1 else 'MISSED'})")
print(f"  merged report equal to the unsharded one (verdict per case, JUnit counts): {'yes' if same else 'NO'}")
print(f"  JUnit counts: unsharded {counts('whole')}, merged {counts('merged')}")
sys.exit(0 if same else 1)
PY
