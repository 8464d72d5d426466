"""Time the scaling formulas: answering n from the formula versus compiling it.

    python3 benchmarks/derive_formulas.py            # formula timings (a few seconds)
    python3 benchmarks/derive_formulas.py --derive   # also time a full regeneration

The formulas come from ``python3 -m qclone.cost.derive`` (``qclone/cost/data/formulas.json``);
``--derive`` runs it (it rewrites the data and the README table, as the command does).
"""

from __future__ import annotations

import argparse
import time

from qclone.cost import formula
from qclone.ir.program import single_clone
from qclone.passes.pipeline import compile as qcompile


def timed(fn, repeat: int = 5):  # type: ignore[no-untyped-def]
    best = float("inf")
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--derive", action="store_true", help="also time the regeneration")
    args = parser.parse_args()

    print("| target | strategy | n | formula lookup + evaluate (ms) | 2Q gates | depth |")
    print("|---|---|---|---|---|---|")
    for target, strategy in (
        ("line", "auto"),
        ("grid", "auto"),
        ("all-to-all", "auto"),
        ("all-to-all", "tree"),
    ):
        for n in (10**3, 10**6, 10**9):
            secs, v = timed(lambda t=target, s=strategy, k=n: formula(t, s).evaluate(k))
            print(f"| {target} | {strategy} | {n} | {secs * 1e3:.2f} | {v.two_qubit} | {v.depth} |")

    print("\ncompiling instead (no verification):\n")
    print("| target | n | compile (s) | formula (ms) | same figures |")
    print("|---|---|---|---|---|")
    for spec, n in (("line:2001", 1000), ("grid:2x1001", 1000), ("all-to-all:1023", 511)):
        t = time.perf_counter()
        r = qcompile(single_clone(n, recover=1), spec, verify=False)
        compile_s = time.perf_counter() - t
        secs, v = timed(lambda s=spec, k=n: formula(s).evaluate(k))
        same = (v.two_qubit, v.depth, v.two_qubit_depth) == (
            r.cost.two_qubit,
            r.cost.depth,
            r.cost.two_qubit_depth,
        )
        print(f"| {spec} | {n} | {compile_s:.2f} | {secs * 1e3:.2f} | {same} |")

    if args.derive:
        from qclone.cost import derive

        t = time.perf_counter()
        derive.main(["--jobs", "2"])
        print(f"\nfull regeneration: {time.perf_counter() - t:.0f} s")


if __name__ == "__main__":
    main()
