"""The compile pipeline: decompose -> place -> route -> rebase -> (verify)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qclone.compiled import CompileResult, PhaseCircuit
from qclone.cost.report import cost_report
from qclone.ir.program import Program
from qclone.passes.decompose import decompose
from qclone.passes.place import place
from qclone.passes.rebase import rebase
from qclone.passes.route import route

if TYPE_CHECKING:
    import networkx as nx

    from qclone.targets import Target

ROUTING_STRATEGY = "protocol-aware placement + commuting-block hub routing"


def compile(
    program: Program,
    target: Target | str | nx.Graph | None = None,
    *,
    clone_strategy: str = "teleport",
    verify: bool = True,
) -> CompileResult:
    """Compile ``program`` for ``target`` (a :class:`Target`, a spec such as ``"grid:10x10"``,
    or a networkx graph); ``None`` stops after decomposition (all-to-all, role qubits).

    With ``verify=True`` (the default) every phase is proven equal to the program's meaning
    before the result is returned (:func:`qclone.verify`).

    Examples:
        >>> from qclone.ir import single_clone
        >>> r = compile(single_clone(4, recover=2), "grid:4x4")
        >>> r.cost.two_qubit >= r.cost.logical_two_qubit
        True
    """
    from qclone.targets import get_target

    analysis = program.analysis()
    phases = decompose(analysis, clone_strategy=clone_strategy)
    num_slots = len(analysis.wires)
    logical = [ph.to_phase_circuit(num_slots) for ph in phases]
    if target is None:
        routed = [
            PhaseCircuit(
                lp.index,
                rebase(lp.circuit, "cx"),
                lp.initial,
                lp.final,
                0,
                "none (role qubits, all-to-all)",
            )
            for lp in logical
        ]
        report = cost_report("logical (all-to-all)", routed, logical, "cx")
        tgt = None
    else:
        tgt = get_target(target)
        layout = place([b for ph in phases for b in ph.blocks], num_slots, tgt)
        routed = []
        strategy = "direct (all-to-all)" if tgt.all_to_all else ROUTING_STRATEGY
        for ph, lp in zip(phases, logical, strict=True):
            r = route(ph.blocks, tgt, layout)
            routed.append(
                PhaseCircuit(
                    ph.index,
                    rebase(r.circuit, tgt.two_qubit_gate),
                    {w: layout[s] for w, s in lp.initial.items()},
                    {w: r.final[s] for w, s in lp.final.items()},
                    r.swaps,
                    strategy,
                )
            )
            layout = r.final
        report = cost_report(tgt.name, routed, logical, tgt.two_qubit_gate)
    result = CompileResult(
        program=program,
        analysis=analysis,
        target=tgt,
        logical=tuple(logical),
        phases=tuple(routed),
        cost=report,
        options={"clone_strategy": clone_strategy},
    )
    if verify:
        from qclone.verify import verify as _verify

        _verify(result)
    return result
