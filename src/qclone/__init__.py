"""qclone: a compiler for encrypted cloning of qubits (arXiv:2501.02757).

Dependency tiers: this package's core imports numpy, networkx, stim and sympy only (lazily
where it can); cirq, pytket and qiskit are imported only inside the adapters that need them,
so ``import qclone`` stays fast.

Examples:
    >>> import qclone
    >>> p = qclone.Program()
    >>> m = p.clone(p.data("psi"), copies=3)
    >>> _ = p.recover(m, copy=1)
    >>> result = qclone.compile(p, "line:7")
    >>> result.cost.logical_two_qubit
    17
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qclone import errors
from qclone.ir import Clone, Data, Discard, Module, Program, Qubit, Recover, Store, single_clone

if TYPE_CHECKING:
    from qclone.comparison import Comparison, compare
    from qclone.compiled import CompileResult, PhaseCircuit
    from qclone.passes.pipeline import compile
    from qclone.targets import Target, get_target
    from qclone.verification import verify

__version__ = "0.1.0"

_LAZY = {
    "compile": ("qclone.passes.pipeline", "compile"),
    "verify": ("qclone.verification", "verify"),
    "compare": ("qclone.comparison", "compare"),
    "Comparison": ("qclone.comparison", "Comparison"),
    "get_target": ("qclone.targets", "get_target"),
    "Target": ("qclone.targets", "Target"),
    "CompileResult": ("qclone.compiled", "CompileResult"),
    "PhaseCircuit": ("qclone.compiled", "PhaseCircuit"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'qclone' has no attribute {name!r}")


__all__ = [
    "Clone",
    "Comparison",
    "CompileResult",
    "Data",
    "Discard",
    "Module",
    "PhaseCircuit",
    "Program",
    "Qubit",
    "Recover",
    "Store",
    "Target",
    "compare",
    "compile",
    "errors",
    "get_target",
    "single_clone",
    "verify",
]
