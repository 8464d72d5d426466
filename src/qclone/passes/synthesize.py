"""Gate-level syntheses of the protocol's operations, on slot indices.

Each synthesis returns a :class:`Synthesis`: a list of *blocks* in order, each block a list of
*chains* (gate sequences) that commute with each other, so a router may interleave them in any
order; plus the permutation the synthesis applies to the roles (``moves``: the wire whose content
now sits on another slot).

Forms (two-qubit gate counts; all checked against the reference meaning by ``qclone.verify``):

================  ======================  ==================================================
operation         strategy                two-qubit gates
================  ======================  ==================================================
clone             ``textbook``            ``5n`` (n Bell pairs, CNOT ladders for U_enc)
clone             ``teleport`` (default)  ``3n`` for even n, ``3n + 1`` for odd n
clone             ``path``                ``5n - 2`` (+1 for odd n), nearest-neighbour on a path
clone             dominoes (trees)        ``5n - 2`` (+1), plus ``4k - 1`` per pair stretched
                                          over ``k`` qubits (:func:`clone_dominoes`)
clone             ladder (grids)          ``3n`` (+1) plus 4 per bridge, no SWAP
                                          (:mod:`qclone.passes.ladder`)
clone             keypath (any graph)     ``5n - 2`` (+1): ``n`` Bell pairs and U_dec^dagger
                                          walked along a path of keys, plus ``2k`` per pair
                                          stretched over ``k`` qubits
                                          (:func:`clone_keypath`)
clone             keypath sweep           ``4n + 1`` with every clone beside its key: the
                                          data's Bell bits swept down the keys, plus ``2k - 1``
                                          per pair stretched over ``k`` qubits
                                          (:func:`qclone.passes.sweep.clone_keypath_sweep`)
recover exact     ``paper``               ``2n + 1`` (the gate form of arXiv:2501.02757)
recover exact     ``walk`` (paths)        ``10n - 13`` nearest-neighbour, controls walk the line
recover exact     ``roam`` (any layout)   ``4n`` plus 6 per slot the controls pass; no SWAP
                                          beyond those (:func:`recover_roam`)
recover exact     tree (grids)            about ``4n`` plus bridges, no SWAP
recover function  ``paired``              ``ceil((3n - 1)/2)``, the lower bound, log depth
recover function  collapse (key paths)    ``2n`` (``2n - 1`` for odd n when the keys start
                                          beside ``s``): :mod:`qclone.passes.collapse`
================  ======================  ==================================================

The ``teleport`` clone prepares the isometry (Bell pairs and U_enc) directly: the data is
teleported into a fresh pair while its Bell index is fanned out to all other pairs. It relabels:
the data's slot ends as clone S_1 and S_1's slot ends as the source qubit A.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from qclone.circuit import Gate
from qclone.passes.paulis import Strings, recovery_strings

Chain = list[Gate]
Block = list[Chain]


@dataclass
class Synthesis:
    blocks: list[Block] = field(default_factory=list)
    # slot relabelling: maps a slot to the slot whose content it ends up holding
    moves: dict[int, int] = field(default_factory=dict)

    def seq(self, *gates: tuple[str, int] | tuple[str, int, int]) -> None:
        """Append gates one block each (no reordering freedom)."""
        for g in gates:
            self.blocks.append([[Gate(g[0], tuple(g[1:]))]])

    def block(self, chains: list[list[tuple[str, int] | tuple[str, int, int]]]) -> None:
        self.blocks.append([[Gate(g[0], tuple(g[1:])) for g in ch] for ch in chains if ch])

    def gates(self) -> list[Gate]:
        return [g for b in self.blocks for ch in b for g in ch]

    def two_qubit_cost(self) -> int:
        """Two-qubit gates once lowered: a SWAP counts three (CZ/CX), every other gate one."""
        return sum(3 if g.name == "swap" else 1 for g in self.gates() if g.is_two_qubit)


def teleport_start(x: int, y: int, z: int, *, px: int, py: int, cz: bool) -> Synthesis:
    """The start of every teleport-style clone: the Bell pair (N1 = ``y``, new A = ``z``), the
    Bell index of (data ``x``, ``y``) turned into bits (w on ``x``, u on ``y``), and the phase
    fix on those bits: ``S**px`` on ``x``, ``S**py`` on ``y``, and a CZ if ``cz``."""
    power = {0: (), 1: ("s",), 2: ("z",), 3: ("sdg",)}
    out = Synthesis()
    out.seq(("h", y), ("cx", y, z))
    out.seq(("cx", x, y), ("h", x))
    out.seq(*[(g, x) for g in power[px % 4]], *[(g, y) for g in power[py % 4]])
    if cz:
        out.seq(("cz", x, y))
    return out


def clone_textbook(a: int, s: list[int], k: list[int]) -> Synthesis:
    """Bell pairs, then exp(-i pi/4 Z..Z) and exp(-i pi/4 X..X) as CNOT ladders (5n CNOTs)."""
    out = Synthesis()
    out.block([[("h", si), ("cx", si, ki)] for si, ki in zip(s, k, strict=True)])
    chain = [a, *s]
    # Z parity: ladder onto the last qubit, S (= exp(-i pi/4 Z) up to phase), unladder
    out.seq(*[("cx", chain[i], chain[i + 1]) for i in range(len(chain) - 1)])
    out.seq(("s", chain[-1]))
    out.seq(*[("cx", chain[i], chain[i + 1]) for i in reversed(range(len(chain) - 1))])
    out.block([[("h", q)] for q in chain])
    out.seq(*[("cx", chain[i], chain[i + 1]) for i in range(len(chain) - 1)])
    out.seq(("s", chain[-1]))
    out.seq(*[("cx", chain[i], chain[i + 1]) for i in reversed(range(len(chain) - 1))])
    out.block([[("h", q)] for q in chain])
    return out


def clone_teleport(a: int, s: list[int], k: list[int]) -> Synthesis:
    """The clone isometry in 3n (+1 for odd n) CNOTs; see the module docstring."""
    n = len(s)
    x, y, z = a, k[0], s[0]  # data slot, key N1, fresh slot that becomes the source A
    out = teleport_start(x, y, z, px=3, py=3, cz=n % 2 == 1)
    s_slots = [x, *s[1:]]
    # fan the two bits out along the S and N chains (the chains commute with each other)
    out.block(
        [
            [("cx", s_slots[i - 1], s_slots[i]) for i in range(1, n)],
            [("cx", k[i - 1], k[i]) for i in range(1, n)],
        ]
    )
    # back to the Bell basis on every pair
    out.block([[("h", s_slots[i]), ("cx", s_slots[i], k[i])] for i in range(n)])
    out.moves = {x: z, z: x}  # slot x now holds clone S1, slot z holds the source A
    return out


def path_order(a: int, s: list[int], k: list[int]) -> list[int]:
    """The slot order that :func:`clone_path` needs along a path of the device.

    ``[S1, N1, A, N2, S2, N3, S3, ...]``: the fresh slot of S1 (which ends as the source A),
    key N1, the data (which ends as clone S1), then each further pair, key first.
    """
    order = [s[0], k[0], a]
    for si, ki in zip(s[1:], k[1:], strict=True):
        order += [ki, si]
    return order


def clone_path(a: int, s: list[int], k: list[int]) -> Synthesis:
    """The clone isometry with nearest-neighbour gates only, along :func:`path_order`.

    After the teleportation step the pair (N1, data) holds the two bits of the Bell index.
    Four CNOTs carry them one pair further down the path (leaving the pair behind with the
    bits ``(u, u xor w)``), and one CNOT per pair returns to the Bell basis. ``5n - 2`` CNOTs
    (+1 for odd n); a cut argument (2 ebits across each pair boundary, 3 inside a pair) puts
    any nearest-neighbour circuit on this order at about ``5n``.
    """
    n = len(s)
    p = path_order(a, s, k)
    z, y, x = p[0], p[1], p[2]
    # phase corrections found by exhaustive search and proven by verify for every n tested
    out = teleport_start(x, y, z, px=3, py=n - 2, cz=n % 2 == 1)
    for i in range(1, n):
        a1, b1, c1, d1 = p[2 * i - 1], p[2 * i], p[2 * i + 1], p[2 * i + 2]
        out.seq(("cx", b1, c1), ("cx", c1, d1), ("cx", a1, b1), ("cx", b1, c1))
    chains: list[list[tuple[str, int] | tuple[str, int, int]]] = []
    for i in range(1, n + 1):
        key, sig = p[2 * i - 1], p[2 * i]
        ch: list[tuple[str, int] | tuple[str, int, int]] = [("h", sig), ("cx", sig, key)]
        if i < n:
            ch += [("s", sig), ("sdg", key)]
        chains.append(ch)
    out.block(chains)
    out.moves = {x: z, z: x}
    return out


# Final two-qubit step per pair in the comb clone, by the pair's bits before it: the key
# qubit N holds v_N and the clone qubit S holds v_S, each a GF(2) combination (u, w) of the
# Bell-index bits (u = the key N1's bit after the teleportation step, w = the data's). Each
# entry: (qubit that gets H first: 0 = N, 1 = S; CNOT (control, target) on (N=0, S=1);
# Clifford words after it on N and on S; the phase i^(alpha u + beta w) (-1)^(gamma u w) the
# step leaves on the branch, relative to the plain "H(S); CX(S -> N)" on (u, w)). Found by
# exhaustive search over one-CNOT steps and checked end to end by ``qclone.verify``.
_PAIR_STEPS: dict[
    tuple[tuple[int, int], tuple[int, int]],
    tuple[int, tuple[int, int], tuple[str, ...], tuple[str, ...], int, int, int],
] = {
    ((1, 0), (0, 1)): (1, (1, 0), (), (), 0, 0, 0),
    ((0, 1), (1, 0)): (0, (0, 1), (), (), 0, 0, 1),
    ((1, 0), (1, 1)): (1, (1, 0), ("s",), ("sdg",), 1, 0, 0),
    ((1, 1), (1, 0)): (0, (0, 1), ("s",), ("sdg",), 3, 0, 1),
    ((0, 1), (1, 1)): (0, (0, 1), ("h", "s", "h"), ("s", "h", "s"), 0, 1, 1),
    ((1, 1), (0, 1)): (0, (0, 1), ("s", "h"), ("h", "s", "h", "s"), 0, 3, 0),
}


def clone_comb(a: int, s: list[int], k: list[int], tooth: list[bool]) -> Synthesis:
    """The nearest-neighbour clone along a path whose pairs may hang off it as teeth.

    Pair 1 is ``(N1, data)`` on the path after the source A, as in :func:`clone_path`. Each
    further pair ``i`` enters the path at its key N_i; a path pair continues with its clone
    S_i on the next path qubit, a tooth pair (``tooth[i]``) has S_i off the path, next to N_i,
    and the path continues from N_i. The same four-CNOT step carries the two bits from pair
    to pair; the bits each pair ends with decide its last step (:data:`_PAIR_STEPS`), and the
    phases those steps leave are undone once, on the two bits, right after teleportation.
    ``5n - 2`` CNOTs (+1 when a phase parity needs the CZ), like :func:`clone_path`.
    """
    n = len(s)
    steps: list[tuple[int, int, int, int]] = []
    exit_a, exit_b = k[0], a  # (other, exit) of the last pair
    for i in range(1, n):
        c, d = k[i], s[i]
        steps.append((exit_a, exit_b, c, d))
        exit_a, exit_b = (d, c) if tooth[i] else (c, d)
    return clone_dominoes(a, s, k, steps)


def clone_dominoes(
    a: int,
    s: list[int],
    k: list[int],
    steps: list[tuple[int, int, int, int]],
    via: Mapping[int, list[int]] | None = None,
) -> Synthesis:
    """The nearest-neighbour clone on a tree of *dominoes* (each pair on two coupled qubits).

    Pair 1 is ``(N1, data)`` with the fresh S1 slot (which ends as the source A) next to N1,
    as in :func:`clone_path`. ``steps[i - 1] = (e_a, e_b, c, d)`` adds pair ``i``
    (``{c, d} = {S_i, N_i}``, coupled) next to an earlier pair ``(e_a, e_b)`` with ``e_b``
    coupled to ``c``: the four-CNOT step of :func:`clone_comb` copies the earlier pair's two
    bits onto the new pair and leaves it with their sum, so a pair may feed several new
    pairs (branches). The bits each pair ends with pick its last step
    (:data:`_PAIR_STEPS`). ``5n - 2`` CNOTs (+1 when a phase parity needs the CZ), no SWAP.

    A *stretched* pair has its two qubits apart: ``via[d]`` lists the qubits between ``c``
    and ``d`` (a path). When that is just ``[e_b]`` (both hang off the earlier pair's qubit)
    the step copies onto ``d`` from ``e_b`` at no extra cost; otherwise the copy goes along
    the path (:func:`long_cx`: ``4k`` CNOTs for ``k`` qubits between, each restored whatever
    it holds). The pair's last CNOT goes along the path as well, in a block of its own before
    the other pairs' last steps: ``4k - 1`` CNOTs more than a domino (3 for the first kind),
    still no SWAP.
    """
    via = dict(via or {})
    n = len(s)
    z, y, x = s[0], k[0], a
    qubits_n = [y, *k[1:]]
    qubits_s = [x, *s[1:]]
    val: dict[int, tuple[int, int]] = {y: (1, 0), x: (0, 1)}
    for e_a, e_b, c, d in steps:
        va, vb = val[e_a], val[e_b]
        val[c], val[d] = va, vb
        val[e_b] = (va[0] ^ vb[0], va[1] ^ vb[1])
    alpha = beta = gamma = 0
    finals = []
    stretched: list[tuple[str, int] | tuple[str, int, int]] = []
    for i in range(n):
        qn, qs = qubits_n[i], qubits_s[i]
        h_on, (ctl, tgt), post_n, post_s, al, be, ga = _PAIR_STEPS[(val[qn], val[qs])]
        alpha, beta, gamma = alpha + al, beta + be, gamma + ga
        pair = (qn, qs)
        ch: list[tuple[str, int] | tuple[str, int, int]] = [("h", pair[h_on])]
        mid = via.get(qs)
        if mid is None:
            ch.append(("cx", pair[ctl], pair[tgt]))
        else:  # CX(ctl, tgt) along the path between them, which is left as it was
            between = mid if pair[ctl] == qn else mid[::-1]
            ch += long_cx(pair[ctl], between, pair[tgt])
        ch += [(g, qn) for g in post_n] + [(g, qs) for g in post_s]
        if mid is None:
            finals.append(ch)
        else:
            stretched += ch
    out = teleport_start(x, y, z, px=3 - beta, py=3 - alpha, cz=(n + gamma) % 2 == 1)
    for e_a, e_b, c, d in steps:
        mid = via.get(d)
        if mid is None:
            out.seq(("cx", e_b, c), ("cx", c, d), ("cx", e_a, e_b), ("cx", e_b, c))
        elif mid == [e_b]:
            out.seq(("cx", e_b, c), ("cx", e_b, d), ("cx", e_a, e_b), ("cx", e_b, c))
        else:
            out.seq(("cx", e_b, c), *long_cx(c, mid, d), ("cx", e_a, e_b), ("cx", e_b, c))
    if stretched:
        out.seq(*stretched)
    out.block(finals)
    out.moves = {x: z, z: x}
    return out


def long_cx(ctl: int, between: list[int], tgt: int) -> list[tuple[str, int, int]]:
    """CX(ctl, tgt) along a path ``ctl, *between, tgt`` of coupled qubits, each qubit between
    left exactly as it was (any state): ``4k`` CNOTs for ``k >= 1`` qubits between (a CNOT
    ladder down and back, then the same without ``ctl`` to take the path's parity off
    ``tgt``)."""
    if not between:
        return [("cx", ctl, tgt)]
    path = [ctl, *between]
    down = [("cx", path[i], path[i + 1]) for i in range(len(path) - 1)]
    inner = [("cx", between[i], between[i + 1]) for i in range(len(between) - 1)]
    last = ("cx", between[-1], tgt)
    return [*down, last, *down[::-1], *inner, last, *inner[::-1]]


def bell_pair(
    ctl: int, between: list[int], tgt: int
) -> list[tuple[str, int] | tuple[str, int, int]]:
    """|Phi+> on ``ctl`` and ``tgt``, both fresh, along a path ``ctl, *between, tgt`` of coupled
    qubits that are all fresh (``|0>``) and are left so: ``2k + 1`` CNOTs for ``k`` qubits
    between (a GHZ chain down the path, then the qubits between cleared from the far end)."""
    path = [ctl, *between, tgt]
    out: list[tuple[str, int] | tuple[str, int, int]] = [("h", ctl)]
    out += [("cx", path[i], path[i + 1]) for i in range(len(path) - 1)]
    out += [("cx", path[i - 1], path[i]) for i in range(len(between), 0, -1)]
    return out


def clone_keypath(
    a: int,
    s: list[int],
    k: list[int],
    lead: int,
    adjacent: Mapping[int, Iterable[int]],
    via: Mapping[int, list[int]] | None = None,
) -> Synthesis | None:
    """The clone as re-encryption: Bell pairs, then U_dec(j)^dagger by the roaming controls.

    After recovering clone ``j`` the register is ``|psi>`` on S_j, ``|Phi+>`` on (A, N_j) and on
    every other (S_k, N_k) (PROTOCOL.md), so the clone is those Bell pairs with the data taken
    as S_j, then U_dec(j)^dagger (:func:`recover_roam` with ``inverse=True``). The data's slot
    ``a`` ends as clone S_j (j = ``lead``, 0-based) and S_j's slot as the source A: a
    relabelling, no gate. ``adjacent`` is the slots' coupling; ``via[i]`` lists the slots
    between N_i and S_i when the pair is not coupled (never ``a``). Such stretched pairs are
    made first, while the slots between are fresh (:func:`bell_pair`: ``2k + 1`` CNOTs), in an
    order that keeps each one's path clear of the pairs made before it; a pair whose path
    cannot be kept clear takes a detour over fresh slots if one is cheaper, else goes along
    its path with :func:`long_cx` (``4k + 1``; see :func:`stretched_order`). ``n`` Bell-pair
    CNOTs plus
    ``4(n - 1)`` for the walk when the keys form a path from N_j and ``a`` is coupled to N_j;
    None when ``a`` is not coupled to N_j or a key cannot be reached.
    """
    via = dict(via or {})
    others = [q for i, q in enumerate(k) if i != lead]
    walk = recover_roam(a, k[lead], others, adjacent, inverse=True)
    if walk is None:
        return None
    out = Synthesis()
    for i, detour in stretched_order(a, s, k, adjacent, via):
        if detour is not None:
            out.seq(*bell_pair(k[i], detour, s[i]))
        else:  # along the planned path, keeping what it crosses
            out.seq(("h", k[i]), *long_cx(k[i], via[i], s[i]))
    out.block([bell_pair(k[i], [], s[i]) for i in range(len(k)) if not via.get(i)])
    out.blocks += walk.blocks
    after = walk.moves  # original slot -> where the walk leaves its content
    moves = dict(after)
    moves[a] = after.get(s[lead], s[lead])  # A's content is the Bell half on S_j's slot
    moves[s[lead]] = after.get(a, a)  # and clone S_j is the data, walked as control s
    out.moves = {c: q for c, q in moves.items() if c != q}
    return out


def stretched_order(
    a: int,
    s: list[int],
    k: list[int],
    adjacent: Mapping[int, Iterable[int]],
    via: Mapping[int, list[int]],
    made: set[int] | None = None,
    first: Iterable[int] = (),
) -> list[tuple[int, list[int] | None]]:
    """The order :func:`clone_keypath` makes its stretched pairs in, each with the fresh slots
    its Bell pair runs over, or None where it goes along ``via[i]`` with :func:`long_cx`.

    A pair whose planned path is still all fresh goes first, preferring ends that block the
    fewest other planned paths. When every planned path crosses a pair made before, the
    cheapest of a detour over fresh slots (``2k + 1``) and :func:`long_cx` along the planned
    path (``4k + 1``) is taken. ``made`` lists the slots that are not fresh at the start
    (default: the data's); pairs in ``first`` go before the others whose paths are free."""
    early = set(first)
    made = {a} if made is None else set(made)  # slots no longer fresh
    todo = [i for i in sorted(via) if via[i]]
    inside = {i: set(via[i]) for i in todo}
    # blocks[i]: the pairs still to make whose planned path holds an end of pair i (kept up to
    # date as pairs are made, instead of recounted at every step)
    ends: dict[int, list[int]] = {}
    for i in todo:
        for q in {k[i], s[i]}:
            ends.setdefault(q, []).append(i)
    blocks = dict.fromkeys(todo, 0)
    for o in todo:
        for i in {i for q in inside[o] for i in ends.get(q, ())}:
            blocks[i] += 1
    plan: list[tuple[int, list[int] | None]] = []
    while todo:
        free = [i for i in todo if not made & inside[i]]
        detour: list[int] | None
        if free:
            i = min(free, key=lambda i: (i not in early, blocks[i]))
            detour = list(via[i])
        else:
            options: list[tuple[int, int, list[int] | None]] = []
            for o in todo:
                found = _fresh_path(k[o], s[o], adjacent, made)
                if found is not None:
                    options.append((2 * len(found) + 1, o, found))
                options.append((4 * len(via[o]) + 1, o, None))
            _, i, detour = min(options, key=lambda t: (t[0], t[1], t[2] is None))
        plan.append((i, detour))
        todo.remove(i)
        for o in {o for q in inside[i] for o in ends.get(q, ())}:
            blocks[o] -= 1
        made.update((k[i], s[i]))
    return plan


def _fresh_path(
    src: int, dst: int, adjacent: Mapping[int, Iterable[int]], avoid: set[int]
) -> list[int] | None:
    """The slots strictly between ``src`` and ``dst`` on a shortest path whose inner slots are
    all outside ``avoid`` (breadth-first); None if there is none."""
    parent: dict[int, int] = {src: src}
    frontier = [src]
    while frontier:
        nxt = []
        for q in frontier:
            for r in sorted(adjacent.get(q, ())):
                if r in parent:
                    continue
                if r == dst:
                    path = [q]
                    while path[-1] != src:
                        path.append(parent[path[-1]])
                    return path[::-1][1:]
                if r in avoid:
                    continue
                parent[r] = q
                nxt.append(r)
        frontier = nxt
    return None


def recover_paper(s: int, m: int, others: list[int]) -> Synthesis:
    """U_dec(j) in the gate form of PROTOCOL.md (2n + 1 two-qubit gates)."""
    out = Synthesis()
    out.seq(("cx", s, m), ("h", s))
    out.block([[("cz", s, t), ("cx", m, t)] for t in others])
    out.seq(("s", s), ("s", m), ("cz", s, m), ("h", s), ("cx", s, m))
    return out


def recover_paired(s: int, m: int, others: list[int]) -> Synthesis:
    """Functional recovery (the data lands on ``s``; the keys are left as junk) in
    ``ceil((3n - 1)/2)`` CNOTs, PROTOCOL.md's lower bound, and 2Q depth about ``log2 n``.

    It shrinks the strings ``P`` and ``Q`` of :func:`~qclone.passes.paulis.recovery_strings`
    onto ``s`` (:mod:`qclone.passes.paulis`). Every other qubit where the two act with
    different letters (each key, and ``m`` for even ``n``) is paired with another: one
    controlled Pauli leaves ``P`` alone on the first and ``Q`` alone on the second. The
    ``P`` holders are then folded into one by a binary tree, the ``Q`` holders likewise (one
    CNOT a qubit), ``m`` (for odd ``n``, where ``P`` and ``Q`` agree on it) and the two roots into
    ``s``, and one-qubit gates on ``s`` fix the letters and signs.
    """
    n = len(others) + 1
    p, q, sign_p, sign_q = recovery_strings(n)
    st = Strings([s, m, *others], p, q, sign_p, sign_q)

    def run(moves: list[tuple[int, int, tuple[int, int]]]) -> None:
        for i, j, want in moves:
            if not st.move(i, j, want):  # pragma: no cover - the shapes always allow it
                raise AssertionError(f"no controlled Pauli gives {want}")

    mixed = [i for i in range(1, n + 1) if st.shape(i) == 4]
    same = [i for i in range(1, n + 1) if st.shape(i) == 3]
    holders = [mixed[::2], mixed[1::2]]
    run([(a, b, (1, 2)) for a, b in zip(*holders, strict=True)])
    while any(len(h) > 1 for h in holders):
        for k, group in enumerate(holders):
            run([(b, a, (0, k + 1)) for a, b in zip(group[::2], group[1::2], strict=False)])
            holders[k] = group[::2]
    run([(i, 0, (0, 4)) for i in [*same, *holders[0], *holders[1]]])
    if not st.finish(0):  # pragma: no cover - every other qubit has been cleared
        raise AssertionError("the strings did not end on s")
    out = Synthesis()
    out.seq(*st.tidy(s))
    return out


# --- log-depth syntheses for all-to-all machines
def doubling_schedule(root: int, others: list[int]) -> list[list[tuple[int, int]]]:
    """Rounds of (parent, child) edges of a binomial broadcast tree from ``root`` over
    ``others``: in round r every node that has been reached adds one new child, so each round
    is a matching and there are ``ceil(log2(len(others) + 1))`` rounds."""
    reached = [root]
    todo = list(others)
    rounds: list[list[tuple[int, int]]] = []
    while todo:
        step = []
        for u in list(reached):
            if not todo:
                break
            v = todo.pop(0)
            step.append((u, v))
            reached.append(v)
        rounds.append(step)
    return rounds


def clone_tree(a: int, s: list[int], k: list[int]) -> Synthesis:
    """The teleport clone (``3n``, +1 for odd n, CNOTs) with its two fan-out chains replaced by
    binomial trees: 2Q depth ``ceil(log2 n) + 4`` (+1 for odd n) instead of about ``n``, the
    same gate count. Same relabelling as ``clone_teleport``: the data slot ends as clone S_1,
    S_1's slot as the source A."""
    n = len(s)
    x, y, z = a, k[0], s[0]
    out = teleport_start(x, y, z, px=3, py=3, cz=n % 2 == 1)
    s_slots = [x, *s[1:]]
    # the two fan-outs touch disjoint qubits: run them side by side, round by round
    s_rounds = doubling_schedule(x, s_slots[1:])
    k_rounds = doubling_schedule(y, k[1:])
    for r in range(max(len(s_rounds), len(k_rounds))):
        step = (s_rounds[r] if r < len(s_rounds) else []) + (
            k_rounds[r] if r < len(k_rounds) else []
        )
        out.block([[("cx", u, v)] for u, v in step])
    out.block([[("h", s_slots[i]), ("cx", s_slots[i], k[i])] for i in range(n)])
    out.moves = {x: z, z: x}
    return out


def recover_log(s: int, m: int, others: list[int]) -> Synthesis:
    """U_dec(j) with both fan-outs (CZ from ``s``, CX from ``m``, onto every other key) run as
    CNOT ladders over a binomial tree of the keys rooted at ``m``, as in
    :func:`qclone.passes.ladder.recover_tree`: a descending pass (the broadcast schedule
    reversed: every child ^= its parent, leaves first) and an ascending pass (the schedule in
    order). Each pass is ``ceil(log2 n)`` rounds of disjoint CNOTs.

    Costs: ``4n + 1 - ceil(log2 n)`` two-qubit gates (the paper's form: ``2n + 1``), 2Q depth
    ``4 ceil(log2 n) + 5`` (the paper's form: ``2n + 1``)."""
    rounds = doubling_schedule(m, others)
    out = Synthesis()
    out.seq(("cx", s, m), ("h", s))

    def descend(skip_root: bool = False) -> None:
        for step in reversed(rounds):
            out.block([[("cx", u, v)] for u, v in step if not (skip_root and u == m)])

    def ascend(skip_root: bool = False) -> None:
        for step in rounds:
            out.block([[("cx", u, v)] for u, v in step if not (skip_root and u == m)])

    # Z part: CZ(s, t) for every t != m, a fan-out of s in the Hadamard frame of the keys,
    # entering the tree through m (which is put back)
    out.block([[("h", t)] for t in others])
    descend()
    out.seq(("cx", s, m))
    ascend()
    out.seq(("cx", s, m))
    out.block([[("h", t)] for t in others])
    # X part: CX(m, t) for every t != m
    descend()
    ascend(skip_root=True)
    out.seq(("s", s), ("s", m), ("cz", s, m), ("h", s), ("cx", s, m))
    return out


CLONE_STRATEGIES = {
    "teleport": clone_teleport,
    "path": clone_path,
    "textbook": clone_textbook,
    "tree": clone_tree,
}
RECOVER_STRATEGIES = {"exact": recover_paper, "functional": recover_paired}


def recover_walk(s: int, m: int, others: list[int], line: list[int]) -> Synthesis | None:
    """U_dec(j) along a line of slots that starts ``[m, s, ...]`` and holds every other key.

    The two controls walk down the line together. A key in front of them meets ``s`` (CZ)
    and then ``m`` (CNOT), and each meeting is merged with the SWAP that lets the controls
    pass it (``CZ; SWAP`` and ``CX; SWAP`` are two CNOTs each): four two-qubit gates per key.
    A clone qubit in front of them is passed with two SWAPs. ``10n - 13`` two-qubit gates
    when the line alternates keys and clones, with no routing needed. Returns None if the
    line does not start with ``m, s``.
    """
    if len(line) < 2 or line[0] != m or line[1] != s or not set(others) <= set(line):
        return None
    out = Synthesis()
    out.seq(("cx", s, m), ("h", s))
    content = list(line)  # content[i]: the original slot whose qubit now sits at line[i]
    todo = set(others)
    i = 0  # the controls sit at line[i] (m) and line[i + 1] (s)
    while todo:
        qm, qs, qn = line[i], line[i + 1], line[i + 2]
        nxt = content[i + 2]
        if nxt in todo:
            out.seq(("h", qn), ("cx", qn, qs), ("cx", qs, qn), ("h", qs))  # CZ(s,t); SWAP
            out.seq(("cx", qs, qm), ("cx", qm, qs))  # CX(m,t); SWAP(m,t)
            todo.discard(nxt)
        else:
            out.seq(("swap", qs, qn), ("swap", qm, qs))  # the bystander passes both
        content[i], content[i + 1], content[i + 2] = nxt, m, s
        i += 1
    qm, qs = line[i], line[i + 1]
    out.seq(("s", qs), ("s", qm), ("cz", qs, qm), ("h", qs), ("cx", qs, qm))
    out.moves = {c: line[k] for k, c in enumerate(content) if c != line[k]}
    return out


def recover_roam(
    s: int,
    m: int,
    others: list[int],
    adjacent: Mapping[int, Iterable[int]],
    *,
    inverse: bool = False,
) -> Synthesis | None:
    """U_dec(j) on any layout: the two controls roam the coupling graph as a coupled pair.

    ``adjacent[slot]`` lists the slots coupled to ``slot``; slots are positions here, as in
    :func:`recover_walk`, and the contents move (``moves``). The controls ``m`` and ``s`` sit on
    two coupled slots. A step moves the pair one slot on: the front control steps onto a
    neighbour ``x`` and the other follows onto the front's old slot, while the content of ``x``
    goes to the rear's old slot. If ``x`` holds a key still to correct, the step is the two
    meetings merged with the swaps (``CZ; SWAP`` and ``CX; SWAP``, four CNOTs); otherwise two
    SWAPs (six CNOTs). Either control may lead: a key that meets ``m`` before ``s`` leaves a
    CZ(s, m) behind, which commutes with the rest and is folded into the final CZ(s, m).

    The keys are visited depth-first over the cheapest-route tree from the controls (routes
    run through keys rather than past other slots), shallow branches first, so on a line
    alternating keys and clones this is :func:`recover_walk`; on trees it enters branches and
    comes back as needed. The tree is grown from both controls and from each alone, and the
    cheapest of the walks kept: when ``s`` is also coupled to a key in the middle of a path of
    keys, the tree from both would split that path in two and walk back over the keys met.
    ``4n`` CNOTs for the meetings plus six per slot passed. Returns None when ``s`` and ``m``
    are not coupled or a key cannot be reached.

    ``inverse=True`` gives U_dec(j)^dagger with the same walk (the re-encryption of
    PROTOCOL.md, used by :func:`clone_keypath`): its core meets each key ``m`` first, so here
    a key that meets ``s`` first leaves the CZ(s, m), and the fixed gates around the walk are
    the inverses of U_dec's, in reverse order.
    """
    adj = {q: sorted(set(v)) for q, v in adjacent.items()}
    if m not in adj.get(s, ()):
        return None
    # the visiting order grown from both controls (s's branch first, then m's first), or
    # from one: when s is coupled to a key in the middle of a path, growing from both would
    # split the path into two branches; ties keep the first
    walks = []
    plans: list[list[int]] = []
    for roots, visit in (([m, s], [s, m]), ([m, s], [m, s]), ([m], [m]), ([s], [s])):
        plan = _roam_plan(roots, set(others), adj, visit)
        if plan not in plans:
            plans.append(plan)
            found = _roam_core(s, m, others, adj, plan)
            if found is not None:
                walks.append(found)
    if not walks:
        return None
    walked = min(
        walks,
        key=lambda w: w[0].two_qubit_cost(),
    )
    core, m_first, content, (qs, qm) = walked
    out = Synthesis()
    if not inverse:
        out.seq(("cx", s, m), ("h", s))
        out.blocks += core.blocks
        out.seq(("s", qs), ("s", qm))
        if m_first % 2 == 0:
            out.seq(("cz", qs, qm))
        out.seq(("h", qs), ("cx", qs, qm))
    else:
        s_first = len(others) - m_first
        out.seq(("cx", s, m), ("h", s))
        if s_first % 2 == 0:
            out.seq(("cz", s, m))
        out.seq(("sdg", s), ("sdg", m))
        out.blocks += core.blocks
        out.seq(("h", qs), ("cx", qs, qm))
    out.moves = {c: q for q, c in content.items() if c != q}
    return out


def _roam_core(
    s: int, m: int, others: list[int], adj: Mapping[int, list[int]], plan: list[int]
) -> tuple[Synthesis, int, dict[int, int], tuple[int, int]] | None:
    """The walk of :func:`recover_roam`: every key met by both controls, each meeting merged
    with a swap. Returns the gates, how many keys met ``m`` first, the final contents
    (position -> original slot) and the controls' final positions (s, m); None if a key
    cannot be reached."""
    out = Synthesis()
    content = {q: q for q in adj}  # position -> original slot whose qubit sits there
    where = {"s": s, "m": m}  # control -> position
    todo = set(others)
    flips = 0  # keys met by m first
    plan = list(plan)
    stalled = 0  # rounds in a row that met no key: the contents moved off the planned slot
    while todo:
        if stalled > len(adj):
            return None  # the walk cycles without meeting the keys left
        left = len(todo)
        ps, pm = where["s"], where["m"]
        while plan and plan[0] not in todo:
            plan.pop(0)
        if not plan:
            return None  # a key no coupled slots lead to
        target = plan[0]
        # the cheapest route from each control as the front, never through the other control
        best: tuple[int, int, list[int]] | None = None
        for front, rear in ((ps, pm), (pm, ps)):
            parent, _, cost = _cheapest_tree([front], adj, todo, blocked=rear, stop=target)
            if target not in parent:
                continue
            route = [target]
            while route[-1] != front:
                route.append(parent[route[-1]])
            route.reverse()
            key = (cost[target], 0 if front == ps else 1)
            if best is None or key < best[:2]:
                best = (key[0], key[1], route)
        if best is None:
            return None
        route = best[2]
        lead = "s" if best[1] == 0 else "m"
        trail = "m" if lead == "s" else "s"
        for x in route[1:]:
            f, r = where[lead], where[trail]
            c = content[x]
            if c in todo:
                if lead == "s":
                    out.seq(("h", x), ("cx", x, f), ("cx", f, x), ("h", f))  # CZ(s,t); SWAP
                else:
                    out.seq(("cx", x, f), ("cx", f, x))  # CX(m,t); SWAP
                    flips += 1
                # the key now sits on f, next to the trailing control
                if trail == "s":
                    out.seq(("h", f), ("cx", f, r), ("cx", r, f), ("h", r))
                else:
                    out.seq(("cx", f, r), ("cx", r, f))
                todo.discard(c)
            else:
                out.seq(("swap", f, x), ("swap", r, f))
            content[r], content[f], content[x] = c, content[r], content[f]
            where[lead], where[trail] = x, f
        stalled = 0 if len(todo) < left else stalled + 1
    return out, flips, content, (where["s"], where["m"])


def _roam_plan(
    roots: list[int], keys: set[int], adj: Mapping[int, list[int]], visit: list[int]
) -> list[int]:
    """An order :func:`recover_roam` may visit the keys in: depth-first over the cheapest-route
    tree of the slots from ``roots`` (one or both controls; :func:`_cheapest_tree`), the
    roots' branches in the order of ``visit`` and each node's shallower subtrees first, so the
    pair ends in the deepest branch instead of walking back out of it."""
    parent, order, depth = _cheapest_tree(roots, adj, keys)
    children: dict[int, list[int]] = {q: [] for q in order}
    for q in order[len(roots) :]:
        children[parent[q]].append(q)
    reach: dict[int, int] = {}  # deepest key below a node (-1: no key below)
    for q in reversed(order):
        below = [reach[c] for c in children[q] if reach[c] >= 0]
        mine = depth[q] if q in keys else -1
        reach[q] = max([mine, *below])
    plan: list[int] = []
    stack = list(reversed(visit))
    while stack:
        q = stack.pop()
        if q in keys:
            plan.append(q)
        kids = sorted((c for c in children[q] if reach[c] >= 0), key=lambda c: (reach[c], c))
        stack.extend(reversed(kids))  # the shallowest is popped first
    return plan


_PASS = 1000  # the weight of passing a slot that holds no key to correct (six CNOTs, not four)


def _cheapest_tree(
    roots: list[int],
    adj: Mapping[int, list[int]],
    keys: set[int],
    *,
    blocked: int | None = None,
    stop: int | None = None,
) -> tuple[dict[int, int], list[int], dict[int, int]]:
    """Shortest-route tree from ``roots`` where stepping onto a key costs 1 and onto any other
    slot :data:`_PASS` + 1, so routes run through keys (met on the way) rather than past
    bystanders. Returns (parent, slots in settling order, cost); ``blocked`` is never entered,
    and the search ends once ``stop`` is settled."""
    import heapq

    parent = {r: r for r in roots}
    cost = {r: 0 for r in roots}
    heap = [(0, r, r) for r in roots]
    order: list[int] = []
    done: set[int] = set()
    while heap:
        c, q, _ = heapq.heappop(heap)
        if q in done:
            continue
        done.add(q)
        order.append(q)
        if q == stop:
            break
        for r in adj.get(q, ()):
            if r == blocked or r in done:
                continue
            w = c + (1 if r in keys else _PASS + 1)
            if w < cost.get(r, w + 1):
                cost[r] = w
                parent[r] = q
                heapq.heappush(heap, (w, r, q))
    return parent, order, cost
