"""Two anticommuting Pauli strings and the controlled Paulis that shrink them.

A functional recovery of clone ``j`` (the data lands on ``s = S_j``, every key may be left as
junk) is any Clifford on ``s`` and the keys that maps the two strings ``P`` and ``Q`` of
:func:`recovery_strings` to ``X`` and ``Z`` on ``s``. ``P`` and ``Q`` are the images of ``X_s``
and ``Z_s`` under the inverse of U_dec(j) (PROTOCOL.md's gate form). Right after the clone,
``s`` and the keys carry no stabilizer of their own (they are maximally mixed), so these are the
only strings that can be mapped: the syntheses here shrink them onto ``s``.

Each step is one controlled Pauli ``C(ctl, tgt) = (I + ctl)/2 x I + (I - ctl)/2 x tgt`` (one CNOT
with one-qubit gates around it). On a qubit the two strings have a *shape*: 0 neither acts, 1
only ``P``, 2 only ``Q``, 3 both with the same letter, 4 both with different letters. One-qubit
gates change the letters but not the shapes, and the nine ``C(ctl, tgt)`` reach the same shapes
from any letters of the same shapes, so a search over shapes (:data:`STEPS`) finds the steps and
:meth:`Strings.move` picks the letters.

Facts the syntheses use (checked by ``benchmarks/path_bounds.py --recover`` on lines and on the
complete graph):

* two qubits of shape 4 become shapes 1 and 2 in one step (the *pair* step);
* a qubit of shape 1, 2 or 3 is cleared into a neighbour in one step;
* so with every qubit coupled to every other, ``a`` qubits of shape 4 besides ``s`` and ``c`` of
  shape 3 cost ``3a/2 + c`` steps: ``ceil((3n - 1)/2)`` for the recovery, PROTOCOL.md's lower
  bound (:func:`~qclone.passes.synthesize.recover_paired`);
* on a line two qubits of shape 4 merge into one in two steps, so a line of keys costs two
  steps a key (:mod:`qclone.passes.collapse`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from functools import cache

LocalGate = tuple[str, int] | tuple[str, int, int]

PAULIS = "XYZ"
# gates (time order) taking a Pauli to Z by conjugation, and to X
TO_Z = {"Z": (), "X": ("h",), "Y": ("sdg", "h")}
_UNDO = {"h": "h", "s": "sdg", "sdg": "s", "x": "x", "z": "z"}  # each gate's inverse
# the nine controlled Paulis, the fewest one-qubit gates around the CZ first
_BY_DRESSING = sorted(
    ((c, t) for c in PAULIS for t in PAULIS), key=lambda ct: len(TO_Z[ct[0]]) + len(TO_Z[ct[1]])
)
# one-qubit gates as conjugations: letter -> (letter, sign) after the gate
_ONE_QUBIT = {
    "h": {"X": ("Z", 1), "Y": ("Y", -1), "Z": ("X", 1)},
    "s": {"X": ("Y", 1), "Y": ("X", -1), "Z": ("Z", 1)},
    "x": {"X": ("X", 1), "Y": ("Y", -1), "Z": ("Z", -1)},
    "z": {"X": ("X", -1), "Y": ("Y", -1), "Z": ("Z", 1)},
    "sdg": {"X": ("Y", -1), "Y": ("X", 1), "Z": ("Z", 1)},
}


def shape(p: str, q: str) -> int:
    """0: neither string; 1: only P; 2: only Q; 3: both, equal; 4: both, different."""
    if p == "I":
        return 0 if q == "I" else 2
    if q == "I":
        return 1
    return 3 if p == q else 4


def anti(a: str, b: str) -> bool:
    """Whether one-qubit Paulis ``a`` and ``b`` anticommute."""
    return a != "I" and b != "I" and a != b


def times(a: str, b: str) -> tuple[str, complex]:
    """The product ``a b`` of two one-qubit Paulis: (letter, phase)."""
    if a == "I":
        return b, 1
    if b == "I":
        return a, 1
    if a == b:
        return "I", 1
    cyc = {("X", "Y"): "Z", ("Y", "Z"): "X", ("Z", "X"): "Y"}
    if (a, b) in cyc:
        return cyc[(a, b)], 1j
    return cyc[(b, a)], -1j


def conjugate(pc: str, pt: str, ctl: str, tgt: str) -> tuple[str, str, complex]:
    """``G (pc x pt) G`` for ``G = C(ctl, tgt)``: the new letters and the phase they pick up.
    ``A x B`` goes to ``A ctl^b x B tgt^a`` (``a``: ``A`` anticommutes with ``ctl``, ``b``: ``B``
    with ``tgt``), negated when both anticommute."""
    phase: complex = 1
    nc, nt = pc, pt
    if anti(pt, tgt):  # the control side picks up ctl
        nc, ph = times(pc, ctl)
        phase *= ph
    if anti(pc, ctl):  # the target side picks up tgt
        nt, ph = times(pt, tgt)
        phase *= ph
    if anti(pt, tgt) and anti(pc, ctl):  # A x B -> -(A ctl) x (B tgt)
        phase *= -1
    return nc, nt, phase


def controlled(c: int, t: int, ctl: str, tgt: str) -> list[LocalGate]:
    """``C(ctl, tgt)`` on qubits ``c`` (control Pauli ``ctl``) and ``t``: one CZ, with the
    one-qubit gates that take ``ctl`` and ``tgt`` to ``Z`` around it (``C(Z, Z)`` is the CZ)."""
    pre = [(g, c) for g in TO_Z[ctl]] + [(g, t) for g in TO_Z[tgt]]
    post = [(_UNDO[g], c) for g in reversed(TO_Z[ctl])]
    post += [(_UNDO[g], t) for g in reversed(TO_Z[tgt])]
    return [*pre, ("cz", c, t), *post]


@cache
def steps() -> dict[tuple[int, int], frozenset[tuple[int, int]]]:
    """For the shapes ``(a, b)`` of a control and a target qubit, the shapes one controlled
    Pauli can leave on them."""
    rep = {0: ("I", "I"), 1: ("Z", "I"), 2: ("I", "Z"), 3: ("Z", "Z"), 4: ("Z", "X")}
    out = {}
    for a, (pa, qa) in rep.items():
        for b, (pb, qb) in rep.items():
            found = set()
            for ctl in PAULIS:
                for tgt in PAULIS:
                    pc, pt, _ = conjugate(pa, pb, ctl, tgt)
                    qc, qt, _ = conjugate(qa, qb, ctl, tgt)
                    found.add((shape(pc, qc), shape(pt, qt)))
            out[(a, b)] = frozenset(found)
    return out


class Strings:
    """The two strings ``P`` and ``Q`` letter by letter over some qubits, with their signs, and
    the gates applied to them so far."""

    def __init__(
        self, qubits: Sequence[int], p: str, q: str, sign_p: int = 1, sign_q: int = 1
    ) -> None:
        if not len(qubits) == len(p) == len(q):
            raise ValueError("one letter of each string per qubit")
        self.qubits = list(qubits)
        self.p = list(p)
        self.q = list(q)
        self.sign_p: complex = sign_p
        self.sign_q: complex = sign_q
        self.gates: list[LocalGate] = []
        self.steps = 0
        self.start = {x: (a, b) for x, a, b in zip(self.qubits, p, q, strict=True)}

    def tidy(self, keep: int) -> list[LocalGate]:
        """The gates so far, through :func:`tidy` for a recovery onto qubit ``keep``."""
        return tidy(self.gates, keep, self.start)

    def shape(self, i: int) -> int:
        return shape(self.p[i], self.q[i])

    def shapes(self) -> tuple[int, ...]:
        return tuple(shape(a, b) for a, b in zip(self.p, self.q, strict=True))

    def move(self, i: int, j: int, want: tuple[int, int]) -> bool:
        """One controlled Pauli between positions ``i`` and ``j`` (either may control) that
        leaves them the shapes ``want``; False (and nothing done) if there is none."""
        for c, t, goal in ((i, j, want), (j, i, want[::-1])):
            for ctl, tgt in _BY_DRESSING:
                pc, pt, ph_p = conjugate(self.p[c], self.p[t], ctl, tgt)
                qc, qt, ph_q = conjugate(self.q[c], self.q[t], ctl, tgt)
                if (shape(pc, qc), shape(pt, qt)) == goal:
                    self.p[c], self.p[t], self.q[c], self.q[t] = pc, pt, qc, qt
                    self.sign_p *= ph_p
                    self.sign_q *= ph_q
                    self.gates += controlled(self.qubits[c], self.qubits[t], ctl, tgt)
                    self.steps += 1
                    return True
        return False

    def finish(self, i: int) -> bool:
        """One-qubit gates on position ``i`` taking what the strings hold there to ``+X`` and
        ``+Z``; False if the strings act anywhere else or not as two anticommuting Paulis."""
        if any(
            (a, b) != ("I", "I")
            for k, (a, b) in enumerate(zip(self.p, self.q, strict=True))
            if k != i
        ):
            return False
        if self.shape(i) != 4 or self.sign_p not in (1, -1) or self.sign_q not in (1, -1):
            return False
        fix = local_fix(self.p[i], int(self.sign_p.real), self.q[i], int(self.sign_q.real))
        self.gates += [(g, self.qubits[i]) for g in fix]
        return True


def tidy(
    gates: Sequence[LocalGate], keep: int, strings: Mapping[int, tuple[str, str]]
) -> list[LocalGate]:
    """``gates`` (CZ, CX and one-qubit gates) without what cannot matter to a functional
    recovery that lands on ``keep``, given the letters ``strings[qubit] = (P, Q)`` the two
    strings start with: a one-qubit gate on another qubit of ``strings`` that leaves its
    letters of both strings as they are, signs included (it only turns junk), and a one-qubit
    gate next to its inverse on the same qubit. Gates on qubits outside ``strings`` are kept."""
    letters = {q: list(pq) for q, pq in strings.items()}
    kept: list[LocalGate] = []
    for g in gates:
        if len(g) == 3:
            a, b = letters.setdefault(g[1], ["I", "I"]), letters.setdefault(g[2], ["I", "I"])
            for k in (0, 1):  # CZ is C(Z, Z), CX is C(Z, X); signs do not matter here
                a[k], b[k], _ = conjugate(a[k], b[k], "Z", "X" if g[0] == "cx" else "Z")
        else:
            now = letters.setdefault(g[1], ["I", "I"])
            after = [_ONE_QUBIT[g[0]][x] if x != "I" else ("I", 1) for x in now]
            junk = g[1] != keep and g[1] in strings  # any other qubit must end as it was
            if junk and all(new == (old, 1) for new, old in zip(after, now, strict=True)):
                continue
            letters[g[1]] = [x for x, _ in after]
        kept.append(g)
    out: list[LocalGate | None] = []
    latest: dict[int, list[int]] = {}  # qubit -> indices into out of its gates, in order
    for g in kept:
        mine = latest.setdefault(g[1], [])
        if len(g) == 2 and mine:
            prev = out[mine[-1]]
            if prev is not None and len(prev) == 2 and _UNDO.get(prev[0]) == g[0]:
                out[mine.pop()] = None
                continue
        out.append(g)
        for q in g[1:]:
            latest.setdefault(q, []).append(len(out) - 1)
    return [g for g in out if g is not None]


@cache
def local_fix(p: str, sign_p: int, q: str, sign_q: int) -> tuple[str, ...]:
    """The shortest sequence of ``h``, ``s``, ``x``, ``z`` (time order) that conjugates
    ``sign_p p`` to ``+X`` and ``sign_q q`` to ``+Z`` (``p`` and ``q`` anticommute)."""
    start = (p, sign_p, q, sign_q)
    seen: dict[tuple[str, int, str, int], tuple[str, ...]] = {start: ()}
    todo = deque([start])
    while todo:
        state = todo.popleft()
        if state == ("X", 1, "Z", 1):
            return seen[state]
        lp, sp, lq, sq = state
        for g, table in _ONE_QUBIT.items():
            (np_, fp), (nq, fq) = table[lp], table[lq]
            new = (np_, sp * fp, nq, sq * fq)
            if new not in seen:
                seen[new] = (*seen[state], g)
                todo.append(new)
    raise ValueError(f"{sign_p}{p} and {sign_q}{q} do not anticommute")


def recovery_strings(n: int) -> tuple[str, str, int, int]:
    """``P`` and ``Q`` of a recovery among ``n`` clones, over ``(s, m, the other keys)``: the
    images of ``X_s`` and ``Z_s`` under the inverse of U_dec(j), as (letters, letters, sign of
    ``P``, sign of ``Q``). On the other keys they are ``X`` and ``Z`` (shape 4); on ``s`` and
    ``m`` they depend on the parity of ``n`` (``m`` has shape 3 for odd ``n``)."""
    keys = n - 1
    if n % 2:
        return "ZY" + "X" * keys, "XY" + "Z" * keys, -1, 1
    return "YZ" + "X" * keys, "XY" + "Z" * keys, -1, 1


def fewest_steps(
    shapes: Sequence[int], edges: Iterable[tuple[int, int]], target: int
) -> list[tuple[int, int, tuple[int, int]]] | None:
    """The fewest steps (breadth-first over shapes) that clear every position but ``target``
    and leave the two strings anticommuting there (shape 4), each step ``(i, j, shapes left on
    i and j)`` between coupled positions; None if there are none. Exponential in
    ``len(shapes)``: for a handful of qubits."""
    table = steps()
    pairs = [(i, j) for a, b in edges for i, j in ((a, b), (b, a))]
    start = tuple(shapes)
    parent: dict[tuple[int, ...], tuple[tuple[int, ...], tuple[int, int, tuple[int, int]]] | None]
    parent = {start: None}
    todo = deque([start])
    while todo:
        state = todo.popleft()
        if all(x == 0 for k, x in enumerate(state) if k != target) and state[target] == 4:
            out = []
            back = parent[state]
            while back is not None:
                state, move = back
                out.append(move)
                back = parent[state]
            return out[::-1]
        for i, j in pairs:
            for x, y in table[(state[i], state[j])]:
                new = list(state)
                new[i], new[j] = x, y
                key = tuple(new)
                if key not in parent:
                    parent[key] = (state, (i, j, (x, y)))
                    todo.append(key)
    return None


__all__ = [
    "LocalGate",
    "Strings",
    "conjugate",
    "controlled",
    "fewest_steps",
    "local_fix",
    "recovery_strings",
    "shape",
    "steps",
    "tidy",
]
