"""Context and asserted groups (SPEC §10, §13) through the Python binding:
check, explain, check_workload, check_request and check_many."""

from __future__ import annotations

import json

import pytest

import rolegate

BUNDLE = json.dumps({
    "version": 1,
    "actions": [{"name": "a/read"}],
    "roles": [{"id": "r", "actions": ["a/read"]}],
    "assignments": [{"id": "g1", "principal": "group:eng", "role": "r", "scope": "/g"}],
    "statements": [
        {"id": "s1", "principal": "u", "effect": "Allow", "actions": ["a/read"], "resources": ["/s/*"],
         "condition": {"StringEquals": {"aws:RequestedRegion": "us-west-2"},
                       "NumericLessThanEquals": {"n": 10}, "Bool": {"b": True},
                       "ForAnyValue:StringEquals": {"tags": ["t1"]}}},
        {"id": "s2", "principal": "arn:w", "effect": "Allow", "actions": ["a/read"], "resources": ["/s/*"],
         "condition": {"StringEquals": {"k": "v"}}},
    ],
    "clouds": [{"id": "c", "default_identity": "arn:w"}],
    "routes": [{"id": "rt", "method": "GET", "path": "/r/(?P<x>[^/]+)", "action": "a/read", "scope": "/s/{x}"}],
})

GOOD = {"aws:RequestedRegion": "us-west-2", "n": 3, "b": True, "tags": ["t0", "t1"]}


@pytest.fixture()
def eng():
    with rolegate.Engine(BUNDLE) as e:
        yield e


@pytest.fixture(params=["engine", "snapshot"])
def q(request, eng):
    """The engine or a snapshot of it: every query exists on both."""
    if request.param == "engine":
        yield eng
    else:
        with eng.snapshot() as s:
            yield s


def test_condition_needs_the_right_context(q):
    d = q.check("u", "a/read", "/s/1")
    assert not d and d.reason == "condition_not_met"
    assert q.check("u", "a/read", "/s/1", context=GOOD).reason == "statement"
    assert q.check("u", "a/read", "/s/1", context={**GOOD, "aws:RequestedRegion": "eu-west-1"}).reason == \
        "condition_not_met"
    assert q.check("u", "a/read", "/s/1", context={}).reason == "condition_not_met"
    assert q.check("u", "a/read", "/s/1", context=None).reason == "condition_not_met"


def test_value_types(q):
    assert q.check("u", "a/read", "/s/1", context={**GOOD, "n": 9.5}).allowed
    assert not q.check("u", "a/read", "/s/1", context={**GOOD, "n": 10.5}).allowed
    assert not q.check("u", "a/read", "/s/1", context={**GOOD, "b": False}).allowed
    assert q.check("u", "a/read", "/s/1", context={**GOOD, "tags": ("t1",)}).allowed
    assert q.check(b"u", b"a/read", b"/s/1", context={**GOOD, "aws:RequestedRegion": b"us-west-2"}).allowed


def test_keys_ignore_case_and_a_key_twice_is_invalid_input(q):
    assert q.check("u", "a/read", "/s/1", context={k.upper(): v for k, v in GOOD.items()}).allowed
    d = q.check("u", "a/read", "/s/1", context={**GOOD, "N": 3})
    assert not d and d.reason == "invalid_input"


@pytest.mark.parametrize("bad", [None, {"x": 1}, object(), ["a", 1], [None]])
def test_other_value_types_are_a_type_error(q, bad):
    with pytest.raises(TypeError):
        q.check("u", "a/read", "/s/1", context={"k": bad})


def test_context_and_groups_of_the_wrong_type(q):
    with pytest.raises(TypeError):
        q.check("u", "a/read", "/s/1", context=[("k", "v")])
    with pytest.raises(TypeError):
        q.check("u", "a/read", "/s/1", groups="group:eng")
    with pytest.raises(TypeError):
        q.check("u", "a/read", "/s/1", groups=[1])
    with pytest.raises(TypeError):
        q.check("u", "a/read", "/s/1", context={1: "v"})


def test_over_the_limits_is_invalid_input(q):
    many = {f"k{i}": "v" for i in range(1025)}
    assert q.check("u", "a/read", "/s/1", context=many).reason == "invalid_input"
    assert q.check("u", "a/read", "/s/1", context={f"k{i}": "v" for i in range(1024)}).reason == \
        "condition_not_met"
    assert q.check("u", "a/read", "/s/1", context={**GOOD, "tags": ["t1"] * 257}).reason == "invalid_input"
    assert q.check("u", "a/read", "/s/1", context={"k": "x" * 4097}).reason == "invalid_input"
    assert q.check("v", "a/read", "/g/1", groups=["group:eng"] * 1025).reason == "invalid_input"
    assert q.check("v", "a/read", "/g/1", groups=["group:eng", ""]).reason == "invalid_input"


def test_asserted_groups(q):
    assert q.check("v", "a/read", "/g/1").reason == "no_grant"
    d = q.check("v", "a/read", "/g/1", groups=["group:other", "group:eng"])
    assert d and d.reason == "grant"
    assert q.check("v", "a/read", "/g/1", groups=("group:eng",)).allowed
    assert not q.check("v", "a/read", "/g/1", groups=[]).allowed


def test_keywords_bind_as_before(q):
    assert q.check(principal="u", action="a/read", resource="/s/1", context=GOOD).allowed
    assert q.check("u", "a/read", resource="/s/1").reason == "condition_not_met"
    with pytest.raises(TypeError):
        q.check("u", "a/read", "/s/1", GOOD)  # context is keyword-only
    with pytest.raises(TypeError):
        q.check("u", "a/read", "/s/1", contxt=GOOD)
    with pytest.raises(TypeError):
        q.check("u", "a/read", context=GOOD)
    with pytest.raises(TypeError):
        q.check("u", "a/read", "/s/1", context=GOOD, **{"context": GOOD})  # noqa: the duplicate is the test


def test_explain(q):
    d = q.explain("u", "a/read", "/s/1", context=GOOD)
    assert d.allowed and d.rule == "s1" and d.rule_kind == "statement"
    d = q.explain("u", "a/read", "/s/1")
    assert d.reason == "condition_not_met" and d.rule is None
    d = q.explain("v", "a/read", "/g/1", groups=["group:eng"])
    assert d.rule == "g1" and d.rule_kind == "assignment"


def test_check_workload(q):
    d = q.check_workload("c", "job", "p", "u", "a/read", "/s/1", context={"K": "v"})
    assert d.allowed and d.rule == "s2" and d.identity == "arn:w"
    d = q.check_workload("c", "job", "p", "u", "a/read", "/s/1")
    assert d.reason == "condition_not_met" and d.identity == "arn:w"
    d = q.check_workload("c", "job", "p", "u", "a/read", "/s/1", groups=[""])
    assert d.reason == "invalid_input" and d.identity is None


def test_check_request(q):
    d = q.check_request("u", "GET", "/r/1", context=GOOD)
    assert d.allowed and d.route == "rt" and d.resource == "/s/1"
    d = q.check_request("u", "GET", "/r/1")
    assert d.reason == "condition_not_met" and d.route == "rt"
    d = q.check_request("u", "GET", "/r/1", context={"a": "x", "A": "y"})
    assert d.reason == "invalid_input" and d.route is None


def test_check_many_shared_and_per_query(q):
    r = q.check_many(["u", "u", "v"], "a/read", ["/s/1", "/s/2", "/g/1"], context=GOOD)
    assert r.reasons == ["statement", "statement", "no_grant"]
    r = q.check_many(["u", "u", "v"], "a/read", ["/s/1", "/s/2", "/g/1"], context=[GOOD, None, {}],
                     groups=[None, None, ["group:eng"]])
    assert r.reasons == ["statement", "condition_not_met", "grant"]
    r = q.check_many("v", "a/read", "/g/1", groups=["group:eng"])
    assert r.reasons == ["grant"]
    r = q.check_many(["v", "v"], "a/read", "/g/1", groups=[])
    assert r.reasons == ["no_grant", "no_grant"]
    # Without either, the batch path answers as before.
    assert q.check_many(["u"], ["a/read"], ["/s/1"]).reasons == ["condition_not_met"]
    with pytest.raises(ValueError):
        q.check_many(["u", "u"], "a/read", "/s/1", context=[GOOD])


def test_the_answers_are_the_shared_decisions(eng):
    # The no-context fast path and the context path return the same objects.
    assert eng.check("u", "a/read", "/s/1", context=GOOD) is eng.check("u", "a/read", "/s/1", context=GOOD)
    assert eng.check("u", "a/read", "/s/1") is eng.check("u", "a/read", "/s/1", context={})


def test_a_closed_engine_refuses(eng):
    eng.close()
    with pytest.raises(ValueError):
        eng.check("u", "a/read", "/s/1", context=GOOD)


def test_mappings_and_iterables_are_accepted_by_the_facade(q):
    import types
    ro = types.MappingProxyType(GOOD)
    assert q.explain("u", "a/read", "/s/1", context=ro).allowed
    assert q.check_many(["u"], "a/read", "/s/1", context=ro).reasons == ["statement"]
    assert q.check_many(["v"], "a/read", "/g/1", groups=[iter(["group:eng"])]).reasons == ["grant"]
    assert q.check_request("v", "GET", "/r/1", groups=iter(["group:eng"])).route == "rt"
