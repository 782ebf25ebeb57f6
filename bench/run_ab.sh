#!/usr/bin/env bash
# bench/run_ab.sh — old binary against new, alternated, pinned to one core:
# check by strings and by ids (hot and uniform) on the S, M, L bundles of
# bench/bundle_gen, with the hash-map floors of the same process.
#
# usage: bench/run_ab.sh OLD_CHECK_BENCHMARK NEW_CHECK_BENCHMARK
# env:   ALTS       alternations (default 3); the order flips each round
#                   (old,new / new,old / ...) so a drift in load hits both alike
#        SIZES      ROLEGATE_BENCH_SIZES (default S,M,L)
#        REPS       --benchmark_repetitions (default 5)
#        MIN_TIME   --benchmark_min_time seconds (default 0.3)
#        CORE       the core to pin to (default 1)
#        FILTER     methods (default floor_string_map|floor_int_map|check_strings|check_ids)
#        OUT        directory for the raw JSON (default /tmp/rolegate-ab)
#
# Prints, per size × set × method: old and new medians (median over the
# alternations of each run's median over repetitions, min–max across the
# alternations), new ÷ old of the medians, the min–max of the paired ratios
# (new ÷ old within one round), and new ÷ old of the ratio to the floor
# (the figure least moved by the machine's load), the best (least disturbed)
# repetition of each and their ratio, then the load averages. Run it once
# with the same binary twice (an A/A run) to see the noise of the moment.
set -euo pipefail
old=${1:?usage: run_ab.sh OLD NEW}
new=${2:?usage: run_ab.sh OLD NEW}
alts=${ALTS:-3}
reps=${REPS:-5}
min_time=${MIN_TIME:-0.3}
core=${CORE:-1}
methods=${FILTER:-floor_string_map|floor_int_map|check_strings|check_ids}
out=${OUT:-/tmp/rolegate-ab}
mkdir -p "$out"
rm -f "$out"/*.json "$out"/load.txt

run() {  # tag round binary
  echo "$1 $2 $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/load.txt"
  echo "round $2: $1 ..." >&2
  ROLEGATE_BENCH_SIZES=${SIZES:-S,M,L} ROLEGATE_BENCH_CAPI=0 taskset -c "$core" "$3" \
    --benchmark_filter="^(S|M|L)/(hot|uniform)/($methods)\$" \
    --benchmark_repetitions="$reps" --benchmark_min_time="$min_time" \
    --benchmark_out="$out/$1-$2.json" --benchmark_out_format=json >"$out/$1-$2.txt" 2>"$out/$1-$2.log" \
    || { tail -20 "$out/$1-$2.log" >&2; exit 1; }
}
for ((k = 1; k <= alts; ++k)); do
  if ((k % 2)); then run old "$k" "$old"; run new "$k" "$new"
  else run new "$k" "$new"; run old "$k" "$old"; fi
done

python3 - "$out" "$alts" "$reps" <<'PY'
import json, statistics, sys
from collections import defaultdict
out, alts, reps = sys.argv[1], int(sys.argv[2]), sys.argv[3]
med = statistics.median

def per_run(path):
    """run name -> (median ns_p50 over reps, median ns_p99, min, max ns_p50 over reps)."""
    r = defaultdict(list)
    for b in json.load(open(path))["benchmarks"]:
        if b.get("run_type") == "iteration" and not b.get("error_occurred"):
            r[b["run_name"]].append((b["ns_p50"], b["ns_p99"]))
    return {k: (med([x[0] for x in v]), med([x[1] for x in v]), min(x[0] for x in v), max(x[0] for x in v))
            for k, v in r.items()}

R = {t: [per_run(f"{out}/{t}-{k}.json") for k in range(1, alts + 1)] for t in ("old", "new")}
names = sorted(R["old"][0], key=lambda n: ("SML".index(n[0]), n))
floor_of = lambda n: n.rsplit("/", 1)[0] + ("/floor_string_map" if n.endswith("strings") else "/floor_int_map")
print(f"{alts} alternations × {reps} repetitions, pinned; ns per decision (p50 of 64-query blocks).\n")
print("| benchmark | old median ns (min–max over rounds) | new median ns (min–max) | new ÷ old | "
      "paired new ÷ old (min–max) | rep spread old / new (ns) | best old / new (ns) | best new ÷ old | "
      "p99 old / new | new ÷ old, ratio to floor |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for n in names:
    o = [r[n] for r in R["old"] if n in r]
    w = [r[n] for r in R["new"] if n in r]
    if not o or not w:
        continue
    om, wm = med([x[0] for x in o]), med([x[0] for x in w])
    paired = [b[0] / a[0] for a, b in zip(o, w)]
    floor = ""
    if "floor" not in n:
        f = floor_of(n)
        ro = med([r[n][0] / r[f][0] for r in R["old"] if n in r and f in r])
        rn = med([r[n][0] / r[f][0] for r in R["new"] if n in r and f in r])
        floor = f"{rn / ro:.3f}"
    print(f"| {n} | {om:.1f} ({min(x[0] for x in o):.1f}–{max(x[0] for x in o):.1f}) | "
          f"{wm:.1f} ({min(x[0] for x in w):.1f}–{max(x[0] for x in w):.1f}) | **{wm / om:.3f}** | "
          f"{min(paired):.3f}–{max(paired):.3f} | {min(x[2] for x in o):.1f}–{max(x[3] for x in o):.1f} / "
          f"{min(x[2] for x in w):.1f}–{max(x[3] for x in w):.1f} | "
          f"{min(x[2] for x in o):.1f} / {min(x[2] for x in w):.1f} | "
          f"{min(x[2] for x in w) / min(x[2] for x in o):.3f} | "
          f"{med([x[1] for x in o]):.1f} / {med([x[1] for x in w]):.1f} | {floor} |")
print("\nload averages (1, 5, 15 min) before each run:")
for line in open(f"{out}/load.txt"):
    print("  " + line.rstrip())
PY
