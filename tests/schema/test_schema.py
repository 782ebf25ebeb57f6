"""Tests of schema/bundle.schema.json against real bundles and the real CLI.

(a) every bundle in examples/ and tests/schema/valid/ passes the schema (and
    a seeded S bundle from the generator, when it is built);
(b) every file in tests/schema/invalid/ fails it;
(c) the CLI (`rolegate validate FILE`) rejects every invalid file, exit 1,
    with an error at one of the JSON pointers tests/schema/invalid_cases.json
    names for it, so that a file rejected for another reason does not pass.

The v2 fields (conditions, permissions, not_actions, not_resources,
policy_version, scope_parents) are checked by the CLI only once it knows
them: a feature counts as known when its probe bundle in valid/ compiles.
Until then the CLI half of those cases is skipped, saying which feature; the
schema half always runs.

Run through tests/schema/run.sh, which makes the venv with jsonschema.
"""

import json
import os
import pathlib
import re
import subprocess

import jsonschema
import pytest

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent.parent
SCHEMA_PATH = REPO / "schema" / "bundle.schema.json"
VALID_DIR = HERE / "valid"
INVALID_DIR = HERE / "invalid"
CASES = json.loads((HERE / "invalid_cases.json").read_text())

# The valid bundle that shows whether the CLI knows each v2 feature.
FEATURE_PROBES = {
    "statement_not_actions": "v2_statement_not_actions.json",
    "statement_not_resources": "v2_statement_not_resources.json",
    "policy_version": "v2_statement_policy_version.json",
    "statement_condition": "v2_statement_condition.json",
    "assignment_condition": "v2_assignment_condition.json",
    "deny_condition": "v2_deny_condition.json",
    "role_permissions": "v2_role_permissions.json",
    "role_permissions_condition": "v2_role_permissions_condition.json",
    "scope_parents": "v2_scope_parents.json",
}
# A valid v2 bundle needs every feature its probe list names.
V2_VALID_FEATURES = {probe: [feature] for feature, probe in FEATURE_PROBES.items()}
V2_VALID_FEATURES["v2_everything.json"] = sorted(FEATURE_PROBES)
# An empty Condition object (AWS accepts it: no constraint); not a probe, so
# that a compiler that refuses it fails here alone.
V2_VALID_FEATURES["v2_statement_condition_empty.json"] = ["statement_condition"]

# "line 4 col 43: /roles/0/actions/0: why" or "(bundle): why".
# The CLI's one diagnostic format: "FILE:LINE:COL: [warning: ]POINTER: MESSAGE"
# (":LINE:COL" left out when the position is unknown).
DIAG_LINE = re.compile(r"^.*?\.json(?::\d+:\d+)?: (warning: )?(\S*): ")


def schema():
    return json.loads(SCHEMA_PATH.read_text())


def validator():
    return jsonschema.Draft202012Validator(schema())


def cli_path():
    """The CLI, or None when it is not built and nobody asked for it."""
    path = os.environ.get("ROLEGATE_CLI")
    if path:
        assert os.access(path, os.X_OK), f"ROLEGATE_CLI={path} is not an executable"
        return path
    default = REPO / "build" / "rolegate"
    return str(default) if os.access(default, os.X_OK) else None


def run_validate(path):
    cli = cli_path()
    if cli is None:
        pytest.skip("no rolegate CLI built (build/rolegate); set ROLEGATE_CLI")
    return subprocess.run([cli, "validate", str(path)], capture_output=True, text=True, timeout=120)


def error_pointers(stderr):
    """The JSON pointers of the error lines ("(bundle)" is the root, "")."""
    out = set()
    for line in stderr.splitlines():
        m = DIAG_LINE.match(line)
        if m and not m.group(1):
            out.add("" if m.group(2) == "(bundle)" else m.group(2))
    return out


_known = {}


def cli_knows(feature):
    """Whether the CLI compiles the feature's probe bundle, and its first error if not."""
    if feature not in _known:
        r = run_validate(VALID_DIR / FEATURE_PROBES[feature])
        first = (r.stderr.strip().splitlines() or [""])[0]
        _known[feature] = (r.returncode == 0, first)
    return _known[feature]


def only_unknown_key_errors(stderr):
    """True when every error says a key is unknown, or is the missing-field
    fallout of one (the CLI does not know a v2 field yet)."""
    lines = [l for l in stderr.splitlines() if l.strip() and not l.startswith("warning: ")]
    return bool(lines) and all(
        'unknown key "' in l or 'missing required field "actions"' in l
        or 'missing required field "resources"' in l for l in lines)


def files(directory):
    return sorted(p for p in directory.glob("*.json"))


VALID_FILES = files(VALID_DIR)
EXAMPLE_FILES = [p for p in files(REPO / "examples") + files(REPO / "examples" / "raygate")
                 if "version" in json.loads(p.read_text())]  # tokens.example.json is no bundle
INVALID_FILES = files(INVALID_DIR)


def test_schema_is_valid_2020_12():
    s = schema()
    assert s["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(s)


def test_every_property_has_a_description():
    missing = []

    def walk(node, path):
        if isinstance(node, dict):
            for name, sub in node.get("properties", {}).items():
                if isinstance(sub, dict) and "description" not in sub:
                    missing.append(f"{path}/properties/{name}")
            for key, sub in node.items():
                walk(sub, f"{path}/{key}")
        elif isinstance(node, list):
            for i, sub in enumerate(node):
                walk(sub, f"{path}/{i}")

    walk(schema(), "#")
    # Properties restated as `true` (their schema comes from permissionLists)
    # are not objects and need none.
    assert not missing, missing


def test_every_object_forbids_unknown_keys():
    loose = []

    def walk(node, path):
        if isinstance(node, dict):
            if "properties" in node and node.get("additionalProperties") is not False \
                    and not path.endswith("permissionLists"):
                loose.append(path)
            for key, sub in node.items():
                walk(sub, f"{path}/{key}")
        elif isinstance(node, list):
            for i, sub in enumerate(node):
                walk(sub, f"{path}/{i}")

    walk(schema(), "#")
    assert not loose, loose


def test_there_are_enough_cases():
    assert len(VALID_FILES) >= 20
    assert len(INVALID_FILES) >= 60
    assert len(EXAMPLE_FILES) >= 2
    names = {p.stem for p in INVALID_FILES}
    assert names == set(CASES), "invalid/ and invalid_cases.json must list the same cases"


# ---- (a) valid bundles pass -------------------------------------------------

@pytest.mark.parametrize("path", EXAMPLE_FILES + VALID_FILES, ids=lambda p: p.name)
def test_valid_bundle_passes_the_schema(path):
    errors = [f"{e.json_path}: {e.message}" for e in validator().iter_errors(json.loads(path.read_text()))]
    assert not errors, errors


@pytest.mark.parametrize("path", EXAMPLE_FILES + VALID_FILES, ids=lambda p: p.name)
def test_valid_bundle_compiles_with_the_cli(path):
    """Keeps valid/ honest: a file here must be a bundle the CLI accepts."""
    r = run_validate(path)
    if r.returncode != 0 and path.name in V2_VALID_FEATURES and only_unknown_key_errors(r.stderr):
        pytest.skip(f"the CLI does not know {', '.join(V2_VALID_FEATURES[path.name])} yet: "
                    f"{r.stderr.strip().splitlines()[0]}")
    assert r.returncode == 0, r.stderr


def test_generated_s_bundle_passes_the_schema(tmp_path):
    gen = os.environ.get("ROLEGATE_GEN_BUNDLE") or str(REPO / "build" / "bench" / "rolegate_gen_bundle")
    if not os.access(gen, os.X_OK):
        pytest.skip(f"no bundle generator at {gen} (configure with -DROLEGATE_BUILD_BENCH=ON)")
    out = tmp_path / "S.json"
    subprocess.run([gen, "--size", "S", "--out", str(out)], check=True, capture_output=True, timeout=300)
    errors = [f"{e.json_path}: {e.message}" for e in validator().iter_errors(json.loads(out.read_text()))]
    assert not errors, errors[:10]


# ---- (b) invalid bundles fail the schema ------------------------------------

@pytest.mark.parametrize("path", INVALID_FILES, ids=lambda p: p.stem)
def test_invalid_bundle_fails_the_schema(path):
    errors = list(validator().iter_errors(json.loads(path.read_text())))
    assert errors, f"{path.name} passes the schema"


# ---- (c) ...and the CLI -----------------------------------------------------

@pytest.mark.parametrize("path", INVALID_FILES, ids=lambda p: p.stem)
def test_invalid_bundle_is_rejected_by_the_cli(path):
    case = CASES[path.stem]
    feature = case["feature"]
    if feature is not None:
        known, first_error = cli_knows(feature)
        if not known:
            pytest.skip(f"the CLI does not know the v2 feature {feature} yet "
                        f"(valid/{FEATURE_PROBES[feature]}: {first_error})")
    r = run_validate(path)
    assert r.returncode == 1, f"exit {r.returncode}\n{r.stdout}{r.stderr}"
    got = error_pointers(r.stderr)
    assert got & set(case["pointers"]), (
        f"no error at {case['pointers']}; the CLI said:\n{r.stderr}")


# ---- the examples of docs/bundle.md -----------------------------------------

DOC = REPO / "docs" / "bundle.md"
OBJECT_KINDS = ["action", "role", "permissionBlock", "group", "assignment", "denyAssignment",
                "statement", "cloud", "mappingRule", "route", "scopeParent"]


# A query's context (not part of the bundle, so not in the schema).
CONTEXT = {"type": "object", "additionalProperties": {"anyOf": [
    {"type": ["string", "number", "boolean"]}, {"type": "array", "items": {"type": "string"}}]}}


def def_validator(name):
    s = schema()
    return jsonschema.Draft202012Validator({"$schema": s["$schema"], "$defs": s["$defs"],
                                            "$ref": f"#/$defs/{name}"})


def doc_json_blocks():
    return re.findall(r"```json\n(.*?)```", DOC.read_text(), re.S)


def test_doc_examples_pass_the_schema():
    """Every JSON example in the reference is a bundle, a bundle fragment
    ("key": [...]), an object of one kind, or one AWS condition a line."""
    whole = validator()
    top = schema()["properties"]
    checked = 0
    for block in doc_json_blocks():
        try:
            doc = json.loads(block)
        except json.JSONDecodeError:
            try:
                doc = json.loads("{" + block + "}")  # a fragment of the bundle
            except json.JSONDecodeError:
                for line in block.strip().splitlines():  # one condition a line
                    cond = json.loads(line)
                    assert not list(def_validator("awsCondition").iter_errors(cond)), line
                    checked += 1
                continue
            for key, value in doc.items():
                sub = jsonschema.Draft202012Validator(
                    {"$defs": schema()["$defs"], **top[key]})
                errs = [e.message for e in sub.iter_errors(value)]
                assert not errs, (key, errs)
            checked += 1
            continue
        if "version" in doc:
            errs = [e.message for e in whole.iter_errors(doc)]
            assert not errs, errs
        else:
            kinds = [k for k in OBJECT_KINDS if not list(def_validator(k).iter_errors(doc))]
            if not kinds and jsonschema.Draft202012Validator(CONTEXT).is_valid(doc) \
                    and any(k.startswith(("aws:", "@")) for k in doc):
                kinds = ["context"]
            assert kinds, f"matches no bundle object: {block[:200]}"
        checked += 1
    assert checked >= 20


def test_doc_bundle_example_compiles_with_the_cli(tmp_path):
    bundles = [b for b in doc_json_blocks() if b.lstrip().startswith('{\n  "version"')]
    assert bundles
    for i, b in enumerate(bundles):
        path = tmp_path / f"doc{i}.json"
        path.write_text(b)
        r = run_validate(path)
        assert r.returncode == 0, r.stderr


def test_doc_query_examples_answer_as_shown():
    """Each `{"op":...}` line of the reference followed by an answer line is
    run against the built-in example bundle; the answer must be as shown.
    Lines with a context or asserted groups are skipped (they use other
    bundles, or features the CLI may not know yet)."""
    pairs = []
    for block in re.findall(r"```text\n(.*?)```", DOC.read_text(), re.S):
        lines = block.strip().splitlines()
        for q, a in zip(lines, lines[1:]):
            if q.startswith('{"op":') and not a.startswith('{"op":'):
                query = json.loads(q)
                if "context" not in query and "groups" not in query:
                    pairs.append((q, a))
    assert len(pairs) >= 8
    cli = cli_path()
    if cli is None:
        pytest.skip("no rolegate CLI built")
    r = subprocess.run([cli, "check"], input="".join(q + "\n" for q, _ in pairs),
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    got = r.stdout.splitlines()
    for (q, want), line in zip(pairs, got):
        assert json.loads(line) == json.loads(want), q
    assert len(got) == len(pairs)
