#!/usr/bin/env python3
"""From Python: rolegate's binding against pycasbin and cedarpy (issue 5).

    python_peers.py [--sizes S] [--engines rolegate,cedarpy,pycasbin_flat,pycasbin]
                    [--budget SEC] [--min-time SEC] [--batch N] [--core 1]

Reuses what bench/peers/run left in bench/peers/work/<size>-seed<seed>/t<count>/
(the subset bundle, the translated encodings, queries.tsv and rolegate's
expected answers), so run that first. Installs pycasbin and cedarpy with pip
when they are missing; rolegate's binding must be installed
(`python3 -m pip install ./bindings/python`).

Each engine runs in its own Python process pinned to one core: load timed
from the texts in memory, pass 0 checks every answer against rolegate's (a
mismatch prints the query and fails), then timed passes; a sample is a batch
of --batch queries. Writes results/python.md and results/python.json.
"""
import argparse
import csv
import json
import re
import os
import resource
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ENGINES = ["rolegate", "cedarpy", "pycasbin_flat", "pycasbin"]
LABEL = {"rolegate": "rolegate (Python binding)", "cedarpy": "cedarpy", "pycasbin_flat": "pycasbin (RBAC, line per assignment)",
         "pycasbin": "pycasbin (RBAC with domains)"}


def scope_match(req, pattern):
    if req == pattern or pattern == "/":
        return True
    return len(req) > len(pattern) and req[len(pattern)] == "/" and req.startswith(pattern)


def ds_to_regex(pat):
    """A translate.py casbin pattern (doublestar, `{a,b}` alternation, "-" for
    none) as an anchored regex with rolegate's glob meaning."""
    if pat == "-":
        return "^-$"
    alts = pat[1:-1].split(",") if pat.startswith("{") else [pat]
    out = []
    for a in alts:
        a = "/".join("*" if seg == "**" else seg for seg in a.split("/"))
        out.append("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in a))
    return "^(?:" + "|".join(out) + ")$"


def load_engine(name, td):
    """Returns (decide(p, a, r) -> bool, load seconds)."""
    if name == "rolegate":
        import rolegate
        text = open(os.path.join(td, "subset.json"), "rb").read()
        t0 = time.perf_counter()
        eng = rolegate.Engine(text)
        dt = time.perf_counter() - t0
        check = eng.check
        return (lambda p, a, r: check(p, a, r).allowed), dt
    if name == "cedarpy":
        import cedarpy
        pol = open(os.path.join(td, "cedar", "policies.cedar")).read()
        ents = open(os.path.join(td, "cedar", "entities.json")).read()
        t0 = time.perf_counter()
        ps = cedarpy.PolicySet.from_str(pol)
        es = cedarpy.Entities.from_json_str(ents)
        dt = time.perf_counter() - t0
        allow = cedarpy.Decision.Allow

        def decide(p, a, r):
            res = cedarpy.is_authorized({"principal": {"type": "P", "id": p}, "action": {"type": "Action", "id": a},
                                         "resource": {"type": "S", "id": r}, "context": {}}, ps, es)
            if res.diagnostics.errors:
                raise RuntimeError("cedar errors: %s" % res.diagnostics.errors)
            return res.decision == allow
        return decide, dt
    if name in ("pycasbin", "pycasbin_flat"):
        import casbin
        from casbin import util as cutil
        from casbin.persist.adapters.string_adapter import StringAdapter
        sub = "casbin" if name == "pycasbin" else "casbin_flat"
        # pycasbin's globMatch turns a `**` inside `{..,..}` into `*`, so here the
        # action patterns are regexes and the matcher uses regexMatch (Python's
        # re caches compiled patterns); rewritten before the load is timed.
        mtext = open(os.path.join(td, sub, "model.conf")).read().replace("globMatch(", "regexMatch(")
        rows = []
        for row in csv.reader(open(os.path.join(td, sub, "policy.csv")), skipinitialspace=True):
            if row and row[0] == "p":
                row[2], row[3] = ds_to_regex(row[2]), ds_to_regex(row[3])
            rows.append(", ".join(row))
        ptext = "\n".join(rows) + "\n"
        # The regexes must select what rolegate's expansion selects.
        catalog = open(os.path.join(td, "catalog.txt")).read().split()
        for line in open(os.path.join(td, sub, "patterns.tsv")):
            acts, nacts, cov = line.rstrip("\n").split("\t")
            want = set(int(x) for x in cov.split(",") if x)
            ra, rn = ds_to_regex(acts), ds_to_regex(nacts)
            got = set(i for i, a in enumerate(catalog) if cutil.regex_match(a, ra) and not cutil.regex_match(a, rn))
            if got != want:
                sys.exit("pycasbin regexMatch %r minus %r differs from rolegate on %s" % (ra, rn, sorted(got ^ want)[:5]))
        t0 = time.perf_counter()
        m = casbin.model.Model()
        m.load_model_from_text(mtext)
        e = casbin.Enforcer(m)
        if name == "pycasbin":
            e.add_named_domain_matching_func("g", scope_match)
        e.set_adapter(StringAdapter(ptext))
        e.load_policy()
        dt = time.perf_counter() - t0
        return (lambda p, a, r: e.enforce(p, r, a)), dt
    raise SystemExit("unknown engine " + name)


def child(args):
    """One engine, in this process."""
    td = args.dir
    qs = [tuple(l.rstrip("\n").split("\t")) for l in open(os.path.join(td, "queries.tsv")) if l.strip()]
    exp = [x == "1" for x in open(os.path.join(td, "expected.txt")).read().split()]
    decide, load_s = load_engine(args.child, td)
    print("loaded in %.1f ms" % (load_s * 1e3), file=sys.stderr, flush=True)
    B = args.batch
    pc = time.perf_counter_ns
    ov = sorted((lambda a: pc() - a)(pc()) for _ in range(20001))[10000]
    s0 = []
    t0 = time.perf_counter()
    for i in range(0, len(qs), B):
        chunk = qs[i:i + B]
        a = pc()
        got = [decide(p, ac, r) for p, ac, r in chunk]
        el = pc() - a
        if len(chunk) == B:
            s0.append((el - ov) / B)
        for j, g in enumerate(got):
            if bool(g) != exp[i + j]:
                p, ac, r = chunk[j]
                print("MISMATCH query %d: %s %s %s: %s says %s, rolegate %s" % (i + j, p, ac, r, args.child, g, exp[i + j]),
                      file=sys.stderr)
                sys.exit(3)
        if time.perf_counter() - t0 > args.budget:
            json.dump({"engine": args.child, "answers": "timeout", "answered": i + len(chunk), "load_ms": load_s * 1e3,
                       "seconds": time.perf_counter() - t0, "median_ns": sorted(s0)[len(s0) // 2] if s0 else None},
                      open(args.out, "w"))
            sys.exit(4)
    pass0 = time.perf_counter() - t0
    samples, passes = s0, 0
    if pass0 * 2 <= args.budget:
        samples = []
        t1 = time.perf_counter()
        while True:
            for i in range(0, len(qs) - B + 1, B):
                chunk = qs[i:i + B]
                a = pc()
                for p, ac, r in chunk:
                    decide(p, ac, r)
                samples.append((pc() - a - ov) / B)
            passes += 1
            el = time.perf_counter() - t1
            if el >= args.min_time or el + pass0 >= args.budget:
                break
    samples.sort()
    q = lambda f: samples[min(len(samples) - 1, int(f * (len(samples) - 1) + 0.5))]
    s0.sort()
    json.dump({"engine": args.child, "answers": "match", "queries": len(qs), "load_ms": load_s * 1e3,
               "median_ns": q(0.5), "p99_ns": q(0.99), "first_pass_median_ns": s0[len(s0) // 2] if s0 else None,
               "passes": passes, "samples": len(samples), "batch": B,
               "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}, open(args.out, "w"))


def fmt_ns(x):
    if x is None:
        return "—"
    return "%.1f ms" % (x / 1e6) if x >= 1e6 else "%.1f µs" % (x / 1e3) if x >= 1e3 else "%.0f ns" % x


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="S")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--engines", default=",".join(ENGINES))
    ap.add_argument("--budget", type=float, default=600)
    ap.add_argument("--min-time", type=float, default=3)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--core", default="1")
    ap.add_argument("--child")
    ap.add_argument("--dir")
    ap.add_argument("--out")
    args = ap.parse_args()
    if args.child:
        return child(args)
    missing = [m for m, pkg in (("casbin", "pycasbin"), ("cedarpy", "cedarpy")) if not _importable(m)]
    if missing:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q"] +
                       [{"casbin": "pycasbin", "cedarpy": "cedarpy"}[m] for m in missing], check=True)
    if "rolegate" in args.engines.split(",") and not _importable("rolegate"):
        root = os.path.dirname(os.path.dirname(HERE))
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", os.path.join(root, "bindings", "python")],
                       check=True, env=dict(os.environ, CMAKE_BUILD_PARALLEL_LEVEL="2"))
    pin = ["taskset", "-c", args.core] if shutil.which("taskset") else []
    out = {"sizes": {}}
    rows = []
    for size in args.sizes.split(","):
        td = os.path.join(HERE, "work", "%s-seed%d" % (size, args.seed), "t%d" % args.count)
        if not os.path.exists(os.path.join(td, "expected.txt")):
            print("%s: no workload there (bench/peers/run --sizes %s makes it); skipped" % (td, size), file=sys.stderr)
            continue
        res = {}
        for eng in [e for e in ENGINES if e in args.engines.split(",")]:
            rp = os.path.join(td, "py-%s.result.json" % eng)
            if os.path.exists(rp):
                os.remove(rp)
            print("[python peers] %s: %s" % (size, eng), file=sys.stderr, flush=True)
            try:
                p = subprocess.run(pin + [sys.executable, __file__, "--child", eng, "--dir", td, "--out", rp,
                                          "--budget", str(args.budget), "--min-time", str(args.min_time),
                                          "--batch", str(args.batch)], timeout=args.budget * 2 + 120)
                rc = p.returncode
            except subprocess.TimeoutExpired:
                rc = -1
            if rc == 3:
                sys.exit("FAILED: %s gives a different answer than rolegate on %s" % (eng, size))
            r = json.load(open(rp)) if os.path.exists(rp) else {"engine": eng, "answers": "error"}
            r["status"] = {0: "ok", 4: "timeout-queries"}.get(rc, "error")
            res[eng] = r
        rg = res.get("rolegate")
        for eng, r in res.items():
            if r["status"] == "ok" and rg and rg["status"] == "ok":
                r["ratio_median"] = r["median_ns"] / rg["median_ns"]
            rows.append((size, eng, r))
        out["sizes"][size] = res
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    json.dump(out, open(os.path.join(HERE, "results", "python.json"), "w"), indent=1)
    L = ["| size | engine (Python) | median | p99 | first-pass median | load | median ÷ rolegate |",
         "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    for size, eng, r in rows:
        if r["status"] == "ok":
            L.append("| %s | %s | %s | %s | %s | %.1f ms | %s |" % (
                size, LABEL[eng], fmt_ns(r["median_ns"]), fmt_ns(r["p99_ns"]), fmt_ns(r.get("first_pass_median_ns")),
                r["load_ms"], "%.0f×" % r["ratio_median"] if "ratio_median" in r else "—"))
        else:
            L.append("| %s | %s | — | — | %s | %s | %s |" % (
                size, LABEL[eng], fmt_ns(r.get("median_ns")), "%.1f ms" % r["load_ms"] if r.get("load_ms") else "—",
                "could not answer the query set within %.0f s (answered %s)" % (args.budget, r.get("answered"))
                if r["status"] == "timeout-queries" else r["status"]))
    md = "\n".join(L) + "\n"
    open(os.path.join(HERE, "results", "python.md"), "w").write(md)
    print(md)


def _importable(m):
    try:
        __import__(m)
        return True
    except ImportError:
        return False


if __name__ == "__main__":
    main()
