"""Statevector semantics of the protocol for small ``n`` (numpy only).

This module builds the protocol's states and operators straight from their *definitions* in
PROTOCOL.md (arXiv:2501.02757), independent of both the stim reference circuits
(:mod:`qclone.semantics.reference`) and the cheaper gate-level syntheses
(:mod:`qclone.passes.synthesize`):

* :func:`u_enc_apply` applies ``U_enc = exp(-i pi/4 X_A X_S1..X_Sn) exp(-i pi/4 Z_A Z_S1..Z_Sn)``
  (the Z factor acts first) as two Pauli rotations ``cos(t) I - i sin(t) P``;
* :func:`u_dec_matrix` is the defining sum
  ``U_dec(j) = sum_mu alpha_mu |phi_mu><phi_mu|_(S_j N_j) (x) (sigma_mu^T)^(x)(n-1)`` with
  ``|phi_mu> = (sigma_mu (x) I)|Phi+>`` and ``alpha = (1, i, -(i^(n+1)), i)`` for
  ``sigma = (I, X, Y, Z)``.

It also applies a neutral :class:`qclone.circuit.Circuit` to a statevector, and computes reduced
density matrices, fidelities and entropies. Everything is dense: use it for ``2n + 1 <= ~13``
qubits (a few more are fine for routed circuits, at 16 bytes per amplitude).

Qubit order convention (big-endian, the Kronecker order):

* a statevector of ``N`` qubits is a flat complex array of length ``2**N``; qubit ``0`` is the
  *most* significant bit of the index, so a product state is ``kron(psi_0, psi_1, ...)`` and
  ``state.reshape((2,) * N)`` has axis ``i`` = qubit ``i``. This is stim's ``endian="big"``.
* an operator on a list of qubits ``(q_0, ..., q_{k-1})`` is a ``2**k`` square matrix in the
  Kronecker order of that list (``q_0`` most significant): ``apply_matrix(state, CNOT, [c, t])``
  with the textbook CNOT matrix has control ``c`` and target ``t``.
* a reduced density matrix of qubits ``(q_0, ..., q_{k-1})`` uses the same order.
* for the protocol, qubit ``i`` is wire ``i`` of the program's ``analysis.wires`` (the slots of
  ``compile(program, None)``'s logical circuits: slot ``i = analysis.wires[i]`` at the start).
  For :func:`single_clone` programs that is ``(A, S_1, N_1, S_2, N_2, ..., S_n, N_n)``; see
  :func:`clone_slots`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, TypeAlias

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from qclone.circuit import Circuit

State: TypeAlias = npt.NDArray[np.complex128]
Matrix: TypeAlias = npt.NDArray[np.complex128]

__all__ = [
    "GATE_MATRICES",
    "PAULIS",
    "Matrix",
    "State",
    "apply_circuit",
    "apply_gate",
    "apply_matrix",
    "apply_pauli",
    "apply_pauli_rotation",
    "bell_state",
    "circuit_unitary",
    "clone_slots",
    "dec_alphas",
    "encrypted_state",
    "entropy",
    "equal_up_to_global_phase",
    "fidelity",
    "is_maximally_mixed",
    "mutual_information",
    "num_qubits_of",
    "product_state",
    "qubit_fidelity",
    "reduced_density_matrix",
    "subset_entropy",
    "u_dec_apply",
    "u_dec_matrix",
    "u_enc_apply",
    "zero_state",
]

_SQ2 = 1.0 / np.sqrt(2.0)


def _m(rows: list[list[complex]]) -> Matrix:
    return np.array(rows, dtype=np.complex128)


#: The Pauli matrices by letter.
PAULIS: dict[str, Matrix] = {
    "I": _m([[1, 0], [0, 1]]),
    "X": _m([[0, 1], [1, 0]]),
    "Y": _m([[0, -1j], [1j, 0]]),
    "Z": _m([[1, 0], [0, -1]]),
}

#: The gates of :mod:`qclone.circuit` as matrices (two-qubit gates: first qubit = control).
GATE_MATRICES: dict[str, Matrix] = {
    "h": _m([[_SQ2, _SQ2], [_SQ2, -_SQ2]]),
    "s": _m([[1, 0], [0, 1j]]),
    "sdg": _m([[1, 0], [0, -1j]]),
    "x": PAULIS["X"],
    "y": PAULIS["Y"],
    "z": PAULIS["Z"],
    "cx": _m([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]]),
    "cz": _m([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, -1]]),
    "swap": _m([[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 1]]),
}


def _matmul(a: npt.NDArray[np.complex128], b: npt.NDArray[np.complex128]) -> Matrix:
    """``a @ b``; small products avoid BLAS, whose threads cost far more than the work there."""
    if a.shape[0] * a.shape[1] * b.shape[1] < 1 << 22:
        small: Matrix = np.einsum("ij,jk->ik", a, b)
        return small
    big: Matrix = a @ b
    return big


# ---- states --------------------------------------------------------------------------------
def num_qubits_of(state: State) -> int:
    """The number of qubits of a flat statevector (its length must be a power of two)."""
    size = int(state.shape[0])
    n = size.bit_length() - 1
    if state.ndim != 1 or size != 1 << n:
        raise ValueError(f"a statevector is a flat array of length 2**N, got shape {state.shape}")
    return n


def zero_state(num_qubits: int) -> State:
    """``|0...0>`` on ``num_qubits`` qubits."""
    out = np.zeros(1 << num_qubits, dtype=np.complex128)
    out[0] = 1.0
    return out


def product_state(states: Sequence[npt.ArrayLike]) -> State:
    """``states[0] (x) states[1] (x) ...``: qubit ``i`` (or group ``i``) in ``states[i]``."""
    out: State = np.ones(1, dtype=np.complex128)
    for s in states:
        out = np.kron(out, np.asarray(s, dtype=np.complex128)).astype(np.complex128)
    return out


def bell_state() -> State:
    """``|Phi+> = (|00> + |11>)/sqrt(2)``."""
    out: State = np.array([_SQ2, 0, 0, _SQ2], dtype=np.complex128)
    return out


# ---- applying operators -----------------------------------------------------------------------
def apply_matrix(state: State, matrix: npt.ArrayLike, qubits: Sequence[int]) -> State:
    """Apply a ``2**k`` square matrix to ``qubits`` (Kronecker order of the list).

    Returns a new array; ``state`` is not modified.
    """
    nq = num_qubits_of(state)
    qs = [int(q) for q in qubits]
    k = len(qs)
    mat = np.asarray(matrix, dtype=np.complex128)
    if mat.shape != (1 << k, 1 << k):
        raise ValueError(f"a matrix on {k} qubit(s) must be {1 << k}x{1 << k}, got {mat.shape}")
    if len(set(qs)) != k or any(not 0 <= q < nq for q in qs):
        raise ValueError(f"qubits {qs} must be distinct and in 0..{nq - 1}")
    tensor = np.moveaxis(state.reshape((2,) * nq), qs, list(range(k)))
    shape = tensor.shape
    out = _matmul(mat, tensor.reshape(1 << k, -1)).reshape(shape)
    result: State = np.moveaxis(out, list(range(k)), qs).reshape(-1)
    return np.ascontiguousarray(result)


def apply_gate(state: State, name: str, qubits: Sequence[int]) -> State:
    """Apply one gate of :mod:`qclone.circuit` (``h s sdg x y z cx cz swap``) by name."""
    if name not in GATE_MATRICES:
        raise ValueError(f"unknown gate {name!r}; known: {sorted(GATE_MATRICES)}")
    return apply_matrix(state, GATE_MATRICES[name], qubits)


def apply_circuit(
    state: State, circuit: Circuit, mapping: Mapping[int, int] | Sequence[int] | None = None
) -> State:
    """Run a neutral :class:`~qclone.circuit.Circuit` on ``state``.

    ``mapping[q]`` is the statevector qubit of the circuit's qubit ``q`` (identity if ``None``);
    use it to run a routed circuit on a compacted set of physical qubits.
    """
    for g in circuit.gates:
        qs = g.qubits if mapping is None else tuple(mapping[q] for q in g.qubits)
        state = apply_gate(state, g.name, qs)
    return state


def circuit_unitary(circuit: Circuit, num_qubits: int | None = None) -> Matrix:
    """The unitary of a neutral circuit (column ``b``: the circuit applied to basis state ``b``)."""
    nq = circuit.num_qubits if num_qubits is None else num_qubits
    dim = 1 << nq
    # the columns as one batch: a (2,)*nq x dim tensor is a statevector of nq + log2(dim) qubits
    batch: State = np.eye(dim, dtype=np.complex128).reshape(-1)
    for g in circuit.gates:
        batch = apply_gate(batch, g.name, g.qubits)
    return batch.reshape(dim, dim)


def apply_pauli(state: State, paulis: Mapping[int, str]) -> State:
    """Apply the Pauli string ``{qubit: "I"|"X"|"Y"|"Z"}`` (no phase)."""
    for q, p in paulis.items():
        if p != "I":
            state = apply_matrix(state, PAULIS[p], [q])
    return state


def apply_pauli_rotation(state: State, paulis: Mapping[int, str], theta: float) -> State:
    """Apply ``exp(-i theta P) = cos(theta) I - i sin(theta) P`` for a Pauli string ``P``."""
    out: State = np.cos(theta) * state - 1j * np.sin(theta) * apply_pauli(state, paulis)
    return out


# ---- the protocol from its definitions --------------------------------------------------------
def clone_slots(n: int) -> tuple[int, list[int], list[int]]:
    """``(A, [S_1..S_n], [N_1..N_n])`` for the wire order of ``single_clone(n)``."""
    return 0, [2 * k - 1 for k in range(1, n + 1)], [2 * k for k in range(1, n + 1)]


def u_enc_apply(state: State, a: int, signals: Sequence[int]) -> State:
    """``U_enc`` on ``(A, S_1..S_n)``: first ``exp(-i pi/4 Z..Z)``, then ``exp(-i pi/4 X..X)``."""
    qs = [a, *signals]
    state = apply_pauli_rotation(state, dict.fromkeys(qs, "Z"), np.pi / 4)
    return apply_pauli_rotation(state, dict.fromkeys(qs, "X"), np.pi / 4)


def encrypted_state(psi: npt.ArrayLike, n: int) -> State:
    """The state right after cloning ``psi`` into ``n`` copies, from the definition.

    ``|psi>_A (x) |Phi+>_(S_k N_k)`` for every ``k``, then ``U_enc``; qubits in the order of
    :func:`clone_slots` (``A, S_1, N_1, ..., S_n, N_n``).
    """
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    state = product_state([np.asarray(psi, dtype=np.complex128), *([bell_state()] * n)])
    a, s, _ = clone_slots(n)
    return u_enc_apply(state, a, s)


def dec_alphas(n: int) -> tuple[complex, complex, complex, complex]:
    """``alpha = (1, i, -(i^(n+1)), i)`` for ``sigma = (I, X, Y, Z)``."""
    return (1.0 + 0j, 1j, -(1j ** (n + 1)), 1j)


def u_dec_matrix(n: int) -> Matrix:
    """The defining sum of ``U_dec(j)`` on ``(S_j, N_j, N_k for k != j)`` (Kronecker order).

    The matrix does not depend on ``j`` beyond the choice of qubits: apply it to
    ``[S_j, N_j, *other keys]``.
    """
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    phi = bell_state()
    out = np.zeros((1 << (n + 1), 1 << (n + 1)), dtype=np.complex128)
    for alpha, letter in zip(dec_alphas(n), "IXYZ", strict=True):
        sigma = PAULIS[letter]
        phi_mu = np.kron(sigma, PAULIS["I"]) @ phi
        proj = np.outer(phi_mu, phi_mu.conj())
        rest: Matrix = np.ones((1, 1), dtype=np.complex128)
        for _ in range(n - 1):
            rest = np.kron(rest, sigma.T).astype(np.complex128)
        out += alpha * np.kron(proj, rest)
    return out


def u_dec_apply(state: State, s: int, m: int, others: Sequence[int]) -> State:
    """Apply the defining ``U_dec`` with clone ``s``, its key ``m`` and the other keys."""
    return apply_matrix(state, u_dec_matrix(len(others) + 1), [s, m, *others])


# ---- measures --------------------------------------------------------------------------------
def reduced_density_matrix(state: State, qubits: Sequence[int]) -> Matrix:
    """The density matrix of ``qubits`` (in that order), the rest traced out."""
    nq = num_qubits_of(state)
    qs = [int(q) for q in qubits]
    if len(set(qs)) != len(qs) or any(not 0 <= q < nq for q in qs):
        raise ValueError(f"qubits {qs} must be distinct and in 0..{nq - 1}")
    k = len(qs)
    tensor = np.moveaxis(state.reshape((2,) * nq), qs, list(range(k))).reshape(1 << k, -1)
    rho: Matrix = _matmul(tensor, tensor.conj().T)
    return rho


def fidelity(rho: Matrix, psi: npt.ArrayLike) -> float:
    """``<psi| rho |psi>`` for a pure ``psi`` (normalised here)."""
    v = np.asarray(psi, dtype=np.complex128)
    v = v / np.linalg.norm(v)
    return float(np.real(v.conj() @ rho @ v))


def qubit_fidelity(state: State, qubit: int, psi: npt.ArrayLike) -> float:
    """The fidelity of qubit ``qubit``'s reduced state with ``|psi>``."""
    return fidelity(reduced_density_matrix(state, [qubit]), psi)


def is_maximally_mixed(rho: Matrix, atol: float = 1e-9) -> bool:
    """Whether ``rho`` equals ``I / d`` entrywise within ``atol``."""
    d = rho.shape[0]
    return bool(np.allclose(rho, np.eye(d) / d, atol=atol, rtol=0.0))


def entropy(rho: Matrix) -> float:
    """Von Neumann entropy in bits."""
    w = np.linalg.eigvalsh((rho + rho.conj().T) / 2)
    w = w[w > 1e-12]
    return float(-np.sum(w * np.log2(w)))


def subset_entropy(state: State, qubits: Sequence[int]) -> float:
    """Entropy (bits) of ``qubits`` of a pure ``state``, via the smaller side of the cut."""
    nq = num_qubits_of(state)
    inside = sorted({int(q) for q in qubits})
    if len(inside) * 2 > nq:
        inside = sorted(set(range(nq)) - set(inside))
    return entropy(reduced_density_matrix(state, inside)) if inside else 0.0


def mutual_information(state: State, a: Sequence[int], b: Sequence[int]) -> float:
    """``I(a:b) = S(a) + S(b) - S(ab)`` in bits, for disjoint qubit sets of a pure ``state``."""
    if set(a) & set(b):
        raise ValueError(f"the qubit sets {list(a)} and {list(b)} overlap")
    return subset_entropy(state, a) + subset_entropy(state, b) - subset_entropy(state, [*a, *b])


def equal_up_to_global_phase(u: npt.ArrayLike, v: npt.ArrayLike, atol: float = 1e-9) -> bool:
    """Whether ``u = e^(i t) v`` for some ``t`` (arrays of equal shape, e.g. unitaries)."""
    x = np.asarray(u, dtype=np.complex128).reshape(-1)
    y = np.asarray(v, dtype=np.complex128).reshape(-1)
    if x.shape != y.shape:
        return False
    i = int(np.argmax(np.abs(y)))
    if abs(y[i]) < atol:
        return bool(np.allclose(x, 0, atol=atol))
    phase = x[i] / y[i]
    if not np.isclose(abs(phase), 1.0, atol=atol):
        return False
    return bool(np.allclose(x, phase * y, atol=atol, rtol=0.0))
