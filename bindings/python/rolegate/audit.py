"""Bulk access audits on a Ray cluster, with Ray Data.

When a review outgrows one machine (every principal x every resource of a
large tenant, or a day of raygate decision logs re-decided against a
candidate bundle), these functions run the decisions as a Ray Data
``map_batches`` and give back a Ray ``Dataset`` with the answers as columns:

* the bundle is compiled once on the driver first, so a bad bundle raises
  :class:`rolegate.BundleError` before any task starts; then it is put into
  Ray's object store once and compiled once per worker actor (the actors
  live for the whole job), never per batch;
* each batch is one :meth:`rolegate.Engine.check_many` call (one crossing
  of the C ABI, the GIL released) unless its rows carry their own
  ``groups`` or ``context``, or ``explain`` asks for the deciding rule:
  then each row is one call;
* a null principal, action or resource is checked as the empty string and
  a row whose groups or context cannot be used is answered
  ``invalid_input``: both are denied, never allowed, and never end the job.

Example (a candidate bundle against the one in service)::

    import pathlib, ray
    from rolegate import audit
    ray.init()
    queries = ray.data.read_parquet("queries/")           # principal, action, resource
    out = audit.decide(queries, pathlib.Path("candidate.json"),
                       compare=pathlib.Path("live.json"))
    out.filter(lambda row: row["changed"]).write_json("changed/")

The same from a shell: ``python -m rolegate.audit decide --bundle
candidate.json --compare live.json --input queries/ --output out/``
(``python -m rolegate.audit --help``). Ray is an optional dependency:
``pip install 'rolegate[ray]'``.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import sys
import time
from typing import Any, Optional, Sequence, Union

from . import REASONS, Engine, RolegateError

#: A bundle: JSON text (``str``), its bytes, or a path (``os.PathLike``) to a file.
BundleSource = Union[str, bytes, bytearray, "os.PathLike[str]"]

_INVALID = REASONS.index("invalid_input")
#: Re-decided log rows: raygate decisions that came from rolegate.
_DECIDED = ("allow", "deny")


def _bundle_bytes(bundle: BundleSource) -> bytes:
    """The bundle's bytes, compiled once here so that a bad one fails on the
    driver with the library's own error (BundleError names file and pointer)."""
    if isinstance(bundle, os.PathLike):
        Engine.from_file(bundle).close()
        with open(bundle, "rb") as f:
            return f.read()
    data = bundle.encode() if isinstance(bundle, str) else bytes(bundle)
    Engine(data).close()
    return data


def _ray() -> Any:
    try:
        import ray
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("rolegate.audit needs Ray Data: pip install 'rolegate[ray]'") from e
    return ray


def _strings(table: Any, name: str) -> list:
    """A string column as a list of str, null as '' (which is denied)."""
    import pyarrow.compute as pc
    col = table.column(name)
    return pc.fill_null(col.cast("string"), "").to_pylist()


def _optional(table: Any, name: Optional[str]) -> Optional[list]:
    if name is None or name not in table.column_names:
        return None
    return table.column(name).to_pylist()


def _row_context(value: Any) -> Any:
    """A row's context: a JSON object text, or a struct read from JSONL or
    Parquet (where a key some other row has is null: absent here)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = json.loads(value)
    if not isinstance(value, dict):
        raise TypeError("a context must be a JSON object")
    return {k: v for k, v in value.items() if v is not None}


class _Checker:
    """One compiled bundle on one worker, answering batches."""

    def __init__(self, bundle: bytes) -> None:
        self.engine = Engine(bundle)

    def batch(self, p: list, a: list, r: list, groups: Optional[list], ctx: Optional[list],
              explain: bool) -> tuple[list, list, Optional[list]]:
        """(allowed, reason, rule or None) per row."""
        if groups is None and ctx is None and not explain:
            res = self.engine.check_many(p, a, r)
            return res.allowed.tolist(), res.reasons, None
        snap = self.engine.snapshot()
        try:
            out = [self._one(snap, i, p, a, r, groups, ctx, explain) for i in range(len(p))]
        finally:
            snap.release()
        return [o[0] for o in out], [o[1] for o in out], [o[2] for o in out] if explain else None

    @staticmethod
    def _one(snap: Any, i: int, p: list, a: list, r: list, groups: Optional[list],
             ctx: Optional[list], explain: bool) -> tuple[bool, str, Optional[str]]:
        try:
            g = groups[i] if groups is not None else None
            c = _row_context(ctx[i]) if ctx is not None else None
            call = snap.explain if explain else snap.check
            d = call(p[i], a[i], r[i], context=c, groups=g)
        except (TypeError, ValueError):  # this row's groups or context: denied
            return False, REASONS[_INVALID], None
        return d.allowed, d.reason, d.rule


class _Decide:
    """The map_batches callable of :func:`decide` (one per worker actor)."""

    def __init__(self, refs: list, columns: dict, explain: bool) -> None:
        ray = _ray()
        # The refs come wrapped in a list so that Ray hands them over as refs:
        # each actor fetches the bytes once, from the node's object store.
        self.live = _Checker(ray.get(refs[0]))
        self.baseline = _Checker(ray.get(refs[1])) if refs[1] is not None else None
        self.cols, self.explain = columns, explain

    def __call__(self, table: Any) -> Any:
        c = self.cols
        p, a, r = (_strings(table, c[k]) for k in ("principal", "action", "resource"))
        groups, ctx = _optional(table, c["groups"]), _optional(table, c["context"])
        allowed, reason, rule = self.live.batch(p, a, r, groups, ctx, self.explain)
        table = table.append_column("allowed", _bools(allowed)).append_column("reason", _texts(reason))
        if rule is not None:
            table = table.append_column("rule", _texts(rule))
        if self.baseline is not None:
            was, was_reason, _ = self.baseline.batch(p, a, r, groups, ctx, False)
            table = (table.append_column("baseline_allowed", _bools(was))
                     .append_column("baseline_reason", _texts(was_reason))
                     .append_column("changed", _bools([x != y for x, y in zip(allowed, was)])))
        return table


def _bools(values: list) -> Any:
    import pyarrow as pa
    return pa.array(values, type=pa.bool_())


def _texts(values: list) -> Any:
    import pyarrow as pa
    return pa.array(values, type=pa.string())


def _map(ds: Any, fn: type, args: tuple, *, batch_size: int, workers: Optional[int],
         num_cpus: float) -> Any:
    ray = _ray()
    if workers is not None:
        pool = ray.data.ActorPoolStrategy(size=workers)
    else:
        # Autoscaling from one actor: a fixed pool holding every CPU would
        # starve the read tasks that feed it.
        cpus = max(1, int(ray.cluster_resources().get("CPU", 1) // num_cpus)) if ray.is_initialized() else None
        pool = ray.data.ActorPoolStrategy(min_size=1, max_size=cpus)
    return ds.map_batches(fn, fn_constructor_args=args, batch_format="pyarrow",
                          batch_size=batch_size, num_cpus=num_cpus, compute=pool)


def decide(ds: Any, bundle: BundleSource, *, compare: Optional[BundleSource] = None,
           principal: str = "principal", action: str = "action", resource: str = "resource",
           groups: Optional[str] = "groups", context: Optional[str] = "context",
           explain: bool = False, batch_size: int = 8192, workers: Optional[int] = None,
           num_cpus: float = 1) -> Any:
    """Decides every row of the Ray Dataset ``ds``: may its principal do its
    action on its resource under ``bundle``?

    Returns ``ds`` with columns ``allowed`` (bool) and ``reason`` (the reason
    name) added; with ``explain``, also ``rule`` (the deciding rule's id, null
    when none decided); with ``compare`` (a second bundle, e.g. the one in
    service), also ``baseline_allowed``, ``baseline_reason`` and ``changed``
    (the two bundles disagree on allow/deny). The arguments ``principal``,
    ``action``, ``resource`` name the input columns; ``groups`` (a list of
    group ids asserted with the principal) and ``context`` (a JSON object
    text, or a struct) are used when the dataset has such a column. Lazy, like
    every Ray Data transformation: nothing runs until the result is consumed.
    ``workers`` fixes the number of worker actors (default: Ray scales the
    pool between one actor and one per ``num_cpus`` CPUs of the cluster);
    each actor compiles the bundle once.
    """
    ray = _ray()
    refs = [ray.put(_bundle_bytes(bundle)), ray.put(_bundle_bytes(compare)) if compare is not None else None]
    cols = {"principal": principal, "action": action, "resource": resource, "groups": groups,
            "context": context}
    return _map(ds, _Decide, (refs, cols, explain), batch_size=batch_size, workers=workers,
                num_cpus=num_cpus)


class _Redecide:
    """The map_batches callable of :func:`redecide_log`."""

    def __init__(self, refs: list) -> None:
        self.engine = Engine(_ray().get(refs[0]))

    def __call__(self, table: Any) -> Any:
        method, path = _strings(table, "method"), _strings(table, "path")
        principal = _optional(table, "principal") or [None] * len(method)
        groups = _optional(table, "groups") or [None] * len(method)
        logged = _strings(table, "decision")
        snap = self.engine.snapshot()
        try:
            out = [self._one(snap, principal[i], method[i], path[i], groups[i], logged[i])
                   for i in range(len(method))]
        finally:
            snap.release()
        new = [o[0] for o in out]
        return (table.append_column("new_decision", _texts(new))
                .append_column("new_reason", _texts([o[1] for o in out]))
                .append_column("new_rule", _texts([o[2] for o in out]))
                .append_column("changed", _bools([n is not None and n != d for n, d in zip(new, logged)])))

    @staticmethod
    def _one(snap: Any, principal: Optional[str], method: str, path: str, groups: Any,
             logged: str) -> tuple[Optional[str], Optional[str], Optional[str]]:
        if principal is None or logged not in _DECIDED:
            return None, None, None  # never reached a decision: nothing to re-decide
        try:
            d = snap.check_request(principal, method, path, groups=groups)
        except (TypeError, ValueError):
            return "deny", REASONS[_INVALID], None
        return ("allow" if d.allowed else "deny"), d.reason, d.rule


def redecide_log(ds: Any, bundle: BundleSource, *, batch_size: int = 8192,
                 workers: Optional[int] = None, num_cpus: float = 1) -> Any:
    """Re-decides raygate decision-log records (its JSON access log: one
    object per request, with ``principal``, ``groups``, ``method``, ``path``,
    ``decision`` and ``reason``) against ``bundle``: would the candidate have
    answered each request the same?

    Adds ``new_decision`` (``"allow"``/``"deny"``), ``new_reason``,
    ``new_rule`` and ``changed`` (new decision differs from the logged one).
    Records that never reached a decision (``decision`` other than allow or
    deny: unauthenticated, refused, error; or no principal) are kept with
    nulls and ``changed`` false. A logged deny that raygate made after
    rolegate allowed (a route outside its project, a refused upgrade) shows
    as changed to allow: such rows carry raygate's own reason.
    """
    ray = _ray()
    return _map(ds, _Redecide, ([ray.put(_bundle_bytes(bundle))],), batch_size=batch_size,
                workers=workers, num_cpus=num_cpus)


def _cross_batch(batch: dict, refs: list) -> dict:
    """Rows ``id`` of principals x actions x resources (principal-major)."""
    import numpy as np
    p, a, r = (np.asarray(_ray().get(x), dtype=object) for x in refs)
    ids = batch["id"]
    return {"principal": p[ids // (len(a) * len(r))], "action": a[(ids // len(r)) % len(a)],
            "resource": r[ids % len(r)]}


def cross(principals: Sequence[str], actions: Sequence[str], resources: Sequence[str], *,
          batch_size: int = 65536) -> Any:
    """A lazy Dataset of every (principal, action, resource) combination,
    generated by the read tasks (the three lists are put into the object store
    once, not the product): the input of an every-principal x every-resource
    review."""
    ray = _ray()
    n = len(principals) * len(actions) * len(resources)
    refs = [ray.put(list(x)) for x in (principals, actions, resources)]
    return ray.data.range(n).map_batches(_cross_batch, fn_args=(refs,), batch_format="numpy",
                                         batch_size=batch_size)


# ---- Command line ----------------------------------------------------------------------


def _read(ray: Any, path: str) -> Any:
    """JSONL (``.jsonl``/``.json``, or a directory of them) or Parquet."""
    files = [path] if os.path.isfile(path) else [os.path.join(path, f) for f in os.listdir(path)]
    if all(f.endswith((".jsonl", ".json", ".ndjson")) for f in files):
        return ray.data.read_json(path)
    if all(f.endswith(".parquet") for f in files):
        return ray.data.read_parquet(path)
    raise SystemExit(f"rolegate.audit: {path}: expected .jsonl/.json or .parquet files")


def _write(ds: Any, path: str, fmt: str) -> None:
    if fmt == "parquet":
        ds.write_parquet(path)
    else:
        ds.write_json(path)


def _summary(ds: Any, changed: bool) -> dict:
    rows = ds.count()
    col = "changed" if changed else "allowed"
    return {"rows": rows, col: int(ds.sum(col) or 0) if rows else 0}


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m rolegate.audit", description=(
        "Bulk access audits on a Ray cluster. Input: JSONL or Parquet (a file or a directory); "
        "output: a directory of JSONL or Parquet files. Prints a JSON summary line."))
    ap.add_argument("--address", help="Ray cluster to join (default: RAY_ADDRESS, or a local Ray)")
    ap.add_argument("--format", choices=("jsonl", "parquet"), default="jsonl", help="output format")
    ap.add_argument("--workers", type=int, help="worker actors (default: one per CPU)")
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("decide", help="decide rows with principal, action, resource (groups, context)")
    d.add_argument("--bundle", required=True)
    d.add_argument("--compare", help="a second bundle: adds baseline_* and changed")
    d.add_argument("--explain", action="store_true", help="add the deciding rule's id")
    d.add_argument("--input", required=True)
    d.add_argument("--output", required=True)
    lg = sub.add_parser("log", help="re-decide raygate access-log records against a bundle")
    lg.add_argument("--bundle", required=True)
    lg.add_argument("--input", required=True)
    lg.add_argument("--output", required=True)
    return ap


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _parser().parse_args(argv)
    try:  # both bundles compile here first: an error costs no Ray job
        bundle = _bundle_bytes(pathlib.Path(args.bundle))
        compare = _bundle_bytes(pathlib.Path(args.compare)) if getattr(args, "compare", None) else None
    except RolegateError as e:
        print(f"rolegate.audit: {e}", file=sys.stderr)
        return 1
    ray = _ray()
    ray.init(address=args.address, logging_level="WARNING", log_to_driver=False)
    t0 = time.perf_counter()
    ds = _read(ray, args.input)
    if args.cmd == "decide":
        out = decide(ds, bundle, compare=compare, explain=args.explain, workers=args.workers)
    else:
        out = redecide_log(ds, bundle, workers=args.workers)
    out = out.materialize()
    _write(out, args.output, args.format)
    summary = _summary(out, compare is not None or args.cmd == "log")
    summary["seconds"] = round(time.perf_counter() - t0, 3)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
