"""Tests of qclone.targets: generic families, spec parsing, the registry and Target queries."""

from __future__ import annotations

import doctest
import importlib.metadata
import itertools
import json
import pickle
import subprocess
import sys
import types
from collections.abc import Iterator

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import qclone.targets.base as base_module
import qclone.targets.registry as registry
from qclone.errors import (
    DisconnectedTarget,
    InvalidGraph,
    TargetError,
    TargetTooSmall,
    UnknownTargetError,
)
from qclone.targets import (
    CLIFFORD_ONE_QUBIT_GATES,
    Target,
    TargetFamily,
    all_to_all,
    from_graph,
    get_target,
    grid,
    heavy_hex,
    heavy_hex_num_qubits,
    heavy_hex_rows,
    heavy_hex_rows_num_qubits,
    line,
    list_target_families,
    register_target_family,
    ring,
    unregister_target_family,
)


def _check_common(t: Target) -> None:
    t.validate()
    assert sorted(t.graph.nodes) == list(range(t.num_qubits))
    assert not t.graph.is_directed()
    assert nx.number_of_selfloops(t.graph) == 0
    if t.positions is not None:
        assert set(t.positions) == set(range(t.num_qubits))


# --- families --------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [1, 2, 5, 20])
def test_line(n: int) -> None:
    t = line(n)
    _check_common(t)
    assert (t.name, t.num_qubits, t.num_edges) == (f"line:{n}", n, n - 1)
    assert t.two_qubit_gate == "cz"
    assert t.one_qubit_gates == CLIFFORD_ONE_QUBIT_GATES
    assert t.provenance == "generated"
    assert not t.all_to_all
    assert t.distance(0, n - 1) == n - 1


@pytest.mark.parametrize("n", [3, 4, 12])
def test_ring(n: int) -> None:
    t = ring(n)
    _check_common(t)
    assert (t.name, t.num_qubits, t.num_edges) == (f"ring:{n}", n, n)
    assert all(d == 2 for _, d in t.graph.degree)
    assert t.is_adjacent(0, n - 1)
    assert t.distance(0, n // 2) == n // 2


@pytest.mark.parametrize(("rows", "cols"), [(1, 1), (1, 5), (3, 4), (10, 10), (7, 3)])
def test_grid(rows: int, cols: int) -> None:
    t = grid(rows, cols)
    _check_common(t)
    assert t.name == f"grid:{rows}x{cols}"
    assert t.num_qubits == rows * cols
    assert t.num_edges == rows * (cols - 1) + cols * (rows - 1)
    assert nx.is_connected(t.graph)
    assert t.positions is not None
    assert t.positions[rows * cols - 1] == (float(cols - 1), float(rows - 1))


@pytest.mark.parametrize(("d", "expected"), [(3, 19), (5, 57), (7, 115), (9, 193), (11, 291)])
def test_heavy_hex_counts(d: int, expected: int) -> None:
    t = heavy_hex(d)
    _check_common(t)
    assert heavy_hex_num_qubits(d) == expected == (5 * d * d - 2 * d - 1) // 2
    assert t.num_qubits == expected
    assert t.num_edges == 3 * d * d - 2 * d - 1
    assert max(deg for _, deg in t.graph.degree) == 3
    assert min(deg for _, deg in t.graph.degree) >= 1
    assert nx.is_connected(t.graph)
    assert nx.is_bipartite(t.graph)
    assert t.name == f"heavy-hex:{d}"


@pytest.mark.parametrize("d", [3, 5, 7])
def test_heavy_hex_matches_qiskit(d: int) -> None:
    transpiler = pytest.importorskip("qiskit.transpiler")
    cmap = transpiler.CouplingMap.from_heavy_hex(d)
    ours = heavy_hex(d).graph
    theirs = nx.Graph()
    theirs.add_edges_from(tuple(e) for e in cmap.get_edges())
    assert nx.is_isomorphic(ours, theirs)
    # the numbering is Qiskit's too
    assert {frozenset(e) for e in ours.edges} == {frozenset(e) for e in theirs.edges}


@pytest.mark.parametrize(
    ("rows", "cols"), [(1, 1), (1, 7), (2, 4), (2, 5), (3, 15), (7, 15), (8, 16), (5, 9)]
)
def test_heavy_hex_rows_counts(rows: int, cols: int) -> None:
    t = heavy_hex_rows(rows, cols)
    _check_common(t)
    assert t.num_qubits == heavy_hex_rows_num_qubits(rows, cols)
    bridges = t.num_qubits - rows * cols
    assert t.num_edges == rows * (cols - 1) + 2 * bridges
    assert max(deg for _, deg in t.graph.degree) <= 3
    assert nx.is_connected(t.graph)
    assert t.name == f"heavy-hex-rows:{rows}x{cols}"


def test_heavy_hex_rows_is_heron_r2() -> None:
    t = get_target("heavy-hex-rows:8x16")
    assert (t.num_qubits, t.num_edges) == (156, 176)
    # couplings of IBM Heron r2 (e.g. ibm_fez): bridges 16..19 below columns 3, 7, 11, 15
    # of line 0, bridges 36..39 below columns 1, 5, 9, 13 of line 1, ...
    for a, b in [(3, 16), (16, 23), (15, 19), (19, 35), (21, 36), (36, 41), (139, 155), (0, 1)]:
        assert t.is_adjacent(a, b)
    assert not t.is_adjacent(0, 16)
    assert nx.is_bipartite(t.graph)


def test_heavy_hex_rows_too_narrow() -> None:
    with pytest.raises(TargetError, match="at least 4 columns"):
        heavy_hex_rows(3, 3)


@pytest.mark.parametrize("n", [1, 2, 6, 40])
def test_all_to_all(n: int) -> None:
    t = all_to_all(n)
    _check_common(t)
    assert t.all_to_all
    assert t.num_edges == n * (n - 1) // 2
    for a, b in itertools.product(range(n), repeat=2):
        assert t.is_adjacent(a, b) == (a != b)
        assert t.distance(a, b) == (0 if a == b else 1)
    if n > 1:
        assert t.shortest_path(0, n - 1) == [0, n - 1]
    t.require(n, "program")


# --- distances -------------------------------------------------------------------------------
def test_grid_distances_and_paths() -> None:
    t = grid(3, 4)
    reference = dict(nx.all_pairs_shortest_path_length(t.graph))
    for a, b in itertools.product(range(12), repeat=2):
        d = t.distance(a, b)
        assert d == reference[a][b] == abs(a // 4 - b // 4) + abs(a % 4 - b % 4)
        path = t.shortest_path(a, b)
        assert path[0] == a and path[-1] == b and len(path) == d + 1
        assert all(t.is_adjacent(u, v) for u, v in itertools.pairwise(path))
    assert t.shortest_path(0, 11) == [0, 1, 2, 3, 7, 11]  # ties towards smaller indices
    assert t.is_adjacent(0, 1) and t.is_adjacent(1, 5) and not t.is_adjacent(0, 5)
    assert t.neighbors(5) == frozenset({1, 4, 6, 9})
    row = t.distance_row(0)
    assert list(row) == [reference[0][q] for q in range(12)]
    with pytest.raises(ValueError):
        row[0] = 3  # read-only


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 6), st.integers(1, 6), st.data())
def test_grid_distance_is_manhattan(rows: int, cols: int, data: st.DataObject) -> None:
    t = grid(rows, cols)
    a = data.draw(st.integers(0, rows * cols - 1))
    b = data.draw(st.integers(0, rows * cols - 1))
    assert t.distance(a, b) == abs(a // cols - b // cols) + abs(a % cols - b % cols)


def test_distance_row_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base_module, "_ROW_CACHE_BYTES", 10 * 4 * 100)
    t = grid(10, 10)
    for a in range(100):
        t.distance(a, 99 - a)
    assert len(t._rows) <= 10
    assert t.distance(0, 99) == 18


def test_qubit_out_of_range() -> None:
    t = line(3)
    with pytest.raises(TargetError, match="qubit 3 is not on target line:3"):
        t.is_adjacent(0, 3)
    with pytest.raises(TargetError, match="not on target"):
        t.distance(-1, 0)


# --- get_target ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("spec", "name", "num_qubits", "gate"),
    [
        ("line:20", "line:20", 20, "cz"),
        ("ring:12", "ring:12", 12, "cz"),
        ("grid:10x10", "grid:10x10", 100, "cz"),
        ("grid:3,5", "grid:3x5", 15, "cz"),
        ("Grid:2X3", "grid:2x3", 6, "cz"),
        ("  grid:4x2  ", "grid:4x2", 8, "cz"),
        ("grid:10x10@cx", "grid:10x10@cx", 100, "cx"),
        ("grid:10x10@cz", "grid:10x10", 100, "cz"),
        ("heavy-hex:9", "heavy-hex:9", 193, "cz"),
        ("heavy-hex:3@CX", "heavy-hex:3@cx", 19, "cx"),
        ("heavy-hex-rows:8x16", "heavy-hex-rows:8x16", 156, "cz"),
        ("all-to-all:40", "all-to-all:40", 40, "cz"),
        ("full:8", "all-to-all:8", 8, "cz"),
        ("line:+7", "line:7", 7, "cz"),
    ],
)
def test_get_target_specs(spec: str, name: str, num_qubits: int, gate: str) -> None:
    t = get_target(spec)
    assert (t.name, t.num_qubits, t.two_qubit_gate) == (name, num_qubits, gate)
    again = get_target(t.name)  # names are canonical specs
    assert (again.name, again.num_qubits, again.num_edges) == (name, num_qubits, t.num_edges)


def test_get_target_passthrough_and_graph() -> None:
    t = grid(2, 2)
    assert get_target(t) is t
    g = nx.cycle_graph(5)
    u = get_target(g)
    assert u.name == "graph:custom" and u.num_qubits == 5 and u.num_edges == 5


def test_family_functions_take_gate() -> None:
    assert line(4, "cx").name == "line:4@cx"
    assert heavy_hex_rows(2, 4, two_qubit_gate="cx").two_qubit_gate == "cx"
    with pytest.raises(TargetError, match="two_qubit_gate must be one of cz, cx"):
        grid(2, 2, "iswap")


# --- bad specs -------------------------------------------------------------------------------
def test_unknown_family() -> None:
    with pytest.raises(UnknownTargetError, match="no target family 'hexagon'") as info:
        get_target("hexagon:5")
    message = str(info.value)
    for example in ("grid:10x10", "heavy-hex:7", "line:20", "all-to-all:40"):
        assert example in message


def test_unknown_graph_spec() -> None:
    with pytest.raises(UnknownTargetError, match="pass the graph itself"):
        get_target("graph:custom")


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ("line:0", r"line length must be an integer >= 1, got 0"),
        ("line:-3", r"must be a positive integer, got '-3'"),
        ("line:2.5", r"must be a positive integer, got '2.5'"),
        ("line:abc", r"must be a positive integer"),
        ("line", r"needs a size, e.g. line:20"),
        ("ring:2", r"ring length must be an integer >= 3"),
        ("grid:10", r"needs rows and columns as two positive integers RxC"),
        ("grid:0x5", r"grid rows must be an integer >= 1"),
        ("heavy-hex:1", r"heavy-hex distance must be an integer >= 3"),
        ("all-to-all:5000", r"more than qclone builds"),
        ("grid:10x10@iswap", r"unknown native gate '@iswap'.*use @cz or @cx"),
    ],
)
def test_bad_sizes(spec: str, fragment: str) -> None:
    with pytest.raises(TargetError, match=fragment) as info:
        get_target(spec)
    assert not isinstance(info.value, UnknownTargetError)


def test_even_heavy_hex_distance() -> None:
    with pytest.raises(TargetError, match=r"must be odd, got 4; use heavy-hex:3 \(19 qubits\)"):
        get_target("heavy-hex:4")


def test_bad_spec_type() -> None:
    with pytest.raises(TargetError, match="spec string"):
        get_target(42)


# --- user graphs -----------------------------------------------------------------------------
def test_from_graph_directed() -> None:
    with pytest.raises(InvalidGraph, match=r"is directed.*g\.to_undirected\(\)"):
        from_graph(nx.DiGraph([(0, 1)]))


def test_from_graph_multigraph() -> None:
    with pytest.raises(InvalidGraph, match=r"is a multigraph.*networkx\.Graph\(g\)"):
        from_graph(nx.MultiGraph([(0, 1), (0, 1)]))


def test_from_graph_self_loop() -> None:
    with pytest.raises(InvalidGraph, match=r"node 'b' has a self-loop; remove it with"):
        from_graph(nx.Graph([("a", "b"), ("b", "b")]))


def test_from_graph_empty_and_not_a_graph() -> None:
    with pytest.raises(InvalidGraph, match="has no nodes"):
        from_graph(nx.Graph())
    with pytest.raises(InvalidGraph, match=r"expected a networkx\.Graph"):
        from_graph([(0, 1)])


def test_from_graph_relabels() -> None:
    g = nx.Graph([("c", "a"), ("a", "b")])
    g.nodes["a"]["pos"] = (0, 0)
    g.nodes["b"]["pos"] = (1, 0)
    g.nodes["c"]["pos"] = (0, 1)
    t = from_graph(g, name="abc", two_qubit_gate="cx")
    assert t.name == "graph:abc@cx"
    assert t.node_labels == ("a", "b", "c")
    assert t.is_adjacent(0, 1) and t.is_adjacent(0, 2) and not t.is_adjacent(1, 2)
    assert t.positions == {0: (0.0, 0.0), 1: (1.0, 0.0), 2: (0.0, 1.0)}
    assert t.provenance == "user graph"
    g.add_edge("b", "c")  # the target keeps its own frozen copy
    assert not t.is_adjacent(1, 2)
    with pytest.raises(nx.NetworkXError):
        t.graph.add_edge(1, 2)


def test_from_graph_unsortable_and_identity() -> None:
    t = from_graph(nx.Graph([("x", 1), (1, (2, 3))]))
    assert t.node_labels == ("x", 1, (2, 3))  # insertion order
    assert t.positions is None
    u = from_graph(nx.path_graph(4))
    assert u.node_labels is None
    assert from_graph(nx.complete_graph(4)).all_to_all


# --- require ---------------------------------------------------------------------------------
def test_require_too_small() -> None:
    t = grid(3, 3)
    t.require(9, "program 'clone'")
    with pytest.raises(
        TargetTooSmall,
        match=r"program 'clone' needs 50 qubits but target grid:3x3 has 9; choose a larger "
        r"target, e.g. grid:8x8",
    ):
        t.require(50, "program 'clone'")


def test_require_disconnected() -> None:
    g = nx.Graph([(0, 1), (1, 2), (3, 4)])
    g.add_node(5)
    t = from_graph(g, name="split")
    t.require(3, "program")
    with pytest.raises(
        DisconnectedTarget,
        match=r"needs 4 connected qubits but the largest connected component of target "
        r"graph:split has only 3 of its 6 qubits \(3 components\); add couplings",
    ):
        t.require(4, "program")
    with pytest.raises(DisconnectedTarget, match="different connected components"):
        t.distance(0, 3)
    with pytest.raises(DisconnectedTarget):
        t.shortest_path(0, 5)
    assert t.connected_components()[0] == frozenset({0, 1, 2})


def test_require_bad_count() -> None:
    with pytest.raises(TargetError, match="non-negative integer"):
        line(3).require(-1, "program")


# --- Target record ---------------------------------------------------------------------------
def _raw(graph: nx.Graph, **changes: object) -> Target:
    fields: dict[str, object] = {
        "name": "raw",
        "graph": graph,
        "two_qubit_gate": "cz",
        "one_qubit_gates": ("rz", "sx", "x"),
        "all_to_all": False,
        "description": "test",
        "provenance": "test",
    }
    fields.update(changes)
    return Target(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("graph", "changes", "fragment"),
    [
        (nx.Graph([(1, 2)]), {}, r"qubits must be the integers 0\.\.1"),
        (nx.Graph([("a", "b")]), {}, "qubits must be the integers"),
        (nx.Graph([(0, 0), (0, 1)]), {}, "qubit 0 has a self-loop"),
        (nx.DiGraph([(0, 1)]), {}, "graph is directed"),
        (nx.MultiGraph([(0, 1)]), {}, "multigraph"),
        (nx.Graph(), {}, "has no qubits"),
        (nx.path_graph(2), {"two_qubit_gate": "iswap"}, "two_qubit_gate must be one of"),
        (nx.path_graph(2), {"one_qubit_gates": ()}, "one_qubit_gates must be a non-empty"),
        (nx.path_graph(3), {"all_to_all": True}, "graph is not complete"),
        (nx.path_graph(2), {"positions": {0: (0.0, 0.0)}}, "positions must give"),
        (nx.path_graph(2), {"node_labels": ("a", "a")}, "node_labels must name"),
    ],
)
def test_validate(graph: nx.Graph, changes: dict[str, object], fragment: str) -> None:
    with pytest.raises(TargetError, match=fragment):
        _raw(graph, **changes)


def test_vendor_style_target() -> None:
    t = _raw(nx.path_graph(3), name="vendor:x", provenance="vendor data 2025-01")
    assert t.one_qubit_gates == ("rz", "sx", "x")
    assert t.distance(0, 2) == 2


def test_to_dict_and_pickle() -> None:
    t = heavy_hex(3)
    d = t.to_dict()
    assert json.loads(json.dumps(d)) == d
    assert d["name"] == "heavy-hex:3" and d["num_qubits"] == 19 and d["num_edges"] == 20
    assert d["two_qubit_gate"] == "cz" and d["all_to_all"] is False
    assert d["provenance"] == "generated"
    assert t.distance(0, 18) > 0
    u = pickle.loads(pickle.dumps(t))
    assert u.name == t.name and u.edges == t.edges and u.positions == t.positions
    assert u.distance(0, 18) == t.distance(0, 18)
    assert "heavy-hex:3" in repr(t)


# --- registry --------------------------------------------------------------------------------
@pytest.fixture
def clean_registry() -> Iterator[None]:
    before = set(registry._families)
    yield
    for prefix in set(registry._families) - before:
        unregister_target_family(prefix)


def _toy(arguments: str) -> Target:
    return line(int(arguments or 2))


def test_register_family(clean_registry: None) -> None:
    register_target_family("toy", _toy, summary="toy lines", example="toy:3", aliases=("t0y",))
    assert get_target("toy:3").num_qubits == 3
    assert get_target("t0y").num_qubits == 2
    assert ("toy", "toy lines", "toy:3") in list_target_families()
    unregister_target_family("toy")
    with pytest.raises(UnknownTargetError):
        get_target("toy:3")


def test_register_duplicate_prefix(clean_registry: None) -> None:
    with pytest.raises(TargetError, match="prefix 'grid' is already registered"):
        register_target_family("grid", _toy, summary="x", example="grid:1")
    with pytest.raises(TargetError, match="prefix 'full' is already registered"):
        register_target_family("mine", _toy, summary="x", example="mine:1", aliases=("full",))
    register_target_family("toy", _toy, summary="x", example="toy:1")
    with pytest.raises(TargetError, match="already registered"):
        register_target_family("toy", _toy, summary="y", example="toy:1")


def test_register_bad_prefix(clean_registry: None) -> None:
    with pytest.raises(TargetError, match="invalid target family prefix"):
        register_target_family("Bad:Prefix", _toy, summary="x", example="x")


def test_list_target_families_builtins() -> None:
    prefixes = [row[0] for row in list_target_families()]
    assert prefixes[:6] == ["line", "ring", "grid", "heavy-hex", "heavy-hex-rows", "all-to-all"]
    for prefix, summary, example in list_target_families()[:6]:
        assert summary and get_target(example).name.startswith(prefix)


def test_entry_point_plugin(clean_registry: None, monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType("qclone_fake_plugin")

    def factory(arguments: str) -> Target:
        """Fake lab chips."""
        return ring(int(arguments))

    def broken(arguments: str) -> Target:  # pragma: no cover - never called
        raise AssertionError

    module.factory = factory  # type: ignore[attr-defined]
    module.family = TargetFamily("ignored", broken, "fam", "fam:1")  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "qclone_fake_plugin", module)
    eps = [
        importlib.metadata.EntryPoint("fakelab", "qclone_fake_plugin:factory", "qclone.targets"),
        importlib.metadata.EntryPoint("fam", "qclone_fake_plugin:family", "qclone.targets"),
        importlib.metadata.EntryPoint("gone", "qclone_missing_module:x", "qclone.targets"),
    ]
    monkeypatch.setattr(registry, "_entry_points", lambda: eps)
    assert "fakelab" not in registry._families  # lazy
    assert get_target("fakelab:5").name == "ring:5"
    assert "fam" not in registry._families  # only the asked prefix was loaded
    for _ in range(2):  # a broken plug-in keeps reporting its failure
        with pytest.raises(TargetError, match=r"target family 'gone'.*failed to load"):
            get_target("gone:1")
    rows = {row[0]: row for row in list_target_families()}
    assert rows["fakelab"] == ("fakelab", "Fake lab chips.", "fakelab:...")
    assert rows["fam"] == ("fam", "fam", "fam:1")
    assert rows["gone"][1].startswith("unavailable: ")


# --- hygiene ---------------------------------------------------------------------------------
def test_get_target_doctest() -> None:
    result = doctest.testmod(registry, verbose=False)
    assert result.attempted >= 4 and result.failed == 0


def test_no_vendor_sdk_imports() -> None:
    code = (
        "import sys, qclone.targets as t; t.get_target('heavy-hex:3'); "
        "bad = [m for m in ('qiskit', 'cirq', 'pytket') if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
