"""rolegate: embeddable access decisions (Python binding).

A thin facade over the private extension ``rolegate._rolegate``, which wraps
the stable C ABI (``capi/rolegate.h``) and nothing else: every decision is the
library's, this package adds no policy logic.

    >>> import rolegate
    >>> with rolegate.Engine(rolegate.example_bundle()) as engine:
    ...     d = engine.check("user:alice", "Anyscale.Platform/clouds/read",
    ...                      "/subscriptions/s1/resourceGroups/prod/providers/Anyscale.Platform/clouds/c1")
    ...     bool(d), d.reason
    (True, 'grant')
"""

from __future__ import annotations

import dataclasses
import json
import os
from typing import Any, Iterator, Mapping, Optional, Sequence, Union

from . import _rolegate
from ._rolegate import (
    HEADER_VERSION_NUMBER,
    LIBRARY_VERSION,
    LIBRARY_VERSION_NUMBER,
    UNKNOWN_ACTION,
    UNKNOWN_PRINCIPAL,
    example_bundle,
    reason_name,
)
from ._import import import_aws, import_azure

__all__ = [
    "BatchResult",
    "BundleError",
    "Context",
    "ContextValue",
    "Decision",
    "Diagnostic",
    "Engine",
    "FileError",
    "Limits",
    "REASONS",
    "RequestDecision",
    "Resolution",
    "RolegateError",
    "Snapshot",
    "WORKLOAD_TYPES",
    "WorkloadDecision",
    "example_bundle",
    "import_aws",
    "import_azure",
    "reason_name",
    "LIBRARY_VERSION",
    "LIBRARY_VERSION_NUMBER",
    "HEADER_VERSION_NUMBER",
    "UNKNOWN_ACTION",
    "UNKNOWN_PRINCIPAL",
]

# The package is the library it links statically: one version, the library's.
__version__ = LIBRARY_VERSION

if LIBRARY_VERSION_NUMBER // 1000000 != HEADER_VERSION_NUMBER // 1000000:  # pragma: no cover
    raise ImportError(
        f"rolegate: library {LIBRARY_VERSION_NUMBER} does not match header {HEADER_VERSION_NUMBER}"
    )

#: Reason names indexed by reason code, as the library and ``rolegate check`` name them.
REASONS: tuple[str, ...] = tuple(reason_name(i) for i in range(_rolegate.REASON_COUNT))

#: Accepted values of ``workload_type`` (the kind of workload whose identity is
#: resolved: a job, a service or a workspace), mapped to the C constants.
WORKLOAD_TYPES: dict[str, int] = {"job": 0, "service": 1, "workspace": 2}

_RULE_KINDS = (None, "assignment", "deny_assignment", "statement")
_IDENTITY_ERRORS = (None, "unknown_cloud", "no_identity")

Text = Union[str, bytes]

#: A request context: attribute names (case-insensitive) to a string, a
#: number, a boolean, or a list of strings (a multi-valued key).
ContextValue = Union[str, bytes, int, float, bool, Sequence[Text]]
Context = Mapping[str, ContextValue]


# ---- Results ------------------------------------------------------------------


class Decision:
    """The answer to a check: ``allowed``, ``reason`` and (from explain) ``rule``.

    Immutable. ``bool(decision)`` is ``decision.allowed``, so ``if
    engine.check(...):`` reads as it should. ``rule`` is the id of the deciding
    rule and is only filled by the explaining calls (``explain``,
    ``check_workload``, ``check_request``); ``check`` leaves it ``None``.
    """

    __slots__ = ("allowed", "reason", "reason_code", "rule", "rule_kind")

    allowed: bool
    reason: str
    reason_code: int
    rule: Optional[str]
    rule_kind: Optional[str]

    def __init__(self, allowed: bool, reason_code: int, rule: Optional[str] = None,
                 rule_kind: Optional[str] = None) -> None:
        s = object.__setattr__
        s(self, "allowed", bool(allowed))
        s(self, "reason_code", int(reason_code))
        s(self, "reason", REASONS[reason_code])
        s(self, "rule", rule)
        s(self, "rule_kind", rule_kind)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __bool__(self) -> bool:
        return self.allowed

    def _key(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f) for f in self._fields())

    @classmethod
    def _fields(cls) -> tuple[str, ...]:
        return ("allowed", "reason", "rule")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash((type(self).__name__,) + self._key())

    def __repr__(self) -> str:
        inner = ", ".join(f"{f}={getattr(self, f)!r}" for f in self._fields())
        return f"{type(self).__name__}({inner})"

    def _init_args(self) -> tuple[Any, ...]:
        return (self.allowed, self.reason_code, self.rule, self.rule_kind)

    def __reduce__(self) -> tuple[Any, ...]:  # immutable, yet picklable
        return (type(self), self._init_args())

    def to_dict(self) -> dict[str, Any]:
        """The answer as ``rolegate check`` prints it: ``decision``, ``reason``, ``rule``."""
        return {"decision": "allow" if self.allowed else "deny", "reason": self.reason, "rule": self.rule}


class WorkloadDecision(Decision):
    """``check_workload``'s answer: a Decision plus the identity it was made for."""

    __slots__ = ("identity", "source")

    identity: Optional[str]
    source: Optional[str]

    def __init__(self, allowed: bool, reason_code: int, rule: Optional[str], rule_kind: Optional[str],
                 identity: Optional[str], source: Optional[str]) -> None:
        super().__init__(allowed, reason_code, rule, rule_kind)
        object.__setattr__(self, "identity", identity)
        object.__setattr__(self, "source", source)

    @classmethod
    def _fields(cls) -> tuple[str, ...]:
        return ("allowed", "reason", "rule", "identity", "source")

    def _init_args(self) -> tuple[Any, ...]:
        return super()._init_args() + (self.identity, self.source)

    def to_dict(self) -> dict[str, Any]:
        d = super().to_dict()
        d["identity"] = self.identity
        d["source"] = self.source
        return d


class RequestDecision(Decision):
    """``check_request``'s answer: a Decision plus the route, action and scope
    it was made for (``None`` where the request did not get that far)."""

    __slots__ = ("route", "action", "resource")

    route: Optional[str]
    action: Optional[str]
    resource: Optional[str]

    def __init__(self, allowed: bool, reason_code: int, rule: Optional[str], rule_kind: Optional[str],
                 route: Optional[str], action: Optional[str], resource: Optional[str]) -> None:
        super().__init__(allowed, reason_code, rule, rule_kind)
        object.__setattr__(self, "route", route)
        object.__setattr__(self, "action", action)
        object.__setattr__(self, "resource", resource)

    @classmethod
    def _fields(cls) -> tuple[str, ...]:
        return ("allowed", "reason", "rule", "route", "action", "resource")

    def _init_args(self) -> tuple[Any, ...]:
        return super()._init_args() + (self.route, self.action, self.resource)

    def to_dict(self) -> dict[str, Any]:
        d = super().to_dict()
        d["route"] = self.route
        d["action"] = self.action
        d["resource"] = self.resource
        return d


@dataclasses.dataclass(frozen=True)
class Resolution:
    """``resolve``'s answer: the identity a workload runs as and where it came
    from (``node_group``, ``compute_config``, a mapping rule id or
    ``cloud_default``), or ``error`` (``unknown_cloud`` / ``no_identity``)."""

    identity: Optional[str]
    source: Optional[str]
    error: Optional[str]

    def to_dict(self) -> dict[str, Any]:
        """The answer as ``rolegate check`` prints it: ``identity``, ``source``, ``error``."""
        return {"identity": self.identity, "source": self.source, "error": self.error}


# The 2 * REASON_COUNT answers a check can give, shared by every check call so
# the hot path allocates nothing.
_DECISIONS: tuple[Decision, ...] = tuple(
    Decision(allowed, code) for allowed in (False, True) for code in range(len(REASONS))
)


# ---- Errors --------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Diagnostic:
    """One compile diagnostic: where (a JSON pointer such as ``/roles/3/id``,
    ``""`` for the whole bundle; line and column, 1-based, when the parser
    knows them, else 0) and why. ``severity`` is ``"error"`` or ``"warning"``."""

    pointer: str
    message: str
    line: int
    column: int
    severity: str

    def format(self, file: Optional[str] = None) -> str:
        """This diagnostic as one line, in the format ``rolegate validate`` and
        the Go binding print too::

            FILE:LINE:COL: POINTER: MESSAGE
            FILE:LINE:COL: warning: POINTER: MESSAGE

        ``FILE:`` is left out without a file, ``LINE:COL:`` without a
        position; the whole bundle's pointer is shown as ``(bundle)``, and
        control characters as ``\\u00XX``.
        """
        head = f"{file.translate(_PRINTABLE)}:" if file else ""
        if self.line:
            head += f"{self.line}:{self.column}:"
        out = head + " " if head else ""
        if self.severity == "warning":
            out += "warning: "
        where = (self.pointer or "(bundle)").translate(_PRINTABLE)
        return f"{out}{where}: {self.message.translate(_PRINTABLE)}"

    def __str__(self) -> str:
        return self.format()


# Control characters (U+0000-U+001F, U+007F-U+009F) as \u00XX: a bundle's
# keys reach pointers and messages verbatim, and a newline in one would split
# a diagnostic line in two. The CLI and the Go binding escape the same way.
_PRINTABLE = {c: f"\\u{c:04x}" for c in [*range(0x20), *range(0x7F, 0xA0)]}


def _by_position(diags: Sequence[Diagnostic]) -> list[Diagnostic]:
    """Sorted by (line, column), those without a position last; stable, so
    equal positions keep the library's order (as the CLI sorts them)."""
    return sorted(diags, key=lambda d: (d.line == 0, d.line, d.column))


class RolegateError(Exception):
    """A call into the library failed. ``code`` is the C status (``ROLEGATE_E_*``)."""

    def __init__(self, message: str, code: int = -6) -> None:
        super().__init__(message)
        self.code = code


class FileError(RolegateError, OSError):
    """A bundle file could not be read (``ROLEGATE_E_IO``)."""

    def __init__(self, message: str, code: int = -3) -> None:
        RolegateError.__init__(self, message, code)

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class BundleError(RolegateError, ValueError):
    """The bundle does not compile; the engine in service is unchanged.

    ``str(err)`` is a line ``bundle rejected: N errors``, then one line per
    error in :meth:`Diagnostic.format` form, sorted by position (those without
    one last), prefixed with ``file`` when the bundle came from one
    (``from_file``, ``publish_file``). ``diagnostics`` holds every diagnostic
    (errors and any warnings) in the library's order, ``errors`` and
    ``warnings`` each kind. ``hint`` is a note on a likely mistake, or None.
    """

    def __init__(self, message: str, code: int = -2, diagnostics: Sequence[Any] = (),
                 file: Optional[str] = None) -> None:
        diags = [d if isinstance(d, Diagnostic) else
                 Diagnostic(d[0], d[1], d[2], d[3], "warning" if d[4] == 1 else "error")
                 for d in diagnostics]
        super().__init__(message, code)
        self.diagnostics: list[Diagnostic] = diags
        self.errors: list[Diagnostic] = [d for d in diags if d.severity == "error"]
        self.warnings: list[Diagnostic] = [d for d in diags if d.severity == "warning"]
        self.file: Optional[str] = file
        self.hint: Optional[str] = None

    def __str__(self) -> str:
        # Built when shown, so from_file can name the file after the fact.
        n = len(self.errors)
        if n == 0:
            lines = [str(self.args[0]) if self.args else "bundle rejected"]
        else:
            lines = [f"bundle rejected: {n} error{'s' if n != 1 else ''}"]
            lines += [d.format(self.file) for d in _by_position(self.errors)]
        if self.hint:
            lines.append(self.hint)
        return "\n".join(lines)


def _not_json_hint(bundle: Any, call: str, file_call: str) -> Optional[str]:
    """A hint for a bundle given as text that is a file name, not JSON (a
    short single line that does not parse), else None."""
    if isinstance(bundle, str):
        text = bundle
    elif isinstance(bundle, (bytes, bytearray, memoryview)) and len(bundle) < 4096:
        text = bytes(bundle).decode("utf-8", "replace")
    else:
        return None
    text = text.strip()
    if not text or len(text) >= 4096 or "\n" in text or text[0] in "{[":
        return None
    try:
        json.loads(text)
        return None  # JSON, just not a bundle: the errors say why
    except ValueError:
        pass
    return (f"{call} takes the bundle's JSON text, and {text!r} is not JSON; "
            f"to read a bundle from a file use {file_call}({text!r})")


def _path_type_error(bundle: Any, call: str, file_call: str) -> None:
    if isinstance(bundle, os.PathLike):
        raise TypeError(f"{call} takes the bundle's JSON text, not a path; "
                        f"to read a bundle from a file use {file_call}({os.fspath(bundle)!r})")


_rolegate._init(_DECISIONS, RolegateError, BundleError, FileError)


# ---- Options ------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Limits:
    """Compile limits; a bundle over one is rejected with a :class:`BundleError`.

    0 in a field means the library's default: bundle 1 GiB, any one string
    4096 bytes, 10 million entries in any one list, 64 scope segments, group
    nesting 64 deep, 10 000 routes, 1 MiB of RE2 program per route pattern.
    See docs/bundle.md for what each one counts.
    """

    max_string_bytes: int = 0
    max_bundle_bytes: int = 0
    max_list_entries: int = 0
    max_scope_segments: int = 0
    max_group_depth: int = 0
    max_routes: int = 0
    max_regex_program_bytes: int = 0

    def _tuple(self) -> tuple[int, ...]:
        return dataclasses.astuple(self)


def _limits(limits: Optional[Limits]) -> Optional[tuple[int, ...]]:
    if limits is None:
        return None
    if not isinstance(limits, Limits):
        raise TypeError("limits must be a rolegate.Limits or None")
    return limits._tuple()


# ---- Batches --------------------------------------------------------------------

_np: Any = None
_np_checked = False


def _numpy() -> Any:
    global _np, _np_checked
    if not _np_checked:
        try:
            import numpy
            _np = numpy
        except ImportError:  # pragma: no cover - exercised only without numpy
            _np = None
        _np_checked = True
    return _np


def _column(x: Any) -> Any:
    """Hands a column to the extension: str/bytes, fixed-width NumPy string
    arrays ('U'/'S', read in place) or any other sequence."""
    if isinstance(x, (str, bytes)):
        return x
    dtype = getattr(x, "dtype", None)
    if dtype is not None and hasattr(x, "ndim"):
        if x.ndim != 1:
            raise ValueError(f"check_many: expected a 1-D array, got {x.ndim} dimensions")
        if dtype.kind in "US":
            return x
        return x.tolist()  # object arrays, NumPy 2 StringDType, ...
    return x


class BatchResult:
    """``check_many``'s answer, one entry per query.

    With NumPy installed, ``allowed`` is a ``numpy.bool_`` array and
    ``reason_codes`` a ``numpy.uint8`` array; without it, a ``list[bool]`` and
    ``bytes``. Reason codes index :data:`REASONS`. Indexing or iterating
    yields :class:`Decision` objects.
    """

    __slots__ = ("allowed", "reason_codes")

    def __init__(self, raw: bytearray) -> None:
        np = _numpy()
        if np is not None:
            pairs = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 2)
            self.allowed = pairs[:, 0].astype(np.bool_)
            self.reason_codes = pairs[:, 1].copy()
        else:  # pragma: no cover
            self.allowed = [b == 1 for b in raw[0::2]]
            self.reason_codes = bytes(raw[1::2])

    def __len__(self) -> int:
        return len(self.reason_codes)

    def __getitem__(self, i: int) -> Decision:
        return _DECISIONS[(len(REASONS) if self.allowed[i] else 0) + int(self.reason_codes[i])]

    def __iter__(self) -> Iterator[Decision]:
        for i in range(len(self)):
            yield self[i]

    @property
    def reasons(self) -> list[str]:
        """Reason names, one per query."""
        return [REASONS[c] for c in self.reason_codes]

    def all_allowed(self) -> bool:
        """True when every query was allowed (and there was at least one)."""
        return len(self) > 0 and bool(all(self.allowed))

    def count_allowed(self) -> int:
        return int(sum(self.allowed))

    def __repr__(self) -> str:
        return f"BatchResult(n={len(self)}, allowed={self.count_allowed()})"


# ---- Queries common to Engine and Snapshot ----------------------------------------


def _workload_args(cloud: Text, workload_type: str, project: Text, user: Text,
                   compute_config_identity: Optional[Text],
                   node_group_identity: Optional[Text]) -> tuple[Any, ...]:
    try:
        wt = WORKLOAD_TYPES[workload_type]
    except (KeyError, TypeError):
        raise ValueError(
            f"workload_type must be one of {', '.join(WORKLOAD_TYPES)}, not {workload_type!r}") from None
    for name, v in (("compute_config_identity", compute_config_identity),
                    ("node_group_identity", node_group_identity)):
        if v is not None and len(v) == 0:
            raise ValueError(f"{name} must be None (no override) or non-empty")
    return (cloud, wt, project, user, compute_config_identity, node_group_identity)


class _Queries:
    __slots__ = ()

    # Provided by the extension types.
    _explain: Any
    _resolve: Any
    _check_workload: Any
    _check_request: Any
    _check_many: Any

    def explain(self, principal: Text, action: Text, resource: Text, *,
                context: Optional[Context] = None, groups: Optional[Sequence[Text]] = None) -> Decision:
        """Like ``check``, and also names the deciding rule: ``rule`` is the id of
        the assignment, deny assignment or statement that decided and
        ``rule_kind`` its kind (both ``None`` when no rule decided, as for
        ``no_grant``, ``condition_not_met`` or ``unknown_action``).
        ``context`` and ``groups`` as for ``check``."""
        allowed, code, rule, kind = self._explain(principal, action, resource, _ctx(context), _groups(groups))
        return Decision(allowed, code, rule, _RULE_KINDS[kind])

    def resolve(self, cloud: Text, workload_type: str, project: Text, user: Text, *,
                compute_config_identity: Optional[Text] = None,
                node_group_identity: Optional[Text] = None) -> Resolution:
        """The cloud identity a workload runs as. The first that applies wins:
        ``node_group_identity``, then ``compute_config_identity`` (overrides;
        ``None`` means none given), then the cloud's matching mapping rule
        that names the most of ``user`` (weighs 4), ``project`` (2) and
        ``workload_type`` (1), then the cloud's default identity. See
        docs/bundle.md ("clouds")."""
        err, identity, source = self._resolve(*_workload_args(
            cloud, workload_type, project, user, compute_config_identity, node_group_identity))
        return Resolution(identity, source, _IDENTITY_ERRORS[err])

    def check_workload(self, cloud: Text, workload_type: str, project: Text, user: Text,
                       action: Text, resource: Text, *,
                       compute_config_identity: Optional[Text] = None,
                       node_group_identity: Optional[Text] = None,
                       context: Optional[Context] = None,
                       groups: Optional[Sequence[Text]] = None) -> WorkloadDecision:
        """Resolves the workload's identity (as :meth:`resolve`), then checks
        whether that identity may perform ``action`` on ``resource``. A
        workload with no identity is denied (``unknown_cloud`` / ``no_identity``).
        ``context`` and ``groups`` as for ``check`` (an invalid one is
        ``invalid_input`` before the identity is resolved)."""
        err, identity, source, allowed, code, rule, kind = self._check_workload(
            *_workload_args(cloud, workload_type, project, user, compute_config_identity,
                            node_group_identity), action, resource, _ctx(context), _groups(groups))
        return WorkloadDecision(allowed, code, rule, _RULE_KINDS[kind], identity, source)

    def check_request(self, principal: Text, method: Text, path: Text, *,
                      context: Optional[Context] = None,
                      groups: Optional[Sequence[Text]] = None) -> RequestDecision:
        """May ``principal`` make this HTTP request through the gateway? The
        bundle's routes map ``method`` and ``path`` to an action and a
        resource, which are then checked; the answer names the route, action
        and resource (``None`` where the request did not get that far: reason
        ``no_route`` or ``bad_path``). ``context`` and ``groups`` as for
        ``check`` (an invalid one is ``invalid_input`` before routing)."""
        allowed, code, rule, kind, route, action, resource = self._check_request(
            principal, method, path, _ctx(context), _groups(groups))
        return RequestDecision(allowed, code, rule, _RULE_KINDS[kind], route, action, resource)

    def check_many(self, principals: Any, actions: Any, resources: Any, *,
                   context: Union[None, Context, Sequence[Optional[Context]]] = None,
                   groups: Union[None, Sequence[Text], Sequence[Optional[Sequence[Text]]]] = None
                   ) -> BatchResult:
        """Checks many queries in one crossing of the C ABI, the GIL released.

        Each argument is a sequence of str/bytes, a 1-D NumPy string array
        (dtype 'U' or 'S' are read in place; others are converted), or a
        single str/bytes used for every query. Sequences must have equal
        lengths. All queries see one bundle, even if another thread publishes.

        ``context`` is one dict shared by every query, or a sequence with one
        dict (or None) per query; ``groups`` one list of str shared by every
        query, or a sequence with one list (or None) per query. With either,
        the queries run one C call each on one pinned snapshot, the GIL held
        (slower than the batch path, which is used without them).
        """
        if context is None and groups is None:
            return BatchResult(self._check_many(_column(principals), _column(actions), _column(resources)))
        return self._check_many_with(principals, actions, resources, context, groups)

    def _check_many_with(self, principals: Any, actions: Any, resources: Any, context: Any,
                         groups: Any) -> BatchResult:
        cols = [_as_list(c) for c in (principals, actions, resources)]
        shared_ctx = context is None or isinstance(context, Mapping)
        shared_groups = groups is None or _is_group_list(groups)
        lengths = {len(c) for c in cols if not isinstance(c, (str, bytes))}
        if shared_ctx:
            context = _ctx(context)
        else:
            context = [_ctx(c) for c in context]
            lengths.add(len(context))
        if shared_groups:
            groups = _groups(groups)
        else:
            groups = [_groups(g) for g in groups]
            lengths.add(len(groups))
        if len(lengths) > 1:
            raise ValueError(f"check_many: columns, contexts and groups have different lengths {sorted(lengths)}")
        n = lengths.pop() if lengths else 1
        raw = bytearray(2 * n)
        snap, owned = self._pinned()
        try:
            for i in range(n):
                p, a, r = (c if isinstance(c, (str, bytes)) else c[i] for c in cols)
                d = snap.check(p, a, r, context=context if shared_ctx else context[i],
                               groups=groups if shared_groups else groups[i])
                raw[2 * i] = d.allowed
                raw[2 * i + 1] = d.reason_code
        finally:
            if owned:
                snap.release()
        return BatchResult(raw)

    def _pinned(self) -> tuple[Any, bool]:
        raise NotImplementedError


def _ctx(context: Any) -> Any:
    """None or a dict for the extension (another Mapping is copied once)."""
    if context is None or type(context) is dict:
        return context
    if isinstance(context, Mapping):
        return dict(context)
    raise TypeError(f"context must be a mapping or None, not {type(context).__name__}")


def _groups(groups: Any) -> Any:
    """None, or a list/tuple of str/bytes for the extension."""
    if groups is None or type(groups) in (list, tuple):
        return groups
    if isinstance(groups, (str, bytes)):
        raise TypeError("groups must be a list of str, not a single string")
    return list(groups)


def _is_group_list(groups: Any) -> bool:
    """check_many: True for one shared list of ids (empty, or of str/bytes)."""
    if isinstance(groups, (str, bytes)):
        raise TypeError("groups must be a list of str, not a single string")
    items = list(groups) if not isinstance(groups, (list, tuple)) else groups
    return len(items) == 0 or isinstance(items[0], (str, bytes))


def _as_list(col: Any) -> Any:
    """A check_many column as a str/bytes scalar or a list."""
    col = _column(col)
    if isinstance(col, (str, bytes)):
        return col
    return col.tolist() if hasattr(col, "tolist") else list(col)


# ---- Engine and Snapshot -------------------------------------------------------------


class Snapshot(_Queries, _rolegate.Snapshot):
    """One bundle pinned: every query through it sees the same policy, even
    while another thread publishes. Get one from :meth:`Engine.snapshot`; use
    it as a context manager or call :meth:`release`.

    Besides the Engine's queries it offers the id fast path:
    ``principal_id``, ``action_id`` and ``check_ids`` (ids are valid only with
    the snapshot that issued them).
    """

    __slots__ = ()

    def __enter__(self) -> "Snapshot":
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def _pinned(self) -> tuple[Any, bool]:
        return self, False

    def __repr__(self) -> str:
        state = "released" if self.released else f"generation={self.generation}"
        return f"<rolegate.Snapshot {state}>"


_OPS_RULE_KINDS = {1: "assignment", 2: "deny_assignment", 3: "statement"}
_OPS_OPS = ("check", "check_ids", "check_workload", "check_request")
_OPS_CUT = ("principal", "action", "resource", "route", "identity", "rule", "shadow_rule")


def _ops_record(t: tuple[Any, ...]) -> dict[str, Any]:
    (ts, gen, did, op, allowed, reason, _kind, shadow, shadow_reason, _skind, cut,
     principal, action, resource, route, identity, rule, shadow_rule) = t
    return {
        "timestamp_ns": ts, "generation": gen, "decision_id": did,
        "op": _OPS_OPS[op] if op < len(_OPS_OPS) else str(op),
        "principal": principal, "action": action or None, "resource": resource or None,
        "route": route or None, "identity": identity or None,
        "decision": "allow" if allowed else "deny", "reason": reason_name(reason), "rule": rule or None,
        "shadow": None if shadow == 0 else {
            "decision": "allow" if shadow == 1 else "deny", "reason": reason_name(shadow_reason),
            "rule": shadow_rule or None},
        "truncated": [name for bit, name in enumerate(_OPS_CUT) if cut & (1 << bit)],
    }


class Engine(_Queries, _rolegate.Engine):
    """A compiled bundle in service; ``publish`` swaps in a new one atomically.

    ``Engine(bundle)`` compiles a bundle given as JSON text (``str``) or bytes;
    :meth:`from_file` reads one from a file. A bundle that does not compile
    raises :class:`BundleError`. Queries may run from any number of threads
    while another publishes. Use it as a context manager, or call
    :meth:`close`.
    """

    __slots__ = ()

    def __init__(self, bundle: Union[str, bytes, bytearray, memoryview], *,
                 limits: Optional[Limits] = None) -> None:
        _path_type_error(bundle, "Engine(bundle)", "Engine.from_file")
        try:
            self._load(bundle, _limits(limits))
        except BundleError as e:
            e.hint = _not_json_hint(bundle, "Engine(bundle)", "Engine.from_file")
            raise

    @classmethod
    def from_file(cls, path: Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"], *,
                  limits: Optional[Limits] = None) -> "Engine":
        """Compiles the bundle in the file at ``path``. A file that cannot be
        read raises :class:`FileError`; one that does not compile,
        :class:`BundleError` naming the file in each error line."""
        self = cls.__new__(cls)
        try:
            self._load_file(os.fsencode(path), _limits(limits))
        except BundleError as e:
            e.file = os.fsdecode(path)
            raise
        return self

    @classmethod
    def example(cls) -> "Engine":
        """An engine serving the built-in example bundle."""
        return cls(example_bundle())

    def publish(self, bundle: Union[str, bytes, bytearray, memoryview]) -> None:
        """Compiles ``bundle`` and puts it in service atomically. On
        :class:`BundleError` the bundle in service stays in service."""
        _path_type_error(bundle, "publish(bundle)", "publish_file")
        try:
            self._publish(bundle)
        except BundleError as e:
            e.hint = _not_json_hint(bundle, "publish(bundle)", "publish_file")
            raise

    def publish_file(self, path: Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]) -> None:
        """Like :meth:`publish`, reading the bundle from a file."""
        try:
            self._publish_file(os.fsencode(path))
        except BundleError as e:
            e.file = os.fsdecode(path)
            raise

    def snapshot(self) -> Snapshot:
        """Pins the bundle in service (see :class:`Snapshot`)."""
        snap: Snapshot = self._snapshot(Snapshot)
        return snap

    # ---- Operations: counters, decision log, shadow bundle ----------------
    def set_ops(self, *, counters: bool = False, count_rules: bool = False, log: bool = False,
                log_sample_rate: float = 1.0, log_denies_only: bool = False,
                log_ring_records: int = 0) -> None:
        """Sets what the engine records (all off by default; may be called at
        any time). ``counters``: decisions by reason; ``count_rules``: allows
        and denies by deciding rule, per bundle generation (runs the explain
        path on every decision); ``log``: the decision log, a
        ``log_sample_rate`` fraction of decisions (shadow disagreements
        always), optionally ``log_denies_only``, into per-thread rings of
        ``log_ring_records`` records (0: 1024) that :meth:`drain_decisions`
        empties; a full ring drops and counts."""
        self._set_ops(counters, count_rules, log, log_denies_only, float(log_sample_rate),
                      int(log_ring_records))

    def stats(self, *, rules: bool = True) -> dict[str, Any]:
        """The counters: ``decisions``, ``allows``, ``denies``, ``by_reason``
        (reason name -> count), ``log_records``, ``log_dropped``,
        ``shadow_checked``, ``shadow_allowed`` (the shadow allowed what the
        live bundle denied), ``shadow_denied`` (the reverse),
        ``shadow_skipped``, ``generations_dropped``, and with ``rules`` the
        rule counts (``rules``: dicts of generation, rule, kind, in_service,
        allows, denies). Reading the rule counts of a retired generation is
        its last: they are dropped. Never stops readers."""
        counters, reasons, rows = self._stats(rules)
        names = ("decisions", "allows", "denies", "log_records", "log_dropped", "shadow_checked",
                 "shadow_allowed", "shadow_denied", "shadow_skipped", "generations_dropped")
        out: dict[str, Any] = dict(zip(names, counters))
        out["by_reason"] = {reason_name(i): c for i, c in enumerate(reasons) if c}
        if rules:
            out["rules"] = [
                {"generation": g, "rule": r, "kind": _OPS_RULE_KINDS.get(k, "none"),
                 "in_service": bool(live), "allows": a, "denies": d}
                for g, r, k, live, a, d in rows]
        return out

    def drain_decisions(self, max: int = 1024) -> list[dict[str, Any]]:
        """Moves up to ``max`` decision log records out of the engine, as
        dicts: timestamp_ns, generation, decision_id, op, principal, action,
        resource, route, identity, decision, reason, rule, shadow (None or a
        dict of decision, reason, rule) and truncated (the fields cut to
        their room). A cut inside a UTF-8 sequence leaves that record's
        strings as bytes. Never blocks a reader."""
        return [_ops_record(t) for t in self._drain(int(max))]

    def publish_shadow(self, bundle: Union[str, bytes, bytearray, memoryview]) -> None:
        """Compiles ``bundle`` and puts it beside the live one as the shadow:
        every decision is also taken on it, answers still come from the live
        bundle, disagreements are counted (``stats()``) and logged. On
        :class:`BundleError` nothing changes."""
        _path_type_error(bundle, "publish_shadow(bundle)", "publish_shadow")
        self._publish_shadow(bundle)

    def clear_shadow(self) -> None:
        """Removes the shadow bundle (no error without one)."""
        self._clear_shadow()
    def _pinned(self) -> tuple[Any, bool]:
        return self.snapshot(), True

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        if self.closed:
            return "<rolegate.Engine closed>"
        try:
            return f"<rolegate.Engine generation={self.generation}>"
        except ValueError:
            return "<rolegate.Engine uninitialised>"
