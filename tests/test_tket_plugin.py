"""The tket plug-in: qclone boxes and the CustomPass, composed with the backend's pass."""

from __future__ import annotations

import pytest

pytest.importorskip("pytket.extensions.quantinuum")

import stim

from qclone.circuit import Circuit, Gate
from qclone.errors import CompilationError
from qclone.lower.pytket import from_pytket, resolve_backend
from qclone.passes.synthesize import clone_textbook, recover_paper
from qclone.plugins.tket import clone_box, qclone_pass, recover_box


def _user_circuit(n: int, j: int) -> object:
    """What a tket user writes: clone, a barrier for storage, recover clone j."""
    from pytket import Circuit as TkCircuit

    c = TkCircuit(2 * n + 1)
    c.add_circbox(clone_box(n), list(range(2 * n + 1)))
    c.add_barrier(list(range(2 * n + 1)))
    c.add_circbox(recover_box(n, j), list(range(2 * n + 1)))
    return c


def _reference(n: int, j: int, drop_cz: bool = False) -> Circuit:
    clone = clone_textbook(0, list(range(1, n + 1)), list(range(n + 1, 2 * n + 1))).gates()
    rec = recover_paper(j, n + j, [n + k for k in range(1, n + 1) if k != j]).gates()
    if drop_cz:
        rec = [g for g in rec if g != Gate("cz", (j, n + j))]
    return Circuit(2 * n + 1, tuple(clone + rec))


def _same_state(got: Circuit, moved: list[int], want: Circuit) -> bool:
    """Both circuits on |Phi+>(R, A) |0...>: every stabilizer of ``want`` holds for ``got``
    (``moved[q]``: the wire of ``got`` that holds qubit ``q``)."""
    total = want.num_qubits + 1
    r = total - 1

    def run(c: Circuit) -> stim.TableauSimulator:
        sim = stim.TableauSimulator()
        sim.set_num_qubits(total)
        sim.h(r)
        sim.cx(r, 0)
        sim.do(c.to_stim())
        return sim

    a, b = run(got), run(want)
    for st in b.canonical_stabilizers():
        ps = stim.PauliString(total)
        for q in range(total):
            ps[moved[q] if q < r else q] = st[q]
        ps.sign = st.sign
        if a.peek_observable_expectation(ps) != 1:
            return False
    return True


@pytest.mark.parametrize(
    ("n", "j", "level", "log_depth"),
    [(2, 1, 2, False), (3, 2, 2, True), (4, 4, 1, False), (5, 3, 0, True), (6, 2, 2, False)],
)
def test_plugin_with_backend_pass(n: int, j: int, level: int, log_depth: bool) -> None:
    from pytket import OpType
    from pytket.passes import SequencePass

    backend = resolve_backend("H1-1", None)
    c = _user_circuit(n, j)
    SequencePass([qclone_pass(log_depth=log_depth), backend.default_compilation_pass(level)]).apply(
        c
    )
    assert backend.valid_circuit(c)
    assert c.n_gates_of_type(OpType.CircBox) == 0
    assert c.n_gates_of_type(OpType.Barrier) == 1  # levels 0-2 keep the storage barrier
    got, moved = from_pytket(c, 2 * n + 1)
    assert _same_state(got, moved, _reference(n, j))
    assert not _same_state(got, moved, _reference(n, j, drop_cz=True))
    if not log_depth:
        assert c.n_2qb_gates() <= 5 * n + 2 * n + 1 + 3


def test_box_definition_matches_protocol() -> None:
    from pytket.passes import DecomposeBoxes

    backend = resolve_backend("H1-1", None)
    c = _user_circuit(3, 1)
    DecomposeBoxes().apply(c)
    backend.default_compilation_pass(0).apply(c)
    got, moved = from_pytket(c, 7)
    assert _same_state(got, moved, _reference(3, 1))


def test_other_ops_pass_through() -> None:
    from pytket import Circuit as TkCircuit

    c = TkCircuit(5, 1).H(0).Rz(0.3, 1)
    c.add_circbox(clone_box(2), [0, 1, 2, 3, 4])
    c.Measure(0, 0)
    qclone_pass().apply(c)
    names = [cmd.op.type.name for cmd in c]
    assert names[0] in ("H", "Rz") and names[-1] == "Measure" and "CircBox" not in names


def test_bad_boxes() -> None:
    with pytest.raises(CompilationError, match="n >= 2"):
        clone_box(1)
    with pytest.raises(CompilationError, match=r"copy j must be in 1\.\.3"):
        recover_box(3, 4)
