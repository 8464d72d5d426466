"""qclone compile benchmark: scaling on a large grid, and head-to-head with Qiskit on heavy-hex.

Run (needs the ``bench`` extra for the Qiskit part):

    pip install -e ".[bench]"
    python benchmarks/bench_compile.py            # full run (a few minutes on 2 cores)
    python benchmarks/bench_compile.py --quick    # small sizes only

Part 1 compiles ``single_clone(n, recover=1)`` (clone, storage, exact recovery of clone 1) for
n = 10, 100, 1000, 10000 on ``grid:150x150`` and prints the compile time, the verification
time, two-qubit count and depth. Part 2 compiles the same program for n up to 76 on IBM's
heavy-hex lattices and transpiles the textbook circuit of the same program (5n CNOTs for the
clone, 2n + 1 for the recovery: 7n + 1 in all) with Qiskit ``transpile`` at optimization levels
1 and 3 onto the same coupling map, in the same run; it prints the ratios of two-qubit counts
and depths (Qiskit / qclone). Every qclone circuit in the table is verified.
"""

from __future__ import annotations

import argparse
import sys
import time

import qclone
from qclone.ir import single_clone
from qclone.verification import verify


def scaling(ns: list[int], target: str) -> None:
    print(f"## Scaling: single_clone(n, recover=1) on {target}")
    print()
    print(
        "| n | qubits | compile s | verify s | 2Q | 2Q before routing | SWAPs | depth | strategy |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for n in ns:
        program = single_clone(n, recover=1)
        t0 = time.perf_counter()
        result = qclone.compile(program, target, verify=False)
        t1 = time.perf_counter()
        verify(result)
        t2 = time.perf_counter()
        c = result.cost
        strategy = result.phases[0].strategy.split(":")[0]
        print(
            f"| {n} | {2 * n + 1} | {t1 - t0:.2f} | {t2 - t1:.2f} | {c.two_qubit} | "
            f"{c.logical_two_qubit} | {c.swaps} | {c.depth} | {strategy} |",
            flush=True,
        )
    print()


def _qiskit_counts(qasm: str, edges: list[tuple[int, int]], level: int) -> tuple[int, int, float]:
    from qiskit import qasm2, transpile
    from qiskit.transpiler import CouplingMap

    circuit = qasm2.loads(qasm)
    cmap = CouplingMap([*edges, *[(b, a) for a, b in edges]])
    t0 = time.perf_counter()
    out = transpile(
        circuit,
        coupling_map=cmap,
        basis_gates=["cz", "rz", "sx", "x"],
        optimization_level=level,
        seed_transpiler=11,
    )
    dt = time.perf_counter() - t0
    two = sum(1 for inst in out.data if inst.operation.num_qubits == 2)
    return two, out.depth(), dt


def head_to_head(ns: list[int], targets: list[str]) -> None:
    try:
        import qiskit
    except ImportError:
        print("(Qiskit head-to-head skipped: pip install -e '.[bench]')")
        return
    print(f"## Head-to-head with Qiskit {qiskit.__version__} transpile (same coupling map)")
    print()
    print(
        "Program: clone n copies, storage, exact recovery of clone 1. Qiskit gets the textbook "
        "circuit (7n + 1 two-qubit gates); ratios are Qiskit / qclone (higher is better for "
        "qclone)."
    )
    print()
    print(
        "| target | n | textbook 2Q | qclone 2Q | qclone depth | L1 2Q | L3 2Q | L3 depth | "
        "L1/qclone 2Q | L3/qclone 2Q | L3/qclone depth | qclone s | L3 s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for spec in targets:
        target = qclone.get_target(spec)
        edges = [(int(a), int(b)) for a, b in target.graph.edges]
        for n in ns:
            if 2 * n + 1 > target.num_qubits:
                continue
            program = single_clone(n, recover=1)
            textbook = qclone.compile(program, None, clone_strategy="textbook", verify=False)
            qasm = textbook.to_qasm()
            t0 = time.perf_counter()
            ours = qclone.compile(program, target)  # verified
            ours_s = time.perf_counter() - t0
            l1, _, _ = _qiskit_counts(qasm, edges, 1)
            l3, l3_depth, l3_s = _qiskit_counts(qasm, edges, 3)
            c = ours.cost
            print(
                f"| {spec} | {n} | {textbook.cost.two_qubit} | {c.two_qubit} | {c.depth} | "
                f"{l1} | {l3} | {l3_depth} | {l1 / c.two_qubit:.2f} | {l3 / c.two_qubit:.2f} | "
                f"{l3_depth / c.depth:.2f} | {ours_s:.2f} | {l3_s:.2f} |",
                flush=True,
            )
    print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    args = parser.parse_args(argv)
    if args.quick:
        scaling([10, 100], "grid:30x30")
        head_to_head([2, 10, 20], ["heavy-hex:9"])
    else:
        scaling([10, 100, 1000, 10000], "grid:150x150")
        head_to_head(
            [2, 5, 10, 20, 40, 60, 76],
            ["heavy-hex:9", "heavy-hex-rows:8x16", "grid:13x13", "line:160"],
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
