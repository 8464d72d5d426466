"""IBM Heron targets (qiskit-ibm-runtime fake backends) and the Qiskit lowering."""

from __future__ import annotations

import dataclasses
import io
import math
import sys
from collections.abc import Iterator

import pytest

pytest.importorskip("qiskit")
pytest.importorskip("qiskit_ibm_runtime")

import qclone
from qclone.circuit import Circuit
from qclone.errors import (
    CompilationError,
    MissingExtraError,
    NonCliffordError,
    TargetTooSmall,
    UnknownTargetError,
    VerificationError,
)
from qclone.lower.qiskit import lower, qiskit_to_neutral, translate
from qclone.targets import ibm
from qclone.targets.registry import (
    get_target,
    register_target_family,
    unregister_target_family,
)

DEVICES = {"fez": 156, "marrakesh": 156, "kingston": 156, "torino": 133}


@pytest.fixture(scope="module", autouse=True)
def _ibm_family() -> Iterator[None]:
    """Register the ``ibm`` family when its entry point is not installed yet."""
    registered = False
    try:
        get_target("ibm:fez")
    except UnknownTargetError:
        f = ibm.FAMILY
        register_target_family(f.prefix, f.factory, summary=f.summary, example=f.example)
        registered = True
    yield
    if registered:
        unregister_target_family("ibm")


@pytest.mark.parametrize("device", sorted(DEVICES))
def test_target_data(device: str) -> None:
    t = get_target(f"ibm:{device}")
    assert isinstance(t, ibm.IBMTarget)
    backend = t.backend()
    assert t.num_qubits == DEVICES[device] == backend.num_qubits
    assert t.two_qubit_gate == "cz"
    assert set(t.basis_gates) <= set(backend.target.operation_names)
    assert t.processor == ("Heron r1" if device == "torino" else "Heron r2")
    # every coupling is a cz entry of the backend's target, and the reverse
    for a, b in t.edges:
        assert backend.target.instruction_supported("cz", (a, b)) or (
            backend.target.instruction_supported("cz", (b, a))
        )
    assert t.num_edges == len({tuple(sorted(q)) for q in backend.target["cz"]})
    med = t.median_two_qubit_error
    assert med is not None and 1e-3 < med < 1e-2
    assert t.median_one_qubit_error is not None and t.median_one_qubit_error < 1e-2
    assert t.median_t1_us is not None and 10 < t.median_t1_us < 1000
    assert t.median_t2_us is not None
    assert t.median_readout_error is not None
    assert t.gate_durations_ns["cz"] > t.gate_durations_ns["sx"] > 0
    assert t.snapshot_date is not None
    assert ibm.DEVICES[device][0] in t.provenance and t.snapshot_date in t.provenance
    assert t.positions is not None and len(set(t.positions.values())) == t.num_qubits
    for a, b in t.edges:  # neighbours are one lattice step apart
        (xa, ya), (xb, yb) = t.positions[a], t.positions[b]
        assert abs(xa - xb) + abs(ya - yb) == 1
    d = t.to_dict()
    assert d["backend_name"] == backend.name and d["median_two_qubit_error"] == med


def test_aliases_and_pickle() -> None:
    import pickle

    t = ibm.ibm_target("FakeFez")
    assert t is ibm.ibm_target("ibm_fez") is ibm.ibm_target(" Fez ")
    assert pickle.loads(pickle.dumps(t)) is t


def _largest(device: str) -> int:
    """The most clones the device holds once its dead couplings and qubits are left out."""
    usable = ibm.ibm_target(device).usable()
    return (len(usable.connected_components()[0]) - 1) // 2


def _check(device: str, n: int, j: int) -> None:
    from qiskit import qpy

    result = qclone.compile(qclone.single_clone(n, recover=j), f"ibm:{device}")
    low = lower(result)
    circ = low.circuit
    assert circ.num_qubits == DEVICES[device]
    assert set(circ.count_ops()) <= {"cz", "rz", "sx", "x", "barrier"}
    assert circ.count_ops()["barrier"] == len(result.phases) - 1
    target = low.backend.target
    for inst in circ.data:
        if inst.operation.name != "barrier":
            qargs = tuple(circ.find_bit(q).index for q in inst.qubits)
            assert target.instruction_supported(inst.operation.name, qargs)
    # the two-qubit gates are qclone's own: the lowering adds and drops none
    assert low.two_qubit_count() == sum(ph.circuit.two_qubit_count() for ph in result.phases)
    buf = io.BytesIO()
    qpy.dump(circ, buf)
    buf.seek(0)
    assert qpy.load(buf)[0] == circ
    assert low.qasm3.startswith("OPENQASM 3")
    assert 0.0 <= low.success_probability <= 1.0
    assert all(v.ok for v in low.verify())
    assert all(v.ok for v in qclone.verify(low.result, raise_on_failure=False))


SAMPLE = [(2, 1), (2, 2), (10, 3)]


@pytest.mark.parametrize("device", sorted(DEVICES))
@pytest.mark.parametrize(("n", "j"), SAMPLE)
def test_compile_lower_verify(device: str, n: int, j: int) -> None:
    _check(device, n, j)


@pytest.mark.parametrize("device", ["fez", "torino"])
def test_largest_program(device: str) -> None:
    n = _largest(device)
    _check(device, n, n)


@pytest.mark.slow
@pytest.mark.parametrize("device", sorted(DEVICES))
def test_sweep(device: str) -> None:
    top = _largest(device)
    for n in (*range(2, 12), 20, 33, 50, 64, top):
        for j in sorted({1, (n + 1) // 2, n}):
            _check(device, n, j)


def test_success_probability_is_product_of_gate_errors() -> None:
    result = qclone.compile(qclone.single_clone(2, recover=1), "ibm:fez")
    low = lower(result)
    tgt = low.backend.target
    expected = 1.0
    for inst in low.circuit.data:
        name = inst.operation.name
        if name == "barrier":
            continue
        qargs = tuple(low.circuit.find_bit(q).index for q in inst.qubits)
        err = tgt[name][qargs].error
        expected *= 1.0 - (err or 0.0)
    assert math.isclose(low.success_probability, expected)
    assert low.not_costed == ()


def test_dropped_gate_fails_verification() -> None:
    result = qclone.compile(qclone.single_clone(3, recover=2), "ibm:fez")
    low = lower(result)
    last = low.result.phases[-1]
    gates = list(last.circuit.gates)
    k = max(i for i, g in enumerate(gates) if g.name == "cz")
    broken = Circuit(last.circuit.num_qubits, tuple(gates[:k] + gates[k + 1 :]))
    bad = dataclasses.replace(
        low,
        result=dataclasses.replace(
            low.result, phases=(*low.result.phases[:-1], dataclasses.replace(last, circuit=broken))
        ),
    )
    with pytest.raises(VerificationError, match="Qiskit lowering"):
        bad.verify()


def test_lowering_merges_rz_across_cz() -> None:
    """``translate`` runs Qiskit's commutation pass after the 1Q cleanup: the lowered circuit
    is shallower, with fewer ``rz``, than the plain translation, the same ``cz`` count, and
    still verified (``lower`` checks it)."""
    from qiskit.circuit.equivalence_library import SessionEquivalenceLibrary
    from qiskit.transpiler import PassManager
    from qiskit.transpiler.passes import BasisTranslator, Optimize1qGatesDecomposition

    from qclone.lower.qiskit import BASIS_GATES, neutral_to_qiskit

    result = qclone.compile(qclone.single_clone(10, recover=1), "ibm:fez")
    built = neutral_to_qiskit([ph.circuit for ph in result.phases], 156)
    basis = list(BASIS_GATES)
    plain = PassManager(
        [
            BasisTranslator(SessionEquivalenceLibrary, basis),
            Optimize1qGatesDecomposition(basis=basis),
        ]
    ).run(built)
    low = lower(result)
    merged = translate(built)
    assert merged.count_ops()["cz"] == plain.count_ops()["cz"] == result.cost.two_qubit
    assert merged.count_ops()["rz"] < plain.count_ops()["rz"]
    assert merged.depth() < plain.depth()
    assert low.circuit.depth() == merged.depth()


def test_non_clifford_angle_refused() -> None:
    from qiskit import QuantumCircuit

    qc = QuantumCircuit(2)
    qc.rz(math.pi / 4, 0)
    with pytest.raises(NonCliffordError, match="multiple of pi/2"):
        qiskit_to_neutral(qc)
    qc2 = QuantumCircuit(2)
    qc2.rz(math.pi / 2, 0)
    qc2.sx(1)
    qc2.cz(0, 1)
    out = qiskit_to_neutral(translate(qc2))
    assert len(out) == 1 and out[0].two_qubit_count() == 1


def test_uncoupled_gate_refused() -> None:
    # a result for a target whose coupling (0, 2) is not on the device
    result = qclone.compile(qclone.single_clone(2, recover=1), "all-to-all:5")
    with pytest.raises(CompilationError, match="does not support"):
        lower(result, backend="fez")


def test_no_backend() -> None:
    result = qclone.compile(qclone.single_clone(2), "grid:3x3")
    with pytest.raises(CompilationError, match="backend='fez'"):
        lower(result)


def test_unknown_backend() -> None:
    with pytest.raises(UnknownTargetError, match=r"ibm:fez.*ibm:torino"):
        get_target("ibm:eagle")
    with pytest.raises(UnknownTargetError, match="needs a device name"):
        get_target("ibm:")


def test_device_too_small() -> None:
    with pytest.raises(TargetTooSmall, match="ibm:torino has 133"):
        qclone.compile(qclone.single_clone(67), "ibm:torino")
    big = qclone.compile(qclone.single_clone(70), "grid:12x12", verify=False)
    with pytest.raises(TargetTooSmall, match="has 133"):
        lower(big, backend="torino")


def test_missing_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "qiskit_ibm_runtime", None)
    monkeypatch.setitem(sys.modules, "qiskit_ibm_runtime.fake_provider", None)
    with pytest.raises(MissingExtraError, match=r"pip install -e '\.\[ibm\]'"):
        ibm.ibm_target("fez")
    with pytest.raises(MissingExtraError, match="qiskit-ibm-runtime"):
        ibm.FAMILY.factory("fez")


def test_gate_suffix() -> None:
    assert get_target("ibm:fez@cz").num_qubits == 156
    with pytest.raises(qclone.errors.TargetError, match="CZ-native"):
        get_target("ibm:fez@cx")


@pytest.mark.parametrize("device", sorted(DEVICES))
def test_dead_couplings_and_qubits_are_avoided(device: str) -> None:
    tgt = ibm.ibm_target(device)
    dead = set(tgt.faulty_couplings)
    assert dead, "every shipped snapshot reports some dead couplings"
    bad_qubits = set(tgt.faulty_qubits)
    usable = tgt.usable()
    assert usable.graph.number_of_edges() < tgt.graph.number_of_edges()
    assert not any(usable.is_adjacent(a, b) for a, b in dead)
    for n in (10, _largest(device)):
        result = qclone.compile(qclone.single_clone(n, recover=n), tgt)
        for ph in result.phases:
            for g in ph.circuit.gates:
                if g.is_two_qubit:
                    a, b = sorted(g.qubits)
                    assert (a, b) not in dead, (n, a, b)
                    assert not bad_qubits & {a, b}, (n, a, b)


def test_too_many_clones_for_the_working_part() -> None:
    n = _largest("fez") + 1
    assert 2 * n + 1 <= DEVICES["fez"]  # fits the raw device, not its working part
    with pytest.raises(TargetTooSmall, match="reports dead"):
        qclone.compile(qclone.single_clone(n, recover=1), "ibm:fez", verify=False)
