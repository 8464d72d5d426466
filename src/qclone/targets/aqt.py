"""AQT (Alpine Quantum Technologies) trapped-ion target from published figures: ``aqt:ibex-q1``.

IBEX-Q1: 12 qubits, all-to-all, average single-qubit gate fidelity 99.97 % and two-qubit gate
fidelity 98.7 % (Scaleway's "AQT QPUs Information" page, validated 2025-11-21), native gates
R, RXX (Molmer-Sorensen) and RZ (Amazon Braket's developer guide). No cited source gives gate
or coherence times, so they are unset (the cost report's duration is ``n/a``). The figures
are in the data file ``data/aqt.json``.

cirq-aqt's ``get_aqt_device(n)`` is a toy device (any size, placeholder durations and noise);
:mod:`qclone.lower.aqt` uses it only to validate gates and qubits and compiles with
cirq-aqt's ``AQTTargetGateset`` (``XXPowGate``, ``PhasedXPowGate``, ``ZPowGate``). Nothing here
imports cirq.

Examples:
    >>> import qclone
    >>> t = qclone.get_target("aqt:ibex-q1")
    >>> t.num_qubits, t.all_to_all, t.figures.error_2q
    (12, True, 0.013)
"""

from __future__ import annotations

from functools import cache

import networkx as nx

from qclone.errors import TargetError, UnknownTargetError
from qclone.targets.published import PublishedTarget, device_factory, load_data, load_device
from qclone.targets.registry import TargetFamily

__all__ = ["DATA_FILE", "DEVICES", "FAMILY", "aqt_target"]

DATA_FILE = "aqt.json"

#: qclone device names.
DEVICES: tuple[str, ...] = ("ibex-q1",)
_ALIASES = {"ibex": "ibex-q1", "ibexq1": "ibex-q1", "ibex_q1": "ibex-q1"}


def aqt_target(device: str) -> PublishedTarget:
    """The target of an AQT machine: ``"ibex-q1"`` (case-insensitive; ``"ibex"`` too).

    Raises:
        UnknownTargetError: an unknown machine (the message lists the machines).
    """
    if not isinstance(device, str):
        raise TargetError(f"an AQT device name must be a string, got {device!r}")
    key = device.strip().lower()
    key = _ALIASES.get(key, key)
    if key not in DEVICES:
        raise UnknownTargetError(
            f"unknown AQT device {device!r}; qclone knows "
            + ", ".join(f"aqt:{d}" for d in DEVICES)
            + " (published figures in qclone/targets/data/aqt.json)"
        )
    return _build(key)


@cache
def _build(key: str) -> PublishedTarget:
    entry, figures, provenance = load_device(DATA_FILE, key)
    n = int(entry["num_qubits"])
    return PublishedTarget(
        name=f"aqt:{key}",
        graph=nx.freeze(nx.complete_graph(n)),
        two_qubit_gate="cz",
        one_qubit_gates=("r", "rz"),
        all_to_all=True,
        description=(
            f"AQT {entry['device']}: {n} trapped-ion qubits, all-to-all; lowered to R/RXX/RZ "
            "with cirq-aqt's AQTTargetGateset"
        ),
        provenance=provenance,
        vendor="AQT",
        device=str(entry["device"]),
        native_gates=tuple(entry["native_gates"]),
        native_two_qubit_gate="RXX",
        figures=figures,
        citations={k: dict(v) for k, v in load_data(DATA_FILE)["sources"].items()},
        data_file=DATA_FILE,
        cz_cost=1,
    )


_factory = device_factory("aqt", "AQT", DEVICES, aqt_target, "R/RXX/RZ")


FAMILY = TargetFamily(
    prefix="aqt",
    factory=_factory,
    summary="AQT trapped-ion machine (all-to-all) from cited published figures: ibex-q1 (12 q, "
    "R/RXX/RZ)",
    example="aqt:ibex-q1",
)
