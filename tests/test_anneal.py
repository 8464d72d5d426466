"""Annealed key routes for the key-path layout (heavy-hex and other lattices without 4-cycles)."""

from __future__ import annotations

import itertools
import random

import networkx as nx
import pytest

import qclone
import qclone.passes.pipeline as pipeline
from qclone.ir import single_clone
from qclone.passes.paths import anneal_path
from qclone.passes.pipeline import _has_square, bell_total
from qclone.targets import get_target
from qclone.targets.generic import from_graph


def _is_simple_path(graph: nx.Graph, path: list[int]) -> bool:
    return len(set(path)) == len(path) and all(
        graph.has_edge(u, v) for u, v in itertools.pairwise(path)
    )


@pytest.mark.parametrize("seed", range(12))
def test_anneal_path_returns_a_simple_path_of_the_same_length_no_worse(seed: int) -> None:
    rng = random.Random(seed)
    graph = nx.connected_watts_strogatz_graph(30, 4, 0.3, seed=seed)
    weight = {q: rng.random() for q in graph}
    start = list(nx.dfs_preorder_nodes(graph, source=0))[:8]
    start = start if _is_simple_path(graph, start) else [0, next(iter(graph.adj[0]))]
    adjacency = {q: sorted(graph.adj[q]) for q in graph}

    def score(path: list[int]) -> float:
        return sum(weight[q] for q in path)

    value, path = anneal_path(adjacency, start, score, iterations=3000, seed=seed)
    assert _is_simple_path(graph, path)
    assert len(path) == len(start)
    assert value == pytest.approx(score(path))
    assert value <= score(start)
    # seeded: the same answer again
    assert anneal_path(adjacency, start, score, iterations=3000, seed=seed) == (value, path)


def test_anneal_path_finds_the_best_path_on_a_small_grid() -> None:
    graph = nx.convert_node_labels_to_integers(nx.grid_2d_graph(4, 5))
    rng = random.Random(3)
    weight = {q: rng.randint(0, 9) for q in graph}

    def score(path: list[int]) -> float:
        return float(sum(weight[q] for q in path))

    length = 5
    best = min(
        score(p)
        for u in graph
        for v in graph
        if u < v
        for p in nx.all_simple_paths(graph, u, v, cutoff=length - 1)
        if len(p) == length
    )
    adjacency = {q: sorted(graph.adj[q]) for q in graph}
    start = [0, 1, 2, 3, 4]  # the first row
    assert score(start) > best
    value, path = anneal_path(adjacency, start, score, iterations=4000, seed=1, heat=5.0)
    assert value == best and _is_simple_path(graph, path)


def test_bell_total_is_the_least_assignment() -> None:
    graph = nx.random_labeled_tree(11, seed=5)
    tgt = from_graph(graph)
    score = bell_total(tgt, 3)
    dist = dict(nx.all_pairs_shortest_path_length(graph))
    for keys in ([0, 1, 2], [3, 7, 9], [10, 4, 6]):
        free = [q for q in graph if q not in keys]
        brute = min(
            sum(2 * dist[k][c] - 1 for k, c in zip(keys, pick, strict=True))
            for pick in itertools.permutations(free, 3)
        )
        assert score(keys) == brute


def test_square_lattices_are_told_apart() -> None:
    assert _has_square(get_target("grid:3x3"))
    assert _has_square(get_target("rigetti:ankaa-3"))
    assert not _has_square(get_target("heavy-hex:5"))
    assert not _has_square(get_target("line:6"))


def test_annealed_routes_lower_the_ibm_clone(monkeypatch: pytest.MonkeyPatch) -> None:
    """On Fez at n = 40 the annealed key route puts the clones nearer their keys; the result
    verifies and costs fewer two-qubit gates than with the plain routes only."""
    program = single_clone(40, recover=1)
    annealed = qclone.compile(program, "ibm:fez")
    monkeypatch.setattr(pipeline, "_ANNEAL_QUBITS", 0)
    plain = qclone.compile(program, "ibm:fez", verify=False)
    assert annealed.cost.two_qubit < plain.cost.two_qubit
    assert annealed.phases[0].circuit.two_qubit_count() < plain.phases[0].circuit.two_qubit_count()
