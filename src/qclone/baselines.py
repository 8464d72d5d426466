"""Generic compilers of each ecosystem on the textbook circuit: the head-to-head baselines.

For a program and a target, :func:`generic_two_qubit` compiles the program's *textbook*
circuit (``clone_strategy="textbook"``: 5n CNOTs for the clone, 2n + 1 for an exact recovery)
with the generic compiler a user of that ecosystem would reach for, phase by phase, and counts
its two-qubit gates:

* Google targets: ``cirq.RouteCQC`` on the device graph, then
  ``cirq.optimize_for_target_gateset`` (CZ gateset);
* Quantinuum targets: the backend's own ``default_compilation_pass(2)`` (level 3 removes the
  barrier between the phases and would merge clone and recover into a SWAP);
* every other target: Qiskit ``transpile(optimization_level=3)`` with the target's coupling
  map and a CZ (or CX) basis.

These counts are not verified by qclone (they are the other compilers' output).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qclone.errors import MissingExtraError

if TYPE_CHECKING:
    from qclone.ir.program import Program
    from qclone.targets import Target


def generic_two_qubit(program: Program, target: Target) -> tuple[int, str]:
    """``(two-qubit gate count, compiler name)`` of the generic compiler for ``target``."""
    from qclone.passes.pipeline import compile as qcompile

    textbook = qcompile(program, None, clone_strategy="textbook", verify=False)
    name = target.name.split(":")[0]
    if name == "google":
        return _cirq_routecqc(textbook, target), "cirq.RouteCQC + CZ gateset"
    if name == "quantinuum":
        return _tket_default(textbook, target), "tket default_compilation_pass(2)"
    return _qiskit_level3(textbook, target), "qiskit transpile(optimization_level=3)"


def _qiskit_level3(textbook: Any, target: Target) -> int:
    try:
        from qiskit import qasm2, transpile
        from qiskit.transpiler import CouplingMap
    except ImportError:
        raise MissingExtraError(
            "the Qiskit baseline needs qiskit: pip install -e '.[bench]' (or '.[ibm]')"
        ) from None
    edges = [(int(a), int(b)) for a, b in target.graph.edges]
    cmap = None if target.all_to_all else CouplingMap([*edges, *[(b, a) for a, b in edges]])
    out = transpile(
        qasm2.loads(textbook.to_qasm()),
        coupling_map=cmap,
        basis_gates=[target.two_qubit_gate, "rz", "sx", "x"],
        optimization_level=3,
        seed_transpiler=11,
    )
    return sum(1 for inst in out.data if inst.operation.num_qubits == 2)


def _tket_default(textbook: Any, target: Target) -> int:
    from pytket.qasm import circuit_from_qasm_str  # type: ignore[attr-defined]

    from qclone.lower.pytket import resolve_backend

    backend = resolve_backend(None, target)
    total = 0
    for ph in textbook.phases:
        qasm = ph.circuit.to_qasm()
        c = circuit_from_qasm_str(qasm)
        backend.default_compilation_pass(2).apply(c)
        total += int(c.n_2qb_gates())
    return total


def _cirq_routecqc(textbook: Any, target: Target) -> int:
    import cirq

    from qclone.lower.cirq import neutral_to_cirq

    device = target.device()  # type: ignore[attr-defined]
    router = cirq.RouteCQC(device.metadata.nx_graph)
    line = cirq.LineQubit.range(textbook.num_qubits)
    total = 0
    mapping: dict[Any, Any] | None = None
    for ph in textbook.phases:
        c = neutral_to_cirq(ph.circuit, line)
        if mapping is None:
            routed, initial, final = router.route_circuit(c)
            mapping = {q: final[initial[q]] for q in initial}
        else:
            placed = dict(mapping)
            c = c.transform_qubits(placed.__getitem__)
            routed, _, final = router.route_circuit(
                c, initial_mapper=cirq.HardCodedInitialMapper({q: q for q in placed.values()})
            )
            mapping = {q: final[placed[q]] for q in placed}
        native = cirq.optimize_for_target_gateset(routed, gateset=cirq.CZTargetGateset())
        total += sum(1 for op in native.all_operations() if len(op.qubits) == 2)
    return total
