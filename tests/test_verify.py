"""qclone.verify must reject broken circuits (the classic bugs) and accept correct ones."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import qclone
from qclone.circuit import Circuit, Gate
from qclone.compiled import CompileResult
from qclone.cost.formulas import logical_two_qubit_count
from qclone.errors import VerificationError
from qclone.ir import Program, single_clone
from qclone.passes import synthesize
from qclone.passes.rebase import rebase
from qclone.passes.synthesize import Synthesis
from qclone.semantics import statevector as sv
from qclone.testing import (
    assert_compiles_and_verifies,
    assert_recovers_statevector,
    random_state,
    run_phases,
)
from qclone.verification import verify

CLASSIC = [(n, j) for n in (2, 3, 5) for j in range(1, n + 1)]


def failing(result: CompileResult) -> list[str]:
    return [v.reason for v in verify(result, raise_on_failure=False) if not v.ok]


def with_phase(
    result: CompileResult, index: int, circuit: Circuit, *, final: dict[str, int] | None = None
) -> CompileResult:
    """``result`` with the routed phase ``index`` replaced (and its logical twin, if no target)."""
    ph = result.phases[index]
    new = dataclasses.replace(ph, circuit=circuit, final=final if final is not None else ph.final)
    phases = list(result.phases)
    phases[index] = new
    return dataclasses.replace(result, phases=tuple(phases))


def without(circuit: Circuit, gate: Gate, *, from_end: bool = False) -> Circuit:
    gates = list(circuit.gates)
    order = range(len(gates) - 1, -1, -1) if from_end else range(len(gates))
    for i in order:
        if gates[i] == gate:
            del gates[i]
            return Circuit(circuit.num_qubits, tuple(gates))
    raise AssertionError(f"{gate} not in the circuit")


# ---- the classic bug: recover without CZ(s, m) ------------------------------------------------
@pytest.mark.parametrize(("n", "j"), CLASSIC)
def test_classic_bug_in_the_logical_circuit(n: int, j: int) -> None:
    result = qclone.compile(single_clone(n, recover=j), None)
    lp = result.logical[1]
    s, m = lp.initial[f"m0.S{j}"], lp.initial[f"m0.N{j}"]
    two = [g for g in lp.circuit.gates if g.is_two_qubit]
    assert two[-2] == Gate("cz", (s, m))  # the recover's CZ(s, m): second-to-last
    buggy = without(lp.circuit, two[-2], from_end=True)
    assert buggy.two_qubit_count() == lp.circuit.two_qubit_count() - 1
    bad = with_phase(result, 1, rebase(buggy, "cx"))
    verdicts = verify(bad, raise_on_failure=False)
    assert [v.ok for v in verdicts] == [True, False]
    assert verdicts[1].phase == 1 and "phase 1" in verdicts[1].reason
    with pytest.raises(VerificationError, match="phase 1"):
        verify(bad)
    # the physics of the bug: the clone lands on N_j (a hidden SWAP), not on S_j
    psi = random_state(np.random.default_rng(n * 10 + j))
    with pytest.raises(AssertionError, match="does not land"):
        assert_recovers_statevector(bad.program, bad, psi)
    state, cmap = run_phases(bad, psi)
    key_qubit = cmap[bad.phases[-1].final[f"m0.N{j}"]]
    assert sv.qubit_fidelity(state, key_qubit, psi) == pytest.approx(1.0, abs=1e-9)


def _recover_without_cz(s: int, m: int, others: list[int]) -> Synthesis:
    syn = synthesize.recover_paper(s, m, others)
    target = Gate("cz", (s, m))
    removed = 0
    blocks = []
    for block in syn.blocks:
        chains = []
        for chain in block:
            kept = [g for g in chain if g != target]
            removed += len(chain) - len(kept)
            if kept:
                chains.append(kept)
        if chains:
            blocks.append(chains)
    assert removed == 1
    return Synthesis(blocks, dict(syn.moves))


@pytest.mark.parametrize("target", [None, "grid:5x5"])
@pytest.mark.parametrize(("n", "j"), CLASSIC)
def test_classic_bug_in_the_routed_circuit(
    n: int, j: int, target: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    program = single_clone(n, recover=j)
    qclone.compile(program, target)  # the real synthesis passes
    monkeypatch.setitem(synthesize.RECOVER_STRATEGIES, "exact", _recover_without_cz)
    # the teleport strategy routes the paper's recover form (ladder and path have their own)
    strategy = "teleport" if target is not None else "auto"
    bad = qclone.compile(program, target, verify=False, clone_strategy=strategy)
    assert bad.logical[1].circuit.two_qubit_count() == 2 * n  # 2n + 1 less the CZ
    verdicts = verify(bad, raise_on_failure=False)
    assert all(v.ok for v in verdicts if v.phase == 0)
    assert any(not v.ok for v in verdicts if v.phase == 1)
    if target is not None:  # both the decomposed and the routed phase are caught
        assert all(not v.ok for v in verdicts if v.phase == 1)
    with pytest.raises(VerificationError, match="phase 1"):
        verify(bad)
    with pytest.raises(VerificationError):
        qclone.compile(program, target, clone_strategy=strategy)  # verify=True is the default
    with pytest.raises(AssertionError, match="does not land"):
        assert_recovers_statevector(program, bad, random_state(np.random.default_rng(n + j)))


@pytest.mark.parametrize(("n", "j"), [(2, 1), (3, 2), (6, 6), (12, 5)])
def test_classic_bug_in_the_ladder_recovery(
    n: int, j: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The grid ladder's own recover (tree fan-outs) without its final CZ(s, m) fails too."""
    from qclone.passes import ladder

    program = single_clone(n, recover=j)
    good = qclone.compile(program, "grid:6x6", clone_strategy="ladder")
    assert "ladder" in good.phases[1].strategy
    real = ladder.recover_tree

    def without_cz(s: int, m: int, others: list[int], *args: object) -> Synthesis:
        syn = real(s, m, others, *args)  # type: ignore[arg-type]
        blocks = [
            [[g for g in ch if not (g.name == "cz" and set(g.qubits) == {s, m})] for ch in b]
            for b in syn.blocks
        ]
        return Synthesis(blocks, dict(syn.moves))

    monkeypatch.setattr(ladder, "recover_tree", without_cz)
    bad = qclone.compile(program, "grid:6x6", clone_strategy="ladder", verify=False)
    assert "ladder" in bad.phases[1].strategy
    assert bad.cost.two_qubit == good.cost.two_qubit - 1
    with pytest.raises(VerificationError, match="phase 1"):
        verify(bad)


# ---- other broken circuits ----------------------------------------------------------------------
@pytest.mark.parametrize("target", [None, "grid:4x4", "line:9"])
@pytest.mark.parametrize("n", [2, 3, 4])
def test_wrong_pauli_frame_on_the_data_fails(n: int, target: str | None) -> None:
    result = qclone.compile(single_clone(n, recover=1), target)
    ph = result.phases[0]
    z = Gate("z", (ph.initial["psi"],))
    bad = with_phase(result, 0, Circuit(ph.circuit.num_qubits, (z, *ph.circuit.gates)))
    reasons = failing(bad)
    assert reasons and all("phase 0" in r for r in reasons)
    with pytest.raises(VerificationError):
        verify(bad)
    # a Z at the end on a clone is a wrong frame as well
    z_end = Gate("z", (ph.final["m0.S2"],))
    bad_end = with_phase(result, 0, Circuit(ph.circuit.num_qubits, (*ph.circuit.gates, z_end)))
    assert failing(bad_end)


@pytest.mark.parametrize("target", [None, "grid:5x5"])
def test_ancilla_left_entangled_fails(target: str | None) -> None:
    result = qclone.compile(single_clone(3, recover=2), target)
    for index in (0, 1):
        ph = result.phases[index]
        used = set(ph.circuit.used_qubits()) | set(ph.initial.values()) | set(ph.final.values())
        num = ph.circuit.num_qubits
        free = min(set(range(num)) - used) if num > len(used) else num
        num = max(num, free + 1)
        s = ph.final["m0.S1"]
        entangle = Gate("cx", (s, free))
        bad = with_phase(result, index, Circuit(num, (*ph.circuit.gates, entangle)))
        reasons = failing(bad)
        assert reasons and "entangle" in " ".join(reasons), reasons
        # the same ancilla, used and returned to |0>, is fine
        ok = with_phase(result, index, Circuit(num, (*ph.circuit.gates, entangle, entangle)))
        assert not failing(ok)


def _drop_fanout_cx(a: int, s: list[int], k: list[int]) -> Synthesis:
    syn = synthesize.clone_teleport(a, s, k)
    for block in syn.blocks:
        if len(block) == 2 and all(g.name == "cx" for ch in block for g in ch):
            block[0].pop(0)  # the first CX of the fan-out along the signals
            return syn
    raise AssertionError("no fan-out block found")


@pytest.mark.parametrize("target", [None, "grid:5x5", "heavy-hex:5", "all-to-all:11"])
@pytest.mark.parametrize("n", [2, 3, 5])
def test_dropping_one_fanout_cx_fails(
    n: int, target: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    program = single_clone(n)
    good = qclone.compile(program, target, clone_strategy="teleport")
    monkeypatch.setitem(synthesize.CLONE_STRATEGIES, "teleport", _drop_fanout_cx)
    bad = qclone.compile(program, target, clone_strategy="teleport", verify=False)
    assert bad.cost.logical_two_qubit == good.cost.logical_two_qubit - 1
    reasons = failing(bad)
    assert reasons and all("phase 0" in r for r in reasons)
    with pytest.raises(VerificationError):
        qclone.compile(program, target, clone_strategy="teleport")


@pytest.mark.parametrize("mode", ["exact", "functional"])
@pytest.mark.parametrize("strategy", sorted(synthesize.CLONE_STRATEGIES))
@pytest.mark.parametrize("n", [2, 3, 4])
def test_dropping_any_single_gate_fails(n: int, strategy: str, mode: str) -> None:
    """Every gate of the syntheses matters: deleting any one of them is caught."""
    result = qclone.compile(
        single_clone(n, recover=n, mode=mode),  # type: ignore[arg-type]
        None,
        clone_strategy=strategy,
    )
    for index, lp in enumerate(result.logical):
        gates = lp.circuit.gates
        for i in range(len(gates)):
            c = Circuit(lp.circuit.num_qubits, gates[:i] + gates[i + 1 :])
            assert failing(with_phase(result, index, rebase(c, "cx"))), (index, i, gates[i])


def test_wrong_final_layout_fails() -> None:
    """Claiming S_j ends where N_j does (the hidden SWAP in the bookkeeping) is caught."""
    result = qclone.compile(single_clone(3, recover=2), "grid:4x4")
    ph = result.phases[1]
    final = dict(ph.final)
    final["m0.S2"], final["m0.N2"] = final["m0.N2"], final["m0.S2"]
    assert failing(with_phase(result, 1, ph.circuit, final=final))


def test_swap_with_matching_layout_passes() -> None:
    """Moving a wire with a SWAP and recording the move is still correct."""
    result = qclone.compile(single_clone(3, recover=2), None)
    ph = result.phases[1]
    a, b = ph.final["m0.S2"], ph.final["m0.S1"]
    final = dict(ph.final)
    final["m0.S2"], final["m0.S1"] = b, a
    moved = Circuit(ph.circuit.num_qubits, (*ph.circuit.gates, Gate("swap", (a, b))))
    assert not failing(with_phase(result, 1, moved, final=final))
    assert failing(with_phase(result, 1, moved))  # the same SWAP, unrecorded


def test_verify_reports_every_phase() -> None:
    result = qclone.compile(single_clone(2, recover=1), "line:5")
    verdicts = verify(result, raise_on_failure=False)
    assert len(verdicts) == 4 and all(v.ok for v in verdicts)  # decomposed + routed, 2 phases
    assert [v.phase for v in verdicts] == [0, 0, 1, 1]


def test_functional_recover_then_clone_in_one_phase_verifies() -> None:
    p = Program()
    m0 = p.clone(p.data("psi"), copies=2)
    out = p.recover(m0, copy=1, mode="functional")
    m1 = p.clone(out, copies=2)  # same phase as the recover
    p.recover(m1, copy=2)
    result = qclone.compile(p, None, verify=False)
    # the statevector says the compiled program is right ...
    assert_recovers_statevector(p, result, random_state(np.random.default_rng(0)))
    # ... and verify should agree
    assert not failing(result)


# ---- correct circuits pass, up to n = 40 --------------------------------------------------------
def _target_for(family: str, n: int) -> str:
    q = 2 * n + 1
    if family == "line":
        return f"line:{q}"
    if family == "ring":
        return f"ring:{q + 2}"
    if family == "grid":
        side = math.isqrt(q - 1) + 1
        return f"grid:{side}x{side}"
    if family == "heavy-hex":
        return "heavy-hex:5" if q <= 57 else "heavy-hex:7"
    return f"all-to-all:{q}"


def _random_connected(q: int, seed: int) -> qclone.Target:
    """A random connected graph: a random spanning tree plus as many random edges."""
    import networkx as nx

    g = nx.random_labeled_tree(q + 3, seed=seed)
    extra = nx.gnm_random_graph(q + 3, q, seed=seed + 1)
    g.add_edges_from(extra.edges)
    from qclone.targets import from_graph

    return from_graph(g, name=f"random{seed}")


@settings(max_examples=40, deadline=None)
@given(
    st.integers(2, 40).flatmap(lambda n: st.tuples(st.just(n), st.integers(1, n))),
    st.sampled_from(["line", "ring", "grid", "heavy-hex", "all-to-all"]),
    st.sampled_from(["exact", "functional"]),
)
def test_correct_circuits_pass(nj: tuple[int, int], family: str, mode: str) -> None:
    n, j = nj
    program = single_clone(n, recover=j, mode=mode)  # type: ignore[arg-type]
    result = assert_compiles_and_verifies(program, _target_for(family, n))
    assert len(result.phases) == 2


@settings(max_examples=30, deadline=None)
@given(
    st.integers(2, 40).flatmap(lambda n: st.tuples(st.just(n), st.integers(1, n))),
    st.integers(0, 10_000),
    st.sampled_from(["exact", "functional"]),
)
def test_correct_circuits_pass_on_random_connected_graphs(
    nj: tuple[int, int], seed: int, mode: str
) -> None:
    n, j = nj
    program = single_clone(n, recover=j, mode=mode)  # type: ignore[arg-type]
    target = _random_connected(2 * n + 1, seed)
    result = assert_compiles_and_verifies(program, target)
    assert result.cost.strategy  # says which strategy ran


@pytest.mark.parametrize("n", [2, 7, 40])
def test_correct_circuits_pass_without_target(n: int) -> None:
    assert_compiles_and_verifies(single_clone(n, recover=n // 2 + 1), None)


@pytest.mark.parametrize("strategy", ["teleport", "textbook"])
@pytest.mark.parametrize("mode", ["exact", "functional"])
def test_logical_two_qubit_count_matches_formula(mode: str, strategy: str) -> None:
    for n in range(2, 41):
        program = single_clone(n, recover=(n + 1) // 2, mode=mode)  # type: ignore[arg-type]
        result = qclone.compile(program, None, clone_strategy=strategy)
        expected = logical_two_qubit_count(program, strategy)
        assert result.cost.logical_two_qubit == expected, n
        assert sum(ph.circuit.two_qubit_count() for ph in result.logical) == expected, n
        # per op, as in the table of qclone.passes.synthesize
        clone = 3 * n + n % 2 if strategy == "teleport" else 5 * n
        recover = 2 * n + 1 if mode == "exact" else (3 * n - n % 2) // 2  # ceil((3n - 1)/2)
        assert [ph.circuit.two_qubit_count() for ph in result.logical] == [clone, recover], n


def test_whole_program_on_all_to_all_costs_at_most_6n() -> None:
    for n in range(2, 41):
        result = qclone.compile(single_clone(n, recover=1), f"all-to-all:{2 * n + 1}")
        assert result.cost.swaps == 0
        assert result.cost.two_qubit <= 6 * n, (n, result.cost.two_qubit)
        assert result.cost.two_qubit == result.cost.logical_two_qubit


# ---- helpers -----------------------------------------------------------------------------------
def test_testing_module_imports_without_frameworks() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "for m in ('cirq', 'pytket', 'qiskit'): sys.modules[m] = None\n"
        "import numpy as np\n"
        "import qclone.testing as t\n"
        "from qclone.ir import single_clone\n"
        "p = single_clone(2, recover=1)\n"
        "r = t.assert_compiles_and_verifies(p, 'line:5')\n"
        "t.assert_recovers_statevector(p, r, t.random_state(np.random.default_rng(0)))\n"
        "t.assert_clones_secret(r, [1, 0])\n"
        "bad = [m for m in ('cirq', 'pytket', 'qiskit') if sys.modules.get(m) is not None]\n"
        "assert not bad, bad\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
