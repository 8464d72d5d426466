"""qclone against Qiskit's own compiler on IBM Heron fake backends, in one run.

Run (needs the ``ibm`` extra):

    pip install -e ".[ibm]"
    python benchmarks/bench_ibm.py                      # fez, marrakesh, kingston, torino
    python benchmarks/bench_ibm.py --devices fez --ns 2,10,40

For each device and n, the program is ``single_clone(n, recover=1)`` (clone, storage, exact
recovery of clone 1). qclone compiles it with its own layout (which leaves out the couplings
and qubits the snapshot reports dead), lowers it to the backend's basis (``qclone.lower.qiskit
.lower``: checked against ``backend.target``, QPY round trip, verified). Qiskit gets the
textbook circuit of the same program (5n CNOTs for the clone, 2n + 1 for the recovery) and
``transpile(..., backend=<fake backend>, optimization_level=L, seed_transpiler=11)`` for
L = 1 and 3, in the same run. Both sides are then scored the same way: two-qubit gates, depth,
the product of (1 - error) over the gates from the backend's snapshot
(``qclone.lower.qiskit.success_probability``), and the number of gates on dead couplings
(error 1 in the snapshot). Ratios are Qiskit / qclone (higher is better for qclone).
"""

from __future__ import annotations

import argparse
import sys
import time

import qclone
from qclone.ir import single_clone

DEFAULT_NS = [2, 5, 10, 20, 30, 40, 50, 60, 64, 70, 76]


def _dead_gates(circuit: object, dead: set[tuple[int, int]]) -> int:
    count = 0
    for inst in circuit.data:  # type: ignore[attr-defined]
        if inst.operation.num_qubits == 2:
            a, b = sorted(circuit.find_bit(q).index for q in inst.qubits)  # type: ignore[attr-defined]
            count += (a, b) in dead
    return count


def run(devices: list[str], ns: list[int]) -> None:
    import qiskit
    from qiskit import qasm2, transpile

    from qclone.lower.qiskit import lower, success_probability
    from qclone.targets.ibm import ibm_target

    print(f"## qclone vs Qiskit {qiskit.__version__} transpile on IBM fake backends")
    print()
    print(
        "| device | n | qclone 2Q | qclone depth | qclone success | L1 2Q | L3 2Q | L3 depth | "
        "L3 success | L3 gates on dead couplings | L1/qclone 2Q | L3/qclone 2Q | "
        "L3/qclone depth | qclone s | L3 s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for device in devices:
        tgt = ibm_target(device)
        backend = tgt.backend()
        dead = set(tgt.faulty_couplings)
        room = len(tgt.usable().connected_components()[0])
        for n in ns:
            if 2 * n + 1 > room:
                print(
                    f"| ibm:{device} | {n} | out of qubits: {room} working connected qubits "
                    f"hold n <= {(room - 1) // 2} | | | | | | | | | | | | |"
                )
                continue
            program = single_clone(n, recover=1)
            t0 = time.perf_counter()
            ours = lower(qclone.compile(program, tgt))  # verified at both steps
            ours_s = time.perf_counter() - t0
            ours_two = ours.two_qubit_count()
            ours_depth = ours.circuit.depth(lambda i: i.operation.name != "barrier")
            textbook = qclone.compile(program, None, clone_strategy="textbook", verify=False)
            circuit = qasm2.loads(textbook.to_qasm())
            rows = {}
            for level in (1, 3):
                t1 = time.perf_counter()
                out = transpile(
                    circuit, backend=backend, optimization_level=level, seed_transpiler=11
                )
                dt = time.perf_counter() - t1
                two = sum(1 for inst in out.data if inst.operation.num_qubits == 2)
                prob, _ = success_probability(out, backend)
                rows[level] = (two, out.depth(), prob, _dead_gates(out, dead), dt)
            l1, l3 = rows[1], rows[3]
            print(
                f"| ibm:{device} | {n} | {ours_two} | {ours_depth} | "
                f"{ours.success_probability:.3g} | {l1[0]} | {l3[0]} | {l3[1]} | {l3[2]:.3g} | "
                f"{l3[3]} | {l1[0] / ours_two:.2f} | {l3[0] / ours_two:.2f} | "
                f"{l3[1] / ours_depth:.2f} | {ours_s:.2f} | {l3[4]:.2f} |",
                flush=True,
            )
    print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--devices", default="fez,marrakesh,kingston,torino")
    parser.add_argument("--ns", default=",".join(map(str, DEFAULT_NS)))
    args = parser.parse_args(argv)
    run(
        [d.strip() for d in args.devices.split(",") if d.strip()],
        [int(x) for x in args.ns.split(",") if x.strip()],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
