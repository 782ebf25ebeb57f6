#!/usr/bin/env python3
"""Benchmark of the rolegate Python binding: per-call `check` latency and
`check_many` throughput.

    python3 bench/python_check_bench.py [BUNDLE] [--queries-file FILE] [--queries N]
                                        [--batch N] [--repeat R] [--json]

BUNDLE defaults to examples/anyscale.json. For the issue's figures use the M
bundle and a query set from the generator (the same the C++ benchmark uses):

    rolegate_gen_bundle --size M --out m.json
    rolegate_gen_bundle --size M --queries hot --count 100000 --out m_hot.jsonl
    python3 bench/python_check_bench.py m.json --queries-file m_hot.jsonl

Without --queries-file, queries are drawn with a fixed seed from the bundle's
own principals, catalog actions and scopes (at and below assignment and
deny-assignment scopes, plus statement resources). Each figure is the median
of R runs, with the min-max spread.

Wall-clock figures move with the machine's load; each figure also comes as
process CPU time (per call, or decisions per CPU-second), which moves less.

Targets (issue 4): <= 300 ns per `check` call; >= 10 M decisions/s with
`check_many`.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import random
import statistics
import sys
import time

# NumPy's BLAS threads would spin on the other core and blur the CPU figures.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import rolegate  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parent.parent


def bundle_queries(raw: bytes, n: int, seed: int = 1) -> list[tuple[str, str, str]]:
    b = json.loads(raw)
    actions = [a["name"] for a in b.get("actions", [])]
    principals, scopes, arns = [], [], []
    for g in b.get("groups", []):
        principals += g.get("members", [])
    for a in b.get("assignments", []):
        principals.append(a["principal"])
        scopes.append(a["scope"])
    for d in b.get("deny_assignments", []):
        scopes.append(d["scope"])
    for s in b.get("statements", []):
        principals.append(s["principal"])
        arns += [r.replace("*", "x1").replace("?", "q") for r in s.get("resources", [])]
    principals.append("user:nobody")
    scopes = scopes or ["/"]
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        r = rng.choice(scopes)
        k = rng.randrange(4)
        if k == 0:
            r = r.rstrip("/") + f"/jobs/j{rng.randrange(10)}"
        elif k == 1 and arns:
            r = rng.choice(arns)
        out.append((rng.choice(principals), rng.choice(actions), r))
    return out


def file_queries(path: str, n: int) -> list[tuple[str, str, str]]:
    """The "check" lines of a JSON Lines query file (the CLI's format)."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            q = json.loads(line)
            if q.get("op") == "check":
                out.append((q["principal"], q["action"], q["resource"]))
                if len(out) == n:
                    break
    if not out:
        raise SystemExit(f"{path}: no check queries")
    return out


def spread(xs: list[float]) -> tuple[float, float, float]:
    return statistics.median(xs), min(xs), max(xs)


def bench_check(engine: rolegate.Engine, qs: list[tuple[str, str, str]], repeat: int) -> dict:
    check = engine.check
    per_call, cpu_per_call, loop_only = [], [], []
    for _ in range(repeat):
        t, c = time.perf_counter_ns(), time.process_time_ns()
        for p, a, r in qs:
            check(p, a, r)
        per_call.append((time.perf_counter_ns() - t) / len(qs))
        cpu_per_call.append((time.process_time_ns() - c) / len(qs))
        t = time.perf_counter_ns()
        for p, a, r in qs:
            pass
        loop_only.append((time.perf_counter_ns() - t) / len(qs))
    med, lo, hi = spread(per_call)
    lmed = statistics.median(loop_only)
    return {"check_ns_per_call": med, "check_ns_min": lo, "check_ns_max": hi,
            "check_cpu_ns_per_call": statistics.median(cpu_per_call),
            "loop_overhead_ns": lmed, "check_ns_net_of_loop": med - lmed}


def bench_many(engine: rolegate.Engine, cols, n: int, repeat: int) -> dict:
    rates, cpu_rates = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        res = engine.check_many(*cols)
        dt, dc = time.perf_counter() - t, time.process_time() - c
        assert len(res) == n
        rates.append(n / dt)
        cpu_rates.append(n / dc if dc > 0 else float("inf"))
    med, lo, hi = spread(rates)
    return {"decisions_per_s": med, "min": lo, "max": hi, "cpu_decisions_per_s": statistics.median(cpu_rates)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("bundle", nargs="?", default=str(REPO / "examples" / "anyscale.json"))
    ap.add_argument("--queries-file", help="JSON Lines check queries (rolegate_gen_bundle --queries)")
    ap.add_argument("--queries", type=int, default=100_000, help="queries per check run")
    ap.add_argument("--batch", type=int, default=1_000_000, help="queries per check_many call")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()

    raw = pathlib.Path(args.bundle).read_bytes()
    t = time.perf_counter()
    engine = rolegate.Engine(raw)
    compile_s = time.perf_counter() - t
    if args.queries_file:
        qs = file_queries(args.queries_file, max(args.queries, 1))
    else:
        qs = bundle_queries(raw, max(args.queries, 1))
    batch = (qs * (args.batch // len(qs) + 1))[: args.batch]
    cols = tuple(list(c) for c in zip(*batch))
    allowed = engine.check_many(*cols).count_allowed()

    out = {"bundle": os.path.relpath(args.bundle, REPO) if args.bundle.startswith(str(REPO)) else args.bundle,
           "queries": args.queries_file or "drawn from the bundle", "bundle_bytes": len(raw), "compile_s": compile_s, "python": sys.version.split()[0],
           "library": rolegate.LIBRARY_VERSION, "allowed_fraction": allowed / len(batch),
           "load_average": os.getloadavg()[0]}
    out["check"] = bench_check(engine, qs, args.repeat)
    out["check_many_lists"] = bench_many(engine, cols, len(batch), args.repeat)
    try:
        import numpy as np
        arrs = tuple(np.array(c) for c in cols)
        out["check_many_numpy_U"] = bench_many(engine, arrs, len(batch), args.repeat)
        arrs = tuple(np.array([s.encode() for s in c]) for c in cols)
        out["check_many_numpy_S"] = bench_many(engine, arrs, len(batch), args.repeat)
    except ImportError:
        pass
    engine.close()

    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    c = out["check"]
    print(f"bundle {out['bundle']} ({out['bundle_bytes']:,} bytes, compiled in {out['compile_s']:.2f} s), "
          f"Python {out['python']}, rolegate {out['library']}")
    print(f"queries {out['queries']}: {len(qs):,} distinct, {out['allowed_fraction']:.0%} allowed")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"check:      {c['check_ns_per_call']:7.0f} ns/call median (min {c['check_ns_min']:.0f}, "
          f"max {c['check_ns_max']:.0f}; {c['check_cpu_ns_per_call']:.0f} CPU ns/call; "
          f"loop overhead {c['loop_overhead_ns']:.0f} ns)   target <= 300")
    for k in ("check_many_lists", "check_many_numpy_U", "check_many_numpy_S"):
        if k in out:
            m = out[k]
            print(f"{k.replace('check_many_', 'check_many ').replace('_', ' '):18s}"
                  f"{m['decisions_per_s'] / 1e6:6.2f} M decisions/s median (min {m['min'] / 1e6:.2f}, "
                  f"max {m['max'] / 1e6:.2f}; {m['cpu_decisions_per_s'] / 1e6:.2f} M per CPU-second)   target >= 10")
    return 0


if __name__ == "__main__":
    sys.exit(main())
