"""IBM Heron processors as qclone targets, built from qiskit-ibm-runtime's fake backends.

Every figure comes from the snapshot shipped inside ``qiskit_ibm_runtime.fake_provider``
(``Fake<Name>()``, a ``BackendV2``; no network, nothing typed by hand):

* coupling graph: the two-qubit ``cz`` entries of ``backend.target`` (directed there in both
  directions; qclone's graph is undirected), on the backend's own qubit indices ``0..m-1``;
* native gates: ``cz`` plus the single-qubit ``rz``, ``sx``, ``x`` of ``backend.target``;
* durations and errors: ``backend.target[gate][qargs]`` (``InstructionProperties``), per qubit
  (``sx``, ``x``, ``measure``) and per coupling (``cz``); medians are derived from those maps;
* T1 and T2: ``backend.target.qubit_properties``;
* the snapshot date: ``backend.properties().last_update_date``.

Spec strings: ``ibm:fez``, ``ibm:marrakesh``, ``ibm:kingston`` (Heron r2, 156 qubits) and
``ibm:torino`` (Heron r1, 133). ``two_qubit_gate`` is ``"cz"``; :mod:`qclone.lower.qiskit`
lowers a compiled program to the backend's basis (cz, rz, sx, x) with Qiskit's own passes.

qiskit-ibm-runtime (the ``ibm`` extra) is imported only when a target is built: the import
takes 1-2 s.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import networkx as nx

from qclone.errors import MissingExtraError, TargetError, UnknownTargetError
from qclone.targets.base import (
    CalibrationMedians,
    Target,
    check_figures,
    freeze_mappings,
    median,
)
from qclone.targets.registry import TargetFamily

__all__ = [
    "BASIS_GATES",
    "DEVICES",
    "FAMILY",
    "IBMTarget",
    "fake_backend",
    "heavy_hex_positions",
    "ibm_target",
]

#: qclone device name -> (fake backend class in ``qiskit_ibm_runtime.fake_provider``, processor).
DEVICES: dict[str, tuple[str, str]] = {
    "fez": ("FakeFez", "Heron r2"),
    "marrakesh": ("FakeMarrakesh", "Heron r2"),
    "kingston": ("FakeKingston", "Heron r2"),
    "torino": ("FakeTorino", "Heron r1"),
}

#: The Heron basis the lowering targets (``backend.target`` operation names).
BASIS_GATES: tuple[str, ...] = ("cz", "rz", "sx", "x")

_INSTALL = "pip install -e '.[ibm]'"


@dataclass(frozen=True, eq=False)
class IBMTarget(Target, CalibrationMedians):
    """A :class:`~qclone.targets.Target` for an IBM Heron backend, with its calibration maps.

    Extra attributes (all read from the fake backend, see the module docstring):
        backend_name: the backend's name (``"fake_fez"``).
        backend_class: the fake backend's class in ``qiskit_ibm_runtime.fake_provider``.
        processor: ``"Heron r1"`` or ``"Heron r2"``.
        basis_gates: the native gates the lowering uses (``cz, rz, sx, x``).
        snapshot_date: ``properties().last_update_date`` of the snapshot (ISO text) or None.
        gate_durations_ns: median duration of each basis gate and ``measure``, in ns.
        one_qubit_error: per-qubit ``sx`` error.
        two_qubit_error: per-coupling ``cz`` error, keyed by sorted pairs (the larger of the two
            directions when they differ).
        two_qubit_duration: per-coupling ``cz`` duration in ns.
        readout_error: per-qubit ``measure`` error.
        t1_us, t2_us: per-qubit T1 and T2 in microseconds.
    """

    backend_name: str = ""
    backend_class: str = ""
    processor: str = ""
    basis_gates: tuple[str, ...] = BASIS_GATES
    snapshot_date: str | None = None
    gate_durations_ns: Mapping[str, float] = field(default_factory=dict)
    one_qubit_error: Mapping[int, float] = field(default_factory=dict)
    two_qubit_error: Mapping[tuple[int, int], float] = field(default_factory=dict)
    two_qubit_duration: Mapping[tuple[int, int], float] = field(default_factory=dict)
    readout_error: Mapping[int, float] = field(default_factory=dict)
    t1_us: Mapping[int, float] = field(default_factory=dict)
    t2_us: Mapping[int, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        freeze_mappings(
            self,
            "gate_durations_ns",
            "one_qubit_error",
            "two_qubit_error",
            "two_qubit_duration",
            "readout_error",
            "t1_us",
            "t2_us",
        )
        super().__post_init__()
        where = f"target {self.name}"
        for figure in ("one_qubit_error", "two_qubit_error", "readout_error"):
            check_figures(where, figure, getattr(self, figure), "error")
        for figure in ("gate_durations_ns", "two_qubit_duration"):
            check_figures(where, figure, getattr(self, figure), "time")
        for figure in ("t1_us", "t2_us"):
            check_figures(where, figure, getattr(self, figure), "coherence")
        for a, b in self.two_qubit_error:
            if not self.is_adjacent(a, b):
                raise TargetError(f"target {self.name}: error figure for ({a}, {b}), no coupling")

    @property
    def median_t2_us(self) -> float | None:
        return median(self.t2_us.values())

    @property
    def faulty_couplings(self) -> tuple[tuple[int, int], ...]:
        """Couplings whose ``cz`` error in the snapshot is 1 (reported dead by the vendor).
        They stay in the graph (as in ``backend.target``); qclone's layouts avoid them
        (:meth:`usable`)."""
        return tuple(sorted(e for e, err in self.two_qubit_error.items() if err >= 1.0))

    @property
    def faulty_qubits(self) -> tuple[int, ...]:
        """Qubits whose ``sx`` or readout error in the snapshot is 0.5 or more (no better than a
        coin flip); layouts leave them out."""
        bad = {q for q, e in self.one_qubit_error.items() if e >= 0.5}
        bad |= {q for q, e in self.readout_error.items() if e >= 0.5}
        return tuple(sorted(bad))

    def usable(self) -> Target:
        """This device without its faulty couplings and qubits (cached): what qclone's layouts
        use, so no compiled circuit relies on a coupling the snapshot reports as dead."""
        cached = self._derived.get("usable")
        if cached is None:
            cached = self.without(self.faulty_couplings, self.faulty_qubits)
            self._derived["usable"] = cached
        result: Target = cached
        return result

    @property
    def two_qubit_duration_ns(self) -> float | None:
        return self.gate_durations_ns.get("cz")

    @property
    def one_qubit_duration_ns(self) -> float | None:
        return self.gate_durations_ns.get("sx")

    def backend(self) -> Any:
        """The ``qiskit_ibm_runtime.fake_provider`` backend (cached per device)."""
        return fake_backend(self.name.partition(":")[2])

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out.update(
            backend_name=self.backend_name,
            processor=self.processor,
            basis_gates=list(self.basis_gates),
            snapshot_date=self.snapshot_date,
            two_qubit_duration_ns=self.two_qubit_duration_ns,
            one_qubit_duration_ns=self.one_qubit_duration_ns,
            median_one_qubit_error=self.median_one_qubit_error,
            median_two_qubit_error=self.median_two_qubit_error,
            median_readout_error=self.median_readout_error,
            median_t1_us=self.median_t1_us,
            median_t2_us=self.median_t2_us,
        )
        return out

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # rebuilt from the fake backend (the mapping proxies do not pickle)
        return (ibm_target, (self.name.partition(":")[2],))

    def __repr__(self) -> str:
        return (
            f"IBMTarget({self.name!r}, {self.num_qubits} qubits, {self.num_edges} couplings, "
            f"{self.backend_name}, {self.processor})"
        )


def _fake_provider() -> Any:
    """``qiskit_ibm_runtime.fake_provider``, or :class:`MissingExtraError` naming the extra."""
    try:
        # importlib keeps mypy away from the untyped package (an optional extra)
        fake_provider = importlib.import_module("qiskit_ibm_runtime.fake_provider")
    except ImportError as exc:
        raise MissingExtraError(
            "IBM targets need qiskit-ibm-runtime (its fake backends carry the device data): "
            f"{_INSTALL}"
        ) from exc
    return fake_provider


def _device_key(device: str) -> str:
    if not isinstance(device, str):
        raise TargetError(f"an IBM device name must be a string, got {device!r}")
    key = device.strip().lower()
    key = key.removeprefix("ibm_").removeprefix("fake_").removeprefix("fake")
    if key not in DEVICES:
        raise UnknownTargetError(
            f"unknown IBM device {device!r}; qclone knows "
            + ", ".join(f"ibm:{d} ({DEVICES[d][0]}, {DEVICES[d][1]})" for d in DEVICES)
            + " (qiskit-ibm-runtime's offline fake backends)"
        )
    return key


def fake_backend(device: str) -> Any:
    """The fake backend of an IBM device (``"fez"``, ...), cached.

    Raises:
        MissingExtraError: qiskit-ibm-runtime is not installed.
        UnknownTargetError: an unknown device (the message lists the devices).
    """
    key = _device_key(device)
    _fake_provider()
    return _cached_backend(key)


@cache
def _cached_backend(key: str) -> Any:
    return getattr(_fake_provider(), DEVICES[key][0])()


def heavy_hex_positions(graph: nx.Graph) -> dict[int, tuple[float, float]] | None:
    """Coordinates of an IBM heavy-hex lattice numbered row by row (as Eagle and Heron are).

    Rows are the maximal runs ``i, i+1, ...`` of consecutive indices joined by couplings; the
    qubits between runs (bridges) sit on the odd rows, under the row qubit they couple to
    above. Returns ``None`` when the numbering does not follow that pattern.
    """
    m = graph.number_of_nodes()
    if m == 0 or set(graph.nodes) != set(range(m)):
        return None
    runs: list[list[int]] = []
    current = [0]
    for q in range(1, m):
        if graph.has_edge(q - 1, q):
            current.append(q)
        else:
            runs.append(current)
            current = [q]
    runs.append(current)
    pos: dict[int, tuple[float, float]] = {}
    row = -1
    pending: list[int] = []  # bridge qubits waiting for the row below
    for run in runs:
        if len(run) == 1 and row >= 0:
            pending.append(run[0])
            continue
        if len(run) == 1:
            return None
        row += 1
        y = 2.0 * row
        offset = 0.0
        if pending:
            # align the row so its bridge neighbours sit straight under their upper partners
            shifts = set()
            for b in pending:
                up = [v for v in graph.adj[b] if v in pos]
                down = [v for v in graph.adj[b] if v in run]
                if len(up) != 1 or len(down) != 1:
                    return None
                pos[b] = (pos[up[0]][0], y - 1.0)
                shifts.add(pos[up[0]][0] - run.index(down[0]))
            if len(shifts) != 1:
                return None
            offset = shifts.pop()
            pending = []
        for i, q in enumerate(run):
            pos[q] = (offset + i, y)
    for b in pending:  # dangling qubits below the last row (Heron r1)
        up = [v for v in graph.adj[b] if v in pos]
        if len(up) != 1:
            return None
        pos[b] = (pos[up[0]][0], 2.0 * row + 1.0)
    if len(pos) != m:
        return None
    return pos


def ibm_target(device: str) -> IBMTarget:
    """The target of an IBM Heron device: ``"fez"``, ``"marrakesh"``, ``"kingston"``,
    ``"torino"`` (also ``"ibm_fez"``, ``"FakeFez"``).

    Raises:
        MissingExtraError: qiskit-ibm-runtime is not installed (``pip install -e '.[ibm]'``).
        UnknownTargetError: an unknown device (the message lists the devices).

    Examples:
        >>> t = ibm_target("fez")  # doctest: +SKIP
        >>> t.num_qubits, t.num_edges, t.processor  # doctest: +SKIP
        (156, 176, 'Heron r2')
    """
    key = _device_key(device)
    _fake_provider()
    return _build(key)


@cache
def _build(key: str) -> IBMTarget:
    runtime = importlib.import_module("qiskit_ibm_runtime")
    cls_name, processor = DEVICES[key]
    backend = _cached_backend(key)
    tgt = backend.target
    m = int(backend.num_qubits)
    graph = nx.Graph()
    graph.add_nodes_from(range(m))
    two_q: dict[tuple[int, int], float] = {}
    two_q_dur: dict[tuple[int, int], float] = {}
    for qargs, props in tgt["cz"].items():
        if qargs is None or len(qargs) != 2:
            continue
        a, b = sorted(int(q) for q in qargs)
        graph.add_edge(a, b)
        if props is not None and props.error is not None:
            two_q[(a, b)] = max(two_q.get((a, b), 0.0), float(props.error))
        if props is not None and props.duration is not None:
            two_q_dur[(a, b)] = max(two_q_dur.get((a, b), 0.0), float(props.duration) * 1e9)

    def per_qubit(gate: str, what: str) -> dict[int, float]:
        out: dict[int, float] = {}
        if gate not in tgt.operation_names:
            return out
        for qargs, props in tgt[gate].items():
            if qargs is None or len(qargs) != 1 or props is None:
                continue
            value = getattr(props, what)
            if value is not None:
                out[int(qargs[0])] = float(value) * (1e9 if what == "duration" else 1.0)
        return out

    durations: dict[str, float] = {}
    for gate in (*BASIS_GATES, "measure"):
        values = list(two_q_dur.values()) if gate == "cz" else per_qubit(gate, "duration").values()
        med = median(values)
        if med is not None:
            durations[gate] = med
    t1: dict[int, float] = {}
    t2: dict[int, float] = {}
    for q, qp in enumerate(tgt.qubit_properties or ()):
        if qp is None:
            continue
        if qp.t1 is not None:
            t1[q] = float(qp.t1) * 1e6
        if qp.t2 is not None:
            t2[q] = float(qp.t2) * 1e6
    date: str | None = None
    try:
        props_obj = backend.properties()
        stamp = getattr(props_obj, "last_update_date", None)
        if stamp is not None:
            date = str(stamp.isoformat() if hasattr(stamp, "isoformat") else stamp)
    except Exception:  # pragma: no cover - every shipped snapshot has properties
        date = None
    version = getattr(runtime, "__version__", "?")
    provenance = (
        f"qiskit-ibm-runtime {version} offline snapshot "
        f"qiskit_ibm_runtime.fake_provider.{cls_name}() ({backend.name}, "
        f"{getattr(backend, 'conf_filename', '?')} + {getattr(backend, 'props_filename', '?')}, "
        f"snapshot dated {date or 'unknown'}): coupling graph from backend.target['cz'], "
        "durations and errors from backend.target[gate][qargs] (cz per coupling; sx, x, measure "
        "per qubit), T1/T2 from backend.target.qubit_properties"
    )
    return IBMTarget(
        name=f"ibm:{key}",
        graph=nx.freeze(graph),
        two_qubit_gate="cz",
        one_qubit_gates=("rz", "sx", "x"),
        all_to_all=False,
        description=(
            f"IBM {key.capitalize()} ({processor}): {m} qubits, {graph.number_of_edges()} "
            "couplings, heavy-hex lattice, CZ"
        ),
        provenance=provenance,
        positions=heavy_hex_positions(graph),
        backend_name=str(backend.name),
        backend_class=cls_name,
        processor=processor,
        snapshot_date=date,
        gate_durations_ns=durations,
        one_qubit_error=per_qubit("sx", "error"),
        two_qubit_error=two_q,
        two_qubit_duration=two_q_dur,
        readout_error=per_qubit("measure", "error"),
        t1_us=t1,
        t2_us=t2,
    )


def _factory(arguments: str) -> Target:
    body, at, gate = arguments.partition("@")
    if at and gate.strip().lower() != "cz":
        raise TargetError(
            f"ibm:{arguments}: IBM Heron targets are CZ-native and take no other gate suffix; "
            "use e.g. ibm:fez"
        )
    if not body.strip():
        raise UnknownTargetError(
            "target 'ibm' needs a device name; known devices: "
            + ", ".join(f"ibm:{d}" for d in DEVICES)
        )
    return ibm_target(body)


FAMILY = TargetFamily(
    prefix="ibm",
    factory=_factory,
    summary="IBM Heron processors (heavy-hex, CZ): fez, marrakesh, kingston (r2, 156 q), "
    "torino (r1, 133 q) from qiskit-ibm-runtime's fake backends",
    example="ibm:fez",
)
