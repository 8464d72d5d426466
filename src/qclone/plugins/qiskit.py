"""qclone inside Qiskit: abstract protocol gates plus ``HighLevelSynthesisPlugin``s.

* :class:`CloneGate` ``(n)`` (name ``qclone_clone``) acts on ``2n + 1`` qubits in the order
  ``A, S_1..S_n, N_1..N_n`` (the data, the clones, the key; clones and key start in ``|0>``).
* :class:`RecoverGate` ``(n, j)`` (name ``qclone_recover``, parameter ``j``) acts on ``2n``
  qubits ``S_1..S_n, N_1..N_n`` and decrypts clone ``j`` exactly (U_dec(j) of the paper): the
  data lands on ``S_j``.

Both are abstract: they carry no definition, so Qiskit's ``HighLevelSynthesis`` pass needs a
plug-in to expand them. Plug-in dispatch is by gate name, hence the ``qclone_`` namespace.
:class:`CloneSynthesis` and :class:`RecoverSynthesis` build the circuits from qclone's
syntheses that keep every role on its own qubit (:func:`qclone.passes.synthesize.clone_textbook`
and :func:`~qclone.passes.synthesize.recover_paper`).

Entry points (group ``qiskit.synthesis``; until they are installed pass the plug-ins through
``HLSConfig(qclone_clone=[CloneSynthesis()], qclone_recover=[RecoverSynthesis()])``)::

    "qclone_clone.default" = "qclone.plugins.qiskit:CloneSynthesis"
    "qclone_recover.default" = "qclone.plugins.qiskit:RecoverSynthesis"

Example (without installed entry points)::

    from qiskit.transpiler.passes import HLSConfig
    qc = QuantumCircuit(5); qc.append(CloneGate(2), range(5))
    out = transpile(qc, backend, hls_config=hls_config())
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from qiskit import QuantumCircuit
from qiskit.circuit import Gate
from qiskit.transpiler.passes.synthesis.plugin import HighLevelSynthesisPlugin

from qclone.circuit import Gate as NeutralGate
from qclone.errors import CopyIndexError, InvalidProgram, TooFewCopies
from qclone.passes.synthesize import clone_textbook, recover_paper

__all__ = [
    "CLONE_GATE_NAME",
    "ENTRY_POINTS",
    "RECOVER_GATE_NAME",
    "CloneGate",
    "CloneSynthesis",
    "RecoverGate",
    "RecoverSynthesis",
    "clone_circuit",
    "hls_config",
    "recover_circuit",
]

CLONE_GATE_NAME = "qclone_clone"
RECOVER_GATE_NAME = "qclone_recover"

#: ``qiskit.synthesis`` entry-point names -> objects, as pyproject.toml would register them.
ENTRY_POINTS: dict[str, str] = {
    f"{CLONE_GATE_NAME}.default": "qclone.plugins.qiskit:CloneSynthesis",
    f"{RECOVER_GATE_NAME}.default": "qclone.plugins.qiskit:RecoverSynthesis",
}


def _copies(n: object) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise InvalidProgram(f"copies must be an integer, got {n!r}")
    if n < 2:
        raise TooFewCopies(
            f"qclone_clone({n}): a single clone is not encrypted (S_1 leaks the input's Y "
            "component); use n >= 2"
        )
    return n


def _index(n: int, j: object) -> int:
    if isinstance(j, bool) or not isinstance(j, int) or not 1 <= j <= n:
        raise CopyIndexError(f"qclone_recover({n}, {j}): the clone index must be in 1..{n}")
    return j


class CloneGate(Gate):  # type: ignore[misc]
    """Clone the data into ``n`` encrypted clones: qubits ``A, S_1..S_n, N_1..N_n``."""

    def __init__(self, n: int, label: str | None = None) -> None:
        self.n = _copies(n)
        super().__init__(CLONE_GATE_NAME, 2 * self.n + 1, [], label=label)


class RecoverGate(Gate):  # type: ignore[misc]
    """Decrypt clone ``j`` of an ``n``-clone module: qubits ``S_1..S_n, N_1..N_n``."""

    def __init__(self, n: int, j: int, label: str | None = None) -> None:
        self.n = _copies(n)
        self.j = _index(self.n, j)
        super().__init__(RECOVER_GATE_NAME, 2 * self.n, [j], label=label)


def _to_circuit(gates: Sequence[NeutralGate], num_qubits: int, name: str) -> QuantumCircuit:
    qc = QuantumCircuit(num_qubits, name=name)
    for g in gates:
        getattr(qc, g.name)(*g.qubits)
    return qc


def clone_circuit(n: int) -> QuantumCircuit:
    """qclone's textbook clone on qubits ``A, S_1..S_n, N_1..N_n`` (roles stay in place)."""
    n = _copies(n)
    syn = clone_textbook(0, list(range(1, n + 1)), list(range(n + 1, 2 * n + 1)))
    return _to_circuit(syn.gates(), 2 * n + 1, f"{CLONE_GATE_NAME}_{n}")


def recover_circuit(n: int, j: int) -> QuantumCircuit:
    """The paper's U_dec(j) on qubits ``S_1..S_n, N_1..N_n`` (2n + 1 two-qubit gates)."""
    n = _copies(n)
    j = _index(n, j)
    s, m = j - 1, n + j - 1
    others = [n + k for k in range(n) if k != j - 1]
    return _to_circuit(recover_paper(s, m, others).gates(), 2 * n, f"{RECOVER_GATE_NAME}_{n}_{j}")


def _size(obj: Any, offset: int, what: str) -> int:
    k = int(obj.num_qubits) - offset
    if k < 4 or k % 2:
        raise InvalidProgram(f"{what} on {obj.num_qubits} qubits: not a qclone gate size")
    return k // 2


class _Synthesis(HighLevelSynthesisPlugin):  # type: ignore[misc]
    """The plug-in protocol: ``run`` hands the gate to :meth:`synthesize` (layout-free: the
    roles stay in place, and Qiskit's routing stage maps the result)."""

    def run(
        self,
        high_level_object: Any,
        coupling_map: Any = None,
        target: Any = None,
        qubits: Any = None,
        **options: Any,
    ) -> QuantumCircuit:
        return self.synthesize(high_level_object)

    def synthesize(self, gate: Any) -> QuantumCircuit:  # pragma: no cover - overridden
        raise NotImplementedError


class CloneSynthesis(_Synthesis):
    """Synthesizes ``qclone_clone`` gates with qclone's textbook clone (roles in place)."""

    def synthesize(self, gate: Any) -> QuantumCircuit:
        n = getattr(gate, "n", None)
        if n is None:
            n = _size(gate, 1, CLONE_GATE_NAME)
        return clone_circuit(int(n))


class RecoverSynthesis(_Synthesis):
    """Synthesizes ``qclone_recover`` gates with the paper's U_dec(j) (roles in place)."""

    def synthesize(self, gate: Any) -> QuantumCircuit:
        n = getattr(gate, "n", None)
        if n is None:
            n = _size(gate, 0, RECOVER_GATE_NAME)
        j = getattr(gate, "j", None)
        if j is None:
            j = round(float(gate.params[0]))
        return recover_circuit(int(n), int(j))


def hls_config(**kwargs: Any) -> Any:
    """An ``HLSConfig`` with qclone's plug-ins for both gates (extra options passed on)."""
    from qiskit.transpiler.passes import HLSConfig

    return HLSConfig(
        **{CLONE_GATE_NAME: [CloneSynthesis()], RECOVER_GATE_NAME: [RecoverSynthesis()]},
        **kwargs,
    )
