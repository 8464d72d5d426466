"""The compile pipeline: decompose -> place -> route -> rebase -> (verify)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from qclone.compiled import CompileResult, PhaseCircuit
from qclone.cost.report import cost_report
from qclone.errors import CompilationError, TargetTooSmall, WrongArgumentType
from qclone.ir.program import Analysis, Program
from qclone.passes.decompose import LogicalPhase, decompose
from qclone.passes.paths import long_path
from qclone.passes.place import path_slot_order, place, place_along
from qclone.passes.rebase import rebase
from qclone.passes.route import route
from qclone.passes.synthesize import Synthesis, recover_paired
from qclone.targets import Target

if TYPE_CHECKING:
    import networkx as nx

#: What each layout strategy does, as reported in the cost report.
STRATEGIES: dict[str, str] = {
    "teleport": "teleport clone (3n CNOTs) + interaction-greedy placement + hub routing",
    "path": "nearest-neighbour clone along a device path (5n CNOTs) and walking recovery",
    "textbook": "textbook clone (5n CNOTs) + interaction-greedy placement + hub routing",
    "ladder": "teleport clone and tree-fan-out recovery on a serpentine ladder of the grid",
    "tree": "log-depth: binomial-tree fan-outs for clone and exact recover (all-to-all)",
    "dominoes": "nearest-neighbour clone on a tree of coupled pairs (5n CNOTs, no SWAP) and "
    "routed recovery",
    "keypath": "keys on a device path, clones beside them: the data's Bell bits swept down "
    "the keys (or Bell pairs plus the re-encryption walked along them), recovery walked back "
    "(about 8n CNOTs, no SWAP)",
}


def _ladder(analysis: Analysis, tgt: Target) -> tuple[list[LogicalPhase], list[int]] | None:
    """The serpentine-ladder candidate: one clone on a row-major grid target, or None."""
    from qclone.ir.ops import Clone
    from qclone.passes.ladder import (
        clone_ladder,
        grid_shape,
        key_graph,
        ladder_plan,
        recover_tree,
        rectangles,
        relabel_plan,
    )
    from qclone.passes.paths import is_row_major_grid
    from qclone.semantics.reference import op_slots

    clones = [o for o in analysis.ops if isinstance(o.op, Clone)]
    if len(clones) != 1 or len(analysis.data_wires) != 1:
        return None
    info = clones[0]
    assert isinstance(info.op, Clone)
    n = int(info.op.copies)
    shape = grid_shape(tgt.name)
    plan = None
    if shape is not None and is_row_major_grid(tgt, *shape):
        plan = ladder_plan(shape[0], shape[1], n)
        cols = shape[1]
    elif tgt.positions is not None:
        # a lattice with integer coordinates (e.g. Google's): a full rectangle inside it
        cells = {}
        for q, (x, y) in tgt.positions.items():
            if float(x).is_integer() and float(y).is_integer():
                cells[(int(y), int(x))] = q
        for r0, c0, rows, cols in rectangles(cells, tgt.is_adjacent):
            if 2 * n + 2 > rows * cols:
                break
            found = ladder_plan(rows, cols, n)
            if found is not None:
                plan = relabel_plan(
                    found,
                    {
                        r * cols + c: cells[(r0 + r, c0 + c)]
                        for r in range(rows)
                        for c in range(cols)
                    },
                )
                virtual = found
                break
    if plan is None:
        return None
    index = {w: i for i, w in enumerate(analysis.wires)}
    a, s, k = op_slots(info, index)
    layout = [0] * len(analysis.wires)
    layout[a] = plan.signals[0]  # the data starts where clone S_1 ends
    layout[s[0]] = plan.a  # and S_1's fresh qubit becomes the source A
    for i in range(1, len(s)):
        layout[s[i]] = plan.signals[i]
    for i in range(len(k)):
        layout[k[i]] = plan.keys[i]
    inv = {q: slot for slot, q in enumerate(layout)}
    s_fill = [tuple(inv[v] for v in st) for st in plan.s_fill]
    k_fill = [tuple(inv[v] for v in st) for st in plan.k_fill]

    if shape is not None and is_row_major_grid(tgt, *shape):
        edges, bridges = key_graph(plan, shape[1])
    else:
        # the plan's virtual row-major numbering knows the grid's neighbours: map it back
        vedges, vbridges = key_graph(virtual, cols)
        to_q = dict(zip(virtual.keys + virtual.signals, plan.keys + plan.signals, strict=True))
        edges = [(to_q[u], to_q[v]) for u, v in vedges]
        bridges = [tuple(to_q.get(v, -1) for v in st) for st in vbridges]
    key_edges = [(inv[u], inv[v]) for u, v in edges]
    key_bridges = [tuple(inv[v] for v in st) for st in bridges]

    def synth(a_: int, s_: list[int], k_: list[int]) -> Synthesis:
        return clone_ladder(a_, s_, k_, s_fill, k_fill)

    def recover(s_: int, m_: int, others: list[int]) -> Synthesis:
        return recover_tree(s_, m_, others, key_edges, key_bridges)

    return (
        decompose(
            analysis,
            clone_strategy=synth,
            recover_strategy=recover,
            recover_functional=_collapsing(layout, tgt, recover),
        ),
        layout,
    )


def path_windows(path: list[int], need: int, limit: int = 16) -> list[list[int]]:
    """Where a layout that needs ``need`` path qubits can sit on a longer ``path``: windows
    of the path in both directions, at most ``limit`` of them, spread evenly (the whole path
    first, so a path that is too short still gets its single candidate)."""
    if len(path) <= need:
        return [path]
    starts = list(range(len(path) - need + 1))
    if len(starts) * 2 > limit:
        k = max(1, limit // 2)
        starts = sorted({starts[round(i * (len(starts) - 1) / max(1, k - 1))] for i in range(k)})
    out = []
    for st in starts:
        window = path[st : st + need]
        out += [window, window[::-1]]
    return out


def error_score(phases: list[PhaseCircuit], tgt: Target) -> float:
    """Sum of ``-log(1 - e)`` over the gates, with ``e`` the target's calibrated error of the
    coupling or qubit each gate uses (the median where a figure is missing; 0 for targets
    with no figures): the noise-aware tie-break between layouts of equal gate count."""
    two: object = getattr(tgt, "two_qubit_error", None)
    one: object = getattr(tgt, "one_qubit_error", None)
    if not isinstance(two, Mapping) or not two:
        return 0.0
    from statistics import median

    med2 = median(float(v) for v in two.values())
    one_map = one if isinstance(one, Mapping) else {}
    med1 = median(float(v) for v in one_map.values()) if one_map else 0.0
    total = 0.0
    for ph in phases:
        for g in ph.circuit.gates:
            if g.is_two_qubit:
                a, b = sorted(g.qubits)
                e = float(two.get((a, b), two.get((b, a), med2)))
                weight = 3 if g.name == "swap" else 1  # a SWAP is three CZ/CX
                total -= weight * math.log1p(-min(e, 0.999999))
            else:
                e = float(one_map.get(g.qubits[0], med1))
                total -= math.log1p(-min(e, 0.999999))
    return total


def _slot_adjacency(layout: list[int], tgt: Target) -> dict[int, list[int]]:
    """The coupling of a layout's slots (``layout[slot]`` is its qubit; -1 for none yet): for
    each slot, the slots on coupled qubits, in order."""
    at = {q: slot for slot, q in enumerate(layout)}
    return {
        slot: sorted(at[r] for r in tgt.neighbors(q) if r in at) for slot, q in enumerate(layout)
    }


def _roaming(
    layout: list[int],
    tgt: Target,
    fallback: Callable[[int, int, list[int]], Synthesis | None] | None = None,
) -> Callable[[int, int, list[int]], Synthesis | None]:
    """A recovery for a finished ``layout``: the roaming controls
    (:func:`~qclone.passes.synthesize.recover_roam`) over the slots the layout couples, or
    ``fallback``'s synthesis when that has fewer two-qubit gates."""
    from qclone.passes.synthesize import recover_roam

    adjacency: dict[int, list[int]] = {}

    def recover(s: int, m: int, others: list[int]) -> Synthesis | None:
        if not adjacency:
            adjacency.update(_slot_adjacency(layout, tgt))
        found = [recover_roam(s, m, others, adjacency)]
        if fallback is not None:
            found.append(fallback(s, m, others))
        options = [f for f in found if f is not None]
        return min(options, key=Synthesis.two_qubit_cost) if options else None

    return recover


def _decompose_on(
    analysis: Analysis,
    clone: Callable[[int, list[int], list[int]], Synthesis],
    layout: list[int],
    tgt: Target,
    walk: Callable[[int, int, list[int]], Synthesis | None] | None = None,
) -> list[LogicalPhase]:
    """The phases of a finished ``layout``: ``clone`` for the clone, the roaming walk (or
    ``walk`` where cheaper) for the exact recovery, and for the functional one the keys'
    parities collapsed along their path where that is cheaper still."""
    recover = _roaming(layout, tgt, walk)
    return decompose(
        analysis,
        clone_strategy=clone,
        recover_strategy=recover,
        recover_functional=_collapsing(layout, tgt, recover),
    )


def _collapsing(
    layout: list[int],
    tgt: Target,
    exact: Callable[[int, int, list[int]], Synthesis | None],
) -> Callable[[int, int, list[int]], Synthesis | None]:
    """A functional recovery for a finished ``layout``: the keys' parities collapsed along
    their path (:func:`~qclone.passes.collapse.recover_collapse`, about ``2n`` CNOTs) when the
    other keys form a path from beside the controls, the paired form at PROTOCOL.md's lower
    bound (:func:`~qclone.passes.synthesize.recover_paired`) when every qubit of the recovery
    is coupled to every other, or ``exact``'s synthesis (an exact recovery is a functional one
    too), whichever has the fewest two-qubit gates."""
    from qclone.passes.collapse import recover_collapse

    adjacency: dict[int, list[int]] = {}

    def recover(s: int, m: int, others: list[int]) -> Synthesis | None:
        if not adjacency:
            adjacency.update(_slot_adjacency(layout, tgt))
        found = [recover_collapse(s, m, others, adjacency), exact(s, m, others)]
        roles = [s, m, *others]
        near = {r: set(adjacency.get(r, ())) for r in roles}
        if all(b in near[a] for i, a in enumerate(roles) for b in roles[i + 1 :]):
            found.append(recover_paired(s, m, others))
        options = [f for f in found if f is not None]
        return min(options, key=Synthesis.two_qubit_cost) if options else None

    return recover


def _path(
    analysis: Analysis, tgt: Target, path: list[int] | None = None
) -> tuple[list[LogicalPhase], list[int]]:
    """The path candidate: nearest-neighbour clone along a long device path (``path``, or the
    longest found), with the pair of the first recovery at the head of the line, and the
    walking recovery."""
    from qclone.ir.ops import Clone
    from qclone.passes.place import lead_first, lead_pairs
    from qclone.passes.synthesize import clone_path, recover_walk
    from qclone.semantics.reference import op_slots

    num_slots = len(analysis.wires)
    if path is None:
        path = long_path(tgt, num_slots)
    if len(path) < num_slots:
        comb = _comb(analysis, tgt, path)
        if comb is None:
            comb = _dominoes(analysis, tgt, path)
        if comb is not None:
            return comb
    order = path_slot_order(analysis, num_slots)
    layout = place_along(order, path, tgt)
    on_path = order[: len(path)]  # the walk below is nearest-neighbour along these
    index = {w: i for i, w in enumerate(analysis.wires)}
    lead = lead_pairs(analysis)
    lead_of: dict[int, int] = {}
    for info in analysis.ops:
        if isinstance(info.op, Clone) and info.phase == 0:
            _, xs, _ = op_slots(info, index)
            lead_of[xs[0]] = lead.get(info.op.module, 1)

    def clone(a: int, xs: list[int], ys: list[int]) -> Synthesis:
        return clone_path(a, *lead_first(xs, ys, lead_of.get(xs[0], 1)))

    def walk(s: int, m: int, others: list[int]) -> Synthesis | None:
        if m not in on_path:
            return None
        return recover_walk(s, m, others, on_path[on_path.index(m) :])

    return _decompose_on(analysis, clone, layout, tgt, walk), layout


def _dominoes(
    analysis: Analysis, tgt: Target, path: list[int]
) -> tuple[list[LogicalPhase], list[int]] | None:
    """:func:`_domino_layout` on the whole path, or on a few shorter heads of it (both ways
    round) when the free qubits past the path's end cannot all be paired up greedily."""
    size = len(path)
    for cut in sorted({size, size - size // 8, size - size // 4, size - size // 2}, reverse=True):
        if cut < 3:
            continue
        for way in (path[:cut], path[::-1][:cut]):
            found = _domino_layout(analysis, tgt, way)
            if found is not None:
                return found
    return None


def _domino_clone(
    layout: list[int],
    spare: list[int],
    steps: list[tuple[int, int, int, int]],
    lead_j: int,
    via: Mapping[int, list[int]] | None = None,
) -> Callable[[int, list[int], list[int]], Synthesis] | None:
    """Finish a domino layout: slots still unplaced (``-1``) take ``spare`` qubits in order
    (None if too few); returns the clone synthesis with ``steps`` and the stretched pairs'
    middle qubits ``via`` (physical qubits) on slots."""
    from qclone.passes.place import lead_first
    from qclone.passes.synthesize import clone_dominoes

    rest = list(spare)
    for slot in range(len(layout)):
        if layout[slot] == -1:
            if not rest:
                return None
            layout[slot] = rest.pop(0)
    inv = {q: slot for slot, q in enumerate(layout)}
    slot_steps = [(inv[e_a], inv[e_b], inv[c], inv[d]) for e_a, e_b, c, d in steps]
    if via and not all(q in inv for mids in via.values() for q in mids):
        return None
    slot_via = {inv[d]: [inv[q] for q in mids] for d, mids in (via or {}).items()}

    def clone(a: int, xs: list[int], ys: list[int]) -> Synthesis:
        return clone_dominoes(a, *lead_first(xs, ys, lead_j), slot_steps, slot_via)

    return clone


def _domino_layout(
    analysis: Analysis, tgt: Target, path: list[int]
) -> tuple[list[LogicalPhase], list[int]] | None:
    """A path too short for every pair: the pairs that do not fit on it go on *dominoes*
    (two coupled free qubits) grown next to pairs already placed, branching where the device
    allows (:func:`qclone.passes.synthesize.clone_dominoes`), so the clone needs no SWAP.
    One clone per program; None if the free qubits cannot take the remaining pairs."""
    from qclone.ir.ops import Clone
    from qclone.passes.place import lead_first, lead_pairs
    from qclone.semantics.reference import op_slots

    clones = [o for o in analysis.ops if isinstance(o.op, Clone)]
    if len(clones) != 1 or len(analysis.data_wires) != 1 or len(path) < 3:
        return None
    info = clones[0]
    assert isinstance(info.op, Clone)
    n = int(info.op.copies)
    index = {w: i for i, w in enumerate(analysis.wires)}
    a, xs, ys = op_slots(info, index)
    lead_j = lead_pairs(analysis).get(info.op.module, 1)
    xs, ys = lead_first(xs, ys, lead_j)
    layout = [-1] * len(analysis.wires)
    layout[xs[0]], layout[ys[0]], layout[a] = path[0], path[1], path[2]
    used = set(path[:3])
    partner = {path[1]: path[2], path[2]: path[1]}  # qubit -> the other qubit of its pair
    steps: list[tuple[int, int, int, int]] = []  # physical (e_a, e_b, c, d)
    exit_a, exit_b = path[1], path[2]
    on_path = (len(path) - 3) // 2
    line = [ys[0], a]  # slots along the path from the key N1 on (the recovery's walk)
    for p in range(1, min(n, on_path + 1)):
        c, d = path[1 + 2 * p], path[2 + 2 * p]
        layout[ys[p]], layout[xs[p]] = c, d
        steps.append((exit_a, exit_b, c, d))
        used.update((c, d))
        partner[c], partner[d] = d, c
        exit_a, exit_b = c, d
        line += [ys[p], xs[p]]
    free = set(tgt.graph.nodes) - used
    via: dict[int, list[int]] = {}  # stretched pairs: clone qubit -> the qubits between

    def free_degree(q: int) -> int:
        return sum(1 for r in tgt.neighbors(q) if r in free)

    for p in range(min(n, on_path + 1), n):
        best: tuple[tuple[int, int, int, int, int], tuple[int, int, int]] | None = None
        for q in sorted(partner):
            for c in sorted(tgt.neighbors(q)):
                if c not in free:
                    continue
                for d in sorted(tgt.neighbors(c)):
                    if d in free and d != c:
                        key = (free_degree(d), free_degree(c), q, c, d)
                        if best is None or key < best[0]:
                            best = (key, (q, c, d))
        if best is None:
            # no free domino left: a stretched pair, key next to a placed qubit q and clone
            # the fewest placed qubits away (both hanging off q costs nothing extra), joined
            # through them (clone_dominoes' ``via``)
            stretch: tuple[tuple[int, int, int, int, int], tuple[int, int, int, list[int]]] | None
            stretch = None
            for q in sorted(partner):
                for c in sorted(tgt.neighbors(q)):
                    if c not in free:
                        continue
                    back = {c: c}
                    frontier = [c]
                    found: int | None = None
                    while frontier and found is None:
                        nxt = []
                        for u in frontier:
                            for r in sorted(tgt.neighbors(u)):
                                if r in back:
                                    continue
                                back[r] = u
                                if r in free and u != c:
                                    found = r
                                    break
                                if r in used:
                                    nxt.append(r)
                            if found is not None:
                                break
                        frontier = nxt
                    if found is None:
                        continue
                    chain = [back[found]]
                    while chain[-1] != c:
                        chain.append(back[chain[-1]])
                    mids = chain[:-1][::-1]  # from c's side to the clone's
                    cost = 3 if mids == [q] else 4 * len(mids) - 1
                    skey = (cost, free_degree(found), free_degree(c), q, c)
                    if stretch is None or skey < stretch[0]:
                        stretch = (skey, (q, c, found, mids))
            if stretch is None:
                return None
            q, c, d, mids = stretch[1]
            via[d] = mids
            best = ((0, 0, q, c, d), (q, c, d))
        q, c, d = best[1]
        free.difference_update((c, d))
        used.update((c, d))
        layout[ys[p]], layout[xs[p]] = c, d
        steps.append((partner[q], q, c, d))
        partner[c], partner[d] = d, c
    clone = _domino_clone(layout, sorted(free), steps, lead_j, via)
    if clone is None:
        return None

    def walk(s_: int, m_: int, others: list[int]) -> Synthesis | None:
        from qclone.passes.synthesize import recover_walk

        if m_ not in line:
            return None
        return recover_walk(s_, m_, others, line[line.index(m_) :])

    return _decompose_on(analysis, clone, layout, tgt, walk), layout


def _domino_tree(
    analysis: Analysis, tgt: Target, calibrated: Target, *, deep: bool = False, roam: bool = True
) -> tuple[list[LogicalPhase], list[int]] | None:
    """Every pair on a *domino* (two coupled qubits) of a maximum matching of the device,
    the dominoes joined into a tree by breadth-first search from the first pair, and the
    source next to the first pair's key: :func:`~qclone.passes.synthesize.clone_dominoes`,
    ``5n - 2`` CNOTs with no SWAP wherever the device has a connected set of ``n`` dominoes.
    The matching prefers the couplings with the lowest calibrated error. ``deep`` grows the
    tree depth-first from the newest key instead (long runs of keys for the recovery);
    ``roam`` recovers with :func:`~qclone.passes.synthesize.recover_roam` instead of the
    paper's form left to the router. One clone per program, devices up to 2000 qubits; None
    when it does not fit."""
    import networkx as nx

    from qclone.ir.ops import Clone
    from qclone.passes.place import lead_first, lead_pairs
    from qclone.semantics.reference import op_slots

    clones = [o for o in analysis.ops if isinstance(o.op, Clone)]
    if len(clones) != 1 or len(analysis.data_wires) != 1 or tgt.num_qubits > 2000:
        return None
    info = clones[0]
    assert isinstance(info.op, Clone)
    n = int(info.op.copies)
    comp = tgt.connected_components()[0]
    if len(comp) < 2 * n + 1:
        return None
    errors: object = getattr(calibrated, "two_qubit_error", None)
    err = errors if isinstance(errors, Mapping) else {}
    graph = nx.Graph()
    for a, b in tgt.edges:
        if a in comp and b in comp:
            graph.add_edge(a, b, weight=2.0 - float(err.get((a, b), err.get((b, a), 0.0))))
    matching = sorted(tuple(sorted(e)) for e in nx.max_weight_matching(graph, maxcardinality=True))
    if len(matching) < n:
        return None
    domino_of = {q: i for i, e in enumerate(matching) for q in e}
    matched = set(domino_of)
    for z in sorted(comp, key=lambda q: (q in matched, q)):
        dropped = domino_of.get(z)
        for y in sorted(tgt.neighbors(z)):
            lead = domino_of.get(y)
            if lead is None or lead == dropped:
                continue
            x = matching[lead][0] if matching[lead][1] == y else matching[lead][1]
            order = [lead]
            parent: dict[int, tuple[int, int]] = {}  # domino -> (qubit of parent, own qubit)
            seen = {lead, dropped} if dropped is not None else {lead}
            if deep:
                # depth-first, growing from the newest key first: keys form long runs the
                # roaming recovery walks, and clones stay off its way where the device allows
                key_of = {lead: y}
                stack = [lead]
                while stack and len(order) < n:
                    top = stack[-1]
                    kq = key_of[top]
                    other = matching[top][0] if matching[top][1] == kq else matching[top][1]
                    grown = False
                    for q in (kq, other):
                        for c in sorted(tgt.neighbors(q)):
                            d_i = domino_of.get(c)
                            if d_i is not None and d_i not in seen and c != z:
                                seen.add(d_i)
                                parent[d_i] = (q, c)
                                key_of[d_i] = c
                                order.append(d_i)
                                stack.append(d_i)
                                grown = True
                                break
                        if grown:
                            break
                    if not grown:
                        stack.pop()
            else:
                # breadth-first over the dominoes from the lead one
                i = 0
                while i < len(order) and len(order) < n:
                    for q in matching[order[i]]:
                        for c in sorted(tgt.neighbors(q)):
                            d_i = domino_of.get(c)
                            if d_i is not None and d_i not in seen and c != z:
                                seen.add(d_i)
                                parent[d_i] = (q, c)
                                order.append(d_i)
                    i += 1
            order = order[:n]
            pairs = [matching[d_i] for d_i in order]
            links = [parent.get(d_i) for d_i in order]
            if len(order) < n:
                # too few dominoes (heavy-hex lattices have no perfect matching): stretched
                # pairs on free qubits next to the tree, two apart; a router joins them
                taken = {q for e in pairs for q in e} | {z}
                free = set(comp) - taken
                while len(pairs) < n:
                    found = None
                    for q in sorted(taken - {z}):
                        for c in sorted(tgt.neighbors(q)):
                            if c in free:
                                row = tgt.distance_row(c)
                                near = sorted(f for f in free if f != c and 0 < row[f] <= 2)
                                if near:
                                    found = (q, c, near[0])
                                    break
                        if found:
                            break
                    if found is None:
                        break
                    q, c, d = found
                    free.difference_update((c, d))
                    taken.update((c, d))
                    pairs.append((c, d))
                    links.append((q, c))
                if len(pairs) < n:
                    continue
            owner = {qq: e for e in pairs for qq in e}
            index = {w: k for k, w in enumerate(analysis.wires)}
            a, xs, ys = op_slots(info, index)
            lead_j = lead_pairs(analysis).get(info.op.module, 1)
            xs, ys = lead_first(xs, ys, lead_j)
            layout = [-1] * len(analysis.wires)
            layout[xs[0]], layout[ys[0]], layout[a] = z, y, x
            steps = []
            for p in range(1, n):
                link = links[p]
                assert link is not None
                q, c = link
                d = pairs[p][0] if pairs[p][1] == c else pairs[p][1]
                layout[ys[p]], layout[xs[p]] = c, d
                partner_q = owner[q]
                steps.append((partner_q[0] if partner_q[1] == q else partner_q[1], q, c, d))
            spare = sorted(set(tgt.graph.nodes) - set(layout))
            clone = _domino_clone(layout, spare, steps, lead_j)
            if clone is None:
                continue
            if roam:
                return _decompose_on(analysis, clone, layout, tgt), layout
            return decompose(analysis, clone_strategy=clone), layout
    return None


def _comb(
    analysis: Analysis, tgt: Target, path: list[int]
) -> tuple[list[LogicalPhase], list[int]] | None:
    """A path too short for every pair: hang some pairs off it as teeth (key on the path,
    clone on a free neighbour), as many as needed. One clone per program; None if the path
    and its free neighbours cannot hold the pairs."""
    from qclone.ir.ops import Clone
    from qclone.passes.place import lead_first, lead_pairs
    from qclone.passes.synthesize import clone_comb, recover_walk
    from qclone.semantics.reference import op_slots

    clones = [o for o in analysis.ops if isinstance(o.op, Clone)]
    if len(clones) != 1 or len(analysis.data_wires) != 1:
        return None
    info = clones[0]
    assert isinstance(info.op, Clone)
    n = int(info.op.copies)
    index = {w: i for i, w in enumerate(analysis.wires)}
    a, xs, ys = op_slots(info, index)
    xs, ys = lead_first(xs, ys, lead_pairs(analysis).get(info.op.module, 1))
    if len(path) < 3:
        return None
    on_path_nodes = set(path)
    used = set(path[:3])
    layout = [0] * len(analysis.wires)
    layout[xs[0]], layout[ys[0]], layout[a] = path[0], path[1], path[2]
    line = [ys[0], a]  # slots along the path from the key N_1 on, for the recovery walk
    tooth = [False] * n
    size = len(path)
    avail = [
        sorted(q for q in tgt.neighbors(path[j]) if q not in on_path_nodes) for j in range(size)
    ]
    # most pairs that fit from path position j on (a path pair takes two path qubits, a tooth
    # pair one path qubit and a free neighbour), to choose teeth only where they are needed
    most = [0] * (size + 2)
    for j in range(size - 1, -1, -1):
        most[j] = max(
            1 + most[j + 2] if j + 1 < size else 0,
            1 + most[j + 1] if avail[j] else 0,
        )
    i = 3
    for p in range(1, n):
        left = n - p  # pairs still to place, this one included
        free = [q for q in avail[i] if q not in used] if i < size else []
        if i + 1 < size and 1 + most[i + 2] >= left:
            layout[ys[p]], layout[xs[p]] = path[i], path[i + 1]
            used.update(path[i : i + 2])
            line += [ys[p], xs[p]]
            i += 2
        elif free and 1 + most[i + 1] >= left:
            layout[ys[p]], layout[xs[p]] = path[i], free[0]
            used.update((path[i], free[0]))
            line.append(ys[p])
            tooth[p] = True
            i += 1
        else:
            return None

    lead_j = lead_pairs(analysis).get(info.op.module, 1)

    def clone(a_: int, xs_: list[int], ys_: list[int]) -> Synthesis:
        return clone_comb(a_, *lead_first(xs_, ys_, lead_j), tooth)

    def walk(s_: int, m_: int, others: list[int]) -> Synthesis | None:
        if m_ not in line:
            return None
        return recover_walk(s_, m_, others, line[line.index(m_) :])

    return _decompose_on(analysis, clone, layout, tgt, walk), layout


def level_matching(rows: list[int], options: Mapping[int, list[tuple[int, int]]]) -> dict[int, int]:
    """A maximum matching of ``rows`` to columns from ``options[row]`` (``(cost, column)``
    pairs, sorted) that favours cheap pairs: the cheapest pairs are taken greedily, then
    Kuhn's augmenting paths match the rows left where they can. Fast, not optimal: it ranks
    candidate layouts before the exact assignment."""
    match_col: dict[int, int] = {}
    match_row: dict[int, int] = {}

    def augment(r0: int, level: int) -> bool:
        reached: dict[int, int] = {}  # column -> the row it was reached from
        stack = [(r0, 0)]
        while stack:
            r, i = stack.pop()
            opts = options.get(r, [])
            while i < len(opts) and opts[i][0] <= level:
                c = opts[i][1]
                i += 1
                if c in reached:
                    continue
                reached[c] = r
                if c not in match_col:
                    while True:  # flip the path back to r0
                        rr = reached[c]
                        prev = match_row.get(rr)
                        match_col[c], match_row[rr] = rr, c
                        if rr == r0 or prev is None:
                            return True
                        c = prev
                stack.append((r, i))
                stack.append((match_col[c], 0))
                break
        return False

    # cheapest pairs first, greedily; then augmenting paths for the rows left, over all costs
    pairs = sorted((w, col, row) for row in rows for w, col in options.get(row, []))
    for _, c, r in pairs:
        if r not in match_row and c not in match_col:
            match_col[c], match_row[r] = r, c
    top = max((w for r in rows for w, _ in options.get(r, [])), default=0)
    for r in rows:
        if r not in match_row:
            augment(r, top)
    return dict(match_row)


#: Key routes are refined by annealing (:func:`annealed_keys`) on targets up to this size.
_ANNEAL_QUBITS = 600


def _has_square(tgt: Target) -> bool:
    """Whether two qubits of ``tgt`` share two neighbours (a 4-cycle, as in square lattices).

    Key routes are annealed only on targets without: there, as on heavy-hex, half the qubits
    of any path have no free neighbour and the clones' distance from their keys is what the
    route decides. On square lattices a snake already puts clones beside keys, and the twists
    an annealed route takes give the recovery's walk chords that cost it more than the clone
    saves (google:willow at n = 48: clone 30 fewer, recovery 43 more)."""
    seen: set[tuple[int, int]] = set()
    for q in tgt.graph.nodes:
        near = sorted(tgt.neighbors(q))
        for i, u in enumerate(near):
            for v in near[i + 1 :]:
                if (u, v) in seen:
                    return True
                seen.add((u, v))
    return False


def bell_total(tgt: Target, n: int) -> Callable[[list[int]], float]:
    """The score of a route of ``n`` keys for the key-path layout: the least total ``2d - 1``
    over an assignment of the other qubits as clones (``d``: distance to the clone's key), by
    the Hungarian method on the target's cached distance rows (:meth:`Target.distance_row`).
    It is what the clone spends on its Bell pairs if every pair's path were free; a floor
    that ranks routes."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    everyone = np.arange(tgt.num_qubits)

    def score(keys: list[int]) -> float:
        free = np.setdiff1d(everyone, keys)
        if len(free) < n:
            return math.inf
        part = np.stack([tgt.distance_row(q) for q in keys])[:, free]
        cost = np.where(part < 0, 10**6, 2 * part - 1)
        r, c = linear_sum_assignment(cost)
        return float(cost[r, c].sum())

    return score


def annealed_keys(tgt: Target, n: int, candidates: list[list[int]]) -> list[list[int]]:
    """Better key routes for the key-path layout: the two candidates of ``n`` keys with the
    lowest :func:`bell_total`, each improved by simulated annealing
    (:func:`~qclone.passes.paths.anneal_path`, a fixed number of moves, seeded), so the
    clones can sit nearer their keys. Cached per target, route and seed."""
    from qclone.passes.paths import anneal_path

    score = bell_total(tgt, n)
    seen: dict[tuple[int, ...], float] = {}
    for walk in candidates:
        if len(walk) == n and tuple(walk[::-1]) not in seen:
            seen[tuple(walk)] = score(walk)
    starts = sorted(seen, key=lambda k: seen[k])[:2]
    adjacency = {q: sorted(tgt.neighbors(q)) for q in tgt.graph.nodes}
    cache: dict[tuple[tuple[int, ...], int], list[int]]
    cache = tgt._derived.setdefault("annealed_keys", {})
    out = []
    for k, start in enumerate(starts):
        if (start, k) not in cache:
            cache[start, k] = anneal_path(
                adjacency, list(start), score, iterations=20_000, seed=11 + k, heat=30.0
            )[1]
        out.append(list(cache[start, k]))
    return out


def _keypath_floor(analysis: Analysis) -> int:
    """The fewest two-qubit gates a key-path layout can take for the program: the clone's
    sweep, ``2(n - 1)`` down the keys plus two per pair plus one at the start (fewer than the
    Bell pairs plus walk, ``5n - 2``), and ``4(n - 1) + 2`` for the recovery's walk (no pair
    stretched); 0 if it does not apply."""
    from qclone.ir.ops import Clone

    clones = [o.op for o in analysis.ops if isinstance(o.op, Clone)]
    if len(clones) != 1 or not isinstance(clones[0].copies, int):
        return 0
    n = clones[0].copies
    return (2 * (n - 1) + 2 * n + 1) + (4 * (n - 1) + 2)


def _keypath(
    analysis: Analysis, tgt: Target, bound: int | None = None
) -> tuple[list[LogicalPhase], list[int]] | None:
    """The key-path candidate: the keys on a device path, each clone on a free qubit near its
    key, the clone as Bell pairs plus U_dec(j)^dagger walked along the keys
    (:func:`~qclone.passes.synthesize.clone_keypath`) and the recovery walked back
    (:func:`~qclone.passes.synthesize.recover_roam`). No clone stands between two keys, so
    both walks meet a key at every step (4 CNOTs); the price is in the Bell pairs whose clone
    is not coupled to its key (``2k + 1`` CNOTs over ``k`` qubits between). Clones go to free
    qubits by a minimum-cost assignment, two ways: in rounds over the qubits already held
    (every Bell pair's path stays fresh), and over all free qubits at once (the Hungarian
    method: fewer qubits between in total, but paths may cross in a cycle, so the pairs that
    lose their planned path are banned and the assignment redone a few times). The window of
    the path, the data's qubit and the assignment are the cheapest synthesized of a few tried.
    On lattices without 4-cycles (heavy-hex) the two best routes are also refined by
    annealing (:func:`annealed_keys`) and searched the same way; the best layouts of both
    searches are compared on the clone plus the first recovery. One clone per program; None
    when nothing fits, or when no layout could cost ``bound`` two-qubit gates or fewer (the
    best so far, given by ``auto``)."""
    import networkx as nx

    from qclone.ir.ops import Clone, Recover
    from qclone.passes.collapse import recover_collapse
    from qclone.passes.place import lead_pairs
    from qclone.passes.sweep import clone_keypath_sweep
    from qclone.passes.synthesize import clone_keypath, recover_roam, stretched_order
    from qclone.semantics.reference import op_slots

    clones = [o for o in analysis.ops if isinstance(o.op, Clone)]
    if tgt.all_to_all or len(clones) != 1 or len(analysis.data_wires) != 1:
        return None  # all-to-all: the teleport clone and the paper's recovery are cheaper
    if max((d for _, d in tgt.graph.degree), default=0) <= 2:
        return None  # a line or ring: no qubit beside the path, every Bell pair runs round it
    info = clones[0]
    assert isinstance(info.op, Clone)
    n = int(info.op.copies)
    num_slots = len(analysis.wires)
    if n < 2 or num_slots != 2 * n + 1:
        return None
    index = {w: i for i, w in enumerate(analysis.wires)}
    a, xs, ys = op_slots(info, index)
    j = lead_pairs(analysis).get(info.op.module, 1) - 1
    path = long_path(tgt, num_slots)
    if len(path) < n:
        path = long_path(tgt, n)
    if len(path) < n:
        return None
    graph = tgt.graph

    adj = {q: tuple(graph.adj[q]) for q in graph.nodes}

    def within(src_: int | list[int], held: set[int] | None = None) -> dict[int, int]:
        """Breadth-first distances from ``src_`` (a qubit or several) over the ``held`` qubits
        only (all if None)."""
        starts = [src_] if isinstance(src_, int) else list(src_)
        dist = dict.fromkeys(starts, 0)
        frontier = starts
        while frontier:
            nxt = []
            for q in frontier:
                for r in adj[q]:
                    if (held is None or r in held) and r not in dist:
                        dist[r] = dist[q] + 1
                        nxt.append(r)
            frontier = nxt
        return dist

    def within_many(srcs: list[int], held: set[int]) -> tuple[dict[int, int], Any]:
        """The distances of :func:`within` from each of ``srcs`` (all in ``held``) at once,
        by scipy's breadth-first search: the column of each held qubit, and a matrix with a
        row per source (``inf`` where a qubit is out of reach)."""
        import numpy as np
        from scipy.sparse import csr_matrix
        from scipy.sparse.csgraph import shortest_path

        nodes = sorted(held)
        col = {q: c for c, q in enumerate(nodes)}
        edges = [(col[q], col[r]) for q in nodes for r in adj[q] if r in col]
        rows_, cols_ = zip(*edges, strict=True) if edges else ((), ())
        m = csr_matrix((np.ones(len(edges)), (rows_, cols_)), shape=(len(nodes), len(nodes)))
        return col, shortest_path(m, unweighted=True, indices=[col[q] for q in srcs])

    def assign(keys: list[int], psi: int, exact: bool) -> tuple[int, dict[int, int]] | None:
        """A clone qubit for each key (by index in ``keys``) at low total Bell-pair cost.

        A Bell pair runs only over qubits the layout holds (and not over the data's qubit),
        so clones are placed in rounds: first next to the keys, then next to the keys and
        the clones placed so far, and so on. Each round matches the keys still without a
        clone (cost ``2d - 1`` for a clone ``d`` steps away): at least total cost if
        ``exact`` (network simplex), else as many as possible at each cost level in turn
        (:func:`level_matching`, much faster: used to rank the candidates)."""
        held = set(keys)
        partner: dict[int, int] = {}
        for _ in range(12):  # rounds: clones further out, over the clones placed before
            if len(partner) == n:
                break
            todo = [i for i in range(n) if i not in partner]
            spots = {q for h in held for q in adj[h] if q not in held and q != psi}
            options: dict[int, list[tuple[int, int]]] = {i: [] for i in todo}
            col, dist = within_many([keys[i] for i in todo], held)
            for q in sorted(spots):
                near = dist[:, [col[h] for h in adj[q] if h in col]].min(axis=1)
                for row, i in enumerate(todo):
                    if near[row] != math.inf:
                        options[i].append((2 * int(near[row]) + 1, q))
            for i in todo:
                options[i].sort()
            if exact:
                flow = nx.DiGraph()
                flow.add_node("src", demand=-len(todo))
                flow.add_node("dst", demand=len(todo))
                for i in todo:
                    flow.add_edge("src", ("k", i), capacity=1, weight=0)
                    flow.add_edge(("k", i), "dst", capacity=1, weight=10**6)  # none this round
                    for w, q in options[i]:
                        flow.add_edge(("k", i), ("q", q), capacity=1, weight=w)
                for q in spots:
                    flow.add_edge(("q", q), "dst", capacity=1, weight=0)
                _, sol = nx.network_simplex(flow)
                got = {
                    i: node[1]
                    for i in todo
                    for node, f in sol[("k", i)].items()
                    if f and node != "dst"
                }
            else:
                got = level_matching(todo, options)
            if not got:
                return None
            partner.update(got)
            held = set(keys) | set(partner.values())
        if len(partner) < n:
            return None
        col, dist = within_many(keys, held)
        total = sum(2 * int(dist[i, col[q]]) - 1 for i, q in partner.items())
        return total, partner

    def assign_global(
        keys: list[int], psi: int, banned: frozenset[tuple[int, int]] = frozenset()
    ) -> tuple[int, dict[int, int]] | None:
        """A clone qubit for each key at the least total ``2d - 1`` over all free qubits at
        once (``d``: distance avoiding the data's qubit), by the Hungarian method. Unlike
        :func:`assign` it may put a clone further out so that others sit nearer; the Bell
        pairs still run over held qubits only, so the caller synthesizes both and keeps the
        cheaper. ``banned`` lists (key index, qubit) pairs not to use."""
        import numpy as np
        from scipy.optimize import linear_sum_assignment

        keyset = set(keys)
        free = sorted(q for q in graph.nodes if q not in keyset and q != psi)
        if len(free) < n:
            return None
        held = set(graph.nodes) - {psi}
        col = {q: c for c, q in enumerate(free)}
        big = 10**6
        at, dist = within_many(keys, held)
        part = dist[:, [at[q] for q in free]]
        cost = np.where(np.isinf(part), big, 2 * np.nan_to_num(part, posinf=0) - 1).astype(np.int64)
        for i, q in banned:
            if q in col:
                cost[i, col[q]] = big
        rows, cols = linear_sum_assignment(cost)
        total = int(cost[rows, cols].sum())
        if total >= big:
            return None
        return total, {int(i): free[c] for i, c in zip(rows, cols, strict=True)}

    from qclone.passes.paths import rotation_paths, spread_paths

    def spread(keys: list[int]) -> int:
        """Quick score of a key route: the n cheapest Bell pairs to qubits off it."""
        far = sorted(2 * d - 1 for d in within(keys).values() if d)
        return sum(far[:n]) if len(far) >= n + 1 else 10**9

    long_ones = [path]
    if tgt.num_qubits <= 2000:
        long_ones += rotation_paths(tgt, num_slots, starts=4, budget=300)
    routes: dict[tuple[int, ...], int] = {}
    for way in long_ones:
        for w in (way, way[::-1]):
            for t in range(len(w) - n + 1):
                window = tuple(w[t : t + n])
                if window not in routes:
                    routes[window] = spread(list(window))
    ranked = [list(k) for k, _ in sorted(routes.items(), key=lambda kv: kv[1])[:6]]
    if tgt.num_qubits <= 2000:
        for walk in spread_paths(tgt, n)[:4]:
            ranked += [walk, walk[::-1]]
    annealed: list[list[int]] = []
    if tgt.num_qubits <= _ANNEAL_QUBITS and not _has_square(tgt):
        for walk in annealed_keys(tgt, n, ranked):
            annealed += [walk, walk[::-1]]
    order = [j, *[i for i in range(n) if i != j]]  # pair order along the keys: j first

    def build(
        keys: list[int], psi: int, partner: dict[int, int]
    ) -> tuple[list[int], dict[int, list[int]], dict[int, list[int]]] | None:
        """The layout, the slots' coupling and the stretched pairs' paths over slots (not
        through the data's); None if a pair has no path."""
        layout = [-1] * num_slots
        layout[a] = psi
        for pos, i in enumerate(order):
            layout[ys[i]] = keys[pos]
            layout[xs[i]] = partner[pos]
        adjacency = _slot_adjacency(layout, tgt)
        sub = nx.Graph()
        sub.add_nodes_from(s_ for s_ in range(num_slots) if s_ != a)
        sub.add_edges_from((u, v) for u in sub for v in adjacency[u] if v in sub)
        via: dict[int, list[int]] = {}
        try:
            for i in range(n):
                if layout[xs[i]] not in tgt.neighbors(layout[ys[i]]):
                    via[i] = nx.shortest_path(sub, ys[i], xs[i])[1:-1]
        except nx.NetworkXNoPath:
            return None
        return layout, adjacency, via

    def search(routes: list[list[int]]) -> tuple[int, list[int], Synthesis] | None:
        """The cheapest clone (two-qubit count, layout, synthesis) over key ``routes``."""
        overall = []
        tries = [
            (keys, psi) for keys in routes for psi in sorted(set(graph.adj[keys[0]]) - set(keys))
        ]

        def _key(t: tuple[list[int], int]) -> tuple[tuple[int, ...], int]:
            return tuple(t[0]), t[1]

        for keys, psi in tries:
            whole = assign_global(keys, psi)
            if whole is not None:
                overall.append((whole[0], keys, psi, whole[1]))
        # every layout tried pays at least the Hungarian total of its Bell pairs (both clones spend
        # that or more on the pairs, the sweep 2(n - 1) more down the keys) and the recovery's
        # walk: if that is dearer than the best layout so far, none can win
        if (
            bound is not None
            and overall
            and 2 * (n - 1) + min(o[0] for o in overall) + 4 * (n - 1) + 2 > bound
        ):
            return None
        # the quick assignment ranks the candidates; its total is at least the Hungarian one, so a
        # candidate whose Hungarian total exceeds the third-best quick total so far cannot rank in
        # the three kept: go through them from the lowest Hungarian total and stop there
        lowest = {(tuple(keys), psi): total for total, keys, psi, _ in overall}
        ranked_quick: list[tuple[int, int, list[int], int]] = []
        for pos in sorted(range(len(tries)), key=lambda p: lowest.get(_key(tries[p]), 10**9)):
            keys, psi = tries[pos]
            if _key(tries[pos]) not in lowest:
                continue  # no assignment over all free qubits: none over the held ones either
            if len(ranked_quick) >= 3 and lowest[_key(tries[pos])] > sorted(ranked_quick)[2][0]:
                break
            quick = assign(keys, psi, exact=False)
            if quick is not None:
                ranked_quick.append((quick[0], pos, keys, psi))
        scored = [(total, keys, psi) for total, _, keys, psi in sorted(ranked_quick)]
        overall.sort(key=lambda c: c[0])
        best: tuple[int, list[int], Synthesis] | None = None

        def consider(keys: list[int], psi: int, partner: dict[int, int]) -> list[int]:
            """Synthesize the layout, keep it if cheapest; the pairs whose Bell pair could not
            run over its planned path (made by detour or long_cx)."""
            nonlocal best
            built = build(keys, psi, partner)
            if built is None:
                return []
            layout_, adjacency, via = built
            for made in (
                clone_keypath(a, xs, ys, j, adjacency, via),
                clone_keypath_sweep(a, xs, ys, j, order, adjacency, via),
            ):
                if made is not None:
                    cost = made.two_qubit_cost()
                    if best is None or cost < best[0]:
                        best = (cost, layout_, made)
            plan = stretched_order(a, xs, ys, adjacency, via)
            return [i for i, detour in plan if detour is None or len(detour) > len(via[i])]

        rounds_best: int | None = None
        for _, keys, psi in scored[:3]:  # the most promising, assigned exactly and synthesized
            found = assign(keys, psi, exact=True)
            if found is not None:
                consider(keys, psi, found[1])
                rounds_best = found[0] if rounds_best is None else min(rounds_best, found[0])
        for whole_total, keys, psi, partner in overall[:4]:
            if rounds_best is not None and whole_total >= rounds_best:
                continue  # its Bell pairs cannot cost less than the rounds assignment's already do
            # the global assignment may plan Bell pairs whose paths cross in a cycle: ban those
            # pairs' (key, clone) choices and assign again, a few times
            banned: set[tuple[int, int]] = set()
            for _round in range(8):
                crossed = consider(keys, psi, partner)
                if not crossed:
                    break
                banned.update((i, partner[i]) for i in crossed)
                again = assign_global(keys, psi, frozenset(banned))
                if again is None:
                    break
                partner = again[1]
        return best

    recovers = [
        o.op
        for o in analysis.ops
        if isinstance(o.op, Recover) and o.op.module == info.op.module and o.op.copy == j + 1
    ]

    def recovery_cost(adjacency: Mapping[int, list[int]], made: Synthesis) -> int:
        """What the program's first recovery (of pair ``j``) costs on a layout's coupling
        after the clone ``made`` (which may move the clone's slot): the roaming walk, or for
        a functional recovery the collapse where cheaper (0 if there is none). Layouts are
        compared on the clone plus this, as the walk's route depends on how the keys sit,
        not only on their order."""
        if not recovers:
            return 0
        s_ = made.moves.get(xs[j], xs[j]) if made.moves else xs[j]
        others = [ys[i] for i in range(n) if i != j]
        found = [recover_roam(s_, ys[j], others, adjacency)]
        if recovers[0].mode == "functional":
            found.append(recover_collapse(s_, ys[j], others, adjacency))
        costs = [f.two_qubit_cost() for f in found if f is not None]
        return min(costs) if costs else 10**6

    finals = [found for found in (search(ranked), search(annealed)) if found is not None]
    if not finals:
        return None
    # the annealed routes twist more: on lattices with short cycles the recovery's walk over
    # them can cost more than the clone saves, so the two searches are compared whole
    best = min(
        finals,
        key=lambda f: f[0] + recovery_cost(_slot_adjacency(f[1], tgt), f[2]) * (len(finals) > 1),
    )
    _, layout, syn = best

    def clone(a_: int, xs_: list[int], ys_: list[int]) -> Synthesis:
        return syn

    return _decompose_on(analysis, clone, layout, tgt), layout


#: What each layout that may not fit needs, for the error when it was asked for by name.
_LAYOUT_NEEDS = {
    "dominoes": "a program with one clone and {name} to hold its pairs on coupled qubits "
    "joined as a tree",
    "keypath": "a sparse coupling graph with branches (not all-to-all, not a line or ring), a "
    "program with one clone of one data qubit and a path of {name} that holds its keys with "
    "free qubits for its clones",
    "ladder": "a row-major grid target (grid:RxC) with room for the program's pairs in strips "
    "of two rows, and a program with one clone; {name} with this program does not fit",
}


def _unfit(strategy: str, clone_strategy: str, tgt: Target) -> None:
    """Raise when the layout that does not fit was the one asked for; else the caller skips it."""
    if clone_strategy == strategy:
        need = _LAYOUT_NEEDS[strategy].format(name=tgt.name)
        raise CompilationError(f"the {strategy} layout needs {need}: use clone_strategy='auto'")


def _best_layout(
    program: Program, tgt: Target, clone_strategy: str
) -> tuple[list[PhaseCircuit], list[LogicalPhase], dict[str, int]]:
    """Compile with each candidate strategy and keep the cheapest (2Q count, then depth).

    Layouts use ``tgt.usable()``: the device without the couplings and qubits its calibration
    reports as dead (the same qubit labels, so the circuits run on ``tgt`` unchanged)."""
    analysis = program.analysis()
    original, tgt = tgt, tgt.usable()
    if tgt is not original:
        original.require(len(analysis.wires), "the program")
        room = len(tgt.connected_components()[0])
        if room < len(analysis.wires):
            dead_c = len(getattr(original, "faulty_couplings", ()))
            dead_q = len(getattr(original, "faulty_qubits", ()))
            raise TargetTooSmall(
                f"the program needs {len(analysis.wires)} connected qubits, but target "
                f"{original.name} without the {dead_c} couplings and {dead_q} qubits its "
                f"calibration reports dead holds only {room} connected qubits (at most "
                f"{(room - 1) // 2} clones of one qubit); use fewer clones or a larger target"
            )
    if clone_strategy != "auto":
        if clone_strategy not in STRATEGIES:
            raise CompilationError(
                f"unknown clone strategy {clone_strategy!r}; use 'auto' or one of "
                f"{sorted(STRATEGIES)}"
            )
        candidates = [clone_strategy]
    elif tgt.all_to_all:
        candidates = ["teleport"]
    elif len(analysis.wires) <= 200:
        candidates = ["teleport", "path"]
    else:
        # at this size the greedy teleport layout never wins on a sparse graph; skip its cost
        candidates = ["path"]
    best: tuple[tuple[int, int], list[PhaseCircuit], list[LogicalPhase]] | None = None
    tried: dict[str, int] = {}
    calibrated = original

    def label_of(strategy: str) -> str:
        label = "direct (all-to-all)" if tgt.all_to_all else STRATEGIES[strategy]
        return f"{strategy}: {label}"

    if clone_strategy == "auto" and not tgt.all_to_all:
        candidates += ["ladder", "keypath"]  # each returns None where its layout cannot fit
        if tgt.num_qubits <= 2000 and len(long_path(tgt, len(analysis.wires))) < len(
            analysis.wires
        ):
            candidates.append("dominoes")  # the path cannot hold every pair
    for strategy in candidates:
        if strategy == "dominoes":
            if clone_strategy == "auto" and best is not None and not any(p.swaps for p in best[1]):
                continue  # only a fallback: the path or comb layout already needs no SWAP
            variants = [
                _domino_tree(analysis, tgt, calibrated, deep=deep, roam=roam)
                for deep in (False, True)
                for roam in (True, False)
            ]
            fits = [v for v in variants if v is not None]
            if not fits:
                _unfit("dominoes", clone_strategy, tgt)
                continue
            for phases, layout in fits:
                routed = _route_phases(phases, layout, tgt, label_of(strategy))
                key = (
                    sum(p.circuit.two_qubit_count() for p in routed),
                    sum(p.circuit.depth() for p in routed),
                )
                if strategy not in tried or key[0] < tried[strategy]:
                    tried[strategy] = key[0]
                if best is None or key < best[0]:
                    best = (key, routed, phases)
            continue
        elif strategy in ("keypath", "ladder"):
            if (
                strategy == "keypath"
                and clone_strategy == "auto"
                and best is not None
                and best[0][0] <= _keypath_floor(analysis)
            ):
                continue  # it cannot win: both walks alone cost more than the best so far
            if strategy == "keypath":
                bound = best[0][0] if clone_strategy == "auto" and best is not None else None
                found = _keypath(analysis, tgt, bound)
            else:
                found = _ladder(analysis, tgt)
            if found is None:
                _unfit(strategy, clone_strategy, tgt)
                continue
            phases, layout = found
        elif strategy == "path":
            routed_best = _best_window(analysis, tgt, calibrated, label_of(strategy))
            key = (
                sum(p.circuit.two_qubit_count() for p in routed_best[0]),
                sum(p.circuit.depth() for p in routed_best[0]),
            )
            tried[strategy] = key[0]
            if best is None or key < best[0]:
                best = (key, routed_best[0], routed_best[1])
            continue
        elif strategy == "tree":
            if not tgt.all_to_all:
                raise CompilationError(
                    f"clone_strategy='tree' joins arbitrary qubits and needs an all-to-all "
                    f"target; {tgt.name} is not: use clone_strategy='auto'"
                )
            from qclone.passes.synthesize import recover_log

            phases = decompose(
                analysis,
                clone_strategy="tree",
                recover_strategy=recover_log,
                recover_functional=recover_paired,
            )
            layout = place([b for ph in phases for b in ph.blocks], len(analysis.wires), tgt)
        else:
            phases = decompose(analysis, clone_strategy=strategy)
            layout = place([b for ph in phases for b in ph.blocks], len(analysis.wires), tgt)
        routed = _route_phases(phases, layout, tgt, label_of(strategy))
        key = (
            sum(p.circuit.two_qubit_count() for p in routed),
            sum(p.circuit.depth() for p in routed),
        )
        tried[strategy] = key[0]
        if best is None or key < best[0]:
            best = (key, routed, phases)
    assert best is not None
    return best[1], best[2], tried


def _route_phases(
    phases: list[LogicalPhase], layout: list[int], tgt: Target, label: str
) -> list[PhaseCircuit]:
    routed = []
    for ph in phases:
        r = route(ph.blocks, tgt, layout)
        routed.append(
            PhaseCircuit(
                ph.index,
                rebase(r.circuit, tgt.two_qubit_gate),
                {w: layout[s] for w, s in ph.initial.items()},
                {w: r.final[s] for w, s in ph.final.items()},
                r.swaps,
                label,
            )
        )
        layout = r.final
    return routed


def _best_window(
    analysis: Analysis, tgt: Target, calibrated: Target, label: str
) -> tuple[list[PhaseCircuit], list[LogicalPhase]]:
    """The path layout on the best window of the longest path found: fewest two-qubit gates,
    then depth, then the lowest calibrated error (:func:`error_score`, noise-aware placement
    on devices whose calibration gives per-coupling errors)."""
    num_slots = len(analysis.wires)
    path = long_path(tgt, num_slots)
    windows = path_windows(path, num_slots)
    if not _has_errors(calibrated):
        windows = windows[:1]
    elif len(path) >= num_slots and num_slots <= 41:
        # more freedom for the noise-aware choice: windows of other long paths as well (small
        # programs, where the freedom is large and each candidate is cheap)
        from qclone.passes.paths import rotation_paths

        for other in rotation_paths(tgt, 10**9, starts=4, budget=300):
            if len(other) >= num_slots and other != path:
                windows += path_windows(other, num_slots, limit=8)
    best: tuple[tuple[int, int, float], list[PhaseCircuit], list[LogicalPhase]] | None = None
    for window in windows:
        phases, layout = _path(analysis, tgt, window)
        routed = _route_phases(phases, layout, tgt, label)
        key = (
            sum(p.circuit.two_qubit_count() for p in routed),
            sum(p.circuit.depth() for p in routed),
            round(error_score(routed, calibrated), 9),
        )
        if best is None or key < best[0]:
            best = (key, routed, phases)
    assert best is not None
    return best[1], best[2]


def _has_errors(tgt: Target) -> bool:
    two = getattr(tgt, "two_qubit_error", None)
    return isinstance(two, Mapping) and bool(two)


def compile(
    program: Program,
    target: Target | str | nx.Graph | None = None,
    *,
    clone_strategy: str = "auto",
    verify: bool = True,
) -> CompileResult:
    """Compile ``program`` for ``target`` (a :class:`Target`, a spec such as ``"grid:10x10"``,
    or a networkx graph); ``None`` stops after decomposition (all-to-all, role qubits).

    With ``verify=True`` (the default) every phase is proven equal to the program's meaning
    before the result is returned (:func:`qclone.verify`).

    Examples:
        >>> from qclone.ir import single_clone
        >>> r = compile(single_clone(4, recover=2), "grid:4x4")
        >>> r.cost.two_qubit >= r.cost.logical_two_qubit
        True
    """
    from qclone.targets import get_target

    if not isinstance(program, Program):
        hint = (
            "parse program text with qclone.Program.from_text(text)"
            if isinstance(program, str)
            else "build one with qclone.Program() or qclone.single_clone(n)"
        )
        raise WrongArgumentType(
            f"compile() needs a qclone Program, got {type(program).__name__}; {hint}"
        )
    analysis = program.analysis()
    num_slots = len(analysis.wires)
    tried: dict[str, int] = {}
    if target is None:
        phases = decompose(
            analysis, clone_strategy="teleport" if clone_strategy == "auto" else clone_strategy
        )
        logical = [ph.to_phase_circuit(num_slots) for ph in phases]
        routed = [
            PhaseCircuit(
                lp.index,
                rebase(lp.circuit, "cx"),
                lp.initial,
                lp.final,
                0,
                "none (role qubits, all-to-all)",
            )
            for lp in logical
        ]
        report = cost_report("logical (all-to-all)", routed, logical, "cx")
        tgt = None
    else:
        tgt = get_target(target)
        routed, chosen, tried = _best_layout(program, tgt, clone_strategy)
        logical = [ph.to_phase_circuit(num_slots) for ph in chosen]
        report = cost_report(tgt.name, routed, logical, tgt.two_qubit_gate)
    result = CompileResult(
        program=program,
        analysis=analysis,
        target=tgt,
        logical=tuple(logical),
        phases=tuple(routed),
        cost=report,
        options={"clone_strategy": clone_strategy, "tried": tried},
    )
    if verify:
        from qclone.verification import verify as _verify

        _verify(result)
    return result
