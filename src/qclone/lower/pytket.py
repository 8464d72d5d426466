"""Lowering to pytket and Quantinuum's native gates, with exact verification of the result.

:func:`lower` turns a :class:`~qclone.compiled.CompileResult` (neutral Clifford gates
``h, s, sdg, x, y, z, cx, cz, swap`` on integer qubits, one circuit per phase) into one
``pytket.Circuit`` in a Quantinuum machine's native gates (ZZPhase, PhasedX, Rz), using the
backend's own ``rebase_pass()`` and ``default_compilation_pass(level)``, built offline.

Phases are compiled **one at a time** and joined with a ``Barrier`` over all qubits. The
backend's passes at levels 0-2 keep barriers, but level 3 starts with ``RemoveBarriers`` and
then ``GreedyPauliSimp`` on the whole circuit: it collapses clone + recover into a few gates
(the SWAP the protocol equals when no storage sits between them, see PROTOCOL.md), so a whole-
circuit compile would never encrypt anything. Compiling per phase keeps every level honest.

The backend may end a phase with an implicit wire permutation (``allow_implicit_swaps``); the
joined circuit carries none: qclone keeps track of where each role's qubit sits instead, and
later phases are relabelled to match.

Verification converts each compiled phase back to neutral gates: each native op's unitary is
turned into a stim tableau (``stim.Tableau.from_unitary_matrix``, pytket's big-endian ILO
order), which must exist (a non-Clifford angle raises :class:`NonCliffordError` naming the op),
then into neutral gates; :func:`qclone.verification.verify_phase` proves each phase.

This module also holds the **log-depth** syntheses for all-to-all machines
(:func:`clone_tree`, :func:`recover_log`, :func:`compile_log_depth`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from qclone.circuit import Circuit, CircuitBuilder, Gate
from qclone.compiled import CompileResult, PhaseCircuit
from qclone.errors import (
    CompilationError,
    NonCliffordError,
    TargetTooSmall,
    VerificationError,
)
from qclone.passes.synthesize import (
    clone_tree,
    doubling_schedule,
    recover_log,
    recover_paired,
)

if TYPE_CHECKING:
    import stim

    from qclone.ir.program import Program
    from qclone.targets import Target
    from qclone.verification import PhaseVerdict

__all__ = [
    "PytketLowering",
    "clone_tree",
    "compile_log_depth",
    "doubling_schedule",
    "from_pytket",
    "lower",
    "native_to_neutral",
    "neutral_to_pytket",
    "recover_log",
    "resolve_backend",
    "to_pytket",
    "two_qubit_depth",
    "verify_lowering",
]

#: pytket op names of the neutral gates.
_TKET_NAMES: dict[str, str] = {
    "h": "H",
    "s": "S",
    "sdg": "Sdg",
    "x": "X",
    "y": "Y",
    "z": "Z",
    "cx": "CX",
    "cz": "CZ",
    "swap": "SWAP",
}
#: stim gate names that are neutral gates.
_FROM_STIM: dict[str, str] = {
    "H": "h",
    "S": "s",
    "S_DAG": "sdg",
    "X": "x",
    "Y": "y",
    "Z": "z",
    "CX": "cx",
    "CZ": "cz",
    "SWAP": "swap",
}
_SKIP = frozenset({"Barrier"})


# --- backends ----------------------------------------------------------------------------------
def resolve_backend(backend: Any, target: Target | None) -> Any:
    """The pytket backend to compile for.

    ``backend`` may be a pytket ``Backend``, a Quantinuum machine name (``"H2-1"``), a
    :class:`~qclone.targets.quantinuum.QuantinuumTarget`, or ``None`` (the machine of
    ``target``, which must then be a Quantinuum target).
    """
    from qclone.targets.quantinuum import QuantinuumTarget, pytket_backend

    if backend is None:
        if isinstance(target, QuantinuumTarget):
            return pytket_backend(target)
        where = "no target" if target is None else f"target {target.name}"
        raise CompilationError(
            f"the program was compiled for {where}; pass backend='H2-1' (a Quantinuum machine "
            "name) or a pytket Backend to lower it, or compile for a quantinuum:<machine> target"
        )
    if isinstance(backend, QuantinuumTarget | str):
        return pytket_backend(backend)
    return backend


def _check_level(backend: Any, level: object) -> int:
    from qclone.targets.quantinuum import OPTIMISATION_LEVELS

    if isinstance(level, bool) or not isinstance(level, int) or level not in OPTIMISATION_LEVELS:
        allowed = ", ".join(str(x) for x in OPTIMISATION_LEVELS)
        raise CompilationError(
            f"optimisation level {level!r} is outside the range of "
            f"{type(backend).__name__}.default_compilation_pass: allowed levels are {allowed}"
        )
    return level


def _backend_size(backend: Any) -> int | None:
    info = getattr(backend, "backend_info", None)
    return None if info is None else int(info.n_nodes)


# --- neutral <-> pytket ------------------------------------------------------------------------
def neutral_to_pytket(
    circuit: Circuit, qubit_map: list[int] | None = None, num_qubits: int | None = None
) -> Any:
    """A ``pytket.Circuit`` with the neutral gates as pytket ops (``H, S, Sdg, X, Y, Z, CX, CZ,
    SWAP``); ``qubit_map[q]`` relabels qubit ``q``; ``num_qubits`` defaults to the circuit's."""
    from pytket import Circuit as TkCircuit
    from pytket import OpType

    out = TkCircuit(circuit.num_qubits if num_qubits is None else num_qubits)
    where = qubit_map if qubit_map is not None else list(range(circuit.num_qubits))
    for g in circuit.gates:
        out.add_gate(getattr(OpType, _TKET_NAMES[g.name]), [where[q] for q in g.qubits])
    return out


def _qubit_indices(circ: Any) -> dict[Any, int]:
    out: dict[Any, int] = {}
    for q in circ.qubits:
        if q.reg_name != "q" or len(q.index) != 1:
            raise CompilationError(
                f"the compiled pytket circuit has qubit {q}, not one of q[0..]: qclone needs the "
                "default register (the backend renamed qubits)"
            )
        out[q] = int(q.index[0])
    return out


def _op_key(op: Any) -> tuple[str, tuple[float, ...]]:
    params = []
    for p in op.params:
        try:
            params.append(round(float(p), 12))
        except TypeError as exc:
            raise NonCliffordError(
                f"pytket op {op} has a symbolic angle; only numeric Clifford angles can be verified"
            ) from exc
    return op.type.name, tuple(params)


@cache
def _tableau_of(key: tuple[str, tuple[float, ...]], num_qubits: int) -> stim.Tableau:
    import numpy as np
    import stim
    from pytket.circuit import Op, OpType

    name, params = key
    op = Op.create(getattr(OpType, name), list(params))
    try:
        u = np.asarray(op.get_unitary(), dtype=complex)
    except RuntimeError as exc:
        raise NonCliffordError(f"pytket op {name}{params} has no unitary: {exc}") from exc
    if u.shape != (2**num_qubits, 2**num_qubits):
        raise NonCliffordError(f"pytket op {name}{params} does not act on {num_qubits} qubits")
    try:
        # pytket's ILO-BE: the first argument is the most significant bit, as stim's "big"
        return stim.Tableau.from_unitary_matrix(u, endian="big")
    except ValueError as exc:
        raise NonCliffordError(
            f"pytket op {name}{params} is not a Clifford gate (angles in half-turns must make a "
            "Clifford, e.g. ZZPhase(0.5), PhasedX(0.5, 0), Rz(1.5)); qclone verifies Clifford "
            "circuits only"
        ) from exc


def _one_qubit_word(tab: stim.Tableau) -> tuple[str, ...]:
    from qclone.passes.rebase import _shortest_words

    return _shortest_words()[str(tab)]


@cache
def _neutral_word(key: tuple[str, tuple[float, ...]], num_qubits: int) -> tuple[Gate, ...]:
    """The op as neutral gates on local qubits ``0..num_qubits-1``."""
    import stim

    tab = _tableau_of(key, num_qubits)
    if num_qubits == 1:
        return tuple(Gate(g, (0,)) for g in _one_qubit_word(tab))
    out: list[Gate] = []
    for inst in tab.to_circuit("elimination"):
        qs = [t.value for t in inst.targets_copy()]
        arity = 2 if inst.name in ("CX", "CZ", "SWAP") else 1
        for i in range(0, len(qs), arity):
            group = tuple(qs[i : i + arity])
            if arity == 2 or inst.name in _FROM_STIM:
                out.append(Gate(_FROM_STIM[inst.name], group))
            else:
                word = _one_qubit_word(stim.Tableau.from_named_gate(inst.name))
                out.extend(Gate(g, group) for g in word)
    return tuple(out)


def native_to_neutral(circ: Any, num_qubits: int | None = None) -> Circuit:
    """The gates of a pytket circuit of Clifford ops as a neutral circuit (barriers skipped;
    the implicit permutation, if any, is **not** applied: see :func:`from_pytket`).

    Raises:
        NonCliffordError: an op with a non-Clifford (or symbolic) angle, or on 3+ qubits.
    """
    index = _qubit_indices(circ)
    n = num_qubits if num_qubits is not None else (max(index.values(), default=-1) + 1)
    b = CircuitBuilder(n)
    for cmd in circ.get_commands():
        op = cmd.op
        if op.type.name in _SKIP:
            continue
        qs = [index[q] for q in cmd.qubits]
        if len(cmd.bits) or len(qs) not in (1, 2):
            raise NonCliffordError(
                f"pytket command {cmd} is not a one- or two-qubit gate; qclone verifies unitary "
                "Clifford circuits of 1- and 2-qubit gates"
            )
        try:
            word = _neutral_word(_op_key(op), len(qs))
        except NonCliffordError as exc:
            raise NonCliffordError(f"{cmd}: {exc}") from exc
        b.extend(g.mapped(qs) for g in word)
    return b.build()


def from_pytket(circ: Any, num_qubits: int | None = None) -> tuple[Circuit, list[int]]:
    """The circuit's gates as a neutral circuit, and ``moved[q]``: the wire that holds, after
    the gates, what the circuit (with its implicit permutation) puts on qubit ``q``."""
    index = _qubit_indices(circ)
    neutral = native_to_neutral(circ, num_qubits)
    moved = list(range(neutral.num_qubits))
    for src, dst in circ.implicit_qubit_permutation().items():
        moved[index[dst]] = index[src]
    return neutral, moved


# --- lowering ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class PytketLowering:
    """A lowered program.

    Attributes:
        circuit: the joined ``pytket.Circuit`` (native gates, a barrier between phases, no
            implicit permutation), valid for the backend.
        phase_circuits: the native circuit of each phase, gates only (no implicit permutation).
        result: ``source`` with its phases replaced by the neutral images of the native ones
            (layouts included), ready for :func:`qclone.verify`.
        source: the compile result that was lowered.
        backend: the pytket backend.
        optimisation_level: the level of ``default_compilation_pass`` used.
    """

    circuit: Any
    phase_circuits: tuple[Any, ...]
    result: CompileResult
    source: CompileResult
    backend: Any
    optimisation_level: int

    def two_qubit_count(self) -> int:
        return int(self.circuit.n_2qb_gates())

    def two_qubit_depth(self) -> int:
        """2Q depth summed over phases (phases never overlap: storage sits between them)."""
        return sum(two_qubit_depth(c) for c in self.phase_circuits)

    def verify(self) -> list[PhaseVerdict]:
        return verify_lowering(self)


def two_qubit_depth(circ: Any) -> int:
    """ASAP depth counting two-qubit gates only (barriers ignored)."""
    level: dict[Any, int] = {}
    for cmd in circ.get_commands():
        if cmd.op.type.name in _SKIP or len(cmd.qubits) < 2:
            continue
        t = max(level.get(q, 0) for q in cmd.qubits) + 1
        for q in cmd.qubits:
            level[q] = t
    return max(level.values(), default=0)


def _compile_phase(
    backend: Any, circuit: Circuit, where: list[int], level: int
) -> tuple[Any, list[int]]:
    """Compile one phase; return its gates on the qubits ``q[where[p]]`` (no implicit
    permutation) and ``moved[x]``: the wire that then holds what the phase puts on wire ``x``.

    The backend's pass drops idle qubits and renames the rest in order
    (``FlattenRelabelRegistersPass``, unless ``preserve_qubit_names``), and its
    ``CompilationUnit.initial_map`` is not reliable when it drops some (a bijective map loses
    entries), so the phase is compiled on its used qubits only, renamed ``q[0..u-1]`` in order.
    """
    from pytket import Circuit as TkCircuit
    from pytket.passes import SequencePass
    from pytket.predicates import CompilationUnit

    n = len(where)
    used = sorted({where[q] for q in circuit.used_qubits()})
    local = {x: i for i, x in enumerate(used)}
    relabel = [local.get(where[q], -1) for q in range(circuit.num_qubits)]
    small = neutral_to_pytket(circuit, relabel, len(used))
    cu = CompilationUnit(small)
    SequencePass([backend.rebase_pass(), backend.default_compilation_pass(level)]).apply(cu)
    compiled = TkCircuit.from_dict(cu.circuit.to_dict())
    index = _qubit_indices(compiled)
    if sorted(index.values()) != list(range(len(used))) or any(
        index.get(new) != index.get(old, -1) for old, new in cu.initial_map.items()
    ):
        raise CompilationError(
            "the backend's pass dropped or renamed qubits of a phase (an idle wire after "
            "optimisation); lower with a backend whose compilation_config has "
            "preserve_qubit_names=True, or another optimisation level"
        )
    gates = TkCircuit(n)
    for cmd in compiled.get_commands():
        if cmd.bits:
            raise CompilationError(f"the backend's pass added a classical operation: {cmd}")
        gates.add_gate(cmd.op, [used[index[q]] for q in cmd.qubits])
    moved = list(range(n))
    for src, dst in compiled.implicit_qubit_permutation().items():
        moved[used[index[dst]]] = used[index[src]]
    return gates, moved


def lower(
    result: CompileResult,
    *,
    backend: Any = None,
    optimisation_level: int = 2,
    verify: bool = True,
) -> PytketLowering:
    """Lower ``result`` to a Quantinuum machine's native gates (see the module docstring).

    Args:
        result: a compile result; its phases' qubits become the pytket qubits ``q[i]``.
        backend: a machine name, a pytket backend or ``None`` (the result's Quantinuum target).
        optimisation_level: level of ``backend.default_compilation_pass`` (0-3).
        verify: prove every lowered phase equal to the program's meaning.

    Raises:
        CompilationError: a level outside the backend's range, or no backend to use.
        TargetTooSmall: the result needs more qubits than the backend has.
        NonCliffordError, VerificationError: the backend's output is not the program.
    """
    from pytket import Circuit as TkCircuit

    bk = resolve_backend(backend, result.target)
    level = _check_level(bk, optimisation_level)
    n = result.num_qubits
    size = _backend_size(bk)
    if size is not None and n > size:
        name = getattr(bk.backend_info, "device_name", type(bk).__name__)
        raise TargetTooSmall(
            f"the compiled program uses {n} qubits but {name} has {size}; compile for a larger "
            "machine (e.g. quantinuum:H2-1 has 56, quantinuum:Helios 98)"
        )
    where = list(range(n))  # where[p]: the wire holding what the phases call qubit p
    joined = TkCircuit(n)
    natives: list[Any] = []
    phases: list[PhaseCircuit] = []
    for k, ph in enumerate(result.phases):
        gates_only, moved = _compile_phase(bk, ph.circuit, where, level)
        neutral = native_to_neutral(gates_only, n)
        if k:
            joined.add_barrier(list(range(n)))
        joined.append(gates_only)
        natives.append(gates_only)
        before = list(where)
        where = [moved[where[p]] for p in range(n)]
        phases.append(
            dataclasses.replace(
                ph,
                circuit=neutral,
                initial={w: before[q] for w, q in ph.initial.items()},
                final={w: where[q] for w, q in ph.final.items()},
            )
        )
    if not bk.valid_circuit(joined):
        raise CompilationError(
            f"the lowered circuit fails {type(bk).__name__}.valid_circuit (required predicates)"
        )
    joined = TkCircuit.from_dict(joined.to_dict())
    out = PytketLowering(
        circuit=joined,
        phase_circuits=tuple(natives),
        result=dataclasses.replace(result, phases=tuple(phases)),
        source=result,
        backend=bk,
        optimisation_level=level,
    )
    if verify:
        verify_lowering(out)
    return out


def to_pytket(
    result: CompileResult,
    *,
    backend: Any = None,
    optimisation_level: int = 2,
    verify: bool = True,
) -> Any:
    """The lowered ``pytket.Circuit`` of :func:`lower` (native gates, barriers between phases).

    Examples:
        >>> import qclone
        >>> r = qclone.compile(qclone.single_clone(3, recover=1), "quantinuum:H1-1")
        >>> c = to_pytket(r)
        >>> c.n_qubits, {cmd.op.type.name for cmd in c} <= {"ZZPhase", "PhasedX", "Rz", "Barrier"}
        (20, True)
    """
    return lower(
        result, backend=backend, optimisation_level=optimisation_level, verify=verify
    ).circuit


def verify_lowering(lowering: PytketLowering, *, raise_on_failure: bool = True) -> list[Any]:
    """Prove each lowered phase equal to the program's meaning (stim tableaux)."""
    from qclone.verification import verify_phase

    verdicts = []
    for i in range(len(lowering.result.phases)):
        v = verify_phase(lowering.result, i)
        verdicts.append(v)
        if not v.ok and raise_on_failure:
            raise VerificationError(
                f"pytket lowering (level {lowering.optimisation_level}): {v.reason}"
            )
    return verdicts


# --- log-depth syntheses live in qclone.passes.synthesize (no pytket needed) -----------------


def compile_log_depth(
    program: Program, target: Target | str | None = None, *, verify: bool = True
) -> CompileResult:
    """Compile with the log-depth syntheses (:func:`clone_tree`, :func:`recover_log`, and
    :func:`recover_paired` for a functional recovery) for an all-to-all target (``None``: role
    qubits), as :func:`qclone.compile` does for all-to-all targets.

    Raises:
        CompilationError: the target is not all-to-all.
    """
    from qclone.cost.report import cost_report
    from qclone.passes.decompose import decompose
    from qclone.passes.rebase import rebase
    from qclone.passes.route import route
    from qclone.targets import get_target

    analysis = program.analysis()
    num_slots = len(analysis.wires)
    tgt = None if target is None else get_target(target)
    if tgt is not None and not tgt.all_to_all:
        raise CompilationError(
            f"compile_log_depth needs an all-to-all target (trees join arbitrary qubits); "
            f"{tgt.name} is not: use qclone.compile"
        )
    phases = decompose(
        analysis,
        clone_strategy=clone_tree,
        recover_strategy=recover_log,
        recover_functional=recover_paired,
    )
    logical = [ph.to_phase_circuit(num_slots) for ph in phases]
    label = "log-depth: tree fan-outs (all-to-all)"
    gate = "cx" if tgt is None else tgt.two_qubit_gate
    routed: list[PhaseCircuit] = []
    if tgt is None:
        for lp in logical:
            routed.append(dataclasses.replace(lp, circuit=rebase(lp.circuit, gate), strategy=label))
    else:
        tgt.require(num_slots, "the program")
        layout = list(range(num_slots))
        for ph in phases:
            r = route(ph.blocks, tgt, layout)
            routed.append(
                PhaseCircuit(
                    ph.index,
                    rebase(r.circuit, gate),
                    {w: layout[s] for w, s in ph.initial.items()},
                    {w: r.final[s] for w, s in ph.final.items()},
                    r.swaps,
                    label,
                )
            )
            layout = r.final
    result = CompileResult(
        program=program,
        analysis=analysis,
        target=tgt,
        logical=tuple(logical),
        phases=tuple(routed),
        cost=cost_report(tgt.name if tgt else "logical (all-to-all)", routed, logical, gate),
        options={"clone_strategy": "log-depth", "tried": {}},
    )
    if verify:
        from qclone.verification import verify as _verify

        _verify(result)
    return result
