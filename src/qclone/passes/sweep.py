"""The key-path clone as one sweep of classical bits down the keys (:func:`clone_keypath_sweep`).

The clone is an isometry from fresh qubits, so it may be prepared as a state instead of built
from unitaries. After the start of the teleport clone (:func:`~qclone.passes.synthesize.
teleport_start`) the data's Bell index sits as two classical bits: ``w`` on the data's slot and
``u`` on key N_j. Every pair must end in the Bell state with index ``(u, w)``: the key is the
clone XOR ``u``, with the phase ``(-1)^(w * clone)``; any pair whose index is an invertible
linear function of ``(u, w)`` is mapped onto that by one-qubit gates on the pair, and the
phases those leave (functions of ``u`` and ``w``) are paid once, at the start, on the two bits.

So the keys only carry the bits: a *conveyor* runs down the path of keys (two CNOTs per key,
the keys still fresh), leaving every key a known combination of ``u`` and ``w`` and giving a
clone that sits next to its key the key's first value (one CNOT). Each pair is then joined by
one CNOT (clones next to their key) or by a GHZ chain over the slots between (``2k + 1`` CNOTs
over ``k`` slots between, as for a Bell pair, since those slots still hold classical bits and
are put back), with the phase taken from a slot of the chain. Against Bell pairs plus the
walked U_dec(j)^dagger of :func:`~qclone.passes.synthesize.clone_keypath` (four CNOTs per
key), this saves about one CNOT per pair next to its key and two per stretched pair.

A stretched pair needs, besides its key's value, a second combination of the bits for its
phase: a slot of its chain, a classical neighbour, or a neighbour's value loaded into the
chain. When every qubit beside the pair is already joined, the phase comes from the nearest
classical qubit further out (a CZ as H, a CX over the qubits between that leaves each as it
was, H: ``4k + 1`` CNOTs over ``k`` between), and the sweep is tried again with the conveyor
giving a fresh slot near that pair a key's first value (one CNOT), or with the pair joined
first; the cheapest try is kept.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from qclone.passes.paulis import LocalGate
from qclone.passes.synthesize import Synthesis, bell_pair, long_cx, stretched_order

U, W = 1, 2  # the two bits as masks: a classical slot holds a combination (0..3)


def _cz_cx(c: int, t: int) -> list[LocalGate]:
    """CZ(c, t) then CX(c, t): one controlled Pauli (XZ on ``t``), so one CNOT."""
    return [("sdg", t), ("cx", c, t), ("s", t), ("sdg", c)]


def _bit(mask: int, u: int, w: int) -> int:
    return ((mask & U) * u) ^ ((mask >> 1) * w)


def _apply(state: dict[int, complex], gate: LocalGate) -> dict[int, complex]:
    """``gate`` on a sparse state (basis index, bit q = local qubit q -> amplitude). The
    states here are a classical basis state acted on by a few Cliffords that put only the
    pair (and a GHZ chain) in superposition, so they have a handful of terms, however long
    the chain: a dense vector of ``2^slots`` entries would take minutes on long chains."""
    name = gate[0]
    if name == "h":
        m = 1 << gate[1]
        out: dict[int, complex] = {}
        r = 1 / math.sqrt(2)
        for key, amp in state.items():
            lo, hi = key & ~m, key | m
            out[lo] = out.get(lo, 0) + amp * r
            out[hi] = out.get(hi, 0) + (-amp * r if key & m else amp * r)
        return {k: v for k, v in out.items() if abs(v) > 1e-12}
    if name == "cx":
        c, t = 1 << gate[1], 1 << gate[2]  # type: ignore[misc]
        return {(k ^ t if k & c else k): v for k, v in state.items()}
    if name == "x":
        m = 1 << gate[1]
        return {k ^ m: v for k, v in state.items()}
    if name == "cz":
        both = (1 << gate[1]) | (1 << gate[2])  # type: ignore[misc]
        return {k: (-v if k & both == both else v) for k, v in state.items()}
    factor = {"z": -1, "s": 1j, "sdg": -1j}[name]
    m = 1 << gate[1]
    return {k: (v * factor if k & m else v) for k, v in state.items()}


@lru_cache(maxsize=4096)
def _phases(gates: tuple[LocalGate, ...], init: tuple[int, ...]) -> tuple[int, ...] | None:
    """Run ``gates`` on local qubits (0: the clone's slot, 1: the key's, then helpers) from
    the classical values ``init`` (masks), for each ``(u, w)``; the phase, in eighths of a
    turn, by which the result is the Bell state of index ``(u, w)`` on (0, 1) with every
    helper back at its value. None if it is not that state for some ``(u, w)``."""
    out = []
    for u, w in ((0, 0), (1, 0), (0, 1), (1, 1)):
        bits = [_bit(m, u, w) for m in init]
        psi: dict[int, complex] = {sum(b << q for q, b in enumerate(bits)): 1}
        for g in gates:
            psi = _apply(psi, g)
        rest = sum(b << q for q, b in enumerate(bits) if q >= 2)
        overlap = sum(
            (-1) ** (w * y) / math.sqrt(2) * psi.get(rest | y | ((u ^ y) << 1), 0) for y in (0, 1)
        )
        if abs(abs(overlap) - 1) > 1e-9:
            return None
        out.append(round(math.atan2(overlap.imag, overlap.real) / (math.pi / 4)) % 8)
    return tuple(out)


@lru_cache(maxsize=1)
def _cliffords() -> list[list[str]]:
    """The 24 one-qubit Cliffords (up to phase) as words in H and S, shortest first."""
    import numpy as np

    seen: list[Any] = []
    words: list[list[str]] = []
    mats = {"h": np.array([[1, 1], [1, -1]]) / math.sqrt(2), "s": np.diag([1, 1j])}
    for length in range(0, 7):
        for word in itertools.product("hs", repeat=length):
            m = np.eye(2, dtype=complex)
            for g in word:
                m = mats["h" if g == "h" else "s"] @ m
            k = np.argmax(np.abs(m.ravel()) > 1e-9)
            m = m / (m.ravel()[k] / abs(m.ravel()[k]))
            if not any(np.allclose(m, o) for o in seen):
                seen.append(m)
                words.append(["h" if g == "h" else "s" for g in word])
    return words


@lru_cache(maxsize=16)
def _relabel(a: int, b: int) -> tuple[LocalGate, ...] | None:
    """One-qubit gates on (clone 0, key 1) taking the Bell state of index ``(a, b)`` (masks:
    the key is the clone XOR ``a``, the phase ``(-1)^(b * clone)``) to index ``(u, w)``."""
    words = _cliffords()
    for ws, wn in itertools.product(words, words):
        gates: tuple[LocalGate, ...] = (
            ("h", 0),
            ("cx", 0, 1),
            *((g, 0) for g in ws),
            *((g, 1) for g in wn),
        )
        if _phases(gates, (b, a)) is not None:
            return tuple((g, 0) for g in ws) + tuple((g, 1) for g in wn)
    return None


def _valid(a: int, b: int) -> bool:
    """A pair's index ``(a, b)`` is an invertible function of ``(u, w)``."""
    return a != 0 and b != 0 and a != b


def clone_keypath_sweep(
    a: int,
    s: list[int],
    k: list[int],
    lead: int,
    order: list[int],
    adjacent: Mapping[int, Iterable[int]],
    via: Mapping[int, list[int]] | None = None,
) -> Synthesis | None:
    """The clone on a path of keys as a sweep of the data's Bell bits (module docstring).

    Same layout and relabelling as :func:`~qclone.passes.synthesize.clone_keypath`: ``order``
    lists the pairs along the path of keys from ``lead`` (pair j, 0-based), whose key is
    coupled to the data's slot ``a``; ``via[i]`` the slots between N_i and S_i when they are
    not coupled. The data's slot ends as clone S_j, S_j's slot as the source A. Cost:
    ``2(n - 1)`` for the conveyor, two per pair next to its key (copy, join), ``2k + 1`` per
    pair stretched over ``k`` slots, and a few at the start. A stretched pair that cannot be
    joined where it falls in the order with a classical slot beside it for its phase (every
    neighbour already joined) takes the phase from further out (a CX over the qubits between,
    ``4k`` CNOTs); the sweep is then tried again with a key's value preloaded into a fresh
    slot near that pair, or with the pair put first, a few times, and the cheapest is kept.
    None when the layout does not fit.
    """
    first: set[int] = set()
    preload: set[int] = set()
    best: Synthesis | None = None
    for _ in range(16):
        costly: list[tuple[int, list[int]]] = []
        got = _sweep_once(a, s, k, lead, order, adjacent, via, first, preload, costly)
        if isinstance(got, Synthesis):
            if best is None or got.two_qubit_cost() < best.two_qubit_cost():
                best = got
        elif got is None:
            break
        else:
            costly = [got]
        if not costly:
            break
        i, spare = costly[0]
        if spare:
            preload.add(spare[0])
        elif i in first:
            break
        else:
            first.add(i)
    return best


def _sweep_once(
    a: int,
    s: list[int],
    k: list[int],
    lead: int,
    order: list[int],
    adjacent: Mapping[int, Iterable[int]],
    via: Mapping[int, list[int]] | None,
    first: set[int],
    preload: set[int],
    costly: list[tuple[int, list[int]]],
) -> Synthesis | tuple[int, list[int]] | None:
    """One try of :func:`clone_keypath_sweep` with the pairs ``first`` joined early and the
    fresh slots ``preload`` given a key's first value by the conveyor. A pair that could not
    be joined is returned, one that took its phase from further out listed in ``costly``:
    its index and the fresh slots near it that a key could preload. None when the layout does
    not fit."""
    via = {i: list(v) for i, v in (via or {}).items() if v}
    n = len(k)
    adj = {q: set(v) for q, v in adjacent.items()}
    if n < 2 or not order or order[0] != lead or sorted(order) != list(range(n)):
        return None
    path = [a, *(k[i] for i in order)]
    if any(path[i + 1] not in adj.get(path[i], ()) for i in range(n)):
        return None
    k0, s0 = k[lead], s[lead]
    body: list[LocalGate] = []
    val: dict[int, int] = {}
    quantum: set[int] = {s0}

    def cx(c: int, t: int) -> None:
        body.append(("cx", c, t))
        val[t] = val.get(t, 0) ^ val.get(c, 0)

    # the conveyor: (w, u) on (a, N_j) carried down the keys, two CNOTs per key; a clone next
    # to its key copies the key's first value (u)
    val[a], val[k0] = W, U
    copy_into: dict[int, list[int]] = {k[i]: [s[i]] for i in order[1:] if i not in via}
    keys = set(path[1:])
    # a fresh slot that a stretched pair needs as a source of its phase: a key beside it gives
    # it its first value (one CNOT)
    for slot in sorted(preload):
        feeder = next((p for p in path[1:] if p in adj.get(slot, ())), None)
        if feeder is not None and slot not in keys and slot not in (a, s0):
            copy_into.setdefault(feeder, []).append(slot)
    for slot in copy_into.get(k0, ()):
        if slot != s0:
            cx(k0, slot)
    for j in range(n - 1):
        cx(path[j + 1], path[j + 2])
        for slot in copy_into.get(path[j + 2], ()):
            cx(path[j + 2], slot)
        cx(path[j], path[j + 1])
    if order[-1] not in via or path[n] in preload:
        cx(path[n - 1], path[n])  # the last key holds only its first value: give it a second

    # each joined pair: its gates on local slots (clone 0, key 1, helpers), their values
    # before, and the index it ends with
    pairs: list[tuple[tuple[LocalGate, ...], tuple[int, ...], int, int, int, int]] = []

    def local(gates: list[LocalGate], slots: list[int]) -> tuple[LocalGate, ...]:
        pos = {q: i for i, q in enumerate(slots)}
        return tuple((g[0], *(pos[q] for q in g[1:])) for g in gates)  # type: ignore[misc]

    def join(i: int, detour: list[int] | None) -> bool:
        """Join stretched pair ``i`` by a GHZ chain over the classical slots ``detour`` (key
        side first), or by a CX over the planned path (``detour`` None), with the phase from
        a slot of the chain or a classical neighbour, and if need be one more CX from a
        classical neighbour to change the key's value. If no choice gives an invertible
        index, a slot of the chain is loaded with a neighbour's value for the chain (a CX
        before and after), and failing that the phase comes from further out (``_far``,
        the pair listed in ``costly``). False if nothing works."""
        chain = None if detour is None else detour[::-1]
        if _join(i, chain, None):
            return True
        for r in chain or ():
            for nb in sorted(adj.get(r, ())):
                if nb in quantum or nb in (s[i], k[i]) or nb in (chain or ()) or not val.get(nb, 0):
                    continue
                if _join(i, chain, (nb, r)):
                    return True
        if any(_join(i, chain, None, far) for far in _far(i)[:8]):
            costly.append((i, spare(i, detour)))
            return True
        return False

    def spare(i: int, detour: list[int] | None) -> list[int]:
        """Fresh slots near pair ``i`` that a key beside them could preload (the last key
        first: preloading it gives it a second value)."""
        near_i = [s[i], *(detour or via[i]), *sorted(adj[s[i]]), *sorted(adj[k[i]])]
        out = [
            q
            for q in dict.fromkeys(near_i)
            if q not in preload
            and q not in keys
            and q not in (a, s0)
            and not val.get(q, 0)
            and keys & adj.get(q, set())
        ]
        if k[i] == path[n] and k[i] not in preload:
            out.insert(0, k[i])
        return out

    def _far(i: int) -> list[tuple[int, int, list[int]]]:
        """Classical slots further out for the phase, nearest first: ``(end, c, route)`` for
        a CZ from ``c`` to the pair's ``end`` as ``H(c)``, a CX over ``route`` that leaves
        every qubit on it as it was (:func:`~qclone.passes.synthesize.long_cx`), ``H(c)``."""
        si, ki = s[i], k[i]
        parent: dict[int, int | None] = {si: None, ki: None}
        frontier = [si, ki]
        found: list[tuple[int, int, list[int]]] = []
        while frontier and len(found) < 8:
            nxt = []
            for q in frontier:
                for r in sorted(adj.get(q, ())):
                    if r in parent:
                        continue
                    parent[r] = q
                    nxt.append(r)
                    if r not in quantum and val.get(r, 0):
                        route, x = [], q
                        while parent[x] is not None:
                            route.append(x)
                            x = parent[x]  # type: ignore[assignment]
                        found.append((x, r, route[::-1]))
            frontier = nxt
        return [f for f in found if f[2]]  # the neighbours were tried already

    def _join(
        i: int,
        chain: list[int] | None,
        load: tuple[int, int] | None,
        far: tuple[int, int, list[int]] | None = None,
    ) -> bool:
        si, ki = s[i], k[i]
        between = chain if chain is not None else list(reversed(via[i]))
        now = dict(val)  # the values the chain sees
        if load is not None:
            now[load[1]] = now.get(load[1], 0) ^ now.get(load[0], 0)
        pre: list[LocalGate] = [] if load is None else [("cx", *load)]
        shift = now.get(ki, 0)
        for q in chain or ():
            shift ^= now.get(q, 0)
        near: list[tuple[int, int, list[int]]] = [
            (end, nb, [])
            for end in (si, ki)
            for nb in sorted(adj.get(end, ()))
            if nb not in quantum and nb not in (si, ki)
        ]  # the slots between (chain or planned path) are back at their values once it is done
        # one more CX into the pair from a classical neighbour: changes the key's value
        moves: list[tuple[tuple[int, int] | None, int]] = [(None, shift)]
        moves += [((nb, end), shift ^ val.get(nb, 0)) for end, nb, _ in near if val.get(nb, 0)]
        options: list[tuple[int, list[LocalGate], list[LocalGate], list[int], int, int]] = []
        f = now.get(si, 0)  # a preloaded clone slot: the H turns its value into a phase
        for move, a_idx in moves:
            extra: list[LocalGate] = [] if move is None else [("cx", *move)]
            extra += pre  # unload after the chain
            helpers = ([] if move is None else [move[0]]) + ([] if load is None else [load[0]])
            if chain is not None:  # the phase from a slot of the chain (no gate more)
                line = [si, *chain, ki]
                vs = [now.get(q, 0) for q in line]
                for t in range(len(line) - 1):
                    if not _valid(a_idx, vs[t + 1] ^ f):
                        continue
                    gates: list[LocalGate] = [*pre, ("h", si)]
                    for e in range(len(line) - 1):
                        link = line[e], line[e + 1]
                        gates += _cz_cx(*link) if e == t else [("cx", *link)]
                    gates += [("cx", line[e - 1], line[e]) for e in range(len(line) - 2, 0, -1)]
                    gates += extra
                    slots = [si, ki, *chain, *dict.fromkeys(h for h in helpers if h not in chain)]
                    options.append((len(extra), gates, gates, slots, a_idx, vs[t + 1] ^ f))
                    break
            # a plain join and a phase from a classical neighbour (one gate more)
            if chain is not None:
                base = [*pre, *bell_pair(si, chain, ki)]
            else:
                base = [("h", si), *long_cx(si, between, ki)]
            if _valid(a_idx, f):  # the preloaded value is the phase: no gate more
                slots = [
                    si,
                    ki,
                    *(chain or ()),
                    *dict.fromkeys(h for h in helpers if h not in (chain or ())),
                ]
                sim = [*base, *extra] if chain is not None else [("h", si), ("cx", si, ki), *extra]
                options.append((len(extra), [*base, *extra], sim, slots, a_idx, f))
            for end, nb, route in near if far is None else [far]:
                c = val.get(nb, 0) ^ f
                if nb in helpers or not _valid(a_idx, c):
                    continue
                cz: list[LocalGate] = [("cz", end, nb)]
                phase = cz if not route else [("h", nb), *long_cx(end, route, nb), ("h", nb)]
                gates = [*base, *extra, *phase]
                slots = [
                    si,
                    ki,
                    *(chain or ()),
                    *dict.fromkeys(h for h in [*helpers, nb] if h not in (chain or ())),
                ]
                sim = (
                    [*base, *extra, *cz]
                    if chain is not None
                    else [("h", si), ("cx", si, ki), *extra, *cz]
                )
                cost = len(extra) + sum(len(g) == 3 for g in phase)
                options.append((cost, gates, sim, slots, a_idx, c))
                break
        if not options:
            return False
        _, gates, sim, slots, a_idx, b = min(options, key=lambda o: o[0])
        body.extend(gates)
        if chain is None:  # the CX over the planned path stands in for its gates
            slots = [q for q in slots if q in (si, ki) or q not in between or q not in quantum]
            start = [f, shift, *(val.get(q, 0) for q in slots[2:])]
        else:
            start = [val.get(q, 0) for q in slots]
        pairs.append((local(sim, slots), tuple(start), a_idx, b, si, ki))
        quantum.update((si, ki))
        return True

    # the stretched pairs, in an order that keeps each chain over classical slots
    rest = {i: v for i, v in via.items() if i != lead}
    for i, detour in stretched_order(a, s, k, adj, rest, made={a, s0}, first=first):
        if not join(i, detour):
            return i, spare(i, detour)  # the caller may preload a slot near it, or put it first
    # the pairs next to their key, and the lead pair (a, N_j)
    for i in order:
        if i != lead and i in via:
            continue
        si = a if i == lead else s[i]
        ki = k[i]
        body += [("h", si), ("cx", si, ki)]
        vs, vk = val.get(si, 0), val.get(ki, 0)
        if not _valid(vk, vs):
            return None
        pairs.append(((("h", 0), ("cx", 0, 1)), (vs, vk), vk, vs, si, ki))
    # every pair to index (u, w) by one-qubit gates; sum the phases they leave
    total = [0, 0, 0, 0]
    for sim, start, shift, b, si, ki in pairs:
        fix = _relabel(shift, b)
        if fix is None:
            return None
        ph = _phases((*sim, *fix), start)
        if ph is None:
            return None
        total = [(x + y) % 8 for x, y in zip(total, ph, strict=True)]
        body += [(g[0], si if g[1] == 0 else ki) for g in fix]
    # the start, with the phases of all pairs paid on the two bits
    q = [(x - total[0]) % 8 for x in total]
    if any(x % 2 for x in q):
        return None
    alpha, beta = (-q[1] // 2) % 4, (-q[2] // 2) % 4
    rest_ = (-q[3] // 2 - alpha - beta) % 4
    if rest_ % 2:
        return None
    out = Synthesis()
    start_gates: list[LocalGate] = []
    start_gates += bell_pair(k0, via.get(lead, []), s0)
    start_gates += [("cx", a, k0), ("h", a)]
    power = {0: [], 1: ["s"], 2: ["z"], 3: ["sdg"]}
    start_gates += [(g, a) for g in power[(3 + beta) % 4]]
    start_gates += [(g, k0) for g in power[(3 + alpha) % 4]]
    if (n % 2 == 1) != (rest_ == 2):
        start_gates.append(("cz", a, k0))
    out.seq(*start_gates, *body)
    out.moves = {a: s0, s0: a}
    return out
