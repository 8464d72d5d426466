"""Writing compiled programs to files, atomically.

The same export the ``qclone compile`` command writes, for library users:

* :func:`write_qasm` writes the OpenQASM 2.0 file (phases separated by ``barrier``) and, next
  to it, ``<path>.roles.json``: where each role qubit (``A``, ``S1..Sn``, ``N1..Nn``) sits
  before, between and after the phases.
* :func:`write_json` writes one JSON document with the program, the cost report, the role
  map and the QASM text.
* :func:`write_text_atomic` / :func:`write_texts_atomic` are the writers underneath: each file
  is written to a temporary file in its own directory and moved into place with
  :func:`os.replace`, so an error never leaves a half-written file behind.

Examples:
    >>> import tempfile, pathlib, qclone
    >>> from qclone.export import write_qasm
    >>> result = qclone.compile(qclone.single_clone(3, recover=1), "line:7")
    >>> with tempfile.TemporaryDirectory() as d:
    ...     qasm, roles = write_qasm(result, pathlib.Path(d) / "clone.qasm")
    ...     print(qasm.read_text().splitlines()[0], roles.name)
    OPENQASM 2.0; clone.qasm.roles.json
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

if TYPE_CHECKING:
    from qclone.compiled import CompileResult

__all__ = [
    "StrPath",
    "compile_document",
    "roles_path",
    "write_bytes_atomic",
    "write_json",
    "write_qasm",
    "write_text_atomic",
    "write_texts_atomic",
]

StrPath: TypeAlias = str | os.PathLike[str]
_P = TypeVar("_P", bound=StrPath)

#: Version of the layout of the document :func:`compile_document` returns.
DOCUMENT_FORMAT = "qclone-compile/1"


def roles_path(path: StrPath) -> Path:
    """The role-map file that goes with the QASM file ``path``: ``<path>.roles.json``."""
    return Path(os.fspath(path) + ".roles.json")


def _write_temp(path: Path, text: str | bytes) -> Path:
    """Write ``text`` (UTF-8 text, or bytes as they are) to a new temporary file next to
    ``path``; return its name.

    The file is created with mode 0o666 minus the umask (as ``open`` would create ``path``),
    or with the mode of ``path`` when it already exists.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(tmp, flags, 0o666)
        except FileExistsError:
            continue
        break
    else:  # pragma: no cover - 100 collisions of 48 random bits
        raise FileExistsError(f"cannot create a temporary file next to {path}")
    try:
        if isinstance(text, bytes):
            with os.fdopen(fd, "wb") as fb:
                fb.write(text)
                fb.flush()
                os.fsync(fb.fileno())
        else:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
        with contextlib.suppress(FileNotFoundError):
            os.chmod(tmp, stat.S_IMODE(os.stat(path).st_mode))
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp


def _about(error: OSError, path: Path) -> OSError:
    """``error`` restated about the destination ``path`` instead of its temporary file."""
    if error.errno is None:
        return error
    return type(error)(error.errno, error.strerror, os.fspath(path))


def write_texts_atomic(files: Mapping[_P, str | bytes]) -> list[Path]:
    """Write several text files (UTF-8; ``bytes`` values are written as they are), each
    atomically; returns their paths.

    Every file is first written in full to a temporary file in its destination's directory;
    only when all of them are written are they moved into place with :func:`os.replace`. On
    any error the temporary files are removed and no destination is touched (short of a
    failure of ``os.replace`` itself, which leaves each destination old or new, never
    partial).

    Raises:
        OSError: a destination cannot be written (missing directory, no permission, a
            directory in the way, ...).
        ValueError: the same destination is given twice.
    """
    targets = [(Path(p), text) for p, text in files.items()]
    for path, _ in targets:
        if path.name in ("", ".", "..") or path.is_dir():
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), os.fspath(path))
    resolved = [os.path.abspath(p) for p, _ in targets]
    if len(set(resolved)) != len(resolved):
        raise ValueError(f"the same file is listed twice: {[str(p) for p, _ in targets]}")
    temps: list[tuple[Path, Path]] = []
    try:
        for path, text in targets:
            try:
                temps.append((_write_temp(path, text), path))
            except OSError as e:
                raise _about(e, path) from e
        for tmp, path in temps:
            try:
                os.replace(tmp, path)
            except OSError as e:
                raise _about(e, path) from e
    except BaseException:
        for tmp, _ in temps:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise
    return [path for path, _ in targets]


def write_text_atomic(path: StrPath, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically: all of it, or nothing on error.

    Examples:
        >>> import tempfile, pathlib
        >>> with tempfile.TemporaryDirectory() as d:
        ...     p = write_text_atomic(pathlib.Path(d) / "a.txt", "hello\\n")
        ...     print(p.read_text(), end="")
        hello
    """
    return write_texts_atomic({path: text})[0]


def write_bytes_atomic(path: StrPath, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (e.g. a PNG): all of it, or nothing on error."""
    return write_texts_atomic({path: data})[0]


def write_qasm(result: CompileResult, path: StrPath) -> tuple[Path, Path]:
    """Write ``result`` as OpenQASM 2.0 to ``path`` and its role map to ``<path>.roles.json``.

    Both files are written atomically and together (see :func:`write_texts_atomic`).
    Returns the two paths. The role map (:meth:`CompileResult.role_map`) has the keys
    ``num_qubits``, ``initial``, ``final``, ``after_<phase>`` between phases, and ``phases``.
    """
    qasm = Path(path)
    roles = roles_path(path)
    write_texts_atomic({qasm: result.to_qasm(), roles: result.role_map_json() + "\n"})
    return qasm, roles


def compile_document(result: CompileResult) -> dict[str, Any]:
    """Everything about a compiled program as one JSON-ready dictionary.

    Keys: ``format`` (:data:`DOCUMENT_FORMAT`), ``qclone`` (version), ``program`` (canonical
    text), ``target``, ``options``, ``cost`` (:meth:`CostReport.as_dict`), ``roles``
    (:meth:`CompileResult.role_map`) and ``qasm`` (:meth:`CompileResult.to_qasm`).
    """
    from qclone import __version__

    return {
        "format": DOCUMENT_FORMAT,
        "qclone": __version__,
        "program": result.program.to_text(),
        "target": result.cost.target,
        "options": dict(result.options),
        "cost": result.cost.as_dict(),
        "roles": result.role_map(),
        "qasm": result.to_qasm(),
    }


def write_json(result: CompileResult, path: StrPath) -> Path:
    """Write :func:`compile_document` of ``result`` to ``path`` (atomically)."""
    return write_text_atomic(path, json.dumps(compile_document(result), indent=2) + "\n")
