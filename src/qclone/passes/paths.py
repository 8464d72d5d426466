"""Long simple paths in coupling graphs (for nearest-neighbour layouts of the protocol).

Grids get an exact boustrophedon (snake). Other graphs get a Warnsdorff-rule depth-first walk
(always step to the free neighbour with the fewest free neighbours) from several start qubits,
with seeded random tie-breaking; the longest walk found is kept. Deterministic for a target.
"""

from __future__ import annotations

import itertools
import random

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
    """A simple path with at least ``want`` qubits if one is found, else the longest found."""
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
            return snake
    return best


def _row_snake(target: Target) -> list[int] | None:
    """Snake through the horizontal lines of a lattice with coordinates (heavy-hex and the like).

    Lines are the rows of three or more qubits that form a path left to right; consecutive
    lines are joined through a bridge qubit adjacent to both. Each line is walked from where the
    path enters it to the farthest bridge towards the next line, alternating direction.
    """
    assert target.positions is not None
    by_y: dict[float, list[int]] = {}
    for q, (_x, y) in target.positions.items():
        by_y.setdefault(round(y, 6), []).append(q)
    lines = []
    for y in sorted(by_y):
        qs = sorted(by_y[y], key=lambda q: target.positions[q][0])  # type: ignore[index]
        if len(qs) >= 3 and all(target.is_adjacent(a, b) for a, b in itertools.pairwise(qs)):
            lines.append(qs)
    if len(lines) < 1:
        return None
    line_set = {q for ln in lines for q in ln}
    index_in = [{q: i for i, q in enumerate(ln)} for ln in lines]
    links_between = []
    for i in range(len(lines) - 1):
        links: list[tuple[int, int | None, int]] = []  # (on line i, bridge, on line i+1)
        for idx, q in enumerate(lines[i]):
            for b in target.neighbors(q):
                if b in index_in[i + 1]:
                    links.append((idx, None, index_in[i + 1][b]))
                elif b not in line_set:
                    for c in target.neighbors(b):
                        if c in index_in[i + 1]:
                            links.append((idx, b, index_in[i + 1][c]))
        links_between.append(links)

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
        if i + 1 < len(lines):
            for direction in (1, -1):
                ahead = [lk for lk in links_between[i] if (lk[0] - entry) * direction >= 0]
                if not ahead:
                    continue
                idx, bridge, nxt = max(ahead, key=lambda lk: lk[0] * direction)
                head = seg(i, entry, idx) + ([bridge] if bridge is not None else [])
                options.append(head + best_from(i + 1, nxt))
        memo[(i, entry)] = max(options, key=len)
        return memo[(i, entry)]

    candidates = [best_from(0, 0), best_from(0, len(lines[0]) - 1)]
    path = max(candidates, key=len)
    if not all(target.is_adjacent(a, b) for a, b in itertools.pairwise(path)):
        return None
    return path
