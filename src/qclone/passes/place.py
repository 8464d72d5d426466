"""Pass: initial placement of role slots on a target's qubits.

The placement grows the program's interaction structure (Bell pairs, the S and N fan-out chains,
the recovery's hubs) outwards from the middle of the device: slots are taken in breadth-first
order of the interaction graph, and each goes to the free qubit that minimizes its weighted
distance to its already placed partners. On an all-to-all target the placement is the identity.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable

from qclone.errors import TargetTooSmall
from qclone.passes.synthesize import Block
from qclone.targets import Target


def _center(target: Target, nodes: set[int]) -> int:
    """A central qubit of the component ``nodes`` (middle of a double-sweep diameter path)."""
    start = min(nodes)
    row = target.distance_row(start)
    u = max(nodes, key=lambda q: (int(row[q]), -q))
    row2 = target.distance_row(u)
    v = max(nodes, key=lambda q: (int(row2[q]), -q))
    path = target.shortest_path(u, v)
    return path[len(path) // 2]


def _nearest_free(target: Target, start: int, free: set[int], limit: int) -> list[int]:
    """Up to ``limit`` free qubits in breadth-first order from ``start``."""
    found: list[int] = []
    seen = {start}
    queue = deque([start])
    while queue and len(found) < limit:
        q = queue.popleft()
        if q in free:
            found.append(q)
        for r in sorted(target.neighbors(q)):
            if r not in seen:
                seen.add(r)
                queue.append(r)
    return found


def interaction_weights(blocks: Iterable[Block]) -> Counter[tuple[int, int]]:
    w: Counter[tuple[int, int]] = Counter()
    for block in blocks:
        for chain in block:
            for g in chain:
                if g.is_two_qubit:
                    a, b = g.qubits
                    w[(min(a, b), max(a, b))] += 1
    return w


def place(blocks: Iterable[Block], num_slots: int, target: Target) -> list[int]:
    """Return ``layout[slot] = physical qubit`` for ``num_slots`` slots."""
    target.require(num_slots, "the program")
    if target.all_to_all:
        return list(range(num_slots))
    comps = target.connected_components()
    component = set(comps[0])  # largest first
    if len(component) < num_slots:  # pragma: no cover - require() already checks this
        raise TargetTooSmall(f"target {target.name} has no connected region of {num_slots} qubits")
    weights = interaction_weights(blocks)
    adj: dict[int, dict[int, int]] = {s: {} for s in range(num_slots)}
    for (a, b), w in weights.items():
        adj[a][b] = adj[a].get(b, 0) + w
        adj[b][a] = adj[b].get(a, 0) + w
    center = _center(target, component)
    crow = target.distance_row(center)
    free = set(component)
    layout: dict[int, int] = {}
    degree = {s: sum(adj[s].values()) for s in range(num_slots)}
    unplaced = set(range(num_slots))
    while unplaced:
        # next component of the interaction graph: start at its busiest slot
        root = max(unplaced, key=lambda s: (degree[s], -s))
        order = [root]
        seen = {root}
        i = 0
        while i < len(order):
            s = order[i]
            i += 1
            for t in sorted(adj[s], key=lambda t: (-adj[s][t], t)):
                if t not in seen:
                    seen.add(t)
                    order.append(t)
        for s in order:
            placed = [(t, w) for t, w in adj[s].items() if t in layout]
            if not placed:
                anchor = center if not layout else _anchor(target, layout, free, center)
                cands = _nearest_free(target, anchor, free, 1)
            else:
                heavy = max(placed, key=lambda tw: tw[1])[0]
                cands = _nearest_free(target, layout[heavy], free, 12)
            best = min(cands, key=lambda q: _score(target, layout, placed, crow, q))
            layout[s] = best
            free.discard(best)
            unplaced.discard(s)
    return [layout[s] for s in range(num_slots)]


def _score(
    target: Target,
    layout: dict[int, int],
    placed: list[tuple[int, int]],
    crow: object,
    q: int,
) -> tuple[int, int, int]:
    """Weighted distance to the placed partners, then distance to the center."""
    cost = sum(w * target.distance(q, layout[t]) for t, w in placed)
    return (cost, int(crow[q]), q)  # type: ignore[index]


def _anchor(target: Target, layout: dict[int, int], free: set[int], center: int) -> int:
    """Where a new, unconnected group starts: the free qubit nearest to the center."""
    found = _nearest_free(target, center, free, 1)
    return found[0] if found else center


def lead_pairs(analysis: object) -> dict[str, int]:
    """For each module, the copy its first recovery decrypts (the pair to put first)."""
    from qclone.ir.ops import Recover
    from qclone.ir.program import Analysis

    assert isinstance(analysis, Analysis)
    lead: dict[str, int] = {}
    for info in analysis.ops:
        if isinstance(info.op, Recover):
            lead.setdefault(info.op.module, info.op.copy)
    return lead


def lead_first(xs: list[int], ys: list[int], j: int) -> tuple[list[int], list[int]]:
    """Put pair j first (the clone is symmetric in its pairs)."""
    return [xs[j - 1], *xs[: j - 1], *xs[j:]], [ys[j - 1], *ys[: j - 1], *ys[j:]]


def path_slot_order(analysis: object, num_slots: int) -> list[int]:
    """Slots in the order the ``path`` clone synthesis wants them along a device path.

    The pair that the module's first recovery decrypts goes first, so that recovery starts at
    the end of the line and walks it one way.
    """
    from qclone.ir.ops import Clone
    from qclone.ir.program import Analysis
    from qclone.passes.synthesize import path_order
    from qclone.semantics.reference import op_slots

    assert isinstance(analysis, Analysis)
    index = {w: i for i, w in enumerate(analysis.wires)}
    order: list[int] = []
    seen: set[int] = set()
    lead = lead_pairs(analysis)
    for info in analysis.ops:
        if isinstance(info.op, Clone):
            a, xs, ys = op_slots(info, index)
            xs, ys = lead_first(xs, ys, lead.get(info.op.module, 1))
            for s in path_order(a, xs, ys):
                if s not in seen:
                    seen.add(s)
                    order.append(s)
    order += [s for s in range(num_slots) if s not in seen]
    return order


def place_along(order: list[int], path: list[int], target: Target) -> list[int]:
    """``order[i]`` goes to ``path[i]``; slots beyond the path go to the nearest free qubits."""
    target.require(len(order), "the program")
    layout: dict[int, int] = {}
    free = set(target.graph.nodes)
    for s, q in zip(order, path, strict=False):
        layout[s] = q
        free.discard(q)
    rest = order[len(path) :]
    if rest:
        anchor = path[-1] if path else _center(target, set(target.graph.nodes))
        extra = _nearest_free(target, anchor, free, len(rest))
        if len(extra) < len(rest):
            raise TargetTooSmall(
                f"target {target.name} has no connected room for {len(order)} qubits; "
                "choose a larger target"
            )
        for s, q in zip(rest, extra, strict=True):
            layout[s] = q
    return [layout[s] for s in range(len(order))]
