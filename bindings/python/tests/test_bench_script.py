"""The benchmark script runs (tiny sizes) and reports what it promises."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import EXAMPLE, REPO, TESTDATA

SCRIPT = REPO / "bench" / "python_check_bench.py"


def run(*args: str) -> dict:
    out = subprocess.run([sys.executable, str(SCRIPT), *args, "--queries", "200", "--batch", "5000",
                          "--repeat", "2", "--json"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_bench_script_on_the_example_bundle():
    r = run(str(EXAMPLE))
    assert r["check"]["check_ns_per_call"] > 0
    assert r["check_many_lists"]["decisions_per_s"] > 0
    assert 0 <= r["allowed_fraction"] <= 1


def test_bench_script_with_a_query_file():
    r = run(str(EXAMPLE), "--queries-file", str(TESTDATA / "cli_cases.jsonl"))
    assert r["queries"].endswith("cli_cases.jsonl")
    assert r["check_many_lists"]["decisions_per_s"] > 0
