"""Time the secrecy check of compiled clone phases and the leakage audit.

Run: ``python3 benchmarks/bench_secrecy.py`` — for n clones (n = 100 ... 10000) compiles
``single_clone(n, recover=1)`` without verification, then times
``qclone.verification.check_secrecy`` on the clone phase (logical qubits, and routed on a grid
large enough for the program), next to the equivalence proof of the same phase
(``verify_phase``) for scale. Then times the leakage audit: building the stabilizer state of
the clone and classifying one coalition (all clones, no key) for a few n. Pass sizes as
arguments to change the sweep, e.g. ``python3 benchmarks/bench_secrecy.py 3000``.
"""

from __future__ import annotations

import math
import sys
import time

from qclone.audit import LeakageAudit
from qclone.ir import single_clone
from qclone.passes.pipeline import compile as compile_program
from qclone.verification import check_secrecy, verify_phase

SIZES = (100, 1000, 3000, 10000)
AUDIT_SIZES = (10, 100, 1000, 3000)


def grid_for(n: int) -> str:
    side = math.isqrt(2 * n + 1) + 2
    return f"grid:{side}x{side}"


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or list(SIZES)
    print("## Secrecy check of the clone phase (seconds)\n")
    print("| n | target | qubits | compile | secrecy check | equivalence proof | secret |")
    print("|---|---|---|---|---|---|---|")
    for n in sizes:
        for target in (None, grid_for(n)):
            t0 = time.perf_counter()
            result = compile_program(single_clone(n, recover=1), target, verify=False)
            t1 = time.perf_counter()
            verdict = check_secrecy(result, 0)
            t2 = time.perf_counter()
            verify_phase(result, 0)
            t3 = time.perf_counter()
            assert verdict is not None
            print(
                f"| {n} | {target or 'none'} | {result.num_qubits} | {t1 - t0:.2f} | "
                f"{t2 - t1:.2f} | {t3 - t2:.2f} | {verdict.ok} |"
            )
    print("\n## Leakage audit (seconds)\n")
    print("| n | build state | one coalition (all clones) | what it learns |")
    print("|---|---|---|---|")
    for n in AUDIT_SIZES if not argv else [int(a) for a in argv]:
        result = compile_program(single_clone(n), None, verify=False)
        t0 = time.perf_counter()
        audit = LeakageAudit(result)
        t1 = time.perf_counter()
        found = audit.disclosure([f"S{k}" for k in range(1, n + 1)])
        t2 = time.perf_counter()
        print(f"| {n} | {t1 - t0:.2f} | {t2 - t1:.2f} | {found.describe()} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
