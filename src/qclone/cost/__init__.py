"""Cost reports (analysis only: they never change a circuit) and cost formulas in n.

:func:`formula` gives the cost of cloning into n clones on a target as exact formulas in n,
with the range of n where they hold (``qclone cost`` on the command line); the formulas are
derived from the compiler by ``python3 -m qclone.cost.derive``.
"""

from qclone.cost.formulas import (
    FormulaValue,
    Piece,
    ScalingFormula,
    ValidRange,
    formula,
    logical_two_qubit_count,
    logical_two_qubit_formula,
)
from qclone.cost.report import CostReport, PhaseCost, cost_report

__all__ = [
    "CostReport",
    "FormulaValue",
    "PhaseCost",
    "Piece",
    "ScalingFormula",
    "ValidRange",
    "cost_report",
    "formula",
    "logical_two_qubit_count",
    "logical_two_qubit_formula",
]
