"""The :class:`Program` builder, its static checks and its phase structure."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

import sympy

from qclone.errors import (
    ConsumedQubitError,
    CopyIndexError,
    InvalidProgram,
    KeyReuseError,
    MissingKeyError,
    ProgramTooLarge,
    SymbolicSizeError,
    TooFewCopies,
    UnknownNameError,
)
from qclone.ir.ops import (
    RECOVER_MODES,
    Clone,
    Data,
    Discard,
    Op,
    Recover,
    RecoverMode,
    Size,
    Store,
    key_wire,
    signal_wire,
)

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

#: Most copies one clone may make. A clone of n copies needs 2n + 1 qubits, and the largest
#: target qclone builds has 200,000 (``qclone.targets.generic.MAX_GENERATED_QUBITS``); the
#: limit is checked before any per-copy work, so a request such as 10**12 copies fails at once.
MAX_COPIES = 100_000
#: Most qubits (wires) one program may hold in all: one clone of :data:`MAX_COPIES` copies.
MAX_QUBITS = 2 * MAX_COPIES + 1

#: The string fields of each op (checked to be ``str`` before any rule looks at them).
_NAME_FIELDS: dict[type, tuple[str, ...]] = {
    Data: ("name",),
    Clone: ("data", "module"),
    Recover: ("module",),
    Discard: ("wire",),
}

WireStatus = Literal["live", "in-module", "spent", "lost"]


@dataclass(frozen=True)
class Qubit:
    """A reference to a wire of a program (what the builder hands back)."""

    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Module:
    """What the builder returns for a clone: names its clones and key qubits."""

    name: str
    copies: Size

    def clone(self, k: int) -> Qubit:
        """Clone ``k`` (1-based): the signal qubit S_k."""
        return Qubit(signal_wire(self.name, k))

    def key(self, k: int) -> Qubit:
        """Key qubit N_k (1-based)."""
        return Qubit(key_wire(self.name, k))


@dataclass
class _ModuleState:
    name: str
    n: Size
    data_wire: str
    data_value: str  # the value this module encrypts
    phase: int
    copy_wire: dict[int, str] = field(default_factory=dict)  # where clone k's value lives now
    copy_gone: dict[int, str] = field(default_factory=dict)  # why a clone value is unavailable
    key_used_by: str | None = None
    lost_keys: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class OpInfo:
    """What the analysis learned about one op: its phase and the wires it acts on."""

    op: Op
    phase: int
    wires: tuple[str, ...]


@dataclass(frozen=True)
class Analysis:
    """The result of checking a program: phases, wires in order of creation, role names."""

    ops: tuple[OpInfo, ...]
    wires: tuple[str, ...]
    data_wires: tuple[str, ...]
    roles: dict[str, str]
    num_phases: int
    modules: dict[str, Size]

    def phase_ops(self, phase: int) -> list[OpInfo]:
        return [o for o in self.ops if o.phase == phase and isinstance(o.op, Clone | Recover)]


def _is_concrete(n: Size) -> bool:
    return isinstance(n, int | sympy.Integer)


def _normalize_copies(copies: object, where: str) -> Size:
    """Integers (Python, numpy, sympy) become ``int``; symbolic expressions stay symbolic."""
    import operator

    if isinstance(copies, bool):
        raise InvalidProgram(f"{where}: copies must be an integer, got bool")
    if isinstance(copies, float):
        if not copies.is_integer():
            raise InvalidProgram(f"{where}: copies must be an integer, got {copies}")
        return int(copies)
    if isinstance(copies, sympy.Expr):
        if copies.is_Integer:
            return int(copies)
        # symbols are compared by name only, so text round trips are exact
        plain = {
            s: sympy.Symbol(s.name) for s in copies.free_symbols if isinstance(s, sympy.Symbol)
        }
        return copies.xreplace(plain)
    try:
        return operator.index(copies)  # type: ignore[arg-type]
    except TypeError:
        raise InvalidProgram(
            f"{where}: copies must be an integer (or a sympy symbol), got {type(copies).__name__}"
        ) from None


def analyze(ops: tuple[Op, ...] | list[Op]) -> Analysis:
    """Check every static rule of the protocol and return the program's structure.

    Raises a :class:`~qclone.errors.InvalidProgram` subclass that names the op and the fix.
    """
    wires: list[str] = []
    status: dict[str, WireStatus] = {}
    owner: dict[str, str] = {}  # wire -> module that created it or holds it
    data_wires: list[str] = []
    modules: dict[str, _ModuleState] = {}
    value_loc: dict[str, str] = {}  # data value name -> wire where it lives now
    value_of_wire: dict[str, str] = {}
    infos: list[OpInfo] = []
    destroyed: dict[str, str] = {}  # clone value -> the recovery that consumed it
    recovered_in: dict[str, int] = {}  # wire -> phase in which a recover delivered data to it
    phase = 0
    phase_used = False

    def need_live(w: str, op: Op) -> None:
        if w not in status:
            known = ", ".join(wires[:8]) + (" ..." if len(wires) > 8 else "")
            raise UnknownNameError(
                f"{op.text()!r}: no qubit named {w!r}; declare it with data {w} first "
                f"or use one of the program's qubits ({known or 'none yet'})"
            )
        st = status[w]
        if st == "live":
            return
        why = {
            "in-module": f"it is the source qubit A of module {owner.get(w)} and holds part of "
            "the encrypted state",
            "spent": f"it was consumed by the recovery of module {owner.get(w)}",
            "lost": "it was discarded",
        }[st]
        raise ConsumedQubitError(
            f"{op.text()!r}: qubit {w!r} cannot be used: {why}; use a live qubit instead "
            "(a recovered clone, or a fresh data qubit)"
        )

    for op in ops:
        for attr in _NAME_FIELDS.get(type(op), ()):
            value = getattr(op, attr)
            if not isinstance(value, str):
                raise InvalidProgram(
                    f"{type(op).__name__.lower()} op: {attr} must be a name (a str), got "
                    f"{type(value).__name__} {value!r}; pass the name as text, e.g. 'psi'"
                )
        if isinstance(op, Data):
            if not _NAME.match(op.name):
                raise InvalidProgram(
                    f"{op.text()!r}: {op.name!r} is not a valid qubit name; use letters, digits "
                    "and '_' (not starting with a digit)"
                )
            if op.name in status or op.name in modules:
                raise InvalidProgram(f"{op.text()!r}: the name {op.name!r} is already used")
            wires.append(op.name)
            data_wires.append(op.name)
            status[op.name] = "live"
            value_loc[op.name] = op.name
            value_of_wire[op.name] = op.name
            infos.append(OpInfo(op, phase, (op.name,)))
        elif isinstance(op, Store):
            if phase_used:
                phase += 1
                phase_used = False
            infos.append(OpInfo(op, phase, ()))
        elif isinstance(op, Clone):
            if not _NAME.match(op.module):
                raise InvalidProgram(
                    f"{op.text()!r}: {op.module!r} is not a valid module name; use letters, "
                    "digits and '_'"
                )
            if op.module in modules or op.module in status:
                raise InvalidProgram(
                    f"{op.text()!r}: the name {op.module!r} is already used; give each clone "
                    "its own module name"
                )
            n = op.copies
            if isinstance(n, bool) or not isinstance(n, int | sympy.Expr):
                raise InvalidProgram(
                    f"{op.text()!r}: copies must be an integer (or a sympy symbol for cost "
                    f"formulas), got {type(n).__name__}"
                )
            if isinstance(n, sympy.Expr) and (
                (n.is_number and not n.is_Integer) or n.is_integer is False
            ):
                raise InvalidProgram(
                    f"{op.text()!r}: copies={n} is not an integer; use a whole number >= 2"
                )
            if _is_concrete(n) and int(n) < 2:
                what = "a single clone is" if int(n) == 1 else f"{n} clones are"
                raise TooFewCopies(
                    f"{op.text()!r}: copies={n} is refused: {what} not encrypted (one clone "
                    "alone leaks the Y component of the input, arXiv:2501.02757); use "
                    "copies >= 2"
                )
            if _is_concrete(n) and int(n) > MAX_COPIES:
                raise ProgramTooLarge(
                    f"{op.text()!r}: copies={n} is more than qclone compiles (at most "
                    f"{MAX_COPIES} copies, which need {MAX_QUBITS} qubits); use copies <= "
                    f"{MAX_COPIES}"
                )
            if _is_concrete(n) and len(wires) + 2 * int(n) > MAX_QUBITS:
                raise ProgramTooLarge(
                    f"{op.text()!r}: the program would hold {len(wires) + 2 * int(n)} qubits, "
                    f"more than qclone compiles ({MAX_QUBITS}); use fewer copies or split the "
                    "work into several programs"
                )
            need_live(op.data, op)
            if recovered_in.get(op.data) == phase:
                # the recovered data is delivered first: its new clone starts a new phase
                phase += 1
                phase_used = False
            value = value_of_wire.get(op.data, op.data)
            mod = _ModuleState(op.module, n, op.data, value, phase)
            modules[op.module] = mod
            status[op.data] = "in-module"
            owner[op.data] = op.module
            # a clone of another module's clone moves that value into this module
            for other in modules.values():
                for k, w in list(other.copy_wire.items()):
                    if w == op.data:
                        del other.copy_wire[k]
                        other.copy_gone[k] = f"it is encrypted inside module {op.module}"
            value_loc.pop(value, None)
            new: list[str] = []
            if _is_concrete(n):
                for k in range(1, int(n) + 1):
                    new += [signal_wire(op.module, k), key_wire(op.module, k)]
                    mod.copy_wire[k] = signal_wire(op.module, k)
                for w in new:
                    wires.append(w)
                    status[w] = "live"
                    owner[w] = op.module
            infos.append(OpInfo(op, phase, (op.data, *new)))
            phase_used = True
        elif isinstance(op, Recover):
            if op.module not in modules:
                raise UnknownNameError(
                    f"{op.text()!r}: no module named {op.module!r}; modules so far: "
                    f"{', '.join(modules) or 'none'} (create one with clone ... as {op.module})"
                )
            mod = modules[op.module]
            if op.mode not in RECOVER_MODES:
                raise InvalidProgram(
                    f"{op.text()!r}: unknown mode {op.mode!r}; use 'exact' or 'functional'"
                )
            j = op.copy
            if isinstance(j, bool) or not isinstance(j, int):
                raise CopyIndexError(f"{op.text()!r}: copy must be an integer, got {j!r}")
            if not _is_concrete(mod.n):
                raise SymbolicSizeError(
                    f"{op.text()!r}: module {op.module} has a symbolic number of copies "
                    f"({mod.n}); recover needs a concrete number: substitute n first"
                )
            n_int = int(mod.n)
            if not 1 <= j <= n_int:
                raise CopyIndexError(
                    f"{op.text()!r}: module {op.module} has copies 1..{n_int}; copy={j} is out "
                    f"of range (copies are numbered from 1)"
                )
            if mod.data_value in destroyed:
                raise ConsumedQubitError(
                    f"{op.text()!r}: module {op.module} encrypts {mod.data_value}, a clone that "
                    f"{destroyed[mod.data_value]!r} already consumed (recovering one clone of a "
                    "module destroys its others); recover the inner module before the outer one"
                )
            if mod.key_used_by is not None:
                raise KeyReuseError(
                    f"{op.text()!r}: the one-time key of module {op.module} was already used by "
                    f"{mod.key_used_by!r}; a second recovery with the same key leaves the clone "
                    "maximally mixed (fidelity 1/2). Recover each module once; keep more clones "
                    "by cloning the recovered qubit again"
                )
            if mod.lost_keys:
                raise MissingKeyError(
                    f"{op.text()!r}: key qubit(s) {', '.join(mod.lost_keys)} of module "
                    f"{op.module} were discarded; without the whole key the clone cannot be "
                    "decrypted (the result would be maximally mixed). Keep every key qubit "
                    "until recovery"
                )
            if j not in mod.copy_wire:
                why = mod.copy_gone.get(j, "it was discarded")
                raise ConsumedQubitError(
                    f"{op.text()!r}: clone {j} of module {op.module} is not available: {why}; "
                    "recover the inner module first, or choose another copy"
                )
            s = mod.copy_wire[j]
            keys = [key_wire(op.module, k) for k in range(1, n_int + 1)]
            for w in keys:
                need_live(w, op)
            delivered_here = any(recovered_in.get(w) == phase for w in mod.copy_wire.values())
            if mod.phase == phase or delivered_here:
                # storage sits between cloning and recovery; and a clone that an inner
                # recovery delivered in this phase is decrypted (or destroyed) only after
                # that phase, so each phase keeps a meaning of its own: start a new phase
                phase += 1
                phase_used = False
            mod.key_used_by = op.text()
            for k in range(1, n_int + 1):
                if k != j:
                    destroyed.setdefault(signal_wire(op.module, k), op.text())
            touched = (s, *keys)
            # the module's data value now lives on s; the other clones are destroyed
            value_loc[mod.data_value] = s
            value_of_wire[s] = mod.data_value
            for k in list(mod.copy_wire):
                if mod.copy_wire[k] != s:
                    w = mod.copy_wire[k]
                    status[w] = "spent"
                del mod.copy_wire[k]
                mod.copy_gone[k] = f"module {op.module} was already recovered"
            for w in keys:
                status[w] = "spent"
            status[mod.data_wire] = "spent"
            status[s] = "live"
            # if this module encrypted another module's clone, that clone now lives on s
            for other in modules.values():
                for k, reason in list(other.copy_gone.items()):
                    if reason == f"it is encrypted inside module {op.module}":
                        other.copy_wire[k] = s
                        del other.copy_gone[k]
            recovered_in[s] = phase
            infos.append(OpInfo(op, phase, touched))
            phase_used = True
        elif isinstance(op, Discard):
            need_live(op.wire, op)
            status[op.wire] = "lost"
            for mod in modules.values():
                for k in range(1, int(mod.n) + 1 if _is_concrete(mod.n) else 0):
                    if key_wire(mod.name, k) == op.wire:
                        mod.lost_keys.append(op.wire)
                for k, w in list(mod.copy_wire.items()):
                    if w == op.wire:
                        del mod.copy_wire[k]
                        mod.copy_gone[k] = "it was discarded"
            infos.append(OpInfo(op, phase, (op.wire,)))
        else:
            raise InvalidProgram(
                f"unknown op {op!r}; a program is made of qclone.ir ops: Data, Clone, Recover, "
                "Discard and Store"
            )

    num_phases = phase + 1 if phase_used else max(phase, 1)
    return Analysis(
        ops=tuple(infos),
        wires=tuple(wires),
        data_wires=tuple(data_wires),
        roles=_role_names(wires, data_wires, modules),
        num_phases=num_phases,
        modules={m: s.n for m, s in modules.items()},
    )


def _role_names(
    wires: list[str], data_wires: list[str], modules: dict[str, _ModuleState]
) -> dict[str, str]:
    """Role names for export: ``A, S1.., N1..`` for one module, ``m0.A`` etc. for more."""
    roles: dict[str, str] = {w: w for w in wires}
    for m in modules.values():
        if m.data_wire in data_wires:
            roles[m.data_wire] = f"{m.name}.A"
    if len(modules) == 1:
        (m,) = modules.values()
        prefix = m.name + "."
        roles = {w: r[len(prefix) :] if r.startswith(prefix) else r for w, r in roles.items()}
    return roles


class Program:
    """An encrypted-cloning program, built in a few lines.

    Examples:
        >>> p = Program()
        >>> psi = p.data("psi")
        >>> m = p.clone(psi, copies=3)
        >>> out = p.recover(m, copy=2)
        >>> print(p.to_text())
        qclone 1
        data psi
        clone psi copies=3 as m0
        recover m0 copy=2 mode=exact
        >>> Program.from_text(p.to_text()) == p
        True
    """

    def __init__(self, ops: tuple[Op, ...] | list[Op] = ()) -> None:
        self._ops: list[Op] = []
        for op in ops:
            self._append(op)

    # ---- building -------------------------------------------------------------------------
    def _append(self, op: Op) -> None:
        if isinstance(op, Clone) and not isinstance(op.copies, int):
            op = Clone(op.data, _normalize_copies(op.copies, op.text()), op.module)
        candidate = [*self._ops, op]
        analyze(candidate)  # raises on any broken rule, naming the op
        self._ops = candidate
        self._analysis: Analysis | None = None

    def data(self, name: str) -> Qubit:
        """Declare a data qubit in an unknown state."""
        self._append(Data(name))
        return Qubit(name)

    def clone(self, data: Qubit | str, copies: Size, name: str | None = None) -> Module:
        """Encrypt ``data`` into ``copies`` clones; returns the module handle."""
        if name is None:
            used = {o.module for o in self._ops if isinstance(o, Clone)}
            used |= {o.name for o in self._ops if isinstance(o, Data)}
            k = sum(isinstance(o, Clone) for o in self._ops)
            while f"m{k}" in used:
                k += 1
            name = f"m{k}"
        module = name
        n = _normalize_copies(copies, f"clone {data} copies={copies}")
        self._append(Clone(str(data), n, module))
        return Module(module, n)

    def recover(self, module: Module | str, copy: int, mode: RecoverMode = "exact") -> Qubit:
        """Decrypt clone ``copy`` of ``module``; returns the qubit that now holds the data."""
        name = module.name if isinstance(module, Module) else module
        self._append(Recover(name, copy, mode))
        info = self.analysis().ops[-1]
        return Qubit(info.wires[0])

    def discard(self, qubit: Qubit | str) -> None:
        """Mark a qubit as discarded or lost."""
        self._append(Discard(str(qubit)))

    def store(self) -> None:
        """Force a storage boundary: later ops go into a new phase."""
        self._append(Store())

    # ---- reading --------------------------------------------------------------------------
    @property
    def ops(self) -> tuple[Op, ...]:
        return tuple(self._ops)

    def analysis(self) -> Analysis:
        if getattr(self, "_analysis", None) is None:
            self._analysis = analyze(self._ops)
        assert self._analysis is not None
        return self._analysis

    def is_symbolic(self) -> bool:
        return any(isinstance(o, Clone) and not _is_concrete(o.copies) for o in self._ops)

    def substitute(self, **sizes: int) -> Program:
        """Replace symbolic sizes by integers, e.g. ``p.substitute(n=10)``."""
        for name, value in sizes.items():
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidProgram(
                    f"substitute({name}={value!r}): sizes must be whole numbers, got "
                    f"{type(value).__name__}; e.g. substitute({name}=10)"
                )
            if abs(value) > MAX_QUBITS:
                raise ProgramTooLarge(
                    f"substitute({name}={value}): more than qclone compiles (at most "
                    f"{MAX_COPIES} copies); use a smaller value"
                )
        ops: list[Op] = []
        for o in self._ops:
            if isinstance(o, Clone) and not _is_concrete(o.copies):
                expr = sympy.sympify(o.copies)
                value = expr.subs(
                    {sym: sizes[sym.name] for sym in expr.free_symbols if sym.name in sizes}
                )
                if not value.is_Integer:
                    raise SymbolicSizeError(
                        f"{o.text()!r}: copies={o.copies} is still symbolic after substitution; "
                        f"give a value for each of {sorted(map(str, value.free_symbols))}"
                    )
                o = Clone(o.data, int(value), o.module)
            elif isinstance(o, Clone) and not isinstance(o.copies, int):
                o = Clone(o.data, int(o.copies), o.module)
            ops.append(o)
        return Program(ops)

    def to_text(self) -> str:
        return "\n".join(["qclone 1", *(o.text() for o in self._ops)])

    @staticmethod
    def from_text(text: str) -> Program:
        from qclone.ir.text import parse

        return parse(text)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Program) and self.ops == other.ops

    def __hash__(self) -> int:
        return hash(self.ops)

    def __repr__(self) -> str:
        return f"Program.from_text({self.to_text()!r})"


def single_clone(copies: Size, recover: int | None = None, mode: RecoverMode = "exact") -> Program:
    """The basic program: one data qubit ``psi`` cloned ``copies`` times, optionally recovered."""
    p = Program()
    psi = p.data("psi")
    m = p.clone(psi, copies=copies)
    if recover is not None:
        p.recover(m, copy=recover, mode=mode)
    return p
