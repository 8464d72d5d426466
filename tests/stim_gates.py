"""Shared test helper: a synthesis (or a list of gate tuples) as a stim circuit."""

from __future__ import annotations

import stim

from qclone.passes.synthesize import Synthesis

STIM_NAMES = {"h": "H", "s": "S", "sdg": "S_DAG", "cx": "CX", "cz": "CZ", "swap": "SWAP"}


def stim_circuit(gates: list[tuple[str, ...]] | Synthesis, size: int) -> stim.Circuit:
    """The gates on ``size`` qubits (the circuit always spans all of them)."""
    c = stim.Circuit()
    c.append("I", [size - 1])
    seq = [(g.name, *g.qubits) for g in gates.gates()] if isinstance(gates, Synthesis) else gates
    for name, *qs in seq:
        c.append(STIM_NAMES[str(name)], [int(q) for q in qs])
    return c
