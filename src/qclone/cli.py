"""The ``qclone`` command line.

Commands::

    qclone compile --clones N [--recover J] [--mode exact|functional] [--target SPEC]
                   [--clone-strategy auto|teleport|path|ladder|dominoes|keypath|tree|textbook]
                   [--format qasm|json|text] [--out FILE] [--json] [--no-verify]
    qclone compile --program FILE ...      (a program in qclone's text form; '-' for stdin)
    qclone verify  (--clones N [--recover J] | --program FILE) [--target SPEC]
    qclone compare [--clones RANGE] [--targets SPECS] [--out FILE] [--plot PNG]
                   [--checkpoint FILE] [--resume] [--verbose] ...
    qclone targets
    qclone audit   PLAN [--max-size K] [--json]
    qclone cost    --target SPEC --clones N|RANGE [--strategy S] [--recover J|none] [--mode M]
    qclone --version

Exit codes: 0 success; 1 a compiled phase failed verification; 2 bad input (a bad command
line, program, target or file), reported as one line ``qclone: error: <message>`` on stderr.

This module imports only the standard library at import time (``qclone --help`` stays fast);
the compiler is imported inside the commands.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NoReturn, TextIO

from qclone.errors import QcloneError  # the error family: standard library only

if TYPE_CHECKING:
    from qclone.compiled import CompileResult
    from qclone.ir.program import Program

__all__ = ["CliError", "build_parser", "main"]

PROG = "qclone"
VERIFIED = "verified: every phase equals the protocol's meaning"
FORMATS = ("qasm", "json", "text")
#: ``auto`` and every key of :data:`qclone.passes.pipeline.STRATEGIES` (a literal, so that
#: ``qclone --help`` does not import the compiler; a test keeps the two equal).
CLONE_STRATEGIES = (
    "auto",
    "teleport",
    "path",
    "ladder",
    "dominoes",
    "keypath",
    "tree",
    "textbook",
)
RECOVER_MODES = ("exact", "functional")

EXIT_OK = 0
EXIT_VERIFY_FAILED = 1
EXIT_USAGE = 2

_EPILOG = """\
examples:
  qclone compile --clones 4 --recover 2 --target grid:5x5 --out clone.qasm
  qclone compile --program prog.qc --target heavy-hex:7 --format json --out clone.json
  qclone verify --program prog.qc --target line:20
  qclone targets
"""


class CliError(Exception):
    """A bad command line or file: printed as ``qclone: error: <message>``, exit code 2."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors go through :func:`main`'s one-line error path."""

    def error(self, message: str) -> NoReturn:
        hint = f"{self.prog} --help"
        raise CliError(f"{message} (see '{hint}')")


# --- argument types ------------------------------------------------------------------------
def _clone_count(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected the number of clones as an integer >= 2, got {text!r}"
        ) from None
    if n < 1:
        # n == 1 goes on to the program's own check, which explains why one clone is refused
        raise argparse.ArgumentTypeError(f"the number of clones must be an integer >= 2, got {n}")
    return n


def _copy_index(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected the clone to recover as an integer 1..N, got {text!r}"
        ) from None


# --- the parser ----------------------------------------------------------------------------
def _add_program_source(p: argparse.ArgumentParser) -> None:
    src = p.add_argument_group("program (one of --clones or --program)")
    excl = src.add_mutually_exclusive_group(required=True)
    excl.add_argument(
        "--clones",
        "-n",
        type=_clone_count,
        metavar="N",
        help="clone one data qubit psi into N >= 2 encrypted clones",
    )
    excl.add_argument(
        "--program",
        "-p",
        metavar="FILE",
        help="read the program from FILE (qclone's text form, starting 'qclone 1'; '-' reads "
        "stdin)",
    )
    src.add_argument(
        "--recover",
        "-r",
        type=_copy_index,
        metavar="J",
        help="with --clones: after storage, recover clone J (1..N) with the one-time key",
    )
    src.add_argument(
        "--mode",
        choices=RECOVER_MODES,
        help="with --recover: 'exact' (U_dec, the default) or 'functional' (the data lands on "
        "S_J, fewer gates, other qubits left as junk)",
    )
    comp = p.add_argument_group("compilation")
    comp.add_argument(
        "--target",
        "-t",
        metavar="SPEC",
        help="device to compile for, e.g. grid:10x10, heavy-hex:7, line:20@cx (see 'qclone "
        "targets'); default: none, i.e. logical role qubits, all-to-all, CX gates",
    )
    comp.add_argument(
        "--clone-strategy",
        choices=CLONE_STRATEGIES,
        default="auto",
        help="synthesis of the clone phase; auto tries each and keeps the cheapest "
        "(default: %(default)s)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The ``qclone`` argument parser (every subcommand sets ``handler``)."""
    from qclone import __version__

    parser = _Parser(
        prog=PROG,
        description="qclone: a compiler for encrypted cloning of qubits (arXiv:2501.02757).",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")

    p = sub.add_parser(
        "compile",
        help="compile a program, verify it and report its cost; optionally write it out",
        description="Compile an encrypted-cloning program for a target, prove every phase "
        "equal to the protocol's meaning (unless --no-verify), print the cost report and "
        "optionally write the compiled program (--out).",
        allow_abbrev=False,
    )
    _add_program_source(p)
    out = p.add_argument_group("output")
    out.add_argument(
        "--out",
        "-o",
        metavar="FILE",
        help="write the compiled program to FILE (with --format qasm, also FILE.roles.json)",
    )
    out.add_argument(
        "--format",
        "-f",
        choices=FORMATS,
        help="what --out writes: 'qasm' (OpenQASM 2.0 + FILE.roles.json, the default), "
        "'json' (cost report, role map and QASM in one document) or 'text' (the program's "
        "canonical text)",
    )
    out.add_argument(
        "--json",
        action="store_true",
        help="print the cost report as JSON instead of the summary (status lines go to stderr)",
    )
    p.add_argument(
        "--no-verify",
        action="store_true",
        help="skip the exact verification of every phase (faster for very large programs)",
    )
    p.set_defaults(handler=cmd_compile)

    p = sub.add_parser(
        "verify",
        help="compile a program and print the verification verdict of every phase",
        description="Compile a program and check every phase (decomposed and routed) against "
        "the protocol's meaning with stim tableaux; exit code 1 if any check fails.",
        allow_abbrev=False,
    )
    _add_program_source(p)
    p.set_defaults(handler=cmd_verify)

    p = sub.add_parser(
        "compare",
        help="compare the cost of encrypted cloning across targets and numbers of clones",
        description="Compile 'clone n copies (+ recovery)' for every target and every n of "
        "a range; print a table of two-qubit count, depth and routing overhead, mark where "
        "each device runs out of qubits, and optionally plot it (PNG).",
        allow_abbrev=False,
    )
    p.add_argument(
        "--clones",
        "-n",
        default="2:76",
        metavar="RANGE",
        help="START:END[:STEP] (both ends included) or a list such as 2,5,10 (default 2:76)",
    )
    p.add_argument(
        "--targets",
        "-t",
        default="default",
        metavar="SPECS",
        help="comma-separated target specs; 'default' for the cross-vendor set (google:willow, "
        "quantinuum:H2-1, quantinuum:Helios, heavy-hex-rows:8x16, grid:13x13); 'all' for those "
        "plus one device of every registered target family (plug-ins included)",
    )
    p.add_argument(
        "--recover",
        "-r",
        default="1",
        metavar="J|none",
        help="the clone recovered after storage (default 1), or 'none' for cloning only",
    )
    p.add_argument("--mode", choices=("exact", "functional"), default="exact")
    p.add_argument("--format", "-f", choices=("table", "markdown", "csv", "json"), default="table")
    p.add_argument("--out", "-o", metavar="FILE", help="also write the table to FILE")
    p.add_argument(
        "--plot", metavar="PNG", help="write a plot (2Q count, depth, duration, success vs n)"
    )
    p.add_argument("--verify", action="store_true", help="verify every compiled point (slower)")
    p.add_argument(
        "--against",
        choices=("generic",),
        help="also compile the textbook circuit with each ecosystem's generic compiler "
        "(Qiskit level 3, tket's backend pass, Cirq's RouteCQC) and show the ratio",
    )
    p.add_argument(
        "--checkpoint",
        metavar="FILE",
        help="append every finished point to FILE (JSON lines) as soon as it is computed, and "
        "keep it; default with --out: OUT.checkpoint.jsonl, removed once the sweep finishes",
    )
    p.add_argument(
        "--resume",
        action="store_true",
        help="continue an interrupted sweep from its checkpoint: only the points it lacks are "
        "computed, and the output is the same as an uninterrupted run's",
    )
    p.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        help="print one line per point on stderr ('computed' or 'resumed')",
    )
    p.set_defaults(handler=cmd_compare)

    p = sub.add_parser(
        "targets",
        help="list the target families (spec prefixes) with an example each",
        description="List the target families that --target accepts.",
        allow_abbrev=False,
    )
    p.set_defaults(handler=cmd_targets)

    p = sub.add_parser(
        "audit",
        help="audit a deployment plan: which coalitions of parties learn the cloned input",
        description="Compile the plan's program, then decide for every coalition of its "
        "parties (up to a size bound) whether the qubits it holds after the clone carry "
        "information about the input: none, one component (e.g. only Y) or all of it. Prints "
        "the smallest informative coalitions; exit code 1 if a coalition of untrusted parties "
        "learns anything. The plan format is in README.md ('Security').",
        allow_abbrev=False,
    )
    p.add_argument("plan", metavar="PLAN", help="the deployment plan (JSON)")
    p.add_argument(
        "--max-size",
        type=int,
        metavar="K",
        help="check coalitions of at most K parties (default: the plan's max_coalition, else "
        "all coalitions when feasible)",
    )
    p.add_argument("--json", action="store_true", help="print the audit as JSON")
    p.set_defaults(handler=cmd_audit)

    p = sub.add_parser(
        "cost",
        help="the cost of cloning into n clones from the stored scaling formulas (no compiling)",
        description="Print the exact formulas in n of the cost report (2Q and 1Q gates, depth, "
        "2Q depth, SWAPs) for a target and strategy, their values at the given n, and where "
        "they hold. Nothing is compiled, so n = 1000000 is answered at once. Targets: a "
        "device or spec (quantinuum:H2-1, grid:13x13, line:81) or a size-parametric family "
        "(line, ring, grid, all-to-all) for any n. Regenerate the formulas with 'python3 -m "
        "qclone.cost.derive'.",
        allow_abbrev=False,
    )
    p.add_argument("--target", "-t", required=True, metavar="SPEC", help="target or family")
    p.add_argument(
        "--clones",
        "-n",
        required=True,
        metavar="N|RANGE",
        help="the number of clones, or START:END[:STEP] or a list such as 2,5,10",
    )
    p.add_argument(
        "--strategy",
        "--clone-strategy",
        dest="strategy",
        choices=CLONE_STRATEGIES,
        default="auto",
        help="the compile strategy the formula describes (default: %(default)s)",
    )
    p.add_argument(
        "--recover",
        "-r",
        default="1",
        metavar="J|none",
        help="the clone recovered after storage (default 1), or 'none' for cloning only",
    )
    p.add_argument("--mode", choices=RECOVER_MODES, default="exact")
    p.add_argument("--json", action="store_true", help="print formulas and values as JSON")
    p.set_defaults(handler=cmd_cost)
    return parser


# --- helpers -------------------------------------------------------------------------------
def _read_program_text(path: str) -> str:
    if path == "-":
        data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read()
        if isinstance(data, str):
            return data
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise CliError(
                f"the program on standard input is not UTF-8 text ({e.reason} at byte "
                f"{e.start}); give qclone's text form (see 'qclone compile --help')"
            ) from None
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        raise CliError(f"program file not found: {path}") from None
    except IsADirectoryError:
        raise CliError(f"--program {path} is a directory, not a program file") from None
    except UnicodeDecodeError as e:
        raise CliError(
            f"program file {path} is not UTF-8 text ({e.reason} at byte {e.start})"
        ) from None
    except OSError as e:
        raise CliError(f"cannot read program file {path}: {e.strerror or e}") from None


def _load_program(args: argparse.Namespace) -> Program:
    if args.program is not None:
        if args.recover is not None or args.mode is not None:
            raise CliError(
                "--recover and --mode go with --clones; in a program file write "
                "'recover MODULE copy=J mode=exact|functional'"
            )
        from qclone.ir.text import parse

        text = _read_program_text(args.program)
        name = "<stdin>" if args.program == "-" else args.program
        try:
            return parse(text)
        except QcloneError as e:
            raise CliError(f"{name}: {e}") from e
    if args.mode is not None and args.recover is None:
        raise CliError("--mode sets how a clone is recovered; add --recover J")
    from qclone.ir.program import single_clone

    return single_clone(args.clones, recover=args.recover, mode=args.mode or "exact")


def _compile(args: argparse.Namespace, *, verify: bool) -> CompileResult:
    from qclone.passes.pipeline import compile as compile_program

    program = _load_program(args)
    return compile_program(program, args.target, clone_strategy=args.clone_strategy, verify=verify)


def _write(result: CompileResult, fmt: str, out: str) -> list[str]:
    """Write ``result`` to ``out`` in format ``fmt`` (atomically); return the files written."""
    from qclone import export

    try:
        if fmt == "qasm":
            return [str(p) for p in export.write_qasm(result, out)]
        if fmt == "json":
            return [str(export.write_json(result, out))]
        return [str(export.write_text_atomic(out, result.program.to_text() + "\n"))]
    except OSError as e:
        name = e.filename if e.filename is not None else out
        raise CliError(f"cannot write {name}: {e.strerror or e}") from None


# --- commands ------------------------------------------------------------------------------
def cmd_compile(args: argparse.Namespace) -> int:
    from qclone.errors import VerificationError

    if args.format is not None and args.out is None:
        raise CliError("--format chooses what --out writes; add --out FILE")
    try:
        result = _compile(args, verify=not args.no_verify)
    except VerificationError as e:
        _print_error(f"verification failed: {e}")
        return EXIT_VERIFY_FAILED
    written: list[str] = []
    if args.out is not None:
        written = _write(result, args.format or "qasm", args.out)
    status: TextIO = sys.stderr if args.json else sys.stdout
    if args.json:
        print(json.dumps(result.cost.as_dict(), indent=2))
    else:
        print(result.cost.summary())
    print(VERIFIED if not args.no_verify else "not verified (--no-verify)", file=status)
    for name in written:
        print(f"wrote {name}", file=status)
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    from qclone.verification import verify

    result = _compile(args, verify=False)
    verdicts = verify(result, raise_on_failure=False)
    kinds = result.role_map()["phases"]
    # qclone.verify checks each phase decomposed, then routed (once, on role qubits, without
    # a target)
    stages = (
        ("decomposed", f"routed on {result.cost.target}")
        if result.target is not None
        else ("logical",)
    )
    seen: dict[int, int] = {}
    failed = 0
    for v in verdicts:
        i = seen.get(v.phase, 0)
        seen[v.phase] = i + 1
        stage = stages[i] if i < len(stages) else f"check {i + 1}"
        kind = kinds[v.phase] if 0 <= v.phase < len(kinds) else "?"
        label = f"phase {v.phase} ({kind}), {stage}"
        if v.ok:
            print(f"ok      {label}")
        else:
            failed += 1
            print(f"FAILED  {label}: {v.reason}")
    if failed:
        print(f"verification failed: {failed} of {len(verdicts)} checks")
        return EXIT_VERIFY_FAILED
    print(VERIFIED)
    return EXIT_OK


def cmd_compare(args: argparse.Namespace) -> int:
    import contextlib
    import os

    from qclone.comparison import (
        DEFAULT_TARGETS,
        ComparisonRow,
        all_targets,
        compare,
        parse_range,
        require_matplotlib,
        stderr_progress,
    )
    from qclone.export import write_texts_atomic

    clones = parse_range(args.clones)
    if args.targets.strip().lower() == "default":
        targets: list[str] = list(DEFAULT_TARGETS)
    elif args.targets.strip().lower() == "all":
        targets = list(all_targets())
    else:
        targets = [t.strip() for t in args.targets.split(",") if t.strip()]
        if not targets:
            raise CliError("--targets is empty; give target specs such as grid:10x10,line:40")
    recover_text = args.recover.strip().lower()
    if recover_text == "none":
        recover = None
    else:
        try:
            recover = int(recover_text)
        except ValueError:
            raise CliError(
                f"--recover {args.recover!r} is not a clone index; give J >= 1 or 'none'"
            ) from None
    checkpoint: str | None = args.checkpoint
    automatic = checkpoint is None and args.out is not None
    if automatic:
        checkpoint = f"{args.out}.checkpoint.jsonl"
    if args.resume and checkpoint is None:
        raise CliError(
            "--resume continues a sweep from its checkpoint: give --checkpoint FILE, or the "
            "same --out as the interrupted run (its checkpoint is OUT.checkpoint.jsonl)"
        )
    # fail before a long sweep, not after it
    for flag, path in (("--out", args.out), ("--plot", args.plot), ("--checkpoint", checkpoint)):
        if path is not None:
            _check_destination(flag, path)
    if args.plot:
        require_matplotlib()
    counts = {True: 0, False: 0}

    def on_point(row: ComparisonRow, computed: bool) -> None:
        counts[computed] += 1
        if args.verbose:
            state = "computed" if computed else "resumed "
            print(f"{state} {row.target} n={row.n}", file=sys.stderr, flush=True)

    try:
        table = compare(
            targets, clones, recover=recover, mode=args.mode, verify=args.verify,
            against=args.against, progress=None if args.verbose else stderr_progress,
            checkpoint=checkpoint, resume=args.resume, on_point=on_point,
        )  # fmt: skip
    except KeyboardInterrupt:
        if checkpoint is not None and counts[True] + counts[False]:
            print(
                f"{PROG}: {counts[True] + counts[False]} finished points are saved in "
                f"{checkpoint}; run the same command with --resume to continue",
                file=sys.stderr,
            )
        raise
    text = table.render(args.format)
    files: dict[str, str | bytes] = {}
    if args.out:
        files[args.out] = text
    if args.plot:
        files[args.plot] = table.plot_png()
    if files:
        try:
            write_texts_atomic(files)
        except (OSError, ValueError) as e:
            name = getattr(e, "filename", None) or ", ".join(files)
            raise CliError(f"cannot write {name}: {getattr(e, 'strerror', None) or e}") from None
    sys.stdout.write(text)
    for path in (args.out, args.plot):
        if path:
            print(f"wrote {path}", file=sys.stderr)
    if checkpoint is not None:
        if automatic:
            with contextlib.suppress(FileNotFoundError):
                os.remove(checkpoint)
        else:
            resumed, computed = counts[False], counts[True]
            print(
                f"checkpoint {checkpoint}: {resumed} points resumed, {computed} computed",
                file=sys.stderr,
            )
    return EXIT_OK


def _check_destination(flag: str, path: str) -> None:
    """A file can be created at ``path``: its directory exists and it is not a directory."""
    import os.path

    if os.path.isdir(path):
        raise CliError(f"{flag} {path} is a directory; give a file name")
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise CliError(f"{flag} {path}: the directory {parent} does not exist; create it first")


def cmd_targets(args: argparse.Namespace) -> int:
    from qclone.targets import TWO_QUBIT_GATES, list_target_families

    rows = list_target_families()
    w_prefix = max([len("family"), *(len(r[0]) for r in rows)])
    w_example = max([len("example"), *(len(r[2]) for r in rows)])
    print(f"{'family':<{w_prefix}}  {'example':<{w_example}}  description")
    for prefix, summary, example in rows:
        print(f"{prefix:<{w_prefix}}  {example:<{w_example}}  {summary}")
    gates = ", ".join(f"@{g}" for g in TWO_QUBIT_GATES)
    print(f"\nnative two-qubit gate: append {gates} to a spec (default @{TWO_QUBIT_GATES[0]})")
    return EXIT_OK


def cmd_audit(args: argparse.Namespace) -> int:
    from qclone.audit import audit_plan, load_plan
    from qclone.errors import VerificationError

    if args.max_size is not None and args.max_size < 1:
        raise CliError(f"--max-size must be >= 1, got {args.max_size}")
    plan = load_plan(args.plan)
    try:
        report = audit_plan(plan, max_size=args.max_size)
    except VerificationError as e:
        _print_error(f"verification failed: {e}")
        return EXIT_VERIFY_FAILED
    if args.json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        print(report.render())
    return EXIT_OK if report.ok else EXIT_VERIFY_FAILED


def _cost_clones(text: str) -> list[int]:
    """``N``, ``START:END[:STEP]`` or ``N1,N2,...`` for ``qclone cost`` (no compile-size
    limit: nothing is compiled)."""
    spec = text.strip()
    try:
        if ":" in spec:
            parts = [int(p) for p in spec.split(":")]
            if len(parts) not in (2, 3):
                raise ValueError
            lo, hi, step = parts[0], parts[1], parts[2] if len(parts) == 3 else 1
            if step <= 0:
                raise CliError(f"--clones {text!r}: the step must be positive")
            if hi < lo:
                raise CliError(
                    f"--clones {text!r} is inverted (end {hi} < start {lo}); write {hi}:{lo}"
                )
            if (hi - lo) // step >= 100_000:
                raise CliError(f"--clones {text!r} has more than 100000 values; use a step")
            return list(range(lo, hi + 1, step))
        values = [int(p) for p in spec.split(",") if p.strip()]
    except ValueError:
        raise CliError(
            f"--clones {text!r} is not a number of clones; give N, START:END[:STEP] or a list "
            "such as 2,5,10"
        ) from None
    if not values:
        raise CliError("--clones is empty; give N, START:END[:STEP] or a list")
    return values


def cmd_cost(args: argparse.Namespace) -> int:
    from qclone.cost.formulas import LABELS, QUANTITIES, formula

    recover_text = args.recover.strip().lower()
    recover: int | None = None
    if recover_text != "none":
        try:
            recover = int(recover_text)
        except ValueError:
            raise CliError(
                f"--recover {args.recover!r} is not a clone index; give J >= 1 or 'none'"
            ) from None
        if recover < 1:
            raise CliError(f"--recover must be a clone index >= 1 or 'none', got {recover}")
    clones = _cost_clones(args.clones)
    f = formula(args.target, args.strategy, recover=recover, mode=args.mode)
    values = [f.evaluate(k) for k in clones]  # every n first: a bad one is the only output
    if args.json:
        vr = f.valid_range
        doc = {
            "target": f.target,
            "formula_of": f.entry,
            "strategy": f.strategy,
            "program": f.program,
            "recover": f.recover,
            "valid_range": {
                "n_min": vr.n_min,
                "n_max": vr.n_max,
                "limit": vr.limit,
                "checked": list(vr.checked),
                "samples": list(vr.samples),
            },
            "pieces": [
                {
                    "n_min": p.n_min,
                    "n_max": p.n_max,
                    "layout": p.layout,
                    "formulas": None
                    if p.expressions is None
                    else {q: str(e) for q, e in p.expressions.items()},
                }
                for p in f.pieces
            ],
            "values": [
                {"n": v.n, **v.values, "checked": v.checked, "extrapolated": list(v.extrapolated)}
                for v in values
            ],
        }
        print(json.dumps(doc, indent=2))
        return EXIT_OK
    print(f)
    print()
    head = ["n", *(LABELS[q] for q in QUANTITIES), "from"]
    rows = [head]
    for v in values:
        where = "table" if v.piece.is_table else v.piece.range_text()
        rows.append([str(v.n), *(str(v.values[q]) for q in QUANTITIES), where])
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    for r in rows:
        cells = [c.rjust(w) for c, w in zip(r[:-1], widths, strict=False)]
        print("  ".join([*cells, r[-1]]))
    vr = f.valid_range
    ran = f"{vr.checked[0]}..{vr.checked[1]}" + "".join(f", {k}" for k in vr.samples)
    for v in values:
        if v.extrapolated:
            fitted = ", ".join(LABELS[q] for q in v.extrapolated)
            exact = [LABELS[q] for q in QUANTITIES if q not in v.extrapolated]
            print(
                f"n = {v.n} is beyond the n the compiler was run for ({ran}): {fitted} come "
                "from fitted formulas there" + (f" ({', '.join(exact)}: analytic)" if exact else "")
            )
    return EXIT_OK


def _print_error(message: str) -> None:
    line = " ".join(message.split()) or "unknown error"
    print(f"{PROG}: error: {line}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``qclone`` command line with ``argv`` (default ``sys.argv[1:]``).

    Returns the exit code: 0 success, 1 verification failed, 2 bad input.
    """
    parser = build_parser()
    try:
        try:
            args = parser.parse_args(argv)
        except SystemExit as e:  # --help and --version
            return e.code if isinstance(e.code, int) else EXIT_OK if e.code is None else 1
        handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
        if handler is None:
            raise CliError(
                "no command given; use one of: compile, verify, compare, cost, audit, targets "
                f"(see '{PROG} --help')"
            )
        return handler(args)
    except CliError as e:
        _print_error(str(e))
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (e.g. `qclone ... | head`): stop quietly, as Unix tools do
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except QcloneError as e:
        _print_error(str(e) or type(e).__name__)
        return EXIT_USAGE
