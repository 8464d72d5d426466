"""Derive the scaling formulas from the compiler itself: ``python3 -m qclone.cost.derive``.

The command compiles ``single_clone(n)`` (clone only; clone + exact recovery of clone 1; clone
+ functional recovery of clone 1) for every target and strategy below and every n of a range,
reads the cost report (what ``qclone compile`` and ``qclone compare`` print), and writes exact
formulas in n to ``qclone/cost/data/formulas.json``, which :func:`qclone.cost.formula` reads.

Method, for one (target, strategy, program):

1. **Sweep.** Compile for every n from 2 to the last n the target holds (fixed devices) or to
   a bound (size-parametric families, whose target is sized to fit n: ``line:2n+1``,
   ``ring:2n+1``, ``grid:2x(n+1)``, ``all-to-all``), without verification (the compiler's
   tests verify; here only the costs matter). The sweep stops at the first n that does not
   compile (the device is too small, or the strategy's layout does not fit).
2. **Runs.** The sweep splits where the layout that ran changes (``auto`` switching from the
   ladder to the path, say): a formula never spans two layouts.
3. **Fit.** In each run every quantity is matched against, in order: the analytic two-qubit
   count (:data:`qclone.cost.formulas.TWO_QUBIT_ANALYTIC`); formulas already derived for a
   size-parametric family with the same layout (so a device whose path holds the program
   gets the path formula); and a small family of functions, each fitted exactly (rational
   least squares, then exact agreement required at every point): ``a n + b``, plus
   ``c (n mod 2)``; ``a n`` plus a table over n mod 3, 4 or 8; plus ``d n^2``; plus
   ``e clog2(n)``; and for binary-tree strategies the terms that describe a binomial
   broadcast tree over n nodes (``2^clog2(n)``, ``|2n - 3 2^(clog2(n)-1)|``, whether n is in
   the upper half of its octave, whether n or n - 1 is a power of two). A fitted family must
   be determined by the data (full rank) and agree at three or more points beyond its
   parameters (six points at least; a table over n mod p sees each residue three times).
4. **Pieces.** A dynamic program cuts each run into the fewest pieces on which every
   quantity has a formula; points no formula covers become table pieces (the compiled
   values, exact but with no closed form).
5. **Proof.** Every piece agrees with the compiler at *every* n of its range by construction
   (the sweep is exhaustive). On a fixed device that is every n the device holds. For a
   family the last piece is claimed for every n only if it is a formula piece of twenty or
   more points that also agrees at sample points far beyond the sweep (e.g. n = 1000 on a
   line); the two-qubit count there is analytic, the other figures are fitted and the API
   says when n lies beyond the checked range.

Run ``python3 -m qclone.cost.derive --markdown`` to print the table of stored formulas,
``--only ibm,heavy-hex`` to regenerate some targets, ``--check`` to compare the stored data
with the compiler without writing, ``--target SPEC`` to derive formulas for any other target.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import sympy

from qclone.cost.formulas import (
    DATA_FILE,
    LABELS,
    PROGRAMS,
    QUANTITIES,
    REGENERATE,
    TWO_QUBIT_ANALYTIC,
    clog2,
    evaluator,
    n,
    parse_expression,
    pretty,
)


def _strategies() -> tuple[str, ...]:
    from qclone.passes.pipeline import STRATEGIES as known

    return ("auto", *known)


#: Every ``clone_strategy`` of :func:`qclone.compile`.
STRATEGIES: tuple[str, ...] = _strategies()

#: Shortest fitted piece, and how many points beyond its parameters a fit must explain.
MIN_PIECE = 6
EXTRA_POINTS = 3
#: Shortest piece matched by an already known formula (analytic or a family's).
MIN_KNOWN = 2
#: Shortest last piece of a family sweep that is claimed for every n.
MIN_UNBOUNDED = 20


# --- the targets -------------------------------------------------------------------------
@dataclass(frozen=True)
class Family:
    """A size-parametric target family: the target for n is sized to fit (``spec(n)``)."""

    key: str
    strategies: tuple[str, ...]
    check_max: int
    samples: tuple[int, ...]
    limit: str  # how a concrete spec of the family bounds n: "qubits" or "first-strip"
    covers: str
    sparse_max: int = 0  # smaller sweep bound for greedy-placement strategies (0: check_max)


FAMILIES: tuple[Family, ...] = (
    Family(
        "all-to-all",
        STRATEGIES,
        128,
        (200, 256, 257, 384, 511),
        "qubits",
        "all-to-all:N with N >= 2n + 1 (any size; the formula is in n only)",
    ),
    Family(
        "line",
        STRATEGIES,
        128,
        (200, 500, 1000),
        "qubits",
        "line:N with N >= 2n + 1 (any size; the formula is in n only)",
        sparse_max=40,
    ),
    Family(
        "ring",
        STRATEGIES,
        96,
        (200, 500),
        "qubits",
        "ring:N with N >= 2n + 1 (any size; the formula is in n only)",
        sparse_max=30,
    ),
    Family(
        "grid",
        STRATEGIES,
        96,
        (200, 500),
        "first-strip",
        "grid:RxC with R >= 2 and C >= n + 1 (the pairs fill the first strip of two rows; "
        "for path also any grid with R*C >= 2n + 1)",
        sparse_max=30,
    ),
)


def family_spec(key: str, size_n: int, variant: int = 0) -> str:
    """The target of family ``key`` for n clones: sized to fit (variant 0) or larger."""
    extra = (0, 6, 40)[variant]
    if key == "all-to-all":
        return f"all-to-all:{2 * size_n + 1 + extra}"
    if key == "line":
        return f"line:{2 * size_n + 1 + extra}"
    if key == "ring":
        return f"ring:{2 * size_n + 1 + extra}"
    if key == "grid":
        return f"grid:{2 + extra // 6}x{size_n + 1 + extra // 2}"
    raise KeyError(key)


#: Fixed generic targets derived as devices (every n they hold).
GENERIC_DEVICES: tuple[str, ...] = (
    "grid:13x13",
    "heavy-hex:5",
    "heavy-hex:7",
    "heavy-hex-rows:8x16",
)


def vendor_devices() -> list[str]:
    """Specs of every device of the registered vendor families (their modules' ``DEVICES``
    or ``machine_names()``); families whose package is missing are skipped."""
    from qclone.targets import list_target_families
    from qclone.targets.registry import _lookup

    generic = {"line", "ring", "grid", "heavy-hex", "heavy-hex-rows", "all-to-all"}
    out: list[str] = []
    for prefix, _summary, example in list_target_families():
        if prefix in generic:
            continue
        family = _lookup.get(prefix)
        names: Iterable[str] = ()
        if family is not None:
            module = importlib.import_module(family.factory.__module__)
            if hasattr(module, "DEVICES"):
                names = list(module.DEVICES)
            elif hasattr(module, "machine_names"):
                names = module.machine_names()
        found = [f"{prefix}:{d}" for d in names] or ([example] if example else [])
        out += found
    return out


# --- measuring -----------------------------------------------------------------------------
Values = tuple[int, ...]


def _program(program: str, size_n: int, recover: int = 1) -> Any:
    from qclone.ir.program import single_clone

    if program == "clone":
        return single_clone(size_n, recover=None)
    return single_clone(size_n, recover=recover, mode=program)  # type: ignore[arg-type]


def measure(
    spec: str, size_n: int, strategy: str, program: str, recover: int = 1, evict: bool = False
) -> tuple[str, Values | None, str]:
    """``("ok", values, layout)``, ``("small", None, why)`` or ``("error", None, why)``."""
    from qclone.errors import CompilationError, QcloneError, TargetTooSmall
    from qclone.passes.pipeline import compile as qcompile
    from qclone.targets import registry

    try:
        r = qcompile(
            _program(program, size_n, recover), spec, clone_strategy=strategy, verify=False
        )
    except TargetTooSmall as e:
        return "small", None, str(e)
    except (CompilationError, QcloneError) as e:
        return "error", None, f"{type(e).__name__}: {e}"
    finally:
        if evict:
            registry._cache.pop(spec, None)  # a sweep over sized targets: keep memory flat
    c = r.cost
    values = (c.two_qubit, c.one_qubit, c.depth, c.two_qubit_depth, c.swaps)
    return "ok", values, r.phases[0].strategy.split(":")[0].strip()


@dataclass
class Sweep:
    """The compiled values of one (target, strategy, program) for consecutive n."""

    target: str
    scope: str
    strategy: str
    program: str
    points: dict[int, tuple[Values, str]]
    stop: str  # why the sweep ended ("" if it reached its bound)
    samples: dict[int, Values]
    any_clone: bool
    device_qubits: int | None
    two_qubit_gate: str
    mismatch: list[str]


def _sweep_target(args: tuple[str, str, str, tuple[str, ...]]) -> list[Sweep]:
    """Worker: every program of one (target, strategy); ``args`` = (scope, key, strategy,
    programs)."""
    scope, key, strategy, programs = args
    from qclone.targets import get_target

    fam = next((f for f in FAMILIES if f.key == key), None) if scope == "family" else None
    out = []
    started = time.monotonic()
    for program in programs:
        points: dict[int, tuple[Values, str]] = {}
        stop = ""
        sparse = False
        if fam is not None:
            sparse = strategy in ("teleport", "textbook") and fam.key != "all-to-all"
            hi = fam.sparse_max if sparse and fam.sparse_max else fam.check_max
            ns: Iterable[int] = range(2, hi + 1)
            tgt_q = None
            gate = "cz"
        else:
            tgt = get_target(key)
            tgt_q = tgt.num_qubits
            gate = tgt.two_qubit_gate
            ns = range(2, (tgt_q - 1) // 2 + 1)
        for size_n in ns:
            spec = family_spec(key, size_n) if fam is not None else key
            status, values, info = measure(spec, size_n, strategy, program, evict=fam is not None)
            if status != "ok":
                stop = info
                break
            assert values is not None
            points[size_n] = (values, info)
        # the recovered clone: the same costs for clone j = n and j = ceil(n/2)?
        any_clone = True
        mismatch: list[str] = []
        if program != "clone" and points:
            ks = sorted(points)
            for size_n in sorted({ks[0], ks[min(1, len(ks) - 1)], ks[len(ks) // 2], ks[-1]}):
                spec = family_spec(key, size_n) if fam is not None else key
                for j in sorted({size_n, (size_n + 1) // 2} - {1}):
                    status, values, _ = measure(
                        spec, size_n, strategy, program, recover=j, evict=fam is not None
                    )
                    if status != "ok" or values != points[size_n][0]:
                        any_clone = False
        samples: dict[int, Values] = {}
        if fam is not None and points and not stop and not sparse:
            for size_n in fam.samples:
                spec = family_spec(key, size_n)
                status, values, _ = measure(spec, size_n, strategy, program, evict=True)
                if status == "ok" and values is not None:
                    samples[size_n] = values
            # the same costs on a larger target of the family (size independence)
            for size_n in [k for k in (2, 3, 4, 7, 12) if k in points]:
                for variant in (1, 2):
                    spec = family_spec(key, size_n, variant)
                    status, values, _ = measure(spec, size_n, strategy, program, evict=True)
                    if status == "ok" and values != points[size_n][0]:
                        mismatch.append(f"{spec} at n = {size_n}: {values} != {points[size_n][0]}")
        out.append(
            Sweep(
                key,
                scope,
                strategy,
                program,
                points,
                stop,
                samples,
                any_clone,
                tgt_q,
                gate,
                mismatch,
            )
        )
    took = time.monotonic() - started
    print(
        f"  {key} {strategy}: {sum(len(s.points) for s in out)} points, {took:.0f} s",
        file=sys.stderr,
    )
    return out


# --- exact fitting -------------------------------------------------------------------------
def _basis() -> dict[str, tuple[Callable[[int], int], sympy.Expr]]:
    big_l = clog2(n)

    def lg(v: int) -> int:
        return (v - 1).bit_length()

    out: dict[str, tuple[Callable[[int], int], sympy.Expr]] = {
        "1": (lambda v: 1, sympy.Integer(1)),
        "n": (lambda v: v, n),
        "n^2": (lambda v: v * v, n**2),
        "n mod 2": (lambda v: v % 2, sympy.Mod(n, 2)),
        "clog2(n)": (lg, big_l),
        "2^clog2(n)": (lambda v: 1 << lg(v), 2**big_l),
        "zigzag": (
            lambda v: abs(2 * v - 3 * (1 << (lg(v) - 1))),
            sympy.Abs(2 * n - 3 * 2 ** (big_l - 1)),
        ),
        "upper half": (
            lambda v: (4 * v) // (3 * (1 << lg(v))),
            sympy.floor(4 * n / (3 * 2**big_l)),
        ),
        "power of 2": (lambda v: v // (1 << lg(v)), sympy.floor(n / 2**big_l)),
        "power of 2 plus 1": (
            lambda v: (v - 1) // (1 << lg(v - 1)),
            sympy.floor((n - 1) / 2 ** clog2(n - 1)),
        ),
    }

    def residue(period: int, r: int) -> Callable[[int], int]:
        return lambda v: int(v % period == r)

    for period in (3, 4, 8):
        for r in range(period):
            out[f"n mod {period} = {r}"] = (
                residue(period, r),
                sympy.Piecewise((1, sympy.Eq(sympy.Mod(n, period), r)), (0, True)),
            )
    return out


BASIS = _basis()
FIT_FAMILIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("a n + b", ("1", "n")),
    ("a n + b + c (n mod 2)", ("1", "n", "n mod 2")),
    ("a n + (table of n mod 4)", ("n", "n mod 4 = 0", "n mod 4 = 1", "n mod 4 = 2", "n mod 4 = 3")),
    ("a n + (table of n mod 3)", ("n", "n mod 3 = 0", "n mod 3 = 1", "n mod 3 = 2")),
    ("a n + (table of n mod 8)", ("n", *(f"n mod 8 = {r}" for r in range(8)))),
    ("quadratic", ("1", "n", "n^2")),
    ("quadratic + parity", ("1", "n", "n^2", "n mod 2")),
    ("linear + parity + clog2(n)", ("1", "n", "n mod 2", "clog2(n)")),
    (
        "binomial tree terms",
        (
            "1",
            "n",
            "n mod 2",
            "clog2(n)",
            "2^clog2(n)",
            "zigzag",
            "upper half",
            "power of 2",
            "power of 2 plus 1",
        ),
    ),
)


def _solve(rows: Sequence[Sequence[int]], ys: Sequence[int]) -> list[Fraction] | None:
    """Exact least squares ``rows @ theta ~ ys``; None if the rows do not determine theta."""
    k = len(rows[0])
    g = [[Fraction(sum(r[a] * r[b] for r in rows)) for b in range(k)] for a in range(k)]
    rhs = [Fraction(sum(r[a] * y for r, y in zip(rows, ys, strict=True))) for a in range(k)]
    for col in range(k):
        piv = next((i for i in range(col, k) if g[i][col] != 0), None)
        if piv is None:
            return None
        g[col], g[piv] = g[piv], g[col]
        rhs[col], rhs[piv] = rhs[piv], rhs[col]
        for i in range(k):
            if i != col and g[i][col] != 0:
                f = g[i][col] / g[col][col]
                g[i] = [a - f * b for a, b in zip(g[i], g[col], strict=True)]
                rhs[i] -= f * rhs[col]
    return [rhs[i] / g[i][i] for i in range(k)]


def _full_rank_ends(rows: Sequence[Sequence[int]]) -> list[int]:
    """For each start i, the smallest end e such that rows i..e have full column rank (or
    len(rows) if none): one incremental elimination per start."""
    size, k = len(rows), len(rows[0])
    out = []
    for i in range(size):
        basis: list[list[Fraction]] = []  # echelon rows, pivot = first nonzero column
        pivots: list[int] = []
        e = i
        while e < size and len(basis) < k:
            v = [Fraction(x) for x in rows[e]]
            for b, p in zip(basis, pivots, strict=True):
                if v[p] != 0:
                    f = v[p] / b[p]
                    v = [x - f * y for x, y in zip(v, b, strict=True)]
            nz = next((c for c in range(k) if v[c] != 0), None)
            if nz is not None:
                basis.append(v)
                pivots.append(nz)
            if len(basis) < k:
                e += 1
        out.append(e if len(basis) == k else size)
    return out


class _Fit:
    """Exact parameters as integers over a common denominator, for fast exact checks."""

    def __init__(self, theta: Sequence[Fraction]) -> None:
        den = 1
        for t in theta:
            den = den * t.denominator // _gcd(den, t.denominator)
        self.den = den
        self.nums = [int(t * den) for t in theta]

    def matches(self, row: Sequence[int], y: int) -> bool:
        return sum(a * x for a, x in zip(self.nums, row, strict=True)) == self.den * y


def _gcd(a: int, b: int) -> int:
    import math

    return math.gcd(a, b)


@dataclass(frozen=True)
class Candidate:
    """A way to match one quantity: a known expression, or a family to fit."""

    name: str  # method text: "analytic", "family: line", "fit: a n + b"
    expr: sympy.Expr | None = None
    columns: tuple[str, ...] = ()

    @property
    def min_len(self) -> int:
        if self.expr is not None:
            return MIN_KNOWN
        # a table over n mod p must see each residue three times
        periods = [
            int(c.split(" ")[2]) for c in self.columns if c.startswith("n mod ") and "=" in c
        ]
        return max(MIN_PIECE, len(self.columns) + EXTRA_POINTS, *(3 * p for p in periods))


def _reach(
    cand: Candidate, ns: Sequence[int], ys: Sequence[int], full: list[int] | None = None
) -> list[tuple[int, int]]:
    """For each start index i: the (shortest, longest) end index of a piece starting at i on
    which ``cand`` matches exactly, or (-1, -1)."""
    size = len(ns)
    out: list[tuple[int, int]] = []
    if cand.expr is not None:
        f = evaluator(sympy.sstr(cand.expr))
        ok = [f(v) == y for v, y in zip(ns, ys, strict=True)]
        run_end = [-1] * (size + 1)
        for i in range(size - 1, -1, -1):
            if ok[i]:
                run_end[i] = run_end[i + 1] if i + 1 < size and ok[i + 1] else i
        for i in range(size):
            lo = i + cand.min_len - 1
            out.append((lo, run_end[i]) if ok[i] and run_end[i] >= lo else (-1, -1))
        return out
    funcs = [BASIS[c][0] for c in cand.columns]
    rows = [[f(v) for f in funcs] for v in ns]
    ends = full if full is not None else _full_rank_ends(rows)
    prev: tuple[_Fit, int] | None = None  # a fit and the last index it explains
    for i in range(size):
        e = max(i + cand.min_len - 1, ends[i])
        if e >= size:
            out.append((-1, -1))
            continue
        if prev is not None and e <= prev[1]:
            fit = prev[0]  # [i, e] determines the parameters and lies inside prev's piece
            h = prev[1] + 1
        else:
            theta = _solve(rows[i : e + 1], ys[i : e + 1])
            assert theta is not None
            fit = _Fit(theta)
            if not all(fit.matches(rows[j], ys[j]) for j in range(i, e + 1)):
                out.append((-1, -1))
                continue
            h = e + 1
        while h < size and fit.matches(rows[h], ys[h]):
            h += 1
        prev = (fit, h - 1)
        out.append((e, h - 1))
    return out


def _expression(cand: Candidate, ns: Sequence[int], ys: Sequence[int]) -> sympy.Expr:
    if cand.expr is not None:
        return cand.expr
    rows = [[BASIS[c][0](v) for c in cand.columns] for v in ns]
    theta = _solve(rows, ys)
    assert theta is not None
    expr: sympy.Expr = sympy.Integer(0)
    tables: dict[int, dict[int, sympy.Rational]] = {}
    for t, c in zip(theta, cand.columns, strict=True):
        coef = sympy.Rational(t.numerator, t.denominator)
        if c.startswith("n mod ") and "=" in c:
            period, r = (int(x) for x in c[len("n mod ") :].split(" = "))
            tables.setdefault(period, {})[r] = coef
        else:
            expr += coef * BASIS[c][1]
    for period, table in tables.items():
        if len(set(table.values())) == 1:
            expr += table[0]
            continue
        branches = [(table[r], sympy.Eq(sympy.Mod(n, period), r)) for r in range(period - 1)]
        expr += sympy.Piecewise(*branches, (table[period - 1], True), evaluate=False)
    return expr


def _candidates(known: Sequence[tuple[str, sympy.Expr]]) -> list[Candidate]:
    out = [Candidate(name, expr) for name, expr in known]
    out += [Candidate(f"fit: {name}", None, cols) for name, cols in FIT_FAMILIES]
    return out


def segment(
    ns: Sequence[int],
    values: Sequence[Values],
    known: dict[str, list[tuple[str, sympy.Expr]]],
) -> list[dict[str, Any]]:
    """Pieces (JSON-ready, without layout) covering consecutive ``ns`` with one layout."""
    size = len(ns)
    cands = {q: _candidates(known.get(q, [])) for q in QUANTITIES}
    ys = {q: [v[i] for v in values] for i, q in enumerate(QUANTITIES)}
    full = {
        cols: _full_rank_ends([[BASIS[c][0](v) for c in cols] for v in ns])
        for _, cols in FIT_FAMILIES
    }
    reach = {q: [_reach(c, ns, ys[q], full.get(c.columns)) for c in cands[q]] for q in QUANTITIES}

    def feasible(i: int, e: int) -> bool:
        return all(
            any(r[i][0] != -1 and r[i][0] <= e <= r[i][1] for r in reach[q]) for q in QUANTITIES
        )

    cost = [0] * (size + 1)
    choice = [-1] * (size + 1)  # end index of the formula piece starting at i, or -1: table
    for i in range(size - 1, -1, -1):
        best, pick = 1 + cost[i + 1], -1
        for e in range(size - 1, i, -1):
            if 1 + cost[e + 1] < best and feasible(i, e):
                best, pick = 1 + cost[e + 1], e
        if pick == -1 and feasible(i, i):
            pick = i
            best = 1 + cost[i + 1]
        cost[i], choice[i] = best, pick
    pieces: list[dict[str, Any]] = []
    i = 0
    while i < size:
        e = choice[i]
        if e == -1:
            if pieces and "table" in pieces[-1]:
                pieces[-1]["n_max"] = ns[i]
                pieces[-1]["table"][str(ns[i])] = list(values[i])
            else:
                pieces.append(
                    {
                        "n_min": ns[i],
                        "n_max": ns[i],
                        "table": {str(ns[i]): list(values[i])},
                    }
                )
            i += 1
            continue
        exprs: dict[str, str] = {}
        methods: dict[str, str] = {}
        for q in QUANTITIES:
            for c, r in zip(cands[q], reach[q], strict=True):
                if r[i][0] != -1 and r[i][0] <= e <= r[i][1]:
                    expr = _expression(c, ns[i : e + 1], ys[q][i : e + 1])
                    exprs[q] = sympy.sstr(expr)
                    methods[q] = c.name
                    break
        pieces.append({"n_min": ns[i], "n_max": ns[e], "expressions": exprs, "methods": methods})
        i = e + 1
    return pieces


# --- from sweeps to entries ----------------------------------------------------------------
def _analytic_key(layout: str, scope_key: str) -> str | None:
    if layout == "path" and scope_key == "all-to-all":
        return "path-all-to-all"
    if layout in ("teleport", "textbook", "tree", "path"):
        return layout
    if layout == "ladder" and scope_key == "grid":
        return "ladder-strip"
    return None


def _runs(points: dict[int, tuple[Values, str]]) -> list[tuple[str, list[int]]]:
    runs: list[tuple[str, list[int]]] = []
    for k in sorted(points):
        layout = points[k][1]
        if runs and runs[-1][0] == layout and runs[-1][1][-1] == k - 1:
            runs[-1][1].append(k)
        else:
            runs.append((layout, [k]))
    return runs


Library = dict[tuple[str, str], dict[str, list[tuple[str, sympy.Expr]]]]


def build_entry(sweep: Sweep, library: Library) -> dict[str, Any]:
    """The JSON entry of one sweep; family entries add their formulas to ``library``."""
    fam = next((f for f in FAMILIES if f.key == sweep.target), None)
    entry: dict[str, Any] = {
        "target": sweep.target,
        "scope": sweep.scope,
        "strategy": sweep.strategy,
        "program": sweep.program,
        "two_qubit_gate": sweep.two_qubit_gate,
        "device_qubits": sweep.device_qubits,
    }
    if not sweep.points:
        entry["unavailable"] = sweep.stop or "nothing compiled"
        entry["pieces"] = []
        return entry
    if sweep.mismatch:
        entry["unavailable"] = (
            "the costs depend on the size of the target, not on n only (e.g. "
            f"{sweep.mismatch[0]}); derive a formula for one spec with "
            f"{REGENERATE} --target SPEC"
        )
        entry["pieces"] = []
        return entry
    pieces: list[dict[str, Any]] = []
    for layout, ks in _runs(sweep.points):
        known: dict[str, list[tuple[str, sympy.Expr]]] = {}
        akey = _analytic_key(layout, sweep.target if fam else "")
        if akey is not None and (fam is not None or layout != "ladder"):
            known["two_qubit"] = [("analytic", TWO_QUBIT_ANALYTIC[(akey, sweep.program)])]
        for (lay, prog), found in library.items():
            if lay == layout and prog == sweep.program:
                for q, exprs in found.items():
                    known.setdefault(q, [])
                    known[q] += [e for e in exprs if e not in known[q]]
        for p in segment(ks, [sweep.points[k][0] for k in ks], known):
            pieces.append({"layout": layout, **p})
    last = max(sweep.points)
    notes: list[str] = []
    if fam is not None:
        entry["covers"] = fam.covers
        entry["limit"] = "qubits" if sweep.strategy == "path" else fam.limit
        tail = pieces[-1]
        claim = (
            not sweep.stop
            and bool(sweep.samples)
            and "expressions" in tail
            and tail["n_max"] - tail["n_min"] + 1 >= MIN_UNBOUNDED
        )
        if claim:
            tail_exprs = {q: parse_expression(t) for q, t in tail["expressions"].items()}
            for size_n, values in sweep.samples.items():
                got = tuple(int(tail_exprs[q].subs(n, size_n)) for q in QUANTITIES)
                if got != values:
                    claim = False
                    notes.append(
                        f"the last piece's formula does not hold at n = {size_n} (compiled "
                        f"{values}, formula {got})"
                    )
        if claim:
            tail["n_max"] = None
            entry["n_max"] = None
            entry["samples"] = sorted(sweep.samples)
            entry["limit_text"] = fam.covers
            for q, text in tail["expressions"].items():
                library.setdefault((tail["layout"], sweep.program), {}).setdefault(q, [])
                item = (f"fit, as on {fam.key}", parse_expression(text))
                if item not in library[(tail["layout"], sweep.program)][q]:
                    library[(tail["layout"], sweep.program)][q].append(item)
        else:
            entry["n_max"] = last
            entry["samples"] = []
            if sweep.stop:
                why = f"at n = {last + 1}, {sweep.stop}"
            elif not sweep.samples:
                why = (
                    "the greedy placement and routing of this strategy is swept only this far "
                    "on a sparse family, so no formula is claimed beyond"
                )
            else:
                why = (
                    "no formula of the fitted families holds on the last stretch of the sweep "
                    "and at the sample points beyond it"
                )
            entry["limit_text"] = f"derived for n <= {last} only ({fam.covers}): {why}"
    else:
        qubits = sweep.device_qubits or 0
        entry["covers"] = sweep.target
        entry["limit"] = "device"
        entry["n_max"] = last
        entry["samples"] = []
        if sweep.stop:
            entry["limit_text"] = (
                f"{sweep.target} has {qubits} qubits, but the {sweep.strategy} strategy "
                f"compiles only up to n = {last}: at n = {last + 1}, {sweep.stop}"
            )
        else:
            entry["limit_text"] = (
                f"{sweep.target} has {qubits} qubits and the program needs 2n + 1, so n <= {last}"
            )
    entry["checked"] = [min(sweep.points), last]
    entry["any_clone"] = sweep.any_clone
    if sweep.program == "functional":
        notes.append("functional recovery")  # replaced below when it equals exact
    entry["notes"] = notes
    entry["pieces"] = pieces
    return entry


def _finish_notes(entries: list[dict[str, Any]], sweeps: dict[tuple[str, str, str], Sweep]) -> None:
    for e in entries:
        notes = [t for t in e.get("notes", []) if t != "functional recovery"]
        if e["program"] == "functional":
            fx = sweeps.get((e["target"], e["strategy"], "functional"))
            ex = sweeps.get((e["target"], e["strategy"], "exact"))
            if fx is not None and ex is not None and fx.points and fx.points == ex.points:
                notes.append(
                    "functional recovery costs exactly what exact recovery costs here: this "
                    "layout's recovery is exact in both modes"
                )
        if not e.get("any_clone", True):
            notes.append("the costs depend on which clone is recovered; derived for clone 1")
        e["notes"] = notes


# --- driver --------------------------------------------------------------------------------
def jobs_for(
    only: Sequence[str] | None, extra: Sequence[str] = ()
) -> list[tuple[str, str, str, tuple[str, ...]]]:
    jobs: list[tuple[str, str, str, tuple[str, ...]]] = []

    def wanted(key: str) -> bool:
        return not only or any(
            key == o or key.startswith(o + ":") or key.startswith(o) for o in only
        )

    for fam in FAMILIES:
        if wanted(fam.key) or extra:
            for s in fam.strategies:
                jobs.append(("family", fam.key, s, PROGRAMS))
    devices = list(extra) if extra else [*GENERIC_DEVICES, *vendor_devices()]
    for spec in devices:
        if extra or wanted(spec):
            for s in STRATEGIES:
                jobs.append(("device", spec, s, PROGRAMS))
    return jobs


def derive(
    jobs: list[tuple[str, str, str, tuple[str, ...]]],
    *,
    workers: int = 2,
    log: Callable[[str], None] | None = None,
    library: Library | None = None,
) -> tuple[list[dict[str, Any]], dict[tuple[str, str, str], Sweep]]:
    """Run the sweeps of ``jobs`` and turn them into entries (families first; their formulas
    become candidates for the devices' pieces, added to ``library`` if given)."""
    order = sorted(range(len(jobs)), key=lambda i: jobs[i][0] != "family")
    sweeps: dict[tuple[str, str, str], Sweep] = {}
    started = time.monotonic()
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(_sweep_target, [jobs[i] for i in order]))
    else:
        results = [_sweep_target(jobs[i]) for i in order]
    for res in results:
        for sw in res:
            sweeps[(sw.target, sw.strategy, sw.program)] = sw
    if log is not None:
        log(
            f"compiled {sum(len(s.points) for s in sweeps.values())} points in "
            f"{time.monotonic() - started:.0f} s"
        )
    library = {} if library is None else library
    entries = []
    for scope in ("family", "device"):
        for sw in sweeps.values():
            if sw.scope == scope:
                entries.append(build_entry(sw, library))
    _finish_notes(entries, sweeps)
    return entries, sweeps


def library_from(entries: Iterable[dict[str, Any]]) -> Library:
    """The formulas of stored family entries that hold for every n, as candidates for device
    pieces (so ``--only`` need not sweep the families again)."""
    library: Library = {}
    for e in entries:
        if e["scope"] != "family" or e.get("unavailable") or not e["pieces"]:
            continue
        tail = e["pieces"][-1]
        if tail["n_max"] is not None or "expressions" not in tail:
            continue
        found = library.setdefault((tail["layout"], e["program"]), {})
        for q, text in tail["expressions"].items():
            item = (f"fit, as on {e['target']}", parse_expression(text))
            if item not in found.setdefault(q, []):
                found[q].append(item)
    return library


def data_path() -> Path:
    return Path(__file__).resolve().parent / "data" / DATA_FILE


def write(entries: list[dict[str, Any]], path: Path, *, merge: bool) -> None:
    from qclone import __version__

    old: list[dict[str, Any]] = []
    if merge and path.exists():
        old = json.loads(path.read_text(encoding="utf-8"))["entries"]
    keys = {(e["target"], e["strategy"], e["program"]) for e in entries}
    kept = [e for e in old if (e["target"], e["strategy"], e["program"]) not in keys]
    allentries = kept + entries
    rank = {f.key: i for i, f in enumerate(FAMILIES)}
    allentries.sort(
        key=lambda e: (
            e["scope"] != "family",
            rank.get(e["target"], 99),
            e["target"],
            STRATEGIES.index(e["strategy"]),
            PROGRAMS.index(e["program"]),
        )
    )
    doc = {
        "schema": 1,
        "generated_by": REGENERATE,
        "qclone_version": __version__,
        "program": "single_clone(n, recover=None) for 'clone'; single_clone(n, recover=1, "
        "mode=program) otherwise",
        "quantities": list(QUANTITIES),
        "entries": allentries,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    # one entry per line: small, and a regeneration diffs entry by entry
    head = json.dumps({k: v for k, v in doc.items() if k != "entries"}, indent=1)[:-2]
    body = ",\n".join(json.dumps(e, separators=(",", ":")) for e in allentries)
    tmp.write_text(f'{head},\n "entries": [\n{body}\n ]\n}}\n', encoding="utf-8")
    tmp.replace(path)


# --- rendering -----------------------------------------------------------------------------
def _short(expr_text: str) -> str:
    """Markdown form: ``2^k`` for powers, ``3n`` for ``3*n``."""
    text = pretty(expr_text).replace("**", "^")
    return re.sub(r"(\d)\*(?=[a-zA-Z(\[])", r"\1", text)


def _ranges(pieces: Sequence[dict[str, Any]]) -> str:
    """``2, 37..64`` for pieces covering n = 2 and 37..64 (adjacent pieces merged)."""
    spans: list[list[int]] = []
    for p in sorted(pieces, key=lambda p: p["n_min"]):
        if spans and spans[-1][1] + 1 == p["n_min"]:
            spans[-1][1] = p["n_max"]
        else:
            spans.append([p["n_min"], p["n_max"]])
    return ", ".join(str(a) if a == b else f"{a}..{b}" for a, b in spans)


def _piece_cells(p: dict[str, Any], quantities: Sequence[str]) -> list[str]:
    if "table" in p:
        return ["(tabulated)"] * len(quantities)
    return [f"`{_short(p['expressions'][q])}`" for q in quantities]


def _range(p: dict[str, Any]) -> str:
    if p["n_max"] is None:
        return f"{p['n_min']}.."
    if p["n_min"] == p["n_max"]:
        return str(p["n_min"])
    return f"{p['n_min']}..{p['n_max']}"


def markdown(data: dict[str, Any], *, full: bool = False) -> str:
    """The stored formulas as Markdown tables: families (every strategy, every program) and
    devices (``auto``, clone + exact recovery; every strategy and program with ``full``)."""
    quantities = QUANTITIES if full else ("two_qubit", "depth", "two_qubit_depth")
    head = ["target", "strategy", "program", "n", "layout", *(LABELS[q] for q in quantities)]
    lines = [
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    for e in data["entries"]:
        if (
            not full
            and e["scope"] == "device"
            and (e["strategy"] != "auto" or e["program"] != "exact")
        ):
            continue
        if not full and e["scope"] == "family" and e.get("unavailable"):
            continue
        prog = {"clone": "clone", "exact": "+ exact", "functional": "+ functional"}[e["program"]]
        if (
            not full
            and e["program"] == "functional"
            and any("costs exactly" in t for t in e.get("notes", []))
        ):
            continue
        if e.get("unavailable"):
            lines.append(
                f"| {e['target']} | {e['strategy']} | {prog} | - | - | "
                + " | ".join(["n/a"] * len(quantities))
                + " |"
            )
            continue
        pieces = e["pieces"]
        if not full:
            # tables and single points are not worth a row each: summarise them
            pieces = [
                p
                for p in pieces
                if "table" not in p and (p["n_max"] is None or p["n_max"] > p["n_min"])
            ]
        for p in pieces:
            lines.append(
                "| "
                + " | ".join(
                    [
                        e["target"],
                        e["strategy"],
                        prog,
                        _range(p),
                        p["layout"],
                        *_piece_cells(p, quantities),
                    ]
                )
                + " |"
            )
        skipped = [p for p in e["pieces"] if p not in pieces]
        if skipped:
            where = _ranges(skipped)
            lines.append(
                f"| {e['target']} | {e['strategy']} | {prog} | {where} | | "
                + " | ".join(["tabulated"] * len(quantities))
                + " |"
            )
    lines.append("")
    lines.append(
        "`clog2(n)` = ceil(log2 n). Families hold for every n (checked for every n of "
        "a range and at samples far beyond); device rows hold for every n in their "
        "range, each checked against the compiler."
    )
    return "\n".join(lines) + "\n"


#: The README section between these lines is :func:`markdown` of the stored data.
README_MARKERS = (
    "<!-- generated by python3 -m qclone.cost.derive: formula table -->",
    "<!-- end of generated formula table -->",
)


def update_readme(readme: Path, data: dict[str, Any]) -> bool:
    """Rewrite the generated table of ``readme`` (between :data:`README_MARKERS`); False if
    the file has no such section."""
    if not readme.exists():
        return False
    text = readme.read_text(encoding="utf-8")
    begin, end = README_MARKERS
    if begin not in text or end not in text:
        return False
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    new = f"{head}{begin}\n{markdown(data)}{end}{tail}"
    if new != text:
        readme.write_text(new, encoding="utf-8")
    return True


def describe(entries: list[dict[str, Any]]) -> str:
    """Plain text of freshly derived entries (for ``--target``)."""
    out = []
    for e in entries:
        head = f"{e['target']}  strategy {e['strategy']}  program {e['program']}"
        if e.get("unavailable"):
            out.append(f"{head}: not available ({e['unavailable']})")
            continue
        out.append(f"{head}  ({e['limit_text']})")
        for p in e["pieces"]:
            if "table" in p:
                out.append(f"  n = {_range(p)} [{p['layout']}]: tabulated")
                continue
            out.append(f"  n = {_range(p)} [{p['layout']}]")
            for q in QUANTITIES:
                out.append(
                    f"    {LABELS[q]:<9} = {pretty(p['expressions'][q])}   ({p['methods'][q]})"
                )
    return "\n".join(out) + "\n"


def compare_stored(fresh: list[dict[str, Any]], stored: list[dict[str, Any]]) -> list[str]:
    """Differences between fresh and stored entries (same keys)."""
    index = {(e["target"], e["strategy"], e["program"]): e for e in stored}
    diffs = []
    for e in fresh:
        key = (e["target"], e["strategy"], e["program"])
        old = index.get(key)
        if old is None:
            diffs.append(f"{'/'.join(key)}: not stored")
        elif old.get("pieces") != e.get("pieces") or old.get("n_max") != e.get("n_max"):
            diffs.append(
                f"{'/'.join(key)}: the compiler's costs no longer match the stored formula"
            )
    return diffs


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python3 -m qclone.cost.derive",
        description="Derive the scaling formulas by compiling every n of each target's range; "
        "writes qclone/cost/data/formulas.json.",
    )
    parser.add_argument(
        "--only",
        metavar="PREFIXES",
        help="regenerate only targets starting "
        "with these comma-separated prefixes (e.g. ibm,heavy-hex); others kept",
    )
    parser.add_argument(
        "--target",
        metavar="SPEC",
        action="append",
        default=[],
        help="derive for this target spec and print the formulas (not stored)",
    )
    parser.add_argument("--strategy", metavar="S", help="with --target: only this strategy")
    parser.add_argument(
        "--check",
        action="store_true",
        help="compare the stored formulas with the compiler; write nothing",
    )
    parser.add_argument("--markdown", action="store_true", help="print the stored table")
    parser.add_argument("--full", action="store_true", help="with --markdown: every entry")
    parser.add_argument(
        "--readme", metavar="FILE", help="README whose generated table to update (the repo's)"
    )
    parser.add_argument("--jobs", "-j", type=int, default=2, help="worker processes (2)")
    parser.add_argument(
        "--out", metavar="FILE", help=f"write here instead of the package's {DATA_FILE}"
    )
    args = parser.parse_args(argv)

    def log(msg: str) -> None:
        print(msg, file=sys.stderr)

    path = Path(args.out) if args.out else data_path()
    if args.markdown:
        sys.stdout.write(markdown(json.loads(path.read_text(encoding="utf-8")), full=args.full))
        return 0
    if args.target:
        from qclone.targets import get_target

        specs = [get_target(t).name for t in args.target]
        jobs = [
            ("device", s, st, PROGRAMS)
            for s in specs
            for st in ([args.strategy] if args.strategy else STRATEGIES)
        ]
        seed: Library | None = None
        if path.exists():
            seed = library_from(json.loads(path.read_text(encoding="utf-8"))["entries"])
        else:
            jobs += [("family", f.key, st, PROGRAMS) for f in FAMILIES for st in f.strategies]
        entries, _ = derive(jobs, workers=args.jobs, log=log, library=seed)
        sys.stdout.write(describe([e for e in entries if e["scope"] == "device"]))
        return 0
    only = [o.strip() for o in args.only.split(",")] if args.only else None
    jobs = jobs_for(only)
    library: Library | None = None
    if only and path.exists():
        # device pieces reuse the family formulas: take the stored ones
        library = library_from(json.loads(path.read_text(encoding="utf-8"))["entries"])
    elif only:
        have = {j[1] for j in jobs}
        jobs += [
            ("family", f.key, s, PROGRAMS)
            for f in FAMILIES
            if f.key not in have
            for s in f.strategies
        ]
    log(f"{len(jobs)} sweeps on {args.jobs} worker(s) ...")
    entries, _ = derive(jobs, workers=args.jobs, log=log, library=library)
    if only:
        entries = [e for e in entries if any(e["target"].startswith(o) for o in only)]
    if args.check:
        stored = json.loads(path.read_text(encoding="utf-8"))["entries"]
        diffs = compare_stored(entries, stored)
        for d in diffs:
            print(d)
        print(
            "stored formulas match the compiler"
            if not diffs
            else f"{len(diffs)} stored formulas are stale: regenerate with {REGENERATE}"
        )
        return 1 if diffs else 0
    write(entries, path, merge=bool(only))
    log(f"wrote {path} ({len(entries)} entries)")
    readme = Path(args.readme) if args.readme else Path(__file__).resolve().parents[3] / "README.md"
    if not args.out and update_readme(readme, json.loads(path.read_text(encoding="utf-8"))):
        log(f"updated the formula table in {readme}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
