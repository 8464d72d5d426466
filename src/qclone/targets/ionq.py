"""IonQ trapped-ion targets from published figures: ``ionq:aria-1`` and ``ionq:forte-1``.

Neither cirq-ionq nor any other installed package carries IonQ qubit counts or fidelities
offline, so every figure comes from the cited data file ``data/ionq.json`` (see
:mod:`qclone.targets.published`): Aria-1 has 25 qubits, 1Q/2Q average fidelity 99.95 % /
99.6 %, SPAM 99.61 %, gate times 135 us / 600 us, T1 10-100 s, T2 1 s (Microsoft's Azure
Quantum IonQ provider page, 2025-09-17); Forte-1 has 36 qubits (same page), and no figure the
cited material gives for its gates, so its errors and times are unset.

Both machines are all-to-all. The native gates are the ones cirq-ionq declares:
``AriaNativeGateset`` (GPI, GPI2, MS) for Aria, ``ForteNativeGateset`` (GPI, GPI2, ZZ) for
Forte; :mod:`qclone.lower.ionq` lowers to them with ``cirq.optimize_for_target_gateset``.
Nothing here imports cirq.

Examples:
    >>> import qclone
    >>> t = qclone.get_target("ionq:aria-1")
    >>> t.num_qubits, t.all_to_all, t.native_two_qubit_gate
    (25, True, 'MS')
"""

from __future__ import annotations

from functools import cache

import networkx as nx

from qclone.errors import TargetError, UnknownTargetError
from qclone.targets.published import PublishedTarget, device_factory, load_data, load_device
from qclone.targets.registry import TargetFamily

__all__ = ["DATA_FILE", "DEVICES", "FAMILY", "ionq_target"]

DATA_FILE = "ionq.json"

#: qclone device name -> (native entangler, cirq-ionq native gateset class).
DEVICES: dict[str, tuple[str, str]] = {
    "aria-1": ("MS", "AriaNativeGateset"),
    "forte-1": ("ZZ", "ForteNativeGateset"),
}
_ALIASES = {"aria": "aria-1", "aria1": "aria-1", "forte": "forte-1", "forte1": "forte-1"}


def ionq_target(device: str) -> PublishedTarget:
    """The target of an IonQ machine: ``"aria-1"`` or ``"forte-1"`` (case-insensitive;
    ``"aria"`` and ``"forte"`` are accepted too).

    Raises:
        UnknownTargetError: an unknown machine (the message lists the machines).
    """
    if not isinstance(device, str):
        raise TargetError(f"an IonQ device name must be a string, got {device!r}")
    key = device.strip().lower().removeprefix("qpu.").removeprefix("ionq.qpu.")
    key = _ALIASES.get(key, key)
    if key not in DEVICES:
        raise UnknownTargetError(
            f"unknown IonQ device {device!r}; qclone knows "
            + ", ".join(f"ionq:{d}" for d in DEVICES)
            + " (published figures in qclone/targets/data/ionq.json)"
        )
    return _build(key)


@cache
def _build(key: str) -> PublishedTarget:
    entry, figures, provenance = load_device(DATA_FILE, key)
    n = int(entry["num_qubits"])
    entangler, gateset = DEVICES[key]
    return PublishedTarget(
        name=f"ionq:{key}",
        graph=nx.freeze(nx.complete_graph(n)),
        two_qubit_gate="cz",
        one_qubit_gates=("gpi", "gpi2"),
        all_to_all=True,
        description=(
            f"IonQ {entry['device']}: {n} trapped-ion qubits, all-to-all; lowered to "
            f"GPI/GPI2/{entangler} with cirq-ionq's {gateset}"
        ),
        provenance=provenance,
        vendor="IonQ",
        device=str(entry["device"]),
        native_gates=tuple(entry["native_gates"]),
        native_two_qubit_gate=entangler,
        figures=figures,
        citations={k: dict(v) for k, v in load_data(DATA_FILE)["sources"].items()},
        data_file=DATA_FILE,
        cz_cost=1,
    )


_factory = device_factory("ionq", "IonQ", DEVICES, ionq_target, "the machine's native gates")


FAMILY = TargetFamily(
    prefix="ionq",
    factory=_factory,
    summary="IonQ trapped-ion machines (all-to-all) from cited published figures: aria-1 (25 q, "
    "GPI/GPI2/MS), forte-1 (36 q, GPI/GPI2/ZZ)",
    example="ionq:aria-1",
)
