"""Reference meaning of each protocol op as a stim circuit on wire indices.

These circuits come straight from the protocol's definitions (arXiv:2501.02757; see
PROTOCOL.md), independent of the cheaper syntheses in :mod:`qclone.passes.synthesize`:

* clone: Bell pairs ``H(S_k); CNOT(S_k -> N_k)``, then ``exp(-i pi/4 Z_A Z_S1..Z_Sn)``, then
  ``exp(-i pi/4 X_A X_S1..X_Sn)``, written with stim's ``SPP`` gate (exp(-i pi/4 P) up to a
  global phase);
* exact recover: the gate form of U_dec(j), which the tests check against the defining sum
  ``sum_mu alpha_mu |phi_mu><phi_mu| (x) sigma_mu^T`` by statevector.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qclone.ir.ops import Clone, Recover, key_wire, signal_wire

if TYPE_CHECKING:
    import stim

    from qclone.ir.program import Analysis, OpInfo


def _spp(c: stim.Circuit, pauli: str, qubits: list[int]) -> None:
    import stim

    make = stim.target_x if pauli == "X" else stim.target_z
    c.append("SPP", stim.target_combined_paulis([make(q) for q in qubits]))


def clone_reference(c: stim.Circuit, a: int, s: list[int], k: list[int]) -> None:
    for si, ki in zip(s, k, strict=True):
        c.append("H", [si])
        c.append("CX", [si, ki])
    _spp(c, "Z", [a, *s])
    _spp(c, "X", [a, *s])


def recover_reference(c: stim.Circuit, s: int, m: int, others: list[int]) -> None:
    c.append("CX", [s, m])
    c.append("H", [s])
    for t in others:
        c.append("CZ", [s, t])
    for t in others:
        c.append("CX", [m, t])
    c.append("S", [s, m])
    c.append("CZ", [s, m])
    c.append("H", [s])
    c.append("CX", [s, m])


def op_slots(info: OpInfo, index: dict[str, int]) -> tuple[int, list[int], list[int]]:
    """For a clone: (A, [S_k], [N_k]); for a recover: (s, [m], [other keys])."""
    op = info.op
    if isinstance(op, Clone):
        n = int(op.copies)
        return (
            index[op.data],
            [index[signal_wire(op.module, k)] for k in range(1, n + 1)],
            [index[key_wire(op.module, k)] for k in range(1, n + 1)],
        )
    assert isinstance(op, Recover)
    s = index[info.wires[0]]
    keys = [index[w] for w in info.wires[1:]]
    m = keys[op.copy - 1]
    others = [q for i, q in enumerate(keys) if i != op.copy - 1]
    return s, [m], others


def phase_reference(analysis: Analysis, phase: int, index: dict[str, int]) -> stim.Circuit:
    """The meaning of one phase on wire indices (functional recovers as the exact U_dec)."""
    import stim

    c = stim.Circuit()
    for info in analysis.phase_ops(phase):
        a, xs, ys = op_slots(info, index)
        if isinstance(info.op, Clone):
            clone_reference(c, a, xs, ys)
        else:
            recover_reference(c, a, xs[0], ys)
    return c
