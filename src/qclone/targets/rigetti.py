"""Rigetti superconducting target from published figures: ``rigetti:ankaa-3``.

No installable package gives Ankaa-3 data offline (cirq-rigetti pins cirq-core 1.5, which
breaks cirq-google 1.7; Rigetti's own SDK needs the vendor's cloud), so everything comes from
the cited data file ``data/rigetti.json``:

* 84 qubits and the native gates ``rx`` (angles +-pi/2 and +-pi only), ``rz`` and ``iswap``
  (Amazon Braket's developer guide, section Rigetti);
* the coupling graph: the ``connectivityGraph`` of Ankaa-3's device properties printed in
  Braket's developer guide, a square lattice of 12 rows of 7 qubits (qubit ``7 r + c`` at row
  ``r``, column ``c``) in which 83 qubits and 138 of the 149 nearest-neighbour couplers are
  live. Qubit 74 is absent there; qclone keeps it as an isolated qubit, so the largest usable
  component has 83 qubits. The snapshot is one published state of the device, not today's;
* the iSWAP figures: 99.0 % median fidelity and 72 ns median gate time (Rigetti's Ankaa-3
  launch release, 2024-12-23). No cited source gives a single-qubit error, a single-qubit
  gate time or coherence times, so those are unset and the cost report says ``n/a``.

:mod:`qclone.lower.rigetti` lowers a compiled program to OpenQASM 3 with these native gate
names and verifies what it emits. Nothing here imports cirq.

Examples:
    >>> import qclone
    >>> t = qclone.get_target("rigetti:ankaa-3")
    >>> t.num_qubits, t.num_edges, len(t.connected_components()[0])
    (84, 138, 83)
"""

from __future__ import annotations

from functools import cache

import networkx as nx

from qclone.errors import TargetError, UnknownTargetError
from qclone.targets.published import PublishedTarget, device_factory, load_data, load_device
from qclone.targets.registry import TargetFamily

__all__ = ["DATA_FILE", "DEVICES", "FAMILY", "rigetti_target"]

DATA_FILE = "rigetti.json"

#: qclone device names.
DEVICES: tuple[str, ...] = ("ankaa-3",)
_ALIASES = {"ankaa3": "ankaa-3", "ankaa_3": "ankaa-3"}

#: iSWAP gates one neutral CZ needs (a CZ-class gate takes two iSWAPs).
ISWAPS_PER_CZ = 2


def rigetti_target(device: str) -> PublishedTarget:
    """The target of a Rigetti machine: ``"ankaa-3"`` (case-insensitive).

    Raises:
        UnknownTargetError: an unknown machine (the message lists the machines).
    """
    if not isinstance(device, str):
        raise TargetError(f"a Rigetti device name must be a string, got {device!r}")
    key = device.strip().lower()
    key = _ALIASES.get(key, key)
    if key not in DEVICES:
        raise UnknownTargetError(
            f"unknown Rigetti device {device!r}; qclone knows "
            + ", ".join(f"rigetti:{d}" for d in DEVICES)
            + " (published figures in qclone/targets/data/rigetti.json)"
        )
    return _build(key)


@cache
def _build(key: str) -> PublishedTarget:
    entry, figures, provenance = load_device(DATA_FILE, key)
    n = int(entry["num_qubits"])
    cols = int(entry["lattice"]["cols"])
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    for a, neighbours in entry["connectivity_graph"].items():
        for b in neighbours:
            u, v = int(a), int(b)
            if str(u) not in entry["connectivity_graph"].get(str(v), ()):
                raise TargetError(f"{DATA_FILE}: coupling {u}-{v} is listed one way only")
            if abs(u - v) not in (1, cols) or (abs(u - v) == 1 and u // cols != v // cols):
                raise TargetError(f"{DATA_FILE}: coupling {u}-{v} is not a lattice edge")
            graph.add_edge(u, v)
    positions = {q: (float(q % cols), float(q // cols)) for q in range(n)}
    live = sum(1 for q in range(n) if graph.degree(q) > 0)
    return PublishedTarget(
        name=f"rigetti:{key}",
        graph=nx.freeze(graph),
        two_qubit_gate="cz",
        one_qubit_gates=("rx", "rz"),
        all_to_all=False,
        description=(
            f"Rigetti {entry['device']}: {n} qubits ({live} live), {graph.number_of_edges()} "
            f"couplers of a {entry['lattice']['rows']}x{cols} square lattice (published "
            "snapshot); lowered to rx/rz/iswap OpenQASM"
        ),
        provenance=provenance,
        positions=positions,
        vendor="Rigetti",
        device=str(entry["device"]),
        native_gates=tuple(entry["native_gates"]),
        native_two_qubit_gate="ISWAP",
        figures=figures,
        citations={k: dict(v) for k, v in load_data(DATA_FILE)["sources"].items()},
        data_file=DATA_FILE,
        cz_cost=ISWAPS_PER_CZ,
    )


_factory = device_factory("rigetti", "Rigetti", DEVICES, rigetti_target, "rx/rz/iswap")


FAMILY = TargetFamily(
    prefix="rigetti",
    factory=_factory,
    summary="Rigetti Ankaa-3 (12x7 square lattice snapshot, rx/rz/iswap) from cited published "
    "figures: ankaa-3 (84 q, 83 live)",
    example="rigetti:ankaa-3",
)
