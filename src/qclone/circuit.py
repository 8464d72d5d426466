"""The small framework-neutral circuit: Clifford gates on integer qubits.

Both the decomposed (role-level) and the routed (device-level) circuits use it. It converts to
stim for exact verification and to OpenQASM 2.0 for export; the framework adapters lower it to
Cirq, pytket and Qiskit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from qclone.errors import ExportError, NonCliffordError

if TYPE_CHECKING:
    import stim

#: One-qubit gates of the neutral circuit, with their stim names.
ONE_QUBIT_GATES: dict[str, str] = {
    "h": "H",
    "s": "S",
    "sdg": "S_DAG",
    "x": "X",
    "y": "Y",
    "z": "Z",
}
#: Two-qubit gates of the neutral circuit, with their stim names.
TWO_QUBIT_GATES: dict[str, str] = {"cx": "CX", "cz": "CZ", "swap": "SWAP"}
#: How many native two-qubit gates each two-qubit gate costs.
TWO_QUBIT_COST: dict[str, int] = {"cx": 1, "cz": 1, "swap": 3}

_INVERSE: dict[str, str] = {
    "h": "h",
    "s": "sdg",
    "sdg": "s",
    "x": "x",
    "y": "y",
    "z": "z",
    "cx": "cx",
    "cz": "cz",
    "swap": "swap",
}


@dataclass(frozen=True, slots=True)
class Gate:
    """One gate: a name from :data:`ONE_QUBIT_GATES` or :data:`TWO_QUBIT_GATES` and its qubits."""

    name: str
    qubits: tuple[int, ...]

    def __post_init__(self) -> None:
        arity = 1 if self.name in ONE_QUBIT_GATES else 2 if self.name in TWO_QUBIT_GATES else 0
        if arity == 0:
            raise NonCliffordError(
                f"gate {self.name!r} is not a gate of qclone's Clifford circuit; "
                f"use one of {sorted(ONE_QUBIT_GATES) + sorted(TWO_QUBIT_GATES)}"
            )
        if len(self.qubits) != arity:
            raise ExportError(f"gate {self.name} takes {arity} qubit(s), got {self.qubits}")
        if arity == 2 and self.qubits[0] == self.qubits[1]:
            raise ExportError(f"gate {self.name} on the same qubit twice: {self.qubits}")

    @property
    def is_two_qubit(self) -> bool:
        return len(self.qubits) == 2

    def inverse(self) -> Gate:
        return Gate(_INVERSE[self.name], self.qubits)

    def mapped(self, mapping: Sequence[int] | dict[int, int]) -> Gate:
        return Gate(self.name, tuple(mapping[q] for q in self.qubits))


@dataclass(frozen=True)
class Circuit:
    """An immutable sequence of Clifford gates on qubits ``0..num_qubits-1``.

    Examples:
        >>> c = Circuit.from_ops(2, [("h", 0), ("cx", 0, 1)])
        >>> c.two_qubit_count(), c.depth()
        (1, 2)
    """

    num_qubits: int
    gates: tuple[Gate, ...] = field(default=())

    @staticmethod
    def from_ops(
        num_qubits: int, ops: Iterable[tuple[str, ...] | tuple[str | int, ...]]
    ) -> Circuit:
        gates = []
        for op in ops:
            name = str(op[0])
            qubits = tuple(int(q) for q in op[1:])
            gates.append(Gate(name, qubits))
        return Circuit(num_qubits, tuple(gates))

    def __iter__(self) -> Iterator[Gate]:
        return iter(self.gates)

    def __len__(self) -> int:
        return len(self.gates)

    def __add__(self, other: Circuit) -> Circuit:
        return Circuit(max(self.num_qubits, other.num_qubits), self.gates + other.gates)

    def inverse(self) -> Circuit:
        return Circuit(self.num_qubits, tuple(g.inverse() for g in reversed(self.gates)))

    def mapped(self, mapping: Sequence[int] | dict[int, int], num_qubits: int) -> Circuit:
        return Circuit(num_qubits, tuple(g.mapped(mapping) for g in self.gates))

    # ---- counting ------------------------------------------------------------------------
    def gate_counts(self) -> dict[str, int]:
        return dict(Counter(g.name for g in self.gates))

    def two_qubit_count(self) -> int:
        """Native two-qubit gates, with a SWAP counted as three."""
        return sum(TWO_QUBIT_COST.get(g.name, 0) for g in self.gates)

    def one_qubit_count(self) -> int:
        return sum(1 for g in self.gates if not g.is_two_qubit)

    def swap_count(self) -> int:
        return sum(1 for g in self.gates if g.name == "swap")

    def depth(self, *, two_qubit_only: bool = False) -> int:
        """ASAP depth; a SWAP takes three layers (three CX), as it will on hardware."""
        level = [0] * self.num_qubits
        for g in self.gates:
            if g.is_two_qubit:
                a, b = g.qubits
                t = max(level[a], level[b]) + (3 if g.name == "swap" else 1)
                level[a] = level[b] = t
            elif not two_qubit_only:
                level[g.qubits[0]] += 1
        return max(level, default=0)

    def used_qubits(self) -> set[int]:
        return {q for g in self.gates for q in g.qubits}

    def interaction_edges(self) -> Counter[tuple[int, int]]:
        c: Counter[tuple[int, int]] = Counter()
        for g in self.gates:
            if g.is_two_qubit:
                a, b = g.qubits
                c[(min(a, b), max(a, b))] += 1
        return c

    # ---- conversion ----------------------------------------------------------------------
    def to_stim(self) -> stim.Circuit:
        import stim

        names = {**ONE_QUBIT_GATES, **TWO_QUBIT_GATES}
        # one instruction per run of equal gates (stim applies its targets in order), built as
        # text: stim parses text far faster than it appends instructions one by one
        lines: list[str] = []
        run_name: str | None = None
        run_targets: list[str] = []
        for g in self.gates:
            if g.name != run_name:
                if run_name is not None:
                    lines.append(names[run_name] + " " + " ".join(run_targets))
                run_name, run_targets = g.name, []
            run_targets.extend(str(q) for q in g.qubits)
        if run_name is not None:
            lines.append(names[run_name] + " " + " ".join(run_targets))
        return stim.Circuit("\n".join(lines))

    def to_tableau(self) -> stim.Tableau:
        import stim

        c = self.to_stim()
        # Tableau.from_circuit sizes the tableau from the circuit; pad to num_qubits
        t = stim.Tableau.from_circuit(c) if len(c) else stim.Tableau(0)
        if len(t) < self.num_qubits:
            t = t + stim.Tableau(self.num_qubits - len(t))
        return t

    def to_qasm(self, *, barriers_after: Sequence[int] = ()) -> str:
        """OpenQASM 2.0 with qelib1 gates only (a SWAP is written as three ``cx``).

        ``barriers_after`` lists gate counts after which a ``barrier`` over all qubits goes.
        """
        cut = set(barriers_after)
        lines = ["OPENQASM 2.0;", 'include "qelib1.inc";', f"qreg q[{self.num_qubits}];"]
        for i, g in enumerate(self.gates):
            if i in cut:
                lines.append("barrier q;")
            if g.name == "swap":
                a, b = g.qubits
                lines += [f"cx q[{a}],q[{b}];", f"cx q[{b}],q[{a}];", f"cx q[{a}],q[{b}];"]
            else:
                lines.append(f"{g.name} " + ",".join(f"q[{q}]" for q in g.qubits) + ";")
        if len(self.gates) in cut:
            lines.append("barrier q;")
        return "\n".join(lines) + "\n"


class CircuitBuilder:
    """Appends gates quickly; ``build()`` freezes them into a :class:`Circuit`."""

    def __init__(self, num_qubits: int) -> None:
        self.num_qubits = num_qubits
        self._gates: list[Gate] = []

    def add(self, name: str, *qubits: int) -> None:
        self._gates.append(Gate(name, tuple(qubits)))

    def extend(self, gates: Iterable[Gate]) -> None:
        self._gates.extend(gates)

    def __len__(self) -> int:
        return len(self._gates)

    def build(self) -> Circuit:
        return Circuit(self.num_qubits, tuple(self._gates))
