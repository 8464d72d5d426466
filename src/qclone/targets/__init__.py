"""Compilation targets: coupling graphs with native gates, and the spec-string registry.

Build targets with :func:`get_target` (``"grid:10x10"``, ``"heavy-hex:7"``, ``"line:20@cx"``,
...), with the family functions (:func:`grid`, :func:`heavy_hex`, ...) or from a networkx
graph with :func:`from_graph`. Vendor and third-party families plug in through
:func:`register_target_family` or the ``qclone.targets`` entry-point group.
"""

from __future__ import annotations

from qclone.targets.base import CLIFFORD_ONE_QUBIT_GATES, TWO_QUBIT_GATES, Target
from qclone.targets.generic import (
    all_to_all,
    from_graph,
    grid,
    heavy_hex,
    heavy_hex_num_qubits,
    heavy_hex_rows,
    heavy_hex_rows_num_qubits,
    line,
    ring,
)
from qclone.targets.registry import (
    ENTRY_POINT_GROUP,
    TargetFamily,
    get_target,
    list_target_families,
    register_target_family,
    unregister_target_family,
)

__all__ = [
    "CLIFFORD_ONE_QUBIT_GATES",
    "ENTRY_POINT_GROUP",
    "TWO_QUBIT_GATES",
    "Target",
    "TargetFamily",
    "all_to_all",
    "from_graph",
    "get_target",
    "grid",
    "heavy_hex",
    "heavy_hex_num_qubits",
    "heavy_hex_rows",
    "heavy_hex_rows_num_qubits",
    "line",
    "list_target_families",
    "register_target_family",
    "ring",
    "unregister_target_family",
]
