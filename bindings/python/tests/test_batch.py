"""check_many: sequences, NumPy arrays, broadcasting, result object, errors."""

from __future__ import annotations

import itertools

import pytest

import rolegate
from conftest import C1, JOBS

np = pytest.importorskip("numpy")

PRINCIPALS = ["user:alice", "user:bob", "user:ivan", "user:dana", "user:nobody", "", "sa:launcher",
              "arn:aws:iam::123456789012:role/prod-jobs"]
ACTIONS = [JOBS + "read", JOBS + "write", JOBS + "delete", JOBS + "logs/read", "Anyscale.Platform/admin/action",
           "secretsmanager:GetSecretValue", "not/an/action"]
RESOURCES = [C1, C1 + "/projects/prod/jobs/j1", C1 + "/projects/research", "/subscriptions/s1", "/",
             "/bad//scope", "arn:aws:secretsmanager:us-west-2:123456789012:secret:gh-x", "",
             "/subscriptions/s1/resourceGroups/PROD/providers/anyscale.platform/clouds/C1/projects/Prod"]


def all_queries():
    return list(itertools.product(PRINCIPALS, ACTIONS, RESOURCES))


def test_check_many_matches_check(engine):
    qs = all_queries()
    p, a, r = (list(x) for x in zip(*qs))
    res = engine.check_many(p, a, r)
    assert len(res) == len(qs)
    assert res.allowed.dtype == np.bool_ and res.reason_codes.dtype == np.uint8
    for i, q in enumerate(qs):
        d = engine.check(*q)
        assert (bool(res.allowed[i]), rolegate.REASONS[res.reason_codes[i]]) == (d.allowed, d.reason), q
        assert res[i] is d
    assert list(res) == [engine.check(*q) for q in qs]
    assert res.reasons == [engine.check(*q).reason for q in qs]
    assert res.count_allowed() == sum(engine.check(*q).allowed for q in qs)
    assert not res.all_allowed()


def test_numpy_unicode_bytes_and_object_arrays(engine):
    qs = all_queries()
    p, a, r = (list(x) for x in zip(*qs))
    want = engine.check_many(p, a, r)
    for conv in (lambda x: np.array(x), lambda x: np.array([s.encode() for s in x]),
                 lambda x: np.array(x, dtype=object), lambda x: np.array(x)[::-1][::-1],
                 lambda x: np.array(x).astype(">U200"), lambda x: tuple(x)):
        got = engine.check_many(conv(p), conv(a), conv(r))
        assert np.array_equal(got.allowed, want.allowed)
        assert np.array_equal(got.reason_codes, want.reason_codes)


def test_numpy_non_ascii(engine):
    names = ["user:zoë", "user:😀", "user:alice"]
    res = engine.check_many(np.array(names), JOBS + "read", C1)
    assert [d.allowed for d in res] == [engine.check(n, JOBS + "read", C1).allowed for n in names]


def test_numpy_strided_views(engine):
    p = np.array(["user:alice", "user:nobody"] * 50)
    res = engine.check_many(p[::2], JOBS + "read", C1)
    assert res.allowed.all() and len(res) == 50


def test_broadcast_scalars(engine):
    res = engine.check_many(["user:alice", "user:nobody"], JOBS + "read", C1)
    assert list(res.allowed) == [True, False]
    res = engine.check_many("user:alice", JOBS + "read", C1)
    assert len(res) == 1 and res.all_allowed()
    res = engine.check_many(b"user:alice", [JOBS.encode() + b"read", b"x"], C1)
    assert list(res.reasons) == ["grant", "unknown_action"]


def test_generators_and_empty(engine):
    res = engine.check_many((p for p in ["user:alice"]), [JOBS + "read"], [C1])
    assert res.all_allowed()
    res = engine.check_many([], [], [])
    assert len(res) == 0 and not res.all_allowed() and list(res) == []
    res = engine.check_many(np.array([], dtype="U1"), JOBS + "read", C1)
    assert len(res) == 0


def test_large_batch_spans_chunks(engine):
    n = 50_001
    p = ["user:alice", "user:nobody", "user:ivan"] * (n // 3)
    res = engine.check_many(p, JOBS + "read", C1 + "/projects/prod")
    assert len(res) == len(p)
    assert res.count_allowed() == 2 * (n // 3)


def test_check_many_errors(engine):
    with pytest.raises(ValueError, match="entries"):
        engine.check_many(["a", "b"], ["x"], C1)
    with pytest.raises(ValueError, match="entries"):
        engine.check_many(["a"], "x", [C1, C1])
    with pytest.raises(TypeError, match=r"principals\[1\]"):
        engine.check_many(["a", 2], "x", C1)
    with pytest.raises(TypeError):
        engine.check_many(5, "x", C1)
    with pytest.raises(TypeError):
        engine.check_many(np.arange(3), "x", C1)
    with pytest.raises(ValueError, match="1-D"):
        engine.check_many(np.array([["a", "b"]]), "x", C1)
    with pytest.raises(UnicodeEncodeError):
        engine.check_many(["\ud800"], "x", C1)
    with pytest.raises(TypeError):
        engine.check_many(["a"], "x")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        engine.check_many(bytearray(b"ab"), "x", C1)


def test_batch_result_without_numpy(engine, monkeypatch):
    monkeypatch.setattr(rolegate, "_np", None)
    monkeypatch.setattr(rolegate, "_np_checked", True)
    res = engine.check_many(["user:alice", "user:nobody"], JOBS + "read", C1)
    assert res.allowed == [True, False]
    assert isinstance(res.reason_codes, bytes)
    assert res.reasons == ["grant", "no_grant"]
    assert [d.allowed for d in res] == [True, False]
    assert res.count_allowed() == 1
    assert "n=2" in repr(res)


def test_numpy_unicode_is_encoded_exactly():
    """UCS-4 -> UTF-8 in the extension: names with non-ASCII code points at
    every offset (the ASCII fast paths step 8 and 2 code points at a time)
    must name exactly the principals the bundle grants."""
    import json
    names = []
    for pos in range(0, 20):
        for ch in ("é", "ß", "€", "😀"):
            names.append("u" * pos + ch + "v" * (19 - pos))
    names.append("x" * 37)  # pure ASCII, odd length
    bundle = {"version": 1, "actions": [{"name": "read"}],
              "roles": [{"id": "r", "actions": ["read"]}],
              "assignments": [{"id": f"a{i}", "principal": n, "role": "r", "scope": "/"}
                              for i, n in enumerate(names)]}
    with rolegate.Engine(json.dumps(bundle)) as e:
        res = e.check_many(np.array(names), "read", "/x")
        assert res.allowed.all(), [n for n, ok in zip(names, res.allowed) if not ok]
        near = [n.replace("é", "e").replace("ß", "s").replace("€", "E").replace("😀", ":") for n in names[:-1]]
        assert not e.check_many(np.array(near), "read", "/x").allowed.any()
        big = np.array(names).astype(">U40")
        assert e.check_many(big, "read", "/x").allowed.all()
        assert e.check_many(np.array(names, dtype="U64"), "read", "/x").allowed.all()
