"""The throughput of rolegate.audit, one process vs a Ray cluster.

Shared by test_audit_ray.py (one run in CI, checked and written to
audit_throughput.json) and scripts/bench-audit (repetitions, medians).
Import it after os.environ holds raylocal.env(...): it imports Ray.
"""

import json
import time

import ray
import rolegate
from rolegate import audit


def example_universe():
    """Every named principal (plus an unknown one), every catalog action
    (plus an unknown one) and scopes at every level of the example bundle."""
    doc = json.loads(rolegate.example_bundle())
    principals = {a["principal"] for a in doc["assignments"]}
    for g in doc["groups"]:
        principals |= {g["id"], *g["members"]}
    principals = sorted(principals) + ["user:nobody", ""]
    actions = [a["name"] for a in doc["actions"]] + ["Unknown.Provider/x/read"]
    scopes = sorted({a["scope"] for a in doc["assignments"]})
    scopes += [s + "/projects/p9" for s in scopes] + ["/", "/subscriptions/s2"]
    return principals, actions, scopes


def measure(rows):
    """About `rows` decisions (the example universe's principal x action x
    scope, principals repeated) timed in this process (check_many over
    8192-row batches, strings already in lists) and on the Ray cluster this
    process is the driver of (rows made by the read tasks, decided by the
    actors, materialized in the object store). Returns the figures and both
    allowed counts (they must agree)."""
    principals, actions, scopes = example_universe()
    reps = max(1, rows // (len(actions) * len(scopes)))
    principals = [p for _ in range(reps // len(principals) + 1) for p in principals][:reps]
    na, ns = len(actions), len(scopes)
    n = len(principals) * na * ns
    p = [principals[i // (na * ns)] for i in range(n)]
    a = [actions[(i // ns) % na] for i in range(n)]
    r = [scopes[i % ns] for i in range(n)]
    with rolegate.Engine.example() as e:
        t0 = time.perf_counter()
        local_allowed = sum(e.check_many(p[i:i + 8192], a[i:i + 8192], r[i:i + 8192]).count_allowed()
                            for i in range(0, n, 8192))
        local_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    ds = audit.decide(audit.cross(principals, actions, scopes), rolegate.example_bundle()).materialize()
    ray_s = time.perf_counter() - t0
    return {"rows": n, "ray_rows": ds.count(), "one_process_s": local_s, "ray_s": ray_s,
            "ray_cpus": int(ray.cluster_resources().get("CPU", 0)),
            "one_process_rows_per_s": n / local_s, "ray_rows_per_s": n / ray_s,
            "one_process_allowed": local_allowed, "ray_allowed": int(ds.sum("allowed"))}
