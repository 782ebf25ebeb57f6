"""The CLI's example cases, run through Python, give the CLI's answers.

bindings/testdata/cli_cases.jsonl holds queries in the CLI's JSON Lines form
(SPEC §7) against examples/anyscale.json, and cli_expected.jsonl the answer
to each, as `rolegate check --bundle examples/anyscale.json` prints it. The
Python answers must equal them; when the CLI program is at hand (ROLEGATE_CLI,
or a usual build directory) it is run on the same lines too, so the three
cannot drift apart. The Go suite reads the same two files.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

import rolegate
from conftest import EXAMPLE, TESTDATA, find_cli

CASES = [json.loads(l) for l in (TESTDATA / "cli_cases.jsonl").read_text().splitlines() if l.strip()]
EXPECTED = [json.loads(l) for l in (TESTDATA / "cli_expected.jsonl").read_text().splitlines() if l.strip()]


def answer(engine: rolegate.Engine, q: dict[str, Any]) -> dict[str, Any]:
    """One CLI query line answered through the Python API."""
    op = q["op"]
    if op == "check":
        return engine.explain(q["principal"], q["action"], q["resource"]).to_dict()
    overrides = {k: q[k] for k in ("compute_config_identity", "node_group_identity") if k in q}
    if op == "resolve":
        return engine.resolve(q["cloud"], q["workload_type"], q["project"], q["user"], **overrides).to_dict()
    if op == "check_workload":
        return engine.check_workload(q["cloud"], q["workload_type"], q["project"], q["user"], q["action"],
                                     q["resource"], **overrides).to_dict()
    if op == "check_request":
        return engine.check_request(q["principal"], q["method"], q["path"]).to_dict()
    raise AssertionError(f"unknown op {op}")


def test_case_files_line_up():
    assert len(CASES) == len(EXPECTED) > 40
    assert {q["op"] for q in CASES} == {"check", "resolve", "check_workload", "check_request"}


@pytest.mark.parametrize("i", range(len(CASES)))
def test_python_gives_the_expected_answer(engine, i):
    assert answer(engine, CASES[i]) == EXPECTED[i], CASES[i]


def test_check_and_check_many_agree_with_the_cases(engine):
    checks = [(q, e) for q, e in zip(CASES, EXPECTED) if q["op"] == "check"]
    res = engine.check_many([q["principal"] for q, _ in checks], [q["action"] for q, _ in checks],
                            [q["resource"] for q, _ in checks])
    for (q, e), d in zip(checks, res):
        fast = engine.check(q["principal"], q["action"], q["resource"])
        assert fast.to_dict() == {**e, "rule": None}
        assert d is fast


def run_cli(cli: str, lines: list[str], bundle: str | None) -> list[dict[str, Any]]:
    args = [cli, "check"] + (["--bundle", bundle] if bundle else [])
    out = subprocess.run(args, input="\n".join(lines) + "\n", capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return [json.loads(l) for l in out.stdout.splitlines()]


@pytest.mark.parametrize("bundle", [str(EXAMPLE), None], ids=["--bundle", "built-in"])
def test_cli_gives_the_same_answers(bundle):
    cli = find_cli()
    if not cli:
        pytest.skip("the rolegate CLI is not built (set ROLEGATE_CLI)")
    got = run_cli(cli, [json.dumps(q) for q in CASES], bundle)
    assert len(got) == len(CASES)
    with rolegate.Engine.from_file(EXAMPLE) as engine:
        for q, g, e in zip(CASES, got, EXPECTED):
            assert g == e, q
            assert answer(engine, q) == g, q
