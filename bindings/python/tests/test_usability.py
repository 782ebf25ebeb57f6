"""What a user meets first: signatures, keyword arguments, error messages
(one format shared with the CLI and the Go binding) and docstrings."""

from __future__ import annotations

import inspect
import json
import pathlib
import subprocess

import pytest

import rolegate
from conftest import C1, EXAMPLE, JOBS, example_json, find_cli

ALICE_WRITE = ("user:alice", JOBS + "write", C1 + "/projects/prod/jobs/j1")


def params(f) -> list[str]:
    return list(inspect.signature(f).parameters)


# ---- Signatures -------------------------------------------------------------------


def test_c_methods_have_text_signatures():
    for cls in (rolegate.Engine, rolegate.Snapshot):
        assert params(cls.check) == ["self", "principal", "action", "resource", "context", "groups"]
        kinds = inspect.signature(cls.check).parameters
        assert kinds["context"].kind is inspect.Parameter.KEYWORD_ONLY
        assert kinds["groups"].kind is inspect.Parameter.KEYWORD_ONLY
    assert params(rolegate.Snapshot.check_ids) == ["self", "principal_id", "action_id", "resource"]
    assert params(rolegate.Snapshot.principal_id) == ["self", "principal"]
    assert params(rolegate.Snapshot.action_id) == ["self", "action"]
    assert params(rolegate.Snapshot.release) == ["self"]
    assert params(rolegate.Engine.close) == ["self"]
    assert params(rolegate.reason_name) == ["code"]
    assert params(rolegate.example_bundle) == []
    sig = inspect.signature(rolegate.Engine.check)
    assert all(p.kind is p.POSITIONAL_OR_KEYWORD for n, p in sig.parameters.items()
               if n not in ("self", "context", "groups"))


def test_signatures_reach_bound_methods(engine):
    assert params(engine.check) == ["principal", "action", "resource", "context", "groups"]
    with engine.snapshot() as s:
        assert params(s.check_ids) == ["principal_id", "action_id", "resource"]


def test_facade_signatures():
    assert params(rolegate.Engine) == ["bundle", "limits"]
    assert params(rolegate.Engine.from_file) == ["path", "limits"]
    assert params(rolegate.Engine.explain) == ["self", "principal", "action", "resource", "context", "groups"]
    for name in ("explain", "check_workload", "check_request", "check_many"):
        sig = inspect.signature(getattr(rolegate.Engine, name))
        assert sig.parameters["context"].kind is inspect.Parameter.KEYWORD_ONLY, name
        assert sig.parameters["groups"].kind is inspect.Parameter.KEYWORD_ONLY, name
    sig = inspect.signature(rolegate.Engine.resolve)
    assert sig.parameters["node_group_identity"].kind is inspect.Parameter.KEYWORD_ONLY


def test_check_docstring_says_what_it_does():
    doc = rolegate.Engine.check.__doc__ or ""
    assert "principal" in doc and "Decision" in doc
    assert not doc.startswith("check(")  # the signature line went to __text_signature__


# ---- Keyword arguments --------------------------------------------------------------


def test_check_takes_keywords(engine):
    p, a, r = ALICE_WRITE
    want = engine.check(p, a, r)
    assert want.allowed
    assert engine.check(principal=p, action=a, resource=r) is want
    assert engine.check(resource=r, action=a, principal=p) is want
    assert engine.check(p, a, resource=r) is want
    with engine.snapshot() as s:
        assert s.check(p, resource=r, action=a) is want
        pid, aid = s.principal_id(principal=p), s.action_id(action=a)
        assert (pid, aid) == (s.principal_id(p), s.action_id(a))
        assert s.check_ids(principal_id=pid, action_id=aid, resource=r) is want


@pytest.mark.parametrize("call, message", [
    (lambda e: e.check(*ALICE_WRITE, "extra"), "takes 3 arguments"),
    (lambda e: e.check(ALICE_WRITE[0], ALICE_WRITE[1]), "missing required argument 'resource'"),
    (lambda e: e.check(ALICE_WRITE[0], principal="x", action="y", resource="z"), "multiple values"),
    (lambda e: e.check(*ALICE_WRITE[:2], scope="/x"), "unexpected keyword argument 'scope'"),
    (lambda e: e.check(), "missing required argument 'principal'"),
])
def test_bad_calls_say_what_is_wrong(engine, call, message):
    with pytest.raises(TypeError, match=message):
        call(engine)


def test_facade_methods_take_keywords(engine):
    d = engine.explain(principal="user:alice", action=JOBS + "write", resource=C1 + "/projects/prod/jobs/j1")
    assert d.rule
    r = engine.resolve(cloud="c1", workload_type="job", project="prod", user="user:alice")
    assert r.identity
    q = engine.check_request(principal="user:alice", method="GET", path="/api/clouds/c1/projects/prod/jobs")
    assert q.route


# ---- Not JSON: a path given where JSON text belongs -------------------------------


def test_a_path_given_as_text_points_to_from_file(tmp_path):
    path = str(tmp_path / "bundle.json")
    with pytest.raises(rolegate.BundleError) as info:
        rolegate.Engine(path)
    msg = str(info.value)
    assert f"use Engine.from_file({path!r})" in msg
    assert info.value.hint and "not JSON" in info.value.hint
    with pytest.raises(rolegate.BundleError, match=r"use Engine\.from_file"):
        rolegate.Engine(path.encode())


def test_a_path_object_is_a_type_error_pointing_to_from_file(tmp_path):
    with pytest.raises(TypeError, match=r"Engine\.from_file"):
        rolegate.Engine(tmp_path / "bundle.json")  # type: ignore[arg-type]


def test_publish_of_a_path_points_to_publish_file(engine, tmp_path):
    with pytest.raises(rolegate.BundleError, match=r"use publish_file\('bundle\.json'\)"):
        engine.publish("bundle.json")
    with pytest.raises(TypeError, match="publish_file"):
        engine.publish(tmp_path / "b.json")  # type: ignore[arg-type]
    assert engine.generation == 1


@pytest.mark.parametrize("bundle", ["null", '{"version": 1}', "[]", "", '{"version": 1,\n "actions": [,]}'])
def test_json_that_is_no_bundle_gets_no_path_hint(bundle):
    with pytest.raises(rolegate.BundleError) as info:
        rolegate.Engine(bundle)
    assert info.value.hint is None
    assert "from_file" not in str(info.value)


# ---- One error format -------------------------------------------------------------

# The unknown role stands before the unknown key in the file, though the
# library finds it later (semantic checks run after loading).
ORDERED = ('{"version": 1,\n'
           ' "assignments": [{"id": "a", "principal": "u", "role": "nope", "scope": "/x"}],\n'
           ' "actions": [{"name": "A/read"}],\n'
           ' "roles": [{"id": "r", "actions": ["B/*"]}],\n'
           ' "bogus": 1}\n')


def test_errors_are_sorted_by_position():
    with pytest.raises(rolegate.BundleError) as info:
        rolegate.Engine(ORDERED)
    lines = str(info.value).splitlines()
    assert lines[0] == "bundle rejected: 2 errors"
    assert lines[1].startswith("2:") and ": /assignments/0/role: " in lines[1]
    assert lines[2].startswith("5:") and ": /bogus: " in lines[2]


def test_position_less_diagnostics_come_last():
    err = rolegate.BundleError("m", -2, [("/c", "no position", 0, 0, 0), ("/b", "later", 3, 1, 0),
                                         ("/a", "earlier", 1, 5, 0), ("", "whole", 0, 0, 0)])
    assert str(err).splitlines()[1:] == [
        "1:5: /a: earlier", "3:1: /b: later", "/c: no position", "(bundle): whole"]


def test_diagnostic_format():
    d = rolegate.Diagnostic("/roles/0", "role \"r\" is never assigned", 4, 12, "warning")
    assert d.format("b.json") == 'b.json:4:12: warning: /roles/0: role "r" is never assigned'
    assert str(d) == '4:12: warning: /roles/0: role "r" is never assigned'
    e = rolegate.Diagnostic("", "too big", 0, 0, "error")
    assert e.format("b.json") == "b.json: (bundle): too big"
    assert str(e) == "(bundle): too big"


def test_control_characters_are_escaped():
    with pytest.raises(rolegate.BundleError) as info:
        rolegate.Engine('{"version": 1, "actions": [], "a\\nb\\u0007": 1, "\\u0085x": 2}')
    lines = str(info.value).splitlines()
    assert len(lines) == 3, lines
    assert lines[1].endswith(r'/a\u000ab\u0007: unknown key "a\u000ab\u0007"'), lines[1]
    assert r"/\u0085x: " in lines[2]
    assert info.value.errors[0].pointer == "/a\nb\x07"  # the fields keep the text as it is


def test_from_file_names_the_file_in_every_error_line(tmp_path):
    path = tmp_path / "ordered.json"
    path.write_text(ORDERED)
    for load in (rolegate.Engine.from_file, lambda p: rolegate.Engine.example().publish_file(p)):
        with pytest.raises(rolegate.BundleError) as info:
            load(path)
        assert info.value.file == str(path)
        for line in str(info.value).splitlines()[1:]:
            assert line.startswith(f"{path}:"), line


def test_python_and_the_cli_print_the_same_lines(tmp_path):
    cli = find_cli()
    if not cli:
        pytest.skip("the rolegate CLI is not built (set ROLEGATE_CLI)")
    b = example_json()
    b["roles"][0]["actions"].append("Anyscale.Platform/not/in/catalog")
    b["assignments"][1]["role"] = "no-such-role"
    b["bogus"] = 1
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(b, indent=1))
    out = subprocess.run([cli, "validate", str(path)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 1
    with pytest.raises(rolegate.BundleError) as info:
        rolegate.Engine.from_file(path)
    assert str(info.value).splitlines()[1:] == out.stderr.splitlines()
    # Warnings too, as `rolegate validate --strict` prints them.
    strict = subprocess.run([cli, "validate", "--strict", str(path)], capture_output=True, text=True, timeout=60)
    diags = rolegate._by_position(info.value.diagnostics)
    assert [d.format(str(path)) for d in diags] == strict.stderr.splitlines()


# ---- Docstrings ---------------------------------------------------------------------


def _docs():
    seen = set()
    for name in rolegate.__all__:
        obj = getattr(rolegate, name)
        yield name, getattr(obj, "__doc__", None)
        if inspect.isclass(obj):
            for attr, member in vars(obj).items():
                yield f"{name}.{attr}", getattr(member, "__doc__", None)
            for base in obj.__mro__:
                for attr, member in vars(base).items():
                    if (base, attr) not in seen:
                        seen.add((base, attr))
                        yield f"{base.__name__}.{attr}", getattr(member, "__doc__", None)
    yield "rolegate", rolegate.__doc__


def test_no_docstring_cites_a_spec_the_reader_does_not_have():
    bad = [name for name, doc in _docs() if doc and ("SPEC" in doc or "§" in doc)]
    assert not bad


def test_package_source_cites_no_spec_sections():
    pkg = pathlib.Path(rolegate.__file__).resolve().parent
    for f in [pkg / "__init__.py", pkg / "_rolegate.pyi"]:
        assert "§" not in f.read_text(), f
