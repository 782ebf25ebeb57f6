"""The extension neither leaks Python objects nor references: memory traced
by tracemalloc stays flat over many calls of every kind, errors included."""

from __future__ import annotations

import gc
import tracemalloc

import pytest

import rolegate
from conftest import C1, EXAMPLE, JOBS


def calls(engine: rolegate.Engine) -> None:
    engine.check("user:alice", JOBS + "read", C1)
    engine.explain("user:alice", JOBS + "read", C1)
    engine.resolve("c1", "job", "prod", "user:alice", compute_config_identity="cc")
    engine.check_workload("c1", "job", "prod", "user:alice", "s3:GetObject", "arn:aws:s3:::anyscale-shared/x")
    engine.check_request("user:alice", "GET", "/api/clouds/c1/projects/prod/jobs")
    engine.check_many(["user:alice", "user:bob"], JOBS + "read", [C1, C1])
    with engine.snapshot() as s:
        s.check_ids(s.principal_id("user:alice"), s.action_id(JOBS + "read"), C1)
    for bad in (lambda: engine.check("a", 1, "c"), lambda: engine.check_many(["a", 2], "b", "c"),
                lambda: engine.publish("{}"), lambda: engine.resolve("c1", "nope", "p", "u")):
        try:
            bad()
        except (TypeError, ValueError, rolegate.BundleError):
            pass


def test_no_growth_over_many_calls():
    with rolegate.Engine.from_file(EXAMPLE) as engine:
        for _ in range(200):
            calls(engine)  # warm caches, interned strings, numpy import
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.take_snapshot()
            for _ in range(3000):
                calls(engine)
            gc.collect()
            after = tracemalloc.take_snapshot()
        finally:
            tracemalloc.stop()
        growth = sum(s.size_diff for s in after.compare_to(before, "filename"))
        assert growth < 64 * 1024, growth


def test_engines_and_snapshots_are_freed():
    text = EXAMPLE.read_bytes()
    gc.collect()
    tracemalloc.start()
    try:
        for _ in range(20):
            e = rolegate.Engine(text)
            s = e.snapshot()
            e.close()
            s.release()
        gc.collect()
        before = tracemalloc.take_snapshot()
        for _ in range(200):
            with rolegate.Engine(text) as e, e.snapshot():
                pass
            with pytest.raises(rolegate.BundleError):
                rolegate.Engine(b"{")
        gc.collect()
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    growth = sum(s.size_diff for s in after.compare_to(before, "filename"))
    assert growth < 64 * 1024, growth
