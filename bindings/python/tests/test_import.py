"""rolegate.import_azure over the C ABI's rolegate_import: the bundle it
returns compiles and answers, the report is a dict, bad input raises an error
naming the input and the JSON pointer."""

from __future__ import annotations

import json
import os
import pathlib

import pytest

import rolegate

from conftest import REPO

ROLE = {"name": "ab000000-0000-4000-8000-000000000001", "roleName": "R", "assignableScopes": ["/"],
        "permissions": [{"actions": ["A.B/x/read", "A.B/gone/read"], "notActions": [], "dataActions": [],
                         "notDataActions": []}]}
OPS = [{"name": "A.B", "operations": [{"name": "A.B/x/read", "isDataAction": False},
                                       {"name": "A.B/x/write", "isDataAction": False}]}]
USER = "11111111-0000-4000-8000-000000000001"
ASSIGNMENT = {"name": "aa000000-0000-4000-8000-000000000001", "principalId": USER.upper(),
              "principalType": "User", "roleDefinitionId": ROLE["name"], "scope": "/subscriptions/s1"}


def test_import_azure_compiles_and_reports(tmp_path: pathlib.Path) -> None:
    roles = tmp_path / "roles.json"
    roles.write_text(json.dumps([ROLE]))
    bundle, report = rolegate.import_azure(roles=roles, assignments=[ASSIGNMENT], operations=OPS)
    assert isinstance(bundle, bytes)
    engine = rolegate.Engine(bundle)
    assert engine.check(USER, "A.B/x/read", "/subscriptions/s1/resourceGroups/rg").allowed
    assert not engine.check(USER, "A.B/x/write", "/subscriptions/s1").allowed
    assert list(report) == ["counts", "imported", "entries"]
    assert report["counts"] == {"unknown_action": 1}
    [entry] = report["entries"]
    assert entry["source_file"] == str(roles)
    assert entry["pointer"] == "/0/permissions/0/actions/1"
    assert report["imported"]["roles"] == 1


def test_import_azure_bytes_and_several_files() -> None:
    one = json.dumps([ROLE]).encode()
    other = dict(ROLE, name="ab000000-0000-4000-8000-000000000002")
    bundle, report = rolegate.import_azure(roles=[one, json.dumps([other]).encode()])
    assert report["imported"]["roles"] == 2
    assert json.loads(bundle)["roles"][1]["id"] == other["name"]


def test_import_azure_errors_name_input_and_pointer() -> None:
    with pytest.raises(rolegate.RolegateError, match=r"^<roles>: /0/name: expected a string"):
        rolegate.import_azure(roles=b'[{"name": 5}]')
    with pytest.raises(rolegate.RolegateError, match=r"<assignments>: /0/roleDefinitionId: unknown role"):
        rolegate.import_azure(roles=[ROLE], assignments=[dict(ASSIGNMENT, roleDefinitionId="ff" + ROLE["name"][2:])])
    with pytest.raises(TypeError):
        rolegate.import_azure(roles=42)  # type: ignore[arg-type]
    with pytest.raises(OSError):
        rolegate.import_azure(roles=os.path.join(str(REPO), "no-such-file.json"))
