"""The exhaustive Clifford search of ``benchmarks/path_bounds.py --clifford`` (small cases)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

_PATH = Path(__file__).resolve().parent.parent / "benchmarks" / "path_bounds.py"


@pytest.fixture(scope="module")
def bounds() -> Any:
    spec = importlib.util.spec_from_file_location("path_bounds", _PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _ghz(size: int) -> Any:
    def build(sim: Any) -> None:
        sim.h(0)
        for q in range(size - 1):
            sim.cx(q, q + 1)

    return build


def test_known_states(bounds: Any) -> None:
    """A GHZ state on a line of k qubits takes k - 1 gates, a product state none."""
    for size in (2, 3, 4):
        rows = bounds._stabilizer_rows(size, _ghz(size))
        edges = [(q, q + 1) for q in range(size - 1)]
        sides = bounds._tree_sides(edges, 0)
        assert bounds.fewest_clifford_steps(size, rows, edges, sides, 2) == (size - 1, size - 1)
    rows = bounds._stabilizer_rows(3, lambda sim: sim.h(1))
    edges = [(0, 1), (1, 2)]
    assert bounds.fewest_clifford_steps(3, rows, edges, bounds._tree_sides(edges, 0), 0) == (0, 0)


def test_clone_and_recover(bounds: Any) -> None:
    """The comb's clone costs more than its cut bound (none within it), the line's meets it;
    the exact U_dec with one other key in a row takes five."""
    assert bounds.clone_clifford(2, "comb", 0) == (6, None)
    assert bounds.clone_clifford(2, "comb", 2) == (6, 7)
    assert bounds.clone_clifford(2, "line", 1) == (7, 7)
    assert bounds.recover_clifford(1, "row", 2) == (4, 5)
