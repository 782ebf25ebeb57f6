"""Operations (SPEC §15) through the Python binding: counters, the decision
log, the shadow bundle, and their error paths."""

from __future__ import annotations

import threading

import pytest

import rolegate

from conftest import C1, bundle_without_alice_contrib

READ = "Anyscale.Platform/clouds/read"
JOB_WRITE = "Anyscale.Platform/clouds/projects/jobs/write"
PROD = C1 + "/projects/prod"


def test_off_by_default() -> None:
    with rolegate.Engine.example() as e:
        e.check("user:alice", READ, C1)
        s = e.stats()
        assert s["decisions"] == 0 and s["rules"] == []
        assert e.drain_decisions() == []


def test_counters_rules_and_generations() -> None:
    with rolegate.Engine.example() as e:
        e.set_ops(counters=True, count_rules=True)
        for _ in range(3):
            assert e.check("user:alice", READ, C1)
        assert not e.check("user:nobody", READ, C1)
        with e.snapshot() as snap:
            snap.check("user:alice", READ, C1)
        s = e.stats()
        assert s["decisions"] == 5 and s["allows"] == 4 and s["denies"] == 1
        assert s["by_reason"] == {"grant": 4, "no_grant": 1}
        assert [(r["rule"], r["allows"], r["in_service"]) for r in s["rules"]] == [("a-reader-team", 4, True)]
        e.publish(rolegate.example_bundle())
        s = e.stats()
        assert [(r["generation"], r["in_service"]) for r in s["rules"]] == [(1, False)]
        assert e.stats()["rules"] == []  # read once


def test_log_sampling_denies_only_and_truncation() -> None:
    with rolegate.Engine.example() as e:
        e.set_ops(log=True, log_denies_only=True)
        e.check("user:alice", READ, C1)
        e.check("user:" + "x" * 300, READ, C1)
        recs = e.drain_decisions()
        assert len(recs) == 1
        r = recs[0]
        assert r["decision"] == "deny" and r["reason"] == "no_grant"
        assert r["truncated"] == ["principal"] and len(r["principal"]) == 128
        e.set_ops(log=True, log_sample_rate=0.0)
        e.check("user:alice", READ, C1)
        assert e.drain_decisions() == []


def test_full_ring_drops_are_counted() -> None:
    with rolegate.Engine.example() as e:
        e.set_ops(log=True, log_ring_records=16)
        for _ in range(40):
            e.check("user:alice", READ, C1)
        s = e.stats(rules=False)
        assert s["log_records"] == 16 and s["log_dropped"] == 24
        assert len(e.drain_decisions(100)) == 16
        assert e.drain_decisions(0) == []


def test_shadow_counts_disagreements_and_logs_both_rules() -> None:
    with rolegate.Engine.example() as e:
        e.publish_shadow(bundle_without_alice_contrib())
        e.set_ops(counters=True, log=True)
        assert e.check("user:alice", JOB_WRITE, PROD)  # live allows; the shadow denies
        s = e.stats()
        assert s["shadow_checked"] == 1 and s["shadow_denied"] == 1 and s["shadow_allowed"] == 0
        (rec,) = e.drain_decisions()
        assert rec["decision"] == "allow" and rec["rule"] == "a-contrib-alice"
        assert rec["shadow"]["decision"] == "deny"
        req = e.check_request("user:alice", "GET", "/api/clouds/c1/projects/prod/jobs")
        (rec,) = e.drain_decisions()
        assert rec["op"] == "check_request" and rec["route"] == req.route
        e.clear_shadow()
        e.clear_shadow()
        e.check("user:alice", JOB_WRITE, PROD)
        assert e.stats()["shadow_checked"] == 2


def test_errors() -> None:
    e = rolegate.Engine.example()
    with pytest.raises(rolegate.BundleError):
        e.publish_shadow("{")
    with pytest.raises(TypeError):
        e.publish_shadow(42)  # type: ignore[arg-type]
    with pytest.raises(rolegate.RolegateError):
        e.set_ops(log=True, log_sample_rate=float("nan"))
    with pytest.raises(ValueError):
        e.drain_decisions(-1)
    e.close()
    for call in (e.stats, e.drain_decisions, e.clear_shadow, lambda: e.set_ops(counters=True),
                 lambda: e.publish_shadow(rolegate.example_bundle())):
        with pytest.raises(ValueError, match="closed"):
            call()


def test_threads_count_exactly() -> None:
    with rolegate.Engine.example() as e:
        e.set_ops(counters=True, log=True, log_ring_records=64)
        stop = threading.Event()
        drained = []

        def drain() -> None:
            while not stop.is_set():
                drained.extend(e.drain_decisions(256))

        d = threading.Thread(target=drain)
        d.start()
        workers = [threading.Thread(target=lambda: [e.check("user:alice", READ, C1) for _ in range(2000)])
                   for _ in range(4)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        stop.set()
        d.join()
        drained.extend(e.drain_decisions(10**6))
        s = e.stats(rules=False)
        assert s["decisions"] == 8000
        assert s["log_records"] + s["log_dropped"] == 8000
        assert len(drained) == s["log_records"]
