"""The roaming recovery and stretched pairs: layouts for devices without room for every pair on
coupled qubits, or with no long path (heavy-hex with dead couplings, trees)."""

from __future__ import annotations

import itertools

import networkx as nx
import pytest
import stim
from stim_gates import stim_circuit

import qclone
from qclone.ir import single_clone
from qclone.passes.synthesize import Synthesis, long_cx, recover_paper, recover_roam


def _tableau(gates: list[tuple[str, ...]] | Synthesis, size: int) -> stim.Tableau:
    return stim_circuit(gates, size).to_tableau()


@pytest.mark.parametrize("k", [0, 1, 2, 3, 5])
def test_long_cx_is_a_cnot_and_leaves_the_path_alone(k: int) -> None:
    gates = long_cx(0, list(range(1, k + 1)), k + 1)
    assert len(gates) == (1 if k == 0 else 4 * k)
    assert all(abs(a - b) == 1 for _, a, b in gates)  # nearest neighbour on the path
    assert _tableau(list(gates), k + 2) == _tableau([("cx", 0, k + 1)], k + 2)


def _check_roam(syn: Synthesis, s: int, m: int, keys: list[int], size: int) -> None:
    """The roaming synthesis equals the paper's U_dec followed by its relabelling
    (``moves``: the slot whose content ends on another position)."""
    at = list(range(size))  # at[position] = slot whose content sits there
    for src, dst in syn.moves.items():
        at[dst] = src
    relabel = stim.Circuit()
    relabel.append("I", [size - 1])
    now = list(range(size))  # now[position] = slot there so far
    for dst in range(size):
        if now[dst] != at[dst]:
            pos = now.index(at[dst])
            relabel.append("SWAP", [dst, pos])
            now[dst], now[pos] = now[pos], now[dst]
    ref = _tableau(recover_paper(s, m, keys), size).then(relabel.to_tableau())
    assert _tableau(syn, size) == ref


def test_roam_on_a_line_matches_the_walk() -> None:
    for n in range(2, 9):
        size = 2 * n
        adj = {q: [r for r in (q - 1, q + 1) if 0 <= r < size] for q in range(size)}
        keys = [2 + 2 * i for i in range(n - 1)]  # m, s, then key, clone, key, clone, ...
        syn = recover_roam(1, 0, keys, adj)
        assert syn is not None
        two = sum(3 if g.name == "swap" else 1 for g in syn.gates() if g.is_two_qubit)
        assert two == 10 * n - 13
        _check_roam(syn, 1, 0, keys, size)


@pytest.mark.parametrize("n", [2, 3, 6, 9])
def test_roam_enters_teeth_without_walking_back(n: int) -> None:
    # a comb: m, s, then keys along the spine, each with its clone as a tooth (never passed)
    spine = [0, 1, *range(2, n + 1)]
    teeth = {k: k + n - 1 for k in range(2, n + 1)}
    adj: dict[int, list[int]] = {q: [] for q in range(2 * n)}
    for a, b in [*itertools.pairwise(spine), *teeth.items()]:
        adj[a].append(b)
        adj[b].append(a)
    keys = list(teeth)
    syn = recover_roam(1, 0, keys, adj)
    assert syn is not None
    assert not any(g.name == "swap" for g in syn.gates())  # no clone is passed
    two = sum(1 for g in syn.gates() if g.is_two_qubit)
    assert two <= 4 * (n - 1) + 3
    _check_roam(syn, 1, 0, keys, 2 * n)
    # keys hanging off the spine (leaves) are met in passing, too
    leafy = {q: list(v) for q, v in adj.items()}
    syn2 = recover_roam(1, 0, list(teeth.values()), leafy)
    assert syn2 is not None
    _check_roam(syn2, 1, 0, list(teeth.values()), 2 * n)


def test_roam_refuses_uncoupled_controls_and_unreachable_keys() -> None:
    adj = {0: [2], 1: [2], 2: [0, 1]}
    assert recover_roam(1, 0, [2], adj) is None
    apart = {0: [1], 1: [0, 2], 2: [1], 3: []}  # key 3 is coupled to nothing
    assert recover_roam(1, 0, [2, 3], apart) is None


@pytest.mark.parametrize("seed", [0, 1, 2, 5])
def test_trees_compile_without_swaps_using_stretched_pairs(seed: int) -> None:
    # a random tree seldom has a perfect matching: some pairs must be stretched over
    # another qubit, and the recovery roams the tree; compile() verifies both phases
    n = 6
    g = nx.random_labeled_tree(2 * n + 1, seed=seed)
    r = qclone.compile(single_clone(n, recover=1), target=g)
    assert [p.swaps for p in r.phases] == [0, 0]
    for ph in r.phases:
        assert all(g.has_edge(a, b) for a, b in ph.circuit.interaction_edges())


def test_some_tree_needs_a_stretched_pair() -> None:
    # the star of three two-qubit arms plus a centre: no perfect matching of 7 qubits
    # together with a path of them; at least one pair ends on uncoupled qubits
    stretched = 0
    for seed in range(12):
        g = nx.random_labeled_tree(13, seed=seed)
        r = qclone.compile(single_clone(6, recover=1), target=g)
        final = r.phases[0].final
        if r.phases[0].swaps == 0:
            stretched += sum(
                not g.has_edge(final[f"m0.S{k}"], final[f"m0.N{k}"]) for k in range(1, 7)
            )
    assert stretched > 0


@pytest.mark.parametrize("device", ["ibm:fez", "ibm:torino"])
def test_heron_at_its_limit_needs_no_swap(device: str) -> None:
    pytest.importorskip("qiskit_ibm_runtime")
    n = {"ibm:fez": 76, "ibm:torino": 64}[device]
    r = qclone.compile(single_clone(n, recover=1), target=device)
    assert [p.swaps for p in r.phases] == [0, 0]
    # the stretched layout against the textbook-like synthesis left to qclone's router, in
    # the same run (which is how this size compiled before stretched pairs: 3435 on Fez)
    tried = r.options["tried"]
    assert isinstance(tried, dict)
    assert 3 * r.cost.two_qubit < tried["teleport"]


@pytest.mark.parametrize(("n", "mid"), [(5, 2), (8, 3), (8, 6), (12, 5)])
def test_roam_walks_a_key_path_in_order_when_s_touches_its_middle(n: int, mid: int) -> None:
    # keys on a path from m (slot 0): 0 - 2 - 3 - ... ; s (slot 1) is coupled to m and also to
    # the key at position ``mid`` of the path (a chord, as on a lattice). Grown from both
    # controls, the visiting order would split the path there and walk back over keys already
    # met (two SWAPs each); the walk must still meet every key in one sweep: 4 CNOTs a key
    path = [0, *range(2, n + 1)]
    adj: dict[int, list[int]] = {q: [] for q in range(n + 1)}
    for a, b in [*itertools.pairwise(path), (0, 1), (1, path[mid])]:
        adj[a].append(b)
        adj[b].append(a)
    keys = path[1:]
    syn = recover_roam(1, 0, keys, adj)
    assert syn is not None
    assert not any(g.name == "swap" for g in syn.gates())
    two = sum(1 for g in syn.gates() if g.is_two_qubit)
    assert two <= 4 * len(keys) + 3
    _check_roam(syn, 1, 0, keys, n + 1)


@pytest.mark.parametrize("n", [5, 12])
def test_roam_on_a_closed_ring_costs_what_it_does_on_a_longer_ring(n: int) -> None:
    # on ring:2n+1 the ring closes right behind the dominoes layout, so the key nearest s is
    # also reached from m's side. The walk must still sweep the keys as on a longer ring; one
    # visiting order (m's branch first) once cost ring:25 ten CNOTs more than ring:27 at n = 12
    program = single_clone(n, recover=1)
    counts = [
        [
            p.circuit.two_qubit_count()
            for p in qclone.compile(
                program, target=f"ring:{size}", clone_strategy="dominoes", verify=size == 2 * n + 1
            ).phases
        ]
        for size in (2 * n + 1, 2 * n + 3)
    ]
    assert counts[0] == counts[1]
