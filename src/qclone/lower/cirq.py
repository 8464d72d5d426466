"""Lower compiled programs to Cirq (Google devices included), and verify Cirq circuits back.

Lowering: each routed phase (``result.phases[i].circuit``: ``h, s, sdg, x, y, z, cx, cz, swap``
on the target's integer qubits) becomes a ``cirq.Circuit`` on the target's qubits
(``cirq.GridQubit`` for :class:`~qclone.targets.google.GoogleTarget`, the user's labels when
they are ``cirq.Qid``, else ``cirq.LineQubit``) and is compiled **on its own** with
``cirq.optimize_for_target_gateset`` to the target's gateset (``GoogleTarget.
compilation_gateset()``; ``cirq.CZTargetGateset()`` for other targets). The full circuit is
the moment-wise concatenation of the compiled phases (``Circuit.__add__`` appends moments, it
never merges across them), so no Cirq optimizer ever sees two phases at once: clone followed
directly by recover is a mere SWAP, and optimizing across the storage boundary would erase
the encryption. If you optimize further, optimize :attr:`LoweredCirq.phases` one by one.

Verification (:func:`verify_cirq`): a native circuit is read back into qclone's neutral
Clifford circuit and checked by :func:`qclone.verification.verify_phase`. Native circuits are
not Clifford gate by gate (a sqrt-iSWAP is not; the single-qubit gates that Cirq places
around it are arbitrary rotations), so :func:`cirq_to_neutral` merges the circuit into blocks
of at most two qubits (``cirq.merge_k_qubit_unitaries``) and walks them in order, keeping a
pending single-qubit unitary per qubit. Each two-qubit block ``M`` (with the pending gates
folded in) is split as ``M = (L_a x L_b) K`` with ``K`` a two-qubit Clifford, found among
``Int (P_a x P_b)`` for the four Clifford interaction classes ``Int`` and the 24 x 24
single-qubit Cliffords ``P``; ``K`` is emitted (its stim decomposition) and ``L`` stays
pending. At the end every pending gate must be a single-qubit Clifford. A block that admits no
such split, or a pending gate that is not Clifford, raises :class:`~qclone.errors.
NonCliffordError` naming the Cirq operations involved. The rebuilt circuit equals the native
one up to global phase and the numerical tolerance ``atol``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from qclone.circuit import Circuit, Gate
from qclone.errors import ExportError, NonCliffordError, VerificationError

if TYPE_CHECKING:
    import cirq

    from qclone.compiled import CompileResult
    from qclone.targets import Target
    from qclone.verification import PhaseVerdict

__all__ = [
    "LoweredCirq",
    "cirq_to_neutral",
    "lower",
    "neutral_to_cirq",
    "serializer_round_trip",
    "target_qubits",
    "to_cirq",
    "to_cirq_phases",
    "validate",
    "verify_cirq",
]

_C = npt.NDArray[np.complex128]

#: Default tolerance of the Clifford checks (serialized angles are float32, about 1e-7).
ATOL = 1e-5


@dataclass(frozen=True)
class LoweredCirq:
    """A compiled program lowered to Cirq.

    ``circuit`` is the concatenation of ``phases`` (each compiled on its own); ``qubits[i]``
    is the Cirq qubit of the target's qubit ``i``.
    """

    circuit: cirq.Circuit
    phases: tuple[cirq.Circuit, ...]
    qubits: tuple[cirq.Qid, ...]


# --- neutral -> cirq ---------------------------------------------------------------------------
@cache
def neutral_gate_table() -> dict[str, Any]:
    """The Cirq gate of each neutral gate name (h, s, sdg, x, y, z, cx, cz, swap)."""
    import cirq

    return {
        "h": cirq.H,
        "s": cirq.S,
        "sdg": cirq.S**-1,
        "x": cirq.X,
        "y": cirq.Y,
        "z": cirq.Z,
        "cx": cirq.CNOT,
        "cz": cirq.CZ,
        "swap": cirq.SWAP,
    }


def target_qubits(target: Target | None, num_qubits: int) -> tuple[cirq.Qid, ...]:
    """The Cirq qubit of each qubit index: the target's labels when they are Cirq qubits
    (every Google target), else ``cirq.LineQubit(i)``."""
    import cirq

    labels = None if target is None else target.node_labels
    if labels is not None and all(isinstance(q, cirq.Qid) for q in labels):
        if len(labels) < num_qubits:
            raise ExportError(f"target {target} has {len(labels)} qubits, need {num_qubits}")
        return tuple(labels)  # type: ignore[arg-type]
    return tuple(cirq.LineQubit.range(num_qubits))


def neutral_to_cirq(circuit: Circuit, qubits: Sequence[cirq.Qid]) -> cirq.Circuit:
    """The neutral circuit gate for gate as a ``cirq.Circuit`` (no optimization)."""
    import cirq

    table = neutral_gate_table()
    return cirq.Circuit(table[g.name].on(*(qubits[q] for q in g.qubits)) for g in circuit.gates)


def _gateset(target: Target | None) -> Any:
    import cirq

    from qclone.targets.google import GoogleTarget

    if isinstance(target, GoogleTarget):
        return target.compilation_gateset()
    return cirq.CZTargetGateset()


def _optimize(circuit: cirq.Circuit, gateset: Any) -> cirq.Circuit:
    import cirq

    out = cirq.optimize_for_target_gateset(circuit, gateset=gateset)
    out = cirq.drop_negligible_operations(out)
    return cirq.drop_empty_moments(out)


def validate(circuit: cirq.Circuit, target: Target | None) -> None:
    """``device.validate_circuit`` for Google targets (a no-op for other targets)."""
    from qclone.targets.google import GoogleTarget

    if isinstance(target, GoogleTarget):
        target.device().validate_circuit(circuit)


def to_cirq_phases(
    result: CompileResult, *, optimize: bool = True, gateset: Any = None
) -> list[cirq.Circuit]:
    """One ``cirq.Circuit`` per phase, each compiled on its own to the target's gateset.

    ``optimize=False`` returns the neutral gates as Cirq gates; ``gateset`` overrides the
    target's gateset. Google circuits are checked with ``device.validate_circuit``.
    """
    qubits = target_qubits(result.target, result.num_qubits)
    gs = _gateset(result.target) if gateset is None else gateset
    out = []
    for ph in result.phases:
        c = neutral_to_cirq(ph.circuit, qubits)
        if optimize:
            c = _optimize(c, gs)
            if gateset is None:
                validate(c, result.target)
        out.append(c)
    return out


def lower(result: CompileResult, *, optimize: bool = True, gateset: Any = None) -> LoweredCirq:
    """The phases (:func:`to_cirq_phases`) and their concatenation."""
    import cirq

    phases = to_cirq_phases(result, optimize=optimize, gateset=gateset)
    total = cirq.Circuit()
    for c in phases:
        total += c  # appends moments: nothing moves across the phase boundary
    return LoweredCirq(total, tuple(phases), target_qubits(result.target, result.num_qubits))


def to_cirq(result: CompileResult, *, optimize: bool = True, gateset: Any = None) -> cirq.Circuit:
    """The whole program as one ``cirq.Circuit`` (phases compiled apart, then concatenated).

    Examples:
        >>> import qclone
        >>> r = qclone.compile(qclone.single_clone(2, recover=1), "line:5")
        >>> c = to_cirq(r)
        >>> sum(1 for op in c.all_operations() if len(op.qubits) == 2) >= 5
        True
    """
    return lower(result, optimize=optimize, gateset=gateset).circuit


def serializer_round_trip(circuit: cirq.Circuit, *, atol: float = 1e-6) -> cirq.Circuit:
    """Serialize with ``cirq_google.CircuitSerializer`` and read back; raises
    :class:`~qclone.errors.ExportError` if the result differs (``cirq.approx_eq``, since
    angles are stored as float32)."""
    import cirq
    import cirq_google

    ser = cirq_google.CircuitSerializer()
    back: cirq.Circuit = ser.deserialize(ser.serialize(circuit))
    if len(back) != len(circuit):
        raise ExportError(
            f"cirq_google.CircuitSerializer round trip changed the number of moments "
            f"({len(circuit)} -> {len(back)})"
        )
    for i, (m1, m2) in enumerate(zip(circuit, back, strict=True)):
        if cirq.approx_eq(m1, m2, atol=atol):
            continue
        # the serializer may reorder a moment's operations (and a symmetric gate's qubits)
        ops1 = {frozenset(op.qubits): op for op in m1.operations}
        ops2 = {frozenset(op.qubits): op for op in m2.operations}
        if ops1.keys() != ops2.keys() or not all(
            _same_operation(ops1[k], ops2[k], atol) for k in ops1
        ):
            raise ExportError(
                f"cirq_google.CircuitSerializer round trip changed moment {i}: {m1!r} -> {m2!r}"
            )
    return back


def _same_operation(a: cirq.Operation, b: cirq.Operation, atol: float) -> bool:
    """Equal, approximately equal, or the same unitary up to global phase (float32 angles
    may come back in another but equivalent parametrisation)."""
    import cirq

    if a == b or cirq.approx_eq(a, b, atol=atol):
        return True
    if not (cirq.has_unitary(a) and cirq.has_unitary(b)):
        return False
    order = sorted(a.qubits)
    ua = cirq.Circuit(a).unitary(qubit_order=order)
    ub = cirq.Circuit(b).unitary(qubit_order=order)
    return bool(cirq.allclose_up_to_global_phase(ua, ub, atol=atol))


# --- cirq -> neutral (verification) ------------------------------------------------------------
_ONE: dict[str, _C] = {
    "h": np.array([[1, 1], [1, -1]], dtype=np.complex128) / math.sqrt(2),
    "s": np.diag([1, 1j]).astype(np.complex128),
    "sdg": np.diag([1, -1j]).astype(np.complex128),
    "x": np.array([[0, 1], [1, 0]], dtype=np.complex128),
    "y": np.array([[0, -1j], [1j, 0]], dtype=np.complex128),
    "z": np.diag([1, -1]).astype(np.complex128),
}
_STIM_TWO = {"CX": "cx", "CNOT": "cx", "CZ": "cz", "SWAP": "swap"}


@cache
def _cliffords_1q() -> tuple[tuple[tuple[str, ...], ...], _C]:
    """The 24 single-qubit Cliffords: their shortest words and their matrices (24, 2, 2)."""
    from qclone.passes.rebase import _shortest_words

    words = tuple(sorted(_shortest_words().values(), key=lambda w: (len(w), w)))
    mats = []
    for w in words:
        m = np.eye(2, dtype=np.complex128)
        for g in w:
            m = _ONE[g] @ m
        mats.append(m)
    return words, np.array(mats)


def _exp_pauli(theta: float, paulis: Sequence[str]) -> _C:
    out = np.eye(4, dtype=np.complex128)
    for p in paulis:
        pp = np.kron(_ONE[p], _ONE[p])
        out = out @ (math.cos(theta) * np.eye(4) + 1j * math.sin(theta) * pp)
    return out


@cache
def _interactions() -> tuple[tuple[_C, tuple[Gate, ...]], ...]:
    """The four two-qubit Clifford interaction classes (identity, CZ-like, iSWAP-like,
    SWAP-like) as matrices on (a, b) = (0, 1), big-endian, with neutral gates for each."""
    import stim

    out = []
    for paulis in ((), ("x",), ("x", "y"), ("x", "y", "z")):
        m = _exp_pauli(math.pi / 4, paulis)
        gates = _stim_to_neutral(
            stim.Tableau.from_unitary_matrix(m, endian="big").to_circuit("elimination")
        )
        out.append((m, tuple(gates)))
    return tuple(out)


def _stim_to_neutral(c: Any) -> list[Gate]:
    import stim

    from qclone.passes.rebase import _shortest_words

    words = _shortest_words()
    gates: list[Gate] = []
    for inst in c:
        targets = [t.value for t in inst.targets_copy()]
        if inst.name in _STIM_TWO:
            for i in range(0, len(targets), 2):
                gates.append(Gate(_STIM_TWO[inst.name], (targets[i], targets[i + 1])))
        else:
            word = words[str(stim.Tableau.from_named_gate(inst.name))]
            for q in targets:
                gates.extend(Gate(g, (q,)) for g in word)
    return gates


def _match_clifford_1q(u: _C, atol: float) -> tuple[str, ...] | None:
    words, mats = _cliffords_1q()
    overlap = np.abs(np.einsum("kij,ij->k", mats.conj(), u)) / 2
    k = int(np.argmax(overlap))
    return words[k] if overlap[k] > 1 - atol else None


def _realign(m: npt.NDArray[np.complex128]) -> npt.NDArray[np.complex128]:
    """(..., 4, 4) -> (..., 4, 4) with rows (i, k) and columns (j, l): rank 1 iff A x B."""
    shape = m.shape[:-2]
    return m.reshape(*shape, 2, 2, 2, 2).swapaxes(-3, -2).reshape(*shape, 4, 4)


@cache
def _local_cliffords_2q() -> tuple[tuple[tuple[int, int], ...], _C]:
    """All 576 products P_a x P_b of single-qubit Cliffords, as (index pairs, matrices)."""
    _, mats = _cliffords_1q()
    pairs = tuple((i, j) for i in range(len(mats)) for j in range(len(mats)))
    prods = np.array([np.kron(mats[i], mats[j]) for i, j in pairs])
    return pairs, prods


def _split_block(m: _C, atol: float) -> tuple[list[Gate], _C, _C] | None:
    """``m = (L_a x L_b) K`` with K Clifford: (K's gates on 0/1, L_a, L_b), or None."""
    words, _ = _cliffords_1q()
    pairs, prods = _local_cliffords_2q()
    base = m @ prods.conj().swapaxes(-1, -2)  # m P^dagger for every local Clifford P
    for interaction, int_gates in _interactions():
        cand = base @ interaction.conj().T  # m (Int P)^dagger
        sv = np.linalg.svd(_realign(cand), compute_uv=False)
        ok = np.nonzero(sv[:, 1] < atol)[0]
        if len(ok) == 0:
            continue
        k = int(ok[np.argmin(sv[ok, 1])])
        u, s, vh = np.linalg.svd(_realign(cand[k]))
        la: _C = (u[:, 0] * math.sqrt(s[0])).reshape(2, 2).astype(np.complex128)
        lb: _C = (vh[0, :] * math.sqrt(s[0])).reshape(2, 2).astype(np.complex128)
        pa, pb = pairs[k]
        gates = [Gate(g, (0,)) for g in words[pa]] + [Gate(g, (1,)) for g in words[pb]]
        return gates + list(int_gates), la, lb
    return None


def cirq_to_neutral(
    circuit: cirq.Circuit,
    qubit_index: dict[Any, int],
    num_qubits: int,
    *,
    atol: float = ATOL,
) -> Circuit:
    """Read a Clifford ``cirq.Circuit`` back as qclone's neutral circuit (see module doc).

    Raises:
        NonCliffordError: a gate or block with no exact Clifford meaning (the message names
            the Cirq operations); also for measurements, channels and >2-qubit operations.
        ExportError: an operation on a qubit missing from ``qubit_index``.
    """
    import cirq

    for op in circuit.all_operations():
        if not cirq.has_unitary(op):
            raise NonCliffordError(
                f"operation {op!r} has no unitary; only unitary Clifford circuits can be verified"
            )
        for qid in op.qubits:
            if qid not in qubit_index:
                raise ExportError(f"operation {op!r} acts on {qid}, which is not on the target")
        if len(op.qubits) > 2:
            circuit = cirq.Circuit(cirq.decompose(circuit, keep=lambda o: len(o.qubits) <= 2))
            break
    merged = cirq.merge_k_qubit_unitaries(circuit, k=2, rewriter=lambda o: o)

    def members(op: Any) -> list[str]:
        inner = getattr(op, "untagged", op)
        if isinstance(inner, cirq.CircuitOperation):
            return [str(o) for o in inner.circuit.all_operations()]
        return [str(op)]

    pending: dict[int, _C] = {}
    pending_ops: dict[int, list[str]] = {}
    out: list[Gate] = []
    eye = np.eye(2, dtype=np.complex128)

    def take(q: int) -> _C:
        return pending.pop(q, eye)

    for op in merged.all_operations():
        qs = [qubit_index[q] for q in op.qubits]
        u = np.asarray(cirq.unitary(op), dtype=np.complex128)
        if len(qs) == 1:
            q = qs[0]
            pending[q] = u @ pending.get(q, eye)
            pending_ops.setdefault(q, []).extend(members(op))
            continue
        a, b = qs
        m = u @ np.kron(pending.get(a, eye), pending.get(b, eye))
        split = _split_block(m, atol)
        if split is None:
            involved = pending_ops.get(a, []) + pending_ops.get(b, []) + members(op)
            raise NonCliffordError(
                f"the operations on {op.qubits[0]} and {op.qubits[1]} are not Clifford (no "
                "Clifford two-qubit gate matches their block up to single-qubit gates): "
                + ", ".join(involved[-16:])
            )
        gates, la, lb = split
        take(a), take(b)
        out.extend(g.mapped({0: a, 1: b}) for g in gates)
        pending[a], pending[b] = la, lb
        pending_ops[a] = pending_ops[b] = members(op)
    label = {i: q for q, i in qubit_index.items()}
    for q in sorted(pending):
        word = _match_clifford_1q(pending[q], atol)
        if word is None:
            raise NonCliffordError(
                f"the gates on qubit {label[q]} after its last Clifford point multiply to a "
                "non-Clifford gate: " + ", ".join(pending_ops.get(q, [])[-16:])
            )
        out.extend(Gate(g, (q,)) for g in word)
    return Circuit(num_qubits, tuple(out))


def verify_cirq(
    result: CompileResult,
    cirq_circuits: Sequence[cirq.Circuit] | LoweredCirq,
    *,
    raise_on_failure: bool = True,
    atol: float = ATOL,
    qubit_index: Mapping[Any, int] | None = None,
) -> list[PhaseVerdict]:
    """Prove the Cirq circuits of ``result``'s phases equal to the program's meaning.

    Each circuit is read back with :func:`cirq_to_neutral` and checked by
    :func:`qclone.verification.verify_phase` on a copy of ``result`` whose phases carry the
    rebuilt circuits (layouts unchanged). ``qubit_index`` maps each Cirq qubit to its qubit
    index in ``result`` (default: :func:`target_qubits` of the result's target).

    Raises:
        NonCliffordError: a circuit that is not Clifford.
        VerificationError: a phase that differs from its meaning (unless
            ``raise_on_failure=False``, which returns the verdicts).
    """
    from qclone.verification import verify_phase

    circuits = cirq_circuits.phases if isinstance(cirq_circuits, LoweredCirq) else cirq_circuits
    if len(circuits) != len(result.phases):
        raise VerificationError(
            f"got {len(circuits)} Cirq circuits for {len(result.phases)} phases; pass one "
            "circuit per phase (e.g. lower(result).phases)"
        )
    if qubit_index is None:
        qubits = target_qubits(result.target, result.num_qubits)
        index = {q: i for i, q in enumerate(qubits)}
    else:
        index = dict(qubit_index)
    phases = tuple(
        dataclasses.replace(ph, circuit=cirq_to_neutral(c, index, result.num_qubits, atol=atol))
        for ph, c in zip(result.phases, circuits, strict=True)
    )
    rebuilt = dataclasses.replace(result, phases=phases)
    verdicts = []
    for i in range(len(phases)):
        v = verify_phase(rebuilt, i)
        verdicts.append(v)
        if not v.ok and raise_on_failure:
            raise VerificationError("Cirq circuit: " + v.reason)
    return verdicts


# --- moment-aware depth and duration ---------------------------------------------------------
@dataclass(frozen=True)
class CirqCost:
    """Depth as Cirq's moments after ``cirq.align_left`` and duration from the device.

    ``duration_ns`` adds, over the moments of every phase, the longest operation of the moment
    (operations in one moment run in parallel); a gate whose duration the device does not
    give is listed in ``not_costed`` and counted as zero there, never silently.
    """

    moments: int
    two_qubit_moments: int
    duration_ns: float
    phase_moments: tuple[int, ...]
    phase_duration_ns: tuple[float, ...]
    not_costed: tuple[str, ...]


def _op_duration(op: cirq.Operation, durations: Mapping[str, float]) -> float | None:
    import cirq

    gate = op.gate
    if gate is None:
        return None
    keys = [str(gate), type(gate).__name__]
    if isinstance(gate, cirq.CZPowGate) and gate.exponent == 1:
        keys.insert(0, "CZ")
    if isinstance(gate, cirq.ZPowGate):
        keys = ["ZPowGate"]  # virtual Z: the device lists its duration (0 ns)
    for key in keys:
        if key in durations and (durations[key] > 0 or key == "ZPowGate"):
            return float(durations[key])
    return None


def moment_cost(lowered: LoweredCirq, target: Target | None) -> CirqCost:
    """Moments (after left alignment, per phase so no gate crosses a phase) and duration."""
    import cirq

    durations: Mapping[str, float] = getattr(target, "gate_durations_ns", {}) or {}
    missing: set[str] = set()
    moments = []
    two_q = 0
    times = []
    for phase in lowered.phases:
        aligned = cirq.drop_empty_moments(cirq.align_left(phase))
        moments.append(len(aligned))
        total = 0.0
        for moment in aligned:
            longest = 0.0
            if any(len(op.qubits) == 2 for op in moment.operations):
                two_q += 1
            for op in moment.operations:
                d = _op_duration(op, durations)
                if d is None:
                    missing.add(str(op.gate))
                    continue
                longest = max(longest, d)
            total += longest
        times.append(total)
    return CirqCost(
        moments=sum(moments),
        two_qubit_moments=two_q,
        duration_ns=sum(times),
        phase_moments=tuple(moments),
        phase_duration_ns=tuple(times),
        not_costed=tuple(sorted(missing)),
    )
