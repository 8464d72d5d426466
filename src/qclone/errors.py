"""The qclone error family.

Every error a user can cause derives from :class:`QcloneError`. Messages name the problem and
the fix; the CLI prints ``error: <message>`` on one line and exits with code 2.
"""

from __future__ import annotations


class QcloneError(Exception):
    """Base class of every error qclone raises on bad input."""


# --- program (IR) errors -------------------------------------------------------------------
class InvalidProgram(QcloneError):
    """A program that breaks a static rule of the protocol."""


class TooFewCopies(InvalidProgram):
    """``copies < 2``: a single clone is not encrypted."""


class CopyIndexError(InvalidProgram):
    """A recover names a copy outside ``1..n``."""


class KeyReuseError(InvalidProgram):
    """A second recovery with the same one-time key."""


class MissingKeyError(InvalidProgram):
    """A recovery whose key qubit was discarded or lost."""


class ConsumedQubitError(InvalidProgram):
    """A qubit (or clone) used after an earlier operation consumed it."""


class UnknownNameError(InvalidProgram):
    """A name that the program does not define."""


class ParseError(InvalidProgram):
    """Malformed program text."""


class SymbolicSizeError(InvalidProgram):
    """An operation that needs a concrete number of copies got a symbol."""


# --- targets -------------------------------------------------------------------------------
class TargetError(QcloneError):
    """A bad target specification or target data."""


class UnknownTargetError(TargetError):
    """A target name that no registry knows."""


class TargetTooSmall(TargetError):
    """The program needs more qubits than the target has."""


class DisconnectedTarget(TargetError):
    """The target graph cannot connect qubits that the program must connect."""


class InvalidGraph(TargetError):
    """A user graph that is not a simple undirected graph on qubits."""


# --- compilation and verification ----------------------------------------------------------
class CompilationError(QcloneError):
    """A pass could not compile the program for the target."""


class VerificationError(QcloneError):
    """A compiled circuit is not equal to the program's meaning."""


class NonCliffordError(QcloneError):
    """A gate with no exact Clifford meaning where only Clifford gates can be verified."""


class ExportError(QcloneError):
    """A circuit or role map that cannot be written in the asked format."""


class MissingExtraError(QcloneError):
    """An optional dependency (a pip extra) is not installed."""


__all__ = [
    "CompilationError",
    "ConsumedQubitError",
    "CopyIndexError",
    "DisconnectedTarget",
    "ExportError",
    "InvalidGraph",
    "InvalidProgram",
    "KeyReuseError",
    "MissingExtraError",
    "MissingKeyError",
    "NonCliffordError",
    "ParseError",
    "QcloneError",
    "SymbolicSizeError",
    "TargetError",
    "TargetTooSmall",
    "TooFewCopies",
    "UnknownNameError",
    "UnknownTargetError",
    "VerificationError",
]


# --- deployment plans and the leakage audit (qclone.audit) ----------------------------------
class PlanError(QcloneError):
    """A deployment plan for ``qclone audit`` that cannot be read or does not fit its program."""


class UnknownRoleError(PlanError):
    """A role name (``A``, ``S3``, ``m0.N2``, ...) that the audited program does not have."""


__all__ += ["PlanError", "UnknownRoleError"]


# --- robustness: size limits, target data, sweeps and their checkpoints ---------------------
class ProgramTooLarge(InvalidProgram):
    """A program with more copies or qubits than qclone compiles (see ``qclone.ir.program``)."""


class InvalidTargetData(TargetError):
    """A target data file or calibration figure that is missing, mistyped or out of range."""


class InvalidSweep(QcloneError):
    """A bad ``qclone compare`` sweep: clone range, recover index, mode or output format."""


class CheckpointError(QcloneError):
    """A ``qclone compare`` checkpoint that cannot be read or belongs to another sweep."""


__all__ += ["CheckpointError", "InvalidSweep", "InvalidTargetData", "ProgramTooLarge"]


# --- scaling formulas (qclone.cost.formula) -------------------------------------------------
class FormulaUnavailable(QcloneError):
    """No stored scaling formula for a target, strategy and program (or it does not apply)."""


class FormulaRangeError(FormulaUnavailable):
    """A number of clones outside the range where a scaling formula holds."""


__all__ += ["FormulaRangeError", "FormulaUnavailable"]


class WrongArgumentType(QcloneError):
    """A public function got an object of the wrong kind (e.g. program text where a
    :class:`~qclone.ir.Program` is needed)."""


__all__ += ["WrongArgumentType"]
