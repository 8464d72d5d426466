"""Google quantum processors as qclone targets, built from the data shipped inside cirq-google.

Every figure comes from cirq-google's offline virtual-engine data (no network, nothing typed by
hand):

* connectivity, qubit grid coordinates and native gate families:
  ``cirq_google.engine.create_device_from_processor_id(processor)`` (its
  ``device.metadata.nx_graph``, ``qubit_set``, ``gateset``, ``gate_durations`` and
  ``compilation_target_gatesets``), read from cirq-google's
  ``devices/specifications/<processor>_device_spec`` files;
* error figures and T1: ``cirq_google.engine.load_median_device_calibration(processor)``
  (cirq-google's ``engine/calibrations/<processor>`` median calibration files). The metric
  names differ between processors: Rainbow and Weber (Sycamore generation) report
  ``two_qubit_parallel_sqrt_iswap_gate_xeb_pauli_error_per_cycle`` and
  ``two_qubit_parallel_sycamore_gate_xeb_pauli_error_per_cycle`` (no CZ figure), Willow
  (``willow_pink``) reports ``two_qubit_parallel_cz_gate_xeb_pauli_error_per_cycle``. Both
  report ``single_qubit_rb_pauli_error_per_gate``, ``single_qubit_p00_error``,
  ``single_qubit_p11_error`` and ``single_qubit_idle_t1_micros``.

Spec strings: ``google:rainbow`` (23 qubits), ``google:weber`` (53), ``google:willow``
(the ``willow_pink`` processor, 105). An optional ``@cz``, ``@sqrt_iswap`` or ``@syc`` picks
the entangler the Cirq lowering compiles to; by default it is the entangler the device has a
calibration for (sqrt-iSWAP on Rainbow and Weber, CZ on Willow). The qclone pipeline itself
always routes with the neutral ``cz`` gate; :mod:`qclone.lower.cirq` converts to the device's
gates afterwards.

Nothing here imports cirq at module import time: the registry imports :data:`FAMILY` when a
``google:`` spec is looked up, and cirq is imported only when a target is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import networkx as nx

from qclone.errors import TargetError, UnknownTargetError
from qclone.targets.base import CalibrationMedians, Target, check_figures, freeze_mappings
from qclone.targets.registry import TargetFamily

__all__ = [
    "DEVICES",
    "ENTANGLERS",
    "FAMILY",
    "GoogleTarget",
    "cirq_device",
    "google_target",
]

#: qclone device name -> cirq-google processor id.
DEVICES: dict[str, str] = {
    "rainbow": "rainbow",
    "weber": "weber",
    "willow": "willow_pink",
}
_ALIASES: dict[str, str] = {"willow_pink": "willow", "willow-pink": "willow"}

#: Entanglers the lowering can target, in order of preference, with the calibration metric
#: that measures each one and the cirq target gateset class that compiles to it.
ENTANGLERS: dict[str, tuple[str, str]] = {
    "cz": ("two_qubit_parallel_cz_gate_xeb_pauli_error_per_cycle", "GoogleCZTargetGateset"),
    "sqrt_iswap": (
        "two_qubit_parallel_sqrt_iswap_gate_xeb_pauli_error_per_cycle",
        "SqrtIswapTargetGateset",
    ),
    "syc": (
        "two_qubit_parallel_sycamore_gate_xeb_pauli_error_per_cycle",
        "SycamoreTargetGateset",
    ),
}
#: The gate (as cirq prints it) each entangler runs on, to read its duration.
_ENTANGLER_GATE = {"cz": "CZ", "sqrt_iswap": "ISWAP**0.5", "syc": "SYC"}

_ONE_QUBIT_ERROR = "single_qubit_rb_pauli_error_per_gate"
_READOUT_ERRORS = ("single_qubit_p00_error", "single_qubit_p11_error")
_T1 = "single_qubit_idle_t1_micros"

#: cirq single-qubit gate classes -> qclone's short name for them.
_ONE_QUBIT_TYPES: dict[str, str] = {
    "PhasedXZGate": "phased_xz",
    "PhasedXPowGate": "phased_x",
    "XPowGate": "x_pow",
    "YPowGate": "y_pow",
    "ZPowGate": "z_pow",
    "HPowGate": "h_pow",
    "SingleQubitCliffordGate": "clifford",
}

_SOURCE = "cirq-google {version} offline data"


@dataclass(frozen=True, eq=False)
class GoogleTarget(Target, CalibrationMedians):
    """A :class:`~qclone.targets.Target` for a Google processor, with its calibration medians.

    Extra attributes (all read from cirq-google, see the module docstring):
        processor_id: cirq-google's processor id (``"willow_pink"`` for ``google:willow``).
        entangler: the native two-qubit gate the Cirq lowering compiles to
            (``"cz"``, ``"sqrt_iswap"`` or ``"syc"``).
        gate_durations_ns: duration of each gate family the device declares, in ns, keyed by
            the family's gate (``"CZ"``, ``"ISWAP**0.5"``, ``"PhasedXZGate"``, ...).
        one_qubit_error: per-qubit single-qubit RB Pauli error per gate.
        two_qubit_error: per-coupling XEB Pauli error per cycle of the entangler, keyed by
            sorted qubit pairs (couplings without a figure are absent).
        readout_error: per-qubit mean of the p00 and p11 readout errors.
        t1_us: per-qubit idle T1 in microseconds.
        error_metrics: which calibration metric each of the figures above came from.
        gate_families: the device gateset's families, as cirq prints their gates.
    """

    processor_id: str = ""
    entangler: str = "cz"
    gate_durations_ns: Mapping[str, float] = field(default_factory=dict)
    one_qubit_error: Mapping[int, float] = field(default_factory=dict)
    two_qubit_error: Mapping[tuple[int, int], float] = field(default_factory=dict)
    readout_error: Mapping[int, float] = field(default_factory=dict)
    t1_us: Mapping[int, float] = field(default_factory=dict)
    error_metrics: Mapping[str, str] = field(default_factory=dict)
    gate_families: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        freeze_mappings(
            self,
            "gate_durations_ns",
            "one_qubit_error",
            "two_qubit_error",
            "readout_error",
            "t1_us",
            "error_metrics",
        )
        super().__post_init__()
        if self.entangler not in ENTANGLERS:
            raise TargetError(
                f"target {self.name}: entangler must be one of {', '.join(ENTANGLERS)}, "
                f"got {self.entangler!r}"
            )
        where = f"target {self.name}"
        for figure in ("one_qubit_error", "two_qubit_error", "readout_error"):
            check_figures(where, figure, getattr(self, figure), "error")
        check_figures(where, "t1_us", self.t1_us, "coherence")
        check_figures(where, "gate_durations_ns", self.gate_durations_ns, "time")
        m = self.num_qubits
        for q in self.one_qubit_error:
            self._check_qubit(q)
        for a, b in self.two_qubit_error:
            if not (0 <= a < m and 0 <= b < m) or not self.is_adjacent(a, b):
                raise TargetError(f"target {self.name}: error figure for ({a}, {b}), no coupling")

    @property
    def two_qubit_duration_ns(self) -> float | None:
        return self.gate_durations_ns.get(_ENTANGLER_GATE[self.entangler])

    @property
    def one_qubit_duration_ns(self) -> float | None:
        return self.gate_durations_ns.get("PhasedXZGate")

    # --- cirq objects -----------------------------------------------------------------------
    def device(self) -> Any:
        """The ``cirq_google.GridDevice`` (cached per processor)."""
        return cirq_device(self.processor_id)

    def grid_qubits(self) -> list[Any]:
        """``cirq.GridQubit`` of each qubit index, in index order."""
        assert self.node_labels is not None
        return list(self.node_labels)

    def compilation_gateset(self) -> Any:
        """The cirq target gateset the lowering compiles to for :attr:`entangler`.

        ``cz`` and ``syc``: the device's own declared ``GoogleCZTargetGateset`` /
        ``SycamoreTargetGateset``. ``sqrt_iswap``: a plain ``cirq.SqrtIswapTargetGateset()``,
        because the one Rainbow and Weber declare lists CZ among its additional gates and so
        would keep qclone's CZs unchanged (and those devices carry no CZ calibration: their
        declared CZ duration is 0).
        """
        import cirq

        if self.entangler == "sqrt_iswap":
            return cirq.SqrtIswapTargetGateset()
        wanted = ENTANGLERS[self.entangler][1]
        for gs in self.device().metadata.compilation_target_gatesets:
            if type(gs).__name__ == wanted:
                return gs
        raise TargetError(  # pragma: no cover - checked when the target is built
            f"device {self.processor_id} declares no {wanted}"
        )

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out.update(
            processor_id=self.processor_id,
            entangler=self.entangler,
            two_qubit_duration_ns=self.two_qubit_duration_ns,
            one_qubit_duration_ns=self.one_qubit_duration_ns,
            median_one_qubit_error=self.median_one_qubit_error,
            median_two_qubit_error=self.median_two_qubit_error,
            median_readout_error=self.median_readout_error,
            median_t1_us=self.median_t1_us,
            error_metrics=dict(self.error_metrics),
        )
        return out

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # rebuilt from cirq-google's data (the mapping proxies do not pickle)
        return (_rebuild, (self.name,))

    def __repr__(self) -> str:
        return (
            f"GoogleTarget({self.name!r}, {self.num_qubits} qubits, {self.num_edges} couplings, "
            f"{self.processor_id}, lowered to {self.entangler})"
        )


def _rebuild(name: str) -> GoogleTarget:
    return _factory(name.partition(":")[2])


@cache
def cirq_device(processor_id: str) -> Any:
    """``cirq_google.engine.create_device_from_processor_id(processor_id)``, cached."""
    from cirq_google import engine

    return engine.create_device_from_processor_id(processor_id)


@cache
def _calibration(processor_id: str) -> Any:
    from cirq_google import engine

    return engine.load_median_device_calibration(processor_id)


def _family_name(family: Any) -> str:
    gate = family.gate
    name = gate.__name__ if isinstance(gate, type) else str(gate)
    tags: frozenset[Any] = getattr(family, "tags_to_accept", frozenset())
    if tags:
        name += "[" + ",".join(sorted(type(t).__name__ for t in tags)) + "]"
    return str(name)


def google_target(device: str, entangler: str | None = None) -> GoogleTarget:
    """The target for a Google device: ``"rainbow"``, ``"weber"`` or ``"willow"``.

    Raises:
        UnknownTargetError: an unknown device name (the message lists the devices).
        TargetError: an entangler the device does not offer or has no calibration for.

    Examples:
        >>> t = google_target("rainbow")  # doctest: +SKIP
        >>> t.num_qubits, t.num_edges, t.entangler  # doctest: +SKIP
        (23, 32, 'sqrt_iswap')
    """
    key = device.strip().lower()
    key = _ALIASES.get(key, key)
    if key not in DEVICES:
        raise UnknownTargetError(
            f"unknown Google device {device!r}; qclone knows "
            + ", ".join(f"google:{d} ({DEVICES[d]})" for d in DEVICES)
            + " (cirq-google's offline virtual processors)"
        )
    processor = DEVICES[key]
    import cirq_google

    dev = cirq_device(processor)
    cal = _calibration(processor)
    md = dev.metadata
    declared = {type(gs).__name__ for gs in md.compilation_target_gatesets}
    usable = [e for e, (metric, gs) in ENTANGLERS.items() if gs in declared and metric in cal]
    if not usable:  # pragma: no cover - every shipped device has one
        raise TargetError(f"device {processor} has no calibrated entangler qclone can use")
    default = usable[0]
    if entangler is None:
        entangler = default
    entangler = entangler.strip().lower()
    if entangler not in ENTANGLERS:
        raise TargetError(
            f"unknown entangler '@{entangler}' for google:{key}; use "
            + ", ".join(f"@{e}" for e in ENTANGLERS)
        )
    if ENTANGLERS[entangler][1] not in declared:
        raise TargetError(
            f"google:{key} ({processor}) declares no {ENTANGLERS[entangler][1]}; "
            f"its compilation gatesets are {sorted(declared)}"
        )

    qubits = sorted(md.qubit_set)
    index = {q: i for i, q in enumerate(qubits)}
    graph = nx.Graph()
    graph.add_nodes_from(range(len(qubits)))
    graph.add_edges_from((index[a], index[b]) for a, b in md.nx_graph.edges)
    positions = {i: (float(q.col), float(q.row)) for i, q in enumerate(qubits)}

    def per_qubit(metric: str) -> dict[int, float]:
        if metric not in cal:
            return {}
        return {index[k[0]]: float(v[0]) for k, v in cal[metric].items() if k[0] in index}

    metric_2q = ENTANGLERS[entangler][0]
    two_q: dict[tuple[int, int], float] = {}
    for k, v in cal[metric_2q].items() if metric_2q in cal else ():
        a, b = index[k[0]], index[k[1]]
        if graph.has_edge(a, b):
            two_q[(min(a, b), max(a, b))] = float(v[0])
    p00, p11 = (per_qubit(m) for m in _READOUT_ERRORS)
    readout = {q: (p00[q] + p11[q]) / 2 for q in p00 if q in p11}

    durations: dict[str, float] = {}
    for fam, dur in (md.gate_durations or {}).items():
        durations.setdefault(_family_name(fam), float(dur.total_nanos()))
    families = tuple(dict.fromkeys(_family_name(f) for f in md.gateset.gates))
    one_q = tuple(
        dict.fromkeys(
            _ONE_QUBIT_TYPES[f.gate.__name__]
            for f in md.gateset.gates
            if isinstance(f.gate, type) and f.gate.__name__ in _ONE_QUBIT_TYPES
        )
    )
    source = _SOURCE.format(version=cirq_google.__version__)
    name = f"google:{key}" + ("" if entangler == default else f"@{entangler}")
    provenance = (
        f"{source}: coupling graph, grid coordinates and gate families from "
        f"cirq_google.engine.create_device_from_processor_id({processor!r}).metadata "
        f"(nx_graph, qubit_set, gateset, gate_durations, compilation_target_gatesets; "
        f"cirq_google/devices/specifications/{processor}_device_spec); errors and T1 from "
        f"cirq_google.engine.load_median_device_calibration({processor!r}) metrics "
        f"{metric_2q} (2Q), {_ONE_QUBIT_ERROR} (1Q), {' + '.join(_READOUT_ERRORS)} (readout), "
        f"{_T1} (T1)"
    )
    return GoogleTarget(
        name=name,
        graph=nx.freeze(graph),
        two_qubit_gate="cz",
        one_qubit_gates=one_q,
        all_to_all=False,
        description=(
            f"Google {processor} ({len(qubits)} qubits, {graph.number_of_edges()} couplings), "
            f"routed with cz and lowered to {entangler} by qclone.lower.cirq"
        ),
        provenance=provenance,
        positions=positions,
        node_labels=tuple(qubits),
        processor_id=processor,
        entangler=entangler,
        gate_durations_ns=durations,
        one_qubit_error=per_qubit(_ONE_QUBIT_ERROR),
        two_qubit_error=two_q,
        readout_error=readout,
        t1_us=per_qubit(_T1),
        error_metrics={
            "two_qubit_error": metric_2q,
            "one_qubit_error": _ONE_QUBIT_ERROR,
            "readout_error": " + ".join(_READOUT_ERRORS),
            "t1_us": _T1,
        },
        gate_families=families,
    )


def _factory(arguments: str) -> GoogleTarget:
    body, at, gate = arguments.partition("@")
    if not body.strip():
        raise TargetError(
            "target 'google' needs a device name: " + ", ".join(f"google:{d}" for d in DEVICES)
        )
    return google_target(body, gate if at else None)


FAMILY = TargetFamily(
    prefix="google",
    factory=_factory,
    summary="Google processors from cirq-google's offline data: rainbow (23 q), weber (53), "
    "willow (willow_pink, 105); append @cz/@sqrt_iswap/@syc to pick the lowered entangler",
    example="google:willow",
)
