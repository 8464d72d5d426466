"""Time the default cross-vendor comparison (the README's main job).

Run: ``python3 benchmarks/bench_compare.py`` — compiles clone + exact recovery of clone 1 for
n = 2..76 on every default target (no verification, no head-to-head) and prints the wall time
and the number of points compiled.
"""

from __future__ import annotations

import sys
import time

from qclone.comparison import DEFAULT_TARGETS, compare


def main() -> int:
    t0 = time.perf_counter()
    table = compare(list(DEFAULT_TARGETS), range(2, 77))
    dt = time.perf_counter() - t0
    fitted = sum(1 for r in table.rows if r.fits)
    print(f"targets: {', '.join(DEFAULT_TARGETS)}")
    print(f"points: {len(table.rows)} ({fitted} fit their device)")
    print(f"wall time: {dt:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
