"""The secrecy check of compiled clone phases (qclone.verification.check_secrecy).

The check is a Heisenberg-picture argument on stim tableaux; these tests hold it against
density matrices computed by statevector (:mod:`qclone.semantics.statevector`, independent of
stim), on correct circuits and on many broken ones, and show that ``verify`` reports a leak.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pytest

import qclone
from qclone.circuit import Circuit, Gate
from qclone.compiled import CompileResult
from qclone.errors import VerificationError
from qclone.ir import Program, single_clone
from qclone.ir.ops import Clone, key_wire, signal_wire
from qclone.passes import synthesize
from qclone.semantics import statevector as sv
from qclone.testing import run_phases
from qclone.verification import check_secrecy, verify

STRATEGIES = sorted(synthesize.CLONE_STRATEGIES)


def with_clone_circuit(
    result: CompileResult, circuit: Circuit, final: dict[str, int] | None = None
) -> CompileResult:
    """``result`` with its routed phase 0 replaced."""
    ph = result.phases[0]
    new = dataclasses.replace(ph, circuit=circuit, final=final if final is not None else ph.final)
    return dataclasses.replace(result, phases=(new, *result.phases[1:]))


def module_wires(result: CompileResult, phase: int) -> list[str]:
    out = []
    for info in result.analysis.phase_ops(phase):
        if isinstance(info.op, Clone):
            out.append(info.op.data)
            for k in range(1, int(info.op.copies) + 1):
                out += [signal_wire(info.op.module, k), key_wire(info.op.module, k)]
    return out


def secret_by_density_matrices(result: CompileResult, phase: int = 0) -> dict[str, bool]:
    """For each qubit of the modules cloned in ``phase``: is (qubit, references) = I/4 ... ?

    Runs the routed phases with every data wire maximally entangled with a reference qubit
    (statevector, no stim) and checks that the qubit's joint state with all references is the
    maximally mixed state times the references' own state: alone it is maximally mixed and it
    is uncorrelated with every input.
    """
    state, cmap = run_phases(result, None, upto=phase, references=True)
    refs = [len(cmap) + i for i in range(len(result.analysis.data_wires))]
    rho_refs = sv.reduced_density_matrix(state, refs)
    final = result.phases[phase].final
    out = {}
    for w in module_wires(result, phase):
        rho = sv.reduced_density_matrix(state, [cmap[final[w]], *refs])
        out[w] = bool(np.allclose(rho, np.kron(np.eye(2) / 2, rho_refs), atol=1e-9))
    return out


# ---- correct circuits pass -------------------------------------------------------------------
@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("n", [2, 3, 4, 7])
def test_compiled_clones_are_secret(n: int, strategy: str) -> None:
    result = qclone.compile(single_clone(n, recover=1), None, clone_strategy=strategy)
    v = check_secrecy(result, 0)
    assert v is not None and v.ok and v.checks == ("secrecy",), v
    assert check_secrecy(result, 1) is None  # the recover phase clones nothing


@pytest.mark.parametrize("target", ["grid:5x5", "line:15", "heavy-hex:5", "ring:12"])
@pytest.mark.parametrize("n", [2, 5])
def test_routed_clones_are_secret(n: int, target: str) -> None:
    result = qclone.compile(single_clone(n, recover=n), target)
    v = check_secrecy(result, 0)
    assert v is not None and v.ok, v.reason
    assert all(secret_by_density_matrices(result).values())


def test_composed_programs_are_secret() -> None:
    """Parallel modules, a clone of a clone, and a clone in a phase that also recovers."""
    p = Program()
    a, b = p.data("a"), p.data("b")
    ma = p.clone(a, copies=2)
    p.clone(b, copies=3)
    p.clone(ma.clone(2), copies=2)  # series, in the same phase
    q = Program.from_text(
        "qclone 1\ndata psi\nclone psi copies=3 as m0\nrecover m0 copy=2\n"
        "data phi\nclone phi copies=2 as m1\n"
    )
    for program, target in ((p, None), (p, "grid:4x5"), (q, None), (q, "line:12")):
        result = qclone.compile(program, target)
        for i in range(len(result.phases)):
            v = check_secrecy(result, i)
            if v is not None:
                assert v.ok, v.reason
                assert all(secret_by_density_matrices(result, i).values())
    mixed = qclone.compile(q, None)
    assert mixed.role_map()["phases"] == ["clone", "mixed"]
    assert check_secrecy(mixed, 1) is not None  # the mixed phase is checked


def test_verify_names_the_check() -> None:
    result = qclone.compile(single_clone(3, recover=2), "grid:4x4")
    verdicts = verify(result)
    assert [v.checks for v in verdicts] == [
        ("equivalence",),  # phase 0, decomposed
        ("equivalence", "secrecy"),  # phase 0, routed: the circuit that runs
        ("equivalence",),
        ("equivalence",),
    ]
    assert all(v.ok for v in verdicts)
    off = verify(result, secrecy=False)
    assert all(v.checks == ("equivalence",) for v in off)


# ---- broken circuits are caught ----------------------------------------------------------------
def test_merged_clone_and_recover_is_caught() -> None:
    """An optimizer that moves the recovery into the clone phase (clone + recover = SWAP(A, S_j))
    hands S_j out in the clear."""
    for n, j, target in ((2, 1, None), (3, 2, None), (4, 4, "grid:4x4")):
        result = qclone.compile(single_clone(n, recover=j), target)
        clone, recover = result.phases
        merged = with_clone_circuit(result, clone.circuit + recover.circuit, final=recover.final)
        v = check_secrecy(merged, 0)
        assert v is not None and not v.ok
        assert f"S{j} (wire m0.S{j}," in v.reason
        assert "holds psi in the clear" in v.reason
        assert secret_by_density_matrices(merged)[f"m0.S{j}"] is False
        with pytest.raises(VerificationError, match=rf"secrecy: S{j} "):
            verify(merged)


def test_dropped_gate_leaves_a_clone_carrying_the_input() -> None:
    """Deleting one CNOT of the nearest-neighbour clone leaves clone S1 with the input's X."""
    result = qclone.compile(single_clone(2, recover=1), None, clone_strategy="path")
    ph = result.phases[0]
    gates = ph.circuit.gates
    leaking = []
    for i, g in enumerate(gates):
        broken = with_clone_circuit(
            result, Circuit(ph.circuit.num_qubits, gates[:i] + gates[i + 1 :])
        )
        v = check_secrecy(broken, 0)
        assert v is not None
        # the tableau check and the density matrices agree on every deletion
        assert v.ok == all(secret_by_density_matrices(broken).values()), (i, g, v.reason)
        if not v.ok and "reveals" in v.reason and "S1 (wire m0.S1" in v.reason:
            leaking.append((g, broken, v.reason))
    assert leaking, "no single deletion makes S1 carry the input"
    gate, broken, reason = leaking[0]
    assert gate.name == "cx"
    assert "reveals the X component of psi" in reason
    verdicts = verify(broken, raise_on_failure=False)
    assert not verdicts[0].ok and "secrecy: S1" in verdicts[0].reason
    assert verdicts[0].checks == ("equivalence", "secrecy")


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("n", [2, 3])
def test_check_agrees_with_density_matrices_on_every_deletion(n: int, strategy: str) -> None:
    """For each single-gate deletion of each clone synthesis: leak found <=> leak exists."""
    result = qclone.compile(single_clone(n), None, clone_strategy=strategy)
    ph = result.phases[0]
    gates = ph.circuit.gates
    caught = 0
    for i in range(len(gates)):
        broken = with_clone_circuit(
            result, Circuit(ph.circuit.num_qubits, gates[:i] + gates[i + 1 :])
        )
        v = check_secrecy(broken, 0)
        assert v is not None
        truth = secret_by_density_matrices(broken)
        assert v.ok == all(truth.values()), (i, gates[i], v.reason, truth)
        if not v.ok:
            caught += 1
            first = next(w for w in module_wires(broken, 0) if not truth[w])
            assert f"wire {first}," in v.reason  # it names the first leaking qubit
    assert caught >= 1


def _bell(s: int, k: int) -> list[Gate]:
    return [Gate("h", (s,)), Gate("cx", (s, k))]


def _one_clone(a: int, s: int, k: int) -> list[Gate]:
    """The n = 1 protocol: Bell pair, exp(-i pi/4 Z_A Z_S), then exp(-i pi/4 X_A X_S)."""
    zz = [Gate("cx", (a, s)), Gate("s", (s,)), Gate("cx", (a, s))]  # diag(1, i, i, 1)
    hh = [Gate("h", (a,)), Gate("h", (s,))]
    return [*_bell(s, k), *zz, *hh, *zz, *hh]


def test_n1_clone_leaks_the_y_component() -> None:
    """The refused n = 1 protocol, smuggled into an n = 2 result: S1 leaks exactly Y."""
    # first, the hand-made n = 1 circuit is the protocol's (statevector definition)
    c1 = Circuit(3, tuple(_one_clone(0, 1, 2)))
    rng = np.random.default_rng(11)
    for _ in range(3):
        psi = rng.normal(size=2) + 1j * rng.normal(size=2)
        psi /= np.linalg.norm(psi)
        got = sv.apply_circuit(sv.product_state([psi, [1, 0], [1, 0]]), c1)
        assert sv.equal_up_to_global_phase(got, sv.encrypted_state(psi, 1))
    result = qclone.compile(single_clone(2), None)
    ph = result.phases[0]
    q = ph.initial
    gates = _one_clone(q["psi"], q["m0.S1"], q["m0.N1"]) + _bell(q["m0.S2"], q["m0.N2"])
    broken = with_clone_circuit(result, Circuit(ph.circuit.num_qubits, tuple(gates)), final=q)
    v = check_secrecy(broken, 0)
    assert v is not None and not v.ok
    assert "S1 (wire m0.S1," in v.reason
    assert "reveals the Y component of psi" in v.reason
    assert "X component" not in v.reason and "Z component" not in v.reason
    assert "more qubit" not in v.reason  # A, N1, S2, N2 are secret: S1 is the only leak
    truth = secret_by_density_matrices(broken)
    assert [w for w, ok in truth.items() if not ok] == ["m0.S1"]


def test_fixed_qubit_is_reported() -> None:
    """A one-time pad on A from pairs 2 and 3, with pair 1 never prepared: A is secret, S1 and
    N1 stay in |0> (no leak, but not mixed)."""
    result = qclone.compile(single_clone(3), None)
    ph = result.phases[0]
    q = ph.initial
    pad = [
        *_bell(q["m0.S2"], q["m0.N2"]),
        *_bell(q["m0.S3"], q["m0.N3"]),
        Gate("cx", (q["m0.N2"], q["psi"])),
        Gate("cz", (q["m0.N3"], q["psi"])),
    ]
    broken = with_clone_circuit(result, Circuit(ph.circuit.num_qubits, tuple(pad)), final=q)
    truth = secret_by_density_matrices(broken)
    assert [w for w, ok in truth.items() if not ok] == ["m0.S1", "m0.N1"]
    v = check_secrecy(broken, 0)
    assert v is not None and not v.ok
    assert "S1 (wire m0.S1," in v.reason
    assert "its Z is fixed (+1 or -1) for every input" in v.reason
    assert "reveals" not in v.reason
    assert "1 more qubit(s)" in v.reason


def test_leak_in_a_later_phase_names_that_phase() -> None:
    """The second clone phase (clone of the recovered data) is checked on its own."""
    program = Program.from_text(
        "qclone 1\ndata psi\nclone psi copies=2 as m0\nrecover m0 copy=1\nstore\n"
        "clone m0.S1 copies=2 as m1\n"
    )
    result = qclone.compile(program, None)
    assert [check_secrecy(result, i) is not None for i in range(3)] == [True, False, True]
    last = result.phases[2]
    broken = dataclasses.replace(
        result,
        phases=(
            *result.phases[:2],
            dataclasses.replace(last, circuit=Circuit(last.circuit.num_qubits), final=last.initial),
        ),
    )
    v = check_secrecy(broken, 2)
    assert v is not None and not v.ok
    assert v.reason.startswith("phase 2: secrecy: m1.A (wire m0.S1,")
    assert "holds m0.S1 in the clear" in v.reason


# ---- scale -----------------------------------------------------------------------------------
def test_secrecy_of_hundreds_of_clones_is_fast() -> None:
    result = qclone.compile(single_clone(400, recover=1), "grid:30x30", verify=False)
    start = time.perf_counter()
    v = check_secrecy(result, 0)
    elapsed = time.perf_counter() - start
    assert v is not None and v.ok
    assert elapsed < 5.0, elapsed


@pytest.mark.slow
def test_secrecy_of_3000_clones_takes_seconds() -> None:
    for target in ("grid:80x80", None):
        result = qclone.compile(single_clone(3000, recover=1777), target, verify=False)
        start = time.perf_counter()
        v = check_secrecy(result, 0)
        elapsed = time.perf_counter() - start
        assert v is not None and v.ok
        assert elapsed < 20.0, (target, elapsed)
    # and a leak among 3000 clones is found and named: the recovery merged into the clone
    clone, recover = result.phases
    merged = with_clone_circuit(result, clone.circuit + recover.circuit, final=recover.final)
    v = check_secrecy(merged, 0)
    assert v is not None and not v.ok
    assert "secrecy: S1777 (wire m0.S1777," in v.reason
    assert "holds psi in the clear" in v.reason
