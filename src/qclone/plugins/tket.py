"""qclone inside pytket: protocol boxes and a ``CustomPass`` that synthesizes them.

A tket user puts the protocol into a circuit as boxes (on qubits ``A, S_1..S_n, N_1..N_n``):

* :func:`clone_box` ``(n)``: a ``CircBox`` named ``qclone.clone:n=<n>``, defined as the
  protocol's clone (Bell pairs, then ``exp(-i pi/4 Z..Z)`` and ``exp(-i pi/4 X..X)`` as
  ``PauliExpBox`` es). It is an isometry: ``S_k`` and ``N_k`` must start in ``|0>``.
* :func:`recover_box` ``(n, j)``: a ``CircBox`` named ``qclone.recover:n=<n>,j=<j>`` on the same
  ``2n + 1`` qubits, defined as the paper's gate form of U_dec(j) (``A`` is untouched).

:func:`qclone_pass` returns a ``CustomPass`` that replaces each such box with qclone's
synthesis (the teleport clone, ``3n`` CNOTs (+1 for odd n) plus a SWAP that puts the roles
back in place, or with ``log_depth=True`` the tree clone and tree recovery of
:mod:`qclone.lower.pytket`). Run it before the backend's pass::

    SequencePass([qclone_pass(), backend.default_compilation_pass(2)]).apply(circuit)

Keep a ``Barrier`` between a clone and its recovery (storage sits there): the backend's level 3
pass removes barriers, and clone + recover with nothing between them is just a SWAP.
Other boxes and ops pass through unchanged. Without the pass, ``DecomposeBoxes`` expands the
boxes to their (textbook) definitions.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from qclone.circuit import Circuit
from qclone.errors import CompilationError

__all__ = [
    "CLONE_NAME",
    "RECOVER_NAME",
    "clone_box",
    "clone_replacement",
    "qclone_pass",
    "recover_box",
    "recover_replacement",
    "synthesize_boxes",
]

CLONE_NAME = "qclone.clone"
RECOVER_NAME = "qclone.recover"
_CLONE_RE = re.compile(r"qclone\.clone:n=(\d+)")
_RECOVER_RE = re.compile(r"qclone\.recover:n=(\d+),j=(\d+)")


def _check(n: int, j: int | None = None) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise CompilationError(
            f"a qclone box needs n >= 2 clones (a single clone is not encrypted), got {n!r}"
        )
    if j is not None and (isinstance(j, bool) or not isinstance(j, int) or not 1 <= j <= n):
        raise CompilationError(f"recover_box: copy j must be in 1..{n}, got {j!r}")


def clone_box(n: int) -> Any:
    """A ``CircBox`` on ``2n + 1`` qubits ``(A, S_1..S_n, N_1..N_n)``: the clone isometry."""
    from pytket import Circuit as TkCircuit
    from pytket.circuit import CircBox, PauliExpBox
    from pytket.pauli import Pauli

    _check(n)
    c = TkCircuit(2 * n + 1, name=f"{CLONE_NAME}:n={n}")
    for k in range(1, n + 1):
        c.H(k).CX(k, n + k)
    chain = list(range(n + 1))
    c.add_pauliexpbox(PauliExpBox([Pauli.Z] * (n + 1), 0.5), chain)  # acts first
    c.add_pauliexpbox(PauliExpBox([Pauli.X] * (n + 1), 0.5), chain)
    return CircBox(c)


def recover_box(n: int, j: int) -> Any:
    """A ``CircBox`` on ``2n + 1`` qubits ``(A, S_1..S_n, N_1..N_n)``: U_dec(j) (the gate form
    of arXiv:2501.02757; ``A`` is untouched)."""
    from pytket import Circuit as TkCircuit
    from pytket.circuit import CircBox

    _check(n, j)
    from qclone.lower.pytket import neutral_to_pytket
    from qclone.passes.synthesize import recover_paper

    s, m, others = _recover_slots(n, j)
    gates = recover_paper(s, m, others).gates()
    c = neutral_to_pytket(Circuit(2 * n + 1, tuple(gates)))
    box = TkCircuit(2 * n + 1, name=f"{RECOVER_NAME}:n={n},j={j}")
    box.append(c)
    return CircBox(box)


def _recover_slots(n: int, j: int) -> tuple[int, int, list[int]]:
    return j, n + j, [n + k for k in range(1, n + 1) if k != j]


@cache
def clone_replacement(n: int, log_depth: bool = False) -> Circuit:
    """qclone's clone on the box's qubits, roles kept in place (a SWAP undoes the teleport
    clone's relabelling of ``A`` and ``S_1``)."""
    from qclone.circuit import Gate
    from qclone.lower.pytket import clone_tree
    from qclone.passes.synthesize import clone_teleport

    _check(n)
    synth = clone_tree if log_depth else clone_teleport
    syn = synth(0, list(range(1, n + 1)), list(range(n + 1, 2 * n + 1)))
    gates = [*syn.gates(), Gate("swap", (0, 1))]
    return Circuit(2 * n + 1, tuple(gates))


@cache
def recover_replacement(n: int, j: int, log_depth: bool = False) -> Circuit:
    """qclone's exact recovery of clone ``j`` on the box's qubits."""
    from qclone.lower.pytket import recover_log
    from qclone.passes.synthesize import recover_paper

    _check(n, j)
    synth = recover_log if log_depth else recover_paper
    return Circuit(2 * n + 1, tuple(synth(*_recover_slots(n, j)).gates()))


def _replacement(name: str, log_depth: bool) -> Circuit | None:
    if (mc := _CLONE_RE.fullmatch(name)) is not None:
        return clone_replacement(int(mc.group(1)), log_depth)
    if (mr := _RECOVER_RE.fullmatch(name)) is not None:
        return recover_replacement(int(mr.group(1)), int(mr.group(2)), log_depth)
    return None


def synthesize_boxes(circ: Any, *, log_depth: bool = False) -> Any:
    """A copy of ``circ`` with every qclone box replaced by qclone's synthesis (CX, CZ, SWAP,
    H, S, Sdg, X, Y, Z); every other command unchanged."""
    from pytket import Circuit as TkCircuit
    from pytket import OpType

    from qclone.lower.pytket import _TKET_NAMES

    out = TkCircuit()
    for q in circ.qubits:
        out.add_qubit(q)
    for b in circ.bits:
        out.add_bit(b)
    out.add_phase(circ.phase)
    for cmd in circ.get_commands():
        op = cmd.op
        repl = None
        if op.type == OpType.CircBox:
            inner = op.get_circuit()
            repl = _replacement(str(inner.name or ""), log_depth)
            if repl is not None and repl.num_qubits != len(cmd.args):
                raise CompilationError(
                    f"box {inner.name} on {len(cmd.args)} wires; it needs {repl.num_qubits}"
                )
        if repl is None:
            if op.type == OpType.Barrier:
                out.add_barrier(cmd.args)
            else:
                out.add_gate(op, cmd.args)
            continue
        for g in repl.gates:
            out.add_gate(getattr(OpType, _TKET_NAMES[g.name]), [cmd.args[q] for q in g.qubits])
    return out


def qclone_pass(*, log_depth: bool = False) -> Any:
    """A pytket ``CustomPass`` (label ``"qclone"``) that synthesizes the qclone boxes."""
    from pytket.passes import CustomPass

    def transform(circ: Any) -> Any:
        return synthesize_boxes(circ, log_depth=log_depth)

    return CustomPass(transform, label="qclone")
