"""qclone vs Cirq's RouteCQC on Google Willow: two-qubit gate counts, same device graph.

Program: clone n copies, storage, exact recovery of clone 1 (``single_clone(n, recover=1)``).

* qclone: ``qclone.compile(program, "google:willow")`` (protocol-aware placement, verified),
  lowered per phase with :mod:`qclone.lower.cirq` (CZ + single-qubit gates, validated on the
  device, verified again through stim).
* Cirq: the textbook circuit of the same program (``qclone.compile(program, None,
  clone_strategy="textbook")``, 7n + 1 CNOTs on role qubits) routed by
  ``cirq.RouteCQC(device.metadata.nx_graph)``, then ``cirq.optimize_for_target_gateset`` with the
  device's ``GoogleCZTargetGateset``, each phase on its own (a barrier-free whole-circuit
  optimization could merge across the storage boundary).

Run: ``python3 benchmarks/bench_google.py [n ...]`` (default n = 2 5 10 20 30 40 48).
"""

from __future__ import annotations

import sys
import time

import cirq

import qclone
from qclone.lower import cirq as lc
from qclone.targets.google import GoogleTarget


def two_qubit(c: cirq.AbstractCircuit) -> int:
    return sum(1 for op in c.all_operations() if len(op.qubits) == 2)


def run(n: int, target: GoogleTarget) -> dict[str, object]:
    program = qclone.single_clone(n, recover=1)
    t0 = time.perf_counter()
    result = qclone.compile(program, target)
    lowered = lc.lower(result)
    t_q = time.perf_counter() - t0
    lc.verify_cirq(result, lowered)
    target.device().validate_circuit(lowered.circuit)

    textbook = qclone.compile(program, None, clone_strategy="textbook")
    line = cirq.LineQubit.range(textbook.num_qubits)
    device = target.device()
    router = cirq.RouteCQC(device.metadata.nx_graph)
    gateset = target.compilation_gateset() if target.entangler == "cz" else cirq.CZTargetGateset()
    t0 = time.perf_counter()
    routed_total = 0
    mapping = None
    for ph in textbook.phases:
        c = lc.neutral_to_cirq(ph.circuit, line)
        if mapping is not None:  # later phases start from where the previous one ended
            c = c.transform_qubits(lambda q: mapping[q])  # noqa: B023
            routed, _, final = router.route_circuit(
                c, initial_mapper=cirq.HardCodedInitialMapper({q: q for q in mapping.values()})
            )
        else:
            routed, initial, final = router.route_circuit(c)
        native = cirq.optimize_for_target_gateset(routed, gateset=gateset)
        routed_total += two_qubit(native)
        if mapping is None:
            mapping = dict(initial)
        mapping = {q: final[mapping[q]] for q in mapping} if mapping is not None else None
    t_c = time.perf_counter() - t0
    return {
        "n": n,
        "qubits": 2 * n + 1,
        "textbook": textbook.cost.two_qubit,
        "qclone": two_qubit(lowered.circuit),
        "cirq": routed_total,
        "qclone_s": t_q,
        "cirq_s": t_c,
    }


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or [2, 5, 10, 20, 30, 40, 48]
    target = qclone.get_target("google:willow")
    assert isinstance(target, GoogleTarget)
    print(f"## {target.name}: {target.num_qubits} qubits, {target.num_edges} couplings, CZ\n")
    print(
        "| n | qubits | textbook 2Q | qclone 2Q | RouteCQC 2Q | RouteCQC/qclone "
        "| qclone s | RouteCQC s |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for n in sizes:
        r = run(n, target)
        ratio = int(r["cirq"]) / max(1, int(r["qclone"]))  # type: ignore[call-overload]
        print(
            f"| {r['n']} | {r['qubits']} | {r['textbook']} | {r['qclone']} | {r['cirq']} | "
            f"{ratio:.2f} | {r['qclone_s']:.2f} | {r['cirq_s']:.2f} |",
            flush=True,
        )


if __name__ == "__main__":
    main(sys.argv[1:])
