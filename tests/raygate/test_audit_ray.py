"""rolegate.audit (bulk audits with Ray Data) on a real Ray head node.

Run by tests/raygate/run.sh, which installs Ray and the rolegate package into
its virtualenv and sets RAY_BIN and RAYGATE_WORK. One head node with 2 CPUs
on loopback; the driver (this process) joins it with ray.init(address=...).
Every answer Ray gives is compared row by row with the same query asked of
rolegate locally in this process; the last test measures throughput, one
process vs the Ray cluster, into RAYGATE_WORK/audit_throughput.json.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import raylocal

RAY = os.environ.get("RAY_BIN", "")
WORK = Path(os.environ.get("RAYGATE_WORK", "/tmp/raygate-it"))
if not RAY:
    pytest.skip("run through tests/raygate/run.sh (RAY_BIN unset)", allow_module_level=True)

# Ray reads its environment when imported: the loopback settings (and the
# authentication mode the head node runs with) go in first, else the driver
# dials the machine's routable address or retries ray.init for minutes.
os.environ.update(raylocal.env(RAY))
ray = pytest.importorskip("ray")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
import rolegate  # noqa: E402  (installed into the virtualenv by run.sh)
from rolegate import audit  # noqa: E402
import audit_throughput  # noqa: E402
from audit_throughput import example_universe  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
RAYGATE_BUNDLE = ROOT / "examples" / "raygate" / "bundle.json"

# Conditions and asserted groups: a statement that needs region us-west-2 and
# a grant to a group that only a token's groups claim can bring.
CTX_BUNDLE = json.dumps({
    "version": 1,
    "actions": [{"name": "a/read"}, {"name": "a/write"}],
    "roles": [{"id": "r", "actions": ["a/read"]}],
    "groups": [{"id": "group:eng", "members": ["u2"]}],
    "assignments": [{"id": "g1", "principal": "group:eng", "role": "r", "scope": "/s"}],
    "statements": [{"id": "s1", "principal": "u", "effect": "Allow", "actions": ["a/*"],
                    "resources": ["/s/*"],
                    "condition": {"StringEquals": {"aws:RequestedRegion": "us-west-2"}}}],
})


@pytest.fixture(scope="module")
def cluster():
    with raylocal.driver(RAY, WORK, "audit", num_cpus=2) as address:
        yield address


def local_answers(engine, rows, context=None):
    return [engine.explain(r["principal"], r["action"], r["resource"], context=context) for r in rows]


def test_cross_decide_explain_compare_equal_local(cluster):
    principals, actions, scopes = example_universe()
    live = rolegate.example_bundle()
    doc = json.loads(live)
    doc["assignments"] = [a for a in doc["assignments"] if a["id"] != "a-contrib-alice"]
    candidate = json.dumps(doc)
    rows = audit.decide(audit.cross(principals, actions, scopes, batch_size=500), candidate,
                        compare=live, explain=True, batch_size=300).take_all()
    assert len(rows) == len(principals) * len(actions) * len(scopes)
    assert len({(r["principal"], r["action"], r["resource"]) for r in rows}) == len(rows)
    with rolegate.Engine(candidate) as cand, rolegate.Engine(live) as base:
        want, was = local_answers(cand, rows), local_answers(base, rows)
    for r, w, b in zip(rows, want, was):
        assert (r["allowed"], r["reason"], r["rule"]) == (w.allowed, w.reason, w.rule), r
        assert (r["baseline_allowed"], r["baseline_reason"]) == (b.allowed, b.reason), r
        assert r["changed"] == (w.allowed != b.allowed), r
    changed = [r for r in rows if r["changed"]]
    assert changed and all(r["principal"] == "user:alice" and not r["allowed"] for r in changed)
    assert sum(r["allowed"] for r in rows) > 50


def test_groups_and_context_columns(cluster):
    items = [
        {"principal": "u", "action": "a/read", "resource": "/s/1",
         "context": json.dumps({"aws:RequestedRegion": "us-west-2"}), "groups": None},
        {"principal": "u", "action": "a/read", "resource": "/s/1",
         "context": json.dumps({"aws:RequestedRegion": "eu-west-1"}), "groups": None},
        {"principal": "u", "action": "a/write", "resource": "/s/1", "context": None, "groups": None},
        {"principal": "tok", "action": "a/read", "resource": "/s/x", "context": None,
         "groups": ["group:eng"]},
        {"principal": "tok", "action": "a/read", "resource": "/s/x", "context": None, "groups": []},
        {"principal": "u2", "action": "a/read", "resource": "/s/x", "context": None, "groups": None},
        # Unusable context: not JSON, not an object, a value of the wrong type.
        {"principal": "u", "action": "a/read", "resource": "/s/1", "context": "{not json",
         "groups": None},
        {"principal": "u", "action": "a/read", "resource": "/s/1", "context": "[1]", "groups": None},
        {"principal": "u", "action": "a/read", "resource": "/s/1",
         "context": json.dumps({"aws:RequestedRegion": {"x": 1}}), "groups": None},
        {"principal": None, "action": "a/read", "resource": None, "context": None, "groups": None},
    ]
    rows = audit.decide(ray.data.from_items(items), CTX_BUNDLE, explain=True).take_all()
    got = [(r["allowed"], r["reason"], r["rule"]) for r in rows]
    assert got == [
        (True, "statement", "s1"), (False, "condition_not_met", None), (False, "condition_not_met", None),
        (True, "grant", "g1"), (False, "no_grant", None), (True, "grant", "g1"),
        (False, "invalid_input", None), (False, "invalid_input", None), (False, "invalid_input", None),
        (False, "invalid_input", None)]


def test_bad_bundle_fails_on_the_driver(cluster):
    with pytest.raises(rolegate.BundleError):
        audit.decide(ray.data.from_items([{"principal": "u"}]), '{"version": 1, "roles": 7}')


def access_log(live):
    """raygate access-log records (the fields the audit reads) for requests
    of every user to every route shape, answered by the live bundle."""
    users = ["user:ada", "user:cora", "user:rita", "user:zed"]
    reqs = [("GET", "/projects/{p}/api/jobs/"), ("POST", "/projects/{p}/api/jobs/"),
            ("GET", "/projects/{p}/api/jobs/j1/logs"), ("POST", "/projects/{p}/api/jobs/j1/stop"),
            ("DELETE", "/projects/{p}/api/jobs/j1"), ("GET", "/projects/{p}/api/version"),
            ("GET", "/projects/{p}/api/jobs/%2e%2e/x"), ("GET", "/nowhere")]
    out = []
    with rolegate.Engine(live) as e:
        for u in users:
            for method, path in reqs:
                for p in ("a", "b"):
                    d = e.check_request(u, method, path.format(p=p))
                    out.append({"principal": u, "groups": None, "method": method,
                                "path": path.format(p=p), "decision": "allow" if d.allowed else "deny",
                                "reason": d.reason, "rule": d.rule})
    out.append({"principal": None, "groups": None, "method": "GET", "path": "/projects/a/api/jobs/",
                "decision": "unauthenticated", "reason": "missing_token", "rule": None})
    out.append({"principal": "user:tok", "groups": ["grp:ray-admins"], "method": "DELETE",
                "path": "/projects/b/api/jobs/j1", "decision": "allow", "reason": "grant",
                "rule": "a-admins"})
    return out


def test_redecide_log_jsonl_through_the_cli(cluster, tmp_path):
    live = RAYGATE_BUNDLE.read_text()
    doc = json.loads(live)
    doc["assignments"] = [a for a in doc["assignments"] if a["id"] != "a-cora-a"]
    (tmp_path / "candidate.json").write_text(json.dumps(doc))
    log = access_log(live)
    with open(tmp_path / "access.jsonl", "w") as f:
        f.writelines(json.dumps(r) + "\n" for r in log)
    out = tmp_path / "out"
    res = subprocess.run([sys.executable, "-m", "rolegate.audit", "--address", cluster, "log",
                          "--bundle", str(tmp_path / "candidate.json"),
                          "--input", str(tmp_path / "access.jsonl"), "--output", str(out)],
                         capture_output=True, text=True, timeout=300, env=os.environ)
    assert res.returncode == 0, res.stderr[-3000:]
    summary = json.loads(res.stdout.strip().splitlines()[-1])
    rows = [json.loads(line) for p in sorted(out.glob("*.json*")) for line in p.read_text().splitlines()]
    assert summary["rows"] == len(rows) == len(log)
    by_key = {(r["principal"], r["method"], r["path"]): r for r in rows}
    with rolegate.Engine(json.dumps(doc)) as cand:
        for r in log:
            got = by_key[(r["principal"], r["method"], r["path"])]
            if r["principal"] is None:
                assert got["new_decision"] is None and got["changed"] is False
                continue
            d = cand.check_request(r["principal"], r["method"], r["path"], groups=r["groups"])
            assert got["new_decision"] == ("allow" if d.allowed else "deny"), got
            assert (got["new_reason"], got["new_rule"]) == (d.reason, d.rule), got
            assert got["changed"] == (got["new_decision"] != r["decision"]), got
    changed = [r for r in rows if r["changed"]]
    assert summary["changed"] == len(changed) > 0
    assert {r["principal"] for r in changed} == {"user:cora"}
    assert by_key[("user:tok", "DELETE", "/projects/b/api/jobs/j1")]["new_decision"] == "allow"


def test_decide_parquet_through_the_cli(cluster, tmp_path):
    principals, actions, scopes = example_universe()
    rows = [{"principal": p, "action": a, "resource": s}
            for p in principals[:6] for a in actions for s in scopes[:5]]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "q.parquet")
    res = subprocess.run([sys.executable, "-m", "rolegate.audit", "--address", cluster, "--format",
                          "parquet", "decide", "--bundle", str(ROOT / "examples" / "anyscale.json"),
                          "--input", str(tmp_path / "q.parquet"), "--output", str(tmp_path / "out")],
                         capture_output=True, text=True, timeout=300, env=os.environ)
    assert res.returncode == 0, res.stderr[-3000:]
    got = pq.read_table(tmp_path / "out").to_pylist()
    assert json.loads(res.stdout.strip().splitlines()[-1])["rows"] == len(got) == len(rows)
    with rolegate.Engine.example() as e:
        for r in got:
            d = e.check(r["principal"], r["action"], r["resource"])
            assert (r["allowed"], r["reason"]) == (d.allowed, d.reason), r
    bad = subprocess.run([sys.executable, "-m", "rolegate.audit", "--address", cluster, "decide",
                          "--bundle", str(tmp_path / "q.parquet"), "--input", str(tmp_path / "q.parquet"),
                          "--output", str(tmp_path / "never")],
                         capture_output=True, text=True, timeout=300, env=os.environ)
    assert bad.returncode == 1 and bad.stderr.startswith("rolegate.audit: "), bad.stderr
    assert not (tmp_path / "never").exists()


def test_throughput_one_process_vs_ray(cluster):
    """The same N decisions in this process and on the Ray cluster
    (audit_throughput.measure); both must allow the same count."""
    result = audit_throughput.measure(int(os.environ.get("ROLEGATE_AUDIT_ROWS", "2000000")))
    assert result["ray_rows"] == result["rows"]
    assert result["ray_allowed"] == result["one_process_allowed"]
    (WORK / "audit_throughput.json").write_text(json.dumps(result))
    print(json.dumps(result))
