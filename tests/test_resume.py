"""Long sweeps lose nothing: `qclone compare` checkpoints and resumes.

A sweep is started in a subprocess, killed partway (SIGKILL, and Ctrl-C as SIGINT), then
resumed; the resumed run must compute only the points the checkpoint lacks (counted from its
``--verbose`` lines and from the checkpoint itself) and print exactly what an uninterrupted
run prints.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import qclone
from qclone.comparison import CHECKPOINT_FORMAT, ComparisonRow, compare
from qclone.errors import CheckpointError

SOURCE = str(Path(qclone.__file__).resolve().parents[1])

TARGETS = ["line:61", "grid:6x6"]
CLONES = list(range(2, 31))
TOTAL = len(TARGETS) * len(CLONES)
ARGS = ["--clones", "2:30", "--targets", ",".join(TARGETS), "--format", "csv"]


@pytest.fixture(scope="module")
def uninterrupted() -> str:
    """What an uninterrupted sweep prints (the API renders the same text as the CLI)."""
    return compare(TARGETS, CLONES).render("csv")


def _env() -> dict[str, str]:
    path = os.pathsep.join(p for p in (SOURCE, os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": path}


def _start(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    def default_sigint() -> None:  # a background shell may have set SIGINT to ignored
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    return subprocess.Popen(
        [sys.executable, "-m", "qclone", "compare", *args],
        cwd=cwd,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=default_sigint,
    )


def _rows(path: Path) -> list[dict[str, object]]:
    """The complete row records of a checkpoint (header and a torn last line left out)."""
    data = path.read_bytes()
    lines = data[: data.rfind(b"\n") + 1].split(b"\n")[1:-1]
    return [json.loads(line) for line in lines]


def _interrupt(args: list[str], cwd: Path, checkpoint: Path, sig: int) -> tuple[int, str]:
    """Start a sweep, wait until a few points are in its checkpoint, send ``sig``."""
    proc = _start(args, cwd)
    deadline = time.monotonic() + 120
    while not (checkpoint.exists() and len(_rows(checkpoint)) >= 5):
        assert proc.poll() is None, f"the sweep ended early: {proc.communicate()[1]}"
        assert time.monotonic() < deadline, "the sweep wrote no checkpoint"
        time.sleep(0.01)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    return proc.returncode, err


def _resume(args: list[str], cwd: Path) -> tuple[str, list[str]]:
    run = subprocess.run(
        [sys.executable, "-m", "qclone", "compare", *args, "--resume", "--verbose"],
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return run.stdout, run.stderr.splitlines()


def test_sigkill_then_resume(tmp_path: Path, uninterrupted: str) -> None:
    checkpoint = tmp_path / "sweep.jsonl"
    args = [*ARGS, "--checkpoint", str(checkpoint)]
    code, _ = _interrupt(args, tmp_path, checkpoint, signal.SIGKILL)
    assert code == -signal.SIGKILL
    saved = {(r["target"], r["n"]) for r in _rows(checkpoint)}
    assert 5 <= len(saved) < TOTAL

    out, log = _resume(args, tmp_path)
    assert out == uninterrupted  # the same output as a sweep that never stopped
    computed = [line for line in log if line.startswith("computed ")]
    resumed = [line for line in log if line.startswith("resumed ")]
    assert len(resumed) == len(saved) and len(computed) == TOTAL - len(saved)
    for target, n in saved:  # no finished point was computed again
        assert f"computed {target} n={n}" not in computed
    rows = _rows(checkpoint)
    assert len(rows) == TOTAL == len({(r["target"], r["n"]) for r in rows})
    assert f"checkpoint {checkpoint}: {len(saved)} points resumed" in log[-1]


def test_ctrl_c_then_resume_with_the_automatic_checkpoint(
    tmp_path: Path, uninterrupted: str
) -> None:
    """With --out and no --checkpoint the checkpoint is OUT.checkpoint.jsonl; Ctrl-C leaves it
    (and no OUT), says how to resume, and a finished sweep removes it."""
    out = tmp_path / "table.csv"
    checkpoint = tmp_path / "table.csv.checkpoint.jsonl"
    args = [*ARGS, "--out", str(out)]
    code, err = _interrupt(args, tmp_path, checkpoint, signal.SIGINT)
    assert code == 130
    assert "qclone: interrupted" in err and "--resume" in err and "Traceback" not in err
    assert not out.exists()
    saved = len(_rows(checkpoint))

    again = subprocess.run(
        [sys.executable, "-m", "qclone", "compare", *args],
        cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert again.returncode == 2 and "resume it with --resume" in again.stderr

    stdout, log = _resume(args, tmp_path)
    assert stdout == uninterrupted and out.read_text() == uninterrupted
    assert sum(line.startswith("computed ") for line in log) == TOTAL - saved
    assert sorted(p.name for p in tmp_path.iterdir()) == ["table.csv"]


# --- the Python API ------------------------------------------------------------------------------
class Stop(Exception):
    pass


def _interrupted_api_sweep(path: Path, after: int) -> None:
    count = 0

    def stop(row: ComparisonRow, computed: bool) -> None:
        nonlocal count
        count += 1
        if count == after:
            raise Stop

    with pytest.raises(Stop):
        compare(["line:13", "grid:3x4"], [2, 3, 4, 5, 6], checkpoint=path, on_point=stop)


def test_api_resume_computes_only_the_missing_points(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    _interrupted_api_sweep(path, after=4)
    seen: list[tuple[str, int, bool]] = []
    result = compare(
        ["line:13", "grid:3x4"], [2, 3, 4, 5, 6], checkpoint=path, resume=True,
        on_point=lambda row, computed: seen.append((row.target, row.n, computed)),
    )  # fmt: skip
    assert [s[2] for s in seen] == [False] * 4 + [True] * 6
    assert result == compare(["line:13", "grid:3x4"], [2, 3, 4, 5, 6])
    header = json.loads(path.read_text().splitlines()[0])
    assert header["format"] == CHECKPOINT_FORMAT and header["recover"] == 1


def test_api_resume_extends_a_sweep(tmp_path: Path) -> None:
    """A resumed sweep may ask for more points: the finished ones are reused."""
    path = tmp_path / "c.jsonl"
    compare(["line:13"], [2, 3], checkpoint=path)
    flags: list[bool] = []
    result = compare(
        ["line:13", "ring:12"], [2, 3, 4], checkpoint=path, resume=True,
        on_point=lambda row, computed: flags.append(computed),
    )  # fmt: skip
    assert flags == [False, False, True, True, True, True]
    assert result == compare(["line:13", "ring:12"], [2, 3, 4])


def test_a_torn_last_line_is_dropped_and_recomputed(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    compare(["line:13"], [2, 3, 4], checkpoint=path)
    data = path.read_bytes()
    path.write_bytes(data[:-25])  # the process died while writing the last point
    flags: list[bool] = []
    result = compare(
        ["line:13"], [2, 3, 4], checkpoint=path, resume=True,
        on_point=lambda row, computed: flags.append(computed),
    )  # fmt: skip
    assert flags == [False, False, True]
    assert path.read_bytes() == data
    assert result == compare(["line:13"], [2, 3, 4])


def test_a_torn_header_starts_over(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_bytes(b'{"format": "qclone-com')
    result = compare(["line:13"], [2], checkpoint=path, resume=True)
    assert result.rows[0].fits and len(path.read_text().splitlines()) == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"hello\n", "damaged or not a qclone checkpoint \\(line 1"),
        (None, "line 3: .*bogus.*delete it"),  # a header and a row, then a bad row
        (b"\xff\xfe\n", "damaged or not a qclone checkpoint"),
    ],
)
def test_a_damaged_checkpoint_is_refused(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "c.jsonl"
    if content is None:
        compare(["line:13"], [2], checkpoint=path)
        content = path.read_bytes() + b'{"target": "line:13", "n": 3, "bogus": 1}\n'
    path.write_bytes(content)
    with pytest.raises(CheckpointError, match=message):
        compare(["line:13"], [2, 3], checkpoint=path, resume=True)
    assert path.read_bytes() == content  # left as it was


def test_a_checkpoint_of_another_sweep_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    compare(["line:13"], [2], checkpoint=path)
    with pytest.raises(CheckpointError, match="belongs to another sweep: it has mode='exact'"):
        compare(["line:13"], [2], mode="functional", checkpoint=path, resume=True)
    with pytest.raises(CheckpointError, match="it has recover=1, this sweep recover=None"):
        compare(["line:13"], [2], recover=None, checkpoint=path, resume=True)


def test_an_existing_checkpoint_needs_resume(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    compare(["line:13"], [2], checkpoint=path)
    before = path.read_bytes()
    with pytest.raises(CheckpointError, match=r"already exists .*resume it with --resume"):
        compare(["line:13"], [2], checkpoint=path)
    assert path.read_bytes() == before


def test_checkpoint_errors_at_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from qclone.cli import main

    sweep = ["compare", "--clones", "2", "--targets", "line:9"]
    (tmp_path / "d").mkdir()
    code = main([*sweep, "--checkpoint", str(tmp_path / "d")])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("qclone: error: --checkpoint") and "directory" in err
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n")
    code = main([*sweep, "--checkpoint", str(bad), "--resume"])
    err = capsys.readouterr().err
    assert code == 2 and len(err.splitlines()) == 1 and "damaged" in err
