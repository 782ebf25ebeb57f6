"""check, explain, resolve, check_workload, check_request and their results."""

from __future__ import annotations

import pickle

import pytest

import rolegate
from conftest import C1, JOBS

PJ = "arn:aws:iam::123456789012:role/prod-jobs"
DEF = "arn:aws:iam::123456789012:role/anyscale-default"
SEC = "arn:aws:secretsmanager:us-west-2:123456789012:secret:"


def test_check_allows_and_denies(engine):
    d = engine.check("user:alice", JOBS + "read", C1 + "/projects/prod/jobs/j1")
    assert d.allowed is True and d.reason == "grant" and d.rule is None and d
    d = engine.check("user:alice", JOBS + "delete", C1 + "/projects/prod/jobs/j1")
    assert d.allowed is False and d.reason == "deny_assignment" and not d
    assert d.reason_code == rolegate.REASONS.index("deny_assignment")


def test_check_accepts_bytes(engine):
    d = engine.check(b"user:alice", JOBS.encode() + b"read", (C1 + "/projects/prod").encode())
    assert d.allowed


def test_check_returns_shared_immutable_decisions(engine):
    a = engine.check("user:alice", JOBS + "read", C1 + "/projects/prod")
    b = engine.check("user:ivan", JOBS + "read", C1 + "/projects/research")
    assert a is b  # no allocation per call
    with pytest.raises(AttributeError):
        a.allowed = False  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del a.reason


@pytest.mark.parametrize("principal,action,resource,reason", [
    ("", "Anyscale.Platform/clouds/read", C1, "invalid_input"),
    ("user:alice", "Anyscale.Platform/clouds/read", "", "invalid_input"),
    ("user:alice", "Anyscale.Platform/clouds/read", "/a//b", "invalid_input"),
    ("user:alice", "Anyscale.Platform/clouds/read", "/a/./b", "invalid_input"),
    ("user:alice", "Anyscale.Platform/clouds/read", "/a/b/", "invalid_input"),
    ("user:alice", "Anyscale.Platform/clouds/read", "/a\x00b", "invalid_input"),
    ("user:alice", "Anyscale.Platform/clouds/read", "/a\x7fb", "invalid_input"),
    ("user:alice", "Anyscale.Platform/clouds/read", "/" + "x" * 5000, "invalid_input"),
    ("user:alice", "Anyscale.Platform/clouds/read", "/s" * 65, "invalid_input"),
    ("user:alice", "Anyscale.Platform/clouds/nope", C1, "unknown_action"),
    ("user:alice", "", C1, "unknown_action"),
    ("user:nobody", "Anyscale.Platform/clouds/read", C1, "no_grant"),
])
def test_bad_input_is_a_deny_not_an_error(engine, principal, action, resource, reason):
    d = engine.check(principal, action, resource)
    assert not d.allowed
    assert d.reason == reason
    assert engine.explain(principal, action, resource).reason == d.reason


def test_invalid_utf8_bytes_never_allow(engine):
    for p, a, r in [(b"user:\xffalice", JOBS + "read", C1), ("user:alice", JOBS + "read", (C1 + "/\xff").encode("latin-1")),
                    ("user:alice", b"Anyscale.Platform/clouds/r\xe9ad", C1)]:
        assert not engine.check(p, a, r).allowed


def test_check_argument_errors(engine):
    with pytest.raises(TypeError):
        engine.check("a", "b")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        engine.check("a", "b", "c", "d")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        engine.check(None, "b", "c")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        engine.check("a", 1, "c")  # type: ignore[arg-type]
    with pytest.raises(UnicodeEncodeError):
        engine.check("user:\ud800", "b", "c")


def test_explain_names_the_deciding_rule(engine):
    d = engine.explain("user:alice", JOBS + "read", C1 + "/projects/prod/jobs/j1")
    assert (d.allowed, d.reason, d.rule, d.rule_kind) == (True, "grant", "a-contrib-alice", "assignment")
    d = engine.explain("user:alice", JOBS + "delete", C1 + "/projects/prod/jobs/j1")
    assert (d.allowed, d.reason, d.rule, d.rule_kind) == (
        False, "deny_assignment", "d-no-delete-prod", "deny_assignment")
    d = engine.explain(PJ, "secretsmanager:GetSecretValue", SEC + "gh-token")
    assert (d.reason, d.rule, d.rule_kind) == ("statement", "s-prod-jobs-secrets", "statement")
    d = engine.explain(PJ, "secretsmanager:GetSecretValue", SEC + "prod-db-1")
    assert (d.reason, d.rule, d.rule_kind) == ("deny_statement", "s-prod-jobs-no-db", "statement")
    d = engine.explain("user:nobody", JOBS + "read", C1)
    assert (d.allowed, d.reason, d.rule, d.rule_kind) == (False, "no_grant", None, None)


def test_explain_agrees_with_check(engine):
    principals = ["user:alice", "user:bob", "user:ivan", "user:dana", "user:carol", "sa:launcher", PJ, DEF, "x"]
    actions = [JOBS + "read", JOBS + "delete", JOBS + "logs/read", "Anyscale.Platform/admin/action",
               "secretsmanager:GetSecretValue", "s3:GetObject", "nope"]
    resources = [C1, C1 + "/projects/prod", "/subscriptions/s1", "/", SEC + "gh-x", "arn:aws:s3:::anyscale-shared/k"]
    for p in principals:
        for a in actions:
            for r in resources:
                c, x = engine.check(p, a, r), engine.explain(p, a, r)
                assert (c.allowed, c.reason) == (x.allowed, x.reason), (p, a, r)


def test_decision_value_semantics(engine):
    d = engine.explain("user:alice", JOBS + "read", C1)
    assert d == rolegate.Decision(True, 0, "a-reader-team", "assignment")
    assert hash(d) == hash(rolegate.Decision(True, 0, "a-reader-team", "assignment"))
    assert d != rolegate.Decision(True, 0, None)
    assert "a-reader-team" in repr(d)
    assert pickle.loads(pickle.dumps(d)) == d
    assert d.to_dict() == {"decision": "allow", "reason": "grant", "rule": "a-reader-team"}


def test_resolve(engine):
    r = engine.resolve("c1", "job", "prod", "user:alice")
    assert r == rolegate.Resolution(PJ, "m-prod-jobs", None)
    assert engine.resolve("c1", "job", "prod", "sa:launcher").source == "m-launcher"
    assert engine.resolve("c1", "workspace", "dev", "user:bob") == rolegate.Resolution(DEF, "cloud_default", None)
    assert engine.resolve("c2", "job", "x", "u") == rolegate.Resolution(None, None, "no_identity")
    assert engine.resolve("c3", "job", "x", "u") == rolegate.Resolution(None, None, "unknown_cloud")
    assert engine.resolve("c3", "job", "x", "u", node_group_identity="ng") == rolegate.Resolution(
        None, None, "unknown_cloud")
    assert engine.resolve("c1", "job", "prod", "u", compute_config_identity="cc") == rolegate.Resolution(
        "cc", "compute_config", None)
    assert engine.resolve("c1", "job", "prod", "u", compute_config_identity="cc",
                          node_group_identity="ng") == rolegate.Resolution("ng", "node_group", None)
    assert r.to_dict() == {"identity": PJ, "source": "m-prod-jobs", "error": None}


def test_resolve_argument_errors(engine):
    with pytest.raises(ValueError, match="workload_type"):
        engine.resolve("c1", "batch", "p", "u")
    with pytest.raises(ValueError, match="workload_type"):
        engine.resolve("c1", None, "p", "u")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="override"):
        engine.resolve("c1", "job", "p", "u", compute_config_identity="")
    with pytest.raises(ValueError, match="override"):
        engine.check_workload("c1", "job", "p", "u", "a", "r", node_group_identity="")
    with pytest.raises(TypeError):
        engine.resolve("c1", "job", 3, "u")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        engine.resolve("c1", "job", "p", "u", node_group_identity=4)  # type: ignore[arg-type]


def test_check_workload(engine):
    d = engine.check_workload("c1", "job", "prod", "user:alice", "secretsmanager:GetSecretValue", SEC + "gh-x")
    assert isinstance(d, rolegate.WorkloadDecision) and isinstance(d, rolegate.Decision)
    assert (d.allowed, d.reason, d.rule, d.identity, d.source) == (
        True, "statement", "s-prod-jobs-secrets", PJ, "m-prod-jobs")
    d = engine.check_workload("c2", "job", "x", "u", "s3:GetObject", "arn:aws:s3:::anyscale-shared/x")
    assert (d.allowed, d.reason, d.identity, d.source) == (False, "no_identity", None, None)
    d = engine.check_workload("c9", "job", "x", "u", "s3:GetObject", "arn:aws:s3:::anyscale-shared/x")
    assert (d.allowed, d.reason) == (False, "unknown_cloud")
    d = engine.check_workload("c1", "job", "prod", "u", "s3:GetObject", "arn:aws:s3:::anyscale-shared/x",
                              node_group_identity=DEF)
    assert (d.allowed, d.reason, d.rule, d.identity, d.source) == (
        True, "statement", "s-default-data", DEF, "node_group")
    assert d.to_dict()["identity"] == DEF
    assert pickle.loads(pickle.dumps(d)) == d


def test_check_request(engine):
    d = engine.check_request("user:alice", "GET", "/api/clouds/c1/projects/prod/jobs/j1/logs?tail=5")
    assert isinstance(d, rolegate.RequestDecision)
    assert (d.allowed, d.reason, d.rule, d.route, d.action, d.resource) == (
        True, "grant", "a-contrib-alice", "r-job-logs", JOBS + "logs/read", C1 + "/projects/prod/jobs/j1")
    d = engine.check_request("user:alice", "GET", "/api/nothing")
    assert (d.allowed, d.reason, d.route, d.action, d.resource) == (False, "no_route", None, None, None)
    for bad in ("/api/clouds/c1%2F/projects", "/api/clouds/%zz", "/api/clouds/%4", "/api/../x",
                "/api//clouds", "relative", "/api/clouds/c1%00", "/api/\\x"):
        d = engine.check_request("user:alice", "GET", bad)
        assert (d.allowed, d.reason) == (False, "bad_path"), bad
    assert engine.check_request("user:alice", "GET", "/" + "a" * 5000).reason == "bad_path"
    d = engine.check_request("user:alice", "PUT", "/api/clouds/c1")
    assert d.reason == "no_route"
    assert pickle.loads(pickle.dumps(d)) == d
    with pytest.raises(TypeError):
        engine.check_request("user:alice", "GET", None)  # type: ignore[arg-type]


def test_snapshot_pins_one_bundle(engine):
    from conftest import bundle_without_alice_contrib
    q = ("user:alice", JOBS + "write", C1 + "/projects/prod")
    with engine.snapshot() as snap:
        assert snap.generation == 1 and not snap.released
        engine.publish(bundle_without_alice_contrib())
        assert snap.check(*q).allowed  # still the old bundle
        assert snap.explain(*q).rule == "a-contrib-alice"
        assert snap.check_many([q[0]] * 3, q[1], q[2]).allowed.all()
        assert not engine.check(*q).allowed  # the engine serves the new one
        assert snap.resolve("c1", "job", "prod", "u").identity == PJ
        assert snap.check_workload("c1", "job", "prod", "u", "s3:GetObject", "x").reason == "no_grant"
        assert snap.check_request(q[0], "POST", "/api/clouds/c1/projects/prod/jobs").allowed
    assert snap.released
    with pytest.raises(ValueError, match="released"):
        snap.check(*q)
    snap.release()  # idempotent
    assert "released" in repr(snap)


def test_snapshot_outlives_its_engine(example_path):
    e = rolegate.Engine.from_file(example_path)
    snap = e.snapshot()
    e.close()
    assert snap.check("user:alice", JOBS + "read", C1).allowed
    snap.release()


def test_id_fast_path(engine):
    with engine.snapshot() as snap:
        pid = snap.principal_id("user:alice")
        aid = snap.action_id(JOBS + "read")
        assert pid != rolegate.UNKNOWN_PRINCIPAL and aid != rolegate.UNKNOWN_ACTION
        assert snap.check_ids(pid, aid, C1 + "/projects/prod") == snap.check("user:alice", JOBS + "read", C1 + "/projects/prod")
        assert snap.principal_id("user:never-named") == rolegate.UNKNOWN_PRINCIPAL
        assert snap.action_id("no/such/action") == rolegate.UNKNOWN_ACTION
        assert snap.check_ids(pid, rolegate.UNKNOWN_ACTION, C1).reason == "unknown_action"
        nobody = snap.check_ids(rolegate.UNKNOWN_PRINCIPAL, snap.action_id(JOBS + "delete"), C1 + "/projects/prod")
        assert nobody.reason == "deny_assignment"  # unknown principals still meet deny-to-everyone
        with pytest.raises(ValueError):
            snap.principal_id("")
        with pytest.raises(OverflowError):
            snap.check_ids(2**40, aid, C1)
        with pytest.raises(TypeError):
            snap.check_ids("x", aid, C1)  # type: ignore[arg-type]
