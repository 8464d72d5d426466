"""Long simple paths in coupling graphs (for nearest-neighbour layouts of the protocol).

Grids get an exact boustrophedon (snake). Other graphs get a Warnsdorff-rule depth-first walk
(always step to the free neighbour with the fewest free neighbours) from several start qubits,
with seeded random tie-breaking; the longest walk found is kept. Deterministic for a target.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Mapping, Sequence

from qclone.targets import Target


def _snake(rows: int, cols: int, *, by_columns: bool = False) -> list[int]:
    """Boustrophedon through a row-major grid, along the rows (or along the columns)."""
    outer, inner = (cols, rows) if by_columns else (rows, cols)
    out = []
    for i in range(outer):
        js = range(inner) if i % 2 == 0 else range(inner - 1, -1, -1)
        out += [j * cols + i if by_columns else i * cols + j for j in js]
    return out


def is_row_major_grid(target: Target, rows: int, cols: int) -> bool:
    if target.num_qubits != rows * cols:
        return False
    return all(
        target.is_adjacent(r * cols + c, r * cols + c + 1)
        for r in range(rows)
        for c in range(cols - 1)
    ) and all(
        target.is_adjacent(r * cols + c, (r + 1) * cols + c)
        for r in range(rows - 1)
        for c in range(cols)
    )


def _walk(target: Target, start: int, rng: random.Random | None) -> list[int]:
    path = [start]
    seen = {start}
    cur = start
    while True:
        options = [q for q in target.neighbors(cur) if q not in seen]
        if not options:
            return path

        def free_degree(q: int) -> int:
            return sum(1 for r in target.neighbors(q) if r not in seen)

        # Warnsdorff's rule (fewest free neighbours first), but a dead end only as a last step
        best = min((free_degree(q) == 0, free_degree(q)) for q in options)
        options = sorted(q for q in options if (free_degree(q) == 0, free_degree(q)) == best)
        cur = options[0] if rng is None else rng.choice(options)
        seen.add(cur)
        path.append(cur)


def long_path(target: Target, want: int, *, tries: int = 64, seed: int = 7) -> list[int]:
    """A simple path with at least ``want`` qubits if one is found, else the longest found.

    Cached per target: a search that fell short of ``want`` answers every larger ``want``."""
    cache: dict[tuple[int, int], list[int]] = target._derived.setdefault("long_path", {})
    for (w, sd), found in cache.items():
        if sd == seed and (w == want or (len(found) < w <= want)):
            return list(found)
    path = _long_path(target, want, tries=tries, seed=seed)
    cache[(want, seed)] = list(path)
    return path


def _long_path(target: Target, want: int, *, tries: int, seed: int) -> list[int]:
    if target.all_to_all:
        return list(range(target.num_qubits))
    name = target.name.split("@")[0]
    if name.startswith("grid:"):
        dims = name[len("grid:") :].replace(",", "x").split("x")
        rows, cols = int(dims[0]), int(dims[1])
        if is_row_major_grid(target, rows, cols):
            return _snake(rows, cols, by_columns=cols < rows)
    if name.startswith("line:"):
        return list(range(target.num_qubits))
    if target.positions is not None:
        snake = _row_snake(target)
        if snake is not None and len(snake) >= want:
            return snake
    nodes = sorted(target.graph.nodes, key=lambda q: (len(target.neighbors(q)), q))
    best: list[int] = []
    rng = random.Random(seed)
    starts = nodes[: max(1, tries // 2)]
    for i in range(tries):
        start = starts[i % len(starts)]
        path = _walk(target, start, None if i < len(starts) else rng)
        if len(path) > len(best):
            best = path
        if len(best) >= want:
            break
    if target.positions is not None:
        snake = _row_snake(target)
        if snake is not None and len(snake) > len(best):
            best = snake
    if len(best) < want:
        for p in rotation_paths(target, want, seed=seed):
            if len(p) > len(best):
                best = p
            if len(best) >= want:
                break
    return best


def rotation_paths(
    target: Target, want: int, *, starts: int = 8, budget: int = 3000, seed: int = 7
) -> list[list[int]]:
    """Long simple paths by Posa's rotation-extension search, one per start qubit.

    From a start, the path grows at its end (Warnsdorff's rule: the free neighbour with the
    fewest free neighbours, a dead end only as a last step). When the end is stuck, a
    *rotation* closes a chord: if the end ``v`` is coupled to the path qubit ``path[i]``, the
    tail after ``i`` is reversed and ``path[i + 1]`` becomes the new end. Occasionally the
    path is turned round or loses its end qubit, so both ends get worked and leaves do not
    trap it. Stops at ``want`` qubits or after ``budget`` steps without a longer path. Starts
    are spread over the largest connected component; seeded, so deterministic.
    """
    comp = sorted(target.connected_components()[0]) if target.num_qubits else []
    if not comp:
        return []
    adjacency = {q: sorted(target.neighbors(q)) for q in comp}
    step = max(1, len(comp) // starts)
    out = []
    for k, start in enumerate(comp[::step][:starts]):
        rng = random.Random(seed * 1_000_003 + k)
        out.append(_rotation_search(adjacency, start, want, rng, budget))
    return out


def _rotation_search(
    adjacency: dict[int, list[int]], start: int, want: int, rng: random.Random, budget: int
) -> list[int]:
    path = [start]
    pos = {start: 0}
    best = list(path)
    since = 0

    def free_degree(q: int) -> int:
        return sum(1 for r in adjacency[q] if r not in pos)

    while since < budget and len(best) < want:
        v = path[-1]
        ext = [u for u in adjacency[v] if u not in pos]
        if ext:
            u = min(ext, key=lambda u: (free_degree(u) == 0, free_degree(u), rng.random()))
            pos[u] = len(path)
            path.append(u)
            if len(path) > len(best):
                best = list(path)
                since = 0
            continue
        since += 1
        chords = [u for u in adjacency[v] if u in pos and pos[u] < len(path) - 2]
        if not chords or rng.random() < 0.05:
            if rng.random() < 0.5 or len(path) < 3:
                path.reverse()
            else:
                del pos[path.pop()]
            pos = {q: i for i, q in enumerate(path)}
            continue
        i = pos[rng.choice(chords)]
        path[i + 1 :] = path[i + 1 :][::-1]
        for k in range(i + 1, len(path)):
            pos[path[k]] = k
    return best


def _row_snake(target: Target) -> list[int] | None:
    """Snake through the horizontal lines of a lattice with coordinates (heavy-hex and the like).

    Lines are runs of three or more qubits in one row, each joined to the next left to right
    (a missing or dead coupling splits a row into several lines). The path goes down from row
    to row, from a line to a line of the next row, directly or through one bridge qubit; each
    line is walked from where the path enters it to the farthest exit towards the next row. A
    memoized search over (line, entry) keeps the longest such path.
    """
    assert target.positions is not None
    by_y: dict[float, list[int]] = {}
    for q, (_x, y) in target.positions.items():
        by_y.setdefault(round(y, 6), []).append(q)
    lines: list[list[int]] = []
    row_of: list[int] = []
    row = 0
    for y in sorted(by_y):
        qs = sorted(by_y[y], key=lambda q: target.positions[q][0])  # type: ignore[index]
        run = [qs[0]]
        found = False
        for a, b in itertools.pairwise(qs):
            if target.is_adjacent(a, b):
                run.append(b)
                continue
            if len(run) >= 3:
                lines.append(run)
                row_of.append(row)
                found = True
            run = [b]
        if len(run) >= 3:
            lines.append(run)
            row_of.append(row)
            found = True
        if found:
            row += 1
    if not lines:
        return None
    line_set = {q for ln in lines for q in ln}
    index_in = [{q: i for i, q in enumerate(ln)} for ln in lines]
    line_of = {q: i for i, ln in enumerate(lines) for q in ln}
    # links from line i to lines of the next row: (index on i, bridge or None, line j, index)
    links: list[list[tuple[int, int | None, int, int]]] = [[] for _ in lines]
    for i, ln in enumerate(lines):
        for idx, q in enumerate(ln):
            for b in target.neighbors(q):
                j = line_of.get(b)
                if j is not None:
                    if row_of[j] == row_of[i] + 1:
                        links[i].append((idx, None, j, index_in[j][b]))
                elif b not in line_set:
                    for c in target.neighbors(b):
                        j = line_of.get(c)
                        if j is not None and row_of[j] == row_of[i] + 1:
                            links[i].append((idx, b, j, index_in[j][c]))

    def seg(i: int, a: int, b: int) -> list[int]:
        ln = lines[i]
        return ln[a : b + 1] if a <= b else ln[b : a + 1][::-1]

    memo: dict[tuple[int, int], list[int]] = {}

    def best_from(i: int, entry: int) -> list[int]:
        """The longest path that enters line i at ``entry`` and continues downwards."""
        if (i, entry) in memo:
            return memo[(i, entry)]
        ln = lines[i]
        options = [seg(i, entry, 0), seg(i, entry, len(ln) - 1)]
        for direction in (1, -1):
            ahead = [lk for lk in links[i] if (lk[0] - entry) * direction >= 0]
            # for each next line, the exit farthest in this direction
            by_line: dict[int, tuple[int, int | None, int, int]] = {}
            for lk in ahead:
                best = by_line.get(lk[2])
                if best is None or lk[0] * direction > best[0] * direction:
                    by_line[lk[2]] = lk
            for idx, bridge, j, nxt in by_line.values():
                head = seg(i, entry, idx) + ([bridge] if bridge is not None else [])
                options.append(head + best_from(j, nxt))
        memo[(i, entry)] = max(options, key=len)
        return memo[(i, entry)]

    starts = [(i, e) for i, ln in enumerate(lines) for e in (0, len(ln) - 1)]
    path = max((best_from(i, e) for i, e in starts), key=len)
    if len(set(path)) != len(path) or not all(
        target.is_adjacent(a, b) for a, b in itertools.pairwise(path)
    ):
        return None
    return path


def spread_paths(
    target: Target, length: int, *, tries: int = 240, seed: int = 7
) -> list[list[int]]:
    """Simple paths of ``length`` qubits that keep close to as many other qubits as they can
    (for the key-path layout, whose clones sit on qubits near the path).

    Each walk steps to the free neighbour that brings the most qubits within distance two of
    the path, with seeded random tie-breaking and some random steps; walks that dead-end short
    are dropped. Returns the distinct paths found, best first by the sum over the other qubits
    (as many as the path's length) of their distance to the path."""
    import heapq

    rng = random.Random(seed)
    nodes = sorted(target.graph.nodes)
    if length < 1 or length > len(nodes):
        return []

    def ball(q: int) -> set[int]:
        near = {q, *target.neighbors(q)}
        return near | {r for p in list(near) for r in target.neighbors(p)}

    balls = {q: ball(q) for q in nodes}
    found: dict[tuple[int, ...], int] = {}
    for t in range(tries):
        start = nodes[rng.randrange(len(nodes))]
        path, seen = [start], {start}
        covered = set(balls[start])
        cur = start
        while len(path) < length:
            options = [q for q in target.neighbors(cur) if q not in seen]
            if not options:
                break
            if len(path) < length - 1:  # no dead end before the last step
                onward = [q for q in options if any(r not in seen for r in target.neighbors(q))]
                options = onward or options
            if t % 3 == 2 and rng.random() < 0.2:
                nxt = rng.choice(options)
            else:
                gain = {q: len(balls[q] - covered) for q in options}
                top = max(gain.values())
                nxt = rng.choice(sorted(q for q in options if gain[q] == top))
            path.append(nxt)
            seen.add(nxt)
            covered |= balls[nxt]
            cur = nxt
        if len(path) < length:
            continue
        # how far the nearest other qubits are from the path (multi-source breadth-first)
        dist = {q: 0 for q in path}
        frontier = list(path)
        while frontier:
            nxt_f = []
            for q in frontier:
                for r in target.neighbors(q):
                    if r not in dist:
                        dist[r] = dist[q] + 1
                        nxt_f.append(r)
            frontier = nxt_f
        others = [d for q, d in dist.items() if d > 0]
        if len(others) < length:
            continue
        found[tuple(path)] = sum(heapq.nsmallest(length, others))
    return [list(p) for p, _ in sorted(found.items(), key=lambda kv: kv[1])]


def anneal_path(
    adjacency: Mapping[int, Sequence[int]],
    path: list[int],
    score: Callable[[list[int]], float],
    *,
    iterations: int,
    seed: int = 7,
    heat: float = 30.0,
) -> tuple[float, list[int]]:
    """A path of the same length as ``path`` with a lower ``score``, by simulated annealing.

    A move works on one end of the path (either, at random): the end steps onto a coupled
    qubit ``v``. If ``v`` is off the path, the path slides (``v`` becomes the new end and the
    far end is dropped: reptation); if ``v`` is on it, the part after ``v`` is reversed, so the
    end moves inside the path (a backbite). Both keep the path simple and its length fixed,
    and together they reach every simple path of that length in a connected graph region. A
    worse path is taken with probability ``exp(-loss / temperature)``, the temperature falling
    linearly from ``heat`` to 0.5. Seeded, so deterministic. Returns the best score and path
    seen (``path`` itself if nothing was better)."""
    rng = random.Random(seed)
    cur = list(path)
    cur_score = score(cur)
    best = (cur_score, list(cur))
    if len(cur) < 2:
        return best
    for it in range(iterations):
        temperature = heat * (1 - it / iterations) + 0.5
        walk = cur[::-1] if rng.random() < 0.5 else cur
        end = walk[-1]
        options = adjacency[end]
        if not options:
            continue
        v = options[rng.randrange(len(options))]
        if v == walk[-2]:
            continue
        if v in walk:
            i = walk.index(v)
            moved = walk[: i + 1] + walk[i + 1 :][::-1]
        else:
            moved = [*walk[1:], v]
        value = score(moved)
        if value <= cur_score or rng.random() < math.exp((cur_score - value) / temperature):
            cur, cur_score = moved, value
            if value < best[0]:
                best = (value, list(moved))
    return best
