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
"""

from __future__ import annotations

import argparse


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only lines of up to 6 qubits")
    args = parser.parse_args()
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
