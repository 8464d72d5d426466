"""Compiled programs: one circuit per phase, with the role layout before and after it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qclone.circuit import Circuit

if TYPE_CHECKING:
    from qclone.cost import CostReport
    from qclone.ir.program import Analysis, Program
    from qclone.targets import Target


@dataclass(frozen=True)
class PhaseCircuit:
    """The circuit of one phase and where each wire's qubit sits before and after it.

    ``initial[w]`` / ``final[w]`` give the qubit index that holds wire ``w`` (a wire name of the
    program, e.g. ``psi`` or ``m0.S3``) at the start and at the end of the phase.
    """

    index: int
    circuit: Circuit
    initial: dict[str, int]
    final: dict[str, int]
    swaps: int = 0
    strategy: str = ""


@dataclass(frozen=True)
class CompileResult:
    """What :func:`qclone.compile` returns.

    ``logical`` holds the decomposed phases on role qubits (qubit ``i`` is wire ``i`` of the
    program); ``phases`` the routed phases on the target's qubits (equal to ``logical`` when
    no target was given).
    """

    program: Program
    analysis: Analysis
    target: Target | None
    logical: tuple[PhaseCircuit, ...]
    phases: tuple[PhaseCircuit, ...]
    cost: CostReport
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def num_qubits(self) -> int:
        return self.phases[0].circuit.num_qubits if self.phases else 0

    def circuit(self) -> Circuit:
        """All phases in one circuit (use :meth:`to_qasm` to keep the phase barriers)."""
        out = Circuit(self.num_qubits)
        for ph in self.phases:
            out = out + ph.circuit
        return out

    def roles(self, placement: dict[str, int]) -> dict[str, int]:
        names = self.analysis.roles
        return {names[w]: q for w, q in placement.items()}

    def role_map(self) -> dict[str, Any]:
        """The JSON role map: where each role's qubit starts, sits between phases, and ends."""
        out: dict[str, Any] = {
            "num_qubits": self.num_qubits,
            "initial": self.roles(self.phases[0].initial),
            "final": self.roles(self.phases[-1].final),
        }
        kinds = [self._phase_kind(i) for i in range(len(self.phases))]
        for i, ph in enumerate(self.phases[:-1]):
            key = f"after_{kinds[i]}"
            if key in out:
                key = f"after_phase{i}"
            out[key] = self.roles(ph.final)
        out["phases"] = kinds
        return out

    def _phase_kind(self, i: int) -> str:
        from qclone.ir.ops import Clone, Recover

        ops = [o.op for o in self.analysis.phase_ops(i)]
        has_c = any(isinstance(o, Clone) for o in ops)
        has_r = any(isinstance(o, Recover) for o in ops)
        return "clone" if has_c and not has_r else "recover" if has_r and not has_c else "mixed"

    def to_qasm(self) -> str:
        """One OpenQASM 2.0 file; a ``barrier`` over all qubits separates the phases."""
        total = Circuit(self.num_qubits)
        cuts = []
        for ph in self.phases:
            if len(total):
                cuts.append(len(total))
            total = total + ph.circuit
        return total.to_qasm(barriers_after=cuts)

    def role_map_json(self) -> str:
        return json.dumps(self.role_map(), indent=2)
