"""The key-path clone as a sweep of the data's Bell bits (qclone.passes.sweep)."""

from __future__ import annotations

import itertools

import networkx as nx
import pytest

import qclone
import qclone.passes.sweep as sweep
import qclone.passes.synthesize as synthesize
from qclone.ir.program import single_clone
from qclone.verification import verify


def _caterpillar(n: int) -> nx.Graph:
    """A path of n + 1 qubits (the data's and n keys), each key with a leaf of its own."""
    g = nx.path_graph(n + 1)
    g.add_edges_from((i, n + i) for i in range(1, n + 1))
    return g


@pytest.mark.parametrize("a,b", [(a, b) for a, b in itertools.product((1, 2, 3), repeat=2)])
def test_a_pair_is_relabelled_exactly_when_its_index_is_invertible(a: int, b: int) -> None:
    join = (("h", 0), ("cx", 0, 1))  # the clone holds b, the key a: index (a, b)
    if a == b:
        assert sweep._phases(join, (b, a)) is None
        assert sweep._relabel(a, b) is None
        return
    fix = sweep._relabel(a, b)
    assert fix is not None
    assert all(len(g) == 2 for g in fix)  # one-qubit gates only
    assert sweep._phases((*join, *fix), (b, a)) is not None


def test_the_merged_cz_cx_is_cz_then_cx() -> None:
    merged = tuple(sweep._cz_cx(0, 1))
    plain = (("cz", 0, 1), ("cx", 0, 1))
    for init in itertools.product(range(4), repeat=2):
        ref = sweep._phases((*plain, ("h", 0), ("cx", 0, 1)), init)
        got = sweep._phases((*merged, ("h", 0), ("cx", 0, 1)), init)
        assert (ref is None) == (got is None)
    assert sum(len(g) == 3 for g in merged) == 1


@pytest.mark.parametrize("n", [4, 5, 6, 11, 12])
def test_sweep_on_a_caterpillar_costs_4n_plus_1_and_verifies(n: int) -> None:
    """Every clone next to its key: 2(n - 1) down the keys, one more for the last key, two
    per pair (copy, join) and three at the start: 4n + 1, where the walked clone costs
    5n - 2 (measured here: the sweep is the one kept)."""
    r = qclone.compile(
        single_clone(n, recover=1), target=_caterpillar(n), verify=True, clone_strategy="keypath"
    )
    assert r.phases[0].circuit.two_qubit_count() == 4 * n + 1 < 5 * n - 2


def test_sweep_is_chosen_and_cheaper_than_the_walk_on_heavy_hex(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    costs: dict[str, list[int]] = {"walk": [], "sweep": []}
    walk, swept = synthesize.clone_keypath, sweep.clone_keypath_sweep

    def spy_walk(*args, **kw):  # type: ignore[no-untyped-def]
        got = walk(*args, **kw)
        if got is not None:
            costs["walk"].append(got.two_qubit_cost())
        return got

    def spy_sweep(*args, **kw):  # type: ignore[no-untyped-def]
        got = swept(*args, **kw)
        if got is not None:
            costs["sweep"].append(got.two_qubit_cost())
        return got

    monkeypatch.setattr(synthesize, "clone_keypath", spy_walk)
    monkeypatch.setattr(sweep, "clone_keypath_sweep", spy_sweep)
    r = qclone.compile(
        single_clone(20, recover=1), target="heavy-hex:5", verify=True, clone_strategy="keypath"
    )
    assert costs["sweep"] and costs["walk"]
    assert min(costs["sweep"]) < min(costs["walk"])
    assert r.phases[0].circuit.two_qubit_count() == min(costs["sweep"] + costs["walk"])


def test_sweep_refuses_keys_that_are_not_a_path() -> None:
    adjacent = {0: [1], 1: [0, 2, 3], 2: [1], 3: [1, 4], 4: [3]}
    # keys 1 and 4 are not coupled: no sweep down them
    assert sweep.clone_keypath_sweep(0, [2, 3], [1, 4], 0, [0, 1], adjacent, {}) is None


def _forced(mode: str, seen: list[int]):  # type: ignore[no-untyped-def]
    """A stand-in for clone_keypath_sweep that returns only the tries that used a fallback:
    ``far`` the first try when a pair took its phase from further out, ``preload`` the next
    try, with a fresh slot near such a pair preloaded by the conveyor."""

    def run(a, s, k, lead, order, adjacent, via=None):  # type: ignore[no-untyped-def]
        costly: list[tuple[int, list[int]]] = []
        got = sweep._sweep_once(a, s, k, lead, order, adjacent, via, set(), set(), costly)
        if not isinstance(got, synthesize.Synthesis) or not costly:
            return None
        if mode == "far":
            seen.append(len(costly))
            return got
        spare = next((sp for _, sp in costly if sp), None)
        if spare is None:
            return None
        again = sweep._sweep_once(a, s, k, lead, order, adjacent, via, set(), {spare[0]}, [])
        if isinstance(again, synthesize.Synthesis):
            seen.append(spare[0])
            return again
        return None

    return run


@pytest.mark.parametrize("mode", ["far", "preload"])
def test_sweep_fallbacks_verify(mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """heavy-hex:3 at n = 9 (19 of 19 qubits) leaves some stretched pair with no classical
    qubit beside it for its phase: the phase from further out (a CZ as H, a CX over the
    qubits between, H), and the retry with a key's value preloaded near that pair, are each
    the only clone allowed here, and each is proven by stim."""
    seen: list[int] = []
    monkeypatch.setattr(synthesize, "clone_keypath", lambda *a, **k: None)
    monkeypatch.setattr(sweep, "clone_keypath_sweep", _forced(mode, seen))
    r = qclone.compile(single_clone(9, recover=1), target="heavy-hex:3", clone_strategy="keypath")
    assert seen
    verdicts = verify(r, raise_on_failure=False)
    assert any("secrecy" in v.checks for v in verdicts)
    assert all(v.ok for v in verdicts), [v.reason for v in verdicts]
