"""Lower compiled programs to IonQ's gates with cirq-ionq, serialize them, and verify them.

Each routed phase is compiled **on its own** (as in :mod:`qclone.lower.cirq`: no optimizer
ever sees clone and recover together) with ``cirq.optimize_for_target_gateset`` and one of
cirq-ionq's gatesets:

* native (default): ``cirq_ionq.AriaNativeGateset`` (GPI, GPI2, MS) for Aria,
  ``cirq_ionq.ForteNativeGateset`` (GPI, GPI2, ZZ) for Forte;
* ``native=False``: ``cirq_ionq.IonQTargetGateset``, IonQ's abstract "qis" gates.

Every phase is then serialized with ``cirq_ionq.Serializer`` (the JSON the IonQ API takes;
native circuits come out with ``"gateset": "native"``) and, for native circuits, parsed back
from that JSON by :func:`from_ionq_json`. :func:`lower` verifies the parsed-back circuits with
:func:`qclone.lower.cirq.verify_cirq` (tableau proof, read through two-qubit Clifford blocks:
MS, ZZ(1/4) and the GPI/GPI2 pulses around them are Clifford only together), so what is proven
is what would be sent.

cirq-ionq is a qclone dependency; if it is missing the functions raise
:class:`~qclone.errors.MissingExtraError` naming the fix. It is imported inside functions only.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
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
    "LoweredIonQ",
    "cirq_ionq_module",
    "from_ionq_json",
    "gateset_for",
    "lower",
    "to_ionq_json",
]

#: cirq-ionq gate classes of each device's native gateset.
NATIVE_GATES: dict[str, tuple[str, ...]] = {
    "aria-1": ("GPIGate", "GPI2Gate", "MSGate"),
    "forte-1": ("GPIGate", "GPI2Gate", "ZZGate"),
}

_INSTALL = "pip install -e . (cirq-ionq is a qclone dependency) or pip install cirq-ionq"


def cirq_ionq_module() -> Any:
    """``cirq_ionq``, or :class:`~qclone.errors.MissingExtraError` naming the fix."""
    try:
        return importlib.import_module("cirq_ionq")
    except ImportError as exc:
        raise MissingExtraError(
            f"lowering to IonQ gates needs the cirq-ionq package, which is not installed: "
            f"{_INSTALL}"
        ) from exc


@dataclass(frozen=True)
class LoweredIonQ(CirqCircuitCounts):
    """A compiled program lowered to IonQ gates.

    ``phases`` are the compiled circuits (one per phase, on ``cirq.LineQubit(i)`` for the
    target's qubit ``i``), ``circuit`` their moment-wise concatenation, ``serialized`` each
    phase's IonQ API ``input`` (``{"gateset", "qubits", "circuit"}``), ``device`` the IonQ
    device and ``gateset`` ``"native"`` or ``"qis"``.
    """

    circuit: cirq.Circuit
    phases: tuple[cirq.Circuit, ...]
    qubits: tuple[cirq.Qid, ...]
    serialized: tuple[Mapping[str, Any], ...]
    device: str
    gateset: str


def _device(result: CompileResult, device: str | None) -> tuple[str, int]:
    from qclone.lower import published_device
    from qclone.targets.ionq import DEVICES, ionq_target

    target = published_device(
        result, device, prefix="ionq", vendor="IonQ", devices=list(DEVICES), build=ionq_target
    )
    return target.name.partition(":")[2], target.num_qubits


def gateset_for(device: str, *, native: bool = True) -> Any:
    """The cirq-ionq gateset the lowering compiles to for ``device`` (``"aria-1"``...)."""
    from qclone.targets.ionq import DEVICES, ionq_target

    ionq = cirq_ionq_module()
    key = ionq_target(device).name.partition(":")[2]
    if not native:
        return ionq.IonQTargetGateset()
    return getattr(ionq, DEVICES[key][1])()


def to_ionq_json(circuit: cirq.Circuit) -> dict[str, Any]:
    """The IonQ API ``input`` of one circuit, as ``cirq_ionq.Serializer`` writes it."""
    ionq = cirq_ionq_module()
    try:
        program = ionq.Serializer().serialize_single_circuit(circuit)
    except ValueError as exc:
        raise ExportError(f"cirq_ionq.Serializer refused the circuit: {exc}") from exc
    out: dict[str, Any] = dict(program.input)
    return out


def from_ionq_json(program_input: Mapping[str, Any], num_qubits: int) -> cirq.Circuit:
    """Rebuild a native IonQ circuit (``"gateset": "native"``) from its API ``input``.

    Reads the four native gates cirq-ionq serializes (``gpi``, ``gpi2``, ``ms``, ``zz``) into
    ``cirq_ionq`` gates on ``cirq.LineQubit`` s.

    Raises:
        ExportError: a qis circuit, an unknown gate or a qubit outside ``0..num_qubits-1``.
    """
    import cirq

    ionq = cirq_ionq_module()
    if program_input.get("gateset") != "native":
        raise ExportError(
            f"from_ionq_json reads native circuits only, got gateset "
            f"{program_input.get('gateset')!r}"
        )
    qubits = cirq.LineQubit.range(num_qubits)

    def qubit(i: Any) -> cirq.Qid:
        if not isinstance(i, int) or not 0 <= i < num_qubits:
            raise ExportError(f"IonQ JSON names qubit {i!r}, outside 0..{num_qubits - 1}")
        return qubits[i]

    ops: list[cirq.Operation] = []
    for item in program_input.get("circuit", []):
        gate = item.get("gate")
        if gate == "gpi":
            ops.append(ionq.GPIGate(phi=float(item["phase"])).on(qubit(item["target"])))
        elif gate == "gpi2":
            ops.append(ionq.GPI2Gate(phi=float(item["phase"])).on(qubit(item["target"])))
        elif gate == "ms":
            p0, p1 = (float(p) for p in item["phases"])
            a, b = item["targets"]
            ms = ionq.MSGate(phi0=p0, phi1=p1, theta=float(item.get("angle", 0.25)))
            ops.append(ms.on(qubit(a), qubit(b)))
        elif gate == "zz":
            a, b = item["targets"]
            ops.append(ionq.ZZGate(theta=float(item["phase"])).on(qubit(a), qubit(b)))
        else:
            raise ExportError(f"IonQ JSON has gate {gate!r}, not one of gpi, gpi2, ms, zz")
    return cirq.Circuit(ops)


def _merge_pulses(circuit: cirq.Circuit, gateset: Any) -> cirq.Circuit:
    """Merge each run of single-qubit pulses into at most three (GPI2, GPI, GPI2).

    cirq-ionq's native gatesets decompose every single-qubit operation into three pulses on
    its own; a run of them is one unitary, re-decomposed here with the gateset's own
    ``single_qubit_matrix_to_native_gates`` (runs that multiply to the identity vanish).
    """
    import cirq
    import numpy as np

    def rewrite(op: cirq.CircuitOperation) -> cirq.OP_TREE:
        (q,) = op.qubits
        u = cirq.unitary(op)
        if cirq.allclose_up_to_global_phase(u, np.eye(2), atol=1e-9):
            return []
        return [g.on(q) for g in gateset.single_qubit_matrix_to_native_gates(u)]

    merged = cirq.merge_k_qubit_unitaries(circuit, k=1, rewriter=rewrite)
    return cirq.drop_empty_moments(merged)


def _check_native(circuit: cirq.Circuit, device: str, phase: int) -> None:
    allowed = set(NATIVE_GATES[device])
    for op in circuit.all_operations():
        name = type(op.gate).__name__
        if name not in allowed:
            raise CompilationError(
                f"phase {phase}: operation {op!r} is not a native {device} gate "
                f"({', '.join(sorted(allowed))})"
            )


def lower(
    result: CompileResult,
    *,
    device: str | None = None,
    native: bool = True,
    verify: bool = True,
) -> LoweredIonQ:
    """Lower ``result`` to IonQ gates, phase by phase; serialize and (by default) verify.

    ``device`` defaults to the result's target (``ionq:aria-1`` -> ``"aria-1"``); a program
    compiled for ``all-to-all:N`` lowers too when ``device`` is given. With ``verify=True``
    every phase is serialized, parsed back (native gates) and proven equal to the program's
    meaning.

    Raises:
        CompilationError: no IonQ device, a non-all-to-all routing, or a non-native gate.
        TargetTooSmall: the program uses more qubits than the device has.
        MissingExtraError: cirq-ionq is not installed.
        VerificationError: a lowered phase differs from the program's meaning.
    """
    import cirq

    from qclone.lower import cirq as lc

    key, _ = _device(result, device)
    gateset = gateset_for(key, native=native)
    qubits = tuple(cirq.LineQubit.range(result.num_qubits))
    phases: list[cirq.Circuit] = []
    serialized: list[Mapping[str, Any]] = []
    for ph in result.phases:
        c = lc.neutral_to_cirq(ph.circuit, qubits)
        c = cirq.optimize_for_target_gateset(c, gateset=gateset)
        c = cirq.drop_empty_moments(cirq.drop_negligible_operations(c))
        if native:
            c = _merge_pulses(c, gateset)
        if not gateset.validate(c):
            raise CompilationError(
                f"phase {ph.index}: cirq.optimize_for_target_gateset left gates outside "
                f"{type(gateset).__name__}"
            )
        if native:
            _check_native(c, key, ph.index)
        phases.append(c)
        serialized.append(to_ionq_json(c) if len(c) else {"circuit": []})
    total = cirq.Circuit()
    for c in phases:
        total += c  # appends moments: nothing moves across the phase boundary
    lowered = LoweredIonQ(
        total, tuple(phases), qubits, tuple(serialized), key, "native" if native else "qis"
    )
    if verify:
        verify_ionq(result, lowered)
    return lowered


def verify_ionq(result: CompileResult, lowered: LoweredIonQ) -> list[PhaseVerdict]:
    """Prove the lowered phases equal to the program's meaning.

    Native phases are verified as parsed back from their serialized JSON (what would be sent);
    qis phases as compiled.

    Raises:
        NonCliffordError, VerificationError: see :func:`qclone.lower.cirq.verify_cirq`.
    """
    from qclone.lower import cirq as lc

    circuits: Sequence[cirq.Circuit]
    if lowered.gateset == "native":
        circuits = [
            from_ionq_json(s, result.num_qubits) if s.get("circuit") else c
            for s, c in zip(lowered.serialized, lowered.phases, strict=True)
        ]
    else:
        circuits = lowered.phases
    index = {q: i for i, q in enumerate(lowered.qubits)}
    return lc.verify_cirq(result, circuits, qubit_index=index)
