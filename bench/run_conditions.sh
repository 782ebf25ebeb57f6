#!/usr/bin/env bash
# bench/run_conditions.sh — runs condition_benchmark pinned to one core and
# prints a Markdown summary: the conditional M bundle by Query against the
# unconditional M bundle by strings (same process, same queries), and the
# compile time and bytes of the AWS managed policies converted with and
# without their Conditions (bench/aws_managed_to_bundle.py).
#
# usage: bench/run_conditions.sh [BUILD_DIR]     (default: build)
# env:   REPS (default 5), MIN_TIME (default 0.3), CORE (default 1),
#        OUT (default /tmp/rolegate-cond), SKIP_AWS=1 to leave out the AWS set
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
reps=${REPS:-5}
out=${OUT:-/tmp/rolegate-cond}
mkdir -p "$out"
bundles=""
if [[ -z ${SKIP_AWS:-} ]]; then
  python3 "$here/aws_managed_to_bundle.py" --out "$out/aws-cond.json" 2>"$out/aws-convert.txt"
  python3 "$here/aws_managed_to_bundle.py" --out "$out/aws-plain.json" --no-conditions 2>>"$out/aws-convert.txt"
  bundles="$out/aws-plain.json,$out/aws-cond.json"
fi
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
ROLEGATE_BENCH_BUNDLES=$bundles taskset -c "${CORE:-1}" "$build/bench/condition_benchmark" \
  --benchmark_repetitions="$reps" --benchmark_min_time="${MIN_TIME:-0.3}" \
  --benchmark_out="$out/cond.json" --benchmark_out_format=json >"$out/cond.txt" 2>"$out/cond.log" \
  || { tail -20 "$out/cond.log" >&2; exit 1; }
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

python3 - "$out" "$load_before" "$load_after" "$reps" <<'PY'
import json, os, statistics, sys
from collections import defaultdict
out, lb, la, reps = sys.argv[1:5]
med = statistics.median
R = defaultdict(list)
for b in json.load(open(f"{out}/cond.json"))["benchmarks"]:
    if b.get("run_type") == "iteration":
        R[b["run_name"]].append(b)
print(f"load average before {lb}, after {la}; {reps} repetitions, pinned; "
      "median of the repetitions (spread: min–max of the repetitions).\n")
print("| benchmark | median ns | spread ns | p99 ns (median) | p99 spread | ÷ plain M median | ÷ plain M p99 | "
      "allowed | condition_not_met |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for name, e in R.items():
    if "/compile" in name:
        continue
    if any(x.get("error_occurred") for x in e):
        print(f"| {name} | error: {e[0].get('error_message')} |||||||")
        continue
    p50 = [x["ns_p50"] for x in e]
    p99 = [x["ns_p99"] for x in e]
    r50 = [x["ratio_p50"] for x in e if "ratio_p50" in x]
    r99 = [x["ratio_p99"] for x in e if "ratio_p99" in x]
    print(f"| {name} | {med(p50):.1f} | {min(p50):.1f}–{max(p50):.1f} | {med(p99):.1f} | "
          f"{min(p99):.1f}–{max(p99):.1f} | {f'{med(r50):.2f}×' if r50 else '–'} | "
          f"{f'{med(r99):.2f}×' if r99 else '–'} | {100 * e[0]['allowed']:.1f} % | "
          f"{100 * e[0]['condition_not_met']:.1f} % |")
print("\n| bundle | statements | compile ms (median) | spread ms | table_bytes | heap bytes kept | bundle MB | warnings |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
rows = {}
for name, e in R.items():
    if "/compile" not in name:
        continue
    if any(x.get("error_occurred") for x in e):
        print(f"| {name} | error: {e[0].get('error_message')} |||||||")
        continue
    ms = [x["compile_ms"] for x in e]
    x = e[0]
    rows[name] = x
    print(f"| {name.split('/iterations')[0]} | {x.get('statements', 0):,.0f} | {med(ms):,.0f} | "
          f"{min(ms):,.0f}–{max(ms):,.0f} | {x['table_bytes']:,.0f} | {x['heap_bytes']:,.0f} | "
          f"{x['bundle_MB']:.1f} | {x.get('warnings', 0):,.0f} |")
plain = next((v for k, v in rows.items() if "aws-plain" in k), None)
cond = next((v for k, v in rows.items() if "aws-cond" in k), None)
conv = open(f"{out}/aws-convert.txt").read() if os.path.exists(f"{out}/aws-convert.txt") else ""
if plain and cond:
    n = int(conv.split(" with a Condition")[0].split("(")[-1]) if "with a Condition" in conv else 0
    if n:
        print(f"\nAWS: {n} conditional statements; per conditional statement: "
              f"table_bytes {(cond['table_bytes'] - plain['table_bytes']) / n:,.0f} B, "
              f"heap kept {(cond['heap_bytes'] - plain['heap_bytes']) / n:,.0f} B")
print("\n" + conv.strip())
PY
