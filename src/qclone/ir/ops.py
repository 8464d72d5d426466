"""Protocol IR operations: frozen, hashable dataclasses.

A program is a sequence of these. Wires (qubits) are named by strings: data qubits by the user
(``psi``), a module's signal and key qubits by ``<module>.S<k>`` and ``<module>.N<k>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias

import sympy

Size: TypeAlias = int | sympy.Expr
RecoverMode: TypeAlias = Literal["exact", "functional"]
RECOVER_MODES: tuple[str, ...] = ("exact", "functional")


def signal_wire(module: str, k: int) -> str:
    """The wire of clone ``k`` (signal qubit S_k) of ``module``."""
    return f"{module}.S{k}"


def key_wire(module: str, k: int) -> str:
    """The wire of key qubit N_k of ``module``."""
    return f"{module}.N{k}"


@dataclass(frozen=True)
class Data:
    """Declare a data qubit holding an unknown state."""

    name: str

    def text(self) -> str:
        return f"data {self.name}"


@dataclass(frozen=True)
class Clone:
    """Key preparation and encryption: spread the value on ``data`` into ``copies`` clones.

    Creates the module's wires ``<module>.S1..Sn`` (the clones) and ``<module>.N1..Nn`` (the
    one-time key). ``data`` stays in the module as its transformed source qubit A.
    """

    data: str
    copies: Size
    module: str

    def text(self) -> str:
        return f"clone {self.data} copies={self.copies} as {self.module}"


@dataclass(frozen=True)
class Recover:
    """Decrypt clone ``copy`` of ``module`` with the module's one-time key.

    ``mode="exact"`` applies the paper's U_dec; ``mode="functional"`` only promises that the
    data ends on the clone's qubit as a tensor factor (the key qubits become junk); it is cheaper.
    """

    module: str
    copy: int
    mode: RecoverMode = "exact"

    def text(self) -> str:
        return f"recover {self.module} copy={self.copy} mode={self.mode}"


@dataclass(frozen=True)
class Discard:
    """A qubit is discarded or lost (e.g. a key qubit that decayed or was thrown away)."""

    wire: str

    def text(self) -> str:
        return f"discard {self.wire}"


@dataclass(frozen=True)
class Store:
    """A storage boundary: the phases before and after are compiled and verified apart."""

    def text(self) -> str:
        return "store"


Op: TypeAlias = Data | Clone | Recover | Discard | Store
