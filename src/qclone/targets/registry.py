"""Target spec strings and the registry of target families.

A spec is ``"<prefix>:<arguments>"``, e.g. ``"grid:10x10"`` or ``"heavy-hex:7@cx"``. The prefix
selects a family; the family's factory receives the text after the first ``:`` (with any
``@gate`` suffix) and returns a :class:`~qclone.targets.base.Target`.

Families come from three places, looked up in this order:

1. the generic families of :mod:`qclone.targets.generic` (registered on import);
2. families registered at run time with :func:`register_target_family` (vendor modules);
3. third-party packages, through the entry-point group ``qclone.targets``, loaded lazily
   when a prefix is not known otherwise (and by :func:`list_target_families`). The entry
   point's name is the prefix; it must load either a :class:`TargetFamily` or a factory
   ``Callable[[str], Target]`` whose optional ``summary``/``example`` attributes (or
   docstring) describe it. Entry points named like a known prefix are ignored.
"""

from __future__ import annotations

import importlib.metadata
import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import networkx as nx

from qclone.errors import TargetError, UnknownTargetError
from qclone.targets import generic
from qclone.targets.base import TWO_QUBIT_GATES, Target

__all__ = [
    "ENTRY_POINT_GROUP",
    "TargetFamily",
    "get_target",
    "list_target_families",
    "register_target_family",
    "unregister_target_family",
]

ENTRY_POINT_GROUP = "qclone.targets"

TargetFactory = Callable[[str], Target]

_PREFIX_RE = re.compile(r"[a-z0-9][a-z0-9_.-]*")
_INT_RE = re.compile(r"\+?[0-9]+")
_PAIR_RE = re.compile(r"(\+?[0-9]+)\s*[x,]\s*(\+?[0-9]+)")
_MAX_SIZE_DIGITS = 12  # far above any buildable size; keeps int() away from huge digit strings


@dataclass(frozen=True)
class TargetFamily:
    """A registered family: ``factory(arguments)`` builds the target for ``prefix:arguments``."""

    prefix: str
    factory: TargetFactory
    summary: str
    example: str
    aliases: tuple[str, ...] = ()


_families: dict[str, TargetFamily] = {}  # primary prefix -> family, in registration order
_lookup: dict[str, TargetFamily] = {}  # primary prefixes and aliases
_cache: OrderedDict[str, Target] = OrderedDict()
_CACHE_SIZE = 32


def register_target_family(
    prefix: str,
    factory: TargetFactory,
    *,
    summary: str,
    example: str,
    aliases: tuple[str, ...] = (),
) -> None:
    """Make ``get_target("<prefix>:<arguments>")`` call ``factory("<arguments>")``.

    ``prefix`` (and each alias) is lower case letters, digits, ``-``, ``_`` or ``.``.
    ``summary`` is one line for ``qclone targets``; ``example`` a full spec string.

    Raises:
        TargetError: a malformed prefix, or a prefix or alias that is already registered.
    """
    names = (prefix, *aliases)
    for name in names:
        if not isinstance(name, str) or not _PREFIX_RE.fullmatch(name):
            raise TargetError(
                f"invalid target family prefix {name!r}: use lower case letters, digits, "
                "'-', '_' or '.', e.g. 'google' or 'my-lab'"
            )
        if name in _lookup:
            raise TargetError(
                f"target family prefix '{name}' is already registered (by family "
                f"'{_lookup[name].prefix}': {_lookup[name].summary}); choose another prefix "
                "or unregister the old family first"
            )
    if len(set(names)) != len(names):
        raise TargetError(f"target family '{prefix}' lists the same prefix twice: {names}")
    if not callable(factory):
        raise TargetError(f"target family '{prefix}': factory must be callable")
    family = TargetFamily(prefix, factory, summary, example, tuple(aliases))
    _families[prefix] = family
    for name in names:
        _lookup[name] = family
    _cache.clear()


def unregister_target_family(prefix: str) -> None:
    """Remove a family (and its aliases) registered under ``prefix``; unknown prefixes: no-op."""
    family = _families.pop(prefix, None)
    if family is None:
        return
    for name in (family.prefix, *family.aliases):
        _lookup.pop(name, None)
    _cache.clear()


def list_target_families() -> list[tuple[str, str, str]]:
    """``(prefix, summary, example)`` of every family, built-ins first (loads plugins)."""
    rows: list[tuple[str, str, str]] = []
    for ep in _entry_points():
        if ep.name not in _lookup:
            try:
                _load_plugin(ep)
            except TargetError as exc:
                rows.append((ep.name, f"unavailable: {exc}", ""))
    return [(f.prefix, f.summary, f.example) for f in _families.values()] + rows


def get_target(spec: str | nx.Graph | Target) -> Target:
    """The target a spec names; a :class:`Target` is returned as is, a graph is wrapped.

    Spec strings (case-insensitive prefix, optional ``@cz``/``@cx`` native-gate suffix,
    ``cz`` by default): ``line:N``, ``ring:N``, ``grid:RxC`` (or ``grid:R,C``),
    ``heavy-hex:D``, ``heavy-hex-rows:RxC``, ``all-to-all:N`` (alias ``full:N``), plus
    registered and plug-in families (see :func:`list_target_families`).

    Raises:
        UnknownTargetError: no family has the spec's prefix (the message lists them).
        TargetError: bad sizes or a bad gate suffix (the message names the fix).
        InvalidGraph: a graph that is not undirected and simple.

    Examples:
        >>> get_target("grid:3x4").num_qubits
        12
        >>> get_target("heavy-hex:3").num_qubits
        19
        >>> t = get_target("line:5@cx")
        >>> t.name, t.two_qubit_gate, t.distance(0, 4)
        ('line:5@cx', 'cx', 4)
        >>> get_target(t) is t
        True
    """
    if isinstance(spec, Target):
        return spec
    if isinstance(spec, nx.Graph):
        return generic.from_graph(spec)
    if not isinstance(spec, str):
        raise TargetError(
            "a target must be a spec string such as 'grid:10x10', a networkx.Graph or a "
            f"Target, got {type(spec).__name__}"
        )
    text = spec.strip()
    cached = _cache.get(text)
    if cached is not None:
        _cache.move_to_end(text)
        return cached
    head, sep, arguments = text.partition(":")
    if not sep:
        head, at, gate = head.partition("@")
        arguments = at + gate
    key = head.strip().lower()
    family = _lookup.get(key)
    if family is None and key == "graph":
        raise UnknownTargetError(
            f"'{text}' names a target built from a networkx graph; pass the graph itself, "
            "get_target(g) or from_graph(g, name=...)"
        )
    if family is None and key:
        for ep in _entry_points():
            if ep.name == key:
                _load_plugin(ep)
                break
        family = _lookup.get(key)
    if family is None:
        raise UnknownTargetError(
            f"unknown target '{text}': no target family '{key}'. Known families: "
            + "; ".join(f"{f.prefix} (e.g. {f.example})" for f in _families.values())
        )
    target = family.factory(arguments.strip())
    if not isinstance(target, Target):
        raise TargetError(
            f"target family '{family.prefix}' returned {type(target).__name__}, not a Target"
        )
    _cache[text] = target
    while len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return target


# --- plug-ins --------------------------------------------------------------------------------
def _entry_points() -> list[importlib.metadata.EntryPoint]:
    return list(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP))


def _load_plugin(ep: importlib.metadata.EntryPoint) -> None:
    try:
        obj: object = ep.load()
    except Exception as exc:  # a broken third-party package must not look like our bug
        raise TargetError(
            f"target family '{ep.name}' (entry point {ep.value!r} in group "
            f"'{ENTRY_POINT_GROUP}') failed to load: {type(exc).__name__}: {exc}; "
            "reinstall or upgrade the package that provides it"
        ) from exc
    if isinstance(obj, TargetFamily):
        register_target_family(ep.name, obj.factory, summary=obj.summary, example=obj.example)
        return
    if not callable(obj):
        raise TargetError(
            f"target family '{ep.name}' (entry point {ep.value!r}) is neither a TargetFamily "
            "nor a callable factory"
        )
    doc = (getattr(obj, "__doc__", None) or "").strip().splitlines()
    summary = getattr(obj, "summary", None) or (doc[0] if doc else f"plug-in from {ep.value}")
    example = getattr(obj, "example", None) or f"{ep.name}:..."
    register_target_family(ep.name, obj, summary=str(summary), example=str(example))


# --- generic families ------------------------------------------------------------------------
def _split_gate(prefix: str, arguments: str, example: str) -> tuple[str, str]:
    body, at, gate = arguments.partition("@")
    gate = gate.strip().lower()
    if at and gate not in TWO_QUBIT_GATES:
        raise TargetError(
            f"unknown native gate '@{gate}' in target '{prefix}:{arguments}'; use "
            + " or ".join(f"@{g}" for g in TWO_QUBIT_GATES)
            + f", e.g. {example}@cx"
        )
    body = body.strip()
    if not body:
        raise TargetError(f"target '{prefix}' needs a size, e.g. {example}")
    return body, gate if at else "cz"


def _one_int(prefix: str, what: str, example: str) -> Callable[[str], tuple[int, str]]:
    def parse(arguments: str) -> tuple[int, str]:
        body, gate = _split_gate(prefix, arguments, example)
        if not _INT_RE.fullmatch(body):
            raise TargetError(
                f"{what} in target '{prefix}:{arguments}' must be a positive integer, got "
                f"'{body}'; e.g. {example}"
            )
        _check_digits(prefix, body, what, example)
        return int(body), gate

    return parse


def _two_ints(prefix: str, what: str, example: str) -> Callable[[str], tuple[int, int, str]]:
    def parse(arguments: str) -> tuple[int, int, str]:
        body, gate = _split_gate(prefix, arguments, example)
        match = _PAIR_RE.fullmatch(body.lower())
        if match is None:
            raise TargetError(
                f"target '{prefix}:{arguments}' needs {what} as two positive integers RxC, "
                f"got '{body}'; e.g. {example}"
            )
        for group in match.groups():
            _check_digits(prefix, group, what, example)
        return int(match.group(1)), int(match.group(2)), gate

    return parse


def _check_digits(prefix: str, digits: str, what: str, example: str) -> None:
    count = len(digits.lstrip("+"))
    if count > _MAX_SIZE_DIGITS:
        raise TargetError(
            f"target '{prefix}:{digits[:12]}...' asks for {what} with {count} digits; qclone "
            f"builds targets of at most {generic.MAX_GENERATED_QUBITS} qubits: choose a smaller "
            f"size, e.g. {example}"
        )


def _register_generic() -> None:
    def one(
        prefix: str, build: Callable[[int, str], Target], what: str, example: str
    ) -> TargetFactory:
        parse = _one_int(prefix, what, example)

        def factory(arguments: str) -> Target:
            n, gate = parse(arguments)
            return build(n, gate)

        return factory

    def two(
        prefix: str, build: Callable[[int, int, str], Target], what: str, example: str
    ) -> TargetFactory:
        parse = _two_ints(prefix, what, example)

        def factory(arguments: str) -> Target:
            r, c, gate = parse(arguments)
            return build(r, c, gate)

        return factory

    register_target_family(
        "line",
        one("line", generic.line, "the line length", "line:20"),
        summary="N qubits on a path, nearest-neighbour couplings",
        example="line:20",
    )
    register_target_family(
        "ring",
        one("ring", generic.ring, "the ring length", "ring:12"),
        summary="N >= 3 qubits on a cycle",
        example="ring:12",
    )
    register_target_family(
        "grid",
        two("grid", generic.grid, "rows and columns", "grid:10x10"),
        summary="R x C square lattice (also grid:R,C)",
        example="grid:10x10",
    )
    register_target_family(
        "heavy-hex",
        one("heavy-hex", generic.heavy_hex, "the code distance", "heavy-hex:7"),
        summary="IBM heavy-hex lattice of odd code distance D, (5D^2-2D-1)/2 qubits "
        "(as Qiskit's CouplingMap.from_heavy_hex)",
        example="heavy-hex:7",
    )
    register_target_family(
        "heavy-hex-rows",
        two("heavy-hex-rows", generic.heavy_hex_rows, "lines and columns", "heavy-hex-rows:8x16"),
        summary="IBM Eagle/Heron-style heavy-hex: R lines of C qubits joined by bridges every "
        "4 columns (8x16 = Heron r2, 156 qubits)",
        example="heavy-hex-rows:8x16",
    )
    register_target_family(
        "all-to-all",
        one("all-to-all", generic.all_to_all, "the number of qubits", "all-to-all:40"),
        summary="N qubits, every pair coupled (alias full:N)",
        example="all-to-all:40",
        aliases=("full",),
    )


_register_generic()
