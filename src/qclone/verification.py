"""Exact verification of compiled phases against the program's meaning (stim tableaux).

For each phase, with ``C`` the compiled circuit and ``R`` the reference meaning of the phase
(:mod:`qclone.semantics.reference`) placed on the phase's *final* layout, the tableau
``T = R^-1 . C`` must act as the identity on the phase's input space:

* a wire that holds a state at the start of the phase (a data qubit, a clone, a key) is an
  arbitrary input: ``T`` must map its X and Z to themselves, moved from the wire's initial to
  its final qubit, times only Z's on qubits that must end in ``|0>``;
* a wire that is still fresh (created by a clone in this or a later phase) and every device
  qubit that holds no wire starts in ``|0>``: ``T`` must map its Z to Z's on such qubits only.

This proves the clone an isometry equal to the protocol's on every input state, the exact
recover equal to U_dec(j) on every input, and every other wire untouched, all up to global
phase and the layout's permutation. A functional recover only promises that its data lands on
the clone's qubit; its key qubits are excluded from the tableau check and the promise is
checked on the encrypted input state by stabilizer simulation.

On top, :func:`check_secrecy` proves the security property itself on the routed circuit of
every phase that clones: each of the module's qubits alone (A, every clone, every key qubit)
is maximally mixed and uncorrelated with every input, in the Heisenberg picture.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from qclone.errors import VerificationError, WrongArgumentType
from qclone.ir.ops import Clone, Recover, key_wire, signal_wire
from qclone.semantics.reference import phase_reference

if TYPE_CHECKING:
    import stim

    from qclone.compiled import CompileResult, PhaseCircuit
    from qclone.ir.program import Analysis, OpInfo


@dataclass(frozen=True)
class PhaseVerdict:
    """The verdict of one phase: ``ok``, the first failure's ``reason``, and the checks that ran.

    ``checks`` names them: ``"equivalence"`` (the tableau proof) and, for the routed circuit of a
    phase that clones, ``"secrecy"`` (:func:`check_secrecy`).
    """

    phase: int
    ok: bool
    reason: str = ""
    checks: tuple[str, ...] = ("equivalence",)


def _compact(phase: PhaseCircuit, wires: tuple[str, ...]) -> tuple[dict[int, int], int]:
    used = set(phase.circuit.used_qubits())
    used.update(phase.initial[w] for w in wires)
    used.update(phase.final[w] for w in wires)
    order = sorted(used)
    return {q: i for i, q in enumerate(order)}, len(order)


def _mapped_stim(phase: PhaseCircuit, cmap: dict[int, int], num: int) -> stim.Circuit:
    return phase.circuit.mapped(cmap, num).to_stim()


def _remap(ref: stim.Circuit, slot_to_qubit: list[int]) -> stim.Circuit:
    """Rewrite a reference circuit on wire indices onto the given qubits."""
    import stim

    out = stim.Circuit()
    for inst in ref:
        targets = []
        for t in inst.targets_copy():
            if t.is_combiner:
                targets.append(t)
            elif t.is_x_target:
                targets.append(stim.target_x(slot_to_qubit[t.value]))
            elif t.is_z_target:
                targets.append(stim.target_z(slot_to_qubit[t.value]))
            elif t.is_y_target:
                targets.append(stim.target_y(slot_to_qubit[t.value]))
            else:
                targets.append(slot_to_qubit[t.value])
        out.append(inst.name, targets)
    return out


def _live_at(analysis: Analysis, phase: int) -> set[str]:
    """Wires that hold a state at the start of ``phase``: data wires and earlier modules."""
    live = set(analysis.data_wires)
    for info in analysis.ops:
        if isinstance(info.op, Clone) and info.phase < phase:
            live.update(info.wires)
    return live


def verify_phase(result: CompileResult, index: int, *, logical: bool = False) -> PhaseVerdict:
    import stim

    analysis = result.analysis
    phase = (result.logical if logical else result.phases)[index]
    wires = analysis.wires
    windex = {w: i for i, w in enumerate(wires)}
    cmap, num = _compact(phase, wires)
    live = _live_at(analysis, index)
    junk: set[str] = set()
    functional = []
    for info in analysis.phase_ops(index):
        if isinstance(info.op, Recover) and info.op.mode == "functional":
            junk.update(info.wires)  # the clone's qubit is checked by simulation below
            functional.append(info)
    ref = phase_reference(analysis, index, windex)
    final_q = [cmap[phase.final[w]] for w in wires]
    init_q = {w: cmap[phase.initial[w]] for w in wires}
    circ = _mapped_stim(phase, cmap, num)
    # T = R^-1 . C. A TableauSimulator keeps the inverse of what it ran, and is much faster
    # than Tableau.from_circuit on large circuits, so run T^-1 = C^-1 . R and read T off it.
    sim = stim.TableauSimulator()
    sim.set_num_qubits(num)
    sim.do_circuit(_remap(ref, final_q))
    sim.do_circuit(circ.inverse())
    tab = sim.current_inverse_tableau()
    if len(tab) < num:
        tab = tab + stim.Tableau(num - len(tab))
    final_of = {w: final_q[i] for i, w in enumerate(wires)}
    out_zero = set(range(num)) - {final_of[w] for w in wires if w in live or w in junk}
    out_zero_mask = [q in out_zero for q in range(num)]
    in_zero = set(range(num)) - {init_q[w] for w in wires if w in live or w in junk}

    if _fast_check(tab, num, wires, live, junk, init_q, final_of, out_zero, in_zero):
        for info in functional:
            verdict = _check_functional(result, index, info, phase, cmap, num)
            if verdict is not None:
                return verdict
        return PhaseVerdict(index, True)

    # something failed: find the first failing generator and say what is wrong with it
    def bad(w: str, msg: str) -> PhaseVerdict:
        role = analysis.roles.get(w, w)
        return PhaseVerdict(index, False, f"phase {index}: {role}: {msg}")

    for w in wires:
        if w not in live or w in junk:
            continue
        q_in, q_out = init_q[w], final_of[w]
        for kind, p in (("X", tab.x_output(q_in)), ("Z", tab.z_output(q_in))):
            xs, zs = p.to_numpy()
            want_x = kind == "X"
            if p.sign != 1:
                return bad(w, f"{kind} picks up a sign (a wrong Pauli frame)")
            if xs[q_out] != want_x or zs[q_out] == want_x:
                return bad(
                    w, f"{kind} does not end on its qubit {q_out}: the state moved or changed"
                )
            for q in xs.nonzero()[0]:
                if q != q_out:
                    return bad(w, f"{kind} spreads to qubit {q}: the wire is entangled with others")
            for q in zs.nonzero()[0]:
                if q != q_out and not out_zero_mask[q]:
                    return bad(w, f"{kind} spreads to qubit {q}: the wire is entangled with others")
    for q in sorted(in_zero):
        p = tab.z_output(q)
        xs, zs = p.to_numpy()
        if p.sign != 1 or xs.any() or any(not out_zero_mask[r] for r in zs.nonzero()[0]):
            return PhaseVerdict(
                index,
                False,
                f"phase {index}: a qubit that starts in |0> (qubit {q}) is not "
                "mapped onto the protocol's state (wrong isometry or leftover entanglement)",
            )
    for info in functional:
        verdict = _check_functional(result, index, info, phase, cmap, num)
        if verdict is not None:
            return verdict
    return PhaseVerdict(index, True)


def _check_functional(
    result: CompileResult,
    index: int,
    info: OpInfo,
    phase: PhaseCircuit,
    cmap: dict[int, int],
    num: int,
) -> PhaseVerdict | None:
    """The data of a functional recover lands on the clone's qubit as a tensor factor.

    Both the compiled phase and the reference phase (with the exact U_dec) run on the
    encrypted input state (earlier phases as their reference, one reference qubit per data
    wire). Every stabilizer of the reference state that avoids the recovery's key qubits must
    hold in the compiled state. The stabilizers are put in canonical form with the key qubits
    first, so the rows that avoid them generate exactly that subgroup.
    """
    import stim

    assert isinstance(info.op, Recover)
    analysis = result.analysis
    wires = analysis.wires
    windex = {w: i for i, w in enumerate(wires)}
    total = num + len(analysis.data_wires)
    final = [cmap[phase.final[w]] for w in wires]
    # the keys of every functional recovery in this phase are junk afterwards, not only
    # this one's (a phase may hold several, e.g. of nested modules)
    spent = [
        w
        for other in analysis.ops
        if other.phase == info.phase
        and isinstance(other.op, Recover)
        and other.op.mode == "functional"
        for w in other.wires[1:]
    ]
    junk = sorted({final[windex[w]] for w in [*info.wires[1:], *spent]})
    order = junk + [q for q in range(total) if q not in set(junk)]
    relabel = [0] * total
    for i, q in enumerate(order):
        relabel[q] = i
    init = [relabel[cmap[phase.initial[w]]] for w in wires]
    fin = [relabel[q] for q in final]
    refs = {w: relabel[num + i] for i, w in enumerate(analysis.data_wires)}

    def start() -> stim.TableauSimulator:
        sim = stim.TableauSimulator()
        sim.set_num_qubits(total)
        for w, r in refs.items():
            sim.h(r)
            sim.cx(r, init[windex[w]])
        for p in range(index):
            sim.do(_remap(phase_reference(analysis, p, windex), init))
        return sim

    got = start()
    got.do(phase.circuit.mapped({q: relabel[c] for q, c in cmap.items()}, total).to_stim())
    root = _root_value(analysis, info.op.module)
    if root is not None:
        # the other wires are covered by the tableau check: only the data's landing is left
        s_out = fin[windex[info.wires[0]]]
        for kind in "XZ":
            obs = stim.PauliString(total)
            obs[s_out] = kind
            obs[refs[root]] = kind
            if got.peek_observable_expectation(obs) != 1:
                return PhaseVerdict(
                    index,
                    False,
                    f"phase {index}: {info.op.text()!r}: the data does not land on clone "
                    f"{info.op.copy}'s qubit ({kind}{kind} with the input is not +1)",
                )
        return None
    want = start()
    want.do(_permutation_circuit(init, fin, total))
    want.do(_remap(phase_reference(analysis, index, windex), fin))
    for stab in want.canonical_stabilizers():
        xs, zs = stab.to_numpy()
        if any(xs[i] or zs[i] for i in range(len(junk))):
            continue
        if got.peek_observable_expectation(stab) != 1:
            return PhaseVerdict(
                index,
                False,
                f"phase {index}: {info.op.text()!r}: the data does not land on clone "
                f"{info.op.copy}'s qubit, or the qubits other than the key differ from the "
                "protocol's",
            )
    return None


def _fast_check(
    tab: stim.Tableau,
    num: int,
    wires: tuple[str, ...],
    live: set[str],
    junk: set[str],
    init_q: dict[str, int],
    final_of: dict[str, int],
    out_zero: set[int],
    in_zero: set[int],
) -> bool:
    """The same conditions as the per-wire loop, on the bit-packed tableau at once."""
    import numpy as np

    x2x, x2z, z2x, z2z, x_signs, z_signs = tab.to_numpy(bit_packed=True)
    nbytes = x2x.shape[1]

    def packed(qubits: list[int]) -> np.ndarray:
        rows = np.zeros((len(qubits), nbytes), dtype=np.uint8)
        if qubits:
            idx = np.asarray(qubits)
            rows[np.arange(len(qubits)), idx // 8] = (1 << (idx % 8)).astype(np.uint8)
        return rows

    keep_bits = np.ones(num, dtype=bool)
    keep_bits[list(out_zero)] = False
    keep = np.packbits(keep_bits, bitorder="little")
    keep = np.pad(keep, (0, nbytes - len(keep)))
    xs = np.unpackbits(x_signs, bitorder="little")[:num].astype(bool)
    zs = np.unpackbits(z_signs, bitorder="little")[:num].astype(bool)
    checked = [w for w in wires if w in live and w not in junk]
    rin = np.asarray([init_q[w] for w in checked], dtype=np.int64)
    unit = packed([final_of[w] for w in checked])
    if len(rin):
        if xs[rin].any() or zs[rin].any():
            return False
        if not np.array_equal(x2x[rin], unit) or (x2z[rin] & keep).any():
            return False
        if z2x[rin].any() or not np.array_equal(z2z[rin] & keep, unit):
            return False
    zin = np.asarray(sorted(in_zero), dtype=np.int64)
    return not (len(zin) and (zs[zin].any() or z2x[zin].any() or (z2z[zin] & keep).any()))


def _root_value(analysis: Analysis, module: str) -> str | None:
    """The data wire whose value ``module`` encrypts, or None for a clone of a clone."""
    for info in analysis.ops:
        if isinstance(info.op, Clone) and info.op.module == module:
            return info.op.data if info.op.data in analysis.data_wires else None
    return None


def _permutation_circuit(src: list[int], dst: list[int], num: int) -> stim.Circuit:
    """SWAPs that move the content of qubit ``src[i]`` to qubit ``dst[i]``."""
    import stim

    where = list(range(num))  # where[c]: position of the content that started at c
    at = list(range(num))  # at[p]: the content now at position p
    c = stim.Circuit()
    for s, d in zip(src, dst, strict=True):
        p = where[s]
        if p == d:
            continue
        c.append("SWAP", [p, d])
        other = at[d]
        at[p], at[d] = other, s
        where[s], where[other] = d, p
    return c


# ---- secrecy ------------------------------------------------------------------------------
#: Bits (x, z) of a Pauli letter.
_LETTER = {(1, 0): "X", (1, 1): "Y", (0, 1): "Z"}


def _module_qubits(analysis: Analysis, info: OpInfo) -> list[tuple[str, str]]:
    """``(wire, label)`` for A, S_1..S_n, N_1..N_n of a clone (module-prefixed labels when the
    program has several modules; the reason names the wire as well)."""
    assert isinstance(info.op, Clone)
    prefix = "" if len(analysis.modules) == 1 else f"{info.op.module}."
    out = [(info.op.data, f"{prefix}A")]
    for k in range(1, int(info.op.copies) + 1):
        out.append((signal_wire(info.op.module, k), f"{prefix}S{k}"))
        out.append((key_wire(info.op.module, k), f"{prefix}N{k}"))
    return out


def check_secrecy(
    result: CompileResult, index: int, *, logical: bool = False
) -> PhaseVerdict | None:
    """Every qubit of every module cloned in phase ``index`` is, alone, secret after the phase.

    Secret means: the qubit (A, each clone S_k, each key qubit N_k, at its final position) is
    maximally mixed and uncorrelated with a reference that purifies every input of the phase
    (the data and every earlier module's qubits), so it says nothing about any input state,
    pure, mixed or entangled. In the Heisenberg picture, with ``C`` the phase's circuit: for
    each of X, Y, Z on the qubit, ``C^dagger P C`` must have an X or Y factor on some qubit that
    starts the phase in ``|0>`` (then ``<P (x) Q_ref> = 0`` for every reference Pauli ``Q``);
    otherwise ``P`` is correlated with the input Pauli that the image carries, or fixed. One
    inverse tableau gives all images at once; the test is vectorized over its bit-packed rows,
    so thousands of clones take a few seconds.

    Returns ``None`` if the phase clones nothing, else a verdict with ``checks=("secrecy",)``
    whose reason names the first leaking qubit and what it leaks.
    """
    import numpy as np
    import stim

    analysis = result.analysis
    clones = [i for i in analysis.phase_ops(index) if isinstance(i.op, Clone)]
    if not clones:
        return None
    phase = (result.logical if logical else result.phases)[index]
    wires = analysis.wires
    cmap, num = _compact(phase, wires)
    live = _live_at(analysis, index)
    live_at = {cmap[phase.initial[w]]: w for w in wires if w in live}
    sim = stim.TableauSimulator()
    sim.set_num_qubits(num)
    sim.do_circuit(_mapped_stim(phase, cmap, num))
    inv = sim.current_inverse_tableau()  # P -> C^dagger P C
    if len(inv) < num:
        inv = inv + stim.Tableau(num - len(inv))
    x2x, x2z, z2x, z2z, _, _ = inv.to_numpy(bit_packed=True)
    fresh_bits = np.ones(num, dtype=bool)
    fresh_bits[list(live_at)] = False
    fresh = np.packbits(fresh_bits, bitorder="little")
    fresh = np.pad(fresh, (0, x2x.shape[1] - len(fresh)))
    checked = [(w, label) for info in clones for w, label in _module_qubits(analysis, info)]
    rows = np.asarray([cmap[phase.final[w]] for w, _ in checked], dtype=np.int64)
    x_img, z_img = x2x[rows], z2x[rows]
    hidden = np.stack(
        [
            (x_img & fresh).any(axis=1),
            ((x_img ^ z_img) & fresh).any(axis=1),
            (z_img & fresh).any(axis=1),
        ],
        axis=1,
    )
    bad = np.nonzero(~hidden.all(axis=1))[0]
    if not len(bad):
        return PhaseVerdict(index, True, checks=("secrecy",))

    def image(q: int, letter: str) -> tuple[np.ndarray, np.ndarray]:
        xs = np.zeros(x2x.shape[1], dtype=np.uint8)
        zs = np.zeros(x2x.shape[1], dtype=np.uint8)
        if letter in "XY":
            xs ^= x2x[q]
            zs ^= x2z[q]
        if letter in "ZY":
            xs ^= z2x[q]
            zs ^= z2z[q]
        unpack = np.unpackbits
        return unpack(xs, bitorder="little")[:num], unpack(zs, bitorder="little")[:num]

    first = int(bad[0])
    w, label = checked[first]
    q = int(rows[first])
    leaks: list[str] = []
    components: dict[str, set[str]] = {}
    for col, letter in enumerate("XYZ"):
        if hidden[first, col]:
            continue
        xs, zs = image(q, letter)
        support = [
            (live_at[c], _LETTER[(int(xs[c]), int(zs[c]))])
            for c in sorted(live_at)
            if xs[c] or zs[c]
        ]
        if not support:
            leaks.append(f"its {letter} is fixed (+1 or -1) for every input: it is not mixed")
        elif len(support) == 1:
            src, comp = support[0]
            components.setdefault(src, set()).add(comp)
            leaks.append(f"its {letter} reveals the {comp} component of {src}")
        else:
            joint = " ".join(f"{c}({s})" for s, c in support)
            leaks.append(f"its {letter} is correlated with the input Pauli {joint}")
    summary = ""
    for src, comps in components.items():
        if comps == {"X", "Y", "Z"}:
            summary = f" (it holds {src} in the clear)"
    more = f"; {len(bad) - 1} more qubit(s) of the phase leak too" if len(bad) > 1 else ""
    reason = (
        f"phase {index}: secrecy: {label} (wire {w}, qubit {phase.final[w]}) alone is not "
        f"secret after the clone: {'; '.join(leaks)}{summary}{more}"
    )
    return PhaseVerdict(index, False, reason, checks=("secrecy",))


def _with_secrecy(v: PhaseVerdict, s: PhaseVerdict) -> PhaseVerdict:
    reason = "; ".join(r for r in (v.reason, s.reason) if r)
    return PhaseVerdict(v.phase, v.ok and s.ok, reason, (*v.checks, *s.checks))


def verify(
    result: CompileResult, *, raise_on_failure: bool = True, secrecy: bool = True
) -> list[PhaseVerdict]:
    """Prove every compiled phase (and every decomposed phase) equal to its meaning.

    With ``secrecy=True`` (the default) the routed circuit of every phase that clones is also
    checked for secrecy (:func:`check_secrecy`); its verdict then lists
    ``checks=("equivalence", "secrecy")`` and a leak fails it, with a reason naming the qubit
    and what it leaks.

    Raises :class:`~qclone.errors.VerificationError` naming the first failing phase, unless
    ``raise_on_failure=False``, in which case the verdicts are returned.
    """
    from qclone.compiled import CompileResult as _Result

    if not isinstance(result, _Result):
        raise WrongArgumentType(
            f"verify() needs the CompileResult that qclone.compile returns, got "
            f"{type(result).__name__}; compile the program first: qclone.compile(program, target)"
        )
    verdicts = []
    for i in range(len(result.phases)):
        for logical in (True, False) if result.target is not None else (False,):
            v = verify_phase(result, i, logical=logical)
            if not v.ok and logical:
                v = PhaseVerdict(v.phase, False, "decomposed " + v.reason)
            if secrecy and not logical:
                s = check_secrecy(result, i)
                if s is not None:
                    v = _with_secrecy(v, s)
            verdicts.append(v)
            if not v.ok and raise_on_failure:
                raise VerificationError(v.reason)
    return verdicts
