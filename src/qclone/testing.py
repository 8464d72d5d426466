"""Test helpers for qclone programs and compiled results (in the spirit of ``cirq.testing``).

The statevector checks run the *compiled* circuits (not the reference) with
:mod:`qclone.semantics.statevector`, on the physical qubits the circuits use (compacted), so
they are independent of the stim-based :func:`qclone.verify`. They are dense: keep programs
small (about 20 used physical qubits at most).

Importing this module needs numpy only (no cirq, pytket or qiskit).

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

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from qclone.ir.ops import Clone, Discard, Recover, key_wire, signal_wire
from qclone.semantics import statevector as sv

if TYPE_CHECKING:
    from qclone.compiled import CompileResult, PhaseCircuit
    from qclone.ir.program import Analysis, Program

__all__ = [
    "assert_clones_secret",
    "assert_compiles_and_verifies",
    "assert_recovers_entanglement",
    "assert_recovers_statevector",
    "clone_strategy_used",
    "final_data_wires",
    "random_state",
    "run_phases",
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
    assert len(result.phases) == result.analysis.num_phases == len(result.logical)
    for prev, nxt in zip(result.phases, result.phases[1:], strict=False):
        assert prev.final == nxt.initial, (
            f"phase {nxt.index} does not start where phase {prev.index} ended"
        )
    tgt = result.target
    if tgt is not None:
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
