"""Leakage audit: which qubits, and which coalitions of parties, learn the input after a clone.

After the clone, the 2n + 1 qubits of a module (the transformed data qubit ``A``, the clones
``S_1..S_n``, the key ``N_1..N_n``) are handed to different parties. This module decides, for a
set of those qubits, how much its joint state says about the input, exactly, by stabilizer
linear algebra over GF(2) (PROTOCOL.md, "Who can learn what"; arXiv:2605.27421):

* The compiled circuits run (stim) on the data qubit maximally entangled with a reference
  ``R`` (one per data qubit). The result is a pure stabilizer state ``G`` on the register
  plus the references: a reference that the holders can reach through their qubits is exactly
  what they learn about the input, for every input, pure, mixed or entangled.
* For a set ``C`` of qubits, the elements of ``G`` supported on ``C`` and ``R`` are projected
  onto ``R``. The projection's dimension ``d`` is the mutual information ``I(R:C)`` in bits:
  ``d = 0`` nothing, ``d = 1`` one Pauli component of the input (the projection names it, e.g.
  only ``Y``), ``d = 2`` the whole input (the holders can decode it exactly).

The projection comes from one Gaussian elimination: the generators restricted to the qubits
outside ``C`` and to ``R``, with ``R``'s two bits eliminated last; the rows that end up zero
outside ``C`` span the projection.

From ``d`` follows the best fidelity the holders can reach with any operation on their qubits
(:attr:`Disclosure.best_fidelity`): for a stabilizer state the conditional min-entropy equals the
conditional entropy ``1 - d``, so the best entanglement fidelity is ``2**(d - 2)`` and the best
average fidelity over inputs ``(2 * 2**(d - 2) + 1) / 3``: 1/2 (a guess), 2/3, 1.

:class:`LeakageAudit` answers for sets of roles; :func:`audit_plan` enumerates the coalitions of
the parties of a deployment :class:`Plan` (read from JSON by :func:`load_plan`).

Examples:
    >>> audit = LeakageAudit.of_clones(3)
    >>> audit.disclosure(["S1", "S2", "S3"]).components  # all clones, no key, odd n
    ('Y',)
    >>> audit.disclosure(["S2", "N1", "N2", "N3"]).information
    'full'
    >>> audit.disclosure(["A", "S1"]).best_fidelity
    0.5
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt

from qclone.errors import PlanError, UnknownRoleError
from qclone.ir.ops import Clone

if TYPE_CHECKING:
    from qclone.compiled import CompileResult
    from qclone.ir.program import Program

__all__ = [
    "BEST_FIDELITY",
    "DEFAULT_MAX_COALITIONS",
    "CoalitionFinding",
    "Disclosure",
    "Information",
    "LeakageAudit",
    "Party",
    "Plan",
    "PlanAudit",
    "audit_plan",
    "load_plan",
]

Information: TypeAlias = Literal["none", "partial", "full"]

#: The best average fidelity (over Haar-random inputs) with which the holders of a set of qubits
#: can reproduce the input, by what they learn: 1/2 is what a guess gets.
BEST_FIDELITY: dict[Information, float] = {"none": 0.5, "partial": 2.0 / 3.0, "full": 1.0}

#: Without a size bound, :func:`audit_plan` checks every coalition if there are at most this
#: many; otherwise all coalitions up to the largest size that fits.
DEFAULT_MAX_COALITIONS = 4096

_LEVELS: tuple[Information, ...] = ("none", "partial", "full")
# the reference's two bits sit lowest in the eliminated rows: bit 1 = X, bit 0 = Z
_LETTER_OF_BITS = {2: "X", 3: "Y", 1: "Z"}

BoolMatrix: TypeAlias = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Disclosure:
    """What a set of qubits learns about the input of one data qubit.

    ``information`` is ``"none"``, ``"partial"`` (one Pauli component, named in
    ``components``) or ``"full"`` (``components == ("X", "Y", "Z")``).
    """

    data: str
    information: Information
    components: tuple[str, ...] = ()

    @property
    def informative(self) -> bool:
        return self.information != "none"

    @property
    def best_fidelity(self) -> float:
        """The best average fidelity any operation on the qubits reaches (1/2, 2/3 or 1)."""
        return BEST_FIDELITY[self.information]

    def describe(self) -> str:
        if self.information == "none":
            return f"nothing about {self.data}"
        if self.information == "full":
            return f"all of {self.data}"
        return f"the {'/'.join(self.components)} component of {self.data}"


def _level(d: int) -> Information:
    return _LEVELS[d]


class LeakageAudit:
    """The stabilizer state right after a phase of a compiled program, ready for questions.

    ``result`` is a compiled program (any target: the routed circuits are simulated);
    ``phase`` the phase after which the qubits are handed out (default: the first phase that
    clones). Role names are those of :meth:`CompileResult.role_map` (``A``, ``S1``, ``N1``, ...
    for one module; ``m0.A``, ``m0.S1``, ... for several). The roles known are those of the
    data qubits and of the modules cloned up to that phase.

    Examples:
        >>> import qclone
        >>> from qclone.ir import single_clone
        >>> audit = LeakageAudit(qclone.compile(single_clone(2), "line:5"))
        >>> [audit.disclosure(r).information for r in (["S1", "N1"], ["A", "S1", "N1"])]
        ['none', 'full']
    """

    def __init__(self, result: CompileResult, phase: int | None = None) -> None:
        import stim

        analysis = result.analysis
        clone_phases = [i.phase for i in analysis.ops if isinstance(i.op, Clone)]
        if phase is None:
            if not clone_phases:
                raise PlanError("the program clones nothing: there is nothing to audit")
            phase = min(clone_phases)
        if not 0 <= phase < len(result.phases):
            raise PlanError(
                f"phase {phase} does not exist: the program has phases 0..{len(result.phases) - 1}"
            )
        self.result = result
        self.phase = phase
        self.data: tuple[str, ...] = tuple(analysis.data_wires)
        phases = result.phases[: phase + 1]
        wires = analysis.wires
        used: set[int] = set()
        for ph in phases:
            used |= ph.circuit.used_qubits()
            used.update(ph.initial[w] for w in wires)
            used.update(ph.final[w] for w in wires)
        cmap = {q: i for i, q in enumerate(sorted(used))}
        total = len(cmap) + len(self.data)
        self.references: dict[str, int] = {d: len(cmap) + i for i, d in enumerate(self.data)}
        sim = stim.TableauSimulator()
        sim.set_num_qubits(total)
        for d, ref in self.references.items():
            sim.h(ref)
            sim.cx(ref, cmap[phases[0].initial[d]])
        for prev, ph in zip((None, *phases), phases, strict=False):
            if prev is not None and prev.final != ph.initial:
                raise PlanError(
                    f"phase {ph.index} does not start where phase {prev.index} ended: the "
                    "compiled result is inconsistent; compile the program again"
                )
            if len(ph.circuit):
                sim.do_circuit(ph.circuit.mapped(cmap, total).to_stim())
        inv = sim.current_inverse_tableau()
        if len(inv) < total:
            inv = inv + stim.Tableau(total - len(inv))
        # The stabilizer generators are U Z_i U^dagger. The simulator holds U's inverse; a
        # Clifford tableau is symplectic, so U's Z rows are the transposed quadrants of the
        # inverse (x part = z2x^T, z part = x2x^T): no O(N^3) inversion.
        x2x, _, z2x, _, _, _ = inv.to_numpy(bit_packed=True)

        def unpack(m: npt.NDArray[np.uint8]) -> BoolMatrix:
            bits: BoolMatrix = np.unpackbits(m, axis=1, count=total, bitorder="little").astype(bool)
            return bits

        self._xs: BoolMatrix = unpack(z2x).T
        self._zs: BoolMatrix = unpack(x2x).T
        self._num = total
        existing = set(self.data)
        for info in analysis.ops:
            if isinstance(info.op, Clone) and info.phase <= phase:
                existing.update(info.wires)
        final = phases[-1].final
        self.qubit: dict[str, int] = {}
        """Role name -> index in the simulated register (references come last)."""
        self.physical: dict[str, int] = {}
        """Role name -> physical qubit of the compiled circuit after the phase."""
        for w in wires:
            if w in existing:
                role = analysis.roles.get(w, w)
                self.qubit[role] = cmap[final[w]]
                self.physical[role] = final[w]
        self.roles: tuple[str, ...] = tuple(self.qubit)

    @classmethod
    def of_clones(cls, n: int, target: Any = None) -> LeakageAudit:
        """The audit of ``single_clone(n)`` compiled (and verified) for ``target``."""
        from qclone.ir.program import single_clone
        from qclone.passes.pipeline import compile as compile_program

        return cls(compile_program(single_clone(n), target))

    @classmethod
    def of_program(
        cls, program: Program, target: Any = None, phase: int | None = None
    ) -> LeakageAudit:
        """Compile (and verify) ``program`` for ``target`` and audit the state after ``phase``."""
        from qclone.passes.pipeline import compile as compile_program

        return cls(compile_program(program, target), phase)

    # ---- questions ------------------------------------------------------------------------
    def _mask(self, roles: Iterable[str]) -> BoolMatrix:
        inside = np.zeros(self._num, dtype=bool)
        for r in roles:
            if r not in self.qubit:
                raise UnknownRoleError(
                    f"no role {r!r} after phase {self.phase}; the roles there are "
                    f"{_compress(self.roles)}"
                )
            inside[self.qubit[r]] = True
        return inside

    def _projection(self, inside: BoolMatrix, ref: int) -> list[int]:
        """A basis of the reference projection of the elements supported on ``inside`` + ref.

        Each element is 2 bits (X = 2, Z = 1) of the reference's Pauli.
        """
        outside = ~inside
        outside[ref] = False
        cols = np.nonzero(outside)[0]
        mat = np.concatenate(
            [self._zs[:, [ref]], self._xs[:, [ref]], self._xs[:, cols], self._zs[:, cols]], axis=1
        )
        mat = mat[mat.any(axis=1)]
        packed = np.packbits(mat, axis=1, bitorder="little")
        basis: dict[int, int] = {}
        for row in packed:
            v = int.from_bytes(row.tobytes(), "little")
            while v:
                top = v.bit_length() - 1
                pivot = basis.get(top)
                if pivot is None:
                    basis[top] = v
                    break
                v ^= pivot
        # echelon by highest bit: the rows that are zero outside the set have pivot bit 0 or 1
        return [basis[b] for b in (1, 0) if b in basis]

    def _disclose(self, inside: BoolMatrix, data: str) -> Disclosure:
        span = self._projection(inside, self.references[data])
        if not span:
            return Disclosure(data, "none")
        if len(span) == 2:
            return Disclosure(data, "full", ("X", "Y", "Z"))
        return Disclosure(data, "partial", (_LETTER_OF_BITS[span[0]],))

    def disclosures(self, roles: Iterable[str]) -> tuple[Disclosure, ...]:
        """What the holders of ``roles`` learn about each data qubit's input, in data order."""
        inside = self._mask(roles)
        return tuple(self._disclose(inside, d) for d in self.data)

    def disclosure(self, roles: Iterable[str], data: str | None = None) -> Disclosure:
        """What the holders of ``roles`` learn about the input of ``data`` (default: the only
        data qubit)."""
        if data is None:
            if len(self.data) != 1:
                raise PlanError(
                    f"the program has {len(self.data)} data qubits ({', '.join(self.data)}); "
                    "say which one with data=..."
                )
            data = self.data[0]
        if data not in self.references:
            raise UnknownRoleError(
                f"no data qubit {data!r}; the program's data qubits are {', '.join(self.data)}"
            )
        return self._disclose(self._mask(roles), data)


# ---- deployment plans ---------------------------------------------------------------------
@dataclass(frozen=True)
class Party:
    """A party of a deployment plan: its name, the roles whose qubits it holds, and trust."""

    name: str
    roles: tuple[str, ...]
    trusted: bool = False


@dataclass(frozen=True)
class Plan:
    """Who holds which qubit after a clone: the input of :func:`audit_plan`.

    ``max_coalition`` bounds the number of parties that may collude (``None``: all, when
    feasible); ``phase`` is the phase after which the qubits are handed out (default: the
    first phase that clones); ``target`` the device the program is compiled for.
    """

    program: Program
    parties: tuple[Party, ...]
    target: str | None = None
    max_coalition: int | None = None
    phase: int | None = None
    source: str = "<plan>"

    @staticmethod
    def from_dict(
        data: Mapping[str, Any], *, source: str = "<plan>", base_dir: Path | None = None
    ) -> Plan:
        """Build a plan from its JSON object (see :func:`load_plan` for the format)."""
        return _parse_plan(data, source, base_dir or Path.cwd())


_PLAN_KEYS = {"qclone_plan", "clones", "program", "target", "max_coalition", "phase", "parties"}
_PARTY_KEYS = {"name", "holds", "trusted"}
_RANGE = re.compile(r"^(?P<a>.*?)(?P<i>\d+)\.\.(?P<b>.*?)(?P<j>\d+)$")


def load_plan(path: str | Path) -> Plan:
    """Read a deployment plan (JSON) from ``path``.

    The format (``qclone_plan`` is the format version, 1)::

        {
          "qclone_plan": 1,
          "clones": 4,                 // or "program": "prog.qc" (relative to the plan file)
          "target": "grid:5x5",        // optional; default none (logical, all-to-all)
          "max_coalition": 3,          // optional: at most this many parties collude
          "phase": 0,                  // optional: audit after this phase (default: the clone)
          "parties": [
            {"name": "owner", "holds": ["A", "N1..N4"], "trusted": true},
            {"name": "cloud1", "holds": ["S1"]},
            ...
          ]
        }

    Roles are the names of :meth:`CompileResult.role_map`; ``"N1..N4"`` is a range. Every
    role must be held by exactly one party (give discarded qubits to a trusted party such as
    ``"discarded"``); parties are untrusted unless ``"trusted": true``.

    Raises :class:`~qclone.errors.PlanError` naming the problem.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlanError(f"plan file not found: {p}") from None
    except IsADirectoryError:
        raise PlanError(f"{p} is a directory, not a plan file") from None
    except UnicodeDecodeError as e:
        raise PlanError(f"plan file {p} is not UTF-8 text ({e.reason} at byte {e.start})") from None
    except OSError as e:
        raise PlanError(f"cannot read plan file {p}: {e.strerror or e}") from None
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as e:
        raise PlanError(
            f"{p}: not valid JSON: {e.msg} at line {e.lineno}, column {e.colno}"
        ) from None
    except _DuplicateKey as e:
        raise PlanError(f"{p}: the key {e.args[0]!r} appears twice in one object") from None
    if not isinstance(data, dict):
        raise PlanError(f"{p}: a plan is a JSON object with 'parties', got {type(data).__name__}")
    return _parse_plan(data, str(p), p.parent)


class _DuplicateKey(Exception):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise _DuplicateKey(k)
        out[k] = v
    return out


def _expand(role: str) -> list[str]:
    m = _RANGE.match(role)
    if m is None or m["a"] != m["b"]:
        return [role]
    i, j = int(m["i"]), int(m["j"])
    if j < i:
        raise PlanError(f"role range {role!r} is empty: write it low..high, e.g. N1..N4")
    return [f"{m['a']}{k}" for k in range(i, j + 1)]


def _int_field(data: Mapping[str, Any], key: str, where: str, minimum: int) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise PlanError(f"{where}: {key!r} must be an integer >= {minimum}, got {value!r}")
    return value


def _parse_plan(data: Mapping[str, Any], source: str, base_dir: Path) -> Plan:
    from qclone.errors import QcloneError
    from qclone.ir.program import single_clone
    from qclone.ir.text import parse

    unknown = sorted(set(data) - _PLAN_KEYS)
    if unknown:
        raise PlanError(
            f"{source}: unknown key(s) {', '.join(map(repr, unknown))}; a plan has "
            f"{', '.join(sorted(_PLAN_KEYS))}"
        )
    version = data.get("qclone_plan", 1)
    if version != 1:
        raise PlanError(f"{source}: plan format {version!r} is not known; this qclone reads 1")
    if ("clones" in data) == ("program" in data):
        raise PlanError(
            f"{source}: give either 'clones' (the number of clones of one data qubit) or "
            "'program' (a program file in qclone's text form), not both or neither"
        )
    if "clones" in data:
        n = data["clones"]
        if isinstance(n, bool) or not isinstance(n, int):
            raise PlanError(f"{source}: 'clones' must be an integer >= 2, got {n!r}")
        try:
            program = single_clone(n)
        except QcloneError as e:
            raise PlanError(f"{source}: {e}") from e
    else:
        ref = data["program"]
        if not isinstance(ref, str) or not ref:
            raise PlanError(f"{source}: 'program' must be a file name, got {ref!r}")
        path = base_dir / ref
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as e:
            raise PlanError(
                f"{source}: cannot read the program {path}: {e.strerror or e} (the path is "
                "relative to the plan file)"
            ) from None
        try:
            program = parse(text)
        except QcloneError as e:
            raise PlanError(f"{source}: program {path}: {e}") from e
    target = data.get("target")
    if target is not None and (not isinstance(target, str) or not target):
        raise PlanError(f"{source}: 'target' must be a target spec such as 'grid:5x5'")
    max_coalition = _int_field(data, "max_coalition", source, 1)
    phase = _int_field(data, "phase", source, 0)

    raw = data.get("parties")
    if not isinstance(raw, list) or not raw:
        raise PlanError(
            f"{source}: 'parties' must be a non-empty list of "
            '{"name": ..., "holds": [roles], "trusted": true|false}'
        )
    parties: list[Party] = []
    for i, item in enumerate(raw):
        where = f"{source}: parties[{i}]"
        if not isinstance(item, dict):
            raise PlanError(f"{where}: a party is an object with 'name' and 'holds'")
        extra = sorted(set(item) - _PARTY_KEYS)
        if extra:
            raise PlanError(
                f"{where}: unknown key(s) {', '.join(map(repr, extra))}; a party has name, "
                "holds and trusted"
            )
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            raise PlanError(f"{where}: 'name' must be a non-empty string")
        holds = item.get("holds", [])
        if not isinstance(holds, list) or not all(isinstance(r, str) for r in holds):
            raise PlanError(f"{where} ({name}): 'holds' must be a list of role names")
        trusted = item.get("trusted", False)
        if not isinstance(trusted, bool):
            raise PlanError(f"{where} ({name}): 'trusted' must be true or false")
        roles = tuple(r for role in holds for r in _expand(role.strip()))
        parties.append(Party(name.strip(), roles, trusted))
    names = [p.name for p in parties]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise PlanError(f"{source}: party name(s) {', '.join(dup)} used twice; names must differ")
    return Plan(program, tuple(parties), target, max_coalition, phase, source)


# ---- auditing a plan ----------------------------------------------------------------------
@dataclass(frozen=True)
class CoalitionFinding:
    """What one coalition of parties learns (one :class:`Disclosure` per data qubit)."""

    parties: tuple[str, ...]
    disclosures: tuple[Disclosure, ...]
    untrusted: bool

    @property
    def informative(self) -> bool:
        return any(d.informative for d in self.disclosures)

    @property
    def information(self) -> Information:
        """The most any data qubit's input is disclosed."""
        return max((d.information for d in self.disclosures), key=_LEVELS.index)

    def describe(self) -> str:
        return "; ".join(d.describe() for d in self.disclosures if d.informative) or "nothing"

    def as_dict(self) -> dict[str, Any]:
        return {
            "parties": list(self.parties),
            "untrusted": self.untrusted,
            "information": {
                d.data: {
                    "level": d.information,
                    "components": list(d.components),
                    "best_fidelity": d.best_fidelity,
                }
                for d in self.disclosures
            },
        }


@dataclass(frozen=True)
class PlanAudit:
    """The audit of a plan: every coalition checked, and the verdict."""

    plan: Plan
    audit: LeakageAudit = field(repr=False)
    findings: tuple[CoalitionFinding, ...]
    max_size: int
    complete: bool

    def minimal_informative(self) -> tuple[CoalitionFinding, ...]:
        """The informative coalitions none of whose proper sub-coalitions is informative."""
        informative = [f for f in self.findings if f.informative]
        sets = [frozenset(f.parties) for f in informative]
        return tuple(
            f for f, s in zip(informative, sets, strict=True) if not any(o < s for o in sets)
        )

    def untrusted_leaks(self) -> tuple[CoalitionFinding, ...]:
        """The smallest coalitions of untrusted parties only that learn something."""
        return tuple(f for f in self.minimal_informative() if f.untrusted)

    @property
    def ok(self) -> bool:
        """No coalition of untrusted parties (within the size bound) learns anything."""
        return not self.untrusted_leaks()

    def as_dict(self) -> dict[str, Any]:
        return {
            "plan": self.plan.source,
            "phase": self.audit.phase,
            "data": list(self.audit.data),
            "parties": [
                {"name": p.name, "holds": list(p.roles), "trusted": p.trusted}
                for p in self.plan.parties
            ],
            "max_coalition": self.max_size,
            "complete": self.complete,
            "coalitions_checked": len(self.findings),
            "minimal_informative": [f.as_dict() for f in self.minimal_informative()],
            "untrusted_leaks": [f.as_dict() for f in self.untrusted_leaks()],
            "ok": self.ok,
        }

    def render(self) -> str:
        """The text report that ``qclone audit`` prints."""
        plan, audit = self.plan, self.audit
        num = len(plan.parties)
        lines = [
            f"plan      {plan.source}",
            f"program   {len(audit.roles)} roles after phase {audit.phase}; data "
            f"{', '.join(audit.data)}; target {plan.target or 'none (logical qubits)'}",
        ]
        for p in plan.parties:
            mark = "trusted" if p.trusted else "untrusted"
            lines.append(f"party     {p.name} ({mark}): {_compress(p.roles) or '-'}")
        scope = (
            f"all {len(self.findings)} coalitions of the {num} parties"
            if self.complete
            else f"{len(self.findings)} coalitions of at most {self.max_size} of the {num} parties"
        )
        lines.append(f"checked   {scope}")
        minimal = self.minimal_informative()
        if minimal:
            lines.append("smallest coalitions that learn something:")
            width = max(len(" + ".join(f.parties)) for f in minimal)
            for f in minimal:
                who = " + ".join(f.parties)
                tag = "UNTRUSTED" if f.untrusted else "includes a trusted party"
                lines.append(f"  {who:<{width}}  {f.information:<7}  {f.describe()}  [{tag}]")
        else:
            lines.append("no coalition learns anything about the input")
        leaks = self.untrusted_leaks()
        if leaks:
            worst = leaks[0]
            lines.append(
                f"LEAK: {len(leaks)} coalition(s) of untrusted parties learn about the input, "
                f"e.g. {' + '.join(worst.parties)} learns {worst.describe()}"
            )
        else:
            bound = "" if self.complete else f" of at most {self.max_size}"
            lines.append(
                f"ok: no coalition of untrusted parties{bound} learns anything about the input"
            )
        return "\n".join(lines)


def _default_size(num_parties: int, budget: int = DEFAULT_MAX_COALITIONS) -> int:
    size, count = 0, 0
    while size < num_parties:
        count += math.comb(num_parties, size + 1)
        if count > budget:
            break
        size += 1
    return max(size, 1)


def audit_plan(
    plan: Plan, *, max_size: int | None = None, result: CompileResult | None = None
) -> PlanAudit:
    """Compile (and verify) the plan's program and check every coalition of its parties.

    Coalitions of up to ``max_size`` parties (default: the plan's ``max_coalition``, else all
    coalitions when there are at most :data:`DEFAULT_MAX_COALITIONS`, else the largest size
    that fits) are checked, by size. What a coalition learns only grows with the coalition, so
    a coalition that contains one that learns everything learns everything too. Pass
    ``result`` to audit an already compiled program (it must be the plan's).
    """
    if result is None:
        from qclone.passes.pipeline import compile as compile_program

        result = compile_program(plan.program, plan.target)
    elif result.program != plan.program:
        raise PlanError("the compiled result given is not the plan's program")
    audit = LeakageAudit(result, plan.phase)
    _check_roles(plan, audit)
    parties = plan.parties
    bound = max_size if max_size is not None else plan.max_coalition
    if bound is not None and bound < 1:
        raise PlanError(f"the coalition size bound must be >= 1, got {bound}")
    size = min(bound if bound is not None else _default_size(len(parties)), len(parties))
    complete = size == len(parties)
    full: dict[str, set[frozenset[int]]] = {d: set() for d in audit.data}
    findings: list[CoalitionFinding] = []
    for k in range(1, size + 1):
        for combo in itertools.combinations(range(len(parties)), k):
            key = frozenset(combo)
            inside = audit._mask(r for i in combo for r in parties[i].roles)
            found = []
            for d in audit.data:
                if any(key - {i} in full[d] for i in combo):
                    found.append(Disclosure(d, "full", ("X", "Y", "Z")))
                    full[d].add(key)
                    continue
                disc = audit._disclose(inside, d)
                if disc.information == "full":
                    full[d].add(key)
                found.append(disc)
            findings.append(
                CoalitionFinding(
                    tuple(parties[i].name for i in combo),
                    tuple(found),
                    all(not parties[i].trusted for i in combo),
                )
            )
    return PlanAudit(plan, audit, tuple(findings), size, complete)


def _check_roles(plan: Plan, audit: LeakageAudit) -> None:
    holder: dict[str, str] = {}
    for p in plan.parties:
        for r in p.roles:
            if r not in audit.qubit:
                raise UnknownRoleError(
                    f"{plan.source}: party {p.name} holds {r!r}, which is not a role after phase "
                    f"{audit.phase}; the roles are {_compress(audit.roles)}"
                )
            if r in holder:
                raise PlanError(
                    f"{plan.source}: role {r} is held by both {holder[r]} and {p.name}; a "
                    "qubit is in one place: give it to one party"
                )
            holder[r] = p.name
    missing = [r for r in audit.roles if r not in holder]
    if missing:
        raise PlanError(
            f"{plan.source}: role(s) {_compress(missing)} are held by no party; give each to "
            "a party (qubits that are thrown away to a trusted party such as 'discarded')"
        )


def _compress(roles: Sequence[str]) -> str:
    """``A, S1..S4, N1..N4`` for a list of role names (runs of consecutive indices)."""
    prefixes: dict[str, int] = {}
    for r in roles:
        prefixes.setdefault(re.sub(r"\d+$", "", r), len(prefixes))

    def key(r: str) -> tuple[int, int]:
        m = re.match(r"^(.*?)(\d+)$", r)
        return (prefixes[m[1]], int(m[2])) if m is not None else (prefixes[r], -1)

    out: list[str] = []
    run: tuple[str, int, int] | None = None
    for r in sorted(roles, key=key):
        m = re.match(r"^(.*?)(\d+)$", r)
        if m is not None and run is not None and m[1] == run[0] and int(m[2]) == run[2] + 1:
            run = (run[0], run[1], int(m[2]))
            continue
        if run is not None:
            out.append(_run_text(run))
            run = None
        if m is not None:
            run = (m[1], int(m[2]), int(m[2]))
        else:
            out.append(r)
    if run is not None:
        out.append(_run_text(run))
    return ", ".join(out)


def _run_text(run: tuple[str, int, int]) -> str:
    prefix, lo, hi = run
    if hi == lo:
        return f"{prefix}{lo}"
    if hi == lo + 1:
        return f"{prefix}{lo}, {prefix}{hi}"
    return f"{prefix}{lo}..{prefix}{hi}"
