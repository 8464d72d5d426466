"""Scaling formulas (qclone.cost.formula) against the compiler.

Fast tests compile a range of n for every size-parametric family and a few n (the ends of the
formula's pieces) on every stored device; ``-m slow`` compiles every n of every stored range.
A stored formula that no longer matches the compiler fails with the command that regenerates
the formulas.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
import sympy

import qclone
from qclone.cli import main
from qclone.cost import derive
from qclone.cost.formulas import (
    QUANTITIES,
    REGENERATE,
    TWO_QUBIT_ANALYTIC,
    Piece,
    ScalingFormula,
    evaluator,
    formula,
    load_data,
    n,
    parse_expression,
)
from qclone.errors import (
    FormulaRangeError,
    FormulaUnavailable,
    QcloneError,
    UnknownTargetError,
)
from qclone.ir.program import single_clone

ENTRIES: list[dict[str, Any]] = load_data()["entries"]
AVAILABLE = [e for e in ENTRIES if not e.get("unavailable")]
FAMILY_KEYS = [f.key for f in derive.FAMILIES]

#: Largest n the fast tests compile per family (greedy-placement strategies: fewer).
FAST_MAX = {"all-to-all": 40, "line": 30, "ring": 24, "grid": 24}
FAST_SPARSE_MAX = 10


def _id(e: dict[str, Any]) -> str:
    return f"{e['target']}/{e['strategy']}/{e['program']}"


def _args(e: dict[str, Any]) -> dict[str, Any]:
    recover = None if e["program"] == "clone" else 1
    mode = "exact" if e["program"] == "clone" else e["program"]
    return {"recover": recover, "mode": mode}


def _compiled(spec: str, size_n: int, strategy: str, program: str) -> dict[str, int]:
    status, values, info = derive.measure(spec, size_n, strategy, program)
    assert status == "ok" and values is not None, f"{spec} n = {size_n} did not compile: {info}"
    return dict(zip(QUANTITIES, values, strict=True))


def mismatches(f: ScalingFormula, spec_for: Any, ns: list[int]) -> list[str]:
    """Every n of ``ns`` where the formula and the compiled cost report differ."""
    out = []
    for k in ns:
        got = f.evaluate(k).values
        want = _compiled(spec_for(k), k, f.strategy, f.program)
        bad = {q: (got[q], want[q]) for q in QUANTITIES if got[q] != want[q]}
        if bad:
            out.append(
                f"n = {k}: "
                + ", ".join(f"{q} formula {a} compiled {b}" for q, (a, b) in bad.items())
            )
    return out


def _stale(e: dict[str, Any], found: list[str]) -> str:
    return (
        f"stored scaling formula {_id(e)} no longer matches the compiler ({'; '.join(found[:3])}): "
        f"the layouts or syntheses changed; regenerate the formulas with `{REGENERATE}` "
        f"(or `{REGENERATE} --only {e['target'].split(':')[0]}`)"
    )


# --- the stored data -----------------------------------------------------------------------
def test_every_target_family_and_strategy_is_covered() -> None:
    """Each generic family, each vendor device and each strategy has an entry (a formula or
    the reason there is none), for the three programs."""
    have = {(e["target"], e["strategy"], e["program"]) for e in ENTRIES}
    targets = [*FAMILY_KEYS, *derive.GENERIC_DEVICES, *derive.vendor_devices()]
    missing = [
        f"{t}/{s}/{p}"
        for t in targets
        for s in derive.STRATEGIES
        for p in ("clone", "exact", "functional")
        if (t, s, p) not in have
    ]
    assert not missing, f"no stored formula for {missing[:5]} ...: regenerate with {REGENERATE}"


def test_the_basis_functions_have_the_meaning_their_formulas_say() -> None:
    for name, (func, expr) in derive.BASIS.items():
        bad = [v for v in range(2, 300) if expr.subs(n, v) != func(v)]
        assert not bad, f"basis {name}: {expr} differs from its integer form at n = {bad[:3]}"


@pytest.mark.parametrize("e", AVAILABLE, ids=_id)
def test_stored_expressions_are_exact_integers(e: dict[str, Any]) -> None:
    for p in e["pieces"]:
        if "table" in p:
            assert set(map(int, p["table"])) == set(range(p["n_min"], p["n_max"] + 1))
            continue
        top = p["n_max"] if p["n_max"] is not None else 10**6
        for text in p["expressions"].values():
            expr = parse_expression(text)
            for k in sorted({p["n_min"], (p["n_min"] + top) // 2, top}):
                assert evaluator(text)(k) == expr.subs(n, k), (text, k)


def test_two_qubit_counts_are_the_analytic_syntheses_on_swap_free_families() -> None:
    """The fitted machinery is not needed for two-qubit counts: they are the syntheses' sums."""
    key = {"teleport": "teleport", "textbook": "textbook", "tree": "tree", "path": "path"}
    for e in AVAILABLE:
        if e["scope"] != "family":
            continue
        last = e["pieces"][-1]
        layout = "ladder-strip" if last["layout"] == "ladder" else key.get(last["layout"])
        if layout == "path" and e["target"] == "all-to-all":
            layout = "path-all-to-all"  # the roaming recovery meets every key directly
        if last["n_max"] is None and layout is not None:
            assert last["methods"]["two_qubit"] == "analytic", _id(e)
            expected = TWO_QUBIT_ANALYTIC[(layout, e["program"])]
            assert (
                sympy.simplify(parse_expression(last["expressions"]["two_qubit"]) - expected) == 0
            )


# --- formula == compiled count -------------------------------------------------------------
FAMILY_ENTRIES = [e for e in AVAILABLE if e["scope"] == "family"]


@pytest.mark.parametrize("e", FAMILY_ENTRIES, ids=_id)
def test_family_formula_equals_compiled_count_for_every_n(e: dict[str, Any]) -> None:
    f = formula(e["target"], e["strategy"], **_args(e))
    top = FAST_MAX[e["target"]]
    if e["strategy"] in ("teleport", "textbook") and e["target"] != "all-to-all":
        top = FAST_SPARSE_MAX
    if e.get("n_max") is not None:  # a layout that fits only small n (keypath on a line)
        top = min(top, int(e["n_max"]))
    ns = list(range(2, top + 1))
    found = mismatches(f, lambda k: derive.family_spec(e["target"], k), ns)
    assert not found, _stale(e, found)


def _piece_ends(e: dict[str, Any], most: int = 3) -> list[int]:
    """The last n of some pieces (first, last, and one between), at most ``most``."""
    ends = [p["n_max"] for p in e["pieces"] if p["n_max"] is not None]
    if len(ends) <= most:
        return ends
    return sorted({ends[0], ends[len(ends) // 2], ends[-1]})


DEVICE_AUTO = [
    e
    for e in AVAILABLE
    if e["scope"] == "device" and e["strategy"] == "auto" and e["program"] == "exact"
]


@pytest.mark.parametrize("e", DEVICE_AUTO, ids=_id)
def test_device_formula_equals_compiled_count_at_piece_ends(e: dict[str, Any]) -> None:
    f = formula(e["target"], "auto", recover=1)
    found = mismatches(f, lambda k: e["target"], _piece_ends(e))
    assert not found, _stale(e, found)


def test_device_formula_sample_of_other_strategies_and_programs() -> None:
    """One n of every other stored device entry on two devices (speed: the slow suite does
    every n of every entry)."""
    for e in AVAILABLE:
        if e["scope"] != "device" or e["target"] not in ("quantinuum:H2-1", "grid:13x13"):
            continue
        f = formula(e["target"], e["strategy"], **_args(e))
        k = e["pieces"][0]["n_max"] if e["pieces"][0]["n_max"] is not None else 2
        found = mismatches(f, lambda _k, spec=e["target"]: spec, [k])
        assert not found, _stale(e, found)


@pytest.mark.slow
@pytest.mark.parametrize("e", AVAILABLE, ids=_id)
def test_formula_equals_compiled_count_over_the_whole_range(e: dict[str, Any]) -> None:
    f = formula(e["target"], e["strategy"], **_args(e))
    lo, hi = e["checked"]
    ns = [*range(lo, hi + 1), *e.get("samples", [])]
    if e["scope"] == "family":
        found = mismatches(f, lambda k: derive.family_spec(e["target"], k), ns)
    else:
        found = mismatches(f, lambda _k: e["target"], ns)
    assert not found, _stale(e, found)


@pytest.mark.slow
def test_family_formula_beyond_the_checked_range() -> None:
    """n = 1500 on a line and a two-row grid: the stored formula, fitted on smaller n,
    still equals the compiler."""
    for key in ("line", "grid"):
        f = formula(key, "auto", recover=1)
        found = mismatches(f, lambda k, key=key: derive.family_spec(key, k), [1500])
        assert not found, found


# --- the tests can fail --------------------------------------------------------------------
def test_a_perturbed_formula_is_caught() -> None:
    f = formula("line", "auto", recover=1)
    assert not mismatches(f, lambda k: f"line:{2 * k + 1}", [5, 6])
    last = f.pieces[-1]
    assert last.expressions is not None
    for q, delta in (("two_qubit", 1), ("depth", sympy.Mod(n, 2))):
        exprs = dict(last.expressions)
        exprs[q] = exprs[q] + delta
        bad = replace(f, pieces=(*f.pieces[:-1], replace(last, expressions=exprs)))
        found = mismatches(bad, lambda k: f"line:{2 * k + 1}", [5, 6])
        assert found and q in found[0], (q, found)


def test_a_perturbed_table_is_caught() -> None:
    f = formula("line", "auto", recover=1)
    first = f.pieces[0]
    k = first.n_min
    values = dict(first.evaluate(k))
    values["swaps"] += 1
    table = Piece(k, k, first.layout, None, {k: values})
    bad = replace(f, pieces=(table, *f.pieces))
    assert mismatches(bad, lambda m: f"line:{2 * m + 1}", [k])


# --- the API -------------------------------------------------------------------------------
def test_a_million_clones_from_the_formula_without_compiling(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import qclone.passes.pipeline as pipeline

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("formula() must not compile")

    monkeypatch.setattr(pipeline, "compile", refuse)
    for key in FAMILY_KEYS:
        f = formula(key, "auto", recover=1)
        v = f.evaluate(10**6)
        assert v.n == 10**6 and not v.checked
        assert v.two_qubit > 10**6 and v.depth > 0
        assert "two_qubit" not in v.extrapolated  # analytic, not fitted
    # the two-qubit count is the sum of the syntheses' counts, e.g. on a line 5n - 2 (clone)
    # plus 10n - 13 (walking recovery) for even n
    assert formula("line").evaluate(10**6).two_qubit == 15 * 10**6 - 15
    assert formula("all-to-all", "tree", recover=None).evaluate(2**20).two_qubit == 3 * 2**20


def test_family_formula_on_a_concrete_spec_is_bounded_by_its_size() -> None:
    f = formula("all-to-all:40", "auto", recover=1)
    assert f.entry == "all-to-all" and f.valid_range.n_max == 19
    assert f.evaluate(19).values == _compiled("all-to-all:40", 19, "auto", "exact")
    with pytest.raises(FormulaRangeError, match=r"40 qubits .* n <= 19"):
        f.evaluate(20)
    g = formula("grid:3x8", "auto", recover=1)
    assert g.valid_range.n_max == 7
    assert g.evaluate(7).values == _compiled("grid:3x8", 7, "auto", "exact")


def test_out_of_range_and_unavailable_formulas_say_why() -> None:
    h2 = formula("quantinuum:H2-1", recover=None)
    assert h2.valid_range.n_max == 27 and 27 in h2.valid_range and 28 not in h2.valid_range
    with pytest.raises(FormulaRangeError, match=r"56 qubits.*n <= 27"):
        h2.evaluate(28)
    with pytest.raises(FormulaRangeError, match="n >= 2"):
        h2.evaluate(1)
    with pytest.raises(FormulaRangeError, match="recover index 5"):
        formula("line", recover=5).evaluate(4)
    with pytest.raises(FormulaUnavailable, match="all-to-all"):
        formula("grid:13x13", "tree")
    with pytest.raises(FormulaUnavailable, match="unknown strategy"):
        formula("line", "zigzag")
    with pytest.raises(UnknownTargetError):
        formula("nosuchfamily:3")
    with pytest.raises(FormulaUnavailable, match="derive"):
        formula("heavy-hex:11")
    with pytest.raises(FormulaUnavailable, match="clone 1"):
        formula("grid:13x13", recover=2)
    assert formula("line", recover=7).evaluate(9).two_qubit == formula("line").evaluate(9).two_qubit


def test_string_form_names_formulas_and_range() -> None:
    text = str(formula("quantinuum:H2-1"))
    assert "2Q gates" in text and "n <= 27" in text and "56 qubits" in text
    assert "checked against the compiler" in text


def test_vendor_entangler_suffix_uses_the_device_formula() -> None:
    """The pipeline routes in CZ whatever entangler the lowering targets."""
    a = formula("google:rainbow@syc").evaluate(3)
    b = formula("google:rainbow").evaluate(3)
    assert a.values == b.values


# --- the command line ----------------------------------------------------------------------
def test_cli_cost_for_a_million_clones(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cost", "--target", "line", "--clones", "1000000"]) == 0
    out = capsys.readouterr().out
    assert "14999985" in out and "holds for" in out and "beyond" in out


def test_cli_cost_json_and_ranges(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cost", "-t", "quantinuum:H2-1", "-n", "2:27", "--recover", "none", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [v["n"] for v in doc["values"]] == list(range(2, 28))
    assert doc["valid_range"]["n_max"] == 27
    r = qclone.compile(single_clone(27, recover=None), "quantinuum:H2-1", verify=False)
    assert doc["values"][-1]["two_qubit"] == r.cost.two_qubit


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["cost", "--target", "quantinuum:H2-1", "--clones", "28"], "n <= 27"),
        (["cost", "--target", "nosuch:1", "--clones", "3"], "unknown target"),
        (["cost", "--target", "line", "--clones", "10:2"], "inverted"),
        (["cost", "--target", "line", "--clones", "1"], "n >= 2"),
        (["cost", "--target", "line", "--clones", "5", "--recover", "x"], "clone index"),
        (["cost", "--target", "grid:13x13", "--clones", "5", "--strategy", "tree"], "all-to-all"),
    ],
)
def test_cli_cost_bad_input(
    argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("qclone: error:") and "\n" not in err
    assert needle in err


def test_docstring_examples() -> None:
    import doctest

    from qclone.cost import formulas

    result = doctest.testmod(formulas, verbose=False)
    assert result.attempted > 0 and result.failed == 0


def test_errors_are_qclone_errors() -> None:
    assert issubclass(FormulaRangeError, FormulaUnavailable)
    assert issubclass(FormulaUnavailable, QcloneError)


def test_readme_table_is_the_generated_one() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    begin, end = derive.README_MARKERS
    assert begin in readme and end in readme, "README has no generated formula table"
    table = readme.split(begin, 1)[1].split(end, 1)[0].strip()
    assert table == derive.markdown(load_data()).strip(), (
        f"the README's formula table is not the stored one: regenerate with {REGENERATE}"
    )
