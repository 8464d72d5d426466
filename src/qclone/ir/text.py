"""The canonical text form of a program, and its parser."""

from __future__ import annotations

import re

import sympy

from qclone.errors import ParseError, QcloneError
from qclone.ir.ops import Clone, Data, Discard, Op, Recover, Size, Store
from qclone.ir.program import Program

HEADER = "qclone 1"


def _kv(token: str, key: str, line_no: int, line: str) -> str:
    if not token.startswith(key + "="):
        raise ParseError(f"line {line_no}: expected '{key}=...' in {line!r}")
    return token[len(key) + 1 :]


_EXPR = re.compile(r"^[A-Za-z0-9_+\-*/() ]+$")


def _size(text: str, line_no: int, line: str) -> Size:
    if re.fullmatch(r"[0-9]+", text):
        return int(text)
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", text):
        return sympy.Symbol(text)
    if _EXPR.match(text) and re.search(r"[A-Za-z_]", text):
        try:
            value = sympy.sympify(
                text,
                locals={n: sympy.Symbol(n) for n in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text)},
            )
        except (sympy.SympifyError, SyntaxError, TypeError):
            value = None
        if isinstance(value, sympy.Expr):
            return value
    raise ParseError(
        f"line {line_no}: copies={text!r} is not a whole number or a formula in symbols "
        f"(e.g. copies=3, copies=n, copies=2*n) in {line!r}"
    )


def parse(text: str) -> Program:
    """Parse the canonical text form (see :meth:`Program.to_text`).

    Examples:
        >>> parse("qclone 1\\ndata psi\\nclone psi copies=2 as m0").ops[1]
        Clone(data='psi', copies=2, module='m0')
    """
    lines = [ln.split("#", 1)[0].strip() for ln in text.splitlines()]
    numbered = [(i + 1, ln) for i, ln in enumerate(lines) if ln]
    if not numbered or numbered[0][1] != HEADER:
        raise ParseError(f"program text must start with the line {HEADER!r}")
    ops: list[Op] = []
    for no, line in numbered[1:]:
        words = line.split()
        kind, args = words[0], words[1:]
        if kind == "data" and len(args) == 1:
            ops.append(Data(args[0]))
        elif kind == "clone" and len(args) == 4 and args[2] == "as":
            ops.append(Clone(args[0], _size(_kv(args[1], "copies", no, line), no, line), args[3]))
        elif kind == "recover" and len(args) in (2, 3):
            copy_text = _kv(args[1], "copy", no, line)
            if not re.fullmatch(r"-?[0-9]+", copy_text):
                raise ParseError(f"line {no}: copy={copy_text!r} is not an integer in {line!r}")
            mode = _kv(args[2], "mode", no, line) if len(args) == 3 else "exact"
            if mode not in ("exact", "functional"):
                raise ParseError(f"line {no}: mode={mode!r} must be exact or functional")
            ops.append(Recover(args[0], int(copy_text), mode))  # type: ignore[arg-type]
        elif kind == "discard" and len(args) == 1:
            ops.append(Discard(args[0]))
        elif kind == "store" and not args:
            ops.append(Store())
        else:
            raise ParseError(
                f"line {no}: cannot read {line!r}; expected one of 'data NAME', "
                "'clone NAME copies=N as MODULE', 'recover MODULE copy=J [mode=exact|functional]',"
                " 'discard QUBIT', 'store'"
            )
    try:
        return Program(ops)
    except QcloneError as e:
        raise type(e)(f"in program text: {e}") from None
