"""Fuzzing: random compositions of clone and recover on random targets, each verified.

Programs come from :func:`qclone.testing.random_program` (parallel data qubits, clones of
clones, interleaved modules, exact and functional recoveries, stores and discards) and targets
from :func:`qclone.testing.random_target` (lines, rings, grids, both heavy-hex numberings,
all-to-all, random connected graphs, sometimes ``@cx``, sometimes a vendor device, now and then
one too small). Every compiled result goes through :func:`qclone.verify`. The long run (10,000+
cases) is ``python3 benchmarks/fuzz.py``; this file is the short one that CI runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import qclone
from qclone.ir import Clone, Program, Recover
from qclone.testing import (
    RandomChooser,
    assert_recovers_entanglement,
    check_case,
    fingerprint,
    programs,
    programs_and_targets,
    random_program,
    random_target,
    target_from_json,
    target_to_json,
    vendor_specs,
)

ROOT = Path(__file__).resolve().parents[1]
# subprocesses import the same qclone as this process (wherever it is installed from)
SOURCE = str(Path(qclone.__file__).resolve().parents[1])

LIMITS = {"max_copies": 4, "max_qubits": 24}
VENDORS = vendor_specs()


@settings(
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(programs_and_targets(vendors=VENDORS, too_small=True, **LIMITS))
def test_random_programs_on_random_targets_verify(case: tuple[Program, object]) -> None:
    program, target = case
    check_case(program, target)  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs(**LIMITS))
def test_random_programs_verify_without_a_target(program: Program) -> None:
    result = qclone.compile(program, verify=False)
    qclone.verify(result)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs_and_targets(**LIMITS))
def test_compiling_twice_gives_identical_circuits(case: tuple[Program, object]) -> None:
    program, target = case
    first = check_case(program, target)  # type: ignore[arg-type]
    second = check_case(program, target)  # type: ignore[arg-type]
    assert (first is None) == (second is None)
    if first is not None and second is not None:
        assert fingerprint(first) == fingerprint(second)


def test_the_generator_reaches_every_composition() -> None:
    """Parallel, series (a clone of a clone), re-cloning a recovered qubit, interleaving,
    both recovery modes, and every target family: the fuzzer is not stuck in a corner."""
    seen: set[str] = set()
    kinds: set[str] = set()
    for seed in range(300):
        chooser = RandomChooser(seed)
        p = random_program(chooser)
        target = random_target(chooser, len(p.analysis().wires), vendors=VENDORS)
        kinds.add(target.split(":")[0] if isinstance(target, str) else "graph")
        clones = [op for op in p.ops if isinstance(op, Clone)]
        recovers = [op for op in p.ops if isinstance(op, Recover)]
        if len(p.analysis().data_wires) > 1 and len(clones) > 1:
            seen.add("parallel")
        if any(".S" in op.data for op in clones):
            seen.add("series")
        recovered_wires = {w.wires[0] for w in p.analysis().ops if isinstance(w.op, Recover)}
        if any(op.data in recovered_wires for op in clones):
            seen.add("re-clone")
        # interleaved: another module's op between two ops of one module
        modules = [op.module for op in p.ops if isinstance(op, Clone | Recover)]
        if any(
            modules[i] != modules[i + 1] and modules[i] in modules[i + 2 :]
            for i in range(len(modules) - 1)
        ):
            seen.add("interleaved")
        seen.update(op.mode for op in recovers)
    assert seen >= {"parallel", "series", "re-clone", "interleaved", "exact", "functional"}
    assert kinds >= {"line", "ring", "grid", "heavy-hex", "heavy-hex-rows", "all-to-all", "graph"}
    assert kinds & {v.split(":")[0] for v in VENDORS}


_RUNNER = """
import json, sys
from qclone.testing import check_case, fingerprint, target_from_json
from qclone.ir import Program
out = []
for text, target in json.load(sys.stdin):
    result = check_case(Program.from_text(text), target_from_json(target))
    out.append(None if result is None else fingerprint(result))
print(json.dumps(out))
"""


def test_fresh_processes_with_other_hash_seeds_give_identical_circuits() -> None:
    """String hashing (set and dict order) changes with PYTHONHASHSEED; the output must not."""
    cases = []
    for seed in range(40):
        chooser = RandomChooser(10_000 + seed)
        p = random_program(chooser, **LIMITS)
        cases.append((p, random_target(chooser, len(p.analysis().wires))))
    here = []
    for p, t in cases:
        result = check_case(p, t)
        here.append(None if result is None else fingerprint(result))
    payload = json.dumps([(p.to_text(), target_to_json(t)) for p, t in cases])
    for hash_seed in ("0", "4242"):
        path = os.pathsep.join(p for p in (SOURCE, os.environ.get("PYTHONPATH")) if p)
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": path}
        run = subprocess.run(
            [sys.executable, "-c", _RUNNER],
            input=payload,
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=300,
            check=False,
        )
        assert run.returncode == 0, run.stderr
        assert json.loads(run.stdout) == here, f"PYTHONHASHSEED={hash_seed} differs"


def test_targets_survive_their_json_form() -> None:
    chooser = RandomChooser(7)
    for _ in range(20):
        t = random_target(chooser, 12)
        back = target_from_json(json.loads(json.dumps(target_to_json(t))))
        if isinstance(t, str):
            assert back == t
        else:
            assert sorted(map(sorted, back.edges)) == sorted(map(sorted, t.edges))


# A program the fuzzer found (benchmarks/fuzz.py, seed 2224, shrunk by hand): two functional
# recoveries in one phase, one of them of a module nested in another. The compiled circuit is
# right (the statevector check below passes: the input's entanglement survives both
# recoveries and the final recovery of the outer module); qclone.verify used to report phase 1
# as wrong, counting the other functional recovery's spent keys as a difference.
FUNCTIONAL_PAIR = """qclone 1
data q0
clone q0 copies=3 as m0
clone m0.S1 copies=3 as m1
clone m0.S2 copies=2 as m2
recover m2 copy=2 mode=functional
recover m1 copy=2 mode=functional
store
recover m0 copy=2 mode=exact
"""


def test_two_functional_recoveries_in_one_phase_verify() -> None:
    """Found by the fuzzer: with two functional recoveries in one phase (one of a nested
    module), the other recovery's spent keys were counted as a difference (a false alarm)."""
    program = Program.from_text(FUNCTIONAL_PAIR)
    result = qclone.compile(program, verify=False)
    assert assert_recovers_entanglement(program, result) == pytest.approx(1.0)
    qclone.verify(result)
