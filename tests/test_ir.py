"""Tests of the protocol IR: building programs, phases, the text form, symbolic sizes, errors."""

from __future__ import annotations

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qclone
from qclone.cost.formulas import logical_two_qubit_count, logical_two_qubit_formula
from qclone.errors import (
    ConsumedQubitError,
    CopyIndexError,
    InvalidProgram,
    KeyReuseError,
    MissingKeyError,
    ParseError,
    QcloneError,
    SymbolicSizeError,
    TooFewCopies,
    UnknownNameError,
)
from qclone.ir import (
    Clone,
    Data,
    Discard,
    Program,
    Recover,
    RecoverMode,
    Store,
    parse,
    single_clone,
)
from qclone.testing import (
    assert_clones_secret,
    assert_compiles_and_verifies,
    assert_recovers_statevector,
    final_data_wires,
    random_state,
)


def phases_of(p: Program) -> list[tuple[str, int]]:
    return [(i.op.text(), i.phase) for i in p.analysis().ops]


# ---- building programs in a few lines -----------------------------------------------------------
def test_single_clone_program() -> None:
    p = Program()
    psi = p.data("psi")
    m = p.clone(psi, copies=3)
    out = p.recover(m, copy=2)
    assert out == m.clone(2) and str(out) == "m0.S2"
    assert p == single_clone(3, recover=2)
    a = p.analysis()
    assert a.wires == ("psi", "m0.S1", "m0.N1", "m0.S2", "m0.N2", "m0.S3", "m0.N3")
    assert a.data_wires == ("psi",)
    assert a.roles["psi"] == "A" and a.roles["m0.S3"] == "S3" and a.roles["m0.N1"] == "N1"
    assert a.num_phases == 2
    assert phases_of(p) == [
        ("data psi", 0),
        ("clone psi copies=3 as m0", 0),
        ("recover m0 copy=2 mode=exact", 1),
    ]
    assert a.modules == {"m0": 3}
    assert m.key(3) == qclone.Qubit("m0.N3")


def test_parallel_program() -> None:
    p = Program()
    a, b = p.data("a"), p.data("b")
    ma, mb = p.clone(a, copies=2), p.clone(b, copies=3)
    ra, rb = p.recover(ma, copy=2), p.recover(mb, copy=1, mode="functional")
    assert (ma.name, mb.name) == ("m0", "m1")
    assert [ph for _, ph in phases_of(p)] == [0, 0, 0, 0, 1, 1]
    assert p.analysis().roles["a"] == "m0.A"  # several modules: role names keep the module
    assert final_data_wires(p.analysis()) == {"a": str(ra), "b": str(rb)}
    result = assert_compiles_and_verifies(p, "grid:4x4")
    rng = np.random.default_rng(11)
    inputs = {"a": random_state(rng), "b": random_state(rng)}
    assert_recovers_statevector(p, result, inputs)
    assert_clones_secret(result, inputs)


def test_series_program() -> None:
    p = Program()
    m0 = p.clone(p.data("psi"), copies=3)
    m1 = p.clone(m0.clone(2), copies=2)  # clone a clone
    a = p.analysis()
    # level-1 clones 1, 3 and level-2 clones 1, 2: n - 1 + m = 4 clones of psi
    assert len(a.wires) == 1 + 2 * 3 + 2 * 2
    assert [ph for _, ph in phases_of(p)] == [0, 0, 0]  # clone of a clone: one phase
    inner = p.recover(m1, copy=1)
    outer = p.recover(m0, copy=2)  # S'_1 stands in for S_2
    assert inner == outer == m1.clone(1)
    # the outer recovery uses what the inner one delivered: it comes in the next phase
    assert [ph for _, ph in phases_of(p)] == [0, 0, 0, 1, 2]
    assert p.analysis().ops[-1].wires == ("m1.S1", "m0.N1", "m0.N2", "m0.N3")
    assert final_data_wires(p.analysis()) == {"psi": "m1.S1"}
    for target in (None, "line:11"):
        result = assert_compiles_and_verifies(p, target)
        psi = random_state(np.random.default_rng(3))
        assert_recovers_statevector(p, result, psi)
        assert_clones_secret(result, psi)


def test_series_other_level1_clone_stays_recoverable() -> None:
    p = Program()
    m0 = p.clone(p.data("psi"), copies=3)
    p.clone(m0.clone(2), copies=2)
    out = p.recover(m0, copy=3)
    assert out == m0.clone(3)
    result = assert_compiles_and_verifies(p, None)
    assert_recovers_statevector(p, result, random_state(np.random.default_rng(4)))


def test_series_clone_inside_other_module_cannot_be_recovered_first() -> None:
    p = Program()
    m0 = p.clone(p.data("psi"), copies=3)
    p.clone(m0.clone(2), copies=2)
    with pytest.raises(ConsumedQubitError, match="encrypted inside module m1") as e:
        p.recover(m0, copy=2)
    assert e.type is ConsumedQubitError


def test_interleaved_program() -> None:
    """Clone m0, then recover m0 while cloning m1 in the same phase."""
    p = Program()
    a, b = p.data("a"), p.data("b")
    m0 = p.clone(a, copies=2)
    p.recover(m0, copy=1)
    p.clone(b, copies=3)
    assert [ph for _, ph in phases_of(p)][2:] == [0, 1, 1]
    assert p.analysis().num_phases == 2
    result = assert_compiles_and_verifies(p, "grid:4x4")
    rng = np.random.default_rng(5)
    inputs = {"a": random_state(rng), "b": random_state(rng)}
    assert final_data_wires(p.analysis()) == {"a": "m0.S1"}  # b stays encrypted
    assert_recovers_statevector(p, result, inputs)
    assert_clones_secret(result, inputs)


def test_recovered_clone_can_be_cloned_again() -> None:
    p = Program()
    m0 = p.clone(p.data("psi"), copies=2)
    out = p.recover(m0, copy=2)
    m1 = p.clone(out, copies=2)
    p.recover(m1, copy=1)
    # the recovered data is delivered before it is cloned again: the new clone opens a phase
    assert [ph for _, ph in phases_of(p)] == [0, 0, 1, 2, 3]
    result = assert_compiles_and_verifies(p, None)
    assert_recovers_statevector(p, result, random_state(np.random.default_rng(6)))


# ---- phases -------------------------------------------------------------------------------------
def test_clone_and_recover_of_one_module_never_share_a_phase() -> None:
    p = single_clone(2)
    p.recover("m0", copy=1)
    ops = p.analysis().ops
    assert ops[1].phase < ops[2].phase


def test_explicit_store_starts_a_new_phase() -> None:
    p = Program()
    a, b = p.data("a"), p.data("b")
    p.clone(a, copies=2)
    p.store()
    p.clone(b, copies=2)
    assert [ph for _, ph in phases_of(p)] == [0, 0, 0, 1, 1]
    assert p.analysis().num_phases == 2
    result = assert_compiles_and_verifies(p, None)
    assert len(result.phases) == 2
    assert_clones_secret(result, {"a": random_state(np.random.default_rng(1)), "b": [0, 1]})


def test_store_without_work_adds_no_phase() -> None:
    p = Program()
    p.store()
    a = p.data("a")
    p.store()
    p.clone(a, copies=2)
    p.store()
    p.store()
    assert p.analysis().num_phases == 1
    assert len(qclone.compile(p).phases) == 1


# ---- canonical text -----------------------------------------------------------------------------
def test_text_form() -> None:
    p = Program()
    m = p.clone(p.data("psi"), copies=4, name="enc")
    p.store()
    p.recover(m, copy=3, mode="functional")
    text = p.to_text()
    assert text.splitlines() == [
        "qclone 1",
        "data psi",
        "clone psi copies=4 as enc",
        "store",
        "recover enc copy=3 mode=functional",
    ]
    assert Program.from_text(text) == p
    assert parse(text).to_text() == text


def test_parse_comments_blank_lines_and_default_mode() -> None:
    text = (
        "# a program\n\nqclone 1   # header\ndata psi\n"
        "  clone psi copies=2 as m0\nrecover m0 copy=2\n"
    )
    assert parse(text) == single_clone(2, recover=2)


def test_parse_discard() -> None:
    p = parse("qclone 1\ndata psi\nclone psi copies=3 as m0\ndiscard m0.S1\nrecover m0 copy=2")
    assert p.ops[2] == Discard("m0.S1")
    assert Program.from_text(p.to_text()) == p


K = sympy.Symbol("k", integer=True, positive=True)  # the parser's kind of symbol


@st.composite
def programs(draw: st.DrawFn) -> Program:
    """Random valid programs: each step tries an op that likely fits the program so far."""
    p = Program()
    p.data("q0")
    symbol = K
    kinds = ["data", "clone", "clone", "clone", "recover", "recover", "recover", "discard"]
    for _ in range(draw(st.integers(1, 10))):
        a = p.analysis()
        recovered = {o.op.module for o in a.ops if isinstance(o.op, Recover)}
        open_modules = [
            o.op
            for o in a.ops
            if isinstance(o.op, Clone)
            and o.op.module not in recovered
            and isinstance(o.op.copies, int)
        ]
        kind = draw(st.sampled_from([*kinds, "store"]))
        try:
            if kind == "data":
                p.data(f"q{len(a.data_wires)}")
            elif kind == "clone":
                copies = draw(st.one_of(st.integers(2, 4), st.integers(2, 4), st.just(symbol)))
                candidates = [w for w in a.wires if ".N" not in w] or list(a.wires)
                p.clone(draw(st.sampled_from(candidates)), copies=copies)
            elif kind == "recover" and open_modules:
                m = draw(st.sampled_from(open_modules))
                assert isinstance(m.copies, int)
                mode: RecoverMode = draw(st.sampled_from(["exact", "functional"]))
                p.recover(m.module, copy=draw(st.integers(1, m.copies)), mode=mode)
            elif kind == "discard":
                p.discard(draw(st.sampled_from(a.wires)))
            elif kind == "store":
                p.store()
        except QcloneError:
            pass  # not valid here: the builder refused it and kept the program
    return p


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_text_round_trip(p: Program) -> None:
    text = p.to_text()
    q = Program.from_text(text)
    assert q == p
    assert q.to_text() == text
    assert q.analysis().wires == p.analysis().wires
    assert [o.phase for o in q.analysis().ops] == [o.phase for o in p.analysis().ops]


@settings(max_examples=60, deadline=None)
@given(programs())
def test_phases_never_hold_clone_and_recover_of_one_module(p: Program) -> None:
    clone_phase: dict[str, int] = {}
    for info in p.analysis().ops:
        if isinstance(info.op, Clone):
            clone_phase[info.op.module] = info.phase
        elif isinstance(info.op, Recover):
            assert info.phase > clone_phase[info.op.module]


def test_builder_refusal_keeps_the_program() -> None:
    p = single_clone(2)
    before = p.to_text()
    with pytest.raises(CopyIndexError):
        p.recover("m0", copy=3)
    assert p.to_text() == before
    p.recover("m0", copy=2)  # still usable


# ---- symbolic copies ----------------------------------------------------------------------------
def test_symbolic_copies_build_and_cost_formula() -> None:
    n = sympy.Symbol("n")
    p = Program()
    m = p.clone(p.data("psi"), copies=n)
    assert m.copies == n and p.is_symbolic()
    assert p.analysis().wires == ("psi",)  # the module's wires wait for a concrete n
    assert sympy.simplify(logical_two_qubit_formula(p) - (3 * n + sympy.Mod(n, 2))) == 0
    assert logical_two_qubit_formula(p, "textbook") == 5 * n
    with pytest.raises(ValueError, match="symbolic"):
        logical_two_qubit_count(p)
    for value in (2, 3, 10):
        concrete = p.substitute(n=value)
        assert not concrete.is_symbolic()
        assert logical_two_qubit_count(concrete) == logical_two_qubit_formula(p).subs(n, value)
        assert qclone.compile(concrete).cost.logical_two_qubit == logical_two_qubit_count(concrete)


def test_symbolic_two_modules_formula() -> None:
    n, m = sympy.symbols("n m")
    p = Program()
    p.clone(p.data("a"), copies=n)
    p.clone(p.data("b"), copies=m)
    f = logical_two_qubit_formula(p)
    assert f.subs({n: 4, m: 5}) == 12 + 16


def test_compile_refuses_symbolic_copies() -> None:
    p = single_clone(sympy.Symbol("n"))
    with pytest.raises(SymbolicSizeError, match="substitute") as e:
        qclone.compile(p)
    assert e.type is SymbolicSizeError
    with pytest.raises(SymbolicSizeError):
        qclone.compile(p, "grid:4x4")


def test_recover_of_symbolic_module_refused() -> None:
    p = single_clone(sympy.Symbol("n"))
    with pytest.raises(SymbolicSizeError, match="concrete number"):
        p.recover("m0", copy=1)


def test_substitute_to_one_copy_refused() -> None:
    with pytest.raises(TooFewCopies, match="not encrypted"):
        single_clone(sympy.Symbol("n")).substitute(n=1)


def test_substitute_missing_value_refused() -> None:
    with pytest.raises(SymbolicSizeError, match="still symbolic"):
        single_clone(sympy.Symbol("n")).substitute(m=3)


def test_symbolic_text_round_trip_plain_symbol() -> None:
    p = single_clone(sympy.Symbol("n"))
    assert Program.from_text(p.to_text()) == p


def test_substitute_parsed_symbolic_program() -> None:
    p = Program.from_text("qclone 1\ndata psi\nclone psi copies=n as m0")
    assert p.substitute(n=3) == single_clone(3)


def test_symbolic_expression_text_round_trip() -> None:
    p = single_clone(2 * sympy.Symbol("n", integer=True, positive=True))
    assert Program.from_text(p.to_text()) == p


def test_sympy_integer_copies_compile() -> None:
    p = single_clone(sympy.Integer(3), recover=1)
    assert qclone.compile(p).cost.logical_two_qubit == logical_two_qubit_count(p)


def test_sympy_rational_copies_refused() -> None:
    with pytest.raises(InvalidProgram, match="integer"):
        single_clone(sympy.Rational(5, 2))


def test_automatic_module_name_avoids_used_names() -> None:
    p = Program()
    a, b = p.data("a"), p.data("b")
    p.clone(a, copies=2, name="m1")
    p.clone(b, copies=2)  # the automatic name m1 is taken


# ---- one test per bad input ---------------------------------------------------------------------
def test_bad_one_copy() -> None:
    with pytest.raises(TooFewCopies, match="not encrypted") as e:
        single_clone(1)
    assert e.type is TooFewCopies
    assert "copies >= 2" in str(e.value)


def test_bad_zero_copies() -> None:
    with pytest.raises(TooFewCopies, match="copies=0 is refused") as e:
        single_clone(0)
    assert "not encrypted" in str(e.value)


def test_bad_negative_copies() -> None:
    with pytest.raises(TooFewCopies, match="copies=-3 is refused") as e:
        single_clone(-3)
    assert "not encrypted" in str(e.value)


def test_bad_float_copies() -> None:
    with pytest.raises(InvalidProgram, match="copies must be an integer") as e:
        single_clone(2.5)
    assert e.type is InvalidProgram


def test_integral_float_copies_accepted() -> None:
    assert single_clone(3.0).ops[1] == Clone("psi", 3, "m0")


def test_bad_bool_copies() -> None:
    with pytest.raises(InvalidProgram, match="got bool"):
        single_clone(True)


def test_bad_copy_index_zero() -> None:
    with pytest.raises(
        CopyIndexError, match=r"copy=0 is out of range \(copies are numbered from 1"
    ) as e:
        single_clone(3, recover=0)
    assert e.type is CopyIndexError


def test_bad_copy_index_n_plus_one() -> None:
    with pytest.raises(CopyIndexError, match=r"has copies 1\.\.3; copy=4 is out of range"):
        single_clone(3, recover=4)


def test_bad_recovering_twice() -> None:
    p = single_clone(3, recover=1)
    with pytest.raises(KeyReuseError, match="one-time key of module m0 was already used") as e:
        p.recover("m0", copy=2)
    assert e.type is KeyReuseError
    assert "fidelity 1/2" in str(e.value)


def test_bad_recovery_after_key_discarded() -> None:
    p = single_clone(3)
    p.discard("m0.N2")
    with pytest.raises(MissingKeyError, match=r"key qubit\(s\) m0.N2 of module m0 were discarded"):
        p.recover("m0", copy=1)


def test_bad_cloning_the_same_data_twice() -> None:
    p = single_clone(2)
    with pytest.raises(ConsumedQubitError, match="'psi' cannot be used: it is the source qubit A"):
        p.clone("psi", copies=2)


def test_bad_using_a_spent_key() -> None:
    p = single_clone(3, recover=1)
    with pytest.raises(ConsumedQubitError, match="consumed by the recovery of module m0"):
        p.clone("m0.N2", copies=2)


def test_bad_using_a_destroyed_clone() -> None:
    p = single_clone(3, recover=1)
    with pytest.raises(ConsumedQubitError, match=r"'m0\.S2' cannot be used"):
        p.discard("m0.S2")


def test_bad_recovering_a_discarded_clone() -> None:
    p = single_clone(3)
    p.discard("m0.S1")
    with pytest.raises(ConsumedQubitError, match="clone 1 of module m0 is not available"):
        p.recover("m0", copy=1)


def test_bad_unknown_module() -> None:
    p = single_clone(3)
    with pytest.raises(UnknownNameError, match="no module named 'mX'") as e:
        p.recover("mX", copy=1)
    assert e.type is UnknownNameError


def test_bad_unknown_qubit() -> None:
    p = Program()
    p.data("psi")
    with pytest.raises(UnknownNameError, match="no qubit named 'phi'"):
        p.clone("phi", copies=2)


def test_bad_duplicate_data_name() -> None:
    p = Program()
    p.data("psi")
    with pytest.raises(InvalidProgram, match="'psi' is already used") as e:
        p.data("psi")
    assert e.type is InvalidProgram


def test_bad_duplicate_module_name() -> None:
    p = Program()
    p.clone(p.data("a"), copies=2, name="enc")
    with pytest.raises(InvalidProgram, match="'enc' is already used"):
        p.clone(p.data("b"), copies=2, name="enc")


def test_bad_module_named_like_a_qubit() -> None:
    p = Program()
    p.data("a")
    b = p.data("b")
    with pytest.raises(InvalidProgram, match="'a' is already used"):
        p.clone(b, copies=2, name="a")


def test_bad_qubit_name() -> None:
    with pytest.raises(InvalidProgram, match="not a valid qubit name"):
        Program().data("1psi")


def test_bad_recover_mode() -> None:
    with pytest.raises(InvalidProgram, match="unknown mode 'fast'"):
        single_clone(2, recover=1, mode="fast")  # type: ignore[arg-type]


def test_bad_text_missing_header() -> None:
    with pytest.raises(ParseError, match="must start with the line 'qclone 1'") as e:
        parse("data psi\nclone psi copies=2 as m0")
    assert e.type is ParseError


def test_bad_text_empty() -> None:
    with pytest.raises(ParseError, match="must start with"):
        parse("   \n# nothing\n")


def test_bad_text_unknown_line() -> None:
    with pytest.raises(ParseError, match="line 3: cannot read 'frobnicate psi'"):
        parse("qclone 1\ndata psi\nfrobnicate psi")


def test_bad_text_clone_without_as() -> None:
    with pytest.raises(ParseError, match="line 3: cannot read"):
        parse("qclone 1\ndata psi\nclone psi copies=2 to m0")


def test_bad_text_copy_value() -> None:
    with pytest.raises(ParseError, match=r"line 3: copies='2\.5' is not a whole number"):
        parse("qclone 1\ndata psi\nclone psi copies=2.5 as m0")


def test_bad_text_recover_copy_value() -> None:
    with pytest.raises(ParseError, match="line 4: copy='a' is not an integer"):
        parse("qclone 1\ndata psi\nclone psi copies=2 as m0\nrecover m0 copy=a")


def test_bad_text_missing_key() -> None:
    with pytest.raises(ParseError, match=r"line 4: expected 'copy=\.\.\.'"):
        parse("qclone 1\ndata psi\nclone psi copies=2 as m0\nrecover m0 2")


def test_bad_text_mode() -> None:
    with pytest.raises(ParseError, match="mode='x' must be exact or functional"):
        parse("qclone 1\ndata psi\nclone psi copies=2 as m0\nrecover m0 copy=1 mode=x")


def test_bad_text_program_keeps_error_type() -> None:
    """A well-formed line that breaks a rule raises the rule's error, naming the text."""
    with pytest.raises(TooFewCopies, match="in program text: 'clone psi copies=1 as m0'"):
        parse("qclone 1\ndata psi\nclone psi copies=1 as m0")
    with pytest.raises(KeyReuseError, match="in program text"):
        parse("qclone 1\ndata psi\nclone psi copies=2 as m0\nrecover m0 copy=1\nrecover m0 copy=2")


def test_ops_are_hashable_values() -> None:
    assert hash(Data("a")) == hash(Data("a"))
    assert Store().text() == "store"
    assert Recover("m0", 1).mode == "exact"
    assert hash(single_clone(2)) == hash(single_clone(2))


def _functional_output_cloned_in_same_phase(p: Program) -> bool:
    """A functional recover whose output is cloned in its own phase: qclone.verify wrongly
    rejects it (test_verify.py::test_functional_recover_then_clone_in_one_phase_verifies)."""
    out: dict[str, int] = {}
    for info in p.analysis().ops:
        if isinstance(info.op, Recover) and info.op.mode == "functional":
            out[info.wires[0]] = info.phase
        elif isinstance(info.op, Clone) and out.get(info.op.data) == info.phase:
            return True
    return False


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs(), st.sampled_from([None, "grid:5x5"]))
def test_random_programs_compile_and_verify(p: Program, target: str | None) -> None:
    concrete = p.substitute(k=2)
    if len(concrete.analysis().wires) > 25:
        return
    # a recovered value is cloned again only in a later phase
    assert not _functional_output_cloned_in_same_phase(concrete)
    result = assert_compiles_and_verifies(concrete, target)
    ends = final_data_wires(concrete.analysis())
    if ends and len(concrete.analysis().wires) <= 13:
        rng = np.random.default_rng(len(concrete.ops))
        inputs = {d: random_state(rng) for d in concrete.analysis().data_wires}
        assert_recovers_statevector(concrete, result, inputs)


def test_bad_recover_of_a_clone_destroyed_by_the_outer_recovery() -> None:
    p = Program()
    m0 = p.clone(p.data("q"), copies=3)
    m1 = p.clone(m0.clone(1), copies=2)
    p.recover(m0, copy=2)  # consumes m0's other clones, including the one inside m1
    with pytest.raises(ConsumedQubitError, match=r"encrypts m0\.S1, a clone that") as e:
        p.recover(m1, copy=1)
    assert "recover the inner module before the outer one" in str(e.value)
