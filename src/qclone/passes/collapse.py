"""Functional recovery on a path of keys in about ``2n`` CNOTs (:func:`recover_collapse`).

U_dec(j) is ``CX(s, m); H(s)``, then the *core* ``C_s(Z..Z) C_m(X..X)`` over the other keys
(``CZ(s, N_k)`` and ``CX(m, N_k)`` for every k), then fixed gates on ``(s, m)`` (PROTOCOL.md).
For any Clifford ``V`` on the keys alone, the core equals ``V^dagger C_s(P') C_m(Q') V`` with
``P' = V Z..Z V^dagger`` and ``Q' = V X..X V^dagger``. A functional recovery only promises the
data on ``s`` and may leave the keys as junk, so the closing ``V^dagger`` can go: the recovery
is ``V``, then ``s`` and ``m`` act on ``P'`` and ``Q'`` only.

On a path of keys ``k1 .. kL`` (``k1`` beside ``m`` or ``s``) a ``V`` of about two CNOTs per
key puts both parities on ``k1`` (odd ``L``: they anticommute there) or on ``k1`` and ``k2``
(even ``L``). It is two sweeps from the far end: the first makes the two strings agree on every
key but the first (or first two), the second folds the common part onto the front. Each step is
one controlled Pauli ``C(P, Q)`` (one CNOT with one-qubit gates around it) between neighbours,
the one of the nine that gives the step's intended shape. The shapes are those of an exhaustive
breadth-first search over such steps on paths of up to nine keys (``benchmarks/path_bounds.py
--collapse``), which also shows ``2L - 2`` (odd) and ``2L - 3`` (even) to be the fewest.

So the functional recovery costs ``2n + 4`` (``n`` even, ``L = n - 1`` odd) or ``2n + 6``,
against ``4n - 2`` for the exact walk (:func:`~qclone.passes.synthesize.recover_roam`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from qclone.passes.synthesize import Synthesis, long_cx

LocalGate = tuple[str, int] | tuple[str, int, int]

# a one-qubit Pauli as a letter; the shape of a key: which of the two strings act on it
_PAULIS = "XYZ"
# gates (time order) taking a Pauli to Z by conjugation, and to X
_TO_Z = {"Z": (), "X": ("h",), "Y": ("sdg", "h")}
_TO_X = {"X": (), "Z": ("h",), "Y": ("sdg",)}
_INVERSE = {"h": "h", "s": "sdg", "sdg": "s"}


def _shape(p: str, q: str) -> int:
    """0: neither string; 1: only P; 2: only Q; 3: both, equal; 4: both, different."""
    if p == "I":
        return 0 if q == "I" else 2
    if q == "I":
        return 1
    return 3 if p == q else 4


def _anti(a: str, b: str) -> bool:
    return a != "I" and b != "I" and a != b


def _times(a: str, b: str) -> tuple[str, complex]:
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


def _conjugate(pc: str, pt: str, ctl: str, tgt: str) -> tuple[str, str, complex]:
    """``G (pc x pt) G`` for ``G = C(ctl, tgt) = (I + ctl)/2 x I + (I - ctl)/2 x tgt``: the new
    letters and the phase they pick up. ``A x B`` goes to ``A ctl^b x B tgt^a`` (``a``: ``A``
    anticommutes with ``ctl``, ``b``: ``B`` with ``tgt``), negated when both anticommute."""
    phase: complex = 1
    nc, nt = pc, pt
    if _anti(pt, tgt):  # the control side picks up ctl
        nc, ph = _times(pc, ctl)
        phase *= ph
    if _anti(pc, ctl):  # the target side picks up tgt
        nt, ph = _times(pt, tgt)
        phase *= ph
    if _anti(pt, tgt) and _anti(pc, ctl):  # A x B -> -(A ctl) x (B tgt)
        phase *= -1
    return nc, nt, phase


def _controlled(c: int, t: int, ctl: str, tgt: str) -> list[LocalGate]:
    """``C(ctl, tgt)`` on qubits ``c`` (control Pauli ``ctl``) and ``t``: one CNOT."""
    pre = [(g, c) for g in _TO_Z[ctl]] + [(g, t) for g in _TO_X[tgt]]
    post = [(_INVERSE[g], c) for g in reversed(_TO_Z[ctl])]
    post += [(_INVERSE[g], t) for g in reversed(_TO_X[tgt])]
    return [*pre, ("cx", c, t), *post]


class _Strings:
    """The two strings ``P`` and ``Q`` over the keys of the path, letter by letter, with signs."""

    def __init__(self, size: int) -> None:
        self.p = ["Z"] * size
        self.q = ["X"] * size
        self.sign_p: complex = 1
        self.sign_q: complex = 1

    def shape(self, i: int) -> int:
        return _shape(self.p[i], self.q[i])

    def trial(self, c: int, t: int, ctl: str, tgt: str) -> tuple[int, int]:
        pc, pt, _ = _conjugate(self.p[c], self.p[t], ctl, tgt)
        qc, qt, _ = _conjugate(self.q[c], self.q[t], ctl, tgt)
        return _shape(pc, qc), _shape(pt, qt)

    def apply(self, c: int, t: int, ctl: str, tgt: str) -> None:
        self.p[c], self.p[t], ph = _conjugate(self.p[c], self.p[t], ctl, tgt)
        self.sign_p *= ph
        self.q[c], self.q[t], ph = _conjugate(self.q[c], self.q[t], ctl, tgt)
        self.sign_q *= ph


def collapse(keys: list[int]) -> tuple[list[LocalGate], list[tuple[int, str, int]]] | None:
    """``V`` on a path of keys (``keys[0]`` the front), and where the parities end:
    ``[(qubit, letter, sign) for P', then for Q']``. None if a step finds no gate."""
    size = len(keys)
    st = _Strings(size)
    gates: list[LocalGate] = []

    def step(c: int, t: int, want: tuple[int, int]) -> bool:
        for ctl in _PAULIS:
            for tgt in _PAULIS:
                if st.trial(c, t, ctl, tgt) == want:
                    st.apply(c, t, ctl, tgt)
                    gates.extend(_controlled(keys[c], keys[t], ctl, tgt))
                    return True
        return False

    odd = size % 2 == 1
    low = 0 if odd else 1
    # sweep 1, from the far end: the strings agree on every key from low + 1 on
    for i in range(size - 2, low - 1, -1):
        want = (4, 3) if st.shape(i + 1) == 1 else (1, 3)
        if not step(i, i + 1, want):
            return None
    # sweep 2, from the far end: fold the common part onto key low
    for i in range(size - 2, low - 1, -1):
        want = (4, 0) if i == low else (3, 0)
        if not step(i, i + 1, want):
            return None
    if not odd and size >= 2 and not step(0, 1, (1, 2)):
        return None
    out = []
    for letters, sign in ((st.p, st.sign_p), (st.q, st.sign_q)):
        held = [i for i, x in enumerate(letters) if x != "I"]
        if len(held) != 1 or sign not in (1, -1):
            return None
        out.append((keys[held[0]], letters[held[0]], int(sign.real)))
    return gates, out


def recover_collapse(
    s: int, m: int, others: list[int], adjacent: Mapping[int, Iterable[int]]
) -> Synthesis | None:
    """The functional recovery of clone ``s`` with key ``m`` when the other keys form a path
    that starts beside ``m`` or ``s`` (module docstring); ``adjacent`` is the slots' coupling.
    ``s`` and ``m`` must be coupled. The control beside the path's front acts on it directly
    (one CNOT), the other reaches it over that control (:func:`~qclone.passes.synthesize.
    long_cx`, four). None when the keys do not form such a path."""
    adj = {q: set(v) for q, v in adjacent.items()}
    if m not in adj.get(s, set()) or not others:
        return None
    path = _key_path(others, adj, m) or _key_path(others, adj, s)
    if path is None:
        return None
    made = collapse(path)
    if made is None:
        return None
    v, ((qp, lp, sp), (qq, lq, sq)) = made
    front = path[0]
    near, far = (m, s) if m in adj[front] else (s, m)

    line = [far, near, *path[:2]]  # coupled in this order

    def act(ctl: int, on: int, letter: str, sign: int) -> list[LocalGate]:
        """C(Z on ``ctl``, ``sign * letter`` on ``on``), over the qubits between on ``line``."""
        i, j = line.index(ctl), line.index(on)
        between = line[i + 1 : j] if i < j else line[j + 1 : i][::-1]
        pre = [(g, on) for g in _TO_X[letter]]
        post = [(_INVERSE[g], on) for g in reversed(_TO_X[letter])]
        fix: list[LocalGate] = [("z", ctl)] if sign < 0 else []
        return [*pre, *long_cx(ctl, between, on), *post, *fix]

    out = Synthesis()
    out.seq(("cx", s, m), ("h", s))
    out.seq(*v)
    out.seq(*act(s, qp, lp, sp), *act(m, qq, lq, sq))
    out.seq(("s", s), ("s", m), ("cz", s, m), ("h", s), ("cx", s, m))
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
