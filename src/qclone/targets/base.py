"""The :class:`Target` record: a coupling graph plus the native gate set of a device.

A target's graph is undirected and simple, and its nodes are the integers ``0..m-1`` (the
physical qubits). Treat the graph as read-only: the factories in :mod:`qclone.targets`
freeze it, and :class:`Target` caches adjacency and distances computed from it.
"""

from __future__ import annotations

import math
import statistics
from collections import OrderedDict, deque
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt

from qclone.errors import DisconnectedTarget, InvalidTargetData, TargetError, TargetTooSmall

__all__ = [
    "CLIFFORD_ONE_QUBIT_GATES",
    "FIGURE_KINDS",
    "TWO_QUBIT_GATES",
    "CalibrationMedians",
    "Target",
    "check_figures",
    "freeze_mappings",
    "median",
]

#: Native entangling gates a target may declare.
TWO_QUBIT_GATES: tuple[str, ...] = ("cz", "cx")

#: The single-qubit gates of every generic target: all the Clifford gate names qclone emits
#: (each is a single stim gate) plus ``rz`` for arbitrary phases. Generic targets are abstract
#: machines, so they accept the full set; vendor targets narrow it to their hardware basis
#: (e.g. IBM Heron: ``("rz", "sx", "x")``).
CLIFFORD_ONE_QUBIT_GATES: tuple[str, ...] = (
    "h",
    "s",
    "sdg",
    "x",
    "y",
    "z",
    "sx",
    "sxdg",
    "rz",
)

#: Memory budget of the per-target cache of BFS distance rows (least recently used rows are
#: dropped beyond it): a 5k-qubit target keeps every row, a 20k-qubit target about 1.6k rows.
_ROW_CACHE_BYTES = 128 * 2**20

_DistRow = npt.NDArray[np.int32]


@dataclass(frozen=True, eq=False)
class Target:
    """A compilation target: coupling graph, native gates and metadata.

    Attributes:
        name: canonical spec string, e.g. ``"grid:10x10"``; ``get_target(name)`` rebuilds
            the target for every registered family (``"graph:<label>"`` for user graphs).
        graph: undirected simple coupling graph on the nodes ``0..m-1``; do not mutate it.
        two_qubit_gate: native entangling gate, ``"cz"`` or ``"cx"``.
        one_qubit_gates: native single-qubit gate names.
        all_to_all: every pair of distinct qubits is coupled (the graph is complete).
        description: one line for humans.
        provenance: where the figures come from (``"generated"`` for generic targets).
        positions: 2D coordinates per qubit (x to the right, y downwards), or ``None``.
        node_labels: for targets built from a user graph, ``node_labels[i]`` is the user's
            label of qubit ``i``; ``None`` when the qubits are the user's labels.

    Equality is identity (``eq=False``); compare ``name`` to compare specs.
    """

    name: str
    graph: nx.Graph
    two_qubit_gate: str
    one_qubit_gates: tuple[str, ...]
    all_to_all: bool
    description: str
    provenance: str
    positions: Mapping[int, tuple[float, float]] | None = None
    node_labels: tuple[Hashable, ...] | None = None

    _adjacency: tuple[frozenset[int], ...] = field(
        init=False, repr=False, compare=False, default=()
    )
    _rows: OrderedDict[int, _DistRow] = field(
        init=False, repr=False, compare=False, default_factory=OrderedDict
    )
    _derived: dict[str, Any] = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        if self.positions is not None and not isinstance(self.positions, MappingProxyType):
            object.__setattr__(self, "positions", MappingProxyType(dict(self.positions)))
        self.validate()
        m = self.graph.number_of_nodes()
        adjacency = [frozenset(int(v) for v in self.graph.adj[u]) for u in range(m)]
        object.__setattr__(self, "_adjacency", tuple(adjacency))

    # --- basic queries -------------------------------------------------------------------
    @property
    def num_qubits(self) -> int:
        """Number of physical qubits ``m``."""
        return len(self._adjacency)

    @property
    def num_edges(self) -> int:
        """Number of couplings (undirected edges)."""
        return int(self.graph.number_of_edges())

    @property
    def edges(self) -> tuple[tuple[int, int], ...]:
        """All couplings as sorted pairs ``(a, b)`` with ``a < b``, in sorted order."""
        cached = self._derived.get("edges")
        if cached is None:
            cached = tuple(
                sorted((min(int(a), int(b)), max(int(a), int(b))) for a, b in self.graph.edges)
            )
            self._derived["edges"] = cached
        result: tuple[tuple[int, int], ...] = cached
        return result

    def neighbors(self, q: int) -> frozenset[int]:
        """The qubits coupled to ``q``."""
        self._check_qubit(q)
        return self._adjacency[q]

    def is_adjacent(self, a: int, b: int) -> bool:
        """Whether a native two-qubit gate can act on ``a`` and ``b`` (O(1))."""
        self._check_qubit(a)
        self._check_qubit(b)
        if self.all_to_all:
            return a != b
        return b in self._adjacency[a]

    # --- distances -------------------------------------------------------------------------
    def distance_row(self, a: int) -> _DistRow:
        """Read-only array of shortest-path lengths from ``a`` to every qubit (-1: unreachable).

        Rows are computed by BFS on demand and cached (least recently used rows are dropped
        past a fixed memory budget), so large targets never build an all-pairs matrix.
        """
        self._check_qubit(a)
        row = self._rows.get(a)
        if row is not None:
            self._rows.move_to_end(a)
            return row
        m = self.num_qubits
        if self.all_to_all:
            row = np.ones(m, dtype=np.int32)
            row[a] = 0
        else:
            row = np.full(m, -1, dtype=np.int32)
            row[a] = 0
            adjacency = self._adjacency
            queue: deque[int] = deque([a])
            while queue:
                u = queue.popleft()
                du = int(row[u]) + 1
                for v in adjacency[u]:
                    if row[v] < 0:
                        row[v] = du
                        queue.append(v)
        row.setflags(write=False)
        self._rows[a] = row
        limit = max(2, _ROW_CACHE_BYTES // max(1, row.nbytes))
        while len(self._rows) > limit:
            self._rows.popitem(last=False)
        return row

    def distance(self, a: int, b: int) -> int:
        """Shortest-path length (number of couplings) between ``a`` and ``b``.

        Raises:
            DisconnectedTarget: no path joins ``a`` and ``b``.
        """
        self._check_qubit(a)
        self._check_qubit(b)
        if a == b:
            return 0
        if self.all_to_all:
            return 1
        row = self._rows.get(b)
        d = int(row[a]) if row is not None else int(self.distance_row(a)[b])
        if d < 0:
            raise DisconnectedTarget(
                f"qubits {a} and {b} of target {self.name} lie in different connected "
                "components; no sequence of couplings joins them"
            )
        return d

    def shortest_path(self, a: int, b: int) -> list[int]:
        """A shortest path ``[a, ..., b]``; ties break towards the smallest qubit index.

        Raises:
            DisconnectedTarget: no path joins ``a`` and ``b``.
        """
        length = self.distance(a, b)
        if a == b:
            return [a]
        if self.all_to_all:
            return [a, b]
        to_b = self.distance_row(b)
        path = [a]
        current = a
        for remaining in range(length - 1, -1, -1):
            current = min(v for v in self._adjacency[current] if to_b[v] == remaining)
            path.append(current)
        return path

    # --- size checks -----------------------------------------------------------------------
    def connected_components(self) -> tuple[frozenset[int], ...]:
        """The connected components, largest first (ties: smallest qubit first)."""
        cached = self._derived.get("components")
        if cached is None:
            comps = [frozenset(int(v) for v in c) for c in nx.connected_components(self.graph)]
            comps.sort(key=lambda c: (-len(c), min(c)))
            cached = tuple(comps)
            self._derived["components"] = cached
        result: tuple[frozenset[int], ...] = cached
        return result

    def usable(self) -> Target:
        """The target a layout should use: this one, or (for targets whose calibration marks
        couplings or qubits as dead) a copy without them, on the same qubit labels.

        Circuits laid out on ``usable()`` run on this target unchanged: its graph is a
        subgraph of this one's.
        """
        return self

    def without(self, couplings: Iterable[tuple[int, int]], qubits: Iterable[int] = ()) -> Target:
        """A plain :class:`Target` with the same qubits and gates, minus ``couplings`` and every
        coupling of ``qubits`` (which stay as isolated qubits), named ``<name>~usable``."""
        g = nx.Graph(self.graph)
        g.remove_edges_from(couplings)
        for q in qubits:
            g.remove_edges_from(list(g.edges(q)))
        return Target(
            name=f"{self.name}~usable",
            graph=nx.freeze(g),
            two_qubit_gate=self.two_qubit_gate,
            one_qubit_gates=self.one_qubit_gates,
            all_to_all=False,
            description=f"{self.description} (dead couplings and qubits removed)",
            provenance=self.provenance,
            positions=self.positions,
            node_labels=self.node_labels,
        )

    def require(self, num_qubits: int, what: str) -> None:
        """Check that ``what`` (e.g. ``"program 'clone3'"``) fits on this target.

        Raises:
            TargetTooSmall: the target has fewer than ``num_qubits`` qubits.
            DisconnectedTarget: its largest connected component has fewer than ``num_qubits``.
        """
        if isinstance(num_qubits, bool) or not isinstance(num_qubits, int) or num_qubits < 0:
            raise TargetError(
                f"require() needs a non-negative integer qubit count, got {num_qubits!r}"
            )
        m = self.num_qubits
        if num_qubits > m:
            raise TargetTooSmall(
                f"{what} needs {num_qubits} qubits but target {self.name} has {m}; "
                f"choose a larger target, e.g. {_suggest_target(num_qubits)}"
            )
        if self.all_to_all:
            return
        components = self.connected_components()
        largest = len(components[0])
        if num_qubits > largest:
            raise DisconnectedTarget(
                f"{what} needs {num_qubits} connected qubits but the largest connected "
                f"component of target {self.name} has only {largest} of its {m} qubits "
                f"({len(components)} components); add couplings that join the components or "
                f"choose a connected target, e.g. {_suggest_target(num_qubits)}"
            )

    # --- checks and export -----------------------------------------------------------------
    def validate(self) -> None:
        """Check the invariants of a target; raise :class:`TargetError` naming the failed one."""
        if not isinstance(self.name, str) or not self.name:
            raise TargetError(f"target name must be a non-empty string, got {self.name!r}")
        g = self.graph
        where = f"target {self.name}"
        if not isinstance(g, nx.Graph):
            raise TargetError(f"{where}: graph must be a networkx.Graph, got {type(g).__name__}")
        if g.is_directed():
            raise TargetError(f"{where}: graph is directed; coupling graphs are undirected")
        if g.is_multigraph():
            raise TargetError(f"{where}: graph is a multigraph; coupling graphs are simple")
        m = g.number_of_nodes()
        if m == 0:
            raise TargetError(f"{where}: graph has no qubits")
        bad = [v for v in g.nodes if isinstance(v, bool) or not isinstance(v, int)]
        if bad or set(g.nodes) != set(range(m)):
            shown = bad[:3] if bad else sorted(set(g.nodes) - set(range(m)))[:3]
            raise TargetError(
                f"{where}: qubits must be the integers 0..{m - 1}; found {shown!r} "
                "(use qclone.targets.from_graph to relabel an arbitrary graph)"
            )
        loops = [u for u, v in nx.selfloop_edges(g)]
        if loops:
            raise TargetError(f"{where}: qubit {loops[0]} has a self-loop")
        if self.two_qubit_gate not in TWO_QUBIT_GATES:
            raise TargetError(
                f"{where}: two_qubit_gate must be one of {', '.join(TWO_QUBIT_GATES)}; "
                f"got {self.two_qubit_gate!r}"
            )
        gates = self.one_qubit_gates
        if (
            not isinstance(gates, tuple)
            or not gates
            or not all(isinstance(x, str) and x for x in gates)
        ):
            raise TargetError(
                f"{where}: one_qubit_gates must be a non-empty tuple of gate names, got {gates!r}"
            )
        if self.all_to_all and g.number_of_edges() != m * (m - 1) // 2:
            raise TargetError(
                f"{where}: all_to_all is set but the graph is not complete "
                f"({g.number_of_edges()} of {m * (m - 1) // 2} couplings)"
            )
        if self.positions is not None:
            if set(self.positions) != set(range(m)):
                raise TargetError(f"{where}: positions must give coordinates for every qubit")
            for q, p in self.positions.items():
                if len(p) != 2 or not all(
                    isinstance(c, int | float) and math.isfinite(c) for c in p
                ):
                    raise TargetError(f"{where}: position of qubit {q} is not a finite (x, y)")
        if self.node_labels is not None and (
            len(self.node_labels) != m or len(set(self.node_labels)) != m
        ):
            raise TargetError(f"{where}: node_labels must name each of the {m} qubits once")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able summary of the target."""
        return {
            "name": self.name,
            "num_qubits": self.num_qubits,
            "num_edges": self.num_edges,
            "two_qubit_gate": self.two_qubit_gate,
            "one_qubit_gates": list(self.one_qubit_gates),
            "all_to_all": self.all_to_all,
            "description": self.description,
            "provenance": self.provenance,
        }

    def _check_qubit(self, q: int) -> None:
        if not 0 <= q < len(self._adjacency):
            raise TargetError(
                f"qubit {q!r} is not on target {self.name} (qubits 0..{len(self._adjacency) - 1})"
            )

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Pickle the public fields only (caches are rebuilt; mapping proxies do not pickle).
        positions = None if self.positions is None else dict(self.positions)
        return (
            Target,
            (
                self.name,
                self.graph,
                self.two_qubit_gate,
                self.one_qubit_gates,
                self.all_to_all,
                self.description,
                self.provenance,
                positions,
                self.node_labels,
            ),
        )

    def __repr__(self) -> str:
        return (
            f"Target({self.name!r}, {self.num_qubits} qubits, {self.num_edges} couplings, "
            f"{self.two_qubit_gate})"
        )


def _suggest_target(num_qubits: int) -> str:
    side = max(1, math.isqrt(max(0, num_qubits - 1)) + 1)
    return f"grid:{side}x{side} ({side * side} qubits)"


#: The kinds of calibration figure :func:`check_figures` knows, with the range of each.
FIGURE_KINDS: dict[str, str] = {
    "error": "an error rate, a probability in [0, 1]",
    "time": "a duration, a finite number >= 0",
    "coherence": "a coherence time (T1, T2), a finite number > 0",
}


def check_figures(where: str, name: str, figures: Any, kind: str) -> None:
    """Check calibration figures of one kind: a single number, ``None`` (not given) or a
    mapping ``{qubit or coupling or gate: number}``.

    Raises:
        InvalidTargetData: a figure that is not a number, not finite or out of its range,
            naming the figure, its key and the range (``where`` names the target or file).
    """
    if kind not in FIGURE_KINDS:
        raise ValueError(f"unknown figure kind {kind!r}; use one of {sorted(FIGURE_KINDS)}")
    if figures is None:
        return
    items = figures.items() if isinstance(figures, Mapping) else [(None, figures)]
    for key, value in items:
        label = name if key is None else f"{name}[{key!r}]"
        number = isinstance(value, int | float) and not isinstance(value, bool)
        v = float(value) if number else math.nan
        in_range = {"error": 0.0 <= v <= 1.0, "time": v >= 0.0, "coherence": v > 0.0}[kind]
        if not (math.isfinite(v) and in_range):
            raise InvalidTargetData(
                f"{where}: {label} = {value!r} is not {FIGURE_KINDS[kind]}; correct the figure "
                "in the data it came from, or leave it out (null) if the source does not give it"
            )


def median(values: Iterable[float]) -> float | None:
    """The median of some figures, or None if there are none (vendor calibration maps)."""
    vals = [float(v) for v in values]
    return statistics.median(vals) if vals else None


def freeze_mappings(obj: object, *names: str) -> None:
    """Make the named mapping fields of a frozen dataclass read-only views (no-op for None)."""
    for name in names:
        value = getattr(obj, name)
        if value is not None and not isinstance(value, MappingProxyType):
            object.__setattr__(obj, name, MappingProxyType(dict(value)))


class CalibrationMedians:
    """Median figures of a vendor target whose calibration maps are per qubit or per coupling
    (``one_qubit_error``, ``two_qubit_error``, ``readout_error``, ``t1_us``)."""

    one_qubit_error: Mapping[int, float]
    two_qubit_error: Mapping[tuple[int, int], float]
    readout_error: Mapping[int, float]
    t1_us: Mapping[int, float]

    @property
    def median_one_qubit_error(self) -> float | None:
        """Median over qubits of the single-qubit gate error."""
        return median(self.one_qubit_error.values())

    @property
    def median_two_qubit_error(self) -> float | None:
        """Median over couplings of the two-qubit gate error."""
        return median(self.two_qubit_error.values())

    @property
    def median_readout_error(self) -> float | None:
        return median(self.readout_error.values())

    @property
    def median_t1_us(self) -> float | None:
        return median(self.t1_us.values())
