"""Physics of the protocol, checked by statevector against its definitions (PROTOCOL.md).

The definitions live in :mod:`qclone.semantics.statevector` (built from the formulas, not from
any gate form); these tests compare them with the stim reference forms
(:mod:`qclone.semantics.reference`) and with compiled circuits, and check the protocol's claims:
secrecy, recovery, one-time use, missing key, and the information table.
"""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Iterator

import numpy as np
import pytest
import stim

import qclone
from qclone.circuit import Circuit
from qclone.errors import TooFewCopies
from qclone.ir import Program, single_clone
from qclone.semantics import statevector as sv
from qclone.semantics.reference import clone_reference, recover_reference
from qclone.testing import (
    assert_clones_secret,
    assert_recovers_entanglement,
    assert_recovers_statevector,
    random_state,
    run_phases,
)

NS = [2, 3, 4, 5]
NJ = [(n, j) for n in NS for j in range(1, n + 1)]
ROUTED = "grid:4x4"

KET0 = np.array([1, 0], dtype=np.complex128)
KET1 = np.array([0, 1], dtype=np.complex128)
PLUS = np.array([1, 1], dtype=np.complex128) / np.sqrt(2)
MINUS = np.array([1, -1], dtype=np.complex128) / np.sqrt(2)
PLUS_I = np.array([1, 1j], dtype=np.complex128) / np.sqrt(2)
MINUS_I = np.array([1, -1j], dtype=np.complex128) / np.sqrt(2)


def rng_for(*key: object) -> np.random.Generator:
    """A generator seeded from the test's parameters (stable across runs and processes)."""
    return np.random.default_rng(zlib.crc32(repr(("test_physics", *key)).encode()))


def states(rng: np.random.Generator, count: int = 3) -> Iterator[sv.State]:
    for _ in range(count):
        yield random_state(rng)


def pauli_components(rho: sv.Matrix) -> np.ndarray:
    """(x, y, z) of a one-qubit density matrix."""
    return np.array([np.trace(rho @ sv.PAULIS[p]).real for p in "XYZ"])


def bloch(psi: sv.State) -> np.ndarray:
    return pauli_components(np.outer(psi, psi.conj()))


def key_roles(n: int, j: int) -> tuple[int, int, list[int]]:
    """(S_j, N_j, [N_k, k != j]) in the wire order of single_clone(n)."""
    _, s, k = sv.clone_slots(n)
    return s[j - 1], k[j - 1], [k[i] for i in range(n) if i != j - 1]


def stim_to_neutral(c: stim.Circuit, num_qubits: int) -> Circuit:
    names = {"H": "h", "S": "s", "CX": "cx", "CZ": "cz"}
    ops: list[tuple[str | int, ...]] = []
    for inst in c:
        targets = [t.value for t in inst.targets_copy()]
        arity = 2 if inst.name in ("CX", "CZ") else 1
        for i in range(0, len(targets), arity):
            ops.append((names[inst.name], *targets[i : i + arity]))
    return Circuit.from_ops(num_qubits, ops)


def batch_unitary(num_qubits: int, matrix: sv.Matrix, qubits: list[int]) -> sv.Matrix:
    """The unitary of ``matrix`` on ``qubits`` of a ``num_qubits`` register, in qubit order."""
    dim = 1 << num_qubits
    batch = np.eye(dim, dtype=np.complex128).reshape(-1)
    return sv.apply_matrix(batch, matrix, qubits).reshape(dim, dim)


# ---- the statevector helpers themselves ---------------------------------------------------------
def test_statevector_conventions() -> None:
    # qubit 0 is the most significant bit; an operator's matrix is in the order of its qubits
    state = sv.apply_gate(sv.zero_state(3), "x", [0])
    assert state[0b100] == 1
    state = sv.apply_gate(state, "cx", [0, 2])
    assert state[0b101] == 1
    assert sv.apply_gate(state, "cx", [2, 1])[0b111] == 1
    assert sv.apply_gate(state, "swap", [0, 1])[0b011] == 1
    # agrees with stim's big-endian unitaries on a random circuit
    rng = np.random.default_rng(7)
    names = ["h", "s", "sdg", "x", "y", "z", "cx", "cz", "swap"]
    ops: list[tuple[str | int, ...]] = []
    for _ in range(40):
        g = names[rng.integers(len(names))]
        qs = rng.choice(4, size=2 if g in ("cx", "cz", "swap") else 1, replace=False)
        ops.append((g, *map(int, qs)))
    c = Circuit.from_ops(4, ops)
    want = c.to_stim().to_tableau().to_unitary_matrix(endian="big")
    assert sv.equal_up_to_global_phase(sv.circuit_unitary(c), want)
    # and a wrong gate is noticed
    bad = Circuit.from_ops(4, [*ops, ("s", 3)])
    assert not sv.equal_up_to_global_phase(sv.circuit_unitary(bad), want)


def test_reduced_state_and_measures() -> None:
    bell = sv.bell_state()
    assert sv.is_maximally_mixed(sv.reduced_density_matrix(bell, [0]))
    prod = sv.product_state([PLUS_I, KET1])
    assert sv.qubit_fidelity(prod, 0, PLUS_I) == pytest.approx(1.0)
    assert sv.qubit_fidelity(prod, 0, MINUS_I) == pytest.approx(0.0, abs=1e-12)
    assert sv.qubit_fidelity(prod, 1, KET1) == pytest.approx(1.0)
    assert not sv.is_maximally_mixed(sv.reduced_density_matrix(prod, [0]))
    assert sv.mutual_information(bell, [0], [1]) == pytest.approx(2.0)
    assert sv.mutual_information(prod, [0], [1]) == pytest.approx(0.0, abs=1e-9)


# ---- (a) U_dec: the gate form equals the defining sum -------------------------------------------
@pytest.mark.parametrize(("n", "j"), NJ)
def test_u_dec_gate_form_equals_definition(n: int, j: int) -> None:
    # qubits: 0 = S_j, 1..n = N_1..N_n
    m = j
    others = [k for k in range(1, n + 1) if k != m]
    c = stim.Circuit()
    recover_reference(c, 0, m, others)
    nq = n + 1
    gate_form = c.to_tableau().to_unitary_matrix(endian="big")
    definition = batch_unitary(nq, sv.u_dec_matrix(n), [0, m, *others])
    assert np.allclose(definition.conj().T @ definition, np.eye(1 << nq), atol=1e-12)
    assert sv.equal_up_to_global_phase(gate_form, definition)
    # the same through our own gate-by-gate simulation of the gate form
    assert sv.equal_up_to_global_phase(sv.circuit_unitary(stim_to_neutral(c, nq)), definition)


@pytest.mark.parametrize("n", NS)
def test_u_dec_alpha_is_the_unique_choice(n: int) -> None:
    """Flipping or rotating one alpha breaks the equality with the gate form."""
    c = stim.Circuit()
    recover_reference(c, 0, 1, list(range(2, n + 1)))
    gate_form = c.to_tableau().to_unitary_matrix(endian="big")
    alphas = sv.dec_alphas(n)
    assert alphas[2] == -(1j ** (n + 1))
    phi = sv.bell_state()
    for mu in range(1, 4):
        for factor in (-1, 1j, -1j):
            changed = list(alphas)
            changed[mu] *= factor
            u = np.zeros((1 << (n + 1),) * 2, dtype=np.complex128)
            for alpha, p in zip(changed, "IXYZ", strict=True):
                phi_mu = np.kron(sv.PAULIS[p], sv.PAULIS["I"]) @ phi
                rest: np.ndarray = np.ones((1, 1), dtype=np.complex128)
                for _ in range(n - 1):
                    rest = np.kron(rest, sv.PAULIS[p].T)
                u += alpha * np.kron(np.outer(phi_mu, phi_mu.conj()), rest)
            assert not sv.equal_up_to_global_phase(u, gate_form), (mu, factor)


# ---- (b) the reference clone equals U_enc . Bell prep -------------------------------------------
def _stim_clone(n: int) -> stim.Circuit:
    a, s, k = sv.clone_slots(n)
    c = stim.Circuit()
    clone_reference(c, a, s, k)
    return c


def _stim_output(circuit: stim.Circuit, nq: int, prep: str) -> sv.State:
    sim = stim.TableauSimulator()
    sim.set_num_qubits(nq)
    if prep == "1":
        sim.x(0)
    elif prep == "+":
        sim.h(0)
    sim.do(circuit)
    out: sv.State = np.asarray(sim.state_vector(endian="big"), dtype=np.complex128)
    return out


@pytest.mark.parametrize("n", NS)
def test_reference_clone_equals_definition(n: int) -> None:
    # stim's state vectors are single precision: compare within 1e-6
    tol = 1e-6
    nq = 2 * n + 1
    c = _stim_clone(n)
    # equal up to a phase on |0>, |1> and |+> => equal isometries up to a global phase
    outs = {p: _stim_output(c, nq, p) for p in "01+"}
    phases = []
    for p, psi in (("0", KET0), ("1", KET1), ("+", PLUS)):
        want = sv.encrypted_state(psi, n)
        i = int(np.argmax(np.abs(want)))
        phase = outs[p][i] / want[i]
        assert abs(abs(phase) - 1) < tol
        assert np.allclose(outs[p], phase * want, atol=tol)
        phases.append(phase)
    # stim fixes each state's global phase on its own: compare through linearity instead
    v0, v1 = outs["0"] / phases[0], outs["1"] / phases[1]
    plus_want = sv.encrypted_state(PLUS, n)
    assert np.allclose((v0 + v1) / np.sqrt(2), plus_want, atol=tol)
    rng = rng_for("clone", n)
    for psi in states(rng):
        assert np.allclose(psi[0] * v0 + psi[1] * v1, sv.encrypted_state(psi, n), atol=tol)


@pytest.mark.parametrize("n", [2, 3, 4])
def test_reference_clone_unitary_columns(n: int) -> None:
    """The stim unitary's columns for inputs |a>_A |0..0> are U_enc . Bell prep (one phase)."""
    nq = 2 * n + 1
    u = _stim_clone(n).to_tableau().to_unitary_matrix(endian="big")
    got = u[:, [0, 1 << (nq - 1)]]
    want = np.stack([sv.encrypted_state(KET0, n), sv.encrypted_state(KET1, n)], axis=1)
    assert sv.equal_up_to_global_phase(got, want)
    # the X factor must come after the Z factor (for even n they do not commute)
    wrong_order = stim.Circuit()
    a, s, k = sv.clone_slots(n)
    for si, ki in zip(s, k, strict=True):
        wrong_order.append("H", [si])
        wrong_order.append("CX", [si, ki])
    wrong_order.append("SPP", stim.target_combined_paulis([stim.target_x(q) for q in [a, *s]]))
    wrong_order.append("SPP", stim.target_combined_paulis([stim.target_z(q) for q in [a, *s]]))
    u2 = wrong_order.to_tableau().to_unitary_matrix(endian="big")
    assert sv.equal_up_to_global_phase(u2[:, [0, 1 << (nq - 1)]], want) == (n % 2 == 1)


@pytest.mark.parametrize("n", NS)
def test_u_enc_heisenberg_picture(n: int) -> None:
    """U_enc maps each one-qubit Pauli on {A, S_k} to a full-weight Pauli (odd n: exact forms)."""
    nq = n + 1
    dim = 1 << nq
    batch = np.eye(dim, dtype=np.complex128).reshape(-1)
    # U_enc on the first nq qubits of the batch = the unitary on (A, S_1..S_n)
    enc = sv.u_enc_apply(batch, 0, list(range(1, nq))).reshape(dim, dim)

    def pauli_matrix(letters: str) -> sv.Matrix:
        out: sv.Matrix = np.ones((1, 1), dtype=np.complex128)
        for p in letters:
            out = np.kron(out, sv.PAULIS[p]).astype(np.complex128)
        return out

    for q in range(nq):
        for p in "XZ":
            single = pauli_matrix("".join(p if i == q else "I" for i in range(nq)))
            image = enc @ single @ enc.conj().T
            # a Pauli string's X bits are the column of row 0's nonzero entry; try every Z part.
            # |coef| = 1 for one candidate means the image is exactly that Pauli (unit norm).
            x_bits = format(int(np.argmax(np.abs(image[0]))), f"0{nq}b")
            found = []
            for z_bits in itertools.product("01", repeat=nq):
                letters = "".join(
                    {"00": "I", "10": "X", "11": "Y", "01": "Z"}[xb + zb]
                    for xb, zb in zip(x_bits, z_bits, strict=True)
                )
                coef = np.sum(pauli_matrix(letters).conj() * image) / dim
                if abs(coef) > 1e-9:
                    found.append((letters, coef))
            assert len(found) == 1
            letters, coef = found[0]
            assert "I" not in letters
            assert abs(abs(coef) - 1) < 1e-9
            if n % 2 == 1:
                rest = "Z" if p == "X" else "X"
                want = "".join("Y" if i == q else rest for i in range(nq))
                assert letters == want
                assert np.isclose(coef, 1 if p == "X" else -1)


@pytest.mark.parametrize("n", NS)
def test_logical_operators_of_the_code(n: int) -> None:
    """X_A X_Sk X_Nk and Z_A Z_Sk Z_Nk act on the encrypted state as X and Z on the input."""
    a, s, k = sv.clone_slots(n)
    rng = rng_for("logical", n)
    for psi in states(rng, 2):
        enc = sv.encrypted_state(psi, n)
        for kk in range(n):
            for p in "XZ":
                got = sv.apply_pauli(enc, {a: p, s[kk]: p, k[kk]: p})
                assert np.allclose(got, sv.encrypted_state(sv.PAULIS[p] @ psi, n), atol=1e-9)


# ---- (c) secrecy ---------------------------------------------------------------------------------
@pytest.mark.parametrize("n", NS)
def test_definition_single_qubits_maximally_mixed(n: int) -> None:
    rng = rng_for("secret-def", n)
    for psi in [*states(rng), KET0, PLUS_I]:
        enc = sv.encrypted_state(psi, n)
        for q in range(2 * n + 1):
            assert sv.is_maximally_mixed(sv.reduced_density_matrix(enc, [q])), (q, psi)


def test_n1_leaks_the_y_component() -> None:
    """Why n = 1 is refused: S_1 alone carries the Y component of the input."""
    rng = rng_for("n1")
    for psi in [*states(rng), PLUS_I]:
        enc = sv.encrypted_state(psi, 1)
        comps = pauli_components(sv.reduced_density_matrix(enc, [1]))
        assert abs(comps[0]) < 1e-9 and abs(comps[2]) < 1e-9
        assert abs(abs(comps[1]) - abs(bloch(psi)[1])) < 1e-9
    assert not sv.is_maximally_mixed(sv.reduced_density_matrix(sv.encrypted_state(PLUS_I, 1), [1]))


def test_n1_refused() -> None:
    with pytest.raises(TooFewCopies, match="not encrypted"):
        single_clone(1)
    with pytest.raises(TooFewCopies):
        qclone.compile(single_clone(1, recover=1))


@pytest.mark.parametrize("target", [None, ROUTED, "line:15"])
@pytest.mark.parametrize("n", NS)
def test_compiled_clone_is_secret(n: int, target: str | None) -> None:
    result = qclone.compile(single_clone(n), target)
    rng = rng_for("secret", n, target)
    for psi in [*states(rng, 2), PLUS_I, KET1]:
        assert_clones_secret(result, psi)


def test_compiled_clone_is_secret_before_a_recover() -> None:
    result = qclone.compile(single_clone(3, recover=2), ROUTED)
    assert_clones_secret(result, random_state(rng_for("secret-rec")))


def test_secrecy_check_can_fail() -> None:
    """assert_clones_secret notices a circuit that leaves the data in the clear."""
    import dataclasses

    result = qclone.compile(single_clone(2), None)
    ph = result.phases[0]
    # no gates at all: A keeps psi
    empty = dataclasses.replace(ph, circuit=Circuit(ph.circuit.num_qubits), final=ph.initial)
    broken = dataclasses.replace(result, phases=(empty,))
    with pytest.raises(AssertionError, match="not maximally mixed"):
        assert_clones_secret(broken, PLUS)


# ---- (d) recovery fidelity ----------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["exact", "functional"])
@pytest.mark.parametrize("target", [None, ROUTED])
@pytest.mark.parametrize(("n", "j"), NJ)
def test_compiled_recovery_fidelity(n: int, j: int, target: str | None, mode: str) -> None:
    program = single_clone(n, recover=j, mode=mode)  # type: ignore[arg-type]
    result = qclone.compile(program, target)
    rng = rng_for("recover", n, j, target, mode)
    for psi in [*states(rng, 2), PLUS_I]:
        assert assert_recovers_statevector(program, result, psi) > 1 - 1e-9


@pytest.mark.parametrize("mode", ["exact", "functional"])
@pytest.mark.parametrize("target", [None, ROUTED])
@pytest.mark.parametrize(("n", "j"), [(2, 2), (3, 1), (4, 4), (5, 2)])
def test_compiled_recovery_keeps_entanglement(
    n: int, j: int, target: str | None, mode: str
) -> None:
    """Data entangled with an outside reference: the entanglement ends on S_j (Choi check)."""
    program = single_clone(n, recover=j, mode=mode)  # type: ignore[arg-type]
    result = qclone.compile(program, target)
    assert assert_recovers_entanglement(program, result) > 1 - 1e-9


@pytest.mark.parametrize("target", [None, ROUTED])
def test_parallel_recovery_keeps_joint_state(target: str | None) -> None:
    p = Program()
    a, b = p.data("a"), p.data("b")
    ma, mb = p.clone(a, copies=2), p.clone(b, copies=3)
    p.recover(ma, copy=1)
    p.recover(mb, copy=3, mode="functional")
    result = qclone.compile(p, target)
    assert_recovers_entanglement(p, result)


@pytest.mark.parametrize("target", [None, "line:11"])
def test_series_recovery_keeps_entanglement(target: str | None) -> None:
    p = Program()
    m0 = p.clone(p.data("psi"), copies=3)
    m1 = p.clone(m0.clone(2), copies=2)
    p.recover(m1, copy=2)
    p.recover(m0, copy=2)
    result = qclone.compile(p, target)
    assert_recovers_entanglement(p, result)


def test_entanglement_check_can_fail() -> None:
    """A final layout that claims S_1 sits where S_2 does is caught."""
    import dataclasses

    program = single_clone(2, recover=1)
    result = qclone.compile(program, None)
    last = result.phases[-1]
    wrong = dict(last.final)
    wrong["m0.S1"], wrong["m0.S2"] = wrong["m0.S2"], wrong["m0.S1"]
    broken = dataclasses.replace(
        result, phases=(*result.phases[:-1], dataclasses.replace(last, final=wrong))
    )
    with pytest.raises(AssertionError, match=r"not on 'm0\.S1'"):
        assert_recovers_entanglement(program, broken)


def _after_exact_recovery(n: int, j: int, psi: sv.State) -> sv.State:
    """|psi>_Sj (x) |Phi+>_(A, N_j) (x) |Phi+>_(S_k, N_k), in the wire order of single_clone(n)."""
    nq = 2 * n + 1
    s_j, n_j, _ = key_roles(n, j)
    _, s, k = sv.clone_slots(n)
    # build on the order [S_j, A, N_j, (S_k, N_k)...] and permute to wire order
    order = [s_j, 0, n_j]
    parts: list[sv.State] = [psi, sv.bell_state()]
    for i in range(n):
        if i != j - 1:
            order += [s[i], k[i]]
            parts.append(sv.bell_state())
    state = sv.product_state(parts).reshape((2,) * nq)
    return np.moveaxis(state, list(range(nq)), order).reshape(-1)


@pytest.mark.parametrize(("n", "j"), NJ)
def test_definition_recovery_restores_whole_register(n: int, j: int) -> None:
    s_j, n_j, others = key_roles(n, j)
    rng = rng_for("whole", n, j)
    for psi in states(rng, 2):
        out = sv.u_dec_apply(sv.encrypted_state(psi, n), s_j, n_j, others)
        assert sv.qubit_fidelity(out, s_j, psi) == pytest.approx(1.0, abs=1e-9)
        assert sv.equal_up_to_global_phase(out, _after_exact_recovery(n, j, psi))


@pytest.mark.parametrize("target", [None, ROUTED])
@pytest.mark.parametrize(("n", "j"), [(2, 1), (3, 3), (4, 2), (5, 4)])
def test_compiled_exact_recovery_restores_whole_register(
    n: int, j: int, target: str | None
) -> None:
    result = qclone.compile(single_clone(n, recover=j), target)
    psi = random_state(rng_for("whole-compiled", n, j, target))
    state, cmap = run_phases(result, psi)
    wires = result.analysis.wires
    qubits = [cmap[result.phases[-1].final[w]] for w in wires]
    rho = sv.reduced_density_matrix(state, qubits)
    assert sv.fidelity(rho, _after_exact_recovery(n, j, psi)) == pytest.approx(1.0, abs=1e-9)


def test_recovery_check_can_fail() -> None:
    """assert_recovers_statevector notices a recovery onto the wrong qubit."""
    import dataclasses

    program = single_clone(3, recover=2)
    result = qclone.compile(program, None)
    last = result.phases[-1]
    wrong = dict(last.final)
    wrong["m0.S2"], wrong["m0.N2"] = wrong["m0.N2"], wrong["m0.S2"]
    broken = dataclasses.replace(
        result, phases=(*result.phases[:-1], dataclasses.replace(last, final=wrong))
    )
    with pytest.raises(AssertionError, match="does not land"):
        assert_recovers_statevector(program, broken, PLUS_I)


# ---- (e) one-time use ---------------------------------------------------------------------------
@pytest.mark.parametrize(("n", "j"), NJ)
def test_second_recovery_gives_fidelity_one_half(n: int, j: int) -> None:
    s_j, n_j, others_j = key_roles(n, j)
    rng = rng_for("second", n, j)
    for psi in states(rng, 2):
        first = sv.u_dec_apply(sv.encrypted_state(psi, n), s_j, n_j, others_j)
        assert sv.qubit_fidelity(first, s_j, psi) == pytest.approx(1.0, abs=1e-9)
        for k in range(1, n + 1):
            if k == j:
                continue
            s_k, n_k, others_k = key_roles(n, k)
            second = sv.u_dec_apply(first, s_k, n_k, others_k)
            assert sv.qubit_fidelity(second, s_k, psi) == pytest.approx(0.5, abs=1e-9)
            assert sv.is_maximally_mixed(sv.reduced_density_matrix(second, [s_k]))


@pytest.mark.parametrize(("n", "j"), [(2, 2), (3, 1), (4, 3), (5, 5)])
def test_second_recovery_after_compiled_recovery(n: int, j: int) -> None:
    """First recovery by the compiled exact circuit, second by the definition: fidelity 1/2."""
    result = qclone.compile(single_clone(n, recover=j), None)
    psi = random_state(rng_for("second-compiled", n, j))
    state, cmap = run_phases(result, psi)
    final = result.phases[-1].final
    s_j = cmap[final[f"m0.S{j}"]]
    assert sv.qubit_fidelity(state, s_j, psi) == pytest.approx(1.0, abs=1e-9)
    for k in range(1, n + 1):
        if k == j:
            continue
        keys = [cmap[final[f"m0.N{i}"]] for i in range(1, n + 1)]
        s_k = cmap[final[f"m0.S{k}"]]
        second = sv.u_dec_apply(
            state, s_k, keys[k - 1], [q for i, q in enumerate(keys) if i != k - 1]
        )
        assert sv.qubit_fidelity(second, s_k, psi) == pytest.approx(0.5, abs=1e-9)


@pytest.mark.parametrize(("n", "j"), [(2, 1), (3, 2), (4, 4), (5, 3)])
def test_inverse_decryption_reencrypts(n: int, j: int) -> None:
    """U_dec(j)^dagger re-encrypts: another clone k can then be recovered."""
    s_j, n_j, others_j = key_roles(n, j)
    psi = random_state(rng_for("reencrypt", n, j))
    enc = sv.encrypted_state(psi, n)
    dec = sv.u_dec_matrix(n)
    out = sv.apply_matrix(
        sv.apply_matrix(enc, dec, [s_j, n_j, *others_j]), dec.conj().T, [s_j, n_j, *others_j]
    )
    assert np.allclose(out, enc, atol=1e-9)
    k = j % n + 1
    s_k, n_k, others_k = key_roles(n, k)
    assert sv.qubit_fidelity(sv.u_dec_apply(out, s_k, n_k, others_k), s_k, psi) == pytest.approx(
        1.0, abs=1e-9
    )


# ---- (f) missing key qubit ----------------------------------------------------------------------
def _recover_without_key(psi: sv.State, n: int, j: int, missing: int) -> tuple[sv.State, int]:
    """Clone, replace N_missing by a fresh qubit F maximally entangled with an environment E."""
    enc = sv.encrypted_state(psi, n)
    state = sv.product_state([enc, sv.bell_state()])  # F = 2n + 1, E = 2n + 2
    fresh = 2 * n + 1
    _, _, keys = sv.clone_slots(n)
    keys = [fresh if i == missing - 1 else q for i, q in enumerate(keys)]
    s_j = sv.clone_slots(n)[1][j - 1]
    others = [q for i, q in enumerate(keys) if i != j - 1]
    return sv.u_dec_apply(state, s_j, keys[j - 1], others), s_j


@pytest.mark.parametrize(("n", "j"), NJ)
def test_missing_other_key_qubit_gives_maximally_mixed_clone(n: int, j: int) -> None:
    rng = rng_for("missing", n, j)
    psi = random_state(rng)
    # sanity: with the key intact, the same construction recovers psi
    enc = sv.encrypted_state(psi, n)
    s_j, n_j, others = key_roles(n, j)
    with_env = sv.product_state([enc, sv.bell_state()])
    assert sv.qubit_fidelity(sv.u_dec_apply(with_env, s_j, n_j, others), s_j, psi) == pytest.approx(
        1.0, abs=1e-9
    )
    for m in range(1, n + 1):
        if m == j:
            continue
        out, s = _recover_without_key(psi, n, j, m)
        assert sv.is_maximally_mixed(sv.reduced_density_matrix(out, [s])), (m,)
        assert sv.qubit_fidelity(out, s, psi) == pytest.approx(0.5, abs=1e-9)


@pytest.mark.parametrize(("n", "j"), [(n, j) for n in NS for j in (1, n)])
def test_missing_own_key_qubit(n: int, j: int) -> None:
    """N_j missing: even n -> maximally mixed; odd n -> only the Y component survives."""
    for psi in [random_state(rng_for("own", n, j)), PLUS_I]:
        out, s = _recover_without_key(psi, n, j, j)
        comps = pauli_components(sv.reduced_density_matrix(out, [s]))
        assert abs(comps[0]) < 1e-9 and abs(comps[2]) < 1e-9
        if n % 2 == 0:
            assert abs(comps[1]) < 1e-9
        else:
            assert comps[1] == pytest.approx(bloch(psi)[1], abs=1e-9)


# ---- the information table ---------------------------------------------------------------------
def _information_states(n: int) -> dict[str, sv.State]:
    """For P in XYZ: R (qubit 2n+1) maximally entangled with the input, then dephased in the P
    basis through a purifying qubit D (2n+2); I(R:C) = 1 iff C learns the P component."""
    enc0, enc1 = sv.encrypted_state(KET0, n), sv.encrypted_state(KET1, n)
    base = (np.kron(enc0, KET0) + np.kron(enc1, KET1)) / np.sqrt(2)  # R last
    r, d = 2 * n + 1, 2 * n + 2
    out = {}
    for p in "XYZ":
        st = sv.product_state([base, PLUS])
        controlled = np.kron(np.diag([1, 0]), np.eye(2)) + np.kron(np.diag([0, 1]), sv.PAULIS[p])
        out[p] = sv.apply_matrix(st, controlled, [d, r])
    return out


def _learns(info_states: dict[str, sv.State], subset: list[int], n: int) -> str:
    r = 2 * n + 1
    got = set()
    for p, st in info_states.items():
        mi = sv.mutual_information(st, [r], subset) if subset else 0.0
        assert min(abs(mi), abs(mi - 1)) < 1e-7, (p, mi)
        if mi > 0.5:
            got.add(p)
    if got == {"X", "Y", "Z"}:
        return "full"
    if not got:
        return "none"
    assert got == {"Y"}, got
    return "Y"


def _table(n: int, subset: set[int]) -> str:
    """PROTOCOL.md's prediction for a subset of the qubits (wire order of single_clone(n))."""
    _, s, k = sv.clone_slots(n)
    b = sum(1 for i in range(n) if s[i] in subset and k[i] in subset)
    s_only = sum(1 for i in range(n) if s[i] in subset and k[i] not in subset)
    t = sum(1 for i in range(n) if s[i] not in subset and k[i] in subset)
    u = n - b - s_only - t
    if 0 not in subset:
        if u > 0:
            return "none"
        if b >= 1:
            return "full"
        return "Y" if n % 2 == 1 and s_only % 2 == 1 else "none"
    if b >= 1:
        return "full"
    if u > 0:
        return "none"
    return "Y" if n % 2 == 1 and s_only % 2 == 0 else "full"


@pytest.mark.parametrize("n", [2, 3, 4])
def test_information_table_all_subsets(n: int) -> None:
    info = _information_states(n)
    nq = 2 * n + 1
    for size in range(nq + 1):
        for subset in itertools.combinations(range(nq), size):
            assert _learns(info, list(subset), n) == _table(n, set(subset)), subset


@pytest.mark.parametrize("n", NS)
def test_information_table_named_subsets(n: int) -> None:
    info = _information_states(n)
    a, s, k = sv.clone_slots(n)
    for j in range(n):
        assert _learns(info, [s[j], *k], n) == "full"  # {S_j, N_1..N_n}
        assert _learns(info, [a, s[j], k[j]], n) == "full"  # {A, S_k, N_k}
    assert _learns(info, [*s, k[0]], n) == "full"  # all clones plus one key qubit
    for pair in itertools.combinations(range(2 * n + 1), 2):
        assert _learns(info, list(pair), n) == "none"  # any 2 qubits: nothing
    assert _learns(info, list(s), n) == ("Y" if n % 2 == 1 else "none")  # all clones, no key
    assert _learns(info, [*s[1:], *k[1:]], n) == "none"  # one pair untouched


@pytest.mark.parametrize("target", [None, ROUTED])
def test_compiled_clone_state_equals_definition(target: str | None) -> None:
    """The compiled clone puts the definition's state on the roles (so the table holds there)."""
    n = 3
    result = qclone.compile(single_clone(n), target)
    wires = result.analysis.wires
    for ket in (KET0, KET1, PLUS, PLUS_I, random_state(rng_for("compiled-def", target))):
        state, cmap = run_phases(result, ket)
        qubits = [cmap[result.phases[0].final[w]] for w in wires]
        rho = sv.reduced_density_matrix(state, qubits)
        assert sv.fidelity(rho, sv.encrypted_state(ket, n)) == pytest.approx(1.0, abs=1e-9)


# ---- (g) one-time use against every operation: audit and exact fidelity bounds ---------------
# What the holders of a set C of qubits can do with the data is bounded by how their state
# depends on it. With the input maximally entangled with a reference R, write
# rho_RC = 1/2 sum_P P (x) sigma_P with sigma_P = Tr_R[(P (x) 1) rho_RC]. For any channel E from
# C to one qubit, the entanglement fidelity is F_e = 1/4 sum_P Tr(P^T E(sigma_P)) <= (1 + sum over
# X, Y, Z of ||sigma_P||_1) / 4 (trace norms shrink under channels), and the average fidelity over
# inputs is (2 F_e + 1) / 3. If C says nothing (every sigma_P = 0) this is exactly 1/2 for every E.
def correlation_parts(state: sv.State, ref: int, qubits: list[int]) -> dict[str, sv.Matrix]:
    """sigma_P = Tr_R[(P (x) 1) rho_RC] for P in I, X, Y, Z."""
    rho = sv.reduced_density_matrix(state, [ref, *qubits])
    dim = 1 << len(qubits)
    blocks = rho.reshape(2, dim, 2, dim)
    return {
        p: sum(sv.PAULIS[p][b, a] * blocks[a, :, b, :] for a in (0, 1) for b in (0, 1))
        for p in "IXYZ"
    }


def fidelity_bound(state: sv.State, ref: int, qubits: list[int]) -> float:
    """The upper bound on the average fidelity of any operation on ``qubits`` (see above)."""
    parts = correlation_parts(state, ref, qubits)
    norms = [np.abs(np.linalg.eigvalsh((parts[p] + parts[p].conj().T) / 2)).sum() for p in "XYZ"]
    fe = (1 + sum(norms)) / 4
    return float((2 * min(fe, 1.0) + 1) / 3)


def average_fidelity(state: sv.State, ref: int, qubit: int) -> float:
    """The average fidelity of the channel input -> ``qubit`` (from the Choi state with R)."""
    fe = sv.fidelity(sv.reduced_density_matrix(state, [ref, qubit]), sv.bell_state())
    return (2 * fe + 1) / 3


def role_qubits(result: qclone.CompileResult, phase: int, cmap: dict[int, int]) -> dict[str, int]:
    final = result.phases[phase].final
    return {result.analysis.roles[w]: cmap[final[w]] for w in result.analysis.wires}


@pytest.mark.parametrize("mode", ["exact", "functional"])
@pytest.mark.parametrize("target", [None, ROUTED])
@pytest.mark.parametrize(("n", "j"), [(2, 1), (3, 2), (4, 4), (5, 3)])
def test_after_recovery_nothing_else_knows_the_data(
    n: int, j: int, target: str | None, mode: str
) -> None:
    """Audit after the compiled recovery: S_j holds all of the data, every other set nothing,
    so no operation on the other clones with the key does better than a guess (1/2)."""
    from qclone.audit import LeakageAudit

    result = qclone.compile(single_clone(n, recover=j, mode=mode), target)  # type: ignore[arg-type]
    after = LeakageAudit(result, phase=1)
    rest = [r for r in after.roles if r != f"S{j}"]
    assert after.disclosure([f"S{j}"]).information == "full"
    whole_rest = after.disclosure(rest)
    assert whole_rest.information == "none" and whole_rest.best_fidelity == 0.5
    keys = [f"N{k}" for k in range(1, n + 1)]
    before = LeakageAudit(result, phase=0)
    for k in range(1, n + 1):
        if k == j:
            continue
        # before the recovery, clone k with the key decrypts; after it, nothing
        assert before.disclosure([f"S{k}", *keys]).information == "full"
        assert after.disclosure([f"S{k}", *keys]).information == "none"
        assert after.disclosure(["A", f"S{k}", f"N{k}"]).information == "none"


@pytest.mark.parametrize("target", [None, ROUTED])
@pytest.mark.parametrize(("n", "j"), [(2, 1), (2, 2), (3, 1), (3, 3)])
def test_after_recovery_every_operation_gives_one_half(n: int, j: int, target: str | None) -> None:
    """Exact, by density matrices (no stim) for n <= 3: after the compiled recovery, R and the
    qubits other than S_j are in a product state, so every operation on them reaches average
    fidelity exactly 1/2; before it, the same bound is 1 (clone k + key) or 2/3 (odd n, all
    clones), as the audit says. A second compiled recovery reaches the bound, 1/2."""
    from qclone.audit import LeakageAudit

    result = qclone.compile(single_clone(n, recover=j), target)
    state, cmap = run_phases(result, None, references=True)
    ref = len(cmap)
    roles = role_qubits(result, 1, cmap)
    rest = [q for r, q in roles.items() if r != f"S{j}"]
    parts = correlation_parts(state, ref, rest)
    assert all(np.abs(parts[p]).max() < 1e-9 for p in "XYZ")  # product with R
    assert fidelity_bound(state, ref, rest) == pytest.approx(0.5, abs=1e-9)
    assert average_fidelity(state, ref, roles[f"S{j}"]) == pytest.approx(1.0, abs=1e-9)

    before, cmap0 = run_phases(result, None, upto=0, references=True)
    roles0 = role_qubits(result, 0, cmap0)
    audit = LeakageAudit(result, phase=0)
    keys = [f"N{k}" for k in range(1, n + 1)]
    clones = [f"S{k}" for k in range(1, n + 1)]
    for subset in ([f"S{j}", *keys], clones, ["A", "S1"], [*clones, "A"]):
        bound = fidelity_bound(before, len(cmap0), [roles0[r] for r in subset])
        assert bound == pytest.approx(audit.disclosure(subset).best_fidelity, abs=1e-9), subset

    # the second recovery, by the compiled circuit of another program's recover phase
    for k in range(1, n + 1):
        if k == j:
            continue
        other = qclone.compile(single_clone(n, recover=k), target)
        assert other.phases[0] == result.phases[0]  # the same clone, so the same layout
        second_in = other.phases[1].initial
        # move every wire from where recovery j left it to where recovery k expects it
        now = {w: cmap[q] for w, q in result.phases[1].final.items()}
        want = {w: cmap[q] for w, q in second_in.items()}
        perm = list(range(ref + 1))
        for w in result.analysis.wires:
            perm[want[w]] = now[w]
        assert sorted(perm) == list(range(ref + 1))
        moved = np.moveaxis(state.reshape((2,) * (ref + 1)), perm, list(range(ref + 1)))
        moved = moved.reshape(-1)
        assert average_fidelity(moved, ref, want[f"m0.S{j}"]) == pytest.approx(1.0, abs=1e-9)
        second = sv.apply_circuit(moved, other.phases[1].circuit, cmap)
        s_k = cmap[other.phases[1].final[f"m0.S{k}"]]
        assert average_fidelity(second, ref, s_k) == pytest.approx(0.5, abs=1e-9)


@pytest.mark.parametrize("target", [None, ROUTED])
@pytest.mark.parametrize(("n", "j"), [(2, 1), (3, 2), (4, 3), (5, 1)])
def test_compiled_recovery_without_a_key_qubit(n: int, j: int, target: str | None) -> None:
    """PROTOCOL.md "Missing key qubit" with the compiled recovery: N_m replaced by a qubit
    maximally entangled with the environment. m != j: fidelity 1/2; m = j: 1/2 for even n,
    2/3 for odd n (only Y survives). Both meet the audit's bound for any operation on what is
    left, so no other recovery does better."""
    from qclone.audit import LeakageAudit

    result = qclone.compile(single_clone(n, recover=j), target)
    audit = LeakageAudit(result, phase=0)
    start, cmap = run_phases(result, None, upto=0, references=True)
    ref = len(cmap)
    final0 = result.phases[0].final
    keys = [f"N{k}" for k in range(1, n + 1)]
    for m in range(1, n + 1):
        # a fresh qubit F (maximally entangled with E) takes the place of the lost N_m
        state = sv.product_state([start, sv.bell_state()])  # F = ref + 1, E = ref + 2
        state = sv.apply_gate(state, "swap", [cmap[final0[f"m0.N{m}"]], ref + 1])
        out = sv.apply_circuit(state, result.phases[1].circuit, cmap)
        s_j = cmap[result.phases[1].final[f"m0.S{j}"]]
        got = average_fidelity(out, ref, s_j)
        expected = 2 / 3 if m == j and n % 2 == 1 else 0.5
        assert got == pytest.approx(expected, abs=1e-9), m
        if m == j and n % 2 == 1:
            rho = sv.reduced_density_matrix(out, [ref, s_j])
            # only the Y correlation with the reference is left
            corr = [np.trace(rho @ np.kron(sv.PAULIS[p], sv.PAULIS[p])).real for p in "XYZ"]
            assert abs(corr[0]) < 1e-9 and abs(corr[2]) < 1e-9 and abs(abs(corr[1]) - 1) < 1e-9
        left = [f"S{j}", *(key for key in keys if key != f"N{m}")]
        assert audit.disclosure(left).best_fidelity == pytest.approx(expected)
