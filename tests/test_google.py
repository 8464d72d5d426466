"""Google targets from cirq-google's offline data, lowering to Cirq, and verification back."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

import qclone
from qclone.errors import NonCliffordError, TargetTooSmall, UnknownTargetError, VerificationError

cirq = pytest.importorskip("cirq")
pytest.importorskip("cirq_google")

from qclone.lower import cirq as lc  # noqa: E402
from qclone.targets.google import GoogleTarget, google_target  # noqa: E402

# device -> (qubits, couplings, default entangler)
DEVICES = {
    "rainbow": (23, 32, "sqrt_iswap"),
    "weber": (53, 86, "sqrt_iswap"),
    "willow": (105, 182, "cz"),
}


@pytest.mark.parametrize("name", sorted(DEVICES))
def test_target_from_cirq_google_data(name: str) -> None:
    t = qclone.get_target(f"google:{name}")
    m, e, ent = DEVICES[name]
    assert isinstance(t, GoogleTarget)
    assert (t.num_qubits, t.num_edges, t.entangler, t.two_qubit_gate) == (m, e, ent, "cz")
    assert not t.all_to_all
    qubits = t.grid_qubits()
    assert qubits == sorted(qubits)
    assert all(isinstance(q, cirq.GridQubit) for q in qubits)
    graph = t.device().metadata.nx_graph
    for a, b in t.edges:
        assert graph.has_edge(qubits[a], qubits[b])
        assert t.positions is not None and t.positions[a] == (qubits[a].col, qubits[a].row)
    assert "load_median_device_calibration" in t.provenance
    assert t.error_metrics["two_qubit_error"] in t.provenance
    assert 0 < (t.median_two_qubit_error or 0) < 0.05
    assert 0 < (t.median_one_qubit_error or 0) < 0.01
    assert len(t.two_qubit_error) == e and len(t.one_qubit_error) == m
    assert "phased_xz" in t.one_qubit_gates


def test_willow_figures() -> None:
    t = google_target("willow")
    assert t.processor_id == "willow_pink"
    assert (t.two_qubit_duration_ns, t.one_qubit_duration_ns) == (42.0, 25.0)
    assert t.error_metrics["two_qubit_error"].startswith("two_qubit_parallel_cz")
    assert (
        google_target("rainbow")
        .error_metrics["two_qubit_error"]
        .startswith("two_qubit_parallel_sqrt_iswap")
    )
    assert qclone.get_target("google:weber@syc").name == "google:weber@syc"


def test_import_qclone_does_not_import_cirq() -> None:
    code = "import sys, qclone; qclone.get_target('grid:3x3'); print('cirq' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_unknown_device() -> None:
    with pytest.raises(
        UnknownTargetError, match=r"unknown Google device 'sycamore2'.*google:willow"
    ):
        qclone.get_target("google:sycamore2")


def test_device_too_small() -> None:
    with pytest.raises(TargetTooSmall, match=r"needs 25 qubits but target google:rainbow has 23"):
        qclone.compile(qclone.single_clone(12, recover=1), "google:rainbow")


def _check(name: str, n: int, j: int) -> None:
    result = qclone.compile(qclone.single_clone(n, recover=j), f"google:{name}")
    lowered = lc.lower(result)
    device = result.target.device()  # type: ignore[union-attr]
    device.validate_circuit(lowered.circuit)
    back = [lc.serializer_round_trip(c) for c in lowered.phases]
    verdicts = lc.verify_cirq(result, back)
    assert [v.ok for v in verdicts] == [True, True]


# a sample of n from 2 to the largest the device holds (2n + 1 qubits)
CASES = [
    ("rainbow", 2, 1),
    ("rainbow", 5, 3),
    ("rainbow", 11, 11),
    ("weber", 3, 2),
    ("weber", 26, 7),
    ("willow", 2, 2),
    ("willow", 9, 4),
    ("willow", 52, 52),
]


@pytest.mark.parametrize(("name", "n", "j"), CASES)
def test_compile_lower_validate_serialize_verify(name: str, n: int, j: int) -> None:
    _check(name, n, j)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(DEVICES))
def test_every_size(name: str) -> None:
    largest = (DEVICES[name][0] - 1) // 2
    for n in range(2, largest + 1):
        for j in range(1, n + 1) if n <= 4 else sorted({1, (n + 1) // 2, n}):
            _check(name, n, j)


def test_phases_lowered_apart() -> None:
    result = qclone.compile(qclone.single_clone(3, recover=1), "google:willow")
    lowered = lc.lower(result)
    assert len(lowered.phases) == 2
    assert len(lowered.circuit) == sum(len(c) for c in lowered.phases)
    assert lowered.circuit == lowered.phases[0] + lowered.phases[1]


def test_non_clifford_gate_is_refused() -> None:
    result = qclone.compile(qclone.single_clone(3, recover=1), "google:willow")
    lowered = lc.lower(result)
    q = sorted(lowered.phases[0].all_qubits())[0]
    smuggled = lowered.phases[0] + cirq.Circuit(cirq.T(q))
    where = re.escape(f"T(q({q.row}, {q.col}))")
    with pytest.raises(NonCliffordError, match=rf"non-Clifford gate: .*{where}"):
        lc.verify_cirq(result, [smuggled, lowered.phases[1]])


def test_non_clifford_block_is_refused() -> None:
    result = qclone.compile(qclone.single_clone(3, recover=1), "google:rainbow")
    lowered = lc.lower(result)
    ops = list(lowered.phases[0].all_operations())
    i = [k for k, op in enumerate(ops) if len(op.qubits) == 2][4]  # drop one sqrt-iSWAP
    broken = cirq.Circuit(ops[:i] + ops[i + 1 :])
    with pytest.raises(NonCliffordError, match=r"are not Clifford .*ISWAP\*\*0.5"):
        lc.verify_cirq(result, [broken, lowered.phases[1]])


def test_wrong_clifford_circuit_fails_verification() -> None:
    result = qclone.compile(qclone.single_clone(3, recover=1), "google:willow")
    lowered = lc.lower(result)
    ops = list(lowered.phases[1].all_operations())
    i = [k for k, op in enumerate(ops) if len(op.qubits) == 2][-3]
    broken = cirq.Circuit(ops[:i] + ops[i + 1 :])
    with pytest.raises(VerificationError, match=r"Cirq circuit: phase 1"):
        lc.verify_cirq(result, [lowered.phases[0], broken])


@pytest.mark.parametrize("name", ["willow", "rainbow"])
def test_moment_depth_and_duration(name: str) -> None:
    result = qclone.compile(qclone.single_clone(4, recover=2), f"google:{name}")
    lowered = lc.lower(result)
    cost = lc.moment_cost(lowered, result.target)
    aligned = [cirq.drop_empty_moments(cirq.align_left(c)) for c in lowered.phases]
    assert cost.phase_moments == tuple(len(c) for c in aligned)
    assert cost.not_costed == ()
    durations = result.target.gate_durations_ns  # type: ignore[union-attr]
    two_q = durations["CZ"] if name == "willow" else durations["ISWAP**0.5"]
    # every moment lasts at least... and at most its longest gate: 2Q moments take the 2Q time
    assert cost.duration_ns >= cost.two_qubit_moments * two_q
    assert cost.duration_ns <= cost.moments * max(two_q, durations["PhasedXZGate"])


@pytest.mark.parametrize("j", [1, 2, 3])
def test_every_copy_small_n(j: int) -> None:
    _check("rainbow", 3, j)
