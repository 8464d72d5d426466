"""The protocol-aware layouts: exact gate counts, no routing SWAPs, verified circuits."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import qclone
from qclone.errors import VerificationError
from qclone.ir import single_clone
from qclone.passes import synthesize
from qclone.passes.ladder import ladder_plan
from qclone.passes.paths import long_path
from qclone.passes.synthesize import Synthesis
from qclone.verification import verify


def _bridges(rows: int, cols: int, n: int) -> int:
    plan = ladder_plan(rows, cols, n)
    assert plan is not None
    return sum(1 for step in plan.s_fill + plan.k_fill if len(step) == 4)


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 40), st.data())
def test_grid_ladder_has_no_swaps_and_the_formula_count(n: int, data: st.DataObject) -> None:
    j = data.draw(st.integers(1, n))
    rows = data.draw(st.integers(3, 9))
    cols = 3
    while ladder_plan(rows, cols, n) is None:
        cols += 1
    target = f"grid:{rows}x{cols}"
    result = qclone.compile(single_clone(n, recover=j), target, clone_strategy="ladder")
    assert "ladder" in result.phases[0].strategy  # (verified by compile)
    auto = qclone.compile(single_clone(n, recover=j), target, verify=False)
    assert auto.cost.two_qubit <= result.cost.two_qubit  # auto keeps the cheapest
    assert result.cost.swaps == 0 and result.cost.synthesis_swaps == 0
    bridges = _bridges(rows, cols, n)
    assert result.cost.phases[0].two_qubit == 3 * n + n % 2 + 4 * bridges


@pytest.mark.parametrize("n", [2, 3, 10, 37, 76])
def test_heavy_hex_path_needs_no_routing(n: int) -> None:
    target = qclone.get_target("heavy-hex:9")
    assert len(long_path(target, 2 * n + 1)) >= 2 * n + 1
    program = single_clone(n, recover=1 + n // 2)
    result = qclone.compile(program, target, clone_strategy="path")
    assert result.cost.swaps == 0
    clone, recover = result.cost.phases
    assert clone.two_qubit == 5 * n - 2 + n % 2
    assert recover.two_qubit == 10 * n - 13  # 4 per key, 6 per clone passed, 3 fixed
    best = qclone.compile(program, target)  # auto keeps the cheapest layout it tries
    assert best.cost.swaps == 0 and best.cost.two_qubit <= result.cost.two_qubit


def test_ladder_refused_where_it_does_not_fit() -> None:
    from qclone.errors import CompilationError

    with pytest.raises(CompilationError, match="ladder layout needs a row-major grid"):
        qclone.compile(single_clone(3, recover=1), "line:9", clone_strategy="ladder")
    with pytest.raises(CompilationError, match="unknown clone strategy"):
        qclone.compile(single_clone(3), "line:9", clone_strategy="spiral")


def test_long_paths_cover_the_lattices() -> None:
    # a row snake: every line plus one bridge between consecutive lines
    assert len(long_path(qclone.get_target("heavy-hex:9"), 10_000)) == 2 * 9 * 9 - 1
    assert len(long_path(qclone.get_target("grid:7x9"), 10_000)) == 63
    hh = qclone.get_target("heavy-hex-rows:8x16")
    p = long_path(hh, 10_000)
    assert all(hh.is_adjacent(a, b) for a, b in itertools.pairwise(p))
    assert len(set(p)) == len(p) == 129


@pytest.mark.parametrize("n", [2, 5, 16, 40])
def test_all_to_all_costs_at_most_6n(n: int) -> None:
    for mode in ("exact", "functional"):
        result = qclone.compile(single_clone(n, recover=n, mode=mode), f"all-to-all:{2 * n + 1}")
        assert result.cost.swaps == 0
        assert result.cost.two_qubit <= 6 * n


@pytest.mark.parametrize(("n", "j"), [(2, 1), (4, 3), (9, 9)])
def test_classic_bug_in_the_walking_recovery(
    n: int, j: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = synthesize.recover_walk

    def without_cz(s: int, m: int, others: list[int], line: list[int]) -> Synthesis | None:
        syn = real(s, m, others, line)
        assert syn is not None
        last = [g for b in syn.blocks for ch in b for g in ch if g.name == "cz"][-1]
        blocks = [[[g for g in ch if g is not last] for ch in b] for b in syn.blocks]
        return Synthesis(blocks, dict(syn.moves))

    monkeypatch.setattr(synthesize, "recover_walk", without_cz)
    bad = qclone.compile(single_clone(n, recover=j), "line:40", verify=False)
    assert bad.cost.phases[1].two_qubit == 10 * n - 14
    with pytest.raises(VerificationError, match="phase 1"):
        verify(bad)


def test_far_below_qiskit_level_3_on_heavy_hex() -> None:
    pytest.importorskip("qiskit")
    from qiskit import qasm2, transpile
    from qiskit.transpiler import CouplingMap

    n = 20
    target = qclone.get_target("heavy-hex:7")
    program = single_clone(n, recover=1)
    textbook = qclone.compile(program, None, clone_strategy="textbook", verify=False)
    assert textbook.cost.two_qubit == 7 * n + 1
    edges = [(int(a), int(b)) for a, b in target.graph.edges]
    out = transpile(
        qasm2.loads(textbook.to_qasm()),
        coupling_map=CouplingMap([*edges, *[(b, a) for a, b in edges]]),
        basis_gates=["cz", "rz", "sx", "x"],
        optimization_level=3,
        seed_transpiler=11,
    )
    theirs = sum(1 for inst in out.data if inst.operation.num_qubits == 2)
    ours = qclone.compile(program, target).cost.two_qubit
    assert ours * 1.5 < theirs


@pytest.mark.slow
@pytest.mark.parametrize("target", ["grid:60x60", "heavy-hex:41"])
def test_thousands_of_clones_verify(target: str) -> None:
    n = 1500
    result = qclone.compile(single_clone(n, recover=n // 3), target)  # verified
    assert result.cost.swaps == 0


@pytest.mark.parametrize("n", [2, 3, 8, 21])
def test_path_clone_count(n: int) -> None:
    result = qclone.compile(single_clone(n), "line:60", clone_strategy="path")
    assert result.cost.two_qubit == 5 * n - 2 + n % 2
    assert result.cost.swaps == 0


def _comb_graph(length: int) -> qclone.Target:
    """A path of ``length`` qubits with one pendant qubit on each."""
    import networkx as nx

    from qclone.targets import from_graph

    g = nx.Graph()
    for i in range(length):
        if i:
            g.add_edge(i - 1, i)
        g.add_edge(i, length + i)
    return from_graph(g, name=f"comb{length}")


@pytest.mark.parametrize(("n", "j"), [(12, 2), (15, 15), (19, 1)])
def test_pairs_hang_off_a_short_path_without_swaps(n: int, j: int) -> None:
    target = _comb_graph(20)
    assert len(long_path(target, 2 * n + 1)) < 2 * n + 1  # the path alone is too short
    result = qclone.compile(single_clone(n, recover=j), target, clone_strategy="dominoes")
    assert result.cost.swaps == 0  # verified
    assert result.cost.phases[0].two_qubit in (5 * n - 2, 5 * n - 1)
    # auto keeps the cheapest: here the key-path sweep, every clone on the tooth of its key
    best = qclone.compile(single_clone(n, recover=j), target)
    assert best.cost.swaps == 0
    assert best.cost.phases[0].two_qubit == 4 * n + 1 < 5 * n - 2


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 14), st.data())
def test_comb_clone_verifies_for_any_teeth(n: int, data: st.DataObject) -> None:
    from qclone.compiled import CompileResult
    from qclone.cost.report import cost_report
    from qclone.passes.decompose import decompose
    from qclone.passes.synthesize import clone_comb

    tooth = [False, *data.draw(st.lists(st.booleans(), min_size=n - 1, max_size=n - 1))]
    program = single_clone(n)
    analysis = program.analysis()
    phases = decompose(analysis, clone_strategy=lambda a, s, k: clone_comb(a, s, k, tooth))
    logical = [ph.to_phase_circuit(len(analysis.wires)) for ph in phases]
    assert logical[0].circuit.two_qubit_count() in (5 * n - 2, 5 * n - 1)
    result = CompileResult(
        program=program,
        analysis=analysis,
        target=None,
        logical=tuple(logical),
        phases=tuple(logical),
        cost=cost_report("logical", logical, logical, "cx"),
    )
    assert all(v.ok for v in verify(result, raise_on_failure=False))


def test_ladder_inside_an_irregular_lattice() -> None:
    """Google's Willow is diamond-shaped: the ladder goes into a full rectangle inside it."""
    pytest.importorskip("cirq_google")
    result = qclone.compile(single_clone(20, recover=7), "google:willow", clone_strategy="ladder")
    assert "ladder" in result.phases[0].strategy  # verified
    assert result.cost.swaps == 0 and result.cost.synthesis_swaps == 0
    assert result.cost.two_qubit < 9 * 20
    best = qclone.compile(single_clone(20, recover=7), "google:willow")
    assert best.cost.swaps == 0 and best.cost.two_qubit <= result.cost.two_qubit


def test_row_snake_survives_a_cut_coupling() -> None:
    """A dead or missing coupling splits a lattice row into two lines; the snake goes on."""
    import networkx as nx

    from qclone.targets import from_graph

    hh = qclone.get_target("heavy-hex:9")
    g = nx.Graph(hh.graph)
    assert hh.positions is not None
    for q, pos in hh.positions.items():
        g.nodes[q]["pos"] = pos
    row = sorted(
        (q for q, (_, y) in hh.positions.items() if y == 8.0), key=lambda q: hh.positions[q][0]
    )  # type: ignore[index]
    g.remove_edge(row[8], row[9])
    cut = from_graph(g, name="hh9-cut")
    path = long_path(cut, cut.num_qubits)
    assert all(cut.is_adjacent(a, b) for a, b in itertools.pairwise(path))
    assert len(path) >= 130  # 161 on the whole lattice
    result = qclone.compile(single_clone(60, recover=3), cut)  # verified
    assert result.cost.swaps == 0


@pytest.mark.parametrize(("target", "n"), [("heavy-hex-rows:8x16", 30), ("heavy-hex:5", 20)])
def test_domino_tree_clone_needs_no_swap(target: str, n: int) -> None:
    """Pairs on a tree of coupled dominoes: the clone is 5n - 2 (+1) CNOTs with no SWAP."""
    from qclone.passes.pipeline import compile as qcompile

    r = qcompile(single_clone(n, recover=1), target, clone_strategy="dominoes")
    clone = r.phases[0]
    assert clone.swaps == 0
    assert clone.circuit.two_qubit_count() in (5 * n - 2, 5 * n - 1)
    assert r.phases[0].strategy.startswith("dominoes")


def test_dominoes_refused_for_two_data_qubits() -> None:
    from qclone.errors import CompilationError
    from qclone.ir import Program
    from qclone.passes.pipeline import compile as qcompile

    p = Program()
    a, b = p.data("a"), p.data("b")
    p.clone(a, 2)
    p.clone(b, 2)
    with pytest.raises(CompilationError, match="dominoes"):
        qcompile(p, "heavy-hex:5", clone_strategy="dominoes")
