"""The functional recovery that collapses the keys' parities along their path
(qclone.passes.collapse)."""

from __future__ import annotations

import networkx as nx
import pytest
import stim

import qclone
import qclone.passes.collapse as collapse
from qclone.errors import VerificationError
from qclone.ir.program import single_clone
from qclone.verification import verify

_STIM = {"h": "H", "s": "S", "sdg": "S_DAG", "cx": "CX", "z": "Z"}


def _stim(gates: list[tuple[str, int] | tuple[str, int, int]]) -> stim.Circuit:
    c = stim.Circuit()
    for g in gates:
        c.append(_STIM[g[0]], list(g[1:]))
    return c


@pytest.mark.parametrize("size", [*range(1, 12), 40, 41])
def test_the_sweeps_put_both_parities_on_the_front(size: int) -> None:
    """``V Z..Z V^dagger`` and ``V X..X V^dagger`` are the single-qubit Paulis (with signs)
    that ``collapse`` reports, on the front key (odd paths) or the first two (even), in
    ``2L - 2`` or ``2L - 3`` CNOTs (the fewest, by the exhaustive search of
    benchmarks/path_bounds.py for up to nine keys)."""
    keys = list(range(size))
    made = collapse.collapse(keys)
    assert made is not None
    gates, ends = made
    cnots = sum(g[0] == "cx" for g in gates)
    assert cnots == (0 if size == 1 else 2 * size - 2 - (size % 2 == 0))
    circuit = _stim(gates)
    for base, (qubit, letter, sign) in zip("ZX", ends, strict=True):
        want = stim.PauliString(size)
        want[qubit] = letter
        want *= sign
        assert stim.PauliString(base * size).after(circuit) == want
    assert ends[0][0] == 0 and ends[1][0] == (0 if size % 2 else 1)


def test_each_step_conjugates_as_stim_does() -> None:
    """The letter-and-sign rule of ``_conjugate`` against stim, for all nine controlled Paulis
    on every pair of Paulis."""
    letters = "IXYZ"
    for ctl in "XYZ":
        for tgt in "XYZ":
            circuit = _stim(collapse._controlled(0, 1, ctl, tgt))
            for a in letters:
                for b in letters:
                    na, nb, phase = collapse._conjugate(a, b, ctl, tgt)
                    want = stim.PauliString(na + nb) * phase
                    assert stim.PauliString(a + b).after(circuit) == want, (ctl, tgt, a, b)


@pytest.mark.parametrize("n", [2, 3, 6, 7, 12, 13])
def test_functional_recovery_on_heavy_hex_costs_about_2n_and_verifies(n: int) -> None:
    """On the key-path layout the functional recovery is ``2n + 4`` (n even) or ``2n + 6``
    CNOTs where the exact one walks ``4n - 2``; both proven by the verifier (the functional
    one: the data lands on the recovered clone, on the encrypted input)."""
    program = single_clone(n, recover=1, mode="functional")
    result = qclone.compile(program, "heavy-hex:5", clone_strategy="keypath")
    assert all(v.ok for v in verify(result))
    exact = qclone.compile(single_clone(n, recover=1), "heavy-hex:5", clone_strategy="keypath")
    got = result.phases[1].circuit.two_qubit_count()
    walked = exact.phases[1].circuit.two_qubit_count()
    assert got == min(2 * n + (4 if n % 2 == 0 else 6), walked)
    if n >= 6:
        assert got < walked


def test_a_wrong_sign_is_caught_by_the_verifier(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dropping the sign of a collapsed parity (the ``Z`` on its control) gives a wrong
    recovery, and the verifier says so: n = 4 leaves ``-Z`` on the front key."""
    assert collapse.collapse(list(range(3)))[1][0][2] == -1  # type: ignore[index]
    real = collapse.collapse

    def unsigned(keys: list[int]):  # type: ignore[no-untyped-def]
        made = real(keys)
        assert made is not None
        gates, ends = made
        return gates, [(q, letter, 1) for q, letter, _ in ends]

    monkeypatch.setattr(collapse, "collapse", unsigned)
    with pytest.raises(VerificationError):
        qclone.compile(single_clone(4, recover=1, mode="functional"), "heavy-hex:5",
                       clone_strategy="keypath")  # fmt: skip


def test_keys_off_a_path_keep_the_exact_walk() -> None:
    """When a clone stands between keys (the nearest-neighbour path layout on a line) there is
    no path of keys to collapse along: functional costs what exact costs."""
    for mode in ("exact", "functional"):
        r = qclone.compile(single_clone(5, recover=1, mode=mode), "line:20", clone_strategy="path")
        assert all(v.ok for v in verify(r))
    ex = qclone.compile(single_clone(5, recover=1), "line:20", clone_strategy="path")
    fu = qclone.compile(single_clone(5, recover=1, mode="functional"), "line:20",
                        clone_strategy="path")  # fmt: skip
    assert fu.cost.two_qubit == ex.cost.two_qubit


def test_key_path_search() -> None:
    """The keys are ordered along their coupling from a key beside the start, or refused."""
    g = nx.path_graph(6)  # 0 - 1 - 2 - 3 - 4 - 5
    adj = {q: set(g.adj[q]) for q in g}
    assert collapse._key_path([4, 2, 3, 5], adj, 1) == [2, 3, 4, 5]
    assert collapse._key_path([2, 4, 5], adj, 1) is None  # 3 is not a key: no path
    assert collapse._key_path([3, 4], adj, 1) is None  # no key beside 1
    star = nx.star_graph(3)  # centre 0, leaves 1..3: no path through all of them
    adj = {q: set(star.adj[q]) for q in star}
    assert collapse._key_path([0, 2, 3], adj, 1) is None
