"""The serpentine-ladder layout for square grids: the teleport clone with no SWAP at all.

The teleport clone (``3n`` CNOTs, see :mod:`qclone.passes.synthesize`) needs every clone S_k
next to its key N_k, the S qubits joined to each other and the key qubits joined to each other,
so the two bits of the Bell index can be fanned out. On an R x C grid the pairs stand as
vertical dominoes in strips of two rows; the row types run ``S N | N S | S N | ...`` so that
the key rows of strips 0 and 1 touch, the signal rows of strips 1 and 2 touch, and so on. The
few places where a fan-out must cross two rows of the other type use a five-CNOT bridge
(``a->b, b->d, d->e, b->d, a->b`` leaves ``b`` and ``d`` as they were and copies ``a`` to
``e``). The source qubit A sits at the start of the first key row.

All key qubits end up in connected pairs of rows, which is also what the recovery's fan-out
from the key N_j wants.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from qclone.passes.synthesize import Synthesis, teleport_start


@dataclass(frozen=True)
class LadderPlan:
    """Physical qubits for A and each pair, plus the fan-out plan in physical terms."""

    a: int
    signals: list[int]  # S_1..S_n
    keys: list[int]  # N_1..N_n
    s_fill: list[tuple[int, ...]]  # (src, dst) copies or (a, b, d, e) bridges, in order
    k_fill: list[tuple[int, ...]]


def grid_shape(name: str) -> tuple[int, int] | None:
    base = name.split("@")[0]
    if not base.startswith("grid:"):
        return None
    dims = base[len("grid:") :].replace(",", "x").split("x")
    return int(dims[0]), int(dims[1])


def ladder_plan(rows: int, cols: int, n: int) -> LadderPlan | None:
    """Lay n pairs out on a rows x cols grid (row-major numbering), or None if they do not fit."""
    if rows < 2 or cols < 3:
        return None

    def q(r: int, c: int) -> int:
        return r * cols + c

    cells: list[tuple[int, int]] = []  # (S cell, N cell) per pair, in order
    strip = 0
    while len(cells) < n and 2 * strip + 1 < rows:
        top, bottom = 2 * strip, 2 * strip + 1
        s_row, k_row = (top, bottom) if strip % 2 == 0 else (bottom, top)
        columns = list(range(1, cols)) if strip == 0 else list(range(cols))
        if strip % 2 == 1:
            columns.reverse()  # serpentine: each strip starts where the last one ended
        for c in columns:
            if len(cells) == n:
                break
            cells.append((q(s_row, c), q(k_row, c)))
        strip += 1
    if len(cells) < n:
        return None
    a = q(1, 0)  # next to N_1 = (1, 1)
    signals = [s for s, _ in cells]
    keys = [k for _, k in cells]
    return LadderPlan(
        a,
        signals,
        keys,
        _fill(signals, keys, rows, cols),
        _fill(keys, signals, rows, cols),
    )


def _fill(mine: list[int], other: list[int], rows: int, cols: int) -> list[tuple[int, ...]]:
    """Copies from ``mine[0]`` to every qubit of ``mine`` through grid neighbours of the same
    kind, bridging across two rows of ``other`` qubits where a component ends."""
    own = set(mine)
    others = set(other)

    def nbrs(x: int) -> list[int]:
        r, c = divmod(x, cols)
        out = []
        for dr, dc in ((0, -1), (0, 1), (-1, 0), (1, 0)):
            rr, cc = r + dr, c + dc
            if 0 <= rr < rows and 0 <= cc < cols:
                out.append(rr * cols + cc)
        return out

    done = {mine[0]}
    plan: list[tuple[int, ...]] = []
    frontier = deque([mine[0]])
    while len(done) < len(own):
        while frontier:
            x = frontier.popleft()
            for y in nbrs(x):
                if y in own and y not in done:
                    done.add(y)
                    plan.append((x, y))
                    frontier.append(y)
        if len(done) == len(own):
            break
        # bridge: x (done) - b - d (other kind) - e (mine, not done), in a straight column
        bridge = None
        for x in sorted(done):
            r, c = divmod(x, cols)
            for step in (1, -1):
                cells = [(r + step * i) * cols + c for i in (1, 2, 3) if 0 <= r + step * i < rows]
                if len(cells) == 3 and cells[0] in others and cells[1] in others:
                    e = cells[2]
                    if e in own and e not in done:
                        bridge = (x, cells[0], cells[1], e)
                        break
            if bridge:
                break
        if bridge is None:
            raise AssertionError("ladder fill found no bridge")  # the layout guarantees one
        plan.append(bridge)
        done.add(bridge[3])
        frontier.append(bridge[3])
    return plan


def clone_ladder(
    a: int, s: list[int], k: list[int], s_fill: list[tuple[int, ...]], k_fill: list[tuple[int, ...]]
) -> Synthesis:
    """The teleport clone with the fan-outs given by the plans (slots, not qubits).

    Bridges read the other kind's qubits, so every copy of the kind being bridged into runs
    only after the other kind's fill has reached the bridge: the plans run as one sequence,
    S copies first up to each bridge that needs keys, and so on. Simplest correct order: all
    plain copies of both kinds first (they only need their own kind), then the bridges, then
    the copies below each bridge, repeated.
    """
    n = len(s)
    x, y, z = a, k[0], s[0]
    out = teleport_start(x, y, z, px=3, py=3, cz=n % 2 == 1)
    # the plans are in slots: clone S_1's position is the data slot x
    s_steps, k_steps = list(s_fill), list(k_fill)
    for step in _interleave(s_steps, k_steps):
        if len(step) == 2:
            out.seq(("cx", step[0], step[1]))
        else:
            p, b, d, e = step
            out.seq(("cx", p, b), ("cx", b, d), ("cx", d, e), ("cx", b, d), ("cx", p, b))
    s_slots = [x, *s[1:]]
    out.block([[("h", s_slots[i]), ("cx", s_slots[i], k[i])] for i in range(n)])
    out.moves = {x: z, z: x}
    return out


def _interleave(
    s_steps: list[tuple[int, ...]], k_steps: list[tuple[int, ...]]
) -> list[tuple[int, ...]]:
    """Order the two fills so every bridge reads qubits that are already filled."""
    filled: set[int] = set()
    for steps in (s_steps, k_steps):
        if steps:
            filled.add(steps[0][0])
    queues = [deque(s_steps), deque(k_steps)]
    order: list[tuple[int, ...]] = []
    while any(queues):
        moved = False
        for qu in queues:
            while qu:
                step = qu[0]
                need = [step[0]] if len(step) == 2 else [step[0], step[1], step[2]]
                if not all(v in filled for v in need):
                    break
                qu.popleft()
                order.append(step)
                filled.add(step[-1])
                moved = True
        if not moved:
            raise AssertionError("ladder fills wait on each other")
    return order


__all__ = ["LadderPlan", "clone_ladder", "grid_shape", "key_graph", "ladder_plan", "recover_tree"]


def key_graph(plan: LadderPlan, cols: int) -> tuple[list[tuple[int, int]], list[tuple[int, ...]]]:
    """Grid edges between key qubits, and the key bridges of the plan (physical qubits)."""
    keys = set(plan.keys)
    edges = []
    for q in plan.keys:
        r, c = divmod(q, cols)
        for nb in ((r + 1) * cols + c, r * cols + c + 1):
            if nb in keys and (c + 1 < cols or nb != r * cols + c + 1):
                edges.append((q, nb))
    bridges: list[tuple[int, ...]] = [st for st in plan.k_fill if len(st) == 4]
    return edges, bridges


def _xor_into(out: Synthesis, u: int, v: int, via: tuple[int, int] | None) -> None:
    """``v ^= u`` (CNOT), or through two bystanders ``b, d`` on the path u-b-d-v, which end
    as they started (eight CNOTs)."""
    if via is None:
        out.seq(("cx", u, v))
        return
    b, d = via
    out.seq(
        ("cx", d, v), ("cx", b, d), ("cx", u, b), ("cx", b, d),
        ("cx", d, v), ("cx", b, d), ("cx", u, b), ("cx", b, d),
    )  # fmt: skip


def recover_tree(
    s: int,
    m: int,
    others: list[int],
    key_edges: list[tuple[int, int]],
    bridges: list[tuple[int, ...]],
) -> Synthesis:
    """U_dec(j) with both fan-outs run as CNOT ladders over a tree of the key qubits.

    The key qubits are joined by device edges (and a few bridges through two signal qubits).
    A fan-out from a root over a tree takes a descending pass (every child ^= its parent, leaves
    first) and an ascending pass (the same, root first, skipping the root's own edges): each key
    ends XORed with the root's value and nothing else, with about two CNOTs per key. The
    CZ(s, N_k) fan-out is the same in the Hadamard frame of the keys, rooted at s through m,
    with one CNOT to put m back. About ``4n`` CNOTs in all, with no SWAP.
    """
    keys = {m, *others}
    adj: dict[int, list[tuple[int, tuple[int, int] | None]]] = {k: [] for k in keys}
    for u, v in key_edges:
        if u in keys and v in keys:
            adj[u].append((v, None))
            adj[v].append((u, None))
    for a, b, d, e in bridges:
        if a in keys and e in keys:
            adj[a].append((e, (b, d)))
            adj[e].append((a, (d, b)))
    order: list[tuple[int, int, tuple[int, int] | None]] = []  # BFS tree edges (parent, child)
    seen = {m}
    frontier = [m]
    while frontier:
        nxt = []
        for u in frontier:
            for v, via in sorted(adj[u], key=lambda t: t[0]):
                if v not in seen:
                    seen.add(v)
                    order.append((u, v, via))
                    nxt.append(v)
        frontier = nxt
    if seen != keys:
        raise AssertionError("the key qubits of a ladder are connected")
    out = Synthesis()
    out.seq(("cx", s, m), ("h", s))
    # Z part: CZ(s, t) for every key t != m, as a fan-out of s in the keys' Hadamard frame
    out.block([[("h", t)] for t in others])
    for u, v, via in reversed(order):
        _xor_into(out, u, v, via)
    out.seq(("cx", s, m))
    for u, v, via in order:
        _xor_into(out, u, v, via)
    out.seq(("cx", s, m))
    out.block([[("h", t)] for t in others])
    # X part: CX(m, t) for every key t != m, a fan-out of m over the same tree
    for u, v, via in reversed(order):
        _xor_into(out, u, v, via)
    for u, v, via in order:
        if u != m:
            _xor_into(out, u, v, via)
    out.seq(("s", s), ("s", m), ("cz", s, m), ("h", s), ("cx", s, m))
    return out


def relabel_plan(plan: LadderPlan, qubit: dict[int, int]) -> LadderPlan:
    """The same plan on other qubits: ``qubit[v]`` for every planned qubit ``v``."""
    return LadderPlan(
        qubit[plan.a],
        [qubit[v] for v in plan.signals],
        [qubit[v] for v in plan.keys],
        [tuple(qubit[v] for v in st) for st in plan.s_fill],
        [tuple(qubit[v] for v in st) for st in plan.k_fill],
    )


def rectangles(
    cells: dict[tuple[int, int], int], coupled: object
) -> list[tuple[int, int, int, int]]:
    """Every full rectangle ``(r0, c0, rows, cols)`` of a lattice given by integer cells
    (``(row, col) -> qubit``) whose neighbouring cells are all coupled, largest first."""
    from collections.abc import Callable

    assert callable(coupled)
    adj: Callable[[int, int], bool] = coupled
    if not cells:
        return []
    rmin = min(r for r, _ in cells)
    rmax = max(r for r, _ in cells)
    cmin = min(c for _, c in cells)
    cmax = max(c for _, c in cells)
    out = []
    for r0 in range(rmin, rmax + 1):
        for c0 in range(cmin, cmax + 1):
            if (r0, c0) not in cells:
                continue
            width = cmax - c0 + 1
            for r1 in range(r0, rmax + 1):
                # the widest run of coupled cells on row r1 starting at c0, capped by rows above
                w = 0
                while w < width and (r1, c0 + w) in cells:
                    if w and not adj(cells[(r1, c0 + w - 1)], cells[(r1, c0 + w)]):
                        break
                    if r1 > r0 and not adj(cells[(r1 - 1, c0 + w)], cells[(r1, c0 + w)]):
                        break
                    w += 1
                width = min(width, w)
                if width == 0:
                    break
                out.append((r0, c0, r1 - r0 + 1, width))
    out.sort(key=lambda t: (-(t[2] * t[3]), -t[3], t[0], t[1]))
    return out
