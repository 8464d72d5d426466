"""Lowering of compiled programs to the circuits of quantum frameworks (imported lazily)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cirq import Circuit as CirqCircuit

    from qclone.compiled import CompileResult
    from qclone.targets.published import PublishedTarget


def published_device(
    result: CompileResult,
    device: str | None,
    *,
    prefix: str,
    vendor: str,
    devices: Sequence[str],
    build: Callable[[str], PublishedTarget],
) -> PublishedTarget:
    """The all-to-all vendor device a lowering to ``prefix`` (``ionq``, ``aqt``) targets: the
    one ``result`` was compiled for, or ``device`` for a plain all-to-all compile.

    Raises:
        CompilationError: compiled for another kind of device, or routed on a sparse graph
            (the lowering keeps qubit indices).
        TargetTooSmall: the program uses more qubits than the device has.
    """
    from qclone.errors import CompilationError, TargetTooSmall

    if device is None:
        name = result.target.name if result.target is not None else ""
        if not name.startswith(f"{prefix}:"):
            specs = " or ".join(f"{prefix}:{d}" for d in devices)
            names = " / ".join(repr(d) for d in devices)
            raise CompilationError(
                f"the program was compiled for {name or 'no target'}, not an {vendor} device; "
                f"compile it for {specs}, or pass device={names} (an all-to-all compile, "
                "e.g. all-to-all:N, lowers too)"
            )
        device = name.partition(":")[2]
    target = build(device)
    if result.num_qubits > target.num_qubits:
        raise TargetTooSmall(
            f"the compiled program uses {result.num_qubits} qubits but {vendor} {target.device} "
            f"has {target.num_qubits}; compile for a larger device"
        )
    if result.target is not None and not result.target.all_to_all:
        raise CompilationError(
            f"the program was routed for {result.target.name}, not all-to-all; {vendor} "
            f"lowering keeps the qubit indices, so compile for {prefix}:<device> or all-to-all:N"
        )
    return target


class CirqCircuitCounts:
    """Gate counts for a lowered result that holds a ``cirq.Circuit`` as ``circuit``."""

    circuit: CirqCircuit

    def two_qubit_count(self) -> int:
        return sum(1 for op in self.circuit.all_operations() if len(op.qubits) == 2)

    def gate_counts(self) -> dict[str, int]:
        """How many operations of each cirq gate class the lowered circuit has."""
        counts: dict[str, int] = {}
        for op in self.circuit.all_operations():
            name = type(op.gate).__name__
            counts[name] = counts.get(name, 0) + 1
        return counts
