"""rolegate.import_azure / rolegate.import_aws: native policy data -> bundle.

Thin wrappers over the C ABI's ``rolegate_import`` (docs/import-azure.md, docs/import-aws.md); the mapping
itself is the library's (lib/import/azure.h, lib/import/aws.h).
"""

from __future__ import annotations

import json
import os
from typing import Any, Optional, Union

from . import _rolegate

#: What each input argument may be: a path (str or os.PathLike), the file's
#: bytes, a parsed JSON value (dict or list, serialised here), or a list or
#: tuple of paths / bytes for several files of one kind.
Source = Union[str, "os.PathLike[str]", bytes, bytearray, dict, list, tuple]


def _one(kind: str, value: Any, label: str) -> tuple[str, str, bytes]:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return (kind, f"<{label}>", bytes(value))
    if isinstance(value, (str, os.PathLike)):
        path = os.fspath(value)
        with open(path, "rb") as f:
            return (kind, path, f.read())
    if isinstance(value, dict):
        return (kind, f"<{label}>", json.dumps(value).encode())
    raise TypeError(f"{label}: expected a path, bytes, a dict or a list, not {type(value).__name__}")


def _inputs(kind: str, value: Any, label: str) -> list[tuple[str, str, bytes]]:
    """One or several files of one kind. A list of dicts (or other JSON
    values) is one parsed JSON document; a list of paths or bytes is several
    files."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        if value and all(isinstance(v, (str, os.PathLike, bytes, bytearray, memoryview)) for v in value):
            return [_one(kind, v, f"{label}[{i}]") for i, v in enumerate(value)]
        return [(kind, f"<{label}>", json.dumps(list(value)).encode())]
    return [_one(kind, value, label)]


def _run(kind: str, inputs: list[tuple[str, str, bytes]]) -> tuple[bytes, dict[str, Any]]:
    bundle, report = _rolegate._import(kind, inputs)
    return bundle, json.loads(report)


def import_azure(roles: Source, assignments: Optional[Source] = None, deny_assignments: Optional[Source] = None,
                 management_groups: Optional[Source] = None, group_members: Optional[Source] = None,
                 operations: Optional[Source] = None) -> tuple[bytes, dict[str, Any]]:
    """Converts Azure RBAC data into a bundle, as ``rolegate import azure``.

    ``roles``: ``az role definition list`` output (or the REST list);
    ``assignments``: ``az role assignment list``; ``deny_assignments``: the
    REST list; ``management_groups``: ``az account management-group entities
    list``; ``group_members``: ``{group_id: Graph member list}``;
    ``operations``: ``az provider operation list`` (the action catalog).

    Returns ``(bundle_json_bytes, report)``: the report is a dict with
    ``counts``, ``imported`` and ``entries`` (each naming its input and JSON
    pointer). Raises RolegateError naming the input and pointer on malformed
    input, OSError when a path cannot be read.
    """
    inputs = (_inputs("roles", roles, "roles") + _inputs("assignments", assignments, "assignments")
              + _inputs("deny_assignments", deny_assignments, "deny_assignments")
              + _inputs("management_groups", management_groups, "management_groups")
              + _inputs("group_members", group_members, "group_members")
              + _inputs("operations", operations, "operations"))
    return _run("azure", inputs)


def import_aws(authorization_details: Source, actions: Optional[Union[str, "os.PathLike[str]", bytes]] = None,
               ignore_permission_boundaries: bool = False) -> tuple[bytes, dict[str, Any]]:
    """Converts ``aws iam get-account-authorization-details`` output (one or
    several pages) and an optional action catalog CSV into a bundle, as
    ``rolegate import aws``. Returns ``(bundle_json_bytes, report)``."""
    inputs = _inputs("authorization_details", authorization_details, "authorization_details")
    if actions is not None:
        inputs.append(_one("actions", actions, "actions"))
    if ignore_permission_boundaries:
        inputs.append(("ignore_permission_boundaries", "", b""))
    return _run("aws", inputs)
