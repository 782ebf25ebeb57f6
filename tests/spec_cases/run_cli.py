#!/usr/bin/env python3
"""Runs tests/spec_cases/*.jsonl through the `rolegate` CLI (SPEC §7).

    tests/spec_cases/run_cli.py build/rolegate [FILE.jsonl ...]

For each case: the bundle goes to a temporary file; a rejected bundle must make
`rolegate validate` exit 1 (and, with "pointer", name that JSON pointer on
standard error); otherwise the query line goes through `rolegate check
--bundle` and the answer's decision, reason and rule must be the expected
ones. Prints each mismatch with the case's "why"; exits 1 when any.
"""
import glob
import json
import os
import subprocess
import sys
import tempfile


def raw_bundle(line):
    """The case's "bundle" value as written: json.loads would fold duplicate
    keys, which some cases are about."""
    start = line.index('"bundle":') + len('"bundle":')
    while line[start] in " \t":
        start += 1
    _, end = json.JSONDecoder().raw_decode(line, start)
    return line[start:end]


def run_case(cli, case, tmp, line):
    path = os.path.join(tmp, "bundle.json")
    with open(path, "w") as f:
        f.write(raw_bundle(line))
    expect = case["expect"]
    if expect.get("error"):
        p = subprocess.run([cli, "validate", path], capture_output=True, text=True)
        if p.returncode != 1:
            return f"validate exited {p.returncode}, expected 1"
        if "pointer" in expect and expect["pointer"] not in p.stderr:
            return f"no error names {expect['pointer']}: {p.stderr.strip()[:300]}"
        return None
    p = subprocess.run([cli, "check", "--bundle", path], input=json.dumps(case["query"]) + "\n",
                       capture_output=True, text=True)
    if p.returncode != 0:
        return f"check exited {p.returncode}: {p.stderr.strip()[:300]}"
    try:
        got = json.loads(p.stdout.splitlines()[0])
    except (ValueError, IndexError):
        return f"not a JSON answer: {p.stdout[:300]!r}"
    want = (expect["decision"], expect["reason"], expect.get("rule"))
    have = (got.get("decision"), got.get("reason"), got.get("rule"))
    return None if want == have else f"got {have}, want {want}"


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    cli = sys.argv[1]
    files = sys.argv[2:] or sorted(glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)), "*.jsonl")))
    failures = total = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name in files:
            with open(name) as f:
                for n, line in enumerate(f, 1):
                    if not line.strip():
                        continue
                    total += 1
                    problem = run_case(cli, json.loads(line), tmp, line)
                    if problem:
                        failures += 1
                        why = json.loads(line).get("why", "")
                        print(f"{os.path.basename(name)}:{n}: {problem}\n  why: {why}")
    print(f"spec cases through the CLI: {total - failures} passed, {failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
