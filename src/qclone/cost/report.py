"""The cost report of a compiled program."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qclone.compiled import PhaseCircuit


@dataclass(frozen=True)
class PhaseCost:
    phase: int
    two_qubit: int
    one_qubit: int
    depth: int
    two_qubit_depth: int
    logical_two_qubit: int
    swaps: int
    strategy: str
    synthesis_swaps: int = 0


@dataclass(frozen=True)
class CostReport:
    """Gate counts, depths and routing overhead, per phase and in total.

    ``logical_two_qubit`` counts the two-qubit gates of the synthesized protocol before
    routing (a SWAP as three); ``synthesis_swaps`` the SWAPs a layout-aware synthesis placed
    itself (counted in ``logical_two_qubit``); ``swaps`` the SWAPs the router added (each costs
    up to three two-qubit gates, two when merged with the gate before it). Depths are ASAP
    layer counts per phase, added over phases (phases never overlap: storage sits between
    them).
    """

    target: str
    two_qubit: int
    one_qubit: int
    depth: int
    two_qubit_depth: int
    logical_two_qubit: int
    swaps: int
    strategy: str
    phases: tuple[PhaseCost, ...]
    two_qubit_gate: str = "cx"
    synthesis_swaps: int = 0

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["phases"] = [asdict(p) for p in self.phases]
        return d

    def summary(self) -> str:
        lines = [
            f"target            {self.target}",
            f"routing strategy  {self.strategy}",
            f"2Q gates          {self.two_qubit} ({self.two_qubit_gate}; {self.logical_two_qubit} "
            f"before routing, {self.swaps} SWAPs added by routing, {self.synthesis_swaps} "
            "placed by the synthesis)",
            f"1Q gates          {self.one_qubit}",
            f"depth             {self.depth}",
            f"2Q depth          {self.two_qubit_depth}",
        ]
        for p in self.phases:
            lines.append(
                f"  phase {p.phase}: 2Q {p.two_qubit}, 1Q {p.one_qubit}, depth {p.depth}, "
                f"2Q depth {p.two_qubit_depth}, SWAPs {p.swaps}"
            )
        return "\n".join(lines)


def cost_report(
    target: str,
    phases: list[PhaseCircuit],
    logical: list[PhaseCircuit],
    two_qubit_gate: str,
) -> CostReport:
    costs = []
    for ph, lg in zip(phases, logical, strict=True):
        c = ph.circuit
        costs.append(
            PhaseCost(
                phase=ph.index,
                two_qubit=c.two_qubit_count(),
                one_qubit=c.one_qubit_count(),
                depth=c.depth(),
                two_qubit_depth=c.depth(two_qubit_only=True),
                logical_two_qubit=lg.circuit.two_qubit_count(),
                swaps=ph.swaps,
                strategy=ph.strategy,
                synthesis_swaps=lg.circuit.swap_count(),
            )
        )
    strategies = sorted({p.strategy for p in costs})
    return CostReport(
        target=target,
        two_qubit=sum(p.two_qubit for p in costs),
        one_qubit=sum(p.one_qubit for p in costs),
        depth=sum(p.depth for p in costs),
        two_qubit_depth=sum(p.two_qubit_depth for p in costs),
        logical_two_qubit=sum(p.logical_two_qubit for p in costs),
        swaps=sum(p.swaps for p in costs),
        strategy="; ".join(strategies),
        phases=tuple(costs),
        two_qubit_gate=two_qubit_gate,
        synthesis_swaps=sum(p.synthesis_swaps for p in costs),
    )
