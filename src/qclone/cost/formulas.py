"""Two-qubit gate counts of the syntheses as exact formulas in the number of copies n.

The tests check each formula against the compiled (decomposed) circuits for a range of n;
on an all-to-all target no SWAP is added, so the formula is also the compiled count there.
"""

from __future__ import annotations

import sympy

from qclone.ir.ops import Clone, Recover
from qclone.ir.program import Program

n = sympy.Symbol("n", integer=True, positive=True)

#: Two-qubit gates per op, as functions of n.
CLONE_FORMULAS: dict[str, sympy.Expr] = {
    "teleport": 3 * n + sympy.Mod(n, 2),
    "textbook": 5 * n,
}
RECOVER_FORMULAS: dict[str, sympy.Expr] = {
    "exact": 2 * n + 1,
    "functional": 3 * sympy.floor((n - 1) / 2) + 2 * sympy.Mod(n - 1, 2) + 3,
}


def logical_two_qubit_formula(program: Program, clone_strategy: str = "teleport") -> sympy.Expr:
    """The program's two-qubit count before routing, symbolic where its sizes are.

    Examples:
        >>> from qclone.ir import single_clone
        >>> logical_two_qubit_formula(single_clone(sympy.Symbol("n"), recover=None))
        3*n + Mod(n, 2)
    """
    total: sympy.Expr = sympy.Integer(0)
    sizes: dict[str, sympy.Expr] = {}
    for op in program.ops:
        if isinstance(op, Clone):
            size = sympy.sympify(op.copies)
            sizes[op.module] = size
            total += CLONE_FORMULAS[clone_strategy].subs(n, size)
        elif isinstance(op, Recover):
            total += RECOVER_FORMULAS[op.mode].subs(n, sizes[op.module])
    return sympy.simplify(total)


def logical_two_qubit_count(program: Program, clone_strategy: str = "teleport") -> int:
    value = logical_two_qubit_formula(program, clone_strategy)
    if not value.is_Integer:
        raise ValueError(f"the program has symbolic sizes: {value}")
    return int(value)
