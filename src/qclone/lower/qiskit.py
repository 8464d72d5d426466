"""Lowering to Qiskit and IBM's native gates (cz, rz, sx, x), with exact verification.

:func:`lower` turns a :class:`~qclone.compiled.CompileResult` (neutral Clifford gates
``h, s, sdg, x, y, z, cx, cz, swap`` on integer qubits, one circuit per phase) into one
``qiskit.QuantumCircuit`` on the backend's physical qubits, in its basis:

1. each phase is built from its neutral gates, with a barrier over all qubits between phases;
2. Qiskit's own passes translate and tidy it: ``BasisTranslator`` (standard equivalence
   library) onto ``cz, rz, sx, x``, then ``Optimize1qGatesDecomposition`` for the same basis.
   Neither pass lays out, routes or crosses a barrier, so every qubit stays where qclone put it
   and the phases stay apart (clone followed directly by recover would collapse into the SWAP
   it equals);
3. every instruction is checked against ``backend.target`` (``instruction_supported``: each
   ``cz`` on a coupling of the device);
4. the circuit goes through a QPY round trip (``qiskit.qpy.dump``/``load``) and is exported as
   OpenQASM 3 (``qiskit.qasm3.dumps``);
5. verification: each phase of the native circuit is converted back to neutral gates (each
   single-qubit gate's unitary becomes a stim tableau, then the shortest word over
   ``h, s, sdg, x, y, z``; ``cz`` stays ``cz``; a non-Clifford ``rz`` angle raises
   :class:`~qclone.errors.NonCliffordError`) and :func:`qclone.verification.verify_phase`
   proves it equal to the program's meaning.

The lowering also reports an estimated success probability: the product of ``1 - error``
over the gates, with the errors of ``backend.target`` (gates without a figure are listed,
never silently counted).

qiskit is imported when this module is imported; ``import qclone`` never imports it.
"""

from __future__ import annotations

import dataclasses
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from qiskit import QuantumCircuit

from qclone.circuit import Circuit, CircuitBuilder, Gate
from qclone.compiled import CompileResult
from qclone.errors import CompilationError, NonCliffordError, TargetTooSmall, VerificationError

if TYPE_CHECKING:
    import stim

    from qclone.verification import PhaseVerdict

__all__ = [
    "BASIS_GATES",
    "QiskitLowering",
    "lower",
    "neutral_to_qiskit",
    "qiskit_to_neutral",
    "resolve_backend",
    "success_probability",
    "to_qiskit",
    "translate",
    "verify_lowering",
]

#: The basis the lowering targets (IBM Heron).
BASIS_GATES: tuple[str, ...] = ("cz", "rz", "sx", "x")

#: QuantumCircuit method of each neutral gate.
_METHODS: dict[str, str] = {
    "h": "h",
    "s": "s",
    "sdg": "sdg",
    "x": "x",
    "y": "y",
    "z": "z",
    "cx": "cx",
    "cz": "cz",
    "swap": "swap",
}
_TWO_QUBIT = {"cx": "cx", "cz": "cz", "swap": "swap"}
_SKIP = frozenset({"barrier", "delay", "id"})
_TOL = 1e-9


# --- backends ----------------------------------------------------------------------------------
def resolve_backend(backend: Any, result: CompileResult) -> Any:
    """The Qiskit backend to lower for: a ``BackendV2``, an IBM device name (``"fez"``), an
    :class:`~qclone.targets.ibm.IBMTarget`, or ``None`` (the result's IBM target)."""
    from qclone.targets.ibm import IBMTarget, fake_backend

    if backend is None:
        if isinstance(result.target, IBMTarget):
            return result.target.backend()
        where = "no target" if result.target is None else f"target {result.target.name}"
        raise CompilationError(
            f"the program was compiled for {where}; pass backend='fez' (an IBM device name) or "
            "a Qiskit BackendV2 to lower it, or compile for an ibm:<device> target"
        )
    if isinstance(backend, IBMTarget):
        return backend.backend()
    if isinstance(backend, str):
        return fake_backend(backend.partition(":")[2] if ":" in backend else backend)
    return backend


# --- neutral -> qiskit -------------------------------------------------------------------------
def neutral_to_qiskit(circuits: Sequence[Circuit], num_qubits: int) -> QuantumCircuit:
    """Neutral circuits (one per phase) as one ``QuantumCircuit``, a barrier between phases."""
    qc = QuantumCircuit(num_qubits)
    for k, circ in enumerate(circuits):
        if k:
            qc.barrier()
        for g in circ.gates:
            getattr(qc, _METHODS[g.name])(*g.qubits)
    return qc


def translate(circuit: QuantumCircuit, basis: Sequence[str] = BASIS_GATES) -> QuantumCircuit:
    """Qiskit's ``BasisTranslator``, ``Optimize1qGatesDecomposition``, ``CommutativeCancellation``
    and ``Optimize1qGatesDecomposition`` again, onto ``basis``.

    The commutation pass merges ``rz`` turns across the ``cz`` gates they commute with (each
    CNOT leaves some on both sides of its ``cz``), which shortens the circuit without
    touching the two-qubit gates (``benchmarks/bench_ibm.py`` reports the depth). No layout,
    routing or barrier removal: qubits stay in place, phases stay apart (a barrier blocks
    the commutation).
    """
    from qiskit.circuit.equivalence_library import SessionEquivalenceLibrary
    from qiskit.transpiler import PassManager
    from qiskit.transpiler.passes import (
        BasisTranslator,
        CommutativeCancellation,
        Optimize1qGatesDecomposition,
    )

    pm = PassManager(
        [
            BasisTranslator(SessionEquivalenceLibrary, list(basis)),
            Optimize1qGatesDecomposition(basis=list(basis)),
            CommutativeCancellation(basis_gates=list(basis)),
            Optimize1qGatesDecomposition(basis=list(basis)),
        ]
    )
    out: QuantumCircuit = pm.run(circuit)
    return out


# --- qiskit -> neutral -------------------------------------------------------------------------
def _angle_key(name: str, params: Sequence[Any]) -> tuple[str, tuple[float, ...]]:
    vals: list[float] = []
    for p in params:
        try:
            vals.append(float(p))
        except TypeError as exc:
            raise NonCliffordError(
                f"qiskit gate {name} has a symbolic parameter {p}; only numeric Clifford angles "
                "can be verified"
            ) from exc
    if name in ("rz", "p", "u1"):
        quarter = vals[0] / (math.pi / 2)
        if abs(quarter - round(quarter)) > _TOL:
            raise NonCliffordError(
                f"qiskit gate {name}({vals[0]!r}) is not a Clifford gate: the angle must be a "
                "multiple of pi/2; qclone verifies Clifford circuits only"
            )
        vals = [round(quarter) % 4 * (math.pi / 2)]
    return name, tuple(round(v, 12) for v in vals)


@cache
def _one_qubit_word(name: str, params: tuple[float, ...]) -> tuple[str, ...]:
    import numpy as np
    import stim
    from qiskit.circuit.library import get_standard_gate_name_mapping

    from qclone.passes.rebase import _key, _shortest_words

    gate = get_standard_gate_name_mapping().get(name)
    if gate is None:
        raise NonCliffordError(f"qiskit gate {name} is not a standard gate qclone can verify")
    if params:
        gate = type(gate)(*params)
    try:
        u = np.asarray(gate.to_matrix(), dtype=complex)
    except Exception as exc:  # pragma: no cover - standard gates have matrices
        raise NonCliffordError(f"qiskit gate {name}{params} has no matrix: {exc}") from exc
    try:
        tab: stim.Tableau = stim.Tableau.from_unitary_matrix(u, endian="little")
    except ValueError as exc:
        raise NonCliffordError(
            f"qiskit gate {name}{params} is not a Clifford gate; qclone verifies Clifford "
            "circuits only"
        ) from exc
    return _shortest_words()[_key(tab)]


def qiskit_to_neutral(circuit: QuantumCircuit, num_qubits: int | None = None) -> list[Circuit]:
    """The circuit as neutral circuits, split at barriers over all qubits (one per phase).

    Raises:
        NonCliffordError: a gate with a non-Clifford angle, an unknown gate, or a gate on 3+
            qubits or with classical bits.
    """
    n = circuit.num_qubits if num_qubits is None else num_qubits
    phases: list[Circuit] = []
    b = CircuitBuilder(n)
    for inst in circuit.data:
        op = inst.operation
        qs = [circuit.find_bit(q).index for q in inst.qubits]
        if op.name == "barrier":
            if len(qs) == circuit.num_qubits:
                phases.append(b.build())
                b = CircuitBuilder(n)
            continue
        if op.name in _SKIP:
            continue
        if inst.clbits or len(qs) not in (1, 2):
            raise NonCliffordError(
                f"qiskit instruction {op.name} on qubits {qs} is not a one- or two-qubit gate; "
                "qclone verifies unitary Clifford circuits of 1- and 2-qubit gates"
            )
        if len(qs) == 2:
            if op.name not in _TWO_QUBIT or op.params:
                raise NonCliffordError(
                    f"qiskit two-qubit gate {op.name} on {qs}: qclone verifies cz, cx and swap"
                )
            b.add(_TWO_QUBIT[op.name], *qs)
            continue
        try:
            word = _one_qubit_word(*_angle_key(op.name, op.params))
        except NonCliffordError as exc:
            raise NonCliffordError(f"on qubit {qs[0]}: {exc}") from exc
        b.extend(Gate(g, (qs[0],)) for g in word)
    phases.append(b.build())
    return phases


# --- lowering ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class QiskitLowering:
    """A lowered program.

    Attributes:
        circuit: the ``QuantumCircuit`` on the backend's physical qubits, in its basis, a
            barrier between phases (after the QPY round trip).
        qasm3: the circuit as OpenQASM 3 (``qiskit.qasm3.dumps``).
        result: ``source`` with its phases replaced by the neutral images of the native ones.
        source: the compile result that was lowered.
        backend: the Qiskit backend.
        success_probability: product of ``1 - error`` over the gates (backend errors).
        not_costed: gate names without an error figure in the backend (counted as error 0).
    """

    circuit: QuantumCircuit
    qasm3: str
    result: CompileResult
    source: CompileResult
    backend: Any
    success_probability: float
    not_costed: tuple[str, ...]

    def two_qubit_count(self) -> int:
        return sum(1 for inst in self.circuit.data if inst.operation.num_qubits == 2)

    def count_ops(self) -> dict[str, int]:
        return {str(k): int(v) for k, v in self.circuit.count_ops().items()}

    def verify(self) -> list[PhaseVerdict]:
        return verify_lowering(self)


def success_probability(circuit: QuantumCircuit, backend: Any) -> tuple[float, tuple[str, ...]]:
    """Product of ``1 - error`` over the circuit's gates, with ``backend.target``'s errors;
    and the gate names that have no error figure (taken as 0)."""
    tgt = backend.target
    p = 1.0
    missing: set[str] = set()
    for inst in circuit.data:
        name = inst.operation.name
        if name in _SKIP:
            continue
        qargs = tuple(circuit.find_bit(q).index for q in inst.qubits)
        props = None
        if name in tgt.operation_names:
            props = tgt[name].get(qargs)
        err = None if props is None else props.error
        if err is None:
            if name != "rz":  # virtual Z: error 0 by construction
                missing.add(name)
            continue
        p *= 1.0 - float(err)
    return p, tuple(sorted(missing))


def _check_target(circuit: QuantumCircuit, backend: Any) -> None:
    tgt = backend.target
    for inst in circuit.data:
        name = inst.operation.name
        if name == "barrier":
            continue
        qargs = tuple(circuit.find_bit(q).index for q in inst.qubits)
        if not tgt.instruction_supported(name, qargs):
            raise CompilationError(
                f"the lowered circuit has {name} on qubits {qargs}, which "
                f"{getattr(backend, 'name', type(backend).__name__)}'s target does not support "
                "(not a coupling of the device, or not a basis gate)"
            )


def _qpy_round_trip(circuit: QuantumCircuit) -> QuantumCircuit:
    from qiskit import qpy

    buf = io.BytesIO()
    qpy.dump(circuit, buf)
    buf.seek(0)
    loaded = qpy.load(buf)
    if len(loaded) != 1 or loaded[0] != circuit:
        raise CompilationError("the lowered circuit changed in the QPY round trip")
    out: QuantumCircuit = loaded[0]
    return out


def lower(result: CompileResult, *, backend: Any = None, verify: bool = True) -> QiskitLowering:
    """Lower ``result`` to the backend's basis (see the module docstring).

    Args:
        result: a compile result; its phases' qubit ``i`` becomes the backend's qubit ``i``.
        backend: an IBM device name, an ``IBMTarget``, a Qiskit ``BackendV2``, or ``None``
            (the result's IBM target).
        verify: prove every lowered phase equal to the program's meaning.

    Raises:
        CompilationError: no backend, or a gate the backend's target does not support.
        TargetTooSmall: the result needs more qubits than the backend has.
        NonCliffordError, VerificationError: the lowered circuit is not the program.
    """
    from qiskit import qasm3

    bk = resolve_backend(backend, result)
    n = result.num_qubits
    size = int(bk.num_qubits)
    if n > size:
        raise TargetTooSmall(
            f"the compiled program uses {n} qubits but {getattr(bk, 'name', bk)} has {size}; "
            "compile for the backend's target (e.g. ibm:fez, 156 qubits)"
        )
    built = neutral_to_qiskit([ph.circuit for ph in result.phases], size)
    native = translate(built)
    _check_target(native, bk)
    native = _qpy_round_trip(native)
    neutral = qiskit_to_neutral(native, n)
    if len(neutral) != len(result.phases):
        raise CompilationError(  # pragma: no cover - the passes keep barriers
            f"the lowered circuit has {len(neutral)} phases, the program {len(result.phases)}"
        )
    phases = tuple(
        dataclasses.replace(ph, circuit=c) for ph, c in zip(result.phases, neutral, strict=True)
    )
    prob, missing = success_probability(native, bk)
    out = QiskitLowering(
        circuit=native,
        qasm3=qasm3.dumps(native),
        result=dataclasses.replace(result, phases=phases),
        source=result,
        backend=bk,
        success_probability=prob,
        not_costed=missing,
    )
    if verify:
        verify_lowering(out)
    return out


def to_qiskit(result: CompileResult, *, backend: Any = None, verify: bool = True) -> QuantumCircuit:
    """The lowered ``QuantumCircuit`` of :func:`lower` (basis cz, rz, sx, x; barriers between
    phases; on the backend's physical qubits).

    Examples:
        >>> import qclone  # doctest: +SKIP
        >>> r = qclone.compile(qclone.single_clone(3, recover=1), "ibm:fez")  # doctest: +SKIP
        >>> set(to_qiskit(r).count_ops()) <= {"cz", "rz", "sx", "x", "barrier"}  # doctest: +SKIP
        True
    """
    return lower(result, backend=backend, verify=verify).circuit


def verify_lowering(
    lowering: QiskitLowering, *, raise_on_failure: bool = True
) -> list[PhaseVerdict]:
    """Prove each lowered phase equal to the program's meaning (stim tableaux)."""
    from qclone.verification import verify_phase

    verdicts = []
    for i in range(len(lowering.result.phases)):
        v = verify_phase(lowering.result, i)
        verdicts.append(v)
        if not v.ok and raise_on_failure:
            raise VerificationError(f"Qiskit lowering: {v.reason}")
    return verdicts
