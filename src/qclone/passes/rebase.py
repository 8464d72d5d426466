"""Pass: rebase a neutral circuit onto one native two-qubit gate and tidy single-qubit runs.

Every run of single-qubit gates between two-qubit gates is multiplied out (a 1-qubit stim
tableau) and rewritten as the shortest word over ``h, s, sdg, x, y, z`` for that Clifford, so a
rebase never leaves ``h; h`` or ``s; sdg`` behind.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from qclone.circuit import Circuit, Gate

if TYPE_CHECKING:
    import stim
from qclone.errors import CompilationError

_STIM = {"h": "H", "s": "S", "sdg": "S_DAG", "x": "X", "y": "Y", "z": "Z"}


def _key(t: object) -> str:
    return str(t)


@cache
def _shortest_words() -> dict[str, tuple[str, ...]]:
    """Breadth-first search over words: the shortest word for each of the 24 Cliffords."""
    import stim

    start = stim.Tableau(1)
    words: dict[str, tuple[str, ...]] = {_key(start): ()}
    frontier: list[tuple[tuple[str, ...], stim.Tableau]] = [((), start)]
    while frontier:
        nxt = []
        for word, tab in frontier:
            for g in ("h", "s", "sdg", "x", "y", "z"):
                t2 = tab.then(stim.Tableau.from_named_gate(_STIM[g]))
                k = _key(t2)
                if k not in words:
                    words[k] = (*word, g)
                    nxt.append(((*word, g), t2))
        frontier = nxt
    return words


@cache
def _simplify_word(word: tuple[str, ...]) -> tuple[str, ...]:
    import stim

    t = stim.Tableau(1)
    for g in word:
        t = t.then(stim.Tableau.from_named_gate(_STIM[g]))
    return _shortest_words()[_key(t)]


def rebase(circuit: Circuit, two_qubit_gate: str) -> Circuit:
    """Only ``two_qubit_gate`` (``"cx"`` or ``"cz"``) as the entangling gate; SWAPs expanded."""
    if two_qubit_gate not in ("cx", "cz"):
        raise CompilationError(
            f"cannot rebase onto {two_qubit_gate!r}: the neutral rebase knows 'cx' and 'cz'"
        )
    expanded: list[Gate] = []
    for g in circuit.gates:
        if g.name == "swap":
            a, b = g.qubits
            expanded += [Gate("cx", (a, b)), Gate("cx", (b, a)), Gate("cx", (a, b))]
        else:
            expanded.append(g)
    native: list[Gate] = []
    for g in expanded:
        if g.is_two_qubit and g.name != two_qubit_gate:
            c, t = g.qubits
            # CX = H_t CZ H_t and CZ = H_t CX H_t
            native += [Gate("h", (t,)), Gate(two_qubit_gate, (c, t)), Gate("h", (t,))]
        else:
            native.append(g)
    return simplify_single_qubit_runs(Circuit(circuit.num_qubits, tuple(native)))


def simplify_single_qubit_runs(circuit: Circuit) -> Circuit:
    pending: dict[int, list[str]] = {}
    out: list[Gate] = []

    def flush(q: int) -> None:
        word = pending.pop(q, None)
        if word:
            out.extend(Gate(g, (q,)) for g in _simplify_word(tuple(word)))

    for g in circuit.gates:
        if g.is_two_qubit:
            for q in g.qubits:
                flush(q)
            out.append(g)
        else:
            pending.setdefault(g.qubits[0], []).append(g.name)
    for q in sorted(pending):
        flush(q)
    return Circuit(circuit.num_qubits, tuple(out))
