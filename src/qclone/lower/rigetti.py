"""Lower compiled programs to Rigetti Ankaa-3's native gates, as OpenQASM 3, and verify them.

Ankaa-3's native gates (Amazon Braket's developer guide, verbatim compilation) are ``rx``
with the angles +-pi/2 and +-pi only, ``rz`` with any angle, and ``iswap`` on the couplers of
the lattice. No Rigetti SDK can be installed next to cirq-google 1.7, so this module does the
lowering itself, exactly, for Clifford circuits (every phase qclone compiles is one):

1. each routed phase becomes a ``cirq.Circuit`` of qclone's neutral gates and is merged into
   blocks on at most two qubits (``cirq.merge_k_qubit_unitaries``), keeping a pending
   single-qubit Clifford per qubit as :mod:`qclone.lower.cirq` does when it verifies;
2. each two-qubit block ``M`` (pending gates folded in) is split as ``M = (L_a x L_b) Int
   (P_a x P_b)``, ``Int`` one of the four Clifford interaction classes; ``Int`` is replaced
   by its fewest-iSWAP form (identity: 0 iSWAPs, iSWAP class: 1, CZ class: 2, SWAP class: 3)
   with single-qubit Cliffords around and between the iSWAPs, found once by search and
   checked by their unitaries;
3. every single-qubit Clifford is written as its shortest word in ``rz(+-pi/2)``, ``rz(pi)``,
   ``rx(+-pi/2)`` and ``rx(pi)`` (fewest ``rx`` pulses first: ``rz`` is virtual on
   superconducting hardware).

Each phase is compiled on its own (nothing crosses the storage between clone and recover).
:func:`to_qasm` writes the phases as OpenQASM 3 in the form of Braket's verbatim boxes
(``#pragma braket verbatim`` + ``box { ... }`` on physical qubits ``$i``), one box per phase;
it has not been submitted to a device. :func:`lower` proves the native circuit equal to the
program with :func:`qclone.lower.cirq.verify_cirq`, and, with ``verify_qasm=True`` (default),
parses the OpenQASM it emits back (:func:`parse_qasm`, which checks the gate names, the ``rx``
angles and that every ``iswap`` is on a coupler) and proves the parsed circuit too.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from qclone.errors import CompilationError, ExportError, NonCliffordError, TargetTooSmall

if TYPE_CHECKING:
    import cirq

    from qclone.compiled import CompileResult
    from qclone.targets import Target
    from qclone.verification import PhaseVerdict

__all__ = [
    "NATIVE_GATES",
    "LoweredRigetti",
    "clifford_word",
    "interaction_cores",
    "lower",
    "parse_qasm",
    "to_qasm",
]

_C = npt.NDArray[np.complex128]

#: The native gates the emitted OpenQASM uses, with the angles it allows.
NATIVE_GATES: dict[str, tuple[str, ...]] = {
    "rx": ("pi/2", "-pi/2", "pi", "-pi"),
    "rz": ("any",),
    "iswap": (),
}

_ANGLES: dict[str, float] = {"pi/2": math.pi / 2, "-pi/2": -math.pi / 2, "pi": math.pi}
_ATOL = 1e-6

# A native instruction: ("rx" | "rz", angle text, qubit) or ("iswap", "", a, b).
Instr = tuple[Any, ...]


def _rx(theta: float) -> _C:
    c, s = math.cos(theta / 2), math.sin(theta / 2)
    return np.array([[c, -1j * s], [-1j * s, c]], dtype=np.complex128)


def _rz(theta: float) -> _C:
    return np.diag([np.exp(-0.5j * theta), np.exp(0.5j * theta)]).astype(np.complex128)


#: ``iswap`` as OpenQASM 3 / Braket / cirq define it (qubit order (a, b), big-endian).
ISWAP: _C = np.array(
    [[1, 0, 0, 0], [0, 0, 1j, 0], [0, 1j, 0, 0], [0, 0, 0, 1]], dtype=np.complex128
)


def native_unitary(name: str, angle: str = "") -> _C:
    """The unitary of one native gate (``"rx"``/``"rz"`` with an angle text, or ``"iswap"``)."""
    if name == "iswap":
        return ISWAP
    theta = _angle(angle)
    return _rx(theta) if name == "rx" else _rz(theta)


def _angle(text: str) -> float:
    text = text.replace(" ", "")
    if text in _ANGLES:
        return _ANGLES[text]
    if text == "-pi":
        return -math.pi
    try:
        return float(text)
    except ValueError:
        raise ExportError(f"cannot read the angle {text!r}") from None


# --- single-qubit Cliffords as rx/rz words -----------------------------------------------------
_WORD_GATES: tuple[tuple[str, str], ...] = (
    ("rz", "pi/2"),
    ("rz", "-pi/2"),
    ("rz", "pi"),
    ("rx", "pi/2"),
    ("rx", "-pi/2"),
    ("rx", "pi"),
)


def _same_up_to_phase(a: _C, b: _C, atol: float = _ATOL) -> bool:
    return bool(abs(abs(np.vdot(a, b)) / 2 - 1) < atol)


@cache
def _clifford_words() -> tuple[tuple[_C, tuple[tuple[str, str], ...]], ...]:
    """The 24 single-qubit Cliffords with their best word (fewest ``rx``, then shortest)."""
    from itertools import product

    from qclone.lower.cirq import _cliffords_1q

    _, mats = _cliffords_1q()
    best: list[tuple[tuple[int, int], tuple[tuple[str, str], ...]] | None] = [None] * len(mats)
    for length in range(0, 6):
        for word in product(_WORD_GATES, repeat=length):
            u = np.eye(2, dtype=np.complex128)
            for name, angle in word:
                u = native_unitary(name, angle) @ u
            cost = (sum(1 for g, _ in word if g == "rx"), length)
            for k, m in enumerate(mats):
                if _same_up_to_phase(m, u):
                    current = best[k]
                    if current is None or cost < current[0]:
                        best[k] = (cost, tuple(word))
                    break
    assert all(b is not None for b in best)
    return tuple((mats[k], b[1]) for k, b in enumerate(best) if b is not None)


def clifford_word(u: _C, *, atol: float = _ATOL) -> tuple[tuple[str, str], ...]:
    """The native word (``(gate, angle)`` pairs, in time order) of a single-qubit Clifford.

    Raises:
        NonCliffordError: ``u`` is not a single-qubit Clifford (up to phase).
    """
    for mat, word in _clifford_words():
        if _same_up_to_phase(mat, u, atol):
            return word
    raise NonCliffordError("a single-qubit gate of the phase is not a Clifford gate")


# --- two-qubit Clifford blocks -> iSWAP cores --------------------------------------------------
@dataclass(frozen=True)
class _Core:
    """``Int = (A x B) core (C x D)``; ``core`` is iSWAPs with single-qubit Cliffords between
    (``("iswap",)`` or ``("1q", which, matrix)``, in time order)."""

    a: _C
    b: _C
    c: _C
    d: _C
    core: tuple[tuple[Any, ...], ...]
    iswaps: int


def _core_unitary(core: Sequence[tuple[Any, ...]]) -> _C:
    u = np.eye(4, dtype=np.complex128)
    eye = np.eye(2, dtype=np.complex128)
    for item in core:
        if item[0] == "iswap":
            u = ISWAP @ u
        else:
            m = item[2]
            u = (np.kron(m, eye) if item[1] == 0 else np.kron(eye, m)) @ u
    return u


def _solve_locals(target: _C, core_u: _C) -> tuple[_C, _C, _C, _C] | None:
    """``target = (A x B) core_u (C x D)`` with C, D Clifford: (A, B, C, D), or None."""
    from qclone.lower.cirq import _cliffords_1q, _local_cliffords_2q, _realign

    _, mats = _cliffords_1q()
    pairs, prods = _local_cliffords_2q()
    cand = target @ prods.conj().swapaxes(-1, -2) @ core_u.conj().T
    sv = np.linalg.svd(_realign(cand), compute_uv=False)
    ok = np.nonzero(sv[:, 1] < _ATOL)[0]
    if len(ok) == 0:
        return None
    k = int(ok[0])
    u, s, vh = np.linalg.svd(_realign(cand[k]))
    a = (u[:, 0] * math.sqrt(s[0])).reshape(2, 2).astype(np.complex128)
    b = (vh[0, :] * math.sqrt(s[0])).reshape(2, 2).astype(np.complex128)
    i, j = pairs[k]
    return a, b, mats[i], mats[j]


@cache
def interaction_cores() -> tuple[_Core | None, ...]:
    """The fewest-iSWAP form of each Clifford interaction class of :mod:`qclone.lower.cirq`
    (identity: None; CZ class: 2 iSWAPs; iSWAP class: 1; SWAP class: 3), each checked by its
    unitary."""
    from qclone.lower.cirq import _cliffords_1q, _interactions

    ints = [m for m, _ in _interactions()]
    _, mats = _cliffords_1q()
    s_dg = np.diag([1, -1j]).astype(np.complex128)
    one: tuple[tuple[Any, ...], ...] = (("iswap",),)
    # CZ class: iSWAP (M_a x M_b) iSWAP for some single-qubit Cliffords M
    cz_like = ints[1]
    two: tuple[tuple[Any, ...], ...] | None = None
    found2: tuple[_C, _C, _C, _C] | None = None
    for ma in mats:
        for mb in mats:
            core: tuple[tuple[Any, ...], ...] = (
                ("iswap",),
                ("1q", 0, ma),
                ("1q", 1, mb),
                ("iswap",),
            )
            found2 = _solve_locals(cz_like, _core_unitary(core))
            if found2 is not None:
                two = core
                break
        if two is not None:
            break
    assert two is not None and found2 is not None
    # SWAP class: SWAP = iSWAP (S^dagger x S^dagger) CZ, with the two-iSWAP core for the CZ
    cz = np.diag([1, 1, 1, -1]).astype(np.complex128)
    solved_cz = _solve_locals(cz, _core_unitary(two))
    assert solved_cz is not None
    a2, b2, _, _ = solved_cz
    three = (*two, ("1q", 0, s_dg @ a2), ("1q", 1, s_dg @ b2), ("iswap",))
    out: list[_Core | None] = [None]
    for cls, core, n in ((1, two, 2), (2, one, 1), (3, three, 3)):
        cu = _core_unitary(core)
        solved = _solve_locals(ints[cls], cu)
        assert solved is not None, f"no {n}-iSWAP form of interaction class {cls}"
        a, b, c, d = solved
        rebuilt = np.kron(a, b) @ cu @ np.kron(c, d)
        assert np.allclose(rebuilt, ints[cls], atol=1e-9), cls
        out.append(_Core(a, b, c, d, core, n))
    return tuple(out)


def _classify(m: _C) -> tuple[int, _C, _C, _C, _C]:
    """``m = (L_a x L_b) Int_cls (P_a x P_b)``: (cls, L_a, L_b, P_a, P_b)."""
    from qclone.lower.cirq import _interactions

    for cls, (interaction, _) in enumerate(_interactions()):
        solved = _solve_locals(m, interaction)
        if solved is not None:
            return (cls, *solved)
    raise NonCliffordError("a two-qubit block of the phase is not a Clifford gate")


@cache
def _classify_cached(key: bytes) -> tuple[int, _C, _C, _C, _C]:
    m = np.frombuffer(key, dtype=np.complex128).reshape(4, 4)
    return _classify(m)


def _canonical_key(m: _C) -> bytes:
    flat = m.reshape(-1)
    k = int(np.argmax(np.abs(flat) > 1e-6))
    phase = flat[k] / abs(flat[k])
    canon = np.round(m / phase, 9) + 0.0  # +0.0 turns -0.0 into 0.0
    return bytes(canon.astype(np.complex128).tobytes())


def _lower_phase(circuit: cirq.Circuit, index: dict[Any, int]) -> list[Instr]:
    """Native instructions of one neutral phase (see the module docstring)."""
    import cirq

    merged = cirq.merge_k_qubit_unitaries(circuit, k=2, rewriter=lambda o: o)
    cores = interaction_cores()
    eye = np.eye(2, dtype=np.complex128)
    pending: dict[int, _C] = {}
    out: list[Instr] = []

    def emit_1q(q: int, u: _C) -> None:
        out.extend((name, angle, q) for name, angle in clifford_word(u))

    for op in merged.all_operations():
        qs = [index[q] for q in op.qubits]
        u = np.asarray(cirq.unitary(op), dtype=np.complex128)
        if len(qs) == 1:
            pending[qs[0]] = u @ pending.get(qs[0], eye)
            continue
        a, b = qs
        m = u @ np.kron(pending.pop(a, eye), pending.pop(b, eye))
        key = _canonical_key(m)
        cls, la, lb, pa, pb = _classify_cached(key)
        m_canon = np.frombuffer(key, dtype=np.complex128).reshape(4, 4)
        assert np.allclose(np.abs(m_canon), np.abs(m), atol=1e-6)
        core = cores[cls]
        if core is None:
            pending[a], pending[b] = la @ pa, lb @ pb
            continue
        emit_1q(a, core.c @ pa)
        emit_1q(b, core.d @ pb)
        for item in core.core:
            if item[0] == "iswap":
                out.append(("iswap", "", a, b))
            else:
                emit_1q(a if item[1] == 0 else b, item[2])
        pending[a], pending[b] = la @ core.a, lb @ core.b
    for q in sorted(pending):
        emit_1q(q, pending[q])
    return out


# --- containers, OpenQASM ----------------------------------------------------------------------
@dataclass(frozen=True)
class LoweredRigetti:
    """A compiled program in Ankaa-3's native gates.

    ``instructions[p]`` is phase ``p`` as ``("rx"|"rz", angle, q)`` / ``("iswap", "", a, b)``
    tuples on the target's qubit indices; ``phases`` the same as ``cirq.Circuit`` s on
    ``cirq.LineQubit(i)``; ``qasm`` the OpenQASM 3 text (:func:`to_qasm`).
    """

    instructions: tuple[tuple[Instr, ...], ...]
    phases: tuple[cirq.Circuit, ...]
    qubits: tuple[cirq.Qid, ...]
    qasm: str

    def counts(self) -> dict[str, int]:
        """Native instructions by name (``rx``, ``rz``, ``iswap``)."""
        out: dict[str, int] = {}
        for phase in self.instructions:
            for ins in phase:
                out[ins[0]] = out.get(ins[0], 0) + 1
        return out

    def iswap_count(self) -> int:
        return self.counts().get("iswap", 0)


def instructions_to_cirq(instrs: Sequence[Instr], qubits: Sequence[cirq.Qid]) -> cirq.Circuit:
    """Native instructions as a ``cirq.Circuit`` (``cirq.rx``, ``cirq.rz``, ``cirq.ISWAP``)."""
    import cirq

    ops: list[cirq.Operation] = []
    for ins in instrs:
        if ins[0] == "iswap":
            ops.append(cirq.ISWAP(qubits[ins[2]], qubits[ins[3]]))
        elif ins[0] == "rx":
            ops.append(cirq.rx(_angle(ins[1])).on(qubits[ins[2]]))
        else:
            ops.append(cirq.rz(_angle(ins[1])).on(qubits[ins[2]]))
    return cirq.Circuit(ops)


def to_qasm(lowered: LoweredRigetti | Sequence[Sequence[Instr]], *, device: str = "Ankaa-3") -> str:
    """OpenQASM 3 of the native phases, one Braket verbatim box per phase.

    Rigetti's native gate names as Braket lists them: ``rx(angle)`` (angles pi/2, -pi/2, pi
    only), ``rz(angle)``, ``iswap``; qubits are physical (``$i``). Not submitted to a device.
    """
    phases = lowered.instructions if isinstance(lowered, LoweredRigetti) else lowered
    lines = [
        "OPENQASM 3.0;",
        f"// Rigetti {device} native gates (Amazon Braket verbatim set): rx(+-pi/2 or pi), "
        "rz(theta), iswap",
        "// written by qclone; one verbatim box per phase (nothing is merged across phases)",
    ]
    for p, instrs in enumerate(phases):
        lines.append(f"// phase {p}")
        lines.append("#pragma braket verbatim")
        lines.append("box {")
        for ins in instrs:
            if ins[0] == "iswap":
                lines.append(f"  iswap ${ins[2]}, ${ins[3]};")
            else:
                lines.append(f"  {ins[0]}({ins[1]}) ${ins[2]};")
        lines.append("}")
    return "\n".join(lines) + "\n"


_LINE = re.compile(r"(rx|rz)\(([^)]*)\)\s+\$(\d+);|iswap\s+\$(\d+)\s*,\s*\$(\d+);")


def parse_qasm(text: str, target: Target | None = None) -> list[list[Instr]]:
    """Read back what :func:`to_qasm` writes: the native instructions of each phase box.

    Checks every instruction against Ankaa-3's rules: only ``rx``/``rz``/``iswap``, ``rx``
    angles +-pi/2 or +-pi, qubits on ``target`` and every ``iswap`` on one of its couplers.

    Raises:
        ExportError: a line outside the subset, a forbidden angle, an unknown qubit or an
            ``iswap`` on qubits with no coupler.
    """
    phases: list[list[Instr]] = []
    current: list[Instr] | None = None
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if (
            not line
            or line.startswith("//")
            or line in ("OPENQASM 3.0;", "#pragma braket verbatim")
        ):
            continue
        if line == "box {":
            current = []
            continue
        if line == "}":
            if current is None:
                raise ExportError(f"line {n}: '}}' outside a box")
            phases.append(current)
            current = None
            continue
        match = _LINE.fullmatch(line)
        if match is None or current is None:
            raise ExportError(f"line {n}: {line!r} is not a native Ankaa-3 instruction in a box")
        if match.group(1):
            name, angle, q = match.group(1), match.group(2).replace(" ", ""), int(match.group(3))
            if name == "rx" and angle not in NATIVE_GATES["rx"]:
                raise ExportError(f"line {n}: rx({angle}) - Ankaa-3 runs rx at +-pi/2, +-pi only")
            _angle(angle)
            qs = [q]
            current.append((name, angle, q))
        else:
            a, b = int(match.group(4)), int(match.group(5))
            qs = [a, b]
            if target is not None and not target.is_adjacent(a, b):
                raise ExportError(f"line {n}: iswap ${a}, ${b} - no coupler joins them")
            current.append(("iswap", "", a, b))
        if target is not None and any(not 0 <= q < target.num_qubits for q in qs):
            raise ExportError(f"line {n}: qubit outside 0..{target.num_qubits - 1}")
    if current is not None:
        raise ExportError("unterminated box at the end of the text")
    return phases


# --- lowering ----------------------------------------------------------------------------------
def _target(result: CompileResult) -> Target:
    t = result.target
    if t is None or not t.name.startswith("rigetti:"):
        raise CompilationError(
            f"the program was compiled for {t.name if t is not None else 'no target'}, not a "
            "Rigetti device; compile it for rigetti:ankaa-3 (the lowering keeps qubit indices "
            "and needs every iswap on a coupler)"
        )
    if result.num_qubits > t.num_qubits:  # pragma: no cover - the pipeline checks the size
        raise TargetTooSmall(f"the program uses {result.num_qubits} qubits, {t.name} has fewer")
    return t


def lower(
    result: CompileResult, *, verify: bool = True, verify_qasm: bool = True
) -> LoweredRigetti:
    """Lower ``result`` (compiled for ``rigetti:ankaa-3``) to rx/rz/iswap, phase by phase.

    With ``verify=True`` the native circuits are proven equal to the program's meaning; with
    ``verify_qasm=True`` too, the emitted OpenQASM is parsed back (rules checked) and the
    parsed circuits are proven as well.

    Raises:
        CompilationError: the program was not compiled for a Rigetti target.
        ExportError: the emitted OpenQASM breaks a native-gate rule (a bug).
        VerificationError: a lowered phase differs from the program's meaning.
    """
    import cirq

    from qclone.lower import cirq as lc

    target = _target(result)
    qubits = tuple(cirq.LineQubit.range(result.num_qubits))
    index = {q: i for i, q in enumerate(qubits)}
    instructions: list[tuple[Instr, ...]] = []
    for ph in result.phases:
        neutral = lc.neutral_to_cirq(ph.circuit, qubits)
        instrs = tuple(_lower_phase(neutral, index))
        for ins in instrs:
            if ins[0] == "iswap" and not target.is_adjacent(ins[2], ins[3]):
                raise CompilationError(f"phase {ph.index}: iswap on {ins[2:]} has no coupler")
        instructions.append(instrs)
    phases = tuple(instructions_to_cirq(i, qubits) for i in instructions)
    lowered = LoweredRigetti(
        tuple(instructions), phases, qubits, to_qasm(instructions, device="Ankaa-3")
    )
    if verify:
        verify_rigetti(result, lowered, from_qasm=False)
        if verify_qasm:
            verify_rigetti(result, lowered, from_qasm=True)
    return lowered


def verify_rigetti(
    result: CompileResult, lowered: LoweredRigetti, *, from_qasm: bool = True
) -> list[PhaseVerdict]:
    """Prove the lowered phases (or, with ``from_qasm``, the phases parsed back from the
    OpenQASM text) equal to the program's meaning."""
    from qclone.lower import cirq as lc

    if from_qasm:
        parsed = parse_qasm(lowered.qasm, result.target)
        if len(parsed) != len(result.phases):
            raise ExportError(
                f"the OpenQASM has {len(parsed)} phase boxes, the program {len(result.phases)}"
            )
        circuits = [instructions_to_cirq(p, lowered.qubits) for p in parsed]
    else:
        circuits = list(lowered.phases)
    index = {q: i for i, q in enumerate(lowered.qubits)}
    return lc.verify_cirq(result, circuits, qubit_index=index)
