"""The canonical text form of a program, and its parser.

A program text starts with the line ``qclone 1``; every other non-blank line is one op::

    data NAME
    clone NAME copies=N as MODULE          (N: a whole number, or a formula such as 2*n + 1)
    recover MODULE copy=J [mode=exact|functional]
    discard QUBIT
    store

``#`` starts a comment. The parser never evaluates the text as Python: a ``copies=`` formula is
read by a small grammar of integers, names, ``+ - * / **`` and parentheses, with bounds on its
length and on the size of its constants, so no input can make it hang or exhaust memory. Every
malformed line raises :class:`~qclone.errors.ParseError` naming the line and the form it
should have; a well-formed program that breaks a rule of the protocol raises that rule's error
(e.g. :class:`~qclone.errors.KeyReuseError`), naming the line.
"""

from __future__ import annotations

import re

import sympy

from qclone.errors import ParseError, ProgramTooLarge, QcloneError
from qclone.ir.ops import Clone, Data, Discard, Op, Recover, Size, Store
from qclone.ir.program import MAX_COPIES, Program, analyze

HEADER = "qclone 1"

#: The form of each op line, for error messages.
FORMS: dict[str, str] = {
    "data": "data NAME",
    "clone": "clone NAME copies=N as MODULE",
    "recover": "recover MODULE copy=J [mode=exact|functional]",
    "discard": "discard QUBIT",
    "store": "store",
}
_ALL_FORMS = ", ".join(f"'{f}'" for f in FORMS.values())

#: Longest ``copies=`` formula the parser reads.
MAX_FORMULA_CHARS = 200
#: Largest constant (in absolute value) a formula may hold or compute.
_MAX_CONSTANT = 10**18
_MAX_DIGITS = 18
_MAX_EXPONENT = 64

_TOKEN = re.compile(
    r"\s*(?:(?P<num>[0-9]+)(?![A-Za-z0-9_])|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>\*\*|[-+*/()]))"
)
_CLONE = re.compile(r"clone\s+(?P<data>\S+)\s+(?P<copies>\S.*?)\s+as\s+(?P<module>\S+)")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


class _FormulaError(Exception):
    """Why a formula cannot be read (turned into a ParseError naming the line)."""


def _show(text: str, limit: int = 80) -> str:
    """``repr(text)``, cut to about ``limit`` characters for an error message."""
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def _kv(token: str, key: str, line_no: int, line: str, form: str) -> str:
    if not token.startswith(key + "="):
        raise ParseError(f"line {line_no}: expected '{key}=...' in {_show(line)}; write '{form}'")
    return token[len(key) + 1 :]


class _Formula:
    """Recursive descent over the tokens of a ``copies=`` formula (no ``eval``).

    expr := term (('+' | '-') term)* ; term := unary (('*' | '/') unary)* ;
    unary := ('+' | '-') unary | power ; power := atom ('**' unary)? ;
    atom := INTEGER | NAME | '(' expr ')' ; an exponent must be a whole number 0..64.
    """

    def __init__(self, text: str) -> None:
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        stripped = text.rstrip()
        while pos < len(stripped):
            m = _TOKEN.match(stripped, pos)
            if m is None or m.end() == pos:
                bad = stripped[pos:].lstrip()[:10]
                raise _FormulaError(f"unexpected {bad!r}")
            kind = m.lastgroup
            assert kind is not None
            self.tokens.append((kind, m.group(kind)))
            pos = m.end()
        self.i = 0

    def parse(self) -> sympy.Expr:
        if not self.tokens:
            raise _FormulaError("it is empty")
        value = self.expr()
        if self.i != len(self.tokens):
            raise _FormulaError(f"unexpected {self.tokens[self.i][1]!r}")
        return value

    def peek(self) -> str | None:
        return self.tokens[self.i][1] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        if self.i >= len(self.tokens):
            raise _FormulaError("it ends too early")
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def expr(self) -> sympy.Expr:
        value = self.term()
        while self.peek() in ("+", "-"):
            op = self.take()[1]
            rhs = self.term()
            value = _bounded(value + rhs if op == "+" else value - rhs)
        return value

    def term(self) -> sympy.Expr:
        value = self.unary()
        while self.peek() in ("*", "/"):
            op = self.take()[1]
            rhs = self.unary()
            if op == "/":
                if rhs.is_zero:
                    raise _FormulaError("it divides by zero")
                value = _bounded(value / rhs)
            else:
                value = _bounded(value * rhs)
        return value

    def unary(self) -> sympy.Expr:
        if self.peek() in ("+", "-"):
            op = self.take()[1]
            inner = self.unary()
            return -inner if op == "-" else inner
        return self.power()

    def power(self) -> sympy.Expr:
        base = self.atom()
        if self.peek() != "**":
            return base
        self.take()
        exponent = self.unary()
        if not (exponent.is_Integer and 0 <= int(exponent) <= _MAX_EXPONENT):
            raise _FormulaError(f"an exponent must be a whole number 0..{_MAX_EXPONENT}")
        return _bounded(base**exponent)

    def atom(self) -> sympy.Expr:
        kind, text = self.take()
        if kind == "num":
            if len(text) > _MAX_DIGITS:
                raise _FormulaError(f"the constant {text[:10]}... is too large")
            return sympy.Integer(int(text))
        if kind == "name":
            return sympy.Symbol(text)
        if text == "(":
            value = self.expr()
            if self.peek() != ")":
                raise _FormulaError("a '(' is not closed")
            self.take()
            return value
        raise _FormulaError(f"unexpected {text!r}")


def _bounded(value: sympy.Expr) -> sympy.Expr:
    if value.is_number and (not value.is_finite or abs(value) > _MAX_CONSTANT):
        raise _FormulaError("a constant in it is too large")
    return value


def _size(text: str, line_no: int, line: str) -> Size:
    if re.fullmatch(r"-?[0-9]+", text):
        digits = len(text.lstrip("-"))
        if digits > _MAX_DIGITS:
            raise ProgramTooLarge(
                f"line {line_no}: copies={text[:12]}... ({digits} digits) is more than qclone "
                f"compiles (at most {MAX_COPIES} copies); use copies <= {MAX_COPIES}"
            )
        return int(text)  # a number < 2 goes on to the program's own, explaining check
    hint = (
        f"line {line_no}: copies={_show(text, 60)} is not a whole number or a formula in symbols "
        f"(e.g. copies=3, copies=n, copies=2*n + 1) in {_show(line)}"
    )
    if len(text) > MAX_FORMULA_CHARS:
        raise ParseError(f"{hint}: it is longer than {MAX_FORMULA_CHARS} characters")
    if not re.search(r"[A-Za-z_]", text):
        raise ParseError(hint)
    try:
        value = _Formula(text).parse()
    except _FormulaError as e:
        raise ParseError(f"{hint}: {e}") from None
    if not value.free_symbols:
        raise ParseError(f"{hint}: it has no symbol left; write the number itself")
    return value


def _check_text(text: str) -> str:
    """``text`` without a leading byte-order mark; refuses binary data (NUL, control bytes)."""
    if not isinstance(text, str):
        raise ParseError(
            f"program text must be a str, got {type(text).__name__}; decode a file as UTF-8 "
            "first (or use Program.from_text(path.read_text()))"
        )
    text = text.removeprefix("\ufeff")
    bad = _CONTROL.search(text)
    if bad is not None:
        line_no = text.count("\n", 0, bad.start()) + 1
        what = "a NUL byte" if bad.group() == "\x00" else f"the control character {bad.group()!r}"
        raise ParseError(
            f"program text holds {what} at line {line_no}: it looks like binary data, not a "
            f"qclone program; give a text file whose first line is {HEADER!r}"
        )
    return text


def _header_error(numbered: list[tuple[int, str]]) -> ParseError:
    if not numbered:
        return ParseError(
            f"program text is empty (only blank lines and comments); it must start with the "
            f"line {HEADER!r}, followed by one op per line"
        )
    no, first = numbered[0]
    words = first.split()
    if words and words[0] == "qclone":
        return ParseError(
            f"line {no}: {_show(first)} is not a header this qclone reads; program text must start "
            f"with the line {HEADER!r}"
        )
    return ParseError(
        f"program text must start with the line {HEADER!r}; line {no} reads {_show(first)}: add "
        f"{HEADER!r} as the first line"
    )


def _parse_line(no: int, line: str) -> Op:
    words = line.split()
    kind, args = words[0], words[1:]
    form = FORMS.get(kind)
    cannot = f"line {no}: cannot read {_show(line)}"
    if form is None:
        hint = f" (ops are lower case: {kind.lower()!r})" if kind.lower() in FORMS else ""
        raise ParseError(
            f"{cannot}: unknown op {_show(kind, 30)}{hint}; a line is one of {_ALL_FORMS}"
        )
    if kind == "data":
        if len(args) != 1:
            raise ParseError(f"{cannot}: expected '{form}' (one name)")
        return Data(args[0])
    if kind == "clone":
        m = _CLONE.fullmatch(line)
        if m is None:
            missing = "copies=N" if "copies=" not in line else "'as MODULE' at the end"
            raise ParseError(f"{cannot}: expected '{form}' (missing or misplaced {missing})")
        copies_text = _kv(m.group("copies"), "copies", no, line, form)
        return Clone(m.group("data"), _size(copies_text, no, line), m.group("module"))
    if kind == "recover":
        if len(args) not in (2, 3):
            raise ParseError(f"{cannot}: expected '{form}'")
        copy_text = _kv(args[1], "copy", no, line, form)
        if not re.fullmatch(r"-?[0-9]{1,18}", copy_text):
            raise ParseError(
                f"line {no}: copy={_show(copy_text, 30)} is not an integer in {_show(line)}; "
                "copies are numbered 1..N, e.g. copy=1"
            )
        mode = _kv(args[2], "mode", no, line, form) if len(args) == 3 else "exact"
        if mode not in ("exact", "functional"):
            raise ParseError(
                f"line {no}: mode={_show(mode, 30)} must be exact or functional in {_show(line)}"
            )
        return Recover(args[0], int(copy_text), mode)  # type: ignore[arg-type]
    if kind == "discard":
        if len(args) != 1:
            raise ParseError(f"{cannot}: expected '{form}' (one qubit)")
        return Discard(args[0])
    if args:
        raise ParseError(f"{cannot}: expected '{form}' alone on its line")
    return Store()


def parse(text: str) -> Program:
    """Parse the canonical text form (see :meth:`Program.to_text`).

    Raises:
        ParseError: malformed text (the message names the line and the expected form).
        InvalidProgram: a well-formed program that breaks a rule (the subclass of the rule,
            e.g. :class:`~qclone.errors.KeyReuseError`), naming the op and its line.

    Examples:
        >>> parse("qclone 1\\ndata psi\\nclone psi copies=2 as m0").ops[1]
        Clone(data='psi', copies=2, module='m0')
        >>> parse("qclone 1\\ndata psi\\nclone psi copies=2*n + 1 as m0").ops[1].copies
        2*n + 1
    """
    text = _check_text(text)
    lines = [ln.split("#", 1)[0].strip() for ln in text.splitlines()]
    numbered = [(i + 1, ln) for i, ln in enumerate(lines) if ln]
    if not numbered or numbered[0][1].split() != HEADER.split():
        raise _header_error(numbered)
    ops: list[Op] = []
    op_lines: list[int] = []
    for no, line in numbered[1:]:
        ops.append(_parse_line(no, line))
        op_lines.append(no)
    try:
        return Program(ops)
    except QcloneError as e:
        no = op_lines[_first_bad(ops)] if ops else 0
        raise type(e)(f"in program text: {e} (line {no})") from None


def _first_bad(ops: list[Op]) -> int:
    """Index of the first op whose prefix of the program breaks a rule (binary search)."""
    lo, hi = 0, len(ops) - 1  # the whole program fails; find the shortest failing prefix
    while lo < hi:
        mid = (lo + hi) // 2
        try:
            analyze(ops[: mid + 1])
        except QcloneError:
            hi = mid
        else:
            lo = mid + 1
    return lo
