"""Pass: program -> per-phase blocks of Clifford gates on role slots (one slot per wire)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from qclone.circuit import CircuitBuilder
from qclone.compiled import PhaseCircuit
from qclone.errors import CompilationError, SymbolicSizeError
from qclone.ir.ops import Clone, Recover
from qclone.ir.program import Analysis
from qclone.passes.synthesize import CLONE_STRATEGIES, RECOVER_STRATEGIES, Block, Synthesis
from qclone.semantics.reference import op_slots

CloneSynthesis = Callable[[int, list[int], list[int]], Synthesis]
RecoverSynthesis = Callable[[int, int, list[int]], Synthesis | None]


@dataclass(frozen=True)
class LogicalPhase:
    """One phase as synthesized: blocks of commuting chains on slots, and the relabelling."""

    index: int
    blocks: tuple[Block, ...]
    initial: dict[str, int]
    final: dict[str, int]

    def to_phase_circuit(self, num_slots: int) -> PhaseCircuit:
        b = CircuitBuilder(num_slots)
        for block in self.blocks:
            for chain in block:
                b.extend(chain)
        return PhaseCircuit(self.index, b.build(), dict(self.initial), dict(self.final))


def decompose(
    analysis: Analysis,
    *,
    clone_strategy: str | CloneSynthesis = "teleport",
    recover_strategy: RecoverSynthesis | None = None,
    recover_functional: RecoverSynthesis | None = None,
) -> list[LogicalPhase]:
    """Synthesize every phase; slot ``i`` starts as wire ``analysis.wires[i]``.

    ``clone_strategy`` names a synthesis of :data:`CLONE_STRATEGIES` (``"teleport"``: 3n or
    3n + 1 CNOTs; ``"path"``: 5n - 2 nearest-neighbour; ``"textbook"``: 5n) or is a function
    ``(a, [S_k slots], [N_k slots]) -> Synthesis``. ``recover_strategy``, if given, replaces
    the recover syntheses of both modes where it returns a synthesis (``None``: the default):
    ``(s, m, [other key slots]) -> Synthesis | None``. ``recover_functional``, if given, is
    tried first for a functional recover (it may leave the keys as junk).
    """
    synth = clone_strategy if callable(clone_strategy) else CLONE_STRATEGIES.get(clone_strategy)
    if synth is None:
        raise CompilationError(
            f"unknown clone strategy {clone_strategy!r}; use one of {sorted(CLONE_STRATEGIES)}"
        )
    for info in analysis.ops:
        if isinstance(info.op, Clone) and not isinstance(info.op.copies, int):
            raise SymbolicSizeError(
                f"{info.op.text()!r}: cannot compile a symbolic number of copies; use "
                "Program.substitute(n=...) first, or qclone.cost formulas for symbolic costs"
            )
    index = {w: i for i, w in enumerate(analysis.wires)}
    pos = dict(index)  # wire -> slot that holds it now
    phases = []
    for p in range(analysis.num_phases):
        initial = dict(pos)
        blocks: list[Block] = []
        for info in analysis.phase_ops(p):
            # op_slots reads slots through the current placement of the wires
            a, xs, ys = op_slots(info, pos)
            if isinstance(info.op, Clone):
                syn = synth(a, xs, ys)
            else:
                assert isinstance(info.op, Recover)
                found = None
                if recover_functional is not None and info.op.mode == "functional":
                    found = recover_functional(a, xs[0], ys)
                if found is None and recover_strategy is not None:
                    found = recover_strategy(a, xs[0], ys)
                syn = found or RECOVER_STRATEGIES[info.op.mode](a, xs[0], ys)
            blocks.extend(syn.blocks)
            if syn.moves:
                slot_to_wire = {s: w for w, s in pos.items()}
                for src, dst in syn.moves.items():
                    pos[slot_to_wire[src]] = dst
        phases.append(LogicalPhase(p, tuple(blocks), initial, dict(pos)))
    return phases
