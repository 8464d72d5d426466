"""Fewest CNOTs for the recovery's core on short nearest-neighbour lines (exhaustive search).

Run (a minute or two; pure Python):

    python3 benchmarks/path_bounds.py

U_dec(j) is ``CNOT(s, m); H(s)``, then the *core* ``CZ(s, N_k)`` for every other key followed by
``CNOT(m, N_k)`` for every other key, then fixed gates on (s, m) (PROTOCOL.md). With ``H`` on
``s`` moved outside, the core is the linear reversible map ``s ^= XOR of the keys`` then
``N_k ^= m``: a CNOT circuit. This script finds the fewest nearest-neighbour CNOTs for that map
on a line of qubits in a given order (``s``, ``m``, ``k`` for a key, ``b`` for a bystander
such as another clone), by bidirectional breadth-first search over GF(2) matrices. It also
does the plain fan-out ``t ^= c`` (``c`` the control, ``t`` a target).

What it shows: on a line the core costs about 4 CNOTs per key, with ``s`` and ``m`` at the same
end or at opposite ends, which is what qclone's walks spend (``recover_roam``: 4 per key); a
bystander between keys costs more. Only CNOT circuits are searched (single-qubit gates around
them), so this is evidence for the walks' count, not a lower bound over all circuits.

``--collapse`` searches what the *functional* recovery needs instead
(:mod:`qclone.passes.collapse`): a Clifford ``V`` on a line of ``L`` keys taking the two
parities ``Z..Z`` and ``X..X`` onto the front key (both, for odd ``L``) or the first two (one
each, even ``L``), whatever else it does to the keys. Steps are one-CNOT gates between
neighbours with any one-qubit gates around them; each key is tracked only by which of the two
strings act on it (none, one, the other, both alike, both different), since one-qubit gates
are free. It finds ``2L - 2`` (odd) and ``2L - 3`` (even), which is what the sweeps of
:func:`qclone.passes.collapse.collapse` spend.

``--recover`` searches the whole functional recovery the same way
(:func:`qclone.passes.paulis.fewest_steps` from the shapes of
:func:`qclone.passes.paulis.recovery_strings` on ``s``, ``m`` and the other keys): on a line
``s - m - k1 - ...`` and ``m - s - k1 - ...``, and with every qubit coupled to every other. It
finds ``2n`` on the first line, ``2n`` (even n) or ``2n - 1`` (odd n) on the second, and
``ceil((3n - 1)/2)`` on the complete graph, and prints what qclone's syntheses spend
(:func:`qclone.passes.collapse.recover_collapse`, :func:`qclone.passes.synthesize.
recover_paired`) beside them.

``--clifford`` searches over *all* Clifford circuits instead, for the whole clone and the whole
exact U_dec(j), on small trees of couplings (iterative deepening, A* style). A step is one
two-qubit gate worth one CNOT (a controlled-Pauli ``C(P, Q)``, any one-qubit Cliffords
around it free); states are tracked by their stabilizers without signs (one-qubit Paulis fix
signs), with a reference qubit for every input, so the search is over the isometry itself.
The search's guide is the cut bound: across each coupling of a tree a gate adds at most one
ebit, so the steps left are at least the sum over the tree's couplings of the entanglement
across them. No relabelling of the outputs is searched (qclone's walks may move contents), so
the clone is searched with the data starting on either of two slots. It finds the clone on a
*comb* (keys on a path, every clone beside its key, the source A beside the first key) at
``4n - 1`` (7, 11, 15 for n = 2, 3, 4; qclone's sweep spends ``4n + 1``), on a line of pairs
at ``5n - 3`` (7, 12, 17), and the exact U_dec(j) with the keys in a row at 5, 8, 12 CNOTs for
1 to 3 keys (``s - m - k1 - ...``; qclone's walk: 6, 11, 14) or, with ``m`` between two rows
of keys (``s`` beside ``m``), 5, 7, 10, 13 for 1 to 4 keys (qclone's walk: 6, 10, 14, 25: it
walks one row and back over it to the other). Run time: seconds with ``--quick``, about a
minute without.
"""

from __future__ import annotations

import argparse
import itertools
from typing import Any


def fewest_cnots(size: int, edges: list[tuple[int, int]], goal: tuple[int, ...]) -> int:
    """Fewest CNOTs on ``edges`` (either direction) taking the identity to ``goal`` (rows as
    bit masks over the original qubits)."""
    moves = [*edges, *[(b, a) for a, b in edges]]
    start = tuple(1 << i for i in range(size))
    if start == goal:
        return 0
    seen_a, seen_b = {start: 0}, {goal: 0}
    layer_a, layer_b = [start], [goal]
    while layer_a and layer_b:
        grow_a = len(layer_a) <= len(layer_b)
        layer, seen, other = (layer_a, seen_a, seen_b) if grow_a else (layer_b, seen_b, seen_a)
        nxt = []
        for state in layer:
            for c, t in moves:
                row = list(state)
                row[t] ^= row[c]
                new = tuple(row)
                if new in seen:
                    continue
                seen[new] = seen[state] + 1
                if new in other:
                    return seen[new] + other[new]
                nxt.append(new)
        if grow_a:
            layer_a = nxt
        else:
            layer_b = nxt
    raise ValueError("unreachable")


def core_goal(order: str) -> tuple[int, ...]:
    """The core of U_dec on a line ``order`` of 's', 'm', 'k' (key), 'b' (bystander)."""
    s, m = order.index("s"), order.index("m")
    keys = [i for i, c in enumerate(order) if c == "k"]
    goal = [1 << i for i in range(len(order))]
    for k in keys:
        goal[s] ^= 1 << k  # first s gets the keys' parity (the CZ fan-out, H on s outside)
    for k in keys:
        goal[k] ^= 1 << m  # then every key gets m (the CNOT fan-out)
    return tuple(goal)


def fanout_goal(order: str) -> tuple[int, ...]:
    c = order.index("c")
    goal = [1 << i for i in range(len(order))]
    for i, x in enumerate(order):
        if x == "t":
            goal[i] ^= 1 << c
    return tuple(goal)


def line(order: str) -> list[tuple[int, int]]:
    return [(i, i + 1) for i in range(len(order) - 1)]


CORE = [
    "smk",
    "smkk",
    "smkkk",
    "smkkkk",
    "smkkkkk",
    "mks",
    "mkks",
    "mkkks",
    "mkkkks",
    "mkkkkks",
    "smkbk",
    "smkbkbk",
]
FANOUT = ["ct", "ctt", "cttt", "ctttt", "cttttt", "cbt", "ctbt", "cbtbt", "cbtbtbt"]


# the one-qubit Paulis as (x, z) bits, and a key's shape: which strings act on it (0: none,
# 1: only the Z string, 2: only the X string, 3: both alike, 4: both different), with a
# representative pair of Paulis for each (any other is one one-qubit Clifford away)
_I, _X, _Z = (0, 0), (1, 0), (0, 1)
_Y = (1, 1)
_REP = {0: (_I, _I), 1: (_Z, _I), 2: (_I, _Z), 3: (_Z, _Z), 4: (_Z, _X)}


def _anti(a: tuple[int, int], b: tuple[int, int]) -> int:
    return (a[0] * b[1] + a[1] * b[0]) % 2


def _times(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    return a[0] ^ b[0], a[1] ^ b[1]


def _shape(p: tuple[int, int], q: tuple[int, int]) -> int:
    if p == _I:
        return 0 if q == _I else 2
    if q == _I:
        return 1
    return 3 if p == q else 4


def fewest_collapse(size: int) -> int:
    """Fewest one-CNOT steps taking both parities of ``size`` keys on a line to the front."""

    def done(state: tuple[int, ...]) -> bool:
        if any(state[2:]):
            return False
        return state[:2] in ((4, 0), (1, 2), (2, 1)) if size > 1 else state == (4,)

    start = (4,) * size
    seen = {start}
    layer = [start]
    depth = 0
    while layer:
        if any(done(st) for st in layer):
            return depth
        nxt = []
        for st in layer:
            for i in range(size - 1):
                (p1, q1), (p2, q2) = _REP[st[i]], _REP[st[i + 1]]
                for ctl in (_X, _Y, _Z):
                    for tgt in (_X, _Y, _Z):
                        # C(ctl, tgt) on A x B: A ctl^[B anti tgt] x B tgt^[A anti ctl]
                        np1 = _times(p1, ctl) if _anti(p2, tgt) else p1
                        np2 = _times(p2, tgt) if _anti(p1, ctl) else p2
                        nq1 = _times(q1, ctl) if _anti(q2, tgt) else q1
                        nq2 = _times(q2, tgt) if _anti(q1, ctl) else q2
                        new = (*st[:i], _shape(np1, nq1), _shape(np2, nq2), *st[i + 2 :])
                        if new not in seen:
                            seen.add(new)
                            nxt.append(new)
        layer = nxt
        depth += 1
    raise ValueError("unreachable")


def recover_table(quick: bool) -> None:
    """The fewest steps of the functional recovery against qclone's, per number of clones."""
    import networkx as nx

    from qclone.passes.collapse import recover_collapse
    from qclone.passes.paulis import fewest_steps, recovery_strings, shape
    from qclone.passes.synthesize import recover_paired

    print("| n | line s-m-keys: fewest / qclone | line m-s-keys: fewest / qclone "
          "| complete graph: fewest / qclone |")  # fmt: skip
    print("|---|---|---|---|")
    for n in range(2, 6 if quick else 9):
        p, q, _, _ = recovery_strings(n)
        shapes = [shape(a, b) for a, b in zip(p, q, strict=True)]
        cells = []
        for front in ([(0, 1), (1, 2)], [(1, 0), (0, 2)]):
            edges = front + [(i, i + 1) for i in range(2, n)]
            fewest = fewest_steps(shapes, edges, 0)
            g = nx.Graph(edges)
            ours = recover_collapse(0, 1, list(range(2, n + 1)), {v: g.adj[v] for v in g})
            cells.append(f"{len(fewest or [])} / {'-' if ours is None else ours.two_qubit_cost()}")
        if n <= (4 if quick else 6):
            complete = [(i, j) for i in range(n + 1) for j in range(i + 1, n + 1)]
            fewest = fewest_steps(shapes, complete, 0)
            paired = recover_paired(0, 1, list(range(2, n + 1))).two_qubit_cost()
            cells.append(f"{len(fewest or [])} / {paired}")
        else:
            cells.append("-")
        print(f"| {n} | " + " | ".join(cells) + " |")


# --- all Clifford circuits (--clifford) --------------------------------------------------------
_PAULIS = ((1, 0), (1, 1), (0, 1))  # X, Y, Z as (x, z) bits


def _pivots(vectors: list[int]) -> dict[int, int]:
    """Row echelon form over GF(2): leading bit -> row."""
    pivots: dict[int, int] = {}
    for v in vectors:
        while v:
            top = v.bit_length() - 1
            if top not in pivots:
                pivots[top] = v
                break
            v ^= pivots[top]
    return pivots


def _rank(vectors: list[int]) -> int:
    return len(_pivots(vectors))


def _canonical(rows: list[int]) -> tuple[int, ...]:
    pivots = _pivots(rows)
    for top in sorted(pivots):
        for other in pivots:
            if other != top and (pivots[other] >> top) & 1:
                pivots[other] ^= pivots[top]
    return tuple(sorted(pivots.values()))


def _stabilizer_rows(num: int, build: Any) -> list[int]:
    """The stabilizers (x bits, then z bits; no signs) of the state ``build(sim)`` makes."""
    import stim

    sim = stim.TableauSimulator()
    sim.set_num_qubits(num)
    build(sim)
    rows = []
    for p in sim.canonical_stabilizers():
        xs, zs = p.to_numpy()
        rows.append(
            sum(1 << q for q in range(num) if xs[q])
            + sum(1 << (q + num) for q in range(num) if zs[q])
        )
    return rows


def _tree_sides(edges: list[tuple[int, int]], root: int) -> list[list[int]]:
    """For each coupling of a tree, the qubits on its side away from ``root``."""
    adj: dict[int, list[int]] = {}
    for a, b in edges:
        adj.setdefault(a, []).append(b)
        adj.setdefault(b, []).append(a)
    sides = []
    for a, b in edges:
        seen, stack = {b}, [b]
        while stack:
            q = stack.pop()
            for w in adj[q]:
                if w not in seen and (q, w) != (b, a):
                    seen.add(w)
                    stack.append(w)
        sides.append(sorted(set(adj) - seen if root in seen else seen))
    return sides


def fewest_clifford_steps(
    num: int, rows: list[int], edges: list[tuple[int, int]], sides: list[list[int]], slack: int
) -> tuple[int, int | None]:
    """(cut bound, fewest steps) taking the state ``rows`` to one with no entanglement across
    any of ``sides`` by controlled-Pauli gates on ``edges``; None if more than the bound plus
    ``slack``. Run backwards from the target, so the gates found, reversed, make it."""
    masks = [(sum((1 << q) | (1 << (q + num)) for q in side), len(side)) for side in sides]

    def potential(state: list[int]) -> int:
        return sum(_rank([r & m for r in state]) - size for m, size in masks)

    def gate(state: list[int], a: int, b: int, p: tuple[int, int], q: tuple[int, int]) -> list[int]:
        out = []
        for r in state:
            ra, rb = ((r >> a) & 1, (r >> (a + num)) & 1), ((r >> b) & 1, (r >> (b + num)) & 1)
            if (rb[0] * q[1] + rb[1] * q[0]) & 1:  # b's part anticommutes with Q: P lands on a
                r ^= (p[0] << a) | (p[1] << (a + num))
            if (ra[0] * p[1] + ra[1] * p[0]) & 1:
                r ^= (q[0] << b) | (q[1] << (b + num))
            out.append(r)
        return out

    def search(state: list[int], spent: int, bound: int, left: int, seen: dict[Any, int]) -> bool:
        if left == 0:
            return True
        key = _canonical(state)
        if seen.get(key, bound + 1) <= spent:
            return False
        seen[key] = spent
        kids = []
        for a, b in edges:
            for p in _PAULIS:
                for q in _PAULIS:
                    nxt = gate(state, a, b, p, q)
                    rest = potential(nxt)
                    if spent + 1 + rest <= bound:
                        kids.append((rest, nxt))
        kids.sort(key=lambda kid: kid[0])
        return any(search(nxt, spent + 1, bound, rest, seen) for rest, nxt in kids)

    start = potential(rows)
    for bound in range(start, start + slack + 1):
        if search(rows, 0, bound, start, {}):
            return start, bound
    return start, None


def _clone_state(n: int, a: int, s: list[int], k: list[int], ref: int) -> Any:
    """The clone's Choi state: Bell pairs, then U_enc (PROTOCOL.md), the data's reference on
    ``ref``."""

    def build(sim: Any) -> None:
        sim.h(ref)
        sim.cx(ref, a)
        for si, ki in zip(s, k, strict=True):
            sim.h(si)
            sim.cx(si, ki)
        parity = [a, *s]

        def zz() -> None:
            for q in parity[:-1]:
                sim.cx(q, parity[-1])
            sim.s(parity[-1])
            for q in reversed(parity[:-1]):
                sim.cx(q, parity[-1])

        zz()
        for q in parity:
            sim.h(q)
        zz()
        for q in parity:
            sim.h(q)

    return build


def _comb_edges(a: int, s: list[int], k: list[int]) -> list[tuple[int, int]]:
    """A - N1 - N2 - ... with every S_i beside its N_i."""
    edges = [(a, k[0])] + [(k[i], k[i + 1]) for i in range(len(k) - 1)]
    return edges + [(k[i], s[i]) for i in range(len(k))]


def _recover_edges(s: int, m: int, others: list[int], shape: str) -> list[tuple[int, int]]:
    """``row``: s - m - k1 - ...; otherwise m between two rows of keys, s beside m."""
    if shape == "row":
        return list(itertools.pairwise([s, m, *others]))
    half = len(others) // 2
    return [*itertools.pairwise([*others[:half], m, *others[half:]]), (m, s)]


def clone_clifford(n: int, shape: str, slack: int) -> tuple[int, int | None]:
    """Fewest steps for the clone on a ``comb`` or a ``line`` of pairs, the data starting on
    the source's slot or on S1's (the cheaper)."""
    a, s, k, ref = 0, [1 + 2 * i for i in range(n)], [2 + 2 * i for i in range(n)], 2 * n + 1
    if shape == "comb":
        edges = _comb_edges(a, s, k)
    else:  # A - S1 - N1 - S2 - N2 - ...
        order = [a] + [q for i in range(n) for q in (s[i], k[i])]
        edges = list(itertools.pairwise(order))
    rows = _stabilizer_rows(2 * n + 2, _clone_state(n, a, s, k, ref))
    best: tuple[int, int | None] | None = None
    for data in (a, s[0]):
        found = fewest_clifford_steps(2 * n + 2, rows, edges, _tree_sides(edges, data), slack)
        if best is None or (found[1] or 10**9) < (best[1] or 10**9):
            best = found
    assert best is not None
    return best


def recover_clifford(keys: int, shape: str, slack: int) -> tuple[int, int | None]:
    """Fewest steps for the exact U_dec(j) on ``s``, ``m`` and ``keys`` other keys: a row
    ``s - m - k1 - ...`` or ``m`` between two rows of keys with ``s`` beside it."""
    s, m, others = 0, 1, list(range(2, keys + 2))
    num = keys + 2
    ref = {q: q + num for q in range(num)}
    edges = _recover_edges(s, m, others, shape)

    def build(sim: Any) -> None:
        for q, r in ref.items():
            sim.h(r)
            sim.cx(r, q)
        sim.cx(s, m)
        sim.h(s)
        for key in others:
            sim.cz(s, key)
        for key in others:
            sim.cx(m, key)
        sim.s(s)
        sim.s(m)
        sim.cz(s, m)
        sim.h(s)
        sim.cx(s, m)

    rows = _stabilizer_rows(2 * num, build)
    sides = [side + [ref[q] for q in side] for side in _tree_sides(edges, s)]
    return fewest_clifford_steps(2 * num, rows, edges, sides, slack)


def clifford_tables(quick: bool) -> None:
    from qclone.passes.sweep import clone_keypath_sweep
    from qclone.passes.synthesize import recover_roam

    def adjacency(edges: list[tuple[int, int]]) -> dict[int, list[int]]:
        adj: dict[int, list[int]] = {}
        for a, b in edges:
            adj.setdefault(a, []).append(b)
            adj.setdefault(b, []).append(a)
        return adj

    print("| clone, n pairs | comb: cut bound / fewest / qclone sweep | line: cut bound / fewest |")
    print("|---|---|---|")
    for n in range(2, 4 if quick else 5):
        bound_c, comb = clone_clifford(n, "comb", 4)
        bound_l, line_ = clone_clifford(n, "line", 2)
        s, k = [1 + 2 * i for i in range(n)], [2 + 2 * i for i in range(n)]
        edges = _comb_edges(0, s, k)
        swept = clone_keypath_sweep(0, s, k, 0, list(range(n)), adjacency(edges))
        ours = "-" if swept is None else swept.two_qubit_cost()
        print(f"| {n} | {bound_c} / {comb} / {ours} | {bound_l} / {line_} |")
    print()
    print("| exact U_dec, other keys | row s-m-keys: cut bound / fewest / qclone roam "
          "| m between rows: cut bound / fewest / qclone roam |")  # fmt: skip
    print("|---|---|---|")
    for keys in range(1, 4 if quick else 5):
        cells = []
        for shape in ("row", "middle"):
            if shape == "row" and keys > 3:
                cells.append("-")
                continue
            bound, fewest = recover_clifford(keys, shape, 6)
            others = list(range(2, keys + 2))
            walk = recover_roam(0, 1, others, adjacency(_recover_edges(0, 1, others, shape)))
            cells.append(f"{bound} / {fewest} / {'-' if walk is None else walk.two_qubit_cost()}")
        print(f"| {keys} | " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only lines of up to 6 qubits")
    parser.add_argument(
        "--collapse", action="store_true", help="the functional recovery's collapse instead"
    )
    parser.add_argument(
        "--recover", action="store_true", help="the whole functional recovery instead"
    )
    parser.add_argument(
        "--clifford",
        action="store_true",
        help="the whole clone and exact U_dec over all Clifford circuits on small trees",
    )
    args = parser.parse_args()
    if args.clifford:
        clifford_tables(args.quick)
        return
    if args.recover:
        recover_table(args.quick)
        return
    if args.collapse:
        print("| keys on a line | fewest one-CNOT steps | qclone's sweeps |")
        print("|---|---|---|")
        from qclone.passes.collapse import collapse

        for size in range(1, 7 if args.quick else 10):
            made = collapse(list(range(size)))
            ours = "-" if made is None else sum(len(g) == 3 for g in made[0])
            print(f"| {size} | {fewest_collapse(size)} | {ours} |")
        return
    limit = 6 if args.quick else 99
    tables = [
        ("line (core of U_dec)", "keys", "k", CORE, core_goal),
        ("line (fan-out from c)", "targets", "t", FANOUT, fanout_goal),
    ]
    for title, what, mark, orders, goal in tables:
        print(f"| {title} | {what} | fewest CNOTs |")
        print("|---|---|---|")
        for order in orders:
            if len(order) <= limit:
                cnots = fewest_cnots(len(order), line(order), goal(order))
                print(f"| {order} | {order.count(mark)} | {cnots} |")
        print()


if __name__ == "__main__":
    main()
