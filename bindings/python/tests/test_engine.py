"""Engine construction, publishing, closing, limits and every error path."""

from __future__ import annotations

import gc
import json
import pathlib
import weakref

import pytest

import rolegate
from conftest import C1, EXAMPLE, JOBS, bundle_without_alice_contrib, example_json

ALICE_WRITE = ("user:alice", JOBS + "write", C1 + "/projects/prod/jobs/j1")


def test_versions():
    assert rolegate.LIBRARY_VERSION_NUMBER // 1000000 == rolegate.HEADER_VERSION_NUMBER // 1000000
    assert rolegate.LIBRARY_VERSION.count(".") == 2
    assert rolegate.__version__


def test_reasons_match_the_spec():
    assert rolegate.REASONS == (
        "grant", "statement", "deny_assignment", "deny_statement", "no_grant",
        "not_effective_at_scope", "unknown_action", "invalid_input", "no_route", "bad_path",
        "unknown_cloud", "no_identity", "condition_not_met")
    assert rolegate.reason_name(4) == "no_grant"
    with pytest.raises(ValueError):
        rolegate.reason_name(99)
    with pytest.raises(ValueError):
        rolegate.reason_name(-1)


def test_engine_from_str_bytes_bytearray_memoryview():
    text = EXAMPLE.read_text()
    for bundle in (text, text.encode(), bytearray(text.encode()), memoryview(text.encode())):
        with rolegate.Engine(bundle) as e:
            assert e.check(*ALICE_WRITE).allowed
            assert e.generation == 1


def test_from_file_accepts_str_pathlike_and_bytes():
    for p in (str(EXAMPLE), EXAMPLE, str(EXAMPLE).encode()):
        with rolegate.Engine.from_file(p) as e:
            assert e.check(*ALICE_WRITE).allowed


def test_example_bundle_is_the_examples_file():
    assert json.loads(rolegate.example_bundle()) == example_json()
    with rolegate.Engine.example() as e:
        assert e.check(*ALICE_WRITE).allowed


def test_context_manager_closes():
    with rolegate.Engine.from_file(EXAMPLE) as e:
        assert not e.closed
    assert e.closed
    with pytest.raises(ValueError, match="closed"):
        e.check(*ALICE_WRITE)
    for call in (lambda: e.explain(*ALICE_WRITE), lambda: e.publish(EXAMPLE.read_text()),
                 lambda: e.resolve("c1", "job", "prod", "u"), lambda: e.check_request("u", "GET", "/"),
                 lambda: e.check_many(["a"], ["b"], ["c"]), lambda: e.snapshot(),
                 lambda: e.generation):
        with pytest.raises(ValueError):
            call()
    e.close()  # idempotent
    assert "closed" in repr(e)


def test_close_is_idempotent_and_dealloc_frees():
    e = rolegate.Engine.from_file(EXAMPLE)
    e.close()
    e.close()
    e2 = rolegate.Engine.from_file(EXAMPLE)
    r = weakref.ref(e2)
    del e2
    gc.collect()
    assert r() is None


def test_uninitialised_engine_refuses_queries():
    e = rolegate.Engine.__new__(rolegate.Engine)
    with pytest.raises(ValueError, match="no bundle"):
        e.check(*ALICE_WRITE)
    with pytest.raises(ValueError):
        e.check_many(["a"], ["b"], ["c"])


def test_publish_swaps_and_counts_generations(engine):
    assert engine.check(*ALICE_WRITE).allowed
    engine.publish(bundle_without_alice_contrib())
    assert engine.generation == 2
    d = engine.check(*ALICE_WRITE)
    assert not d.allowed and d.reason == "no_grant"
    engine.publish(EXAMPLE.read_bytes())
    assert engine.generation == 3
    assert engine.check(*ALICE_WRITE).allowed


def test_publish_file(engine, tmp_path):
    p = tmp_path / "b.json"
    p.write_text(bundle_without_alice_contrib())
    engine.publish_file(p)
    assert not engine.check(*ALICE_WRITE).allowed
    with pytest.raises(rolegate.FileError):
        engine.publish_file(tmp_path / "missing.json")
    assert engine.generation == 2


def test_rejected_publish_keeps_the_bundle_in_service(engine):
    with pytest.raises(rolegate.BundleError):
        engine.publish('{"version": 1, "actions": [], "roles": [{"id": "r", "actions": ["nope"]}]}')
    assert engine.generation == 1
    assert engine.check(*ALICE_WRITE).allowed


def _rejected(bundle: dict) -> rolegate.BundleError:
    with pytest.raises(rolegate.BundleError) as info:
        rolegate.Engine(json.dumps(bundle, indent=1))
    return info.value


def _assert_lists_every_error(err: rolegate.BundleError, want_pointers: list[str]) -> None:
    assert isinstance(err, rolegate.RolegateError) and isinstance(err, ValueError)
    assert err.code == -2
    assert [d.pointer for d in err.errors] == want_pointers, err.diagnostics
    msg = str(err)
    assert msg.startswith(f"bundle rejected: {len(want_pointers)} errors")
    for d in err.errors:
        assert d.severity == "error" and d.line > 0 and d.column > 0
        assert f"\n{d.line}:{d.column}: {d.pointer}: {d.message}" in msg
    assert all(isinstance(d, rolegate.Diagnostic) for d in err.diagnostics)
    assert all(d.severity in ("error", "warning") for d in err.diagnostics)
    assert err.diagnostics == sorted(err.errors + err.warnings, key=err.diagnostics.index)


def test_bundle_error_lists_every_semantic_error_with_its_pointer():
    b = example_json()
    b["roles"][0]["actions"].append("Anyscale.Platform/not/in/catalog")
    b["assignments"][1]["role"] = "no-such-role"
    b["groups"].append({"id": "grp:empty", "members": []})
    err = _rejected(b)
    _assert_lists_every_error(err, ["/roles/0/actions/4", "/assignments/1/role"])
    assert "not in the catalog" in err.errors[0].message
    assert err.warnings  # warnings (here: a group with no members) are reported too


def test_bundle_error_lists_every_structural_error_with_its_pointer():
    b = example_json()
    b["bogus"] = 1
    b["roles"][1]["actionz"] = []
    b["groups"][0]["members"] = 5
    err = _rejected(b)
    _assert_lists_every_error(err, ["/roles/1/actionz", "/groups/0/members", "/bogus"])


def test_malformed_json_has_line_and_column():
    with pytest.raises(rolegate.BundleError) as info:
        rolegate.Engine('{"version": 1,\n "actions": [,]}')
    errs = info.value.errors
    assert errs
    assert errs[0].line >= 1


@pytest.mark.parametrize("bundle", ["", "null", "[]", '{"version": 2, "actions": []}', "{"])
def test_bad_bundles_raise(bundle):
    with pytest.raises(rolegate.BundleError):
        rolegate.Engine(bundle)


def test_missing_file_raises_file_error(tmp_path):
    with pytest.raises(rolegate.FileError) as info:
        rolegate.Engine.from_file(tmp_path / "nope.json")
    assert isinstance(info.value, OSError)
    assert info.value.code == -3


def test_bad_bundle_file_raises_bundle_error(tmp_path):
    p = tmp_path / "bad.json"
    p.write_text('{"version": 1}')
    with pytest.raises(rolegate.BundleError):
        rolegate.Engine.from_file(p)


def test_wrong_argument_types():
    with pytest.raises(TypeError):
        rolegate.Engine(123)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        rolegate.Engine.from_file(123)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        rolegate.Engine(EXAMPLE.read_text(), limits=(1, 2))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        rolegate._rolegate.Snapshot()


def test_limits_apply():
    text = EXAMPLE.read_text()
    with rolegate.Engine(text, limits=rolegate.Limits()) as e:
        assert e.check(*ALICE_WRITE).allowed
    with pytest.raises(rolegate.BundleError):
        rolegate.Engine(text, limits=rolegate.Limits(max_string_bytes=16))
    with pytest.raises(rolegate.BundleError):
        rolegate.Engine(text, limits=rolegate.Limits(max_bundle_bytes=100))
    with pytest.raises(rolegate.BundleError):
        rolegate.Engine.from_file(EXAMPLE, limits=rolegate.Limits(max_list_entries=2))
    with pytest.raises(OverflowError):
        rolegate.Engine(text, limits=rolegate.Limits(max_string_bytes=-1))
    with pytest.raises(OverflowError):
        rolegate.Engine(text, limits=rolegate.Limits(max_string_bytes=2**33))


def test_repr(engine):
    assert repr(engine) == "<rolegate.Engine generation=1>"


def test_package_ships_type_information():
    pkg = pathlib.Path(rolegate.__file__).parent
    assert (pkg / "py.typed").is_file()
    assert (pkg / "_rolegate.pyi").is_file()
