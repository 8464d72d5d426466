"""Lower compiled programs to AQT's gates with cirq-aqt, serialize them, and verify them.

Each routed phase is compiled **on its own** (no optimizer sees clone and recover together)
with ``cirq.optimize_for_target_gateset`` and cirq-aqt's ``AQTTargetGateset``: Molmer-Sorensen
``cirq.XXPowGate`` (AQT's RXX, Braket's ``xx``), ``cirq.PhasedXPowGate`` (AQT's R, Braket's
``prx``) and ``cirq.ZPowGate`` (RZ). Runs of single-qubit gates are merged into one PhasedX
and one Z (``cirq.single_qubit_matrix_to_phased_x_z``).

Checks, in order: the gateset accepts every phase; cirq-aqt's device ``get_aqt_device(m)``
validates it (a toy device: it checks gates and qubits only, its durations and noise are
placeholders); each phase is written in cirq-aqt's operation-list JSON (``["R", theta, phi,
[q]]``, ``["Z", exponent, [q]]``, ``["MS", exponent, [a, b]]``, the format ``AQTSampler``
sends, built with ``cirq_aqt.aqt_device.get_op_string``), read back with cirq-aqt's own
``AQTSimulator.generate_circuit_from_list``, and the read-back circuit is verified with
:func:`qclone.lower.cirq.verify_cirq`. So what is proven is what would be sent.

cirq-aqt is a qclone dependency; if it is missing the functions raise
:class:`~qclone.errors.MissingExtraError`. It is imported inside functions only.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qclone.errors import CompilationError, ExportError, MissingExtraError
from qclone.lower import CirqCircuitCounts

if TYPE_CHECKING:
    import cirq

    from qclone.compiled import CompileResult
    from qclone.verification import PhaseVerdict

__all__ = [
    "NATIVE_GATES",
    "LoweredAQT",
    "cirq_aqt_modules",
    "from_aqt_json",
    "lower",
    "to_aqt_json",
    "verify_aqt",
]

#: cirq gate classes of cirq-aqt's ``AQTTargetGateset`` (measurements aside).
NATIVE_GATES: tuple[str, ...] = ("XXPowGate", "PhasedXPowGate", "ZPowGate")

_INSTALL = "pip install -e . (cirq-aqt is a qclone dependency) or pip install cirq-aqt"


def cirq_aqt_modules() -> tuple[Any, Any, Any]:
    """``(cirq_aqt, cirq_aqt.aqt_device, cirq_aqt.aqt_target_gateset)``, or
    :class:`~qclone.errors.MissingExtraError` naming the fix."""
    try:
        return (
            importlib.import_module("cirq_aqt"),
            importlib.import_module("cirq_aqt.aqt_device"),
            importlib.import_module("cirq_aqt.aqt_target_gateset"),
        )
    except ImportError as exc:
        raise MissingExtraError(
            f"lowering to AQT gates needs the cirq-aqt package, which is not installed: {_INSTALL}"
        ) from exc


@dataclass(frozen=True)
class LoweredAQT(CirqCircuitCounts):
    """A compiled program lowered to AQT gates: ``phases`` (one ``cirq.Circuit`` per phase on
    ``cirq.LineQubit(i)``), their concatenation ``circuit``, and each phase's cirq-aqt JSON
    operation list in ``serialized``."""

    circuit: cirq.Circuit
    phases: tuple[cirq.Circuit, ...]
    qubits: tuple[cirq.Qid, ...]
    serialized: tuple[str, ...]


def _device_size(result: CompileResult, device: str | None) -> int:
    from qclone.lower import published_device
    from qclone.targets.aqt import DEVICES, aqt_target

    target = published_device(
        result, device, prefix="aqt", vendor="AQT", devices=list(DEVICES), build=aqt_target
    )
    return target.num_qubits


def _merge_single_qubit_runs(circuit: cirq.Circuit) -> cirq.Circuit:
    import cirq
    import numpy as np

    def rewrite(op: cirq.CircuitOperation) -> cirq.OP_TREE:
        (q,) = op.qubits
        u = cirq.unitary(op)
        if cirq.allclose_up_to_global_phase(u, np.eye(2), atol=1e-9):
            return []
        return [g.on(q) for g in cirq.single_qubit_matrix_to_phased_x_z(u)]

    merged = cirq.merge_k_qubit_unitaries(circuit, k=1, rewriter=rewrite)
    return cirq.drop_empty_moments(merged)


def to_aqt_json(circuit: cirq.Circuit) -> str:
    """cirq-aqt's JSON operation list of a circuit in AQT gates (no measurement).

    Raises:
        ExportError: an operation outside the AQT gateset or on a non-``LineQubit``.
    """
    import cirq

    _, device_mod, _ = cirq_aqt_modules()
    seq: list[list[Any]] = []
    for op in circuit.all_operations():
        if not all(isinstance(q, cirq.LineQubit) for q in op.qubits):
            raise ExportError(f"operation {op!r} is not on cirq.LineQubit s")
        try:
            name = str(device_mod.get_op_string(op))
        except ValueError as exc:
            raise ExportError(f"operation {op!r} is not an AQT gate: {exc}") from exc
        idx = [q.x for q in op.qubits]  # type: ignore[attr-defined]
        gate: Any = op.gate
        if name == "R":
            seq.append([name, float(gate.exponent), float(gate.phase_exponent), idx])
        elif name in ("Z", "MS"):
            seq.append([name, float(gate.exponent), idx])
        else:
            raise ExportError(f"operation {op!r} ({name}) has no place in a unitary phase")
    return json.dumps(seq)


def from_aqt_json(text: str, num_qubits: int) -> cirq.Circuit:
    """Read a JSON operation list back with cirq-aqt's ``AQTSimulator.generate_circuit_from_list``
    (which appends a measurement of every qubit; it is dropped here)."""
    import cirq

    aqt, _, _ = cirq_aqt_modules()
    sim = aqt.AQTSimulator(num_qubits=num_qubits, simulate_ideal=True)
    sim.generate_circuit_from_list(text)
    circuit: cirq.Circuit = sim.circuit
    ops = [op for op in circuit.all_operations() if not cirq.is_measurement(op)]
    return cirq.Circuit(ops)


def lower(
    result: CompileResult,
    *,
    device: str | None = None,
    verify: bool = True,
) -> LoweredAQT:
    """Lower ``result`` to AQT gates, phase by phase; validate, serialize and (by default)
    verify the read-back circuits.

    Raises:
        CompilationError: no AQT device, a non-all-to-all routing, or gates left outside the
            AQT gateset.
        TargetTooSmall: the program uses more qubits than the device has.
        MissingExtraError: cirq-aqt is not installed.
        VerificationError: a lowered phase differs from the program's meaning.
    """
    import cirq

    from qclone.lower import cirq as lc

    m = _device_size(result, device)
    _, device_mod, gateset_mod = cirq_aqt_modules()
    gateset = gateset_mod.AQTTargetGateset()
    aqt_device, _ = device_mod.get_aqt_device(m)
    qubits = tuple(cirq.LineQubit.range(result.num_qubits))
    phases: list[cirq.Circuit] = []
    serialized: list[str] = []
    for ph in result.phases:
        c = lc.neutral_to_cirq(ph.circuit, qubits)
        c = cirq.optimize_for_target_gateset(c, gateset=gateset)
        c = cirq.drop_empty_moments(cirq.drop_negligible_operations(c))
        c = _merge_single_qubit_runs(c)
        native = (cirq.XXPowGate, cirq.PhasedXPowGate, cirq.ZPowGate)
        bad = [op for op in c.all_operations() if not isinstance(op.gate, native)]
        if bad or not gateset.validate(c):
            raise CompilationError(
                f"phase {ph.index}: gates outside cirq-aqt's AQTTargetGateset: {bad[:3]!r}"
            )
        try:
            aqt_device.validate_circuit(c)
        except ValueError as exc:
            raise CompilationError(f"phase {ph.index}: cirq-aqt device check: {exc}") from exc
        phases.append(c)
        serialized.append(to_aqt_json(c))
    total = cirq.Circuit()
    for c in phases:
        total += c
    lowered = LoweredAQT(total, tuple(phases), qubits, tuple(serialized))
    if verify:
        verify_aqt(result, lowered)
    return lowered


def verify_aqt(result: CompileResult, lowered: LoweredAQT) -> list[PhaseVerdict]:
    """Prove the phases, as read back from their JSON, equal to the program's meaning."""
    from qclone.lower import cirq as lc

    circuits = [
        from_aqt_json(text, result.num_qubits) if json.loads(text) else c
        for text, c in zip(lowered.serialized, lowered.phases, strict=True)
    ]
    index = {q: i for i, q in enumerate(lowered.qubits)}
    return lc.verify_cirq(result, circuits, qubit_index=index)
