"""Quantinuum targets, pytket lowering and the log-depth syntheses (all offline)."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

pytest.importorskip("pytket.extensions.quantinuum")

import qclone
from qclone.errors import (
    CompilationError,
    NonCliffordError,
    TargetTooSmall,
    UnknownTargetError,
)
from qclone.lower.pytket import (
    compile_log_depth,
    doubling_schedule,
    lower,
    native_to_neutral,
)
from qclone.targets.quantinuum import QuantinuumTarget, machine_names

MACHINES = {"H1-1": 20, "H2-1": 56, "H2-2": 56, "Helios": 98}


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def deny(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", deny)


@pytest.mark.parametrize("machine", sorted(MACHINES))
def test_targets(machine: str) -> None:
    t = qclone.get_target(f"quantinuum:{machine}")
    assert isinstance(t, QuantinuumTarget)
    assert t.num_qubits == MACHINES[machine]
    assert t.all_to_all and t.num_edges == t.num_qubits * (t.num_qubits - 1) // 2
    assert t.two_qubit_gate == "cz"
    assert t.mid_circuit_measurement and t.feed_forward
    assert t.p1 is not None and t.p2 is not None and t.spam is not None
    assert 0 < t.p1 < t.p2 < 2e-3
    assert t.durations is None and "no gate durations" in t.provenance
    assert "ZZPhase" in t.native_gates
    assert t.to_dict()["machine"] == machine


def test_helios_cites_its_source() -> None:
    t = qclone.get_target("quantinuum:Helios")
    assert isinstance(t, QuantinuumTarget)
    assert (t.p1, t.p2, t.spam) == (2.5e-5, 7.9e-4, 3.3e-4)
    assert "arXiv:2511.05465" in t.provenance


def test_machine_list_and_case() -> None:
    assert set(machine_names()) == set(MACHINES)
    assert qclone.get_target("quantinuum:h2-2").name == "quantinuum:H2-2"


def test_import_qclone_does_not_import_pytket() -> None:
    code = "import sys, qclone; qclone.compile(qclone.single_clone(3, recover=1)); "
    code += "assert 'pytket' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_unknown_machine() -> None:
    with pytest.raises(UnknownTargetError, match="known machines: H1-1, H2-1, H2-2, Helios"):
        qclone.get_target("quantinuum:H9-9")


def test_too_many_qubits() -> None:
    with pytest.raises(TargetTooSmall, match="needs 21 qubits but target quantinuum:H1-1 has 20"):
        qclone.compile(qclone.single_clone(10, recover=1), "quantinuum:H1-1")


def test_lowering_refuses_a_small_backend() -> None:
    r = qclone.compile(qclone.single_clone(10, recover=1), None)
    with pytest.raises(TargetTooSmall, match="has 20"):
        lower(r, backend="H1-1")


@pytest.mark.parametrize("level", [-1, 4, 1.5, True])
def test_level_out_of_range(level: object) -> None:
    r = qclone.compile(qclone.single_clone(2, recover=1), "quantinuum:H1-1")
    with pytest.raises(CompilationError, match="allowed levels are 0, 1, 2, 3"):
        lower(r, optimisation_level=level)  # type: ignore[arg-type]


def test_no_backend() -> None:
    r = qclone.compile(qclone.single_clone(2, recover=1), "all-to-all:5")
    with pytest.raises(CompilationError, match="pass backend="):
        lower(r)


CASES = [
    ("H1-1", 2, 1, 0),
    ("H1-1", 3, 2, 1),
    ("H1-1", 9, 9, 2),
    ("H1-1", 4, 3, 3),
    ("H2-1", 5, 1, 2),
    ("H2-2", 27, 14, 2),
    ("H2-1", 27, 27, 3),
    ("Helios", 12, 7, 2),
]


@pytest.mark.parametrize(("machine", "n", "j", "level"), CASES)
def test_compile_lower_verify(machine: str, n: int, j: int, level: int) -> None:
    from pytket import Circuit as TkCircuit

    r = qclone.compile(qclone.single_clone(n, recover=j), f"quantinuum:{machine}")
    low = lower(r, optimisation_level=level)  # verifies every phase
    c = low.circuit
    assert low.backend.valid_circuit(c)
    assert TkCircuit.from_dict(c.to_dict()) == c
    assert c.n_qubits == MACHINES[machine]
    assert {cmd.op.type.name for cmd in c} <= {"ZZPhase", "ZZMax", "PhasedX", "Rz", "Barrier"}
    assert c.n_gates_of_type(__import__("pytket").OpType.Barrier) == 1
    assert low.two_qubit_count() <= 7 * n + 1
    assert c.implicit_qubit_permutation() == {q: q for q in c.qubits}


def test_level3_does_not_merge_phases() -> None:
    # the backend's level 3 removes barriers; per-phase compilation keeps clone and recover
    r = qclone.compile(qclone.single_clone(3, recover=2), "quantinuum:H1-1")
    low = lower(r, optimisation_level=3)
    assert low.two_qubit_count() >= 3 * 3 + 2 * 3


def test_log_depth() -> None:
    for n in (2, 3, 7, 16, 27):
        p = qclone.single_clone(n, recover=min(2, n))
        r = compile_log_depth(p, "quantinuum:H2-1")  # verified
        assert r.cost.two_qubit <= 7 * n + 1
        k = max(1, (n - 1).bit_length())
        clone_depth, recover_depth = (ph.two_qubit_depth for ph in r.cost.phases)
        assert clone_depth <= k + 5
        assert recover_depth <= 4 * k + 5
        low = lower(r, optimisation_level=2)
        assert low.two_qubit_depth() <= r.cost.two_qubit_depth


def test_doubling_schedule_is_matchings() -> None:
    rounds = doubling_schedule(0, list(range(1, 20)))
    assert len(rounds) == 5
    for step in rounds:
        qs = [q for e in step for q in e]
        assert len(qs) == len(set(qs))


def test_non_clifford_op_is_named() -> None:
    from pytket import Circuit as TkCircuit

    c = TkCircuit(2).ZZPhase(0.25, 0, 1)
    with pytest.raises(NonCliffordError, match="ZZPhase"):
        native_to_neutral(c)
    c = TkCircuit(1).Rz(0.5, 0).PhasedX(0.5, 0.5, 0)
    assert [g.name for g in native_to_neutral(c)]


@pytest.mark.slow
@pytest.mark.parametrize("level", [0, 1, 2, 3])
def test_sweep(level: int) -> None:
    for machine, size in MACHINES.items():
        largest = (size - 1) // 2
        for n in sorted({*range(2, largest + 1, 5), largest}):
            for j in sorted({1, n, (n + 1) // 2}):
                r = qclone.compile(qclone.single_clone(n, recover=j), f"quantinuum:{machine}")
                low = lower(r, optimisation_level=level)
                assert low.two_qubit_count() <= 7 * n + 1
