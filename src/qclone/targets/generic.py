"""Generic target families: line, ring, grid, heavy-hex, heavy-hex rows, all-to-all, user graphs.

Qubit numbering is reading order (row by row, left to right) except for :func:`heavy_hex`,
which reproduces Qiskit's ``CouplingMap.from_heavy_hex`` numbering exactly.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Hashable, Iterable
from typing import Any

import networkx as nx

from qclone.errors import InvalidGraph, TargetError
from qclone.targets.base import CLIFFORD_ONE_QUBIT_GATES, TWO_QUBIT_GATES, Target

__all__ = [
    "MAX_ALL_TO_ALL_QUBITS",
    "MAX_GENERATED_QUBITS",
    "all_to_all",
    "from_graph",
    "grid",
    "heavy_hex",
    "heavy_hex_num_qubits",
    "heavy_hex_rows",
    "heavy_hex_rows_num_qubits",
    "line",
    "ring",
]

#: Largest generated lattice (networkx needs roughly 1 kB per qubit).
MAX_GENERATED_QUBITS = 200_000
#: Largest all-to-all target (its complete graph has n(n-1)/2 edges).
MAX_ALL_TO_ALL_QUBITS = 1024

_Positions = dict[int, tuple[float, float]]


# --- argument checks -------------------------------------------------------------------------
def _size(value: object, what: str, minimum: int, example: str) -> int:
    """``value`` as an int >= minimum, else a TargetError naming the fix."""
    if isinstance(value, bool):
        n = None
    else:
        try:
            n = operator.index(value)  # type: ignore[arg-type]
        except TypeError:
            n = None
    if n is None or n < minimum:
        raise TargetError(f"{what} must be an integer >= {minimum}, got {value!r}; e.g. {example}")
    return n


def _check_total(total: int, spec: str, limit: int = MAX_GENERATED_QUBITS) -> None:
    if total > limit:
        raise TargetError(
            f"target {spec} would have {total} qubits, more than qclone builds ({limit}); "
            "choose a smaller size"
        )


def _gate(two_qubit_gate: str) -> str:
    if two_qubit_gate not in TWO_QUBIT_GATES:
        raise TargetError(
            f"two_qubit_gate must be one of {', '.join(TWO_QUBIT_GATES)}, got {two_qubit_gate!r}"
        )
    return two_qubit_gate


def _spec(base: str, two_qubit_gate: str) -> str:
    """Canonical name: ``base`` plus ``@cx`` when the gate is not the default ``cz``."""
    return base if two_qubit_gate == "cz" else f"{base}@{two_qubit_gate}"


def _make(
    spec: str,
    edges: Iterable[tuple[int, int]],
    num_qubits: int,
    two_qubit_gate: str,
    description: str,
    positions: _Positions | None,
    *,
    all_to_all: bool = False,
) -> Target:
    g = nx.Graph()
    g.add_nodes_from(range(num_qubits))
    g.add_edges_from(edges)
    nx.freeze(g)
    return Target(
        name=_spec(spec, two_qubit_gate),
        graph=g,
        two_qubit_gate=two_qubit_gate,
        one_qubit_gates=CLIFFORD_ONE_QUBIT_GATES,
        all_to_all=all_to_all,
        description=description,
        provenance="generated",
        positions=positions,
    )


# --- simple families -------------------------------------------------------------------------
def line(n: int, two_qubit_gate: str = "cz") -> Target:
    """``n`` qubits on a path ``0 - 1 - ... - n-1`` (spec ``line:N``)."""
    n = _size(n, "line length", 1, "line:20")
    _gate(two_qubit_gate)
    _check_total(n, f"line:{n}")
    return _make(
        f"line:{n}",
        ((i, i + 1) for i in range(n - 1)),
        n,
        two_qubit_gate,
        f"line of {n} qubits, nearest-neighbour couplings",
        {i: (float(i), 0.0) for i in range(n)},
    )


def ring(n: int, two_qubit_gate: str = "cz") -> Target:
    """``n >= 3`` qubits on a cycle (spec ``ring:N``)."""
    n = _size(n, "ring length", 3, "ring:12 (a ring needs at least 3 qubits; use line:2)")
    _gate(two_qubit_gate)
    _check_total(n, f"ring:{n}")
    radius = n / (2 * math.pi)  # neighbours about 1 apart
    positions = {
        i: (
            radius * math.cos(2 * math.pi * i / n - math.pi / 2),
            radius * math.sin(2 * math.pi * i / n - math.pi / 2),
        )
        for i in range(n)
    }
    return _make(
        f"ring:{n}",
        ((i, (i + 1) % n) for i in range(n)),
        n,
        two_qubit_gate,
        f"ring of {n} qubits, nearest-neighbour couplings",
        positions,
    )


def grid(rows: int, cols: int, two_qubit_gate: str = "cz") -> Target:
    """A ``rows x cols`` square lattice; qubit ``r * cols + c`` sits at row r, column c.

    Spec ``grid:RxC``; it has ``R(C-1) + C(R-1)`` couplings.
    """
    rows = _size(rows, "grid rows", 1, "grid:10x10")
    cols = _size(cols, "grid columns", 1, "grid:10x10")
    _gate(two_qubit_gate)
    _check_total(rows * cols, f"grid:{rows}x{cols}")
    edges: list[tuple[int, int]] = []
    for r in range(rows):
        for c in range(cols):
            q = r * cols + c
            if c + 1 < cols:
                edges.append((q, q + 1))
            if r + 1 < rows:
                edges.append((q, q + cols))
    return _make(
        f"grid:{rows}x{cols}",
        edges,
        rows * cols,
        two_qubit_gate,
        f"{rows}x{cols} square grid, {rows * cols} qubits, nearest-neighbour couplings",
        {r * cols + c: (float(c), float(r)) for r in range(rows) for c in range(cols)},
    )


def all_to_all(n: int, two_qubit_gate: str = "cz") -> Target:
    """``n`` fully connected qubits, as on trapped-ion machines (spec ``all-to-all:N``)."""
    n = _size(n, "all-to-all size", 1, "all-to-all:40")
    _gate(two_qubit_gate)
    _check_total(n, f"all-to-all:{n}", MAX_ALL_TO_ALL_QUBITS)
    return _make(
        f"all-to-all:{n}",
        ((a, b) for a in range(n) for b in range(a + 1, n)),
        n,
        two_qubit_gate,
        f"{n} qubits with all-to-all couplings",
        None,
        all_to_all=True,
    )


# --- heavy hex -------------------------------------------------------------------------------
def heavy_hex_num_qubits(distance: int) -> int:
    """Qubits of :func:`heavy_hex`: ``(5d^2 - 2d - 1) / 2`` (19, 57, 115, 193 for d=3,5,7,9)."""
    return (5 * distance * distance - 2 * distance - 1) // 2


def _heavy_hex_bridge_columns(distance: int, gap: int) -> list[int]:
    """Line positions (0..2d-2) joined by the bridge qubits between rows ``gap``, ``gap+1``."""
    width = 2 * distance - 1
    if gap % 2 == 0:
        return [0, *range(3, width - 1, 4)]
    return [*range(1, width - 1, 4), width - 1]


def heavy_hex(distance: int, two_qubit_gate: str = "cz") -> Target:
    """IBM's heavy-hex lattice of the distance-``d`` heavy-hex code (odd ``d >= 3``).

    Spec ``heavy-hex:D``. Same graph and numbering as Qiskit's
    ``CouplingMap.from_heavy_hex(d)``: ``d`` horizontal lines of ``2d-1`` qubits (``d`` data
    qubits at even positions, numbered ``0..d^2-1`` row by row, with ``d-1`` flag qubits
    between them, numbered after the bridges), and between consecutive lines ``(d+1)/2``
    bridge (syndrome) qubits, numbered ``d^2..``. Between lines ``g`` and ``g+1`` the bridges
    sit at positions ``0, 3, 7, 11, ...`` for even ``g`` and at ``1, 5, 9, ..., 2d-2`` for odd
    ``g``. Total ``d^2 + d(d-1) + (d^2-1)/2 = (5d^2 - 2d - 1)/2`` qubits and
    ``3d^2 - 2d - 1`` couplings; maximum degree 3.
    """
    d = _size(distance, "heavy-hex distance", 3, "heavy-hex:3, heavy-hex:5 or heavy-hex:7")
    if d % 2 == 0:
        raise TargetError(
            f"heavy-hex distance must be odd, got {d}; use heavy-hex:{d - 1} "
            f"({heavy_hex_num_qubits(d - 1)} qubits) or heavy-hex:{d + 1} "
            f"({heavy_hex_num_qubits(d + 1)} qubits)"
        )
    _gate(two_qubit_gate)
    total = heavy_hex_num_qubits(d)
    _check_total(total, f"heavy-hex:{d}")
    width = 2 * d - 1
    num_data = d * d
    num_bridges = (d * d - 1) // 2

    def line_qubit(row: int, pos: int) -> int:
        if pos % 2 == 0:
            return row * d + pos // 2
        return num_data + num_bridges + row * (d - 1) + pos // 2

    edges: list[tuple[int, int]] = []
    positions: _Positions = {}
    for row in range(d):
        for pos in range(width):
            positions[line_qubit(row, pos)] = (float(pos), float(2 * row))
            if pos + 1 < width:
                edges.append((line_qubit(row, pos), line_qubit(row, pos + 1)))
    bridge = num_data
    for gap in range(d - 1):
        for pos in _heavy_hex_bridge_columns(d, gap):
            edges.append((line_qubit(gap, pos), bridge))
            edges.append((bridge, line_qubit(gap + 1, pos)))
            positions[bridge] = (float(pos), float(2 * gap + 1))
            bridge += 1
    assert bridge == num_data + num_bridges
    return _make(
        f"heavy-hex:{d}",
        edges,
        total,
        two_qubit_gate,
        f"distance-{d} heavy-hex lattice, {total} qubits (Qiskit CouplingMap.from_heavy_hex)",
        positions,
    )


_HHR_OFFSETS = (3, 1)  # bridge columns mod 4 below even / odd lines (IBM Heron r2)


def _hhr_bridge_columns(cols: int, gap: int) -> range:
    return range(_HHR_OFFSETS[gap % 2], cols, 4)


def heavy_hex_rows_num_qubits(rows: int, cols: int) -> int:
    """Qubits of :func:`heavy_hex_rows`.

    ``R*C + ceil((R-1)/2) * floor(C/4) + floor((R-1)/2) * floor((C+2)/4)``; e.g. 156 for 8x16.
    """
    gaps = max(0, rows - 1)
    return rows * cols + (gaps + 1) // 2 * (cols // 4) + gaps // 2 * ((cols + 2) // 4)


def heavy_hex_rows(rows: int, cols: int, two_qubit_gate: str = "cz") -> Target:
    """Heavy-hex lattice laid out like IBM's Eagle/Heron chips (spec ``heavy-hex-rows:RxC``).

    ``rows`` horizontal lines of ``cols`` qubits each. Between line ``g`` and line ``g+1``
    a bridge qubit sits at every column ``c`` with ``c % 4 == 3`` (even ``g``) or
    ``c % 4 == 1`` (odd ``g``) and couples column ``c`` of both lines. Qubits are numbered
    in reading order: line 0, then the bridges below it (left to right), then line 1, ...
    ``heavy-hex-rows:8x16`` is exactly the coupling map of IBM Heron r2 (156 qubits, e.g.
    ``ibm_fez``). Qubit count: see :func:`heavy_hex_rows_num_qubits`; maximum degree 3.
    """
    r = _size(rows, "heavy-hex-rows lines", 1, "heavy-hex-rows:8x16")
    c = _size(cols, "heavy-hex-rows columns", 1, "heavy-hex-rows:8x16")
    if r > 1 and c < 4:
        raise TargetError(
            f"heavy-hex-rows needs at least 4 columns when it has several lines (bridges sit "
            f"every 4 columns), got {r}x{c}; use heavy-hex-rows:{r}x4 or line:{c}"
        )
    _gate(two_qubit_gate)
    total = heavy_hex_rows_num_qubits(r, c)
    _check_total(total, f"heavy-hex-rows:{r}x{c}")
    edges: list[tuple[int, int]] = []
    positions: _Positions = {}
    start = 0  # first qubit of the current line
    for row in range(r):
        for col in range(c):
            positions[start + col] = (float(col), float(2 * row))
            if col + 1 < c:
                edges.append((start + col, start + col + 1))
        if row + 1 == r:
            break
        bridge_cols = list(_hhr_bridge_columns(c, row))
        next_start = start + c + len(bridge_cols)
        for k, col in enumerate(bridge_cols):
            b = start + c + k
            positions[b] = (float(col), float(2 * row + 1))
            edges.append((start + col, b))
            edges.append((b, next_start + col))
        start = next_start
    assert start + c == total
    return _make(
        f"heavy-hex-rows:{r}x{c}",
        edges,
        total,
        two_qubit_gate,
        f"heavy-hex lattice of {r} lines of {c} qubits (IBM Eagle/Heron layout), {total} qubits",
        positions,
    )


# --- user graphs -----------------------------------------------------------------------------
def _positions_from_attributes(g: nx.Graph, order: list[Hashable]) -> _Positions | None:
    positions: _Positions = {}
    for i, node in enumerate(order):
        pos: Any = g.nodes[node].get("pos")
        try:
            x, y = pos
            positions[i] = (float(x), float(y))
        except (TypeError, ValueError):
            return None
        if not (math.isfinite(positions[i][0]) and math.isfinite(positions[i][1])):
            return None
    return positions


def from_graph(g: nx.Graph, name: str = "custom", two_qubit_gate: str = "cz") -> Target:
    """A target on a user's undirected simple graph (name ``graph:<name>``).

    Nodes may be any hashable labels; qubit ``i`` is the ``i``-th node in sorted order (in
    insertion order when the labels do not sort), and ``target.node_labels[i]`` is its label
    (``None`` when the nodes already are ``0..m-1``). Node attributes ``pos=(x, y)`` on every
    node become ``target.positions``. The graph is copied; the target does not track later
    changes to ``g``.

    Raises:
        InvalidGraph: ``g`` is not a graph, is directed, a multigraph, empty or has a self-loop.
    """
    if not isinstance(g, nx.Graph):
        raise InvalidGraph(
            f"expected a networkx.Graph, got {type(g).__name__}; build one with "
            "networkx.Graph(edge_list)"
        )
    label = f"graph '{name}'"
    if g.is_directed():
        raise InvalidGraph(
            f"{label} is directed; qclone needs an undirected coupling graph: pass "
            "g.to_undirected() (a coupling allows the gate in both directions)"
        )
    if g.is_multigraph():
        raise InvalidGraph(
            f"{label} is a multigraph; qclone needs a simple graph: pass networkx.Graph(g) to "
            "merge parallel edges"
        )
    if g.number_of_nodes() == 0:
        raise InvalidGraph(f"{label} has no nodes; a target needs at least one qubit")
    for u, _v in nx.selfloop_edges(g):
        raise InvalidGraph(
            f"{label}: node {u!r} has a self-loop; remove it with "
            "g.remove_edges_from(list(networkx.selfloop_edges(g)))"
        )
    if not isinstance(name, str) or not name:
        raise InvalidGraph(f"graph name must be a non-empty string, got {name!r}")
    _gate(two_qubit_gate)
    nodes: list[Hashable] = list(g.nodes)
    try:
        order: list[Hashable] = sorted(nodes)  # type: ignore[type-var]
    except TypeError:
        order = nodes
    index = {node: i for i, node in enumerate(order)}
    m = len(order)
    identity = all(
        isinstance(node, int) and not isinstance(node, bool) and node == i
        for i, node in enumerate(order)
    )
    edges = [(index[u], index[v]) for u, v in g.edges]
    complete = m > 1 and len(edges) == m * (m - 1) // 2
    spec = name if name.startswith("graph:") else f"graph:{name}"
    h = nx.Graph()
    h.add_nodes_from(range(m))
    h.add_edges_from(edges)
    nx.freeze(h)
    return Target(
        name=_spec(spec, two_qubit_gate),
        graph=h,
        two_qubit_gate=two_qubit_gate,
        one_qubit_gates=CLIFFORD_ONE_QUBIT_GATES,
        all_to_all=complete,
        description=f"user graph {name!r}: {m} qubits, {len(edges)} couplings",
        provenance="user graph",
        positions=_positions_from_attributes(g, order),
        node_labels=None if identity else tuple(order),
    )
