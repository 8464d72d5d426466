"""Costs as exact formulas in the number of clones n.

Two layers live here.

**Logical two-qubit counts** (:func:`logical_two_qubit_formula`): the syntheses' gate counts
before routing, symbolic where the program's sizes are.

**Scaling formulas** (:func:`formula`): for a target and a strategy, every figure of the cost
report (:class:`~qclone.cost.report.CostReport`: two-qubit gates, single-qubit gates, depth,
two-qubit depth, SWAPs) of the compiled program ``single_clone(n, recover=..., mode=...)`` as an
exact formula in n, with the range of n where it holds. These are the figures ``qclone compile``
and ``qclone compare`` print (the routed circuit in the target's neutral CZ or CX gate set,
before any vendor lowering). The formulas are stored in ``qclone/cost/data/formulas.json``,
written by ``python3 -m qclone.cost.derive`` (:mod:`qclone.cost.derive` explains the method):

* two-qubit counts on SWAP-free layouts are *analytic*: the sum of the syntheses' counts
  (:data:`TWO_QUBIT_ANALYTIC`, derived below), checked against the compiler for every n of a
  range;
* every other figure, and every figure where the layout changes with n (vendor devices, grids
  that fill strip after strip, routing with SWAPs), is *fitted* within a small family of
  functions of n and then *proved by exhaustive check*: compiled for every n of the range and
  compared. On a fixed device that range is every n the device holds, so the formula is exact
  wherever it claims to hold. For size-parametric families (``line``, ``ring``, ``grid`` with one
  strip, ``all-to-all``) the formula is in n only and is claimed for every n; a fitted figure is
  then checked for every n up to a bound and at sample points beyond, and the evaluation says
  when n lies past the checked range.

Where no formula of the families holds (a layout that changes at almost every n), the stored
piece is a table of the compiled values: still exact, but only on the device's finite range.

Notation in the formulas: ``Mod(n, 2)`` is n mod 2, ``clog2(n)`` is ceil(log2 n), ``Abs`` the
absolute value, ``floor`` the integer part.

Examples:
    >>> f = formula("line", "auto", recover=1)
    >>> f.evaluate(10**6).two_qubit
    14999985
    >>> str(f.pieces[-1].expressions["two_qubit"])
    '15*n + Mod(n, 2) - 15'
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache
from typing import TYPE_CHECKING, Any

import sympy

from qclone.errors import FormulaRangeError, FormulaUnavailable
from qclone.ir.ops import Clone, Recover
from qclone.ir.program import Program

if TYPE_CHECKING:
    from qclone.targets import Target

n = sympy.Symbol("n", integer=True, positive=True)

#: Two-qubit gates per op, as functions of n.
CLONE_FORMULAS: dict[str, sympy.Expr] = {
    "teleport": 3 * n + sympy.Mod(n, 2),
    "textbook": 5 * n,
}
RECOVER_FORMULAS: dict[str, sympy.Expr] = {
    "exact": 2 * n + 1,
    # ceil((3n - 1)/2), PROTOCOL.md's lower bound (qclone.passes.synthesize.recover_paired)
    "functional": sympy.Rational(3, 2) * n - sympy.Mod(n, 2) / 2,
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


# --- functions of n used by the formulas ---------------------------------------------------
class clog2(sympy.Function):  # type: ignore[misc]
    """``ceil(log2(n))`` for an integer ``n >= 1``: the rounds of a binomial broadcast tree
    over n nodes (:func:`qclone.passes.synthesize.doubling_schedule`)."""

    is_integer = True
    is_nonnegative = True

    @classmethod
    def eval(cls, arg: sympy.Expr) -> sympy.Integer | None:
        if arg.is_Integer and arg >= 1:
            return sympy.Integer((int(arg) - 1).bit_length())
        return None


#: Names a stored expression may use (parsing is restricted to these).
_NAMESPACE: dict[str, Any] = {
    "n": n,
    "Mod": sympy.Mod,
    "floor": sympy.floor,
    "Abs": sympy.Abs,
    "Max": sympy.Max,
    "clog2": clog2,
    "Rational": sympy.Rational,
    "Integer": sympy.Integer,
    "Piecewise": sympy.Piecewise,
    "Eq": sympy.Eq,
}
_EXPR_RE = re.compile(
    r"[0-9n+\-*/(), |]|Mod|floor|Abs|Max|clog2|Rational|Integer|Piecewise|Eq|True"
)


def parse_expression(text: str) -> sympy.Expr:
    """A stored formula text as a sympy expression in :data:`n` (restricted vocabulary)."""
    if _EXPR_RE.sub("", text):
        raise FormulaUnavailable(
            f"stored formula {text!r} uses names outside n, Mod, floor, Abs, Max, clog2; "
            "regenerate the formulas with python3 -m qclone.cost.derive"
        )
    return sympy.sympify(text, locals=_NAMESPACE)


def _py_clog2(value: Fraction) -> Fraction:
    if value.denominator != 1 or value < 1:
        raise FormulaRangeError(f"clog2 needs an integer >= 1, got {value}")
    return Fraction((value.numerator - 1).bit_length())


def _py_floor(value: Fraction) -> Fraction:
    return Fraction(value.numerator // value.denominator)


def _py_piecewise(*branches: tuple[Fraction, bool]) -> Fraction:
    for value, condition in branches:
        if condition:
            return value
    raise FormulaUnavailable("a stored Piecewise formula has no branch for this n")


#: Python meanings of the formula vocabulary; every literal is read as a Fraction, so the
#: arithmetic stays exact.
_PY_NAMESPACE: dict[str, Any] = {
    "F": Fraction,
    "Mod": lambda a, b: a % b,
    "floor": _py_floor,
    "Abs": abs,
    "Max": max,
    "clog2": _py_clog2,
    "Rational": Fraction,
    "Integer": Fraction,
    "Piecewise": _py_piecewise,
    "Eq": lambda a, b: a == b,
    "True": True,
}
_LITERAL_RE = re.compile(r"\b(\d+)\b")


@cache
def evaluator(text: str) -> Callable[[int], int]:
    """A fast exact evaluator of a stored formula text (arithmetic on fractions, so
    ``3*n/2`` stays exact); it raises if the value is not an integer."""
    if _EXPR_RE.sub("", text):
        raise FormulaUnavailable(
            f"stored formula {text!r} uses names outside the formula "
            f"vocabulary; regenerate the formulas with {REGENERATE}"
        )
    code = compile(_LITERAL_RE.sub(r"F(\1)", text), "<formula>", "eval")

    def run(value: int) -> int:
        out = Fraction(eval(code, {"__builtins__": {}}, {**_PY_NAMESPACE, "n": Fraction(value)}))
        if out.denominator != 1:
            raise FormulaUnavailable(
                f"formula {text} gives {out} at n = {value}, not an integer; regenerate the "
                f"formulas with {REGENERATE}"
            )
        return int(out)

    return run


def pretty(expr: sympy.Expr | str) -> str:
    """A formula for reading: ``(n mod 2)`` for ``Mod(n, 2)``, and a residue table such as
    ``[-6, -6, -7, -6][n mod 4]`` for a Piecewise over ``n mod p``."""
    e = parse_expression(expr) if isinstance(expr, str) else expr
    swaps: dict[sympy.Expr, sympy.Symbol] = {}
    for pw in e.atoms(sympy.Piecewise):
        periods = {int(m.args[1]) for m in pw.atoms(sympy.Mod) if m.args[0] == n}
        if len(periods) != 1:
            continue
        period = periods.pop()
        values = [pw.subs(n, r if r else period) for r in range(period)]
        if all(v.is_number for v in values):
            swaps[pw] = sympy.Symbol(f"[{', '.join(map(str, values))}][n mod {period}]")
    text = sympy.sstr(e.xreplace(swaps)) if swaps else sympy.sstr(e)
    text = re.sub(r"\(Mod\(n, (\d+)\)\)", r"(n mod \1)", text)
    text = re.sub(r"Mod\(n, (\d+)\)", r"(n mod \1)", text)
    text = re.sub(r"\(Mod\(([^(),]+), (\d+)\)\)", r"((\1) mod \2)", text)
    return re.sub(r"Mod\(([^(),]+), (\d+)\)", r"((\1) mod \2)", text)


# --- analytic two-qubit counts of the SWAP-free layouts -------------------------------------
_odd = sympy.Mod(n, 2)
_L = clog2(n)
#: ``RECOVER_FORMULAS["functional"]``: ``ceil((3n - 1)/2) = 3n/2 - (n mod 2)/2``.
_functional = sympy.Rational(3, 2) * n - _odd / 2

#: Two-qubit gates of the compiled program on a layout that adds no SWAP, by layout and
#: program (``clone``: clone only; ``exact`` / ``functional``: clone, then recover clone 1).
#:
#: Derivations (gate lists in :mod:`qclone.passes.synthesize` and :mod:`qclone.passes.ladder`):
#:
#: * ``teleport`` (all-to-all): the teleport start is CX(N1 -> A'), CX(data -> N1) and, for
#:   odd n, one CZ: ``2 + (n mod 2)``; the two fan-out chains are ``n - 1`` CNOTs each; one
#:   CNOT per pair returns to the Bell basis: ``3n + (n mod 2)``. The exact recovery is the
#:   paper's form, CNOT, ``n - 1`` CZ and ``n - 1`` CNOT fan-outs, CZ, CNOT: ``2n + 1``; the
#:   functional one pairs the qubits where its two strings act with different letters (one
#:   gate a pair, then one per qubit to fold them onto S_j, and one for N_j where the strings
#:   agree, odd n): ``ceil((3n - 1)/2)``.
#: * ``textbook`` (all-to-all): n Bell-pair CNOTs and four CNOT ladders of n each: ``5n``;
#:   same recoveries.
#: * ``tree`` (all-to-all): the teleport clone with binomial trees instead of chains (same
#:   count). The exact recovery runs a descending and an ascending pass over the ``n - 1``
#:   edges of a binomial tree rooted at N_j, twice, the last ascending pass skipping the
#:   root's ``clog2(n)`` edges, plus five gates: ``4(n - 1) - clog2(n) + 5 = 4n + 1 -
#:   clog2(n)``; the functional one is the paired form (log depth too).
#: * ``path`` (the device path holds all 2n + 1 qubits): the nearest-neighbour clone is the
#:   teleport start, four CNOTs to carry the Bell-index bits past each further pair and one
#:   per pair at the end: ``2 + (n mod 2) + 4(n - 1) + n = 5n - 2 + (n mod 2)``; the walking
#:   recovery (both modes) is ``10n - 13``.
#: * ``ladder`` with one strip (a grid with at least n + 1 columns): the teleport clone whose
#:   fan-outs follow the strip's rows, ``3n + (n mod 2)``; the tree recovery over the key row,
#:   a path rooted at its end N_1: ``4(n - 1) - 1 + 5 = 4n``; the functional one collapses
#:   that row of keys (:mod:`qclone.passes.collapse`): ``2n``.
TWO_QUBIT_ANALYTIC: dict[tuple[str, str], sympy.Expr] = {
    ("teleport", "clone"): 3 * n + _odd,
    ("teleport", "exact"): 3 * n + _odd + RECOVER_FORMULAS["exact"],
    ("teleport", "functional"): 3 * n + _odd + _functional,
    ("textbook", "clone"): 5 * n,
    ("textbook", "exact"): 5 * n + RECOVER_FORMULAS["exact"],
    ("textbook", "functional"): 5 * n + _functional,
    ("tree", "clone"): 3 * n + _odd,
    ("tree", "exact"): 3 * n + _odd + 4 * n + 1 - _L,
    ("tree", "functional"): 3 * n + _odd + _functional,
    ("path", "clone"): 5 * n - 2 + _odd,
    ("path", "exact"): 5 * n - 2 + _odd + 10 * n - 13,
    ("path", "functional"): 5 * n - 2 + _odd + 10 * n - 13,
    # the path layout on an all-to-all device: every key is coupled to the controls, so the
    # roaming recovery meets each with four CNOTs and passes nothing; the functional one is
    # the paired form, every qubit of the recovery being coupled to every other
    ("path-all-to-all", "clone"): 5 * n - 2 + _odd,
    ("path-all-to-all", "exact"): 5 * n - 2 + _odd + 4 * n - 1,
    ("path-all-to-all", "functional"): 5 * n - 2 + _odd + _functional,
    ("ladder-strip", "clone"): 3 * n + _odd,
    ("ladder-strip", "exact"): 7 * n + _odd,
    ("ladder-strip", "functional"): 5 * n + _odd,
}


# --- scaling formulas: the stored data and its API ------------------------------------------
#: The figures of a cost report that the formulas give, in display order.
QUANTITIES: tuple[str, ...] = ("two_qubit", "one_qubit", "depth", "two_qubit_depth", "swaps")
LABELS: dict[str, str] = {
    "two_qubit": "2Q gates",
    "one_qubit": "1Q gates",
    "depth": "depth",
    "two_qubit_depth": "2Q depth",
    "swaps": "SWAPs",
}
PROGRAMS: tuple[str, ...] = ("clone", "exact", "functional")
REGENERATE = "python3 -m qclone.cost.derive"
DATA_FILE = "formulas.json"


@dataclass(frozen=True)
class Piece:
    """A range of n on which one layout runs and one formula (or one table) gives the costs.

    ``expressions`` maps each quantity to a sympy expression in :data:`n` (``None`` for a
    table piece); ``table`` holds the compiled values of a table piece; ``methods`` says how
    each expression was obtained (``analytic`` or ``fit: <family>``).
    """

    n_min: int
    n_max: int | None
    layout: str
    expressions: Mapping[str, sympy.Expr] | None = None
    table: Mapping[int, Mapping[str, int]] | None = None
    methods: Mapping[str, str] = field(default_factory=dict)

    def holds(self, value: int) -> bool:
        return self.n_min <= value and (self.n_max is None or value <= self.n_max)

    @property
    def is_table(self) -> bool:
        return self.expressions is None

    def evaluate(self, value: int) -> dict[str, int]:
        if self.table is not None:
            return dict(self.table[value])
        assert self.expressions is not None
        return {q: evaluator(sympy.sstr(e))(value) for q, e in self.expressions.items()}

    def range_text(self) -> str:
        if self.n_max is None:
            return f"n >= {self.n_min}"
        if self.n_min == self.n_max:
            return f"n = {self.n_min}"
        return f"{self.n_min} <= n <= {self.n_max}"


@dataclass(frozen=True)
class ValidRange:
    """Where a formula holds: ``n_min <= n <= n_max`` (``n_max`` None: every n), why the range
    ends (``limit``), and where the compiler was run to check it (every n of ``checked``, plus
    ``samples``)."""

    n_min: int
    n_max: int | None
    limit: str
    checked: tuple[int, int]
    samples: tuple[int, ...] = ()

    def __contains__(self, value: object) -> bool:
        return (
            isinstance(value, int)
            and self.n_min <= value
            and (self.n_max is None or value <= self.n_max)
        )

    def is_checked(self, value: int) -> bool:
        return self.checked[0] <= value <= self.checked[1] or value in self.samples

    def __str__(self) -> str:
        if self.n_max is None:
            return f"every n >= {self.n_min}"
        return f"{self.n_min} <= n <= {self.n_max}"


@dataclass(frozen=True)
class FormulaValue:
    """The costs at one n, the piece that gave them, and whether the compiler was run there
    (``checked``; False means a fitted figure is extrapolated beyond the checked range)."""

    n: int
    values: Mapping[str, int]
    piece: Piece
    checked: bool

    def __getitem__(self, quantity: str) -> int:
        return self.values[quantity]

    @property
    def two_qubit(self) -> int:
        return self.values["two_qubit"]

    @property
    def one_qubit(self) -> int:
        return self.values["one_qubit"]

    @property
    def depth(self) -> int:
        return self.values["depth"]

    @property
    def two_qubit_depth(self) -> int:
        return self.values["two_qubit_depth"]

    @property
    def swaps(self) -> int:
        return self.values["swaps"]

    @property
    def extrapolated(self) -> tuple[str, ...]:
        """Quantities given by a fitted formula at an n the compiler was not run for."""
        if self.checked or self.piece.is_table:
            return ()
        return tuple(
            q for q in self.values if not self.piece.methods.get(q, "").startswith("analytic")
        )


@dataclass(frozen=True)
class ScalingFormula:
    """The cost of ``single_clone(n, recover, mode)`` compiled for ``target`` with
    ``strategy``, as exact formulas in n: a list of :class:`Piece` over :attr:`valid_range`.

    ``entry`` names the stored derivation it comes from (a device spec, or a size-parametric
    family such as ``line``); ``scope`` is ``"device"`` or ``"family"``; ``covers`` says which
    targets a family formula describes; ``any_clone`` whether the costs were found the same
    whichever clone is recovered.
    """

    target: str
    entry: str
    scope: str
    strategy: str
    program: str
    recover: int | None
    pieces: tuple[Piece, ...]
    valid_range: ValidRange
    covers: str
    any_clone: bool
    notes: tuple[str, ...] = ()
    derived_with: str = REGENERATE

    def piece(self, value: int) -> Piece:
        """The piece that holds at ``value`` (raises :class:`FormulaRangeError` outside)."""
        self._check(value)
        for p in self.pieces:
            if p.holds(value):
                return p
        raise FormulaRangeError(
            f"no stored piece of the {self.entry} formula covers n = {value}; regenerate the "
            f"formulas with {REGENERATE}"
        )

    def _check(self, value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise FormulaRangeError(f"n must be an integer number of clones, got {value!r}")
        if value < 2:
            raise FormulaRangeError(
                f"n = {value}: encrypted cloning needs n >= 2 clones (a single clone is not "
                "encrypted)"
            )
        if self.recover is not None and self.recover > value:
            raise FormulaRangeError(
                f"recover index {self.recover} is outside 1..n for n = {value}; choose a clone "
                "between 1 and n"
            )
        if value not in self.valid_range:
            raise FormulaRangeError(
                f"n = {value} is outside the range where this formula holds: "
                f"{self.valid_range.limit}"
            )

    def evaluate(self, value: int) -> FormulaValue:
        """All quantities at n = ``value``, from the formula (no compilation).

        Raises:
            FormulaRangeError: ``value`` is not in :attr:`valid_range` (the message says why
                the range ends, e.g. how many qubits the device has).
        """
        p = self.piece(value)
        return FormulaValue(value, p.evaluate(value), p, self.valid_range.is_checked(value))

    def describe_program(self) -> str:
        if self.program == "clone":
            return "clone n copies (no recovery)"
        return f"clone n copies, then {self.program} recovery of clone {self.recover or 1}"

    def __str__(self) -> str:
        lines = [
            f"target    {self.target}"
            + ("" if self.entry == self.target else f"  (formula of {self.entry}: {self.covers})"),
            f"strategy  {self.strategy}",
            f"program   {self.describe_program()}",
        ]
        for p in self.pieces:
            if p.table is not None:
                lines.append(f"  {p.range_text()}  [{p.layout}]: table of compiled values")
                continue
            assert p.expressions is not None
            lines.append(f"  {p.range_text()}  [{p.layout}]")
            for q in QUANTITIES:
                if q in p.expressions:
                    how = p.methods.get(q, "")
                    lines.append(
                        f"    {LABELS[q]:<9} = {pretty(p.expressions[q])}"
                        + (f"   ({how})" if how else "")
                    )
        vr = self.valid_range
        checked = f"every n in {vr.checked[0]}..{vr.checked[1]}"
        if vr.samples:
            checked += ", and n = " + ", ".join(str(s) for s in vr.samples)
        lines.append(f"holds for {vr}: {vr.limit}")
        lines.append(f"checked against the compiler for {checked}")
        texts = " ".join(pretty(e) for p in self.pieces for e in (p.expressions or {}).values())
        if "clog2" in texts:
            lines.append("clog2(n) = ceil(log2(n))")
        if "][n mod" in texts:
            lines.append("[a, b, c, d][n mod 4] = a, b, c or d for n mod 4 = 0, 1, 2 or 3")
        lines += [f"note: {t}" for t in self.notes]
        return "\n".join(lines)


# --- loading -------------------------------------------------------------------------------
@cache
def load_data() -> dict[str, Any]:
    """The stored derivation (``qclone/cost/data/formulas.json``) as parsed JSON."""
    from importlib import resources

    path = resources.files("qclone.cost").joinpath("data", DATA_FILE)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FormulaUnavailable(
            f"the scaling formulas are not installed ({DATA_FILE} is missing); generate them "
            f"with {REGENERATE}"
        ) from None
    data: dict[str, Any] = json.loads(text)
    return data


def _pieces(raw: list[dict[str, Any]]) -> tuple[Piece, ...]:
    out = []
    for p in raw:
        exprs = None
        table = None
        if p.get("table") is not None:
            table = {int(k): dict(zip(QUANTITIES, v, strict=True)) for k, v in p["table"].items()}
        else:
            exprs = {q: parse_expression(t) for q, t in p["expressions"].items()}
        out.append(
            Piece(
                int(p["n_min"]),
                None if p["n_max"] is None else int(p["n_max"]),
                str(p["layout"]),
                exprs,
                table,
                dict(p.get("methods", {})),
            )
        )
    return tuple(out)


def _family_limit(limit: str, target: Target) -> tuple[int, str]:
    """Largest n a family formula covers on ``target``, and why."""
    q = target.num_qubits
    if limit == "first-strip":
        from qclone.passes.ladder import grid_shape

        shape = grid_shape(target.name)
        rows, cols = shape if shape is not None else (0, 0)
        if rows < 2 or cols < 3:
            return 1, f"{target.name} has no strip of two rows and three columns for the ladder"
        return cols - 1, (
            f"{target.name}: the first strip of the ladder holds {cols - 1} pairs (one per "
            f"column after the first), so n <= {cols - 1}; beyond, the layout changes with the "
            f"grid's shape: derive it with {REGENERATE} --target {target.name}"
        )
    return (q - 1) // 2, (
        f"{target.name} has {q} qubits and the program needs 2n + 1, so n <= {(q - 1) // 2}"
    )


def _strategy_key(strategy: str) -> str:
    from qclone.passes.pipeline import STRATEGIES

    key = strategy.strip().lower()
    if key != "auto" and key not in STRATEGIES:
        raise FormulaUnavailable(
            f"unknown strategy {strategy!r}; use 'auto' or one of {', '.join(sorted(STRATEGIES))}"
        )
    return key


def _program_key(recover: int | None, mode: str) -> str:
    if mode not in ("exact", "functional"):
        raise FormulaUnavailable(f"unknown recovery mode {mode!r}; use 'exact' or 'functional'")
    if recover is None:
        return "clone"
    if isinstance(recover, bool) or not isinstance(recover, int) or recover < 1:
        raise FormulaUnavailable(
            f"recover must be a clone index >= 1 or None (no recovery), got {recover!r}"
        )
    return mode


def families() -> tuple[str, ...]:
    """Keys of the stored size-parametric families (e.g. ``line``, ``all-to-all``)."""
    return tuple(sorted({e["target"] for e in load_data()["entries"] if e["scope"] == "family"}))


def stored_targets() -> tuple[str, ...]:
    """Every stored entry's target: family keys and device specs."""
    return tuple(dict.fromkeys(e["target"] for e in load_data()["entries"]))


_FAMILY_ALIASES = {"full": "all-to-all"}


def formula(
    target: str | Target,
    strategy: str = "auto",
    *,
    recover: int | None = 1,
    mode: str = "exact",
) -> ScalingFormula:
    """The scaling formula of ``single_clone(n, recover=recover, mode=mode)`` compiled for
    ``target`` with ``strategy`` (``clone_strategy`` of :func:`qclone.compile`).

    ``target`` is a device or target spec (``"quantinuum:H2-1"``, ``"grid:13x13"``,
    ``"line:81"``) or the bare name of a size-parametric family (``"line"``, ``"ring"``,
    ``"grid"`` (one strip: ``grid:RxC`` with ``C >= n + 1``), ``"all-to-all"``), whose formula
    holds for every n with the target sized to fit. A spec of such a family that has no stored
    derivation of its own uses the family's formula up to the n its size allows.

    Raises:
        FormulaUnavailable: no stored formula for this target and strategy, the strategy does
            not apply to the target, or the costs depend on which clone is recovered and
            ``recover`` is not 1 (the message names the fix).
        TargetError: ``target`` is not a valid spec.

    Examples:
        >>> f = formula("quantinuum:H2-1", recover=None)
        >>> f.valid_range.n_max, f.evaluate(27).two_qubit
        (27, 82)
    """
    strat = _strategy_key(strategy)
    program = _program_key(recover, mode)
    entries = load_data()["entries"]
    text = target if isinstance(target, str) else target.name
    bare = text.strip().lower()
    bare = _FAMILY_ALIASES.get(bare, bare)
    tgt: Target | None = None
    family_keys = {e["target"] for e in entries if e["scope"] == "family"}
    if bare in family_keys:
        candidates = [e for e in entries if e["target"] == bare and e["scope"] == "family"]
        name = bare
    else:
        from qclone.targets import get_target

        tgt = get_target(target)
        name = tgt.name
        candidates = [e for e in entries if e["scope"] == "device" and e["target"] == name]
        if not candidates:
            base = name.split("@")[0]
            candidates = [
                e
                for e in entries
                if e["scope"] == "device"
                and e["target"] == base
                and e.get("two_qubit_gate") == tgt.two_qubit_gate
            ]
        if not candidates and "@" not in name:
            prefix = name.split(":")[0]
            candidates = [e for e in entries if e["scope"] == "family" and e["target"] == prefix]
    if not candidates:
        raise FormulaUnavailable(
            f"no scaling formula is stored for target {name!r}; stored: "
            + ", ".join(stored_targets())
            + f". Derive one with {REGENERATE} --target {name} (it compiles every n the "
            "target holds), or compile that n directly"
        )
    entry = next(
        (e for e in candidates if e["strategy"] == strat and e["program"] == program), None
    )
    if entry is None:
        raise FormulaUnavailable(
            f"no scaling formula is stored for strategy {strat!r} on {name}; stored strategies: "
            + ", ".join(sorted({e["strategy"] for e in candidates}))
        )
    if entry.get("unavailable"):
        raise FormulaUnavailable(
            f"no scaling formula for strategy {strat!r} on {entry['target']}: "
            f"{entry['unavailable']}"
        )
    if recover is not None and recover != 1 and not entry.get("any_clone", False):
        raise FormulaUnavailable(
            f"on {entry['target']} with strategy {strat!r} the cost depends on which clone is "
            f"recovered; the formulas are derived for recovering clone 1: use recover=1, or "
            "compile the program directly"
        )
    pieces = _pieces(entry["pieces"])
    checked = (int(entry["checked"][0]), int(entry["checked"][1]))
    samples = tuple(int(s) for s in entry.get("samples", ()))
    n_min = pieces[0].n_min if pieces else 2
    n_max: int | None = entry["n_max"]
    limit = str(entry["limit_text"])
    if entry["scope"] == "family" and tgt is not None:
        cap, limit = _family_limit(str(entry["limit"]), tgt)
        n_max = cap if n_max is None else min(n_max, cap)
    if n_max is not None and n_max < n_min:
        raise FormulaUnavailable(f"{name} is too small for the {entry['target']} formula: {limit}")
    return ScalingFormula(
        target=name,
        entry=str(entry["target"]),
        scope=str(entry["scope"]),
        strategy=strat,
        program=program,
        recover=recover,
        pieces=pieces,
        valid_range=ValidRange(n_min, n_max, limit, checked, samples),
        covers=str(entry.get("covers", entry["target"])),
        any_clone=bool(entry.get("any_clone", False)),
        notes=tuple(entry.get("notes", ())),
    )


__all__ = [
    "CLONE_FORMULAS",
    "LABELS",
    "PROGRAMS",
    "QUANTITIES",
    "RECOVER_FORMULAS",
    "TWO_QUBIT_ANALYTIC",
    "FormulaValue",
    "Piece",
    "ScalingFormula",
    "ValidRange",
    "clog2",
    "evaluator",
    "families",
    "formula",
    "load_data",
    "logical_two_qubit_count",
    "logical_two_qubit_formula",
    "n",
    "parse_expression",
    "pretty",
    "stored_targets",
]
