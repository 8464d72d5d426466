"""Tests of the ``qclone`` command line (qclone.cli) and the file export (qclone.export)."""

from __future__ import annotations

import importlib
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import qclone
from qclone.cli import VERIFIED, main
from qclone.export import roles_path, write_qasm, write_text_atomic, write_texts_atomic
from qclone.ir import Program, single_clone
from qclone.verification import PhaseVerdict

GOOD_PROGRAM = """qclone 1
# two modules: clone psi, recover it, then clone phi
data psi
clone psi copies=3 as m0
recover m0 copy=2
data phi
clone phi copies=2 as m1
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(err: str, *needles: str) -> None:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("qclone: error: "), err
    assert "Traceback" not in err
    for needle in needles:
        assert needle.lower() in lines[0].lower(), (needle, err)


def two_qubit_ops(qasm: str) -> list[str]:
    ops = []
    for line in qasm.splitlines():
        name = line.split(" ", 1)[0]
        if name in ("cx", "cz", "swap"):
            ops.append(name)
    return ops


# --- compile: the happy paths ----------------------------------------------------------------
def test_compile_grid_writes_qasm_and_role_map(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "clone.qasm"
    code, stdout, err = run(
        capsys,
        "compile",
        "--clones",
        "4",
        "--recover",
        "2",
        "--target",
        "grid:5x5",
        "--out",
        str(out),
    )
    assert code == 0, err
    expected = qclone.compile(single_clone(4, recover=2), "grid:5x5", verify=False)
    assert expected.cost.summary() in stdout
    assert VERIFIED in stdout
    assert f"wrote {out}" in stdout and f"wrote {out}.roles.json" in stdout

    qasm = out.read_text()
    assert qasm == expected.to_qasm()
    lines = qasm.splitlines()
    assert lines[0] == "OPENQASM 2.0;"
    assert 'include "qelib1.inc";' in lines
    assert "qreg q[25];" in lines
    # one barrier, with the clone phase's gates before it and the recovery's after it
    barriers = [i for i, ln in enumerate(lines) if ln.startswith("barrier")]
    assert len(barriers) == 1
    before, after = lines[3 : barriers[0]], lines[barriers[0] + 1 :]
    clone_2q, recover_2q = (p.two_qubit for p in expected.cost.phases)
    assert len(two_qubit_ops("\n".join(before))) == clone_2q > 0
    assert len(two_qubit_ops("\n".join(after))) == recover_2q > 0

    roles = json.loads(roles_path(out).read_text())
    assert {"num_qubits", "initial", "final", "after_clone"} <= set(roles)
    assert roles["num_qubits"] == 25
    assert roles["phases"] == ["clone", "recover"]
    names = {"A"} | {f"S{k}" for k in range(1, 5)} | {f"N{k}" for k in range(1, 5)}
    for key in ("initial", "after_clone", "final"):
        placement = roles[key]
        assert set(placement) == names, key
        assert len(set(placement.values())) == len(names), key  # one qubit per role
        assert all(0 <= q < 25 for q in placement.values()), key
    assert roles == expected.role_map()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clone.qasm", "clone.qasm.roles.json"]


def test_qasm_parses_in_qiskit_with_the_reported_gate_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    qasm2 = pytest.importorskip("qiskit.qasm2")
    out, doc_path = tmp_path / "c.qasm", tmp_path / "c.json"
    common = ["--clones", "5", "--recover", "3", "--target", "grid:5x5", "--no-verify"]
    assert main(["compile", *common, "--out", str(out)]) == 0
    assert main(["compile", *common, "--format", "json", "--out", str(doc_path)]) == 0
    capsys.readouterr()
    doc = json.loads(doc_path.read_text())
    assert doc["qasm"] == out.read_text()
    assert doc["roles"] == json.loads(roles_path(out).read_text())

    circuit = qasm2.loads(out.read_text())
    assert circuit.num_qubits == doc["roles"]["num_qubits"] == 25
    ops = [inst.operation for inst in circuit.data]
    two_qubit = [op for op in ops if op.num_qubits == 2 and op.name != "barrier"]
    assert len(two_qubit) == doc["cost"]["two_qubit"]
    assert {op.name for op in two_qubit} <= {"cz", "cx"}
    assert sum(op.name == "barrier" for op in ops) == 1


def test_compile_without_target_is_logical_and_needs_no_barrier(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "c.qasm"
    code, stdout, _ = run(capsys, "compile", "--clones", "3", "--out", str(out))
    assert code == 0
    assert "logical (all-to-all)" in stdout
    assert "barrier" not in out.read_text()  # one phase: clone only
    roles = json.loads(roles_path(out).read_text())
    assert "after_clone" not in roles
    assert set(roles["initial"]) == {"A", "S1", "S2", "S3", "N1", "N2", "N3"}
    assert roles["num_qubits"] == 7


def test_json_flag_prints_the_cost_report(capsys: pytest.CaptureFixture[str]) -> None:
    code, stdout, err = run(
        capsys, "compile", "--clones", "3", "--recover", "1", "--mode", "functional", "--json"
    )
    assert code == 0
    report = json.loads(stdout)
    expected = qclone.compile(single_clone(3, recover=1, mode="functional"), verify=False)
    assert report == expected.cost.as_dict()
    assert VERIFIED in err  # status lines stay out of the JSON


def test_format_text_writes_the_canonical_program(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "p.qc"
    code, _, _ = run(
        capsys, "compile", "-n", "3", "-r", "2", "--format", "text", "-o", str(out), "--no-verify"
    )
    assert code == 0
    assert Program.from_text(out.read_text()) == single_clone(3, recover=2)
    assert [p.name for p in tmp_path.iterdir()] == ["p.qc"]


def test_program_file_and_clone_strategy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prog = tmp_path / "prog.qc"
    prog.write_text(GOOD_PROGRAM)
    out = tmp_path / "prog.qasm"
    code, stdout, err = run(
        capsys,
        "compile",
        "--program",
        str(prog),
        "--target",
        "line:20@cx",
        "--clone-strategy",
        "textbook",
        "--out",
        str(out),
    )
    assert code == 0, err
    expected = qclone.compile(
        Program.from_text(GOOD_PROGRAM), "line:20@cx", clone_strategy="textbook", verify=False
    )
    assert expected.cost.summary() in stdout
    assert out.read_text() == expected.to_qasm()
    roles = json.loads(roles_path(out).read_text())
    assert "m0.A" in roles["initial"] and "m1.S2" in roles["final"]


def test_no_verify_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    code, stdout, _ = run(capsys, "compile", "--clones", "2", "--no-verify")
    assert code == 0
    assert "not verified" in stdout and VERIFIED not in stdout


# --- compile: bad input ----------------------------------------------------------------------
MALFORMED = "qclone 1\ndata psi\nclone psi copies=3 as m0\nrecover m0 copy=x\n"
KEY_REUSE = "qclone 1\ndata psi\nclone psi copies=3 as m0\nrecover m0 copy=1\nrecover m0 copy=2\n"


@pytest.mark.parametrize(
    ("argv", "program", "needles"),
    [
        (["--clones", "1"], None, ["not encrypted"]),
        (["--clones", "0"], None, ["--clones", ">= 2"]),
        (["--clones", "-3"], None, ["--clones", ">= 2"]),
        (["--clones", "two"], None, ["--clones", "'two'"]),
        (["--clones", "4", "--recover", "0"], None, ["copy=0", "out of range"]),
        (["--clones", "4", "--recover", "5"], None, ["copy=5", "out of range"]),
        (["--clones", "4", "--target", "nosuch:3"], None, ["unknown target", "nosuch"]),
        (["--clones", "4", "--target", "grid:0x3"], None, ["grid"]),
        (["--clones", "20", "--target", "grid:3x3"], None, ["grid:3x3", "41 qubits"]),
        (["--clones", "3", "--mode", "exact"], None, ["--recover"]),
        (["--clones", "3", "--mode", "approximate"], None, ["--mode", "approximate"]),
        (["--clones", "3", "--program", "{prog}"], MALFORMED, ["not allowed"]),
        (["--program", "{prog}", "--recover", "1"], MALFORMED, ["--recover"]),
        (["--program", "{prog}"], MALFORMED, ["prog.qc", "line 4", "copy='x'"]),
        (["--program", "{prog}"], KEY_REUSE, ["prog.qc", "one-time key"]),
        (["--program", "{prog}"], "data psi\n", ["prog.qc", "qclone 1"]),
        (["--program", "{missing}"], None, ["not found", "missing.qc"]),
        ([], None, ["--clones", "--program", "required"]),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    program: str | None,
    needles: list[str],
) -> None:
    prog = tmp_path / "prog.qc"
    if program is not None:
        prog.write_text(program)
    argv = [a.format(prog=prog, missing=tmp_path / "missing.qc") for a in argv]
    out = tmp_path / "out.qasm"
    code, stdout, err = run(capsys, "compile", *argv, "--out", str(out))
    assert code == 2
    assert stdout == ""
    assert_one_line_error(err, *needles)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == (["prog.qc"] if program is not None else [])


def test_error_leaves_an_existing_output_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.qasm"
    out.write_text("old\n")
    code, _, err = run(
        capsys, "compile", "--clones", "9", "--target", "grid:2x2", "--out", str(out)
    )
    assert code == 2
    assert_one_line_error(err, "grid:2x2")
    assert out.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.qasm"]


def test_unwritable_output_is_reported_and_leaves_no_temp_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "sub").mkdir()
    for dest in (tmp_path / "sub", tmp_path / "nodir" / "x.qasm"):
        code, stdout, err = run(capsys, "compile", "--clones", "2", "--out", str(dest))
        assert code == 2
        assert stdout == ""
        assert_one_line_error(err, "cannot write", str(dest))
    assert [p.name for p in tmp_path.iterdir()] == ["sub"]
    assert list((tmp_path / "sub").iterdir()) == []


def test_verification_failure_exits_1_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(result: object, index: int, *, logical: bool = False) -> PhaseVerdict:
        return PhaseVerdict(index, index != 1, f"phase {index}: S1: X picks up a sign")

    # the module, not the function: `qclone.verify` names either, depending on import order
    verify_module = importlib.import_module("qclone.verification")
    monkeypatch.setattr(verify_module, "verify_phase", broken)
    out = tmp_path / "c.qasm"
    code, stdout, err = run(capsys, "compile", "-n", "3", "-r", "1", "--out", str(out))
    assert code == 1
    assert stdout == ""
    assert_one_line_error(err, "verification failed", "phase 1")
    assert list(tmp_path.iterdir()) == []

    prog = tmp_path / "p.qc"
    prog.write_text(single_clone(3, recover=1).to_text())
    code, stdout, _ = run(capsys, "verify", "--program", str(prog), "--target", "line:7")
    assert code == 1
    assert "FAILED  phase 1 (recover), decomposed" in stdout
    assert "FAILED  phase 1 (recover), routed on line:7" in stdout
    assert "ok      phase 0 (clone), decomposed" in stdout
    assert "2 of 4 checks" in stdout


# --- verify, targets, version ----------------------------------------------------------------
def test_verify_prints_every_phase(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    prog = tmp_path / "p.qc"
    prog.write_text(GOOD_PROGRAM)
    code, stdout, _ = run(capsys, "verify", "--program", str(prog), "--target", "grid:4x4")
    assert code == 0
    lines = stdout.splitlines()
    assert lines[-1] == VERIFIED
    verdicts = [ln for ln in lines if ln.startswith("ok ")]
    assert len(verdicts) == 2 * 2  # two phases (the second mixed), each decomposed and routed
    assert "ok      phase 1 (mixed), routed on grid:4x4" in lines

    code, stdout, _ = run(capsys, "verify", "--clones", "2", "--recover", "2")
    assert code == 0
    assert "ok      phase 1 (recover), logical" in stdout.splitlines()


def test_verify_bad_program_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "verify", "--program", str(tmp_path / "nope.qc"))
    assert code == 2
    assert_one_line_error(err, "not found")


def test_targets_lists_the_families(capsys: pytest.CaptureFixture[str]) -> None:
    code, stdout, _ = run(capsys, "targets")
    assert code == 0
    families = {ln.split()[0]: ln for ln in stdout.splitlines() if ln.strip()}
    assert "grid:10x10" in families["grid"]
    assert "heavy-hex:7" in families["heavy-hex"]
    assert {"line", "ring", "heavy-hex-rows", "all-to-all"} <= set(families)


def test_version_help_and_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, stdout, _ = run(capsys, "--version")
    assert (code, stdout.strip()) == (0, f"qclone {qclone.__version__}")
    code, stdout, _ = run(capsys, "compile", "--help")
    assert code == 0 and "--clone-strategy" in stdout and "--out" in stdout
    code, _, err = run(capsys)
    assert code == 2
    assert_one_line_error(err, "no command")
    code, _, err = run(capsys, "transpile")
    assert code == 2
    assert_one_line_error(err, "transpile")
    code, _, err = run(capsys, "compile", "--clones", "3", "--format", "json")
    assert code == 2
    assert_one_line_error(err, "--format", "--out")


# --- export ----------------------------------------------------------------------------------
def test_write_qasm_matches_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = qclone.compile(single_clone(3, recover=3), "ring:8", verify=False)
    qasm, roles = write_qasm(result, tmp_path / "lib.qasm")
    assert roles == tmp_path / "lib.qasm.roles.json"
    assert (
        main(
            [
                "compile",
                "-n",
                "3",
                "-r",
                "3",
                "-t",
                "ring:8",
                "-o",
                str(tmp_path / "cli.qasm"),
                "--no-verify",
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert qasm.read_text() == (tmp_path / "cli.qasm").read_text()
    assert roles.read_text() == (tmp_path / "cli.qasm.roles.json").read_text()


def test_atomic_writes_all_or_nothing(tmp_path: Path) -> None:
    good, bad = tmp_path / "a.txt", tmp_path / "missing" / "b.txt"
    with pytest.raises(FileNotFoundError) as info:
        write_texts_atomic({good: "a", bad: "b"})
    assert info.value.filename == str(bad)  # the destination, not a temporary file
    assert list(tmp_path.iterdir()) == []
    same: dict[str | os.PathLike[str], str] = {good: "a", str(good): "b"}
    with pytest.raises(ValueError, match="twice"):
        write_texts_atomic(same)
    assert write_text_atomic(good, "é\n") == good
    assert good.read_text(encoding="utf-8") == "é\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_atomic_write_keeps_the_mode_of_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "x.qasm"
    path.write_text("old")
    path.chmod(0o640)
    write_text_atomic(path, "new")
    assert path.read_text() == "new"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    fresh = write_text_atomic(tmp_path / "fresh.txt", "x")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~umask


# --- the entry point in a fresh interpreter --------------------------------------------------
HEAVY = ("cirq", "pytket", "qiskit", "stim", "networkx", "numpy")


def test_module_entry_point_and_light_import() -> None:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    helped = subprocess.run(
        [sys.executable, "-m", "qclone", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert helped.returncode == 0, helped.stderr
    assert helped.stdout.startswith("usage: qclone")
    assert "compile" in helped.stdout and "targets" in helped.stdout

    probe = (
        "import json, sys\n"
        "import qclone.cli\n"
        "qclone.cli.build_parser()\n"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
    )
    imported = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=True,
    )
    assert json.loads(imported.stdout) == []

    refused = subprocess.run(
        [sys.executable, "-m", "qclone", "compile", "--clones", "1"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert refused.returncode == 2
    assert_one_line_error(refused.stderr, "not encrypted")


def test_dominoes_strategy_from_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    from qclone.cli import main

    code = main(
        ["compile", "--clones", "6", "--recover", "2", "--target", "heavy-hex:5",
         "--clone-strategy", "dominoes"]
    )  # fmt: skip
    assert code == 0
    assert "dominoes:" in capsys.readouterr().out


def test_every_strategy_is_offered_on_the_command_line() -> None:
    """The CLI's literal list (kept so that ``--help`` does not import the compiler) names
    ``auto`` and every strategy the pipeline has, the ones the stored formulas describe."""
    from qclone.cli import CLONE_STRATEGIES
    from qclone.passes.pipeline import STRATEGIES

    assert CLONE_STRATEGIES[0] == "auto"
    assert sorted(CLONE_STRATEGIES[1:]) == sorted(STRATEGIES)


def test_keypath_strategy_from_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    """``keypath`` (what ``auto`` picks on heavy-hex) can be asked for by name, in ``compile``
    and in ``cost``, and the stored formula gives the compiled count."""
    code, out, _ = run(
        capsys, "compile", "-n", "6", "-r", "1", "-t", "heavy-hex:5",
        "--clone-strategy", "keypath", "--json",
    )  # fmt: skip
    assert code == 0
    doc = json.loads(out[out.index("{") : out.rindex("}") + 1])
    assert doc["strategy"].startswith("keypath:")
    code, out, _ = run(capsys, "cost", "-t", "heavy-hex:5", "-n", "6", "--strategy", "keypath",
                       "--json")  # fmt: skip
    assert code == 0
    values = json.loads(out)["values"]
    assert values[0]["two_qubit"] == doc["two_qubit"]
