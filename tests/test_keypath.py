"""The key-path layout: the clone as Bell pairs plus the re-encryption U_dec(j)^dagger walked
along the keys, and the recovery walked back (no clone passed in either walk)."""

from __future__ import annotations

import random

import networkx as nx
import pytest
import stim
from stim_gates import stim_circuit

import qclone
from qclone.ir import single_clone
from qclone.passes.synthesize import (
    Synthesis,
    bell_pair,
    clone_keypath,
    recover_roam,
    stretched_order,
)
from qclone.semantics.reference import clone_reference, recover_reference


def _relabel(moves: dict[int, int], size: int) -> stim.Tableau:
    """The permutation that takes each slot's content to where ``moves`` says it ends."""
    perm = list(range(size))
    for src, dst in moves.items():
        perm[src] = dst
    xs = [stim.PauliString("_" * perm[i] + "X" + "_" * (size - 1 - perm[i])) for i in range(size)]
    zs = [stim.PauliString("_" * perm[i] + "Z" + "_" * (size - 1 - perm[i])) for i in range(size)]
    return stim.Tableau.from_conjugated_generators(xs=xs, zs=zs)


@pytest.mark.parametrize("seed", range(40))
def test_inverse_roam_is_the_re_encryption(seed: int) -> None:
    rng = random.Random(seed)
    size = rng.randint(3, 11)
    tree = nx.random_labeled_tree(size, seed=seed)
    s, m = next(iter(tree.edges))
    if rng.random() < 0.5:
        s, m = m, s
    rest = [q for q in tree.nodes if q not in (s, m)]
    keys = rng.sample(rest, rng.randint(1, len(rest)))
    adj = {q: list(tree.neighbors(q)) for q in tree.nodes}
    for inverse in (False, True):
        syn = recover_roam(s, m, keys, adj, inverse=inverse)
        assert syn is not None
        ref = stim.Circuit()
        ref.append("I", [size - 1])
        recover_reference(ref, s, m, keys)
        want = ref.to_tableau().inverse() if inverse else ref.to_tableau()
        # exact, signs included, up to the walk's relabelling
        assert stim_circuit(syn, size).to_tableau() == want.then(_relabel(syn.moves, size))


@pytest.mark.parametrize("k", [0, 1, 2, 4])
def test_bell_pair_over_fresh_qubits(k: int) -> None:
    gates = bell_pair(0, list(range(1, k + 1)), k + 1)
    assert sum(1 for g in gates if g[0] == "cx") == 2 * k + 1
    assert all(abs(g[1] - g[2]) == 1 for g in gates if g[0] == "cx")  # nearest neighbour
    sim = stim.TableauSimulator()
    sim.do(stim_circuit(list(gates), k + 2))
    assert sim.peek_observable_expectation(stim.PauliString("X" + "_" * k + "X")) == 1
    assert sim.peek_observable_expectation(stim.PauliString("Z" + "_" * k + "Z")) == 1
    for q in range(1, k + 1):  # the qubits between are back in |0>
        assert sim.peek_z(q) == 1


def _encrypted(syn: Synthesis, a: int, s: list[int], k: list[int], size: int) -> None:
    """The synthesis maps |psi>_a |0...> to the protocol's encrypted state (checked on the
    stabilizers of psi = |0> and |+>), with its relabelling."""
    pos = list(range(size))
    for src, dst in syn.moves.items():
        pos[src] = dst
    for basis in ("Z", "X"):
        ref = stim.Circuit()
        ref.append("I", [size - 1])
        if basis == "X":
            ref.append("H", [a])
        clone_reference(ref, a, s, k)
        got = stim.Circuit()
        got.append("I", [size - 1])
        if basis == "X":
            got.append("H", [a])
        got += stim_circuit(syn, size)
        want_sim, got_sim = stim.TableauSimulator(), stim.TableauSimulator()
        want_sim.do(ref)
        got_sim.do(got)
        for stab in want_sim.canonical_stabilizers():
            moved = stim.PauliString(size)
            for q in range(size):
                moved[pos[q]] = stab[q]
            moved.sign = stab.sign
            assert got_sim.peek_observable_expectation(moved) == 1


@pytest.mark.parametrize("n", [2, 3, 5, 8])
def test_clone_keypath_on_a_comb_encrypts(n: int) -> None:
    # keys 0..n-1 on a path, the data next to key 0, each clone a tooth on its key; the last
    # two teeth are moved one step out (a stretched pair over a fresh qubit)
    a = n
    k = list(range(n))
    s = [n + 1 + i for i in range(n)]
    edges = [(i, i + 1) for i in range(n - 1)] + [(0, a)] + [(k[i], s[i]) for i in range(n)]
    graph = nx.Graph(edges)
    syn = clone_keypath(a, s, k, 0, {q: list(graph.neighbors(q)) for q in graph.nodes})
    assert syn is not None
    two = sum(1 for g in syn.gates() if g.is_two_qubit)
    # Bell pairs, the walk (4 per key), CX(s, m) at both ends, and the CZ(s, m) when the keys
    # met by s first are even in number
    assert n + 4 * (n - 1) + 2 <= two <= n + 4 * (n - 1) + 3
    _encrypted(syn, a, s, k, 2 * n + 1)
    # a stretched pair: clone S_n two steps from N_n, over S_(n-1)
    if n >= 3:
        graph.remove_edge(k[-1], s[-1])
        graph.add_edge(s[-2], s[-1])
        adj = {q: list(graph.neighbors(q)) for q in graph.nodes}
        syn = clone_keypath(a, s, k, 0, adj, {n - 1: [k[-2], s[-2]]})
        assert syn is not None
        _encrypted(syn, a, s, k, 2 * n + 1)


@pytest.mark.parametrize("detour", [True, False])
def test_crossing_stretched_pairs_take_a_detour_or_go_along(detour: bool) -> None:
    # keys 0-1-2, data 3 on key 0, clone S1 = 4 on key 0; the planned paths of pairs 1 and 2
    # cross in a cycle (1-6-5 and 2-5-6), so the pair made second finds a qubit of its path
    # already taken
    a, k, s = 3, [0, 1, 2], [4, 5, 6]
    edges = [(0, 1), (1, 2), (0, 3), (0, 4), (1, 6), (6, 5), (2, 5)]
    if detour:
        edges += [(2, 4), (4, 6)]  # a fresh way round for pair 2 (over S1, made last)
    graph = nx.Graph(edges)
    adj = {q: list(graph.neighbors(q)) for q in graph.nodes}
    via = {1: [6], 2: [5]}
    plan = stretched_order(a, s, k, adj, via)
    assert plan[0] == (1, [6])
    assert plan[1] == ((2, [4]) if detour else (2, None))
    syn = clone_keypath(a, s, k, 0, adj, via)
    assert syn is not None
    two = sum(1 for g in syn.gates() if g.is_two_qubit)
    # pair 0 coupled (1), pair 1 over one fresh qubit (3), pair 2 by detour (3) or along its
    # crossed path keeping what it crosses (long_cx: 5); the walk over the keys 4 each + 2..3
    second = 3 if detour else 5
    assert 1 + 3 + second + 4 * 2 + 2 <= two <= 1 + 3 + second + 4 * 2 + 3
    _encrypted(syn, a, s, k, 7)


def test_clone_keypath_needs_the_data_next_to_the_lead_key() -> None:
    adj = {0: [1], 1: [0, 2], 2: [1], 3: [], 4: []}
    assert clone_keypath(3, [4, 3], [0, 1], 0, adj) is None


@pytest.mark.parametrize("target", ["grid:6x6", "heavy-hex:3"])
def test_keypath_compiles_verified_with_no_pass(target: str) -> None:
    n = 8
    # compile verifies every phase (stim tableaux) and raises if one differs
    r = qclone.compile(single_clone(n, recover=1), target=target, clone_strategy="keypath")
    assert [p.swaps for p in r.phases] == [0, 0]
    # the recovery walks back along the keys, meeting one at every step: 4 CNOTs each, and
    # the final CZ(s, m) folds away when an odd number of keys met m first
    assert r.phases[1].circuit.two_qubit_count() in (4 * n - 2, 4 * n - 1)
    # the clone: the sweep (2 per key, 2 per pair, 1 at the start) or Bell pairs plus the walk
    assert r.phases[0].circuit.two_qubit_count() >= 2 * (n - 1) + 2 * n + 1


def test_keypath_refuses_what_it_cannot_hold() -> None:
    with pytest.raises(qclone.errors.CompilationError, match="keypath"):
        qclone.compile(single_clone(6, recover=1), target="line:13", clone_strategy="keypath")


def test_heron_keypath_beats_the_path_layout() -> None:
    pytest.importorskip("qiskit_ibm_runtime")
    n = 64
    r = qclone.compile(single_clone(n, recover=1), target="ibm:fez", clone_strategy="keypath")
    path = qclone.compile(single_clone(n, recover=1), target="ibm:fez", clone_strategy="path")
    assert [p.swaps for p in r.phases] == [0, 0]
    assert r.phases[1].circuit.two_qubit_count() in (4 * n - 2, 4 * n - 1)
    assert r.cost.two_qubit < path.cost.two_qubit


def test_keypath_is_for_sparse_graphs() -> None:
    with pytest.raises(qclone.errors.CompilationError, match="sparse coupling graph"):
        qclone.compile(single_clone(4, recover=1), target="all-to-all:9", clone_strategy="keypath")
    # a ring has no qubit beside a path of keys: every Bell pair would run round the ring
    with pytest.raises(qclone.errors.CompilationError, match="not a line or ring"):
        qclone.compile(single_clone(13, recover=1), target="ring:27", clone_strategy="keypath")
