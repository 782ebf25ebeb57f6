#!/usr/bin/env python3
"""The peer benchmark's driver (issue 5); bench/peers/run builds, then calls this.

For each size: the seeded generator writes the bundle and a uniform query set
(once per size and seed: kept in bench/peers/work/), translate.py writes the
common subset and each peer's encoding, rolegate answers every query (cross-
checked against the `rolegate check --bundle` CLI), then every engine runs in
its own process pinned to one core (taskset -c CORE): load, pass 0 checks
every answer against rolegate's, timed passes. A mismatch fails the run and
prints the query; nothing is reported. A peer that cannot load within
--load-budget seconds, exceeds --mem-cap-gib of RSS, or cannot answer the
whole query set within --query-budget seconds is reported as such, with the
largest size it handled, and is not tried on larger sizes.

Then the reload-under-load benchmark (rolegate, M bundle): two readers check
while a third thread publishes the bundle in a loop.

Writes results/results.json, results/results.md, results/latency.png,
results/compile.png, and the results section of bench/peers/README.md.
"""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BUILD = os.path.join(HERE, "build")
GEN = os.path.join(BUILD, "rolegate_gen_bundle")
CLI = os.path.join(BUILD, "rolegate", "rolegate")
RG = os.path.join(BUILD, "rolegate_peer")
GOPEER = os.path.join(HERE, "go", "peer")
CEDAR = os.path.join(HERE, "cedar", "target", "release", "cedar_peer")

ENGINES = ["rolegate", "cedar", "opa", "casbin_flat", "casbin"]
LABEL = {
    "rolegate": "rolegate",
    "cedar": "Cedar (cedar-policy)",
    "opa": "OPA (rego, prepared)",
    "casbin_flat": "casbin (RBAC, line per assignment)",
    "casbin": "casbin (RBAC with domains)",
}
SIZE_ASSIGNMENTS = {"S": 1_000, "M": 100_000, "L": 1_000_000}
SIZE_X = {"S": 0, "M": 1, "L": 2}  # plot positions (categorical; the labels give the assignments)


def log(msg):
    print("[peers %s] %s" % (time.strftime("%H:%M:%S"), msg), file=sys.stderr, flush=True)


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_engine(cmd, timeout, mem_cap_kb, out_path):
    """Runs one engine process; returns (status, result dict or None, stderr text, seconds).
    status: ok | mismatch | timeout-load | timeout-queries | memory | error."""
    if os.path.exists(out_path):
        os.remove(out_path)
    t0 = time.time()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    err_lines = []
    loaded = threading.Event()

    def pump():
        for line in p.stderr:
            err_lines.append(line)
            if "loaded in" in line:
                loaded.set()
            sys.stderr.write("    " + line)
    th = threading.Thread(target=pump, daemon=True)
    th.start()
    status = None
    peak = 0
    while p.poll() is None:
        time.sleep(0.2)
        r = rss_kb(p.pid)
        peak = max(peak, r)
        if r > mem_cap_kb:
            p.kill()
            status = "memory"
        elif time.time() - t0 > timeout:
            p.kill()
            status = "timeout-queries" if loaded.is_set() else "timeout-load"
    p.wait()
    th.join(timeout=5)
    secs = time.time() - t0
    res = None
    if os.path.exists(out_path):
        with open(out_path) as f:
            txt = f.read().strip()
        if txt:
            res = json.loads(txt)
    if status is None:
        if p.returncode == 0:
            status = "ok"
        elif p.returncode == 3:
            status = "mismatch"
        elif p.returncode == 4:
            status = "timeout-queries"
        else:
            status = "error"
    if res is not None:
        res.setdefault("observed_peak_rss_kb", peak)
    return status, res, "".join(err_lines), secs


def machine_info():
    info = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "kernel": platform.release(), "python": platform.python_version()}
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info["cores"] = os.cpu_count()
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                info["memory_gib"] = round(int(line.split()[1]) / 1048576, 1)
    except OSError:
        pass

    def ver(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip().splitlines()[0]
        except Exception:
            return None
    info["go"] = ver(["go", "version"])
    info["rustc"] = ver(["rustc", "--version"])
    info["cxx"] = ver(["c++", "--version"])
    mods = {}
    try:
        for line in open(os.path.join(HERE, "go", "go.mod")):
            m = re.match(r"\s*(github\.com/casbin/casbin/v2|github\.com/open-policy-agent/opa) (v\S+)", line)
            if m:
                mods[m.group(1)] = m.group(2)
    except OSError:
        pass
    try:
        lock = open(os.path.join(HERE, "cedar", "Cargo.lock")).read()
        m = re.search(r'name = "cedar-policy"\nversion = "([^"]+)"', lock)
        if m:
            mods["cedar-policy"] = m.group(1)
    except OSError:
        pass
    info["peers"] = mods
    return info


def loadavg():
    try:
        return [float(x) for x in open("/proc/loadavg").read().split()[:3]]
    except OSError:
        return None


def fmt_ns(x):
    if x is None:
        return "—"
    if x >= 1e6:
        return "%.1f ms" % (x / 1e6)
    if x >= 1e3:
        return "%.1f µs" % (x / 1e3)
    return "%.0f ns" % x


def fmt_ms(x):
    if x is None:
        return "—"
    if x >= 1000:
        return "%.1f s" % (x / 1000)
    return "%.1f ms" % x


def fmt_mib(kb):
    if not kb:
        return "—"
    if kb >= 1048576:
        return "%.1f GiB" % (kb / 1048576)
    return "%.0f MiB" % (kb / 1024)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="S,M,L")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=1000, help="queries generated (those outside the common subset are dropped)")
    ap.add_argument("--engines", default=",".join(ENGINES))
    ap.add_argument("--core", default="1", help="the core each engine process is pinned to (taskset -c)")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--min-time", type=float, default=3.0, help="seconds of timed passes after pass 0")
    ap.add_argument("--load-budget", type=float, default=600.0, help="seconds an engine may take to load")
    ap.add_argument("--query-budget", type=float, default=600.0, help="seconds an engine may take over the query set")
    ap.add_argument("--mem-cap-gib", type=float, default=10.0, help="RSS above which an engine is stopped")
    ap.add_argument("--probe-sizes", default="S,M", help="sizes at which every engine is also checked on "
                    "translate.py's correctness probes (deny beats grant, exclusions, nesting, prefix traps), untimed")
    ap.add_argument("--reload-seconds", type=float, default=20.0)
    ap.add_argument("--no-reload", action="store_true")
    ap.add_argument("--work", default=os.path.join(HERE, "work"))
    ap.add_argument("--results", default=os.path.join(HERE, "results"))
    ap.add_argument("--replot", action="store_true", help="only re-render results.md, the plots and the README "
                    "section from results/results.json")
    args = ap.parse_args()
    if args.replot:
        results = json.load(open(os.path.join(args.results, "results.json")))
        sizes = [s for s in ("S", "M", "L") if s in results["sizes"]]
        write_outputs(results, args.results, sizes, [e for e in ENGINES if any(
            e in results["sizes"][s]["engines"] for s in sizes)])
        return
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    engines = [e for e in ENGINES if e in args.engines.split(",")]
    if "rolegate" not in engines:
        engines.insert(0, "rolegate")
    os.makedirs(args.results, exist_ok=True)
    pin = ["taskset", "-c", args.core] if shutil.which("taskset") else []
    mem_cap_kb = int(args.mem_cap_gib * 1048576)
    info = machine_info()
    info["loadavg_start"] = loadavg()
    results = {"machine": info, "settings": vars(args), "sizes": {}, "failures": []}
    gave_up = {}  # engine -> (size, why)

    for size in sizes:
        wd = os.path.join(args.work, "%s-seed%d" % (size, args.seed))
        os.makedirs(wd, exist_ok=True)
        full = os.path.join(wd, "bundle.json")
        qfull = os.path.join(wd, "queries-uniform-%d.jsonl" % args.count)
        if not os.path.exists(full):
            log("generating the %s bundle (seed %d)" % (size, args.seed))
            sh([GEN, "--size", size, "--seed", str(args.seed), "--out", full + ".tmp"])
            os.replace(full + ".tmp", full)
        if not os.path.exists(qfull):
            sh([GEN, "--size", size, "--seed", str(args.seed), "--queries", "uniform", "--count", str(args.count),
                "--out", qfull + ".tmp"], stderr=subprocess.DEVNULL)
            os.replace(qfull + ".tmp", qfull)
        td = os.path.join(wd, "t%d" % args.count)
        stamp = os.path.join(td, "summary.json")
        peers = [e for e in engines if e != "rolegate" and e not in gave_up]
        if not os.path.exists(stamp) or os.path.getmtime(stamp) < max(
                os.path.getmtime(full), os.path.getmtime(os.path.join(HERE, "translate.py"))) or \
                any(not os.path.isdir(os.path.join(td, e)) for e in peers):
            log("translating %s" % size)
            sh([sys.executable, os.path.join(HERE, "translate.py"), "--bundle", full, "--queries", qfull, "--out", td,
                "--engines", ",".join(peers) or "none"])
        summary = json.load(open(stamp))
        qtsv = os.path.join(td, "queries.tsv")
        expected = os.path.join(td, "expected.txt")
        sres = {"summary": summary, "engines": {}}
        results["sizes"][size] = sres

        # rolegate first: its answers are the expected ones.
        log("%s: rolegate" % size)
        st, res, err, secs = run_engine(
            pin + [RG, "--bundle", os.path.join(td, "subset.json"), "--queries", qtsv, "--write-expected", expected,
                   "--min-time", str(args.min_time), "--max-time", str(args.query_budget), "--batch", str(args.batch),
                   "--out", os.path.join(td, "rolegate.result.json")],
            args.load_budget + args.query_budget, mem_cap_kb, os.path.join(td, "rolegate.result.json"))
        if st != "ok":
            sys.exit("rolegate failed on %s (%s):\n%s" % (size, st, err))
        # The CLI (SPEC §7) must agree with the library on every query.
        with open(os.path.join(td, "queries.jsonl")) as fin:
            cli = subprocess.run([CLI, "check", "--bundle", os.path.join(td, "subset.json")], stdin=fin,
                                 capture_output=True, text=True, check=True).stdout.splitlines()
        exp = open(expected).read().split()
        for i, (line, e) in enumerate(zip(cli, exp)):
            if (json.loads(line)["decision"] == "allow") != (e == "1"):
                sys.exit("rolegate CLI and library disagree on query %d of %s" % (i, size))
        if len(cli) != len(exp):
            sys.exit("rolegate CLI answered %d of %d queries" % (len(cli), len(exp)))
        sres["engines"]["rolegate"] = dict(res, status="ok")
        probes = os.path.join(td, "probes.tsv")
        probes_exp = os.path.join(td, "probes_expected.txt")
        do_probes = size in args.probe_sizes.split(",") and os.path.exists(probes)
        if do_probes:
            sh([RG, "--bundle", os.path.join(td, "subset.json"), "--queries", probes, "--write-expected", probes_exp,
                "--min-time", "0", "--out", os.path.join(td, "rolegate.probes.json")])
            sres["probes"] = sum(1 for _ in open(probes))

        for eng in engines:
            if eng == "rolegate":
                continue
            if eng in gave_up:
                sres["engines"][eng] = {"status": "skipped", "why": "failed at %s (%s)" % gave_up[eng]}
                continue
            out = os.path.join(td, "%s.result.json" % eng)
            common = ["--queries", qtsv, "--expected", expected, "--min-time", str(args.min_time),
                      "--max-time", str(args.query_budget), "--batch", str(args.batch), "--out", out]
            if eng == "cedar":
                cmd = pin + [CEDAR, "--dir", td] + common
            else:
                cmd = pin + [GOPEER, "--engine", eng, "--dir", td] + common
            if do_probes:
                # Correctness only: the same runner on the probes, then the timed run.
                pcmd = [x for x in cmd]
                pcmd[pcmd.index(qtsv)] = probes
                pcmd[pcmd.index(expected)] = probes_exp
                pcmd[pcmd.index(out)] = out + ".probes"
                pcmd[pcmd.index("--min-time") + 1] = "0"
                log("%s: %s on %d correctness probes" % (size, eng, sres["probes"]))
                st, res, err, secs = run_engine(pcmd, args.load_budget + args.query_budget + 30, mem_cap_kb,
                                                out + ".probes")
                if st == "mismatch":
                    m = [l for l in err.splitlines() if l.startswith("MISMATCH")]
                    print("\n".join(m) or err, file=sys.stderr)
                    sys.exit("FAILED: %s gives a different answer than rolegate on a %s probe (above); no figures "
                             "reported" % (eng, size))
                if st != "ok":
                    why = "failed on the correctness probes: %s" % st
                    sres["engines"][eng] = {"status": st, "why": why}
                    gave_up[eng] = (size, why)
                    results["failures"].append({"engine": eng, "size": size, "why": why})
                    log("%s on %s: %s" % (eng, size, why))
                    continue
            log("%s: %s" % (size, eng))
            st, res, err, secs = run_engine(cmd, args.load_budget + args.query_budget + 30, mem_cap_kb, out)
            if st == "mismatch":
                m = [l for l in err.splitlines() if l.startswith("MISMATCH")]
                print("\n".join(m) or err, file=sys.stderr)
                sys.exit("FAILED: %s gives a different answer than rolegate on %s (query above); no figures reported"
                         % (eng, size))
            entry = dict(res or {}, status=st, wall_s=round(secs, 1))
            if st != "ok":
                why = {"timeout-load": "could not load within %.0f s" % args.load_budget,
                       "timeout-queries": "could not answer the %d queries within %.0f s" % (summary["queries"], args.query_budget),
                       "memory": "exceeded the %.0f GiB memory cap" % args.mem_cap_gib,
                       "error": "error: " + err.strip().splitlines()[-1] if err.strip() else "error"}[st]
                entry["why"] = why
                gave_up[eng] = (size, why)
                results["failures"].append({"engine": eng, "size": size, "why": why})
                log("%s on %s: %s" % (eng, size, why))
            sres["engines"][eng] = entry
        # ratios peer / rolegate, same run
        rg = sres["engines"]["rolegate"]
        for eng, e in sres["engines"].items():
            if eng != "rolegate" and e.get("status") == "ok":
                e["ratio_median"] = e["median_ns"] / rg["median_ns"]
                e["ratio_p99"] = e["p99_ns"] / rg["p99_ns"]
                e["ratio_load"] = e["load_ms"] / rg["load_ms"]

    if not args.no_reload and ("M" in sizes or "S" in sizes):
        rs = "M" if "M" in sizes else "S"
        td = os.path.join(args.work, "%s-seed%d" % (rs, args.seed), "t%d" % args.count)
        log("reload under load (%s bundle)" % rs)
        out = os.path.join(td, "reload.result.json")
        reload_pin = ["taskset", "-c", "0,1"] if pin else []
        st, res, err, secs = run_engine(
            reload_pin + [RG, "--reload", "--bundle", os.path.join(td, "subset.json"), "--queries",
                          os.path.join(td, "queries.tsv"), "--seconds", str(args.reload_seconds), "--batch",
                          str(args.batch), "--out", out], 600, mem_cap_kb, out)
        if st != "ok":
            sys.exit("reload benchmark failed: %s\n%s" % (st, err))
        res["size"] = rs
        results["reload"] = res

    info["loadavg_end"] = loadavg()
    write_outputs(results, args.results, sizes, engines)


def write_outputs(results, outdir, sizes, engines):
    with open(os.path.join(outdir, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    md = render_md(results, sizes, engines)
    with open(os.path.join(outdir, "results.md"), "w") as f:
        f.write(md)
    plot(results, outdir, sizes, engines)
    # The same, with paths from the repository root, for the top-level README.
    body = md.split("\n", 1)[1] if md.startswith("#") else md
    with open(os.path.join(outdir, "readme_section.md"), "w") as f:
        f.write("## Against casbin, OPA and Cedar\n\n`bench/peers/run` (details: [bench/peers/README.md]"
                "(bench/peers/README.md)). Latest run:\n" + body.rstrip() +
                "\n\n![latency vs bundle size](bench/peers/results/latency.png)\n"
                "![load time vs bundle size](bench/peers/results/compile.png)\n")
    py = os.path.join(outdir, "python.md")
    pytxt = ""
    if os.path.exists(py):
        pytxt = "\n\nFrom Python (`python_peers.py`, S workload, same answers, same protocol):\n\n" + open(py).read().strip()
    readme = os.path.join(HERE, "README.md")
    if os.path.exists(readme) and os.path.abspath(outdir) == os.path.join(HERE, "results"):
        text = open(readme).read()
        a, b = "<!-- results:begin -->", "<!-- results:end -->"
        if a in text and b in text:
            body = md.split("\n", 1)[1] if md.startswith("#") else md
            text = text[:text.index(a) + len(a)] + "\n" + body.strip() + pytxt + \
                "\n\n![latency vs bundle size](results/latency.png)\n![load time vs bundle size](results/compile.png)\n" + \
                text[text.index(b):]
            open(readme, "w").write(text)
    print(md)


def render_md(results, sizes, engines):
    m = results["machine"]
    L = []
    L.append("# rolegate vs casbin, OPA, Cedar")
    L.append("")
    L.append("Run %s on %s (%s cores, %s GiB), kernel %s; load average %s at start, %s at end. "
             "Each engine in its own process pinned to core %s; %s." % (
                 m["date"], m.get("cpu", "?"), m.get("cores"), m.get("memory_gib"), m.get("kernel"),
                 m.get("loadavg_start"), m.get("loadavg_end"), results["settings"]["core"],
                 ", ".join("%s %s" % kv for kv in sorted(m.get("peers", {}).items()))))
    L.append("")
    L.append("Per decision: a sample is a batch of %d consecutive queries of the pre-generated set "
             "(uniform pattern, seed %d), ns = (batch time − timer overhead) / %d; median and p99 over all "
             "samples of the timed passes. Every engine gave rolegate's answer on every query before any "
             "figure here was kept%s. Load: from the engine's input text in memory to ready. Ratios: peer / rolegate, "
             "same run. First-pass median: pass 0, each query seen for the first time (casbin memoizes its g() results "
             "per (subject, role, domain), so its later passes are served from that memo)." % (results["settings"]["batch"], results["settings"]["seed"], results["settings"]["batch"],
                 probe_note(results)))
    L.append("")
    L.append("| size | engine | median | p99 | first-pass median | load | peak RSS | median ÷ rolegate | p99 ÷ rolegate | load ÷ rolegate |")
    L.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for size in sizes:
        s = results["sizes"].get(size)
        if not s:
            continue
        sm = s["summary"]
        tag = "%s (%s assignments, %s deny, %s queries)" % (size, "{:,}".format(sm["assignments"]),
                                                          "{:,}".format(sm["deny_assignments"]), "{:,}".format(sm["queries"]))
        for eng in engines:
            e = s["engines"].get(eng)
            if not e:
                continue
            if e.get("status") == "ok":
                one = "" if e.get("passes", 1) else " ¹"
                L.append("| %s | %s | %s%s | %s%s | %s | %s | %s | %s | %s | %s |" % (
                    tag, LABEL[eng], fmt_ns(e["median_ns"]), one, fmt_ns(e["p99_ns"]), one,
                    fmt_ns(e.get("first_pass_median_ns")), fmt_ms(e["load_ms"]),
                    fmt_mib(e.get("peak_rss_kb")),
                    "1" if eng == "rolegate" else "%.0f×" % e["ratio_median"],
                    "1" if eng == "rolegate" else "%.0f×" % e["ratio_p99"],
                    "1" if eng == "rolegate" else "%.1f×" % e["ratio_load"]))
            else:
                extra = ""
                if e.get("status") == "timeout-queries" and e.get("answered"):
                    extra = " (answered %d in %.0f s, all as rolegate)" % (e["answered"], e.get("seconds", 0))
                load = fmt_ms(e.get("load_ms")) if e.get("load_ms") else "—"
                L.append("| %s | %s | — | — | %s | %s | %s | %s%s | | |" % (
                    tag, LABEL[eng], fmt_ns(e.get("median_ns")) if e.get("answered") else "—", load, fmt_mib(e.get("peak_rss_kb") or e.get("observed_peak_rss_kb")),
                    e.get("why", e.get("status")), extra))
            tag = ""
    L.append("")
    if any(e.get("passes") == 0 for s in results["sizes"].values() for e in s["engines"].values()
           if e.get("status") == "ok"):
        L.append("¹ one pass only: pass 0 (which checks the answers) took over half the query budget, so its "
                 "timings are the figures.")
        L.append("")
    largest = {}
    for size in sizes:
        for eng, e in results["sizes"].get(size, {}).get("engines", {}).items():
            if e.get("status") == "ok":
                largest[eng] = size
    if results["failures"]:
        L.append("Largest size each engine handled: " + ", ".join(
            "%s %s" % (LABEL[e], largest.get(e, "none")) for e in engines) + ".")
        L.append("")
    r = results.get("reload")
    if r:
        L.append("Reload under load (rolegate, %s bundle, pinned to cores 0,1): two reader threads call "
                 "Engine::Check for %.0f s idle, then %.0f s while a third thread publishes the bundle in a loop "
                 "(compile + atomic swap)." % (r["size"], r["seconds_per_phase"], r["seconds_per_phase"]))
        L.append("")
        L.append("| readers | median | p99 |")
        L.append("| --- | ---: | ---: |")
        L.append("| idle | %s | %s |" % (fmt_ns(r["idle"]["median_ns"]), fmt_ns(r["idle"]["p99_ns"])))
        L.append("| while publishing | %s | %s |" % (fmt_ns(r["publishing"]["median_ns"]), fmt_ns(r["publishing"]["p99_ns"])))
        L.append("")
        L.append("Publishes: %d in %.0f s (%.2f per second; a publish, compile + swap, took %.0f ms on average sharing "
                 "the two cores with the readers; the first compile of the %s bundle alone %.0f ms); "
                 "reader p99 publishing ÷ idle = %.2f." % (r["publishes"], r["seconds_per_phase"], r["publishes_per_s"],
                                                           r.get("mean_publish_ms", 0), r["size"], r["compile_ms"], r["p99_ratio"]))
        L.append("")
    # targets
    t = []
    mres = results["sizes"].get("M", {}).get("engines", {})
    peers_m = [e for k, e in mres.items() if k != "rolegate" and e.get("status") == "ok"]
    if peers_m:
        fastest = min(peers_m, key=lambda e: e["median_ns"])
        t.append("rolegate ≥ 100× faster per decision than the fastest peer on M: %.0f× (%s) — %s" % (
            fastest["ratio_median"], LABEL[fastest["engine"]], "met" if fastest["ratio_median"] >= 100 else "NOT met"))
        worst_load = min(e["load_ms"] for e in peers_m)
        t.append("rolegate compile time for M below every peer's load time: %s vs fastest peer load %s — %s" % (
            fmt_ms(mres["rolegate"]["load_ms"]), fmt_ms(worst_load),
            "met" if mres["rolegate"]["load_ms"] < worst_load else "NOT met"))
    rgs = [results["sizes"][s]["engines"]["rolegate"]["median_ns"] for s in sizes if s in results["sizes"]]
    if len(rgs) > 1:
        t.append("rolegate median %s → %s from %s to %s (×%.2f)" % (fmt_ns(rgs[0]), fmt_ns(rgs[-1]), sizes[0], sizes[-1],
                                                                  rgs[-1] / rgs[0]))
    if r:
        t.append("reader p99 while publishing ≤ 2× idle p99: %.2f× — %s" % (r["p99_ratio"], "met" if r["p99_ratio"] <= 2 else "NOT met"))
    if t:
        L.append("Targets: " + "; ".join(t) + ".")
        L.append("")
    return "\n".join(L)


def probe_note(results):
    ps = ["%s (%d probes)" % (s, results["sizes"][s]["probes"]) for s in results["sizes"] if results["sizes"][s].get("probes")]
    return " (and on translate.py's correctness probes at %s)" % ", ".join(ps) if ps else ""


def plot(results, outdir, sizes, engines):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("matplotlib missing: no plots")
        return
    xs_all = [SIZE_X[s] for s in sizes]
    markers = {"rolegate": "o", "cedar": "s", "opa": "^", "casbin_flat": "D", "casbin": "v"}
    for kind in ("latency", "compile"):
        fig, ax = plt.subplots(figsize=(10.5, 5), dpi=110)
        for eng in engines:
            xs, ys, p99 = [], [], []
            for s in sizes:
                e = results["sizes"].get(s, {}).get("engines", {}).get(eng)
                if e and (e.get("status") == "ok" or (kind == "compile" and e.get("status") == "timeout-queries"
                                                     and e.get("load_ms"))):
                    xs.append(SIZE_X[s])
                    if kind == "latency":
                        ys.append(e["median_ns"])
                        p99.append(e["p99_ns"])
                    else:
                        ys.append(e["load_ms"] / 1000)
            # sizes where the engine ran out of query budget: the median of the queries it did answer, hollow
            px, py = [], []
            for s in sizes:
                e = results["sizes"].get(s, {}).get("engines", {}).get(eng)
                if kind == "latency" and e and e.get("status") == "timeout-queries" and e.get("median_ns"):
                    px.append(SIZE_X[s])
                    py.append(e["median_ns"])
            if not xs and not px:
                continue
            if not xs:
                xs, ys, p99 = px, py, []
                px, py = [], []
            line, = ax.plot(xs, ys, marker=markers.get(eng, "o"), label=LABEL[eng] + (" (median)" if kind == "latency" else ""))
            if px:
                ax.plot(px, py, marker=markers.get(eng, "o"), linestyle="none", markerfacecolor="none",
                        color=line.get_color(), markersize=9,
                        label=LABEL[eng] + " (partial: over the query budget)")
            if kind == "latency" and p99:
                ax.plot(xs, p99, marker=markers.get(eng, "o"), linestyle=":", color=line.get_color(), alpha=0.7,
                        label=LABEL[eng] + " (p99)")
        ax.set_yscale("log")
        ax.set_xlim(min(xs_all) - 0.3, max(xs_all) + 0.3)
        ax.set_xticks(xs_all)
        ax.set_xticklabels(["%s\n%s assignments" % (s, "{:,}".format(SIZE_ASSIGNMENTS[s])) for s in sizes])
        ax.minorticks_off()
        if kind == "latency":
            ax.set_ylabel("ns per decision (log)")
            ax.set_title("Decision latency vs bundle size (same queries, same answers)")
        else:
            ax.set_ylabel("load / compile time, s (log)")
            ax.set_title("Load (compile) time vs bundle size")
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        fig.text(0.01, 0.005, "%s, %s; %s" % (results["machine"]["date"], results["machine"].get("cpu", ""),
                                             "pinned to one core"), fontsize=6, alpha=0.7)
        fig.tight_layout()
        fig.savefig(os.path.join(outdir, "%s.png" % kind))
        plt.close(fig)


if __name__ == "__main__":
    main()
