"""Cost reports (analysis only: they never change a circuit) and cost formulas in n."""

from qclone.cost.formulas import logical_two_qubit_count, logical_two_qubit_formula
from qclone.cost.report import CostReport, PhaseCost, cost_report

__all__ = [
    "CostReport",
    "PhaseCost",
    "cost_report",
    "logical_two_qubit_count",
    "logical_two_qubit_formula",
]
