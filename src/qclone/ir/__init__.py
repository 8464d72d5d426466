"""Protocol IR: ops, the Program builder, static checks, the text form."""

from qclone.ir.ops import Clone, Data, Discard, Op, Recover, RecoverMode, Size, Store
from qclone.ir.program import Analysis, Module, OpInfo, Program, Qubit, analyze, single_clone
from qclone.ir.text import parse

__all__ = [
    "Analysis",
    "Clone",
    "Data",
    "Discard",
    "Module",
    "Op",
    "OpInfo",
    "Program",
    "Qubit",
    "Recover",
    "RecoverMode",
    "Size",
    "Store",
    "analyze",
    "parse",
    "single_clone",
]
