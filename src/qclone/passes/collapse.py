"""Functional recovery on a path of keys in ``2n`` CNOTs (:func:`recover_collapse`).

A functional recovery only promises the data on ``s``; the keys may be left as junk. So it is
any Clifford on ``s``, ``m`` and the other keys that takes the two strings ``P`` and ``Q`` of
:func:`~qclone.passes.paulis.recovery_strings` (the images of ``X_s`` and ``Z_s`` under the
inverse of U_dec) to ``X`` and ``Z`` on ``s`` (:mod:`qclone.passes.paulis`). Both strings act
on every key, with different letters.

On a path of keys ``k1 .. kL`` (``k1`` beside ``m`` or ``s``) two sweeps of controlled Paulis
from the far end, one CNOT each, shrink the strings onto ``k1`` (odd ``L``) or onto ``k1`` and
``k2`` (even ``L``) in ``2L - 2`` or ``2L - 3`` CNOTs (:func:`collapse`): the first makes the two
strings agree on every key but the first (or first two), the second folds the common part onto
the front. An exhaustive breadth-first search over such steps on paths of up to nine keys
(``benchmarks/path_bounds.py --collapse``) finds these counts the fewest. What is left on
``s``, ``m`` and those one or two keys is finished by a breadth-first search over their shapes
with their real coupling (:func:`~qclone.passes.paulis.fewest_steps`, four qubits at most).

Total: ``2n`` CNOTs, or ``2n - 1`` for odd ``n`` when the path starts beside ``s``; the same as
an exhaustive search over the whole line for ``n <= 9`` (``benchmarks/path_bounds.py
--recover``). The exact walk (:func:`~qclone.passes.synthesize.recover_roam`) costs
``4n - 2``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from itertools import combinations

from qclone.passes.paulis import LocalGate, Strings, fewest_steps, recovery_strings
from qclone.passes.synthesize import Synthesis


def _sweep(st: Strings, idx: list[int]) -> bool:
    """The two sweeps over positions ``idx`` of ``st`` (``idx[0]`` the front, every one of
    shape 4, coupled in this order); False if a step finds no gate."""
    size = len(idx)
    odd = size % 2 == 1
    low = 0 if odd else 1
    # sweep 1, from the far end: the strings agree on every key from low + 1 on
    for i in range(size - 2, low - 1, -1):
        want = (4, 3) if st.shape(idx[i + 1]) == 1 else (1, 3)
        if not st.move(idx[i], idx[i + 1], want):
            return False
    # sweep 2, from the far end: fold the common part onto key low
    for i in range(size - 2, low - 1, -1):
        want = (4, 0) if i == low else (3, 0)
        if not st.move(idx[i], idx[i + 1], want):
            return False
    return odd or size < 2 or st.move(idx[0], idx[1], (1, 2))


def collapse(keys: list[int]) -> tuple[list[LocalGate], list[tuple[int, str, int]]] | None:
    """The sweeps ``V`` on a path of keys (``keys[0]`` the front) from ``Z..Z`` and ``X..X``,
    and where the two strings end: ``[(qubit, letter, sign) for V Z..Z V^dagger, then for
    V X..X V^dagger]``. None if a step finds no gate."""
    size = len(keys)
    st = Strings(keys, "Z" * size, "X" * size)
    if not _sweep(st, list(range(size))):
        return None
    out = []
    for letters, sign in ((st.p, st.sign_p), (st.q, st.sign_q)):
        held = [i for i, x in enumerate(letters) if x != "I"]
        if len(held) != 1 or sign not in (1, -1):
            return None
        out.append((keys[held[0]], letters[held[0]], int(sign.real)))
    return st.gates, out


@cache
def _finish(
    shapes: tuple[int, ...], edges: tuple[tuple[int, int], ...]
) -> list[tuple[int, int, tuple[int, int]]] | None:
    return fewest_steps(shapes, edges, 0)


def recover_collapse(
    s: int, m: int, others: list[int], adjacent: Mapping[int, Iterable[int]]
) -> Synthesis | None:
    """The functional recovery of clone ``s`` with key ``m`` when the other keys form a path
    that starts beside ``m`` or ``s`` (module docstring); ``adjacent`` is the slots' coupling.
    Both starts are tried and the one with fewer CNOTs kept. None when the keys do not form
    such a path or what is left near the controls cannot be finished over their coupling."""
    if not others:
        return None
    # only the recovery's own qubits are ever looked up: copy their coupling, not the device's
    adj = {q: set(adjacent.get(q, ())) for q in (s, m, *others)}
    p, q, sign_p, sign_q = recovery_strings(len(others) + 1)
    best: Strings | None = None
    for start in (s, m):
        path = _key_path(others, adj, start)
        if path is None:
            continue
        st = Strings([s, m, *path], p, q, sign_p, sign_q)
        if not _sweep(st, list(range(2, 2 + len(path)))):
            continue
        window = [0, 1, *(i for i in range(2, 2 + len(path)) if st.shape(i) != 0)]
        at = {w: k for k, w in enumerate(window)}
        edges = tuple(
            (at[a], at[b])
            for a, b in combinations(window, 2)
            if st.qubits[b] in adj.get(st.qubits[a], set())
        )
        plan = _finish(tuple(st.shape(w) for w in window), edges)
        if plan is None:
            continue
        for i, j, want in plan:
            if not st.move(window[i], window[j], want):  # pragma: no cover - shapes agree
                raise AssertionError("a planned step has no gate")
        if st.finish(0) and (best is None or st.steps < best.steps):
            best = st
    if best is None:
        return None
    out = Synthesis()
    out.seq(*best.tidy(s))
    return out


def _key_path(others: list[int], adj: Mapping[int, set[int]], start: int) -> list[int] | None:
    """The keys ``others`` as a path of coupled slots from a key beside ``start``, by a
    depth-first search that gives up after a few thousand dead ends; None if none is found."""
    keys = set(others)
    for first in sorted(adj.get(start, set()) & keys):
        budget = 20 * len(keys) + 1000
        path, seen = [first], {first}
        options = [sorted(adj.get(first, set()) & keys - seen, reverse=True)]
        while path and budget > 0:
            if len(path) == len(keys):
                return path
            if options[-1]:
                nxt = options[-1].pop()
                path.append(nxt)
                seen.add(nxt)
                options.append(sorted(adj.get(nxt, set()) & keys - seen, reverse=True))
            else:
                budget -= 1
                seen.discard(path.pop())
                options.pop()
    return None
