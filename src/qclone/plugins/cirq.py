"""qclone inside Cirq: the protocol's operations as ``cirq.Gate``s, and a routing transformer.

* :class:`EncryptedClone` ``(n)`` acts on ``2n + 1`` qubits in the order
  ``A, S_1..S_n, N_1..N_n`` (the data, the clones, the key; clones and key start in ``|0>``).
  It decomposes into qclone's textbook clone (:func:`qclone.passes.synthesize.clone_textbook`:
  n Bell pairs and the two CNOT ladders of U_enc), which keeps every role on its own qubit.
  (qclone's cheaper teleport clone ends with the data's qubit and S_1's qubit exchanged, which
  a fixed-arity gate cannot express; the compiler uses it, the gate does not.)
* :class:`Recover` ``(n, j, mode)`` acts on ``2n`` qubits ``S_1..S_n, N_1..N_n`` (the whole
  module, so a circuit says which clone belongs to which key) and touches only ``S_j`` and the
  key: ``mode="exact"`` is the paper's U_dec(j) (:func:`~qclone.passes.synthesize.
  recover_paper`), ``"functional"`` the cheaper recovery that leaves the key as junk.
* :func:`program_from_cirq` reads a circuit of these gates as a qclone
  :class:`~qclone.ir.Program`; :func:`qclone_route` (a ``@cirq.transformer``) compiles it with
  qclone's protocol-aware placement for a device and returns the lowered circuit
  (:mod:`qclone.lower.cirq`: phases compiled apart, then concatenated);
  :func:`compile_cirq` also returns the :class:`~qclone.compiled.CompileResult` (role map,
  costs) and the per-phase circuits.

Both gates work with ``cirq.unitary`` (small n), simulators and
``cirq.optimize_for_target_gateset`` through their decompositions. This module imports cirq;
``import qclone`` never imports it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import cirq

from qclone.circuit import Gate as NeutralGate
from qclone.errors import CopyIndexError, InvalidProgram, TooFewCopies, VerificationError
from qclone.ir import Program
from qclone.lower.cirq import LoweredCirq, lower, neutral_gate_table, verify_cirq
from qclone.passes.synthesize import clone_textbook, recover_paired, recover_paper

if TYPE_CHECKING:
    from qclone.compiled import CompileResult
    from qclone.ir.ops import RecoverMode
    from qclone.targets import Target
    from qclone.verification import PhaseVerdict

__all__ = [
    "EncryptedClone",
    "Recover",
    "compile_cirq",
    "program_from_cirq",
    "qclone_route",
    "to_cirq",
    "verify_phases",
]


def _ops(gates: Sequence[NeutralGate], qubits: Sequence[cirq.Qid]) -> Iterator[cirq.Operation]:
    for g in gates:
        yield neutral_gate_table()[g.name].on(*(qubits[q] for q in g.qubits))


def _copies(n: object) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise InvalidProgram(f"copies must be an integer, got {n!r}")
    if n < 2:
        raise TooFewCopies(
            f"EncryptedClone({n}): a single clone is not encrypted (S_1 leaks the input's Y "
            "component); use n >= 2"
        )
    return n


class EncryptedClone(cirq.Gate):
    """Clone the data into ``n`` encrypted clones: qubits ``A, S_1..S_n, N_1..N_n``.

    Examples:
        >>> import cirq
        >>> q = cirq.LineQubit.range(5)
        >>> c = cirq.Circuit(EncryptedClone(2).on(*q))
        >>> cirq.unitary(c).shape
        (32, 32)
    """

    def __init__(self, n: int) -> None:
        self.n = _copies(n)

    def _num_qubits_(self) -> int:
        return 2 * self.n + 1

    def _decompose_(self, qubits: Sequence[cirq.Qid]) -> Iterator[cirq.Operation]:
        n = self.n
        syn = clone_textbook(0, list(range(1, n + 1)), list(range(n + 1, 2 * n + 1)))
        yield from _ops(syn.gates(), qubits)

    def _circuit_diagram_info_(self, args: Any) -> tuple[str, ...]:
        n = self.n
        return (
            f"Clone{n}:A",
            *(f"S{k}" for k in range(1, n + 1)),
            *(f"N{k}" for k in range(1, n + 1)),
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EncryptedClone) and other.n == self.n

    def __hash__(self) -> int:
        return hash(("EncryptedClone", self.n))

    def __repr__(self) -> str:
        return f"qclone.plugins.cirq.EncryptedClone({self.n})"


class Recover(cirq.Gate):
    """Decrypt clone ``j`` of an ``n``-clone module: qubits ``S_1..S_n, N_1..N_n``.

    The data ends on ``S_j``. ``mode="exact"`` is U_dec(j) of the paper; ``"functional"``
    only promises the data on ``S_j`` (the key qubits are left as junk).
    """

    def __init__(self, n: int, j: int, mode: RecoverMode = "exact") -> None:
        self.n = _copies(n)
        if isinstance(j, bool) or not isinstance(j, int) or not 1 <= j <= self.n:
            raise CopyIndexError(f"Recover({n}, {j}): the clone index must be in 1..{n}")
        if mode not in ("exact", "functional"):
            raise InvalidProgram(f"Recover mode must be 'exact' or 'functional', got {mode!r}")
        self.j = j
        self.mode: RecoverMode = mode

    def _num_qubits_(self) -> int:
        return 2 * self.n

    def _decompose_(self, qubits: Sequence[cirq.Qid]) -> Iterator[cirq.Operation]:
        n, j = self.n, self.j
        s, m = j - 1, n + j - 1
        others = [n + k for k in range(n) if k != j - 1]
        synth = recover_paper if self.mode == "exact" else recover_paired
        yield from _ops(synth(s, m, others).gates(), qubits)

    def _circuit_diagram_info_(self, args: Any) -> tuple[str, ...]:
        n, j = self.n, self.j
        tag = "" if self.mode == "exact" else "f"
        return (
            *((f"Recover{tag}{j}:S{k}" if k == j else f"S{k}") for k in range(1, n + 1)),
            *(f"N{k}" for k in range(1, n + 1)),
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Recover) and (other.n, other.j, other.mode) == (
            self.n,
            self.j,
            self.mode,
        )

    def __hash__(self) -> int:
        return hash(("Recover", self.n, self.j, self.mode))

    def __repr__(self) -> str:
        return f"qclone.plugins.cirq.Recover({self.n}, {self.j}, {self.mode!r})"


_BAD = re.compile(r"[^A-Za-z0-9_]")


def _data_name(q: cirq.Qid) -> str:
    if isinstance(q, cirq.NamedQubit):
        raw = q.name
    elif isinstance(q, cirq.GridQubit):
        raw = f"q_{q.row}_{q.col}"
    elif isinstance(q, cirq.LineQubit):
        raw = f"q_{q.x}"
    else:
        raw = f"q_{q}"
    name = _BAD.sub("_", raw)
    return name if re.match(r"[A-Za-z_]", name) else "q_" + name


def _read(circuit: cirq.AbstractCircuit) -> tuple[Program, dict[cirq.Qid, str]]:
    """The program and the wire each qubit holds first (see :func:`program_from_cirq`)."""
    p = Program()
    wire: dict[cirq.Qid, str] = {}  # the program wire a qubit holds now
    first: dict[cirq.Qid, str] = {}  # the wire a qubit holds first
    modules: dict[tuple[cirq.Qid, ...], str] = {}  # S and N qubits of a clone -> module
    for op in circuit.all_operations():
        gate = op.gate
        if isinstance(gate, EncryptedClone):
            a = op.qubits[0]
            if a not in wire:
                wire[a] = str(p.data(_data_name(a)))
            module = p.clone(wire[a], copies=gate.n)
            n = gate.n
            for k in range(1, n + 1):
                wire[op.qubits[k]] = module.clone(k).name
                wire[op.qubits[n + k]] = module.key(k).name
            modules[tuple(op.qubits[1:])] = module.name
        elif isinstance(gate, Recover):
            name = modules.get(tuple(op.qubits))
            if name is None:
                raise InvalidProgram(
                    f"{op}: a Recover must act on the S_1..S_n, N_1..N_n qubits of an earlier "
                    "EncryptedClone, in that order"
                )
            out = p.recover(name, copy=gate.j, mode=gate.mode)
            wire[op.qubits[gate.j - 1]] = out.name
        else:
            raise InvalidProgram(
                f"{op}: qclone compiles circuits of EncryptedClone and Recover gates only; "
                "apply other gates before or after the qclone_route transformer"
            )
        for q in op.qubits:
            first.setdefault(q, wire[q])
    if not p.ops:
        raise InvalidProgram("the circuit holds no EncryptedClone gate")
    return p, first


def program_from_cirq(circuit: cirq.AbstractCircuit) -> Program:
    """The qclone program of a circuit made of :class:`EncryptedClone` and :class:`Recover`.

    An ``EncryptedClone`` whose data qubit holds a clone of an earlier module clones that
    clone (series composition); a ``Recover`` must act on exactly the ``S`` and ``N`` qubits of
    one earlier clone, in order.

    Raises:
        InvalidProgram: any other operation, or a ``Recover`` that matches no clone (the
            message names the operation); protocol errors (key reuse, ...) as
            :class:`~qclone.errors.InvalidProgram` subclasses from the program builder.
    """
    return _read(circuit)[0]


def verify_phases(
    circuit: cirq.AbstractCircuit, phase_circuits: Sequence[cirq.Circuit]
) -> list[PhaseVerdict]:
    """Prove Cirq circuits (one per phase, e.g. each phase of ``circuit`` compiled on its own
    with ``cirq.optimize_for_target_gateset``) equal to the meaning of ``circuit``'s program.

    The circuits must keep every role on the qubit the plug-in gates give it (as the gates'
    own decompositions do). Raises :class:`~qclone.errors.VerificationError` or
    :class:`~qclone.errors.NonCliffordError`.
    """
    import qclone

    program, first = _read(circuit)
    result = qclone.compile(program, None, clone_strategy="textbook", verify=False)
    windex = {w: i for i, w in enumerate(result.analysis.wires)}
    for ph in result.phases:  # the plug-in gates keep every role in place
        if any(ph.initial[w] != i or ph.final[w] != i for w, i in windex.items()):
            raise VerificationError(  # pragma: no cover - textbook + paper keep roles
                "qclone's reference layout moves roles; cannot compare in place"
            )
    return verify_cirq(result, phase_circuits, qubit_index={q: windex[w] for q, w in first.items()})


def _target(device: str | Target) -> Target:
    from qclone.targets import get_target

    return get_target(device)


def compile_cirq(
    circuit: cirq.AbstractCircuit,
    device: str | Target = "google:willow",
    *,
    clone_strategy: str = "auto",
) -> tuple[CompileResult, LoweredCirq]:
    """Compile a circuit of plug-in gates for ``device`` (verified) and lower it to Cirq."""
    import qclone

    result = qclone.compile(
        program_from_cirq(circuit), _target(device), clone_strategy=clone_strategy
    )
    return result, lower(result)


@cirq.transformer
def qclone_route(
    circuit: cirq.AbstractCircuit,
    *,
    context: cirq.TransformerContext | None = None,
    device: str | Target = "google:willow",
) -> cirq.Circuit:
    """Cirq transformer: compile the plug-in gates with qclone for ``device``.

    Returns the lowered circuit on the device's qubits (the phases compiled apart). The role
    map (which device qubit holds which clone and key) is in :func:`compile_cirq`'s result.
    """
    return compile_cirq(circuit, device)[1].circuit


def to_cirq(
    obj: Program | CompileResult, target: str | Target | None = None, *, optimize: bool = True
) -> cirq.Circuit:
    """A program (compiled for ``target`` first; all-to-all role qubits if None) or a
    compiled result as one lowered ``cirq.Circuit``."""
    import qclone

    result = qclone.compile(obj, target) if isinstance(obj, Program) else obj
    return lower(result, optimize=optimize).circuit
