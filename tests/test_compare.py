"""qclone.compare and `qclone compare`: tables, device limits, plot, bad input."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

import qclone
from qclone.cli import main
from qclone.comparison import compare, parse_range
from qclone.errors import QcloneError, UnknownTargetError


def test_rows_match_compile_and_mark_the_device_limit() -> None:
    c = compare(["grid:3x3", "line:13"], [2, 4, 6], recover=1)
    assert [(r.target, r.n) for r in c.rows] == [
        ("grid:3x3", 2), ("grid:3x3", 4), ("grid:3x3", 6),
        ("line:13", 2), ("line:13", 4), ("line:13", 6),
    ]  # fmt: skip
    row = c.rows[1]
    direct = qclone.compile(qclone.single_clone(4, recover=1), "grid:3x3").cost
    assert (row.two_qubit, row.depth, row.swaps) == (direct.two_qubit, direct.depth, direct.swaps)
    assert not c.rows[2].fits and "needs 13 qubits" in c.rows[2].note
    assert c.largest_fit("grid:3x3") == 4 and c.largest_fit("line:13") == 6
    assert "grid:3x3: out of qubits from n = 6" in c.to_table()


def test_formats_round_trip() -> None:
    c = compare(["line:9"], [2, 3, 4], recover=None)
    md = c.render("markdown")
    assert md.splitlines()[0].startswith("| target | n | 2Q")
    rows = list(csv.DictReader(io.StringIO(c.render("csv"))))
    assert [int(r["n"]) for r in rows] == [2, 3, 4]
    data = json.loads(c.render("json"))
    assert data["recover"] is None and len(data["rows"]) == 3
    assert data["rows"][0]["two_qubit"] == c.rows[0].two_qubit


def test_plot_is_written(tmp_path: Path) -> None:
    c = compare(["line:9", "grid:3x3"], [2, 3, 4])
    out = c.plot(tmp_path / "cost.png")
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is empty"),
        ("9:3", "inverted"),
        ("2:10:0", "step must be positive"),
        ("1:5", "n >= 2"),
        ("a:b", "not a range"),
    ],
)
def test_bad_ranges(text: str, message: str) -> None:
    with pytest.raises(QcloneError, match=message):
        parse_range(text)


def test_range_forms() -> None:
    assert parse_range("2:6:2") == [2, 4, 6]
    assert parse_range("3,7") == [3, 7]
    assert parse_range("5") == [5]


def test_bad_recover_and_target() -> None:
    with pytest.raises(QcloneError, match=r"recover index 5 is outside 1\.\.n for n = 3"):
        compare(["line:9"], [3, 4], recover=5)
    with pytest.raises(UnknownTargetError, match="no target family 'nowhere'"):
        compare(["nowhere:3"], [2])


def test_cli_compare(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    png, md = tmp_path / "c.png", tmp_path / "c.md"
    code = main(
        ["compare", "--clones", "2:4", "--targets", "line:9,grid:3x3", "--format", "markdown",
         "--out", str(md), "--plot", str(png)]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0 and png.exists() and md.read_text() == out
    assert "| grid:3x3 | 4 |" in out
    assert main(["compare", "--clones", "5:2"]) == 2
    assert "inverted" in capsys.readouterr().err
    assert main(["compare", "--targets", "mars:1", "--clones", "2"]) == 2
    assert main(["compare", "--recover", "x", "--clones", "2"]) == 2


def test_public_api_names_the_function() -> None:
    import importlib

    importlib.import_module("qclone.comparison")
    assert callable(qclone.compare) and qclone.compare is compare


def test_head_to_head_with_the_generic_compilers() -> None:
    pytest.importorskip("qiskit")
    pytest.importorskip("cirq_google")
    c = compare(["grid:5x5", "google:willow", "quantinuum:H1-1"], [4], against="generic")
    by_target = {r.target: r for r in c.rows}
    assert by_target["grid:5x5"].generic_compiler.startswith("qiskit")
    assert by_target["google:willow"].generic_compiler.startswith("cirq.RouteCQC")
    assert by_target["quantinuum:H1-1"].generic_compiler.startswith("tket")
    for r in c.rows:
        assert r.generic_two_qubit is not None and r.two_qubit is not None
        assert r.generic_two_qubit >= r.two_qubit  # qclone is never worse here
    assert "generic/qclone" in c.to_table()
    with pytest.raises(QcloneError, match="unknown baseline"):
        compare(["grid:5x5"], [4], against="best")


def test_targets_all_takes_every_family_including_new_plugins() -> None:
    from qclone.comparison import DEFAULT_TARGETS, all_targets
    from qclone.targets import get_target
    from qclone.targets.registry import register_target_family, unregister_target_family

    before = all_targets()
    assert set(DEFAULT_TARGETS) <= set(before)
    assert "ionq:aria-1" in before and "rigetti:ankaa-3" in before
    register_target_family(
        "toyvendor",
        lambda args: get_target(f"line:{args}"),
        summary="a toy family registered at run time",
        example="toyvendor:9",
    )
    try:
        assert "toyvendor:9" in all_targets()
    finally:
        unregister_target_family("toyvendor")
    assert "toyvendor:9" not in all_targets()
