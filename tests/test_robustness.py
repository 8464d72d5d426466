"""The robustness catalogue: bad inputs, each with its error class and message.

Every row of ``docs/robustness.md`` is a case here (``test_catalogue_is_documented`` keeps the
two in step). Each case asserts the exact error class and a piece of the message that names
the problem or the fix; cases that reach the command line also assert exit code 2, one line
``qclone: error: ...`` on stderr, no traceback, and no file left behind.

``python3 tests/test_robustness.py`` prints the table of the catalogue, with the messages the
current code gives, in the Markdown form of ``docs/robustness.md``.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
import sympy

import qclone
from qclone.cli import CliError, main
from qclone.comparison import Comparison, compare, parse_range
from qclone.errors import (
    CompilationError,
    ConsumedQubitError,
    CopyIndexError,
    DisconnectedTarget,
    InvalidGraph,
    InvalidProgram,
    InvalidSweep,
    InvalidTargetData,
    KeyReuseError,
    MissingKeyError,
    ParseError,
    ProgramTooLarge,
    QcloneError,
    SymbolicSizeError,
    TargetError,
    TargetTooSmall,
    TooFewCopies,
    UnknownNameError,
    UnknownTargetError,
)
from qclone.ir import Program, parse, single_clone
from qclone.targets import Target, from_graph, get_target
from qclone.targets.base import check_figures

DOC = Path(__file__).resolve().parents[1] / "docs" / "robustness.md"

HEAD = "qclone 1\ndata psi\n"
CLONED = HEAD + "clone psi copies=2 as m0\n"


@dataclass(frozen=True)
class Case:
    """One row of the catalogue: what is fed in, the error and a piece of its message."""

    id: str
    input: str  # for the docs
    error: type[Exception]
    message: str  # a regular expression the message must match (search)


# --- 1. program text: parse() and `qclone compile --program FILE` --------------------------------
@dataclass(frozen=True)
class TextCase(Case):
    text: str = ""


TEXT_CASES = [
    TextCase("empty", "empty file", ParseError, "program text is empty", ""),
    TextCase("comments-only", "only blank lines and comments", ParseError,
             "is empty.*must start with the line 'qclone 1'", "\n  # nothing here\n\n"),
    TextCase("no-header", "no `qclone 1` header", ParseError,
             "must start with the line 'qclone 1'; line 1 reads 'data psi'", "data psi\n"),
    TextCase("wrong-version", "header `qclone 2`", ParseError,
             "'qclone 2' is not a header this qclone reads", "qclone 2\ndata psi\n"),
    TextCase("binary-nul", "binary data (NUL bytes)", ParseError,
             "holds a NUL byte at line 1: it looks like binary data", "\x00\x01\x02qclone 1"),
    TextCase("control-character", "a control character in a line", ParseError,
             r"control character '\\x07' at line 2", "qclone 1\ndata psi\x07\n"),
    TextCase("unknown-op", "unknown op `teleport psi`", ParseError,
             "line 3: cannot read 'teleport psi': unknown op 'teleport'; a line is one of",
             HEAD + "teleport psi\n"),
    TextCase("upper-case-op", "op in upper case `DATA psi`", ParseError,
             "ops are lower case: 'data'", "qclone 1\nDATA psi\n"),
    TextCase("data-no-name", "`data` without a name", ParseError,
             "cannot read 'data': expected 'data NAME'", "qclone 1\ndata\n"),
    TextCase("data-two-names", "`data a b`", ParseError,
             "expected 'data NAME' \\(one name\\)", "qclone 1\ndata a b\n"),
    TextCase("clone-no-copies", "`clone psi as m0` (missing field)", ParseError,
             "missing or misplaced copies=N", HEAD + "clone psi as m0\n"),
    TextCase("clone-no-as", "`clone psi copies=2 m0`", ParseError,
             "missing or misplaced 'as MODULE'", HEAD + "clone psi copies=2 m0\n"),
    TextCase("clone-extra-word", "`clone psi copies=2 as m0 extra`", ParseError,
             "expected 'clone NAME copies=N as MODULE'", HEAD + "clone psi copies=2 as m0 x\n"),
    TextCase("clone-wrong-key", "`clone psi count=2 as m0`", ParseError,
             "expected 'copies=...' in 'clone psi count=2 as m0'; write 'clone NAME",
             HEAD + "clone psi count=2 as m0\n"),
    TextCase("recover-no-copy", "`recover m0` (missing field)", ParseError,
             "cannot read 'recover m0': expected 'recover MODULE copy=J",
             CLONED + "recover m0\n"),
    TextCase("recover-wrong-key", "`recover m0 2`", ParseError,
             "line 4: expected 'copy=...'", CLONED + "recover m0 2\n"),
    TextCase("store-argument", "`store now`", ParseError,
             "expected 'store' alone on its line", HEAD + "store now\n"),
    TextCase("discard-no-qubit", "`discard` without a qubit", ParseError,
             "expected 'discard QUBIT'", HEAD + "discard\n"),
    TextCase("copies-float", "`copies=2.5`", ParseError,
             "copies='2.5' is not a whole number", HEAD + "clone psi copies=2.5 as m0\n"),
    TextCase("copies-exponent", "`copies=1e3`", ParseError,
             "copies='1e3' is not a whole number.*unexpected '1e3'",
             HEAD + "clone psi copies=1e3 as m0\n"),
    TextCase("copies-hex", "`copies=0x10`", ParseError,
             "unexpected '0x10'", HEAD + "clone psi copies=0x10 as m0\n"),
    TextCase("copies-empty", "`copies=` (empty)", ParseError,
             "copies='' is not a whole number", HEAD + "clone psi copies= as m0\n"),
    TextCase("copies-unicode-digit", "`copies=３` (full-width digit)", ParseError,
             "copies='３' is not a whole number", HEAD + "clone psi copies=３ as m0\n"),
    TextCase("copies-constant-formula", "`copies=2*3` (no symbol)", ParseError,
             "copies='2\\*3' is not a whole number", HEAD + "clone psi copies=2*3 as m0\n"),
    TextCase("formula-cut-short", "`copies=n**`", ParseError,
             "it ends too early", HEAD + "clone psi copies=n** as m0\n"),
    TextCase("formula-power-tower", "`copies=n*0+2**2**2**2**2**2`", ParseError,
             "an exponent must be a whole number 0..64",
             HEAD + "clone psi copies=n*0+2**2**2**2**2**2 as m0\n"),
    TextCase("formula-divide-by-zero", "`copies=n/0`", ParseError,
             "it divides by zero", HEAD + "clone psi copies=n/0 as m0\n"),
    TextCase("formula-unclosed", "`copies=(n + 1`", ParseError,
             "a '\\(' is not closed", HEAD + "clone psi copies=(n + 1 as m0\n"),
    TextCase("formula-too-long", "a 301-character formula", ParseError,
             "longer than 200 characters", HEAD + f"clone psi copies={'n+' * 150}n as m0\n"),
    TextCase("copies-one", "`copies=1`", TooFewCopies,
             "a single clone is not encrypted.*use copies >= 2",
             HEAD + "clone psi copies=1 as m0\n"),
    TextCase("copies-zero", "`copies=0`", TooFewCopies,
             "copies=0 is refused", HEAD + "clone psi copies=0 as m0\n"),
    TextCase("copies-negative", "`copies=-3`", TooFewCopies,
             "copies=-3 is refused.*use copies >= 2", HEAD + "clone psi copies=-3 as m0\n"),
    TextCase("copies-huge", "`copies=1000000000000`", ProgramTooLarge,
             "at most 100000 copies.*use copies <= 100000",
             HEAD + "clone psi copies=1000000000000 as m0\n"),
    TextCase("copies-5000-digits", "`copies=` with 5000 digits", ProgramTooLarge,
             "5000 digits\\) is more than qclone compiles",
             HEAD + f"clone psi copies={'9' * 5000} as m0\n"),
    TextCase("copy-not-integer", "`copy=x`", ParseError,
             "copy='x' is not an integer.*e.g. copy=1", CLONED + "recover m0 copy=x\n"),
    TextCase("copy-negative", "`copy=-1` (negative index)", CopyIndexError,
             "copy=-1 is out of range \\(copies are numbered from 1\\)",
             CLONED + "recover m0 copy=-1\n"),
    TextCase("copy-zero", "`copy=0`", CopyIndexError,
             "module m0 has copies 1..2; copy=0 is out of range", CLONED + "recover m0 copy=0\n"),
    TextCase("copy-past-end", "`copy=3` of 2 copies", CopyIndexError,
             "copy=3 is out of range", CLONED + "recover m0 copy=3\n"),
    TextCase("copy-20-digits", "`copy=` with 20 digits", ParseError,
             "is not an integer", CLONED + f"recover m0 copy={'9' * 20}\n"),
    TextCase("mode-unknown", "`mode=fast`", ParseError,
             "mode='fast' must be exact or functional", CLONED + "recover m0 copy=1 mode=fast\n"),
    TextCase("duplicate-data", "`data psi` twice", InvalidProgram,
             "the name 'psi' is already used", HEAD + "data psi\n"),
    TextCase("duplicate-module", "two clones `as m`", InvalidProgram,
             "already used; give each clone its own module name",
             HEAD + "data phi\nclone psi copies=2 as m\nclone phi copies=2 as m\n"),
    TextCase("bad-qubit-name", "`data 1psi`", InvalidProgram,
             "'1psi' is not a valid qubit name; use letters, digits and '_'",
             "qclone 1\ndata 1psi\n"),
    TextCase("unicode-qubit-name", "`data ψ`", InvalidProgram,
             "'ψ' is not a valid qubit name", "qclone 1\ndata ψ\n"),
    TextCase("bad-module-name", "`clone psi copies=2 as m.0`", InvalidProgram,
             "'m.0' is not a valid module name", HEAD + "clone psi copies=2 as m.0\n"),
    TextCase("unknown-qubit", "clone of an undeclared qubit", UnknownNameError,
             "no qubit named 'phi'; declare it with data phi first",
             HEAD + "clone phi copies=2 as m0\n"),
    TextCase("unknown-module", "recover of an unknown module", UnknownNameError,
             "no module named 'zz'", HEAD + "recover zz copy=1\n"),
    TextCase("source-after-clone", "the data qubit used after its clone", ConsumedQubitError,
             "it is the source qubit A of module m0.*use a live qubit instead",
             CLONED + "discard psi\n"),
    TextCase("clone-after-recovery", "a clone used after another was recovered",
             ConsumedQubitError, "it was consumed by the recovery of module m0",
             CLONED + "recover m0 copy=1\nclone m0.S2 copies=2 as m1\n"),
    TextCase("key-reuse", "a second recovery with the same key", KeyReuseError,
             "one-time key of module m0 was already used.*Recover each module once",
             CLONED + "recover m0 copy=1\nrecover m0 copy=2\n"),
    TextCase("key-discarded", "recovery after a key qubit was discarded", MissingKeyError,
             "m0.N1 of module m0 were discarded.*Keep every key qubit",
             CLONED + "discard m0.N1\nrecover m0 copy=1\n"),
    TextCase("inner-after-outer", "an inner (series) module recovered after the outer one",
             ConsumedQubitError, "recover the inner module before the outer one",
             HEAD + "clone psi copies=3 as m0\nclone m0.S1 copies=2 as m1\n"
             "recover m0 copy=2\nrecover m1 copy=1\n"),
    TextCase("recover-symbolic", "recovery of a module with `copies=n`", SymbolicSizeError,
             "substitute n first", HEAD + "clone psi copies=n as m0\nrecover m0 copy=1\n"),
]  # fmt: skip


@pytest.mark.parametrize("case", TEXT_CASES, ids=lambda c: c.id)
def test_program_text(case: TextCase) -> None:
    with pytest.raises(case.error) as e:
        parse(case.text)
    assert e.type is case.error
    assert re.search(case.message, str(e.value)), str(e.value)


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_cli_error(code: int, out: str, err: str, message: str) -> None:
    """Exit code 2, nothing on stdout, one line 'qclone: error: ...' matching ``message``."""
    assert code == 2, (code, err)
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("qclone: error: "), err
    assert "Traceback" not in err
    assert re.search(message, lines[0]), lines[0]


@pytest.mark.parametrize("case", TEXT_CASES, ids=lambda c: c.id)
def test_program_text_cli(
    case: TextCase, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prog = tmp_path / "prog.qc"
    prog.write_text(case.text, encoding="utf-8")
    out = tmp_path / "out.qasm"
    code, stdout, err = run_cli(
        capsys, "compile", "--program", str(prog), "--target", "line:60", "--out", str(out)
    )
    assert_cli_error(code, stdout, err, "prog.qc: ")
    assert re.search(case.message, " ".join(err.split())), err
    assert [p.name for p in tmp_path.iterdir()] == ["prog.qc"]  # nothing written


def test_byte_order_mark_and_crlf_are_accepted() -> None:
    """A UTF-8 byte-order mark (Windows editors) and CRLF line ends are not errors."""
    p = parse("\ufeffqclone 1\r\ndata psi\r\nclone psi copies=2 as m0\r\n")
    assert p == single_clone(2)


def test_error_names_the_line_of_a_rule_break() -> None:
    with pytest.raises(KeyReuseError, match=r"\(line 7\)$"):
        parse(CLONED + "recover m0 copy=1\n\n# a comment\nrecover m0 copy=2\n")


def test_formulas_read_back_what_to_text_writes() -> None:
    """Formulas with spaces (sympy's own printing) read back: copies=n + 1 etc."""
    n = sympy.Symbol("n")
    for copies in (n + 1, 2 * n - 1, n * (n + 1) / 2, n**2, -n + 7):
        p = single_clone(copies)
        assert Program.from_text(p.to_text()) == p, p.to_text()


# --- 2. the Python API: programs, targets, target data, sweeps -----------------------------------
@dataclass(frozen=True)
class ApiCase(Case):
    call: Callable[[], object] = lambda: None


def _two_big_modules() -> Program:
    p = Program()
    p.clone(p.data("a"), copies=60_000)
    p.clone(p.data("b"), copies=60_000)
    return p


def _graph(edges: list[tuple[int, int]], cls: type[nx.Graph] = nx.Graph) -> nx.Graph:
    g = cls()
    g.add_edges_from(edges)
    return g


PATH8 = [(i, i + 1) for i in range(8)]
SMALL = single_clone(3, recover=1)

HELIOS = {
    "machine": "Helios",
    "num_qubits": 98,
    "connectivity": "all-to-all",
    "errors": {"p1": 2.5e-05, "p2": 7.9e-04, "spam": 3.3e-04},
    "durations": None,
    "source": "arXiv:2511.05465",
}


_DROP: Any = object()  # a key to leave out


def _machine_data(text: str) -> object:
    from qclone.targets.quantinuum import parse_machine_data

    return parse_machine_data(text, "helios.json")


def _helios(**changes: Any) -> Callable[[], object]:
    """The shipped Helios data with some keys changed (or dropped), through its loader."""
    data = {k: v for k, v in {**HELIOS, **changes}.items() if v is not _DROP}
    return lambda: _machine_data(json.dumps(data))


def _helios_errors(**changes: Any) -> Callable[[], object]:
    return _helios(errors={**HELIOS["errors"], **changes})


def _rainbow(**changes: Any) -> Callable[[], object]:
    def call() -> object:
        return dataclasses.replace(get_target("google:rainbow"), **changes)

    return call


API_CASES = [
    ApiCase("api-copies-huge", "`single_clone(10**12)`", ProgramTooLarge,
            "copies=1000000000000 is more than qclone compiles", lambda: single_clone(10**12)),
    ApiCase("api-copies-huge-float", "`single_clone(1e20)`", ProgramTooLarge,
            "at most 100000 copies", lambda: single_clone(1e20)),
    ApiCase("api-program-too-many-qubits", "two clones of 60,000 copies", ProgramTooLarge,
            "would hold 240002 qubits.*split the work", _two_big_modules),
    ApiCase("api-copies-float", "`single_clone(2.5)`", InvalidProgram,
            "copies must be an integer, got 2.5", lambda: single_clone(2.5)),  # type: ignore[arg-type]
    ApiCase("api-copies-nan", "`single_clone(float('nan'))`", InvalidProgram,
            "copies must be an integer, got nan", lambda: single_clone(math.nan)),  # type: ignore[arg-type]
    ApiCase("api-copies-str", "`single_clone('3')`", InvalidProgram,
            "copies must be an integer \\(or a sympy symbol\\), got str",
            lambda: single_clone("3")),  # type: ignore[arg-type]
    ApiCase("api-copies-bool", "`single_clone(True)`", InvalidProgram,
            "copies must be an integer, got bool", lambda: single_clone(True)),
    ApiCase("api-copies-rational", "`single_clone(sympy.Rational(5, 2))`", InvalidProgram,
            "not an integer; use a whole number >= 2",
            lambda: single_clone(sympy.Rational(5, 2))),
    ApiCase("api-name-not-text", "`Program().data(3)`", InvalidProgram,
            "name must be a name \\(a str\\), got int 3", lambda: Program().data(3)),  # type: ignore[arg-type]
    ApiCase("api-not-an-op", "`Program([1])`", InvalidProgram,
            "unknown op 1; a program is made of qclone.ir ops", lambda: Program([1])),  # type: ignore[list-item]
    ApiCase("api-recover-negative", "`single_clone(3, recover=-1)`", CopyIndexError,
            "copy=-1 is out of range", lambda: single_clone(3, recover=-1)),
    ApiCase("api-recover-float", "`single_clone(3, recover=1.5)`", CopyIndexError,
            "copy must be an integer, got 1.5", lambda: single_clone(3, recover=1.5)),  # type: ignore[arg-type]
    ApiCase("api-mode-unknown", "`mode='fast'`", InvalidProgram,
            "unknown mode 'fast'; use 'exact' or 'functional'",
            lambda: single_clone(2, recover=1, mode="fast")),  # type: ignore[arg-type]
    ApiCase("api-substitute-float", "`substitute(n=2.5)`", InvalidProgram,
            "sizes must be whole numbers, got float",
            lambda: single_clone(sympy.Symbol("n")).substitute(n=2.5)),  # type: ignore[arg-type]
    ApiCase("api-substitute-huge", "`substitute(n=10**12)`", ProgramTooLarge,
            "more than qclone compiles",
            lambda: single_clone(sympy.Symbol("n")).substitute(n=10**12)),
    ApiCase("api-compile-symbolic", "compile a program with `copies=n`", SymbolicSizeError,
            "substitute", lambda: qclone.compile(single_clone(sympy.Symbol("n")))),
    # graphs and targets
    ApiCase("graph-self-loop", "a graph with a self-loop", InvalidGraph,
            "node 3 has a self-loop; remove it with",
            lambda: qclone.compile(SMALL, _graph([*PATH8, (3, 3)]))),
    ApiCase("graph-directed", "a directed graph (edges one way only)", InvalidGraph,
            "is directed; qclone needs an undirected coupling graph: pass g.to_undirected",
            lambda: qclone.compile(SMALL, _graph(PATH8, nx.DiGraph))),
    ApiCase("graph-directed-symmetric", "a directed graph with both directions", InvalidGraph,
            "is directed",
            lambda: qclone.compile(SMALL, _graph(PATH8 + [(b, a) for a, b in PATH8], nx.DiGraph))),
    ApiCase("graph-duplicate-edges", "a multigraph (duplicate edges)", InvalidGraph,
            "multigraph; qclone needs a simple graph: pass networkx.Graph",
            lambda: qclone.compile(SMALL, _graph([*PATH8, (0, 1)], nx.MultiGraph))),
    ApiCase("graph-empty", "a graph without nodes", InvalidGraph,
            "has no nodes", lambda: from_graph(nx.Graph())),
    ApiCase("graph-disconnected", "a disconnected graph too small in each part",
            DisconnectedTarget, "needs 7 connected qubits but the largest connected component",
            lambda: qclone.compile(SMALL, _graph([(0, 1), (1, 2), (3, 4), (4, 5), (5, 6)]))),
    ApiCase("graph-not-a-graph", "`get_target(5)`", TargetError,
            "a target must be a spec string such as 'grid:10x10', a networkx.Graph",
            lambda: get_target(5)),  # type: ignore[arg-type]
    ApiCase("target-directed-graph", "a `Target` built on a directed graph", TargetError,
            "graph is directed; coupling graphs are undirected",
            lambda: Target("t", nx.DiGraph([(0, 1)]), "cz", ("h",), False, "", "")),
    ApiCase("target-self-loop", "a `Target` whose graph has a self-loop", TargetError,
            "qubit 0 has a self-loop",
            lambda: Target("t", nx.Graph([(0, 0), (0, 1)]), "cz", ("h",), False, "", "")),
    ApiCase("target-too-small", "20 clones on `grid:3x3`", TargetTooSmall,
            "needs 41 qubits but target grid:3x3 has 9; choose a larger target",
            lambda: qclone.compile(single_clone(20), "grid:3x3")),
    ApiCase("target-unknown-family", "`mars:1`", UnknownTargetError,
            "no target family 'mars'. Known families", lambda: get_target("mars:1")),
    ApiCase("target-bad-size", "`grid:0x3`", TargetError,
            "grid rows must be an integer >= 1, got 0", lambda: get_target("grid:0x3")),
    ApiCase("target-negative-size", "`grid:-3x4`", TargetError,
            "needs rows and columns as two positive integers", lambda: get_target("grid:-3x4")),
    ApiCase("target-huge", "`grid:100000x100000`", TargetError,
            "would have 10000000000 qubits, more than qclone builds",
            lambda: get_target("grid:100000x100000")),
    ApiCase("target-5000-digits", "`line:` with 5000 digits", TargetError,
            "with 5000 digits; qclone builds targets of at most 200000 qubits",
            lambda: get_target("line:" + "9" * 5000)),
    ApiCase("target-unicode-digit", "`line:５` (full-width digit)", TargetError,
            "must be a positive integer, got '５'", lambda: get_target("line:５")),
    ApiCase("target-bad-gate", "`line:5@iswap`", TargetError,
            "unknown native gate '@iswap'", lambda: get_target("line:5@iswap")),
    ApiCase("compile-unknown-strategy", "`clone_strategy='magic'`", CompilationError,
            "unknown clone strategy 'magic'",
            lambda: qclone.compile(SMALL, "line:9", clone_strategy="magic")),
    ApiCase("compile-tree-on-line", "`clone_strategy='tree'` on a line", CompilationError,
            "needs an all-to-all target",
            lambda: qclone.compile(SMALL, "line:9", clone_strategy="tree")),
    # target data files (qclone/targets/data/helios.json through its loader)
    ApiCase("data-not-json", "a data file that is not JSON", InvalidTargetData,
            "helios.json is not valid JSON \\(Expecting", lambda: _machine_data("{")),
    ApiCase("data-not-object", "a JSON list instead of an object", InvalidTargetData,
            "must hold a JSON object", lambda: _machine_data("[1]")),
    ApiCase("data-missing-key", "no `errors` key", InvalidTargetData,
            "lacks the key\\(s\\) errors", _helios(errors=_DROP)),
    ApiCase("data-qubits-text", "`num_qubits: \"98\"`", InvalidTargetData,
            "num_qubits must be a whole number 1..1024, got '98'", _helios(num_qubits="98")),
    ApiCase("data-qubits-negative", "`num_qubits: -5`", InvalidTargetData,
            "num_qubits must be a whole number", _helios(num_qubits=-5)),
    ApiCase("data-connectivity", "`connectivity: \"grid\"`", InvalidTargetData,
            "connectivity must be 'all-to-all'", _helios(connectivity="grid")),
    ApiCase("data-errors-incomplete", "`errors` without `p1`", InvalidTargetData,
            "errors must be an object with p1, p2 and spam",
            _helios(errors={"p2": 1e-3, "spam": 1e-3})),
    ApiCase("data-error-negative", "`p2: -0.1`", InvalidTargetData,
            "errors.p2 = -0.1 is not an error rate, a probability in \\[0, 1\\]",
            _helios_errors(p2=-0.1)),
    ApiCase("data-error-above-one", "`spam: 1.5`", InvalidTargetData,
            "errors.spam = 1.5 is not an error rate", _helios_errors(spam=1.5)),
    ApiCase("data-error-text", "`p1: \"0.001\"`", InvalidTargetData,
            "errors.p1 = '0.001' is not an error rate", _helios_errors(p1="0.001")),
    ApiCase("data-durations-type", "`durations: [1, 2]`", InvalidTargetData,
            "durations must be null or an object", _helios(durations=[1, 2])),
    ApiCase("data-duration-negative", "a negative gate time", InvalidTargetData,
            "durations\\['2q'\\] = -1e-06 is not a duration, a finite number >= 0",
            _helios(durations={"2q": -1e-6})),
    ApiCase("calibration-negative-t1", "a vendor target with a negative T1", InvalidTargetData,
            "t1_us\\[0\\] = -5.0 is not a coherence time", _rainbow(t1_us={0: -5.0})),
    ApiCase("calibration-error-above-one", "a coupling error of 1.5", InvalidTargetData,
            "two_qubit_error\\[\\(0, 1\\)\\] = 1.5 is not an error rate",
            _rainbow(two_qubit_error={(0, 1): 1.5})),
    ApiCase("calibration-nan-duration", "a gate time that is NaN", InvalidTargetData,
            "gate_durations_ns\\['CZ'\\] = nan is not a duration",
            _rainbow(gate_durations_ns={"CZ": math.nan})),
    # sweeps (qclone.compare)
    ApiCase("sweep-range-huge", "`parse_range('2:1000000000000')`", InvalidSweep,
            "goes beyond n = 100000, the most copies qclone compiles",
            lambda: parse_range("2:1000000000000")),
    ApiCase("sweep-range-digits", "a range bound with 5000 digits", InvalidSweep,
            "goes beyond n = 100000", lambda: parse_range("2," + "9" * 5000)),
    ApiCase("sweep-range-float", "`parse_range('2:7.5')`", InvalidSweep,
            "is not a range; use START:END", lambda: parse_range("2:7.5")),
    ApiCase("sweep-targets-string", "`compare('line:9', [2])`", InvalidSweep,
            "targets must be a list of target specs, got the string 'line:9'",
            lambda: compare("line:9", [2])),
    ApiCase("sweep-no-targets", "`compare([], [2])`", InvalidSweep,
            "no targets to compare", lambda: compare([], [2])),
    ApiCase("sweep-clones-not-int", "`compare(['line:9'], ['a'])`", InvalidSweep,
            "clones must be whole numbers, got 'a'",
            lambda: compare(["line:9"], ["a"])),  # type: ignore[list-item]
    ApiCase("sweep-clones-huge", "`compare(['line:9'], [10**12])`", InvalidSweep,
            "n = 1000000000000 is outside 2..100000", lambda: compare(["line:9"], [10**12])),
    ApiCase("sweep-mode", "`compare(..., mode='fast')`", InvalidSweep,
            "unknown recovery mode 'fast'", lambda: compare(["line:9"], [2], mode="fast")),
    ApiCase("sweep-format", "`Comparison.render('xml')`", InvalidSweep,
            "unknown format 'xml'; use one of table",
            lambda: Comparison((), 1, "exact").render("xml")),
]  # fmt: skip


@pytest.mark.parametrize("case", API_CASES, ids=lambda c: c.id)
def test_api(case: ApiCase) -> None:
    with pytest.raises(case.error) as e:
        case.call()
    assert e.type is case.error
    assert re.search(case.message, str(e.value)), str(e.value)


def test_check_figures_accepts_the_edges_of_each_range() -> None:
    check_figures("t", "e", {0: 0.0, 1: 1.0}, "error")
    check_figures("t", "d", {"CZ": 0.0}, "time")  # a declared 0 ns (virtual) gate
    check_figures("t", "t1", None, "coherence")  # not given: fine
    with pytest.raises(InvalidTargetData, match="T1, T2"):
        check_figures("t", "t1", 0.0, "coherence")
    with pytest.raises(ValueError, match="unknown figure kind"):
        check_figures("t", "x", 1.0, "speed")


def test_the_shipped_helios_file_passes_its_checks() -> None:
    from importlib import resources

    from qclone.targets.quantinuum import parse_machine_data

    text = resources.files("qclone.targets").joinpath("data/helios.json").read_text("utf-8")
    data = parse_machine_data(text, "helios.json")
    assert data["num_qubits"] == 98 and data["durations"] is None


def test_target_without_gate_times_reports_na_not_an_error() -> None:
    """A duration asked of a target that gives no gate times is reported missing (n/a), with
    the reason, never counted as zero and never an exception."""
    from qclone.cost.model import Calibration, estimate

    result = qclone.compile(single_clone(3, recover=1), "line:9")
    est = estimate(result)
    assert est.duration_ns is None and est.success_probability is None
    assert "carries no error or time figures" in est.not_costed[0]
    errors_only = Calibration(one_qubit_error=1e-3, two_qubit_error=1e-2)
    est = estimate(result, errors_only)
    assert est.duration_ns is None and est.success_probability is not None
    assert any("gate times" in why for why in est.not_costed)
    table = compare(["line:9"], [3]).to_table()
    assert "n/a" in table.splitlines()[1]


# --- 3. the command line: flags, files and destinations ------------------------------------------
@dataclass(frozen=True)
class CliCase(Case):
    argv: tuple[str, ...] = ()
    files: tuple[tuple[str, bytes | None], ...] = ()  # name -> bytes (None: a directory)


CLI_CASES = [
    CliCase("cli-clones-huge", "`compile --clones 1000000000000`", ProgramTooLarge,
            "at most 100000 copies", ("compile", "--clones", "1000000000000", "--out", "o.qasm")),
    CliCase("cli-clones-float", "`compile --clones 2.5`", CliError,
            "expected the number of clones as an integer >= 2, got '2.5'",
            ("compile", "--clones", "2.5", "--out", "o.qasm")),
    CliCase("cli-recover-negative", "`compile --clones 3 --recover -1`", CopyIndexError,
            "copy=-1 is out of range",
            ("compile", "--clones", "3", "--recover", "-1", "--out", "o.qasm")),
    CliCase("cli-target-too-small", "`compile --clones 20 --target grid:3x3`", TargetTooSmall,
            "needs 41 qubits",
            ("compile", "--clones", "20", "--target", "grid:3x3", "--out", "o.qasm")),
    CliCase("cli-target-graph-spec", "`--target graph:foo`", UnknownTargetError,
            "names a target built from a networkx graph",
            ("compile", "--clones", "3", "--target", "graph:foo", "--out", "o.qasm")),
    CliCase("cli-program-not-utf8", "a binary program file (a PNG)", CliError,
            "is not UTF-8 text", ("compile", "--program", "p.qc", "--out", "o.qasm"),
            (("p.qc", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe"),)),
    CliCase("cli-program-directory", "`--program` names a directory", CliError,
            "is a directory, not a program file",
            ("compile", "--program", "d", "--out", "o.qasm"), (("d", None),)),
    CliCase("cli-program-missing", "`--program` names a missing file", CliError,
            "program file not found", ("compile", "--program", "nope.qc", "--out", "o.qasm")),
    CliCase("cli-out-directory", "`compile --out` names a directory", CliError,
            "cannot write", ("compile", "--clones", "3", "--out", "d"), (("d", None),)),
    CliCase("cli-compare-range-huge", "`compare --clones 2:1000000000000`", InvalidSweep,
            "goes beyond n = 100000",
            ("compare", "--clones", "2:1000000000000", "--targets", "line:9")),
    CliCase("cli-compare-recover", "`compare --recover x`", CliError,
            "--recover 'x' is not a clone index",
            ("compare", "--clones", "2", "--targets", "line:9", "--recover", "x")),
    CliCase("cli-compare-out-no-dir", "`compare --out` in a missing directory", CliError,
            "--out nodir/t.md: the directory .* does not exist; create it first",
            ("compare", "--clones", "2", "--targets", "line:9", "--out", "nodir/t.md")),
    CliCase("cli-compare-plot-directory", "`compare --plot` names a directory", CliError,
            "--plot d is a directory; give a file name",
            ("compare", "--clones", "2", "--targets", "line:9", "--plot", "d"), (("d", None),)),
    CliCase("cli-compare-resume-alone", "`compare --resume` without a checkpoint", CliError,
            "--resume continues a sweep from its checkpoint: give --checkpoint FILE",
            ("compare", "--clones", "2", "--targets", "line:9", "--resume")),
]  # fmt: skip


@pytest.mark.parametrize("case", CLI_CASES, ids=lambda c: c.id)
def test_cli(
    case: CliCase,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    for name, data in case.files:
        if data is None:
            (tmp_path / name).mkdir()
        else:
            (tmp_path / name).write_bytes(data)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    code, out, err = run_cli(capsys, *case.argv)
    assert_cli_error(code, out, err, case.message)
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # nothing written


def test_cli_errors_match_the_api_classes() -> None:
    """The CLI rows name the error class the API raises for the same input."""
    with pytest.raises(ProgramTooLarge):
        single_clone(1_000_000_000_000)
    with pytest.raises(InvalidSweep):
        parse_range("2:1000000000000")


# --- wrong kinds of argument and binary stdin (found while building the catalogue) ----------------
def test_compile_of_program_text_is_a_qclone_error() -> None:
    with pytest.raises(QcloneError, match="Program"):
        qclone.compile("qclone 1\ndata psi\nclone psi copies=2 as m0")  # type: ignore[arg-type]


def test_binary_program_on_stdin_is_one_line_exit_2() -> None:
    import os
    import subprocess
    import sys

    source = str(Path(qclone.__file__).resolve().parents[1])
    path = os.pathsep.join(p for p in (source, os.environ.get("PYTHONPATH")) if p)
    run = subprocess.run(
        [sys.executable, "-m", "qclone", "compile", "--program", "-"],
        input=b"\x89PNG\r\n\xff\xfe",
        capture_output=True,
        env={**os.environ, "PYTHONPATH": path, "PYTHONIOENCODING": "utf-8:strict"},
        timeout=120,
        check=False,
    )
    err = run.stderr.decode("utf-8", "replace")
    assert run.returncode == 2 and "Traceback" not in err, err
    assert err.startswith("qclone: error: ") and len(err.splitlines()) == 1


def test_verify_of_a_wrong_object_is_a_qclone_error() -> None:
    with pytest.raises(QcloneError, match="CompileResult"):
        qclone.verify("not a result")  # type: ignore[arg-type]


# --- the catalogue and its document --------------------------------------------------------------
ALL_CASES: list[Case] = [*TEXT_CASES, *API_CASES, *CLI_CASES]

_TESTS = {TextCase: "test_program_text", ApiCase: "test_api", CliCase: "test_cli"}


def test_case_ids_are_unique() -> None:
    ids = [c.id for c in ALL_CASES]
    assert len(ids) == len(set(ids))


def test_catalogue_is_documented() -> None:
    """Every case has its row in docs/robustness.md (regenerate it with
    ``python3 tests/test_robustness.py``)."""
    doc = DOC.read_text(encoding="utf-8")
    missing = [c.id for c in ALL_CASES if f"[{c.id}]" not in doc]
    assert not missing, f"cases without a row in {DOC.name}: {missing}"


def _message_of(case: Case) -> str:
    try:
        if isinstance(case, TextCase):
            parse(case.text)
        elif isinstance(case, ApiCase):
            case.call()
        else:
            raise AssertionError("CLI rows take the API message")
    except QcloneError as e:
        return str(e)
    raise AssertionError(f"{case.id}: no error")


_SECTIONS = (
    ("Program text (`parse`, `Program.from_text`, `qclone compile --program FILE`)", TEXT_CASES),
    ("Python API: programs, graphs and targets, target data, sweeps", API_CASES),
    ("Command line (exit code 2, one line `qclone: error: ...`, nothing written)", CLI_CASES),
)


def markdown_table() -> str:
    """The catalogue as the Markdown tables of docs/robustness.md."""
    lines: list[str] = []
    for title, cases in _SECTIONS:
        lines += ["", f"### {title}", "", "| input | error class | message (excerpt) | test |"]
        lines.append("|---|---|---|---|")
        lines += [_row(case) for case in cases]
    return "\n".join(lines[1:])


def _row(case: Case) -> str:
    """One table row: input, error class, message excerpt, tests."""
    tests = [f"{_TESTS[type(case)]}[{case.id}]"]
    if isinstance(case, CliCase):
        excerpt = case.message.replace("\\", "").replace(".*", " ... ")
        name = case.error.__name__ + " (exit 2)"
    else:
        excerpt = _message_of(case)
        name = case.error.__name__
        if isinstance(case, TextCase):
            tests.append(f"test_program_text_cli[{case.id}]")
    excerpt = " ".join(excerpt.split())
    if len(excerpt) > 150:
        excerpt = excerpt[:147] + "..."
    excerpt = excerpt.replace("|", "\\|").replace("`", "'")
    shown = ", ".join(f"`{t}`" for t in tests)
    return f"| {case.input} | `{name}` | {excerpt} | {shown} |"


if __name__ == "__main__":
    print(markdown_table())
