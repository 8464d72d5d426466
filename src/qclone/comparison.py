"""Compare the cost of encrypted cloning across targets and sizes.

:func:`compare` compiles ``single_clone(n, recover=j)`` for every target and every n of a range
and returns a :class:`Comparison`: one :class:`ComparisonRow` per (target, n), with the cost
report's figures, or the reason the point could not be compiled (the device ran out of qubits).
It renders as a terminal table, Markdown, CSV or JSON, and plots two-qubit count and depth
against n per target (matplotlib, imported only when plotting).
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from qclone.errors import QcloneError, TargetTooSmall
from qclone.ir.program import single_clone

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
            raise QcloneError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
        return {
            "table": self.to_table,
            "markdown": self.to_markdown,
            "csv": self.to_csv,
            "json": self.to_json,
        }[fmt]()

    def plot(self, path: str | Path) -> Path:
        """Four panels against n (two-qubit gates, depth, estimated duration, estimated
        success), one line per target; the last point each device holds is marked. Targets
        without calibration figures have no line in the last two. Writes a PNG."""
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
        out = Path(path)
        fig.savefig(out, dpi=110)
        plt.close(fig)
        return out


def parse_range(text: str) -> list[int]:
    """``"2:76"`` (both ends included), ``"2:76:2"`` (with a step), ``"10"`` or ``"2,5,9"``."""
    text = text.strip()
    if not text:
        raise QcloneError("clone range is empty; give START:END[:STEP] (e.g. 2:76) or a list")
    try:
        if ":" in text:
            parts = [int(p) for p in text.split(":")]
            if len(parts) not in (2, 3):
                raise ValueError
            lo, hi = parts[0], parts[1]
            step = parts[2] if len(parts) == 3 else 1
            if step <= 0:
                raise QcloneError(f"clone range {text!r}: the step must be positive")
            if hi < lo:
                raise QcloneError(
                    f"clone range {text!r} is inverted (end {hi} < start {lo}); write it "
                    f"as {hi}:{lo}"
                )
            values = list(range(lo, hi + 1, step))
        else:
            values = [int(p) for p in text.split(",") if p.strip()]
    except ValueError:
        raise QcloneError(
            f"clone range {text!r} is not a range; use START:END[:STEP] (e.g. 2:76) or a "
            "comma-separated list (e.g. 2,5,10)"
        ) from None
    if not values:
        raise QcloneError(f"clone range {text!r} is empty; give at least one number of clones")
    if min(values) < 2:
        raise QcloneError(
            f"clone range {text!r} includes n = {min(values)}: encrypted cloning needs n >= 2 "
            "(a single clone is not encrypted)"
        )
    return values


def compare(
    targets: Sequence[str],
    clones: Iterable[int],
    *,
    recover: int | None = 1,
    mode: str = "exact",
    verify: bool = False,
    against: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Comparison:
    """Compile ``single_clone(n, recover=recover, mode=mode)`` on every target for every n.

    A point that needs more qubits than the target has becomes a row with a note, so the
    table shows where each device runs out; any other error propagates. With
    ``against="generic"`` every point also gets the two-qubit count of the generic compiler
    of the target's ecosystem on the textbook circuit (:mod:`qclone.baselines`).

    Examples:
        >>> c = compare(["line:9", "grid:3x3"], [2, 4, 5])
        >>> [(r.target, r.n, r.two_qubit is not None) for r in c.rows][-2:]
        [('grid:3x3', 4, True), ('grid:3x3', 5, False)]
    """
    from qclone.cost.model import estimate
    from qclone.passes.pipeline import compile as qcompile
    from qclone.targets import get_target

    if against not in (None, "generic"):
        raise QcloneError(f"unknown baseline {against!r}; use against='generic' or None")
    ns = sorted(set(clones))
    if recover is not None and any(not 1 <= recover <= n for n in ns):
        bad = next(n for n in ns if not 1 <= recover <= n)
        raise QcloneError(
            f"recover index {recover} is outside 1..n for n = {bad}; choose a recover index "
            f"between 1 and the smallest n ({ns[0]}), or --recover none"
        )
    resolved = [get_target(t) for t in targets]
    rows: list[ComparisonRow] = []
    total = len(resolved) * len(ns)
    done = 0
    for tgt in resolved:
        for n in ns:
            need = 2 * n + 1
            base = ComparisonRow(tgt.name, n, need, tgt.num_qubits)
            program = single_clone(n, recover=recover, mode=mode)  # type: ignore[arg-type]
            try:
                result = qcompile(program, tgt, verify=verify)
            except TargetTooSmall as exc:
                rows.append(_replace(base, note=str(exc)))
            else:
                c = result.cost
                est = estimate(result)
                generic: tuple[int | None, str] = (None, "")
                if against == "generic":
                    from qclone.baselines import generic_two_qubit

                    generic = generic_two_qubit(program, tgt)
                rows.append(
                    _replace(
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
                )
            done += 1
            if progress is not None:
                progress(done, total)
    return Comparison(tuple(rows), recover, mode, tuple(t.name for t in resolved), against)


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
