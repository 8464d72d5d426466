"""Compare the cost of encrypted cloning across targets and sizes.

:func:`compare` compiles ``single_clone(n, recover=j)`` for every target and every n of a range
and returns a :class:`Comparison`: one :class:`ComparisonRow` per (target, n), with the cost
report's figures, or the reason the point could not be compiled (the device ran out of qubits).
It renders as a terminal table, Markdown, CSV or JSON, and plots two-qubit count and depth
against n per target (matplotlib, imported only when plotting).

Long sweeps lose nothing: with ``checkpoint=FILE`` every finished point is appended to a
JSON-lines file the moment it is computed (a header line with the sweep's settings, then one
row per line), and ``resume=True`` reads it back and computes only the missing points; the
result equals an uninterrupted sweep's. ``qclone compare`` keeps such a checkpoint next to
``--out`` (``<out>.checkpoint.jsonl``, removed when the sweep has finished) or at
``--checkpoint FILE``, and continues it with ``--resume``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qclone.errors import CheckpointError, InvalidSweep, MissingExtraError, TargetTooSmall
from qclone.ir.ops import RECOVER_MODES
from qclone.ir.program import MAX_COPIES, single_clone

if TYPE_CHECKING:
    from qclone.targets import Target

FORMATS = ("table", "markdown", "csv", "json")


@dataclass(frozen=True)
class ComparisonRow:
    """One (target, n) point: the compiled cost, or why there is none."""

    target: str
    n: int
    qubits_needed: int
    device_qubits: int
    two_qubit: int | None = None
    one_qubit: int | None = None
    depth: int | None = None
    two_qubit_depth: int | None = None
    swaps: int | None = None
    duration_ns: float | None = None
    success_probability: float | None = None
    generic_two_qubit: int | None = None
    generic_compiler: str = ""
    strategy: str = ""
    verified: bool = False
    note: str = ""

    @property
    def fits(self) -> bool:
        return self.two_qubit is not None


@dataclass(frozen=True)
class Comparison:
    """The rows of a comparison, in target order then n order."""

    rows: tuple[ComparisonRow, ...]
    recover: int | None
    mode: str
    targets: tuple[str, ...] = field(default=())
    against: str | None = None

    def for_target(self, target: str) -> list[ComparisonRow]:
        return [r for r in self.rows if r.target == target]

    def largest_fit(self, target: str) -> int | None:
        """The largest n that the target holds in this comparison (None if none fits)."""
        fits = [r.n for r in self.for_target(target) if r.fits]
        return max(fits) if fits else None

    # ---- rendering ----------------------------------------------------------------------
    _HEAD = ("target", "n", "2Q", "1Q", "depth", "2Q depth", "SWAPs", "time (us)", "success")

    def _head(self) -> list[str]:
        extra = ["generic 2Q", "generic/qclone"] if self.against else []
        return [*self._HEAD, *extra]

    def _cells(self, r: ComparisonRow) -> list[str]:
        if not r.fits:
            return [r.target, str(r.n), *["-"] * (len(self._head()) - 2)]
        extra = []
        if self.against:
            g = r.generic_two_qubit
            ratio = "n/a" if g is None or not r.two_qubit else f"{g / r.two_qubit:.2f}"
            extra = ["n/a" if g is None else str(g), ratio]
        return [
            r.target,
            str(r.n),
            str(r.two_qubit),
            str(r.one_qubit),
            str(r.depth),
            str(r.two_qubit_depth),
            str(r.swaps),
            "n/a" if r.duration_ns is None else f"{r.duration_ns / 1000:.2f}",
            "n/a" if r.success_probability is None else f"{r.success_probability:.3g}",
            *extra,
        ]

    def to_markdown(self) -> str:
        head = self._head()
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for r in self.rows:
            lines.append("| " + " | ".join(self._cells(r)) + " |")
        notes = self._notes()
        return "\n".join(lines + (["", *notes] if notes else [])) + "\n"

    def to_table(self) -> str:
        head = self._head()
        rows = [head] + [self._cells(r) for r in self.rows]
        widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
        text = [
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
            for row in rows
        ]
        return "\n".join(text + self._notes()) + "\n"

    def _notes(self) -> list[str]:
        from qclone.cost.model import MODEL

        notes = [f"time and success: {MODEL}; n/a where the target gives no figures"]
        if self.against:
            compilers = sorted({r.generic_compiler for r in self.rows if r.generic_compiler})
            notes.append(
                "generic: the textbook circuit (7n + 1 two-qubit gates with recovery) compiled "
                "with the phases kept apart by " + "; ".join(compilers) + " (counted, not verified)"
            )
        for t in self.targets:
            rows = self.for_target(t)
            missing = [r for r in rows if not r.fits]
            if missing:
                last = self.largest_fit(t)
                notes.append(
                    f"{t}: out of qubits from n = {missing[0].n} on "
                    f"({missing[0].device_qubits} qubits; the program needs 2n + 1)"
                    + (f"; largest n compiled: {last}" if last is not None else "")
                )
        return notes

    def to_csv(self) -> str:
        buf = io.StringIO()
        names = [f for f in ComparisonRow.__dataclass_fields__]
        w = csv.DictWriter(buf, fieldnames=names, lineterminator="\n")
        w.writeheader()
        for r in self.rows:
            w.writerow(asdict(r))
        return buf.getvalue()

    def to_json(self) -> str:
        return json.dumps(
            {"recover": self.recover, "mode": self.mode, "rows": [asdict(r) for r in self.rows]},
            indent=2,
        )

    def render(self, fmt: str) -> str:
        if fmt not in FORMATS:
            raise InvalidSweep(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
        return {
            "table": self.to_table,
            "markdown": self.to_markdown,
            "csv": self.to_csv,
            "json": self.to_json,
        }[fmt]()

    def plot(self, path: str | Path) -> Path:
        """Four panels against n (two-qubit gates, depth, estimated duration, estimated
        success), one line per target; the last point each device holds is marked. Targets
        without calibration figures have no line in the last two. Writes a PNG atomically.

        Raises:
            MissingExtraError: matplotlib is not installed.
            OSError: ``path`` cannot be written (nothing is left behind).
        """
        from qclone.export import write_bytes_atomic

        return write_bytes_atomic(path, self.plot_png())

    def plot_png(self) -> bytes:
        """The plot of :meth:`plot` as PNG bytes."""
        require_matplotlib()
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        keys = (
            ("two_qubit", "two-qubit gates", "Two-qubit gate count", 1.0),
            ("depth", "depth (layers)", "Circuit depth", 1.0),
            ("duration_ns", "duration (us)", "Estimated duration", 1e-3),
            ("success_probability", "success probability", "Estimated success", 1.0),
        )
        fig, grid = plt.subplots(2, 2, figsize=(11, 8))
        axes = list(grid.flat)
        for t in self.targets:
            rows = [r for r in self.for_target(t) if r.fits]
            for ax, (key, _, _, scale) in zip(axes, keys, strict=True):
                pts = [(r.n, getattr(r, key)) for r in rows if getattr(r, key) is not None]
                if not pts:
                    continue
                ns = [p[0] for p in pts]
                ys = [p[1] * scale for p in pts]
                (line,) = ax.plot(ns, ys, marker=".", label=t)
                if len(rows) < len(self.for_target(t)):
                    ax.plot([ns[-1]], [ys[-1]], marker="x", markersize=9, color=line.get_color())
        for ax, (_, ylabel, title, _) in zip(axes, keys, strict=True):
            ax.set_xlabel("clones n")
            ax.set_ylabel(ylabel)
            ax.set_title(title)
            ax.grid(True, alpha=0.3)
        axes[3].set_yscale("log")
        axes[0].legend(fontsize=8)
        what = (
            "no recovery"
            if self.recover is None
            else f"{self.mode} recovery of clone {self.recover}"
        )
        fig.suptitle(f"qclone: clone n copies + {what} (x: last n the device holds)")
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110)
        plt.close(fig)
        return buf.getvalue()


def require_matplotlib() -> None:
    """Raise :class:`MissingExtraError` unless matplotlib (needed for plots) can be imported."""
    import importlib.util

    if importlib.util.find_spec("matplotlib") is None:
        raise MissingExtraError(
            "plotting needs matplotlib, which is not installed: pip install matplotlib (or "
            "leave out --plot)"
        )


def parse_range(text: str) -> list[int]:
    """``"2:76"`` (both ends included), ``"2:76:2"`` (with a step), ``"10"`` or ``"2,5,9"``.

    Raises:
        InvalidSweep: not a range, empty, inverted, a non-positive step, n < 2, or n beyond
            :data:`~qclone.ir.program.MAX_COPIES` (checked before the list is built).
    """
    text = text.strip()
    if not text:
        raise InvalidSweep("clone range is empty; give START:END[:STEP] (e.g. 2:76) or a list")
    not_a_range = InvalidSweep(
        f"clone range {_short(text)} is not a range; use START:END[:STEP] (e.g. 2:76) or a "
        "comma-separated list (e.g. 2,5,10)"
    )
    parts = text.split(":") if ":" in text else [p for p in text.split(",") if p.strip()]
    if ":" in text and len(parts) not in (2, 3):
        raise not_a_range
    numbers: list[int] = []
    for part in parts:
        digits = part.strip()
        if not re.fullmatch(r"[+-]?[0-9]+", digits):
            raise not_a_range
        if len(digits.lstrip("+-")) > _MAX_RANGE_DIGITS:
            raise _too_large(text)
        numbers.append(int(digits))
    if ":" in text:
        lo, hi = numbers[0], numbers[1]
        step = numbers[2] if len(numbers) == 3 else 1
        if step <= 0:
            raise InvalidSweep(f"clone range {_short(text)}: the step must be positive")
        if hi < lo:
            raise InvalidSweep(
                f"clone range {_short(text)} is inverted (end {hi} < start {lo}); write it "
                f"as {hi}:{lo}"
            )
        if hi > MAX_COPIES:
            raise _too_large(text)
        values = list(range(lo, hi + 1, step))
    else:
        values = numbers
    if not values:
        raise InvalidSweep(
            f"clone range {_short(text)} is empty; give at least one number of clones"
        )
    if min(values) < 2:
        raise InvalidSweep(
            f"clone range {_short(text)} includes n = {min(values)}: encrypted cloning needs "
            "n >= 2 (a single clone is not encrypted)"
        )
    if max(values) > MAX_COPIES:
        raise _too_large(text)
    return values


_MAX_RANGE_DIGITS = 12


def _short(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _too_large(text: str) -> InvalidSweep:
    return InvalidSweep(
        f"clone range {_short(text)} goes beyond n = {MAX_COPIES}, the most copies qclone "
        f"compiles; end the range at {MAX_COPIES} or below"
    )


# --- checkpoints -----------------------------------------------------------------------------
#: Version of the checkpoint layout (the first line of every checkpoint names it).
CHECKPOINT_FORMAT = "qclone-compare-checkpoint/1"
#: The sweep settings a checkpoint records; a resumed sweep must have the same.
_SETTINGS = ("qclone", "recover", "mode", "verify", "against")

PointCallback = Callable[[ComparisonRow, bool], None]
"""Called after every point with its row and ``True`` if it was computed now, ``False`` if
it was read from the checkpoint."""


def _settings(recover: int | None, mode: str, verify: bool, against: str | None) -> dict[str, Any]:
    from qclone import __version__

    return {
        "qclone": __version__,
        "recover": recover,
        "mode": mode,
        "verify": verify,
        "against": against,
    }


def _read_checkpoint(
    path: Path, settings: dict[str, Any]
) -> tuple[dict[tuple[str, int], ComparisonRow], int]:
    """The rows a checkpoint holds, keyed by (target name, n), and the length of its complete
    part in bytes (a last line cut short by a kill is left out)."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise CheckpointError(f"cannot read checkpoint {path}: {e.strerror or e}") from None
    end = data.rfind(b"\n") + 1  # everything after the last newline is a torn write
    lines = data[:end].split(b"\n")[:-1]
    if not lines:
        return {}, 0
    damaged = f"checkpoint {path} is damaged or not a qclone checkpoint"
    fix = "delete it (or choose another --checkpoint file) to start the sweep over"
    try:
        header = json.loads(lines[0])
    except (UnicodeDecodeError, json.JSONDecodeError):
        header = None
    if not isinstance(header, dict) or header.get("format") != CHECKPOINT_FORMAT:
        raise CheckpointError(f"{damaged} (line 1 is not a {CHECKPOINT_FORMAT} header); {fix}")
    for key in _SETTINGS:
        if header.get(key) != settings[key]:
            raise CheckpointError(
                f"checkpoint {path} belongs to another sweep: it has {key}="
                f"{header.get(key)!r}, this sweep {key}={settings[key]!r}; run with the same "
                f"settings to resume it, or {fix}"
            )
    rows: dict[tuple[str, int], ComparisonRow] = {}
    for number, line in enumerate(lines[1:], start=2):
        try:
            record = json.loads(line)
            row = ComparisonRow(**record)
            if not isinstance(row.target, str) or type(row.n) is not int:
                raise TypeError("target and n must be text and a whole number")
        except (UnicodeDecodeError, json.JSONDecodeError, TypeError) as e:
            raise CheckpointError(f"{damaged} (line {number}: {e}); {fix}") from None
        rows[(row.target, row.n)] = row
    return rows, end


class _Checkpoint:
    """An append-only JSON-lines file: a header line, then one line per finished point.

    Each line is written whole and flushed, so a killed process leaves every finished point
    on disk (at worst a last line cut short, which the next run drops)."""

    def __init__(self, path: Path, settings: dict[str, Any], resume: bool) -> None:
        self.path = path
        self.rows: dict[tuple[str, int], ComparisonRow] = {}
        if path.is_dir():
            raise CheckpointError(f"checkpoint {path} is a directory; give a file name")
        exists = path.exists() and path.stat().st_size > 0
        if exists and not resume:
            raise CheckpointError(
                f"checkpoint {path} already exists (an interrupted sweep?): resume it with "
                "--resume (resume=True), or delete it to start over"
            )
        keep = 0
        if exists:
            self.rows, keep = _read_checkpoint(path, settings)
        try:
            self.file = open(path, "r+b" if exists else "wb")  # noqa: SIM115 - closed in close()
            self.file.truncate(keep)
            self.file.seek(keep)
            if keep == 0:
                self._write({"format": CHECKPOINT_FORMAT, **settings})
        except OSError as e:
            raise CheckpointError(
                f"cannot write checkpoint {path}: {e.strerror or e}; choose a writable place "
                "with --checkpoint FILE"
            ) from None

    def _write(self, record: dict[str, Any]) -> None:
        self.file.write(json.dumps(record, sort_keys=True).encode("utf-8") + b"\n")
        self.file.flush()

    def add(self, row: ComparisonRow) -> None:
        self._write(asdict(row))

    def close(self) -> None:
        self.file.close()


def compare(
    targets: Sequence[str | Target],
    clones: Iterable[int],
    *,
    recover: int | None = 1,
    mode: str = "exact",
    verify: bool = False,
    against: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    checkpoint: str | os.PathLike[str] | None = None,
    resume: bool = False,
    on_point: PointCallback | None = None,
) -> Comparison:
    """Compile ``single_clone(n, recover=recover, mode=mode)`` on every target for every n.

    A point that needs more qubits than the target has becomes a row with a note (found
    before anything is compiled), so the table shows where each device runs out; any other
    error propagates. With ``against="generic"`` every point also gets the two-qubit count of
    the generic compiler of the target's ecosystem on the textbook circuit
    (:mod:`qclone.baselines`).

    With ``checkpoint=FILE`` every finished point is appended to FILE (JSON lines) as soon as
    it is computed, so an interrupted sweep (Ctrl-C, a killed process) loses nothing;
    ``resume=True`` reads FILE and computes only the points it lacks. The result is the same
    as an uninterrupted sweep's. Without ``resume``, an existing non-empty FILE is refused.
    ``progress(done, total)`` follows the sweep; ``on_point(row, computed)`` sees every row.

    Raises:
        InvalidSweep: bad targets, clones, recover index or mode.
        CheckpointError: the checkpoint exists without ``resume``, is damaged, or belongs to a
            sweep with other settings.

    Examples:
        >>> c = compare(["line:9", "grid:3x3"], [2, 4, 5])
        >>> [(r.target, r.n, r.two_qubit is not None) for r in c.rows][-2:]
        [('grid:3x3', 4, True), ('grid:3x3', 5, False)]
    """
    from qclone.targets import get_target

    ns = _check_sweep(targets, clones, recover, mode, verify, against)
    resolved = [get_target(t) for t in targets]
    settings = _settings(recover, mode, verify, against)
    store = None if checkpoint is None else _Checkpoint(Path(checkpoint), settings, resume)
    total = len(resolved) * len(ns)
    rows: list[ComparisonRow] = []
    try:
        done = 0
        for tgt in resolved:
            for n in ns:
                row = None if store is None else store.rows.get((tgt.name, n))
                computed = row is None
                if row is None:
                    row = _point(tgt, n, recover, mode, verify, against)
                    if store is not None:
                        store.add(row)
                rows.append(row)
                done += 1
                if on_point is not None:
                    on_point(row, computed)
                if progress is not None:
                    progress(done, total)
    finally:
        if store is not None:
            store.close()
    return Comparison(tuple(rows), recover, mode, tuple(t.name for t in resolved), against)


def _check_sweep(
    targets: Sequence[str | Target],
    clones: Iterable[int],
    recover: int | None,
    mode: str,
    verify: bool,
    against: str | None,
) -> list[int]:
    """The sorted distinct n of a valid sweep; :class:`InvalidSweep` naming the fix otherwise."""
    if isinstance(targets, str):
        raise InvalidSweep(
            f"targets must be a list of target specs, got the string {_short(targets)}; "
            f"write [{targets!r}]"
        )
    if not targets:
        raise InvalidSweep("no targets to compare; give at least one spec, e.g. ['grid:5x5']")
    if isinstance(clones, str):
        raise InvalidSweep(
            f"clones must be numbers, got the string {_short(clones)}; use "
            f"parse_range({clones!r}) or a list such as [2, 5, 10]"
        )
    values = list(clones)
    bad = [n for n in values if isinstance(n, bool) or not isinstance(n, int)]
    if bad:
        raise InvalidSweep(
            f"clones must be whole numbers, got {bad[0]!r} ({type(bad[0]).__name__}); e.g. "
            "[2, 5, 10] or parse_range('2:76')"
        )
    if not values:
        raise InvalidSweep("no numbers of clones to compare; give at least one n >= 2")
    ns = sorted(set(values))
    if ns[0] < 2 or ns[-1] > MAX_COPIES:
        worst = ns[0] if ns[0] < 2 else ns[-1]
        raise InvalidSweep(
            f"n = {worst} is outside 2..{MAX_COPIES}: encrypted cloning needs n >= 2 clones, "
            f"and qclone compiles at most {MAX_COPIES}"
        )
    if mode not in RECOVER_MODES:
        raise InvalidSweep(f"unknown recovery mode {mode!r}; use 'exact' or 'functional'")
    if not isinstance(verify, bool):
        raise InvalidSweep(f"verify must be True or False, got {verify!r}")
    if against not in (None, "generic"):
        raise InvalidSweep(f"unknown baseline {against!r}; use against='generic' or None")
    if recover is not None and (isinstance(recover, bool) or not isinstance(recover, int)):
        raise InvalidSweep(f"recover must be a clone index (int) or None, got {recover!r}")
    if recover is not None and any(not 1 <= recover <= n for n in ns):
        bad_n = next(n for n in ns if not 1 <= recover <= n)
        raise InvalidSweep(
            f"recover index {recover} is outside 1..n for n = {bad_n}; choose a recover index "
            f"between 1 and the smallest n ({ns[0]}), or --recover none"
        )
    return ns


def _point(
    tgt: Target, n: int, recover: int | None, mode: str, verify: bool, against: str | None
) -> ComparisonRow:
    """Compile one (target, n) point into its row."""
    from qclone.cost.model import estimate
    from qclone.passes.pipeline import compile as qcompile

    need = 2 * n + 1
    base = ComparisonRow(tgt.name, n, need, tgt.num_qubits)
    try:
        if need > tgt.num_qubits:
            tgt.require(need, "the program")  # raises the compiler's own TargetTooSmall
        program = single_clone(n, recover=recover, mode=mode)  # type: ignore[arg-type]
        result = qcompile(program, tgt, verify=verify)
    except TargetTooSmall as exc:
        return _replace(base, note=str(exc))
    c = result.cost
    est = estimate(result)
    generic: tuple[int | None, str] = (None, "")
    if against == "generic":
        from qclone.baselines import generic_two_qubit

        generic = generic_two_qubit(program, tgt)
    return _replace(
        base,
        two_qubit=c.two_qubit,
        one_qubit=c.one_qubit,
        depth=c.depth,
        two_qubit_depth=c.two_qubit_depth,
        swaps=c.swaps,
        duration_ns=est.duration_ns,
        success_probability=est.success_probability,
        generic_two_qubit=generic[0],
        generic_compiler=generic[1],
        strategy=result.phases[0].strategy.split(":")[0],
        verified=verify,
    )


def _replace(row: ComparisonRow, **changes: object) -> ComparisonRow:
    from dataclasses import replace

    return replace(row, **changes)  # type: ignore[arg-type]


def stderr_progress(done: int, total: int) -> None:
    """A one-line progress bar on stderr (only when stderr is a terminal)."""
    if not sys.stderr.isatty():
        return
    width = 30
    filled = int(width * done / max(total, 1))
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


DEFAULT_TARGETS = (
    "google:willow",
    "quantinuum:H2-1",
    "quantinuum:Helios",
    "heavy-hex-rows:8x16",
    "grid:13x13",
)


def all_targets() -> tuple[str, ...]:
    """``--targets all``: the default targets plus the example device of every registered
    target family, plug-ins from the ``qclone.targets`` entry points included, so a new family
    joins the comparison without a change here. Families whose plug-in cannot load (a missing
    extra) are left out."""
    from qclone.targets.registry import list_target_families

    out = list(DEFAULT_TARGETS)
    for _prefix, _summary, example in list_target_families():
        if example and example not in out:
            out.append(example)
    return tuple(out)
