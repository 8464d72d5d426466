"""Test helpers for qclone programs and compiled results (in the spirit of ``cirq.testing``).

The statevector checks run the *compiled* circuits (not the reference) with
:mod:`qclone.semantics.statevector`, on the physical qubits the circuits use (compacted), so
they are independent of the stim-based :func:`qclone.verify`. They are dense: keep programs
small (about 20 used physical qubits at most).

The fuzzing helpers (:func:`random_program`, :func:`random_target`, :func:`check_case` and the
hypothesis strategies :func:`programs`, :func:`targets`, :func:`programs_and_targets`) draw
their choices from a :class:`Chooser`: hypothesis, or a seeded :class:`RandomChooser`
(``benchmarks/fuzz.py``). hypothesis is imported only by the strategies.

Importing this module needs numpy only (no cirq, pytket, qiskit or hypothesis).

Examples:
    >>> import numpy as np
    >>> from qclone.ir import single_clone
    >>> rng = np.random.default_rng(1)
    >>> p = single_clone(3, recover=2)
    >>> r = assert_compiles_and_verifies(p, "line:7")
    >>> round(assert_recovers_statevector(p, r, random_state(rng)), 9)
    1.0
"""

from __future__ import annotations

import contextlib
import math
import random
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, TypeVar

import numpy as np
import numpy.typing as npt

from qclone.ir.ops import Clone, Discard, Recover, key_wire, signal_wire
from qclone.semantics import statevector as sv

if TYPE_CHECKING:
    import networkx as nx
    from hypothesis.strategies import SearchStrategy

    from qclone.compiled import CompileResult, PhaseCircuit
    from qclone.ir.program import Analysis, Program

__all__ = [
    "TARGET_FAMILIES",
    "Chooser",
    "FuzzTarget",
    "HypothesisChooser",
    "RandomChooser",
    "assert_clones_secret",
    "assert_compiles_and_verifies",
    "assert_recovers_entanglement",
    "assert_recovers_statevector",
    "assert_runs_on_target",
    "check_case",
    "clone_strategy_used",
    "final_data_wires",
    "fingerprint",
    "programs",
    "programs_and_targets",
    "random_connected_graph",
    "random_program",
    "random_state",
    "random_target",
    "run_phases",
    "target_from_json",
    "target_to_json",
    "targets",
    "vendor_specs",
]

StateLike = npt.ArrayLike
Inputs = StateLike | Mapping[str, StateLike]


def random_state(rng: np.random.Generator, num_qubits: int = 1) -> sv.State:
    """A Haar-random pure state on ``num_qubits`` qubits (normalised complex Gaussian)."""
    dim = 1 << num_qubits
    v = rng.normal(size=dim) + 1j * rng.normal(size=dim)
    out: sv.State = (v / np.linalg.norm(v)).astype(np.complex128)
    return out


def assert_compiles_and_verifies(
    program: Program, target: Any = None, **options: Any
) -> CompileResult:
    """Compile ``program`` for ``target`` and check the result thoroughly.

    Checks that ``qclone.verify`` proves every phase (without raising); that the routed
    circuits use only the target's couplings and native two-qubit gate; that the phases chain
    (each phase starts where the previous one ended); and that the logical two-qubit count
    matches the cost formula. Returns the result.
    """
    from qclone.cost.formulas import CLONE_FORMULAS, logical_two_qubit_count
    from qclone.passes.pipeline import compile as qcompile
    from qclone.verification import verify

    result = qcompile(program, target, verify=False, **options)
    verdicts = verify(result, raise_on_failure=False)
    failing = [v for v in verdicts if not v.ok]
    assert not failing, f"verification failed: {[v.reason for v in failing]}"
    assert_runs_on_target(result)
    logical = sum(ph.circuit.two_qubit_count() for ph in result.logical)
    assert result.cost.logical_two_qubit == logical, (
        f"the cost report says {result.cost.logical_two_qubit} logical two-qubit gates, "
        f"the logical circuits have {logical}"
    )
    strategy = clone_strategy_used(result)
    if strategy in CLONE_FORMULAS:
        expected = logical_two_qubit_count(program, strategy)
        assert logical == expected, (
            f"logical circuits have {logical} two-qubit gates, the {strategy} formula {expected}"
        )
    # verify must also accept it when raising
    verify(result)
    return result


def clone_strategy_used(result: CompileResult) -> str | None:
    """The clone synthesis a result was compiled with, or ``None`` if it cannot be told.

    ``compile(..., clone_strategy="auto")`` picks one per target; the routed phases name it as
    the prefix of their ``strategy`` label (``"teleport: ..."``); without a target it is
    ``teleport``.
    """
    from qclone.passes.synthesize import CLONE_STRATEGIES

    option = str(result.options.get("clone_strategy", "teleport"))
    if option != "auto":
        return option
    if result.target is None:
        return "teleport"
    labels = {ph.strategy.split(":", 1)[0].strip() for ph in result.phases}
    if len(labels) == 1:
        (label,) = labels
        if label in CLONE_STRATEGIES:
            return label
    return None


# ---- running compiled circuits on statevectors -------------------------------------------------
def _used_qubits(phases: tuple[PhaseCircuit, ...], wires: tuple[str, ...]) -> list[int]:
    used: set[int] = set()
    for ph in phases:
        used |= ph.circuit.used_qubits()
        used.update(ph.initial[w] for w in wires if w in ph.initial)
        used.update(ph.final[w] for w in wires if w in ph.final)
    return sorted(used)


def _inputs(analysis: Analysis, psi: Inputs) -> dict[str, sv.State]:
    data = analysis.data_wires
    if isinstance(psi, Mapping):
        missing = set(data) - set(psi)
        assert not missing, f"no input state for data qubit(s) {sorted(missing)}"
        return {d: np.asarray(psi[d], dtype=np.complex128) for d in data}
    v = np.asarray(psi, dtype=np.complex128)
    return dict.fromkeys(data, v)


def run_phases(
    result: CompileResult,
    psi: Inputs | None,
    upto: int | None = None,
    *,
    references: bool = False,
) -> tuple[sv.State, dict[int, int]]:
    """Run the routed phases ``0..upto`` (all by default) on the data inputs.

    Every data wire ``d`` starts on its physical qubit ``phases[0].initial[d]`` in ``psi`` (one
    state for all data wires, or a mapping ``{wire: state}``), every other qubit in ``|0>``.
    Only the physical qubits the circuits use (or that hold wires) are simulated. Returns the
    final statevector and the map physical qubit -> statevector qubit.

    With ``references=True``, ``psi`` is ignored: data wire ``i`` (of ``analysis.data_wires``)
    starts maximally entangled, ``|Phi+>``, with a reference qubit ``len(cmap) + i`` that no
    circuit touches (the Choi state: a recovery that keeps it proves the identity channel).
    """
    phases = result.phases if upto is None else result.phases[: upto + 1]
    wires = result.analysis.wires
    order = _used_qubits(phases, wires)
    cmap = {q: i for i, q in enumerate(order)}
    data = result.analysis.data_wires
    zero = np.array([1.0, 0.0], dtype=np.complex128)
    locals_ = [zero] * (len(order) + (len(data) if references else 0))
    if not references:
        assert psi is not None, "give the input states (or references=True)"
        for d, v in _inputs(result.analysis, psi).items():
            assert v.shape == (2,), f"the input of {d!r} must be a one-qubit state, got {v.shape}"
            locals_[cmap[phases[0].initial[d]]] = v / np.linalg.norm(v)
    state = sv.product_state(locals_)
    if references:
        for i, d in enumerate(data):
            ref = len(order) + i
            state = sv.apply_gate(state, "h", [ref])
            state = sv.apply_gate(state, "cx", [ref, cmap[phases[0].initial[d]]])
    for prev, ph in zip((None, *phases), phases, strict=False):
        if prev is not None:
            assert prev.final == ph.initial, (
                f"phase {ph.index} does not start where phase {prev.index} ended"
            )
        state = sv.apply_circuit(state, ph.circuit, cmap)
    return state, cmap


def final_data_wires(analysis: Analysis) -> dict[str, str]:
    """``{data wire: wire holding its value at the end}`` for values that end decrypted.

    Follows the values through clones (a clone's value is encrypted in its module), recovers
    (the module's value lands on the recovered wire) and discards. A value still encrypted at
    the end, or discarded, is left out.
    """
    contents: dict[str, tuple[str, ...]] = {d: ("value", d) for d in analysis.data_wires}
    module_value: dict[str, tuple[str, ...]] = {}
    for info in analysis.ops:
        op = info.op
        if isinstance(op, Clone):
            module_value[op.module] = contents.pop(op.data, ("none",))
            for k in range(1, int(op.copies) + 1):
                contents[signal_wire(op.module, k)] = ("clone", op.module, str(k))
        elif isinstance(op, Recover):
            for w in info.wires[1:]:  # the key qubits
                contents.pop(w, None)
            for w in [w for w, c in contents.items() if c[:2] == ("clone", op.module)]:
                del contents[w]
            contents[info.wires[0]] = module_value[op.module]
        elif isinstance(op, Discard):
            contents.pop(op.wire, None)
    return {c[1]: w for w, c in contents.items() if c[0] == "value"}


def assert_recovers_statevector(
    program: Program, result: CompileResult, psi: Inputs, atol: float = 1e-9
) -> float:
    """Run the compiled (routed) program on ``psi`` and check every decrypted value.

    For each data wire whose value ends decrypted (e.g. the recovered clone ``S_j`` of a
    single-clone program), the reduced state of the physical qubit
    ``phases[-1].final[<that wire>]`` must equal ``|psi><psi|`` (fidelity 1 within ``atol``),
    and the decrypted values together must be in the product of their inputs. Returns the
    smallest fidelity.
    """
    assert result.program == program, "the result was not compiled from this program"
    ends = final_data_wires(result.analysis)
    assert ends, "the program recovers no data value: nothing to check"
    state, cmap = run_phases(result, psi)
    inputs = _inputs(result.analysis, psi)
    last = result.phases[-1]
    worst = 1.0
    for d, w in ends.items():
        f = sv.qubit_fidelity(state, cmap[last.final[w]], inputs[d])
        assert abs(f - 1.0) <= atol, (
            f"the value of {d!r} does not land on {w!r} (physical qubit {last.final[w]}): "
            f"fidelity {f:.12f}"
        )
        worst = min(worst, f)
    if len(ends) > 1:
        qubits = [cmap[last.final[w]] for w in ends.values()]
        want = sv.product_state([inputs[d] / np.linalg.norm(inputs[d]) for d in ends])
        f = sv.fidelity(sv.reduced_density_matrix(state, qubits), want)
        assert abs(f - 1.0) <= atol, f"the decrypted values are not jointly their inputs: {f}"
        worst = min(worst, f)
    return worst


def assert_recovers_entanglement(
    program: Program, result: CompileResult, atol: float = 1e-9
) -> float:
    """Every decrypted value keeps the entanglement its data had before cloning.

    Each data wire starts maximally entangled with an untouched reference qubit (see
    :func:`run_phases`); at the end, each reference and the qubit that holds its decrypted value
    must be in ``|Phi+>`` (jointly, for all such values). This checks the whole channel from data
    to recovered clone, not one input state. Returns the smallest fidelity.
    """
    assert result.program == program, "the result was not compiled from this program"
    ends = final_data_wires(result.analysis)
    assert ends, "the program recovers no data value: nothing to check"
    state, cmap = run_phases(result, None, references=True)
    ref = {d: len(cmap) + i for i, d in enumerate(result.analysis.data_wires)}
    last = result.phases[-1]
    bell = sv.bell_state()
    worst = 1.0
    for d, w in ends.items():
        rho = sv.reduced_density_matrix(state, [ref[d], cmap[last.final[w]]])
        f = sv.fidelity(rho, bell)
        assert abs(f - 1.0) <= atol, (
            f"the entanglement of {d!r} with its reference is not on {w!r} "
            f"(physical qubit {last.final[w]}): fidelity {f:.12f}"
        )
        worst = min(worst, f)
    if len(ends) > 1:
        qubits = [q for d, w in ends.items() for q in (ref[d], cmap[last.final[w]])]
        f = sv.fidelity(
            sv.reduced_density_matrix(state, qubits), sv.product_state([bell] * len(ends))
        )
        assert abs(f - 1.0) <= atol, f"the decrypted values are not jointly entangled: {f}"
        worst = min(worst, f)
    return worst


def assert_clones_secret(result: CompileResult, psi: Inputs, atol: float = 1e-9) -> None:
    """After each phase that clones, every clone, key qubit and source A alone is maximally mixed.

    Runs the routed phases up to and including each phase that holds a clone, and checks the
    one-qubit reduced states of that phase's modules (``A``, ``S_1..S_n``, ``N_1..N_n``, at
    their physical qubits after the phase).
    """
    analysis = result.analysis
    clone_phases = sorted({i.phase for i in analysis.ops if isinstance(i.op, Clone)})
    assert clone_phases, "the program clones nothing"
    for p in clone_phases:
        state, cmap = run_phases(result, psi, upto=p)
        final = result.phases[p].final
        for info in analysis.phase_ops(p):
            op = info.op
            if not isinstance(op, Clone):
                continue
            n = int(op.copies)
            roles = [(f"{op.module}.A ({op.data})", op.data)]
            for k in range(1, n + 1):
                roles += [(w, w) for w in (signal_wire(op.module, k), key_wire(op.module, k))]
            for role, w in roles:
                rho = sv.reduced_density_matrix(state, [cmap[final[w]]])
                assert sv.is_maximally_mixed(rho, atol), (
                    f"after phase {p}, {role} (physical qubit {final[w]}) alone is not maximally "
                    f"mixed: {np.round(rho, 6).tolist()}"
                )


# ---- random programs and targets (fuzzing) -----------------------------------------------------
#
# The generators below take a *chooser*, so the same code serves hypothesis (which records and
# shrinks every choice: :func:`programs`, :func:`targets`) and plain seeded runs
# (:class:`RandomChooser`, used by ``benchmarks/fuzz.py``, where a case is its seed).

_T = TypeVar("_T")


class Chooser(Protocol):
    """Where the random generators get their choices from."""

    def integer(self, lo: int, hi: int) -> int:
        """A whole number in ``lo..hi`` (both included)."""
        ...

    def choice(self, options: Sequence[_T]) -> _T:
        """One of ``options`` (not empty)."""
        ...


class RandomChooser:
    """Choices from a seeded :class:`random.Random` (a case is reproduced by its seed)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def integer(self, lo: int, hi: int) -> int:
        return self.rng.randint(lo, hi)

    def choice(self, options: Sequence[_T]) -> _T:
        return options[self.rng.randrange(len(options))]


class HypothesisChooser:
    """Choices drawn through hypothesis (inside ``st.composite`` or ``st.data()``)."""

    def __init__(self, draw: Callable[[Any], Any]) -> None:
        self.draw = draw

    def integer(self, lo: int, hi: int) -> int:
        from hypothesis import strategies as st

        value: int = self.draw(st.integers(lo, hi))
        return value

    def choice(self, options: Sequence[_T]) -> _T:
        from hypothesis import strategies as st

        value: _T = self.draw(st.sampled_from(options))
        return value


#: How often each kind of step is tried (clone and recover most, the rest now and then).
_STEPS = ("clone", "clone", "clone", "recover", "recover", "recover", "data", "store", "discard")


def _live_wires(program: Program) -> list[str]:
    """Wires that may hold a value now (keys left out); the builder has the final word."""
    analysis = program.analysis()
    gone: set[str] = set()
    for info in analysis.ops:
        op = info.op
        if isinstance(op, Clone):
            gone.add(op.data)
        elif isinstance(op, Recover):
            recovered = info.wires[0]
            gone.update(w for w in analysis.wires if w.startswith(op.module + "."))
            gone.discard(recovered)
        elif isinstance(op, Discard):
            gone.add(op.wire)
    return [w for w in analysis.wires if w not in gone and ".N" not in w]


def random_program(
    chooser: Chooser,
    *,
    max_data: int = 3,
    max_copies: int = 4,
    max_steps: int = 8,
    max_qubits: int = 30,
    modes: Sequence[str] = ("exact", "exact", "functional"),
    max_functional: int | None = None,
    discard: bool = True,
) -> Program:
    """A random valid program: compositions of clone and recover.

    Each step tries one op: a new data qubit (parallel modules), a clone of a live qubit (of a
    data qubit; of a clone, i.e. in series; or of a recovered qubit), a recovery of an open
    module (exact or functional), a storage boundary or a discard; steps the protocol forbids
    are refused by the builder and skipped. Modules of different data qubits interleave in
    time. At the end every open module may be recovered, in a random order. The program
    holds at least one clone and at most ``max_qubits`` qubits, and at most
    ``max_functional`` functional recoveries (no limit for ``None``).
    """
    from qclone.errors import QcloneError
    from qclone.ir.program import Program

    p = Program()
    p.data("q0")
    for _ in range(chooser.integer(1, max_steps)):
        analysis = p.analysis()
        kind = chooser.choice(_STEPS)
        try:
            if kind == "data" and len(analysis.data_wires) < max_data:
                p.data(f"q{len(analysis.data_wires)}")
            elif kind == "clone":
                live = _live_wires(p)
                copies = chooser.integer(2, max_copies)
                if live and len(analysis.wires) + 2 * copies <= max_qubits:
                    p.clone(chooser.choice(live), copies=copies)
            elif kind == "recover":
                _recover_some(p, chooser, modes, max_functional)
            elif kind == "store":
                p.store()
            elif kind == "discard" and discard:
                p.discard(chooser.choice(analysis.wires))
        except QcloneError:
            pass  # not allowed here: the builder refused it and kept the program
    if not any(isinstance(op, Clone) for op in p.ops):
        # no clone yet (the program holds data qubits only): clone one, a fresh one if need be
        live = _live_wires(p)
        source = chooser.choice(live) if live else p.data(f"q{len(p.analysis().data_wires)}")
        room = (max_qubits - len(p.analysis().wires)) // 2
        p.clone(source, copies=max(2, min(room, chooser.integer(2, max_copies))))
    if chooser.integer(0, 1):
        for _ in range(len(p.analysis().modules)):
            with contextlib.suppress(QcloneError):
                _recover_some(p, chooser, modes, max_functional)
    return p


def _recover_some(
    program: Program, chooser: Chooser, modes: Sequence[str], max_functional: int | None
) -> None:
    recovered = {op.module for op in program.ops if isinstance(op, Recover)}
    functional = sum(isinstance(op, Recover) and op.mode == "functional" for op in program.ops)
    if max_functional is not None and functional >= max_functional:
        modes = [m for m in modes if m != "functional"] or ["exact"]
    open_modules = [
        op for op in program.ops if isinstance(op, Clone) and op.module not in recovered
    ]
    if not open_modules:
        return
    module = chooser.choice(open_modules)
    copy = chooser.integer(1, int(module.copies))
    program.recover(module.module, copy=copy, mode=chooser.choice(modes))  # type: ignore[arg-type]


#: Generic target families :func:`random_target` draws from.
TARGET_FAMILIES: tuple[str, ...] = (
    "line",
    "ring",
    "grid",
    "heavy-hex",
    "heavy-hex-rows",
    "all-to-all",
    "random-tree",
    "random-sparse",
    "random-dense",
)

FuzzTarget: TypeAlias = "str | nx.Graph"
"""What :func:`random_target` returns: a spec string, or a networkx graph."""


def vendor_specs() -> tuple[str, ...]:
    """The example spec of every registered non-generic target family (vendor devices), in
    registration order; families that cannot load here are left out."""
    from qclone.targets import list_target_families

    generic = {"line", "ring", "grid", "heavy-hex", "heavy-hex-rows", "all-to-all"}
    return tuple(
        example
        for prefix, summary, example in list_target_families()
        if prefix not in generic and example and not summary.startswith("unavailable")
    )


def random_target(
    chooser: Chooser,
    qubits: int,
    *,
    families: Sequence[str] = TARGET_FAMILIES,
    vendors: Sequence[str] = (),
    too_small: bool = False,
) -> FuzzTarget:
    """A random target with room for ``qubits`` connected qubits (or, with ``too_small``, now
    and then one that is too small, to exercise the refusal).

    Families: lines, rings, grids, heavy-hex lattices (both numberings), all-to-all, random
    connected graphs (trees, sparse and dense, built from a drawn seed), each sometimes with
    ``@cx``; and, when ``vendors`` is given, those device specs that are large enough.
    """
    from qclone.targets import get_target, heavy_hex_num_qubits, heavy_hex_rows_num_qubits

    fitting = [v for v in vendors if get_target(v).num_qubits >= qubits]
    kinds = list(families) + (["vendor"] if fitting else [])
    kind = chooser.choice(kinds)
    if kind == "vendor":
        return chooser.choice(fitting)
    need = qubits
    if too_small and chooser.integer(0, 9) == 0:
        need = max(1, qubits - chooser.integer(1, 3))
    extra = chooser.integer(0, 6)
    gate = "@cx" if chooser.integer(0, 4) == 0 else ""
    if kind == "line":
        return f"line:{need + extra}{gate}"
    if kind == "ring":
        return f"ring:{max(3, need + extra)}{gate}"
    if kind == "all-to-all":
        return f"all-to-all:{need + extra}{gate}"
    if kind == "grid":
        rows = chooser.integer(1, max(1, math.isqrt(need) + 1))
        cols = -(-need // rows) + chooser.integer(0, 2)
        return f"grid:{rows}x{cols}{gate}"
    if kind == "heavy-hex":
        d = 3
        while heavy_hex_num_qubits(d) < need:
            d += 2
        return f"heavy-hex:{d + 2 * chooser.integer(0, 1)}{gate}"
    if kind == "heavy-hex-rows":
        rows = chooser.integer(1, 4)
        cols = 4
        while heavy_hex_rows_num_qubits(rows, cols) < need:
            cols += 1
        return f"heavy-hex-rows:{rows}x{cols + chooser.integer(0, 3)}{gate}"
    return random_connected_graph(need + extra, kind, chooser.integer(0, 2**32 - 1))


def random_connected_graph(num_nodes: int, kind: str, seed: int) -> nx.Graph:
    """A connected graph on ``0..num_nodes-1``: a random tree (``random-tree``), plus about
    ``num_nodes / 4`` random edges (``random-sparse``) or ``num_nodes`` (``random-dense``)."""
    import networkx as nx

    rng = random.Random(seed)
    order = list(range(num_nodes))
    rng.shuffle(order)
    g = nx.Graph()
    g.add_nodes_from(range(num_nodes))
    for i in range(1, num_nodes):
        g.add_edge(order[i], order[rng.randrange(i)])
    extra = {"random-tree": 0, "random-sparse": num_nodes // 4, "random-dense": num_nodes}
    for _ in range(extra.get(kind, 0)):
        a, b = rng.randrange(num_nodes), rng.randrange(num_nodes)
        if a != b:
            g.add_edge(a, b)
    return g


def programs(**options: Any) -> SearchStrategy[Program]:
    """Hypothesis strategy of :func:`random_program` (same options)."""
    from hypothesis import strategies as st

    @st.composite
    def build(draw: st.DrawFn) -> Program:
        return random_program(HypothesisChooser(draw), **options)

    strategy: SearchStrategy[Program] = build()
    return strategy


def targets(qubits: int, **options: Any) -> SearchStrategy[FuzzTarget]:
    """Hypothesis strategy of :func:`random_target` for ``qubits`` qubits (same options)."""
    from hypothesis import strategies as st

    @st.composite
    def build(draw: st.DrawFn) -> FuzzTarget:
        return random_target(HypothesisChooser(draw), qubits, **options)

    strategy: SearchStrategy[FuzzTarget] = build()
    return strategy


def programs_and_targets(
    *, vendors: Sequence[str] = (), too_small: bool = False, **options: Any
) -> SearchStrategy[tuple[Program, FuzzTarget]]:
    """Hypothesis strategy of a random program and a random target that holds it."""
    from hypothesis import strategies as st

    @st.composite
    def build(draw: st.DrawFn) -> tuple[Program, FuzzTarget]:
        chooser = HypothesisChooser(draw)
        program = random_program(chooser, **options)
        qubits = len(program.analysis().wires)
        return program, random_target(chooser, qubits, vendors=vendors, too_small=too_small)

    strategy: SearchStrategy[tuple[Program, FuzzTarget]] = build()
    return strategy


# ---- checking a compiled case ------------------------------------------------------------------
def assert_runs_on_target(result: CompileResult) -> None:
    """Every two-qubit gate is the target's native gate on a coupling, and each phase starts
    where the previous one ended."""
    assert len(result.phases) == result.analysis.num_phases == len(result.logical)
    for prev, nxt in zip(result.phases, result.phases[1:], strict=False):
        assert prev.final == nxt.initial, (
            f"phase {nxt.index} does not start where phase {prev.index} ended"
        )
    tgt = result.target
    if tgt is None:
        return
    for ph in result.phases:
        for g in ph.circuit.gates:
            if g.is_two_qubit:
                a, b = g.qubits
                assert g.name == tgt.two_qubit_gate, (
                    f"phase {ph.index}: {g.name} on {g.qubits} is not native "
                    f"({tgt.two_qubit_gate}) on {tgt.name}"
                )
                assert tgt.is_adjacent(a, b), (
                    f"phase {ph.index}: {g.name} on uncoupled qubits {g.qubits} of {tgt.name}"
                )


def fingerprint(result: CompileResult) -> str:
    """A digest of everything a compile produces: the QASM, the role map and the cost report
    (equal fingerprints: identical circuits, layouts and figures)."""
    import hashlib
    import json

    doc = {
        "qasm": result.to_qasm(),
        "roles": result.role_map(),
        "cost": result.cost.as_dict(),
        "strategies": [ph.strategy for ph in result.phases],
    }
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()


def check_case(
    program: Program, target: FuzzTarget, *, clone_strategy: str = "auto"
) -> CompileResult | None:
    """Compile ``program`` for ``target``, verify it with :func:`qclone.verify` and check that
    it runs on the target; returns the result, or ``None`` when the target is too small (and
    then it must really be: fewer qubits, or a too small connected part).

    Raises:
        VerificationError: a compiled phase is not equal to the program's meaning.
        AssertionError: a gate off the target's couplings, phases that do not chain, or a
            refusal of a target that has room.
        QcloneError: any other refusal (a compiler bug for a valid program on a target
            that has room).
    """
    from qclone.errors import DisconnectedTarget, TargetTooSmall
    from qclone.passes.pipeline import compile as qcompile
    from qclone.targets import get_target
    from qclone.verification import verify

    tgt = get_target(target)
    try:
        result = qcompile(program, tgt, clone_strategy=clone_strategy, verify=False)
    except (TargetTooSmall, DisconnectedTarget):
        need = len(program.analysis().wires)
        room = len(tgt.usable().connected_components()[0])
        assert need > room, (
            f"{tgt.name} was refused as too small for {need} qubits, but its largest usable "
            f"connected part has {room}"
        )
        return None
    verify(result)
    assert_runs_on_target(result)
    return result


def target_to_json(target: FuzzTarget) -> Any:
    """A JSON-able form of a fuzz target (a spec string, or a graph's nodes and edges)."""
    if isinstance(target, str):
        return target
    return {"nodes": target.number_of_nodes(), "edges": sorted(map(sorted, target.edges))}


def target_from_json(data: Any) -> FuzzTarget:
    """The inverse of :func:`target_to_json`."""
    if isinstance(data, str):
        return data
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(range(int(data["nodes"])))
    g.add_edges_from((int(a), int(b)) for a, b in data["edges"])
    return g
