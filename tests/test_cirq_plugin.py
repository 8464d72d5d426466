"""The Cirq plug-in: EncryptedClone and Recover gates, the qclone_route transformer."""

from __future__ import annotations

import numpy as np
import pytest

import qclone
from qclone.errors import CopyIndexError, InvalidProgram, TooFewCopies

cirq = pytest.importorskip("cirq")

from qclone.lower import cirq as lc  # noqa: E402
from qclone.plugins.cirq import (  # noqa: E402
    EncryptedClone,
    Recover,
    compile_cirq,
    program_from_cirq,
    qclone_route,
    to_cirq,
    verify_phases,
)


def _module(n: int, j: int, mode: str = "exact") -> tuple[list[object], object, object]:
    q = cirq.LineQubit.range(2 * n + 1)
    clone = cirq.Circuit(EncryptedClone(n).on(*q))
    rec = cirq.Circuit(Recover(n, j, mode).on(*q[1:]))  # type: ignore[arg-type]
    return q, clone, rec


@pytest.mark.parametrize("j", [1, 2])
def test_plain_cirq_pipeline_n2(j: int) -> None:
    n = 2
    q, clone, rec = _module(n, j)
    phases = [
        cirq.optimize_for_target_gateset(c, gateset=cirq.CZTargetGateset()) for c in (clone, rec)
    ]
    # the optimized phases equal the gates' own decompositions
    for c, p in zip((clone, rec), phases, strict=True):
        cirq.testing.assert_circuits_with_terminal_measurements_are_equivalent(c, p, atol=1e-6)
    # the data lands on S_j
    rng = np.random.default_rng(7 + j)
    psi = rng.normal(size=2) + 1j * rng.normal(size=2)
    psi /= np.linalg.norm(psi)
    init = np.kron(psi, np.eye(2 ** (2 * n))[0])
    state = (
        cirq.Simulator()
        .simulate(phases[0] + phases[1], qubit_order=q, initial_state=init)
        .final_state_vector
    )
    rho = cirq.partial_trace(np.outer(state, state.conj()).reshape([2] * (4 * n + 2)), [j])
    assert np.real(psi.conj() @ rho @ psi) == pytest.approx(1, abs=1e-5)
    # and qclone proves both phases equal to the protocol's meaning
    assert [v.ok for v in verify_phases(clone + rec, phases)] == [True, True]


def test_clone_alone_leaks_nothing_n2() -> None:
    q, clone, _ = _module(2, 1)
    for psi in (np.array([1, 0]), np.array([1, 1j]) / np.sqrt(2)):
        init = np.kron(psi, np.eye(16)[0]).astype(np.complex64)
        state = cirq.Simulator().simulate(clone, qubit_order=q, initial_state=init)
        for k in range(5):
            rho = cirq.partial_trace(
                np.outer(state.final_state_vector, state.final_state_vector.conj()).reshape(
                    [2] * 10
                ),
                [k],
            )
            assert np.allclose(rho, np.eye(2) / 2, atol=1e-6)


def test_unitary_and_diagram() -> None:
    u = cirq.unitary(EncryptedClone(2))
    assert u.shape == (32, 32)
    assert np.allclose(u @ u.conj().T, np.eye(32))
    assert cirq.unitary(Recover(2, 1)).shape == (16, 16)
    _, clone, rec = _module(2, 2, "functional")
    text = (clone + rec).to_text_diagram()
    assert "Clone2:A" in text and "Recoverf2:S2" in text


def test_program_from_cirq() -> None:
    _, clone, rec = _module(3, 2)
    p = program_from_cirq(clone + rec)
    assert p.to_text().splitlines()[1:] == [
        "data q_0",
        "clone q_0 copies=3 as m0",
        "recover m0 copy=2 mode=exact",
    ]


def test_qclone_route_transformer_on_willow() -> None:
    _, clone, rec = _module(4, 3)
    out = qclone_route(clone + rec, device="google:willow")
    assert all(isinstance(x, cirq.GridQubit) for x in out.all_qubits())
    qclone.get_target("google:willow").device().validate_circuit(out)  # type: ignore[attr-defined]
    result, lowered = compile_cirq(clone + rec, "google:rainbow")
    assert [v.ok for v in lc.verify_cirq(result, lowered)] == [True, True]


def test_to_cirq_program_and_result() -> None:
    p = qclone.single_clone(3, recover=1)
    c = to_cirq(p)
    assert all(isinstance(x, cirq.LineQubit) for x in c.all_qubits())
    r = qclone.compile(p, "line:7")
    assert len(to_cirq(r, optimize=False)) > 0


def test_bad_gates() -> None:
    with pytest.raises(TooFewCopies, match="a single clone is not encrypted"):
        EncryptedClone(1)
    with pytest.raises(CopyIndexError, match=r"clone index must be in 1\.\.3"):
        Recover(3, 4)
    q = cirq.LineQubit.range(5)
    with pytest.raises(InvalidProgram, match="EncryptedClone and Recover gates only"):
        program_from_cirq(cirq.Circuit(EncryptedClone(2).on(*q), cirq.H(q[0])))
    with pytest.raises(InvalidProgram, match="qubits of an earlier EncryptedClone"):
        program_from_cirq(
            cirq.Circuit(EncryptedClone(2).on(*q), Recover(2, 1).on(q[1], q[3], q[2], q[4]))
        )
