"""Pass: protocol-aware routing of synthesized blocks onto a target's coupling graph.

The syntheses hand the router *blocks* of chains that commute with each other (the fan-outs of
the Bell index, the key corrections of a recovery). The router exploits that freedom: it runs
every chain head that is already adjacent, and only when none is, walks the busiest qubit of the
block (the fan-out's hub) towards the nearest waiting partner with SWAPs. A SWAP right after a
gate on the same pair is merged with it (``CX; SWAP`` is two CNOTs), so a hub walking along a
line of targets costs two CNOTs per target instead of four.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from qclone.circuit import Circuit, Gate
from qclone.errors import CompilationError, DisconnectedTarget
from qclone.passes.synthesize import Block
from qclone.targets import Target


@dataclass(frozen=True)
class Routed:
    circuit: Circuit
    final: list[int]  # final[slot] = physical qubit
    swaps: int


def _merge_swap(prev: Gate, a: int, b: int) -> list[Gate] | None:
    """``prev; SWAP(a, b)`` as two CNOTs (plus Hadamards) when ``prev`` acts on (a, b)."""
    if set(prev.qubits) != {a, b}:
        return None
    c, t = prev.qubits
    if prev.name == "cx":  # CX(c,t); SWAP == CX(t,c); CX(c,t)
        return [Gate("cx", (t, c)), Gate("cx", (c, t))]
    if prev.name == "cz":  # CZ(c,t) = H_t CX(c,t) H_t; then the SWAP moves H_t onto c
        return [Gate("h", (t,)), Gate("cx", (t, c)), Gate("cx", (c, t)), Gate("h", (c,))]
    return None


class _Router:
    def __init__(self, target: Target, layout: list[int]) -> None:
        self.t = target
        self.loc = list(layout)  # slot -> physical
        self.occ: dict[int, int] = {p: s for s, p in enumerate(layout)}  # physical -> slot
        self.out: list[Gate | None] = []
        self.last: dict[int, int] = {}  # physical -> index in out of its last gate
        self.swaps = 0

    def emit(self, g: Gate) -> None:
        phys = Gate(g.name, tuple(self.loc[q] for q in g.qubits))
        self.out.append(phys)
        for q in phys.qubits:
            self.last[q] = len(self.out) - 1

    def swap(self, p: int, q: int) -> None:
        """SWAP the contents of physical qubits p and q (adjacent)."""
        self.swaps += 1
        i, j = self.last.get(p, -1), self.last.get(q, -1)
        merged = None
        if i == j and i >= 0:
            prev = self.out[i]
            assert prev is not None
            merged = _merge_swap(prev, p, q)
        if merged is not None:
            self.out[i] = None
            self.out.extend(merged)
        else:
            self.out.append(Gate("swap", (p, q)))
        self.last[p] = self.last[q] = len(self.out) - 1
        sp, sq = self.occ.get(p), self.occ.get(q)
        if sp is not None:
            self.loc[sp] = q
        if sq is not None:
            self.loc[sq] = p
        self.occ.pop(p, None)
        self.occ.pop(q, None)
        if sp is not None:
            self.occ[q] = sp
        if sq is not None:
            self.occ[p] = sq

    def adjacent(self, g: Gate) -> bool:
        a, b = g.qubits
        return self.t.is_adjacent(self.loc[a], self.loc[b])

    def run_block(self, block: Block) -> None:
        heads = [0] * len(block)
        remaining = sum(len(ch) for ch in block)
        busy: Counter[int] = Counter()  # slot -> two-qubit gates still to run in this block
        for ch in block:
            for g in ch:
                if g.is_two_qubit:
                    busy.update(g.qubits)
        live = list(range(len(block)))
        while remaining:
            progressed = True
            while progressed:
                progressed = False
                still = []
                for ci in live:
                    ch = block[ci]
                    while heads[ci] < len(ch):
                        g = ch[heads[ci]]
                        if g.is_two_qubit:
                            if not self.adjacent(g):
                                break
                            busy.subtract(g.qubits)
                        self.emit(g)
                        heads[ci] += 1
                        remaining -= 1
                        progressed = True
                    if heads[ci] < len(ch):
                        still.append(ci)
                live = still
            if not remaining:
                return
            waiting = [block[ci][heads[ci]] for ci in live if block[ci][heads[ci]].is_two_qubit]
            # each waiting gate's busier qubit walks; find the nearest partner of each walker
            partners: dict[int, set[int]] = {}
            for w in waiting:
                a, b = w.qubits
                mover, other = (a, b) if busy[a] >= busy[b] else (b, a)
                partners.setdefault(mover, set()).add(other)
            best: tuple[int, int, int, list[int]] | None = None
            for mover, others in sorted(partners.items(), key=lambda kv: (-busy[kv[0]], kv[0])):
                found = self.nearest(mover, others)
                key = (len(found), -busy[mover], mover, found)
                if best is None or key[:3] < best[:3]:
                    best = key
            assert best is not None
            path, mover = best[3], best[2]
            for step in path[1:-1]:
                self.swap(self.loc[mover], step)

    def nearest(self, mover: int, others: set[int]) -> list[int]:
        """Shortest physical path from ``mover`` to the nearest slot in ``others``."""
        start = self.loc[mover]
        goals = {self.loc[o] for o in others}
        parent = {start: start}
        frontier = [start]
        while frontier:
            nxt = []
            for q in frontier:
                for r in sorted(self.t.neighbors(q)):
                    if r in parent:
                        continue
                    parent[r] = q
                    if r in goals:
                        path = [r]
                        while path[-1] != start:
                            path.append(parent[path[-1]])
                        return path[::-1]
                    nxt.append(r)
            frontier = nxt
        raise DisconnectedTarget(
            f"target {self.t.name}: no path from qubit {start} to the qubits it must meet; "
            "the program needs them connected"
        )

    def circuit(self) -> Circuit:
        return Circuit(self.t.num_qubits, tuple(g for g in self.out if g is not None))


def route(blocks: tuple[Block, ...] | list[Block], target: Target, layout: list[int]) -> Routed:
    """Route the blocks (on slots) starting from ``layout[slot] = physical qubit``."""
    if len(set(layout)) != len(layout):
        raise CompilationError("layout maps two slots to the same physical qubit")
    r = _Router(target, layout)
    for block in blocks:
        r.run_block(block)
    return Routed(r.circuit(), r.loc, r.swaps)
