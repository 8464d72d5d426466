"""The long fuzz run: random programs on random targets, every compiled result verified.

Run: ``python3 benchmarks/fuzz.py`` (10,000 cases on all cores; ``--cases N``, ``--jobs J``,
``--seed S`` to shift the seeds). Case ``i`` is seed ``S + i``: a program from
:func:`qclone.testing.random_program` (parallel, series and interleaved compositions of clone
and recover, exact and functional recoveries, stores, discards) and a target from
:func:`qclone.testing.random_target` (lines, rings, grids, heavy-hex lattices, all-to-all,
random connected graphs, vendor devices, now and then one too small). Each case is compiled
and checked by :func:`qclone.testing.check_case` (``qclone.verify`` plus native gates on
couplings); every ``--determinism-every``-th case is compiled twice and must give identical
circuits. Failures go to ``--failures FILE`` (JSON lines: seed, kind, message, program text,
target), each reproducible from its seed; ``--replay SEED`` reruns one case.

Failure kinds: ``verify`` (a phase not equal to the program's meaning), ``verify-functional-
pair`` (the known verifier false alarm: a phase with two functional recoveries, see
tests/test_fuzz.py), ``refused`` (a qclone error on a valid program that fits), ``crash``
(any other exception), ``nondeterministic``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import time
import traceback
from collections import Counter
from typing import Any

OPTIONS: dict[str, Any] = {"max_copies": 6, "max_steps": 10, "max_qubits": 40}

_VENDORS: tuple[str, ...] = ()


def _init(vendors: bool, options: dict[str, Any]) -> None:
    global _VENDORS
    from qclone.targets import get_target

    OPTIONS.update(options)
    from qclone.testing import vendor_specs

    _VENDORS = vendor_specs() if vendors else ()
    for spec in _VENDORS:  # load each device once per worker, outside the timed cases
        get_target(spec)


def _case(seed: int) -> tuple[Any, ...]:
    from qclone.testing import RandomChooser, random_program, random_target

    chooser = RandomChooser(seed)
    program = random_program(chooser, **OPTIONS)
    target = random_target(chooser, len(program.analysis().wires), vendors=_VENDORS, too_small=True)
    return program, target


def _functional_pair(program: Any, message: str) -> bool:
    """The known verifier false alarm: the failing phase holds two functional recoveries."""
    import re

    from qclone.ir import Recover

    found = re.search(r"phase (\d+)", message)
    if found is None:
        return False
    phase = int(found.group(1))
    ops = program.analysis().phase_ops(phase)
    return sum(isinstance(o.op, Recover) and o.op.mode == "functional" for o in ops) >= 2


def run_case(job: tuple[int, int]) -> dict[str, Any]:
    """Compile and check case ``seed``; ``every``: compile twice when ``seed % every == 0``."""
    from qclone.errors import QcloneError, VerificationError
    from qclone.testing import check_case, fingerprint, target_to_json

    seed, every = job
    t0 = time.perf_counter()
    program, target = _case(seed)
    record: dict[str, Any] = {"seed": seed, "qubits": len(program.analysis().wires)}
    try:
        result = check_case(program, target)
        if result is None:
            record["kind"] = "too-small"
        else:
            record["kind"] = "ok"
            if every and seed % every == 0:
                again = check_case(program, target)
                record["twice"] = True
                if again is None or fingerprint(again) != fingerprint(result):
                    record["kind"] = "nondeterministic"
    except VerificationError as e:
        functional = _functional_pair(program, str(e))
        record.update(kind="verify-functional-pair" if functional else "verify", message=str(e))
    except QcloneError as e:
        record.update(kind="refused", message=f"{type(e).__name__}: {e}")
    except Exception as e:  # a crash: keep the traceback
        record.update(
            kind="crash", message=f"{type(e).__name__}: {e}", traceback=traceback.format_exc()
        )
    if record["kind"] not in ("ok", "too-small"):
        record.update(program=program.to_text(), target=target_to_json(target))
    record["seconds"] = time.perf_counter() - t0
    return record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0, help="first seed (default 0)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--determinism-every",
        type=int,
        default=10,
        metavar="K",
        help="compile every K-th case twice (0: never)",
    )
    parser.add_argument("--no-vendors", action="store_true", help="generic targets only")
    parser.add_argument("--max-copies", type=int, default=OPTIONS["max_copies"], metavar="N")
    parser.add_argument("--max-qubits", type=int, default=OPTIONS["max_qubits"], metavar="Q")
    parser.add_argument("--failures", default="fuzz-failures.jsonl", metavar="FILE")
    parser.add_argument("--replay", type=int, metavar="SEED", help="run one case and print it")
    args = parser.parse_args(argv)
    OPTIONS.update(max_copies=args.max_copies, max_qubits=args.max_qubits)

    if args.replay is not None:
        _init(not args.no_vendors, OPTIONS)
        program, target = _case(args.replay)
        print(program.to_text())
        print("target:", target if isinstance(target, str) else sorted(target.edges))
        print(json.dumps(run_case((args.replay, 1)), indent=2))
        return 0

    seeds = range(args.seed, args.seed + args.cases)
    jobs = [(s, args.determinism_every) for s in seeds]
    t0 = time.perf_counter()
    kinds: Counter[str] = Counter()
    twice = 0
    qubits: list[int] = []
    case_seconds = 0.0
    failures: list[dict[str, Any]] = []
    with multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn").Pool(
        args.jobs, initializer=_init, initargs=(not args.no_vendors, OPTIONS)
    ) as pool:
        for i, record in enumerate(pool.imap_unordered(run_case, jobs, chunksize=20), 1):
            kinds[record["kind"]] += 1
            twice += bool(record.get("twice"))
            qubits.append(record["qubits"])
            case_seconds += record["seconds"]
            if record["kind"] not in ("ok", "too-small"):
                failures.append(record)
            if i % 1000 == 0:
                print(f"  {i} cases, {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    elapsed = time.perf_counter() - t0
    failures.sort(key=lambda r: r["seed"])
    if failures:
        with open(args.failures, "w", encoding="utf-8") as f:
            for record in failures:
                f.write(json.dumps(record) + "\n")
    print(
        f"cases: {args.cases} (seeds {args.seed}..{args.seed + args.cases - 1}), "
        f"{args.jobs} processes, {elapsed:.0f} s ({args.cases / elapsed:.0f} cases/s)"
    )
    print(
        f"program size: {min(qubits)}..{max(qubits)} qubits, mean {sum(qubits) / len(qubits):.1f}"
        f"; compile + verify {1000 * case_seconds / len(qubits):.0f} ms per case on average"
    )
    print(
        f"compiled and verified: {kinds['ok']}; refused as too small (correctly): "
        f"{kinds['too-small']}; compiled twice, identical: {twice - kinds['nondeterministic']}"
        f" of {twice}"
    )
    bad = {k: v for k, v in kinds.items() if k not in ("ok", "too-small")}
    print("failures: " + (", ".join(f"{k} {v}" for k, v in sorted(bad.items())) or "none"))
    if failures:
        print(
            f"written to {args.failures}; first seeds: "
            + ", ".join(str(r["seed"]) for r in failures[:10])
        )
    return 1 if any(k != "verify-functional-pair" for k in bad) else 0


if __name__ == "__main__":
    sys.exit(main())
