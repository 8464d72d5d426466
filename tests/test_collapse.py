"""The functional recovery that collapses the keys' parities along their path
(qclone.passes.collapse)."""

from __future__ import annotations

import math
import random

import networkx as nx
import pytest
import stim

import qclone
import qclone.passes.collapse as collapse
import qclone.passes.paulis as paulis
from qclone.errors import VerificationError
from qclone.ir.program import single_clone
from qclone.passes.synthesize import recover_paired
from qclone.verification import verify

_STIM = {"h": "H", "s": "S", "sdg": "S_DAG", "cx": "CX", "cz": "CZ", "x": "X", "z": "Z"}


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
    cnots = sum(len(g) == 3 for g in gates)
    assert cnots == (0 if size == 1 else 2 * size - 2 - (size % 2 == 0))
    circuit = _stim(gates)
    for base, (qubit, letter, sign) in zip("ZX", ends, strict=True):
        want = stim.PauliString(size)
        want[qubit] = letter
        want *= sign
        assert stim.PauliString(base * size).after(circuit) == want
    assert ends[0][0] == 0 and ends[1][0] == (0 if size % 2 else 1)


def test_each_step_conjugates_as_stim_does() -> None:
    """The letter-and-sign rule of ``conjugate`` against stim, for all nine controlled Paulis
    on every pair of Paulis."""
    letters = "IXYZ"
    for ctl in "XYZ":
        for tgt in "XYZ":
            circuit = _stim(paulis.controlled(0, 1, ctl, tgt))
            for a in letters:
                for b in letters:
                    na, nb, phase = paulis.conjugate(a, b, ctl, tgt)
                    want = stim.PauliString(na + nb) * phase
                    assert stim.PauliString(a + b).after(circuit) == want, (ctl, tgt, a, b)


def _paper_recovery(n: int) -> stim.Circuit:
    """PROTOCOL.md's gate form of U_dec on (s, m, the other keys) = qubits 0, 1, 2..n."""
    c = stim.Circuit()
    c.append("CX", [0, 1])
    c.append("H", [0])
    for k in range(2, n + 1):
        c.append("CZ", [0, k])
    for k in range(2, n + 1):
        c.append("CX", [1, k])
    c.append("S", [0, 1])
    c.append("CZ", [0, 1])
    c.append("H", [0])
    c.append("CX", [0, 1])
    return c


@pytest.mark.parametrize("n", range(2, 10))
def test_the_recovery_strings_are_the_images_of_the_clone_under_u_dec(n: int) -> None:
    """``recovery_strings`` are ``X_s`` and ``Z_s`` pulled back through U_dec (stim)."""
    p, q, sign_p, sign_q = paulis.recovery_strings(n)
    inverse = stim.Tableau.from_circuit(_paper_recovery(n)).inverse()
    for base, letters, sign in (("X", p, sign_p), ("Z", q, sign_q)):
        single = stim.PauliString(n + 1)
        single[0] = base
        want = stim.PauliString(letters.replace("I", "_")) * sign
        assert inverse(single) == want


def _lands_on_s(
    gates: list[tuple[str, int] | tuple[str, int, int]], n: int, order: list[int]
) -> None:
    """``gates`` on qubits ``order`` = (s, m, keys...) take the recovery strings to ``+X`` and
    ``+Z`` on ``s``: the data lands there whatever the keys are left holding."""
    p, q, sign_p, sign_q = paulis.recovery_strings(n)
    where = {qubit: i for i, qubit in enumerate(order)}
    circuit = _stim([(g[0], *(where[x] for x in g[1:])) for g in gates])  # type: ignore[misc]
    for letters, sign, base in ((p, sign_p, "X"), (q, sign_q, "Z")):
        want = stim.PauliString(n + 1)
        want[0] = base
        assert (stim.PauliString(letters) * sign).after(circuit) == want


@pytest.mark.parametrize("n", [2, 3, 4, 5, 6, 7, 12, 13, 40, 41])
@pytest.mark.parametrize("beside", ["m", "s"])
def test_functional_recovery_on_a_line_costs_2n(n: int, beside: str) -> None:
    """Keys on a line from beside ``m`` (``s - m - k1 - ...``) or from beside ``s``
    (``m - s - k1 - ...``): ``2n`` CNOTs, ``2n - 1`` for odd n from beside ``s``, and the
    strings land on ``s``."""
    line = ["s", "m"] if beside == "m" else ["m", "s"]
    qubits = {"s": 100, "m": 101}
    order = [qubits[r] for r in line] + list(range(n - 1))
    g = nx.path_graph(order)
    got = collapse.recover_collapse(100, 101, list(range(n - 1)), {q: g.adj[q] for q in g})
    assert got is not None
    assert got.two_qubit_cost() == 2 * n - (beside == "s" and n % 2 == 1)
    _lands_on_s([(x.name, *x.qubits) for x in got.gates()], n, [100, 101, *range(n - 1)])


@pytest.mark.parametrize("n", range(2, 8))
def test_the_line_counts_are_the_fewest(n: int) -> None:
    """An exhaustive search over controlled Paulis on the whole line (``fewest_steps`` from the
    recovery strings' shapes) finds no fewer CNOTs than ``recover_collapse`` uses."""
    p, q, _, _ = paulis.recovery_strings(n)
    shapes = [paulis.shape(a, b) for a, b in zip(p, q, strict=True)]
    for beside in ("m", "s"):
        front = [(0, 1), (1, 2)] if beside == "m" else [(1, 0), (0, 2)]
        edges = front + [(i, i + 1) for i in range(2, n)]
        fewest = paulis.fewest_steps(shapes, edges, 0)
        assert fewest is not None
        assert len(fewest) == 2 * n - (beside == "s" and n % 2 == 1)


@pytest.mark.parametrize("n", [*range(2, 14), 40, 41, 128])
def test_paired_recovery_meets_the_lower_bound_in_log_depth(n: int) -> None:
    """The all-to-all functional recovery costs ``ceil((3n - 1)/2)`` CNOTs, PROTOCOL.md's lower
    bound, with 2Q depth at most ``ceil(log2 n) + 3``; the strings land on ``s``."""
    syn = recover_paired(0, 1, list(range(2, n + 1)))
    assert syn.two_qubit_cost() == (3 * n - n % 2) // 2
    gates = [(x.name, *x.qubits) for x in syn.gates()]
    _lands_on_s(gates, n, list(range(n + 1)))  # type: ignore[arg-type]
    depth: dict[int, int] = {}
    for g in gates:
        if len(g) == 3:
            d = max(depth.get(g[1], 0), depth.get(g[2], 0)) + 1  # type: ignore[misc]
            depth[g[1]] = depth[g[2]] = d  # type: ignore[misc]
    assert max(depth.values()) <= math.ceil(math.log2(n)) + 3


@pytest.mark.parametrize("n", range(2, 6))
def test_the_paired_count_is_the_fewest_on_a_complete_graph(n: int) -> None:
    p, q, _, _ = paulis.recovery_strings(n)
    shapes = [paulis.shape(a, b) for a, b in zip(p, q, strict=True)]
    edges = [(i, j) for i in range(n + 1) for j in range(i + 1, n + 1)]
    fewest = paulis.fewest_steps(shapes, edges, 0)
    assert fewest is not None and len(fewest) == (3 * n - n % 2) // 2


@pytest.mark.parametrize("n", [2, 3, 6, 7, 12, 13, 20])
def test_functional_recovery_on_all_to_all_meets_the_bound_and_verifies(n: int) -> None:
    for strategy in ("teleport", "tree", "path"):
        r = qclone.compile(single_clone(n, recover=1, mode="functional"), f"all-to-all:{2 * n + 1}",
                           clone_strategy=strategy)  # fmt: skip
        assert all(v.ok for v in verify(r))
        assert r.phases[1].circuit.two_qubit_count() == (3 * n - n % 2) // 2, strategy


@pytest.mark.parametrize("n", [2, 3, 6, 7, 12, 13])
def test_functional_recovery_on_heavy_hex_costs_about_2n_and_verifies(n: int) -> None:
    """On the key-path layout the functional recovery is at most ``2n`` CNOTs where the exact
    one walks ``4n - 2``; both proven by the verifier (the functional one: the data lands on
    the recovered clone, on the encrypted input)."""
    program = single_clone(n, recover=1, mode="functional")
    result = qclone.compile(program, "heavy-hex:5", clone_strategy="keypath")
    assert all(v.ok for v in verify(result))
    exact = qclone.compile(single_clone(n, recover=1), "heavy-hex:5", clone_strategy="keypath")
    got = result.phases[1].circuit.two_qubit_count()
    walked = exact.phases[1].circuit.two_qubit_count()
    assert got <= 2 * n
    assert got < walked


def test_a_wrong_sign_is_caught_by_the_verifier(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the sign of ``P`` dropped the collapse ends on ``+X`` where the data needs ``-X``:
    the verifier says so."""
    real = paulis.recovery_strings

    def unsigned(n: int) -> tuple[str, str, int, int]:
        p, q, _, sign_q = real(n)
        return p, q, 1, sign_q

    monkeypatch.setattr(collapse, "recovery_strings", unsigned)
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


def test_tidy_keeps_what_the_strings_become() -> None:
    """``tidy`` only drops gates that leave both strings as they were: on random circuits of
    CZs and one-qubit gates, from random letters, the images of ``P`` and ``Q`` are the same
    with and without the dropped gates (stim)."""
    rng = random.Random(7)
    for _ in range(300):
        size = rng.randint(2, 5)
        gates: list[tuple[str, int] | tuple[str, int, int]] = []
        for _ in range(rng.randint(1, 30)):
            if rng.random() < 0.3:
                a, b = rng.sample(range(size), 2)
                gates.append(("cz", a, b))
            else:
                gates.append((rng.choice(["h", "s", "sdg", "x", "z"]), rng.randrange(size)))
        start = {q: (rng.choice("IXYZ"), rng.choice("IXYZ")) for q in range(size)}
        kept = paulis.tidy(gates, rng.randrange(size), start)
        assert len(kept) <= len(gates)
        for k in (0, 1):
            string = stim.PauliString("".join(start[q][k] for q in range(size)).replace("I", "_"))
            assert string.after(_stim(kept)) == string.after(_stim(gates)), (gates, start)


def test_tidy_keeps_every_gate_outside_the_recovery() -> None:
    """A qubit ``tidy`` is not told about (another clone between keys) is never junk."""
    gates: list[tuple[str, int] | tuple[str, int, int]] = [
        ("h", 2), ("cx", 0, 2), ("s", 2), ("cx", 2, 1), ("h", 2), ("z", 2),
    ]  # fmt: skip
    assert paulis.tidy(gates, 0, {0: ("X", "Z"), 1: ("I", "I")}) == gates


@pytest.mark.parametrize("n", [4, 9, 10, 20])
def test_functional_recovery_on_a_grid_ladder_collapses_its_row_of_keys(n: int) -> None:
    """The serpentine ladder of a grid keeps its keys in a row while they fit one strip: the
    functional recovery collapses them (``2n``) instead of running the exact tree (``4n``)."""
    program = single_clone(n, recover=1, mode="functional")
    r = qclone.compile(program, "grid:13x13", clone_strategy="ladder")
    assert all(v.ok for v in verify(r))
    assert r.phases[1].circuit.two_qubit_count() <= 2 * n
