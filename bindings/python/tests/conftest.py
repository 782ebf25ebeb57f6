"""Shared fixtures for the rolegate Python binding tests.

The tests find the repository from this file (bindings/python/tests/..),
or from ROLEGATE_SOURCE_DIR. The CLI comparison uses the `rolegate` program
named by ROLEGATE_CLI, or one found in a usual build directory.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil

import pytest

import rolegate

HERE = pathlib.Path(__file__).resolve().parent
REPO = pathlib.Path(os.environ.get("ROLEGATE_SOURCE_DIR", HERE.parent.parent.parent)).resolve()
EXAMPLE = REPO / "examples" / "anyscale.json"
TESTDATA = REPO / "bindings" / "testdata"

C1 = "/subscriptions/s1/resourceGroups/prod/providers/Anyscale.Platform/clouds/c1"
JOBS = "Anyscale.Platform/clouds/projects/jobs/"


def example_json() -> dict:
    return json.loads(EXAMPLE.read_text())


def bundle_without_alice_contrib() -> str:
    """The example bundle minus alice's Contributor assignment on projects/prod:
    alice then may read jobs there (Reader through grp:ml-team) but not write."""
    b = example_json()
    b["assignments"] = [a for a in b["assignments"] if a["id"] != "a-contrib-alice"]
    return json.dumps(b)


def find_cli() -> str | None:
    env = os.environ.get("ROLEGATE_CLI")
    if env:
        return env
    for d in ("bindings/go/_build", "build", "build-bind", "build-go", "build-release"):
        p = REPO / d / "rolegate"
        if p.is_file() and os.access(p, os.X_OK):
            return str(p)
    return shutil.which("rolegate")


@pytest.fixture
def engine():
    with rolegate.Engine.from_file(EXAMPLE) as e:
        yield e


@pytest.fixture
def example_path() -> pathlib.Path:
    return EXAMPLE
