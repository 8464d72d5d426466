"""qclone vs pytket-quantinuum's default_compilation_pass on Quantinuum machines (offline).

For single_clone(n, recover=1): the textbook circuit (7n + 1 two-qubit gates, a barrier between
clone and recover) compiled by the backend's default pass at levels 1-3, against qclone's
teleport synthesis and its log-depth tree synthesis, each lowered with the backend's level-2
pass phase by phase and verified. Level 3 removes the barrier and merges the phases (the
result is no longer an encryption: see qclone.lower.pytket), so its numbers are a lower bound
no honest compile can reach. Prints a markdown table and a log fit of the tree's 2Q depth.

    python3 benchmarks/bench_quantinuum.py [--quick]
"""

from __future__ import annotations

import math
import sys

import numpy as np
from pytket.qasm import circuit_from_qasm_str

import qclone
from qclone.lower.pytket import compile_log_depth, lower, resolve_backend, two_qubit_depth


def main(quick: bool = False) -> None:
    machine = "H2-1"
    backend = resolve_backend(machine, None)
    sizes = [2, 4, 8, 16, 27] if not quick else [2, 4, 8]
    print(f"## quantinuum:{machine}: 2Q count / 2Q depth, single_clone(n, recover=1)\n")
    print("| n | textbook | L1 | L2 | L3 (merges phases) | qclone L2 | qclone log-depth L2 |")
    print("|---|---|---|---|---|---|---|")
    tree: list[tuple[int, int]] = []
    for n in sizes:
        program = qclone.single_clone(n, recover=1)
        qasm = qclone.compile(program, None, clone_strategy="textbook").to_qasm()
        cells = [f"{7 * n + 1}"]
        for level in (1, 2, 3):
            c = circuit_from_qasm_str(qasm)
            backend.default_compilation_pass(level).apply(c)
            cells.append(f"{c.n_2qb_gates()} / {two_qubit_depth(c)}")
        ours = lower(qclone.compile(program, f"quantinuum:{machine}"), optimisation_level=2)
        cells.append(f"{ours.two_qubit_count()} / {ours.two_qubit_depth()}")
        logd = lower(compile_log_depth(program, f"quantinuum:{machine}"), optimisation_level=2)
        cells.append(f"{logd.two_qubit_count()} / {logd.two_qubit_depth()}")
        tree.append((n, logd.two_qubit_depth()))
        print(f"| {n} | " + " | ".join(cells) + " |")
    xs = np.array([math.log2(n) for n, _ in tree])
    ys = np.array([d for _, d in tree], dtype=float)
    a, b = np.polyfit(xs, ys, 1)
    print(f"\nlog fit of the tree strategy's 2Q depth: {a:.2f} log2(n) + {b:.2f}")


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
