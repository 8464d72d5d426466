"""The Qiskit plug-in: abstract qclone gates expanded by HighLevelSynthesis plug-ins."""

from __future__ import annotations

import dataclasses

import pytest

pytest.importorskip("qiskit")

from qiskit import QuantumCircuit, transpile
from qiskit.quantum_info import Operator
from qiskit.transpiler import PassManager
from qiskit.transpiler.passes import HighLevelSynthesis, HLSConfig

import qclone
from qclone.errors import CopyIndexError, TooFewCopies
from qclone.lower.qiskit import qiskit_to_neutral, translate
from qclone.plugins.qiskit import (
    ENTRY_POINTS,
    CloneGate,
    CloneSynthesis,
    RecoverGate,
    RecoverSynthesis,
    clone_circuit,
    hls_config,
    recover_circuit,
)


def _program_circuit(n: int, j: int | None) -> QuantumCircuit:
    qc = QuantumCircuit(2 * n + 1)
    qc.append(CloneGate(n), range(2 * n + 1))
    if j is not None:
        qc.barrier()
        qc.append(RecoverGate(n, j), range(1, 2 * n + 1))
    return qc


def _reference(n: int, j: int | None) -> qclone.CompileResult:
    """qclone's role-qubit result: qubit 0 = A, 1..n = S, n+1..2n = N, roles kept in place."""
    result = qclone.compile(qclone.single_clone(n, recover=j), None, clone_strategy="textbook")
    wires = result.analysis.wires
    assert set(wires) == set(_roles(n))
    return result


def _roles(n: int) -> dict[str, int]:
    """Wire name -> the gate signature's qubit (A, S_1..S_n, N_1..N_n)."""
    out = {"psi": 0}
    for k in range(1, n + 1):
        out[f"m0.S{k}"] = k
        out[f"m0.N{k}"] = n + k
    return out


def _verify_in_place(n: int, j: int | None, native: QuantumCircuit) -> None:
    ref = _reference(n, j)
    index = _roles(n)
    neutral = qiskit_to_neutral(native, 2 * n + 1)
    phases = []
    for ph, circ in zip(ref.phases, neutral, strict=True):
        # the plug-in gates keep each role on the qubit the gate's signature gives it
        init = {w: index[w] for w in ph.initial}
        fin = {w: index[w] for w in ph.final}
        phases.append(dataclasses.replace(ph, circuit=circ, initial=init, final=fin))
    verdicts = qclone.verify(dataclasses.replace(ref, phases=tuple(phases)))
    assert all(v.ok for v in verdicts)


def test_gates_are_abstract_and_namespaced() -> None:
    g = CloneGate(3)
    assert (g.name, g.num_qubits, g.definition) == ("qclone_clone", 7, None)
    r = RecoverGate(3, 2)
    assert (r.name, r.num_qubits, r.params) == ("qclone_recover", 6, [2])
    assert set(ENTRY_POINTS) == {"qclone_clone.default", "qclone_recover.default"}


def test_bad_gates() -> None:
    with pytest.raises(TooFewCopies, match="n >= 2"):
        CloneGate(1)
    with pytest.raises(CopyIndexError, match=r"1\.\.3"):
        RecoverGate(3, 4)


@pytest.mark.parametrize(("n", "j"), [(2, 1), (2, 2), (3, 2), (6, 6)])
def test_hls_pass_manager_in_place(n: int, j: int) -> None:
    config = HLSConfig(qclone_clone=[CloneSynthesis()], qclone_recover=[RecoverSynthesis()])
    pm = PassManager([HighLevelSynthesis(hls_config=config)])
    out = pm.run(_program_circuit(n, j))
    assert "qclone_clone" not in out.count_ops()
    assert "qclone_recover" not in out.count_ops()
    _verify_in_place(n, j, translate(out))


def test_operator_equals_qclone_reference_n2() -> None:
    out = PassManager([HighLevelSynthesis(hls_config=hls_config())]).run(_program_circuit(2, 1))
    expected = clone_circuit(2)
    expected.barrier()
    expected.compose(recover_circuit(2, 1), qubits=range(1, 5), inplace=True)
    assert Operator(out).equiv(Operator(expected))
    # and qclone's own neutral circuit for the same program on role qubits
    ref = _reference(2, 1)
    where = [_roles(2)[w] for w in ref.analysis.wires]
    mine = QuantumCircuit(5)
    for ph in ref.phases:
        for g in ph.circuit.gates:
            getattr(mine, g.name)(*(where[q] for q in g.qubits))
    assert Operator(out).equiv(Operator(mine))


@pytest.mark.parametrize("n", [2, 5])
def test_transpile_fake_fez_clone(n: int) -> None:
    from qiskit_ibm_runtime.fake_provider import FakeFez

    backend = FakeFez()
    out = transpile(
        _program_circuit(n, None),
        backend=backend,
        hls_config=hls_config(),
        optimization_level=1,
        seed_transpiler=7,
    )
    assert set(out.count_ops()) <= {"cz", "rz", "sx", "x", "barrier"}
    init = out.layout.initial_index_layout()
    fin = out.layout.final_index_layout()
    ref = _reference(n, None)
    index = _roles(n)
    (neutral,) = qiskit_to_neutral(out)
    (ph,) = ref.phases
    phase = dataclasses.replace(
        ph,
        circuit=neutral,
        initial={w: init[index[w]] for w in ph.initial},
        final={w: fin[index[w]] for w in ph.final},
    )
    verdicts = qclone.verify(dataclasses.replace(ref, phases=(phase,)))
    assert all(v.ok for v in verdicts)


def test_transpile_fake_fez_clone_and_recover_n2() -> None:
    """Whole program on FakeFez with routing; checked on the active qubits as operators."""
    from qiskit_ibm_runtime.fake_provider import FakeFez

    out = transpile(
        _program_circuit(2, 1),
        backend=FakeFez(),
        hls_config=hls_config(),
        optimization_level=1,
        seed_transpiler=3,
    )
    assert set(out.count_ops()) <= {"cz", "rz", "sx", "x", "barrier"}
    init = out.layout.initial_index_layout()[:5]
    fin = out.layout.final_index_layout()[:5]
    active = sorted(
        {
            out.find_bit(q).index
            for inst in out.data
            for q in inst.qubits
            if inst.operation.name != "barrier"
        }
        | set(init)
        | set(fin)
    )
    assert len(active) <= 10
    pos = {p: i for i, p in enumerate(active)}
    small = QuantumCircuit(len(active))
    for inst in out.data:
        if inst.operation.name == "barrier":
            continue
        small.append(inst.operation, [pos[out.find_bit(q).index] for q in inst.qubits])
    # reference: the program on virtual qubits, moved to the physical ones before and after
    ref = QuantumCircuit(len(active))
    ref.compose(
        PassManager([HighLevelSynthesis(hls_config=hls_config())]).run(_program_circuit(2, 1)),
        qubits=[pos[p] for p in init],
        inplace=True,
    )
    # the routing leaves virtual qubit v on fin[v]: permute init -> fin on the small circuit
    perm = list(range(len(active)))
    for v in range(5):
        perm[pos[fin[v]]] = pos[init[v]]
    from qiskit.circuit.library import PermutationGate

    inverse = [0] * len(perm)
    for k, src in enumerate(perm):
        inverse[src] = k
    ref.append(PermutationGate(inverse), range(len(active)))
    assert Operator(small).equiv(Operator(ref))
