"""Quantinuum trapped-ion targets: ``quantinuum:H1-1``, ``quantinuum:H2-1``, ``quantinuum:H2-2``
and ``quantinuum:Helios``.

The H-series machines come from pytket-quantinuum's offline machine list
(``QuantinuumBackend(name).backend_info``: qubit count, gate set, the ``noise_specs`` averages
p1, p2, SPAM, memory and crosstalk error). The package works offline since 0.56 (its default
API handler only holds a static list), so nothing here touches the network. Helios (98 qubits)
is not in that list: its figures come from the cited data file ``data/helios.json``
(arXiv:2511.05465).

Every machine is all-to-all (the graph is complete), with mid-circuit measurement, fast
feed-forward and reset. ``two_qubit_gate`` is ``"cz"``: the neutral gate qclone's pipeline
rebases to; :mod:`qclone.lower.pytket` then lowers to the native ZZPhase/PhasedX/Rz with the
backend's own compilation pass. pytket is imported lazily, inside functions.

Examples:
    >>> import qclone
    >>> t = qclone.get_target("quantinuum:H2-1")
    >>> t.num_qubits, t.all_to_all, t.mid_circuit_measurement
    (56, True, True)
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import networkx as nx

from qclone.errors import InvalidTargetData, TargetError, UnknownTargetError
from qclone.targets.base import Target, check_figures, freeze_mappings
from qclone.targets.generic import MAX_ALL_TO_ALL_QUBITS
from qclone.targets.registry import TargetFamily

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "FAMILY",
    "HELIOS_SOURCE",
    "OPTIMISATION_LEVELS",
    "QuantinuumTarget",
    "machine_names",
    "parse_machine_data",
    "pytket_backend",
    "quantinuum",
]

#: The citation of the Helios figures (see ``data/helios.json``).
HELIOS_SOURCE = "arXiv:2511.05465"
#: ``QuantinuumBackend.default_compilation_pass(level)`` accepts these levels.
OPTIMISATION_LEVELS: tuple[int, ...] = (0, 1, 2, 3)

_HELIOS = "Helios"


@dataclass(frozen=True, eq=False)
class QuantinuumTarget(Target):
    """A Quantinuum machine: an all-to-all :class:`Target` plus the vendor's figures.

    Attributes (besides :class:`Target`'s):
        machine: the vendor's machine name (``"H2-1"``, ``"Helios"``).
        native_gates: the pytket op types the machine runs (``"ZZPhase"``, ``"PhasedX"``...).
        p1, p2: device-level average single- and two-qubit gate error (``None``: unknown).
        spam: average state preparation and measurement error (for the H-series the mean of
            ``p_meas_0`` and ``p_meas_1``).
        memory_error: average idling (memory) error per qubit and gate layer, if given.
        noise: every figure as the source gives it (a read-only mapping).
        noise_date: the date of the noise figures, if the source gives one.
        durations: gate durations in seconds by gate name; ``None`` when no source at hand
            gives them (the case for every machine here: the provenance says so).
        mid_circuit_measurement, feed_forward, reset: features the machine supports.
        optimisation_levels: the levels of the backend's ``default_compilation_pass``.
    """

    machine: str = ""
    native_gates: tuple[str, ...] = ()
    p1: float | None = None
    p2: float | None = None
    spam: float | None = None
    memory_error: float | None = None
    noise: Mapping[str, Any] = field(default_factory=dict)
    noise_date: str | None = None
    durations: Mapping[str, float] | None = None
    mid_circuit_measurement: bool = True
    feed_forward: bool = True
    reset: bool = True
    optimisation_levels: tuple[int, ...] = OPTIMISATION_LEVELS

    def __post_init__(self) -> None:
        freeze_mappings(self, "noise", "durations")
        super().__post_init__()
        if not self.all_to_all:
            raise TargetError(f"target {self.name}: Quantinuum machines are all-to-all")
        where = f"target {self.name}"
        for figure in ("p1", "p2", "spam", "memory_error"):
            check_figures(where, figure, getattr(self, figure), "error")
        check_figures(where, "durations", self.durations, "time")

    def to_dict(self) -> dict[str, Any]:
        d = super().to_dict()
        d.update(
            machine=self.machine,
            native_gates=list(self.native_gates),
            p1=self.p1,
            p2=self.p2,
            spam=self.spam,
            memory_error=self.memory_error,
            noise_date=self.noise_date,
            durations=None if self.durations is None else dict(self.durations),
            mid_circuit_measurement=self.mid_circuit_measurement,
            feed_forward=self.feed_forward,
            reset=self.reset,
            optimisation_levels=list(self.optimisation_levels),
        )
        return d

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (quantinuum, (self.machine,))

    def __repr__(self) -> str:
        return f"QuantinuumTarget({self.name!r}, {self.num_qubits} qubits, all-to-all)"


# --- machine data ------------------------------------------------------------------------------
@cache
def _package_machines() -> dict[str, dict[str, Any]]:
    """The hardware machines of pytket-quantinuum's offline list, by name (no network)."""
    from pytket.extensions.quantinuum.backends.quantinuum import QuantinuumBackend

    out: dict[str, dict[str, Any]] = {}
    for info in QuantinuumBackend.available_devices():
        misc = dict(info.misc)
        if misc.get("system_type") != "hardware":
            continue  # local-emulator variants (when pytket-pecos is installed)
        out[str(info.device_name)] = {
            "n_qubits": int(info.n_nodes),
            "gate_set": sorted(t.name for t in info.gate_set),
            "misc": misc,
            "midcircuit": bool(info.supports_midcircuit_measurement),
            "feed_forward": bool(info.supports_fast_feedforward),
            "reset": bool(info.supports_reset),
            "version": str(info.version),
        }
    return out


@cache
def _helios() -> dict[str, Any]:
    text = resources.files("qclone.targets").joinpath("data/helios.json").read_text("utf-8")
    return parse_machine_data(text, "qclone/targets/data/helios.json")


def parse_machine_data(text: str, where: str) -> dict[str, Any]:
    """Read and check a machine data file such as ``data/helios.json``.

    The file is a JSON object with ``machine`` (text), ``num_qubits`` (a whole number >= 1),
    ``connectivity`` (``"all-to-all"``), ``errors`` (``p1``, ``p2``, ``spam``: probabilities),
    ``durations`` (``null`` or ``{gate: seconds >= 0}``) and ``source`` (the citation).

    Raises:
        InvalidTargetData: bad JSON, a missing key, a wrong type or a figure out of range,
            naming the file, the key and the fix.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise InvalidTargetData(
            f"{where} is not valid JSON ({e.msg} at line {e.lineno}, column {e.colno}); fix "
            "the file or reinstall qclone"
        ) from None
    if not isinstance(data, dict):
        raise InvalidTargetData(
            f"{where} must hold a JSON object with the keys {', '.join(_MACHINE_KEYS)}, got "
            f"{type(data).__name__}"
        )
    missing = [k for k in _MACHINE_KEYS if k not in data]
    if missing:
        raise InvalidTargetData(
            f"{where} lacks the key(s) {', '.join(missing)}; a machine data file has "
            f"{', '.join(_MACHINE_KEYS)}"
        )
    for key in ("machine", "source"):
        if not isinstance(data[key], str) or not data[key].strip():
            raise InvalidTargetData(f"{where}: {key} must be non-empty text, got {data[key]!r}")
    n = data["num_qubits"]
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_ALL_TO_ALL_QUBITS:
        raise InvalidTargetData(
            f"{where}: num_qubits must be a whole number 1..{MAX_ALL_TO_ALL_QUBITS}, got {n!r}"
        )
    if data["connectivity"] != "all-to-all":
        raise InvalidTargetData(
            f"{where}: connectivity must be 'all-to-all' (Quantinuum machines are), got "
            f"{data['connectivity']!r}"
        )
    errors = data["errors"]
    if not isinstance(errors, dict) or any(k not in errors for k in ("p1", "p2", "spam")):
        raise InvalidTargetData(
            f"{where}: errors must be an object with p1, p2 and spam, got {errors!r}"
        )
    for k in ("p1", "p2", "spam"):
        check_figures(where, f"errors.{k}", errors[k], "error")
    durations = data["durations"]
    if durations is not None and not isinstance(durations, dict):
        raise InvalidTargetData(
            f"{where}: durations must be null or an object {{gate: seconds}}, got {durations!r}"
        )
    check_figures(where, "durations", durations, "time")
    return data


_MACHINE_KEYS = ("machine", "num_qubits", "connectivity", "errors", "durations", "source")


def machine_names() -> tuple[str, ...]:
    """The machine names ``quantinuum:<name>`` accepts (package list, then Helios)."""
    return (*sorted(_package_machines()), _HELIOS)


#: Quantinuum gate names that are pytket op types of the gate set (for ``native_gates``).
_GATES = ("ZZPhase", "ZZMax", "TK2", "PhasedX", "Rz")


def quantinuum(machine: str) -> QuantinuumTarget:
    """The target of a Quantinuum machine (``"H1-1"``, ``"H2-1"``, ``"H2-2"``, ``"Helios"``).

    Machine names are matched case-insensitively.

    Raises:
        UnknownTargetError: no such machine (the message lists the machines).
    """
    if not isinstance(machine, str):
        raise TargetError(f"a Quantinuum machine name must be a string, got {machine!r}")
    names = machine_names()
    wanted = machine.strip()
    found = next((m for m in names if m.lower() == wanted.lower()), None)
    if found is None:
        raise UnknownTargetError(
            f"unknown Quantinuum machine {wanted!r}; known machines: "
            + ", ".join(names)
            + " (e.g. quantinuum:H2-1)"
        )
    return _build(found)


@cache
def _build(machine: str) -> QuantinuumTarget:
    if machine == _HELIOS:
        data = _helios()
        n = int(data["num_qubits"])
        errors = dict(data["errors"])
        return QuantinuumTarget(
            name=f"quantinuum:{machine}",
            graph=_complete(n),
            two_qubit_gate="cz",
            one_qubit_gates=("rz", "phasedx"),
            all_to_all=True,
            description=f"Quantinuum {machine}: {n} trapped-ion qubits, all-to-all",
            provenance=(
                f"published figures ({data['source']}) in qclone/targets/data/helios.json: "
                f"p1 {errors['p1']}, p2 {errors['p2']}, SPAM {errors['spam']}; no gate "
                "durations (none in the cited material: left unset); gate set: "
                "pytket-quantinuum's QuantinuumBackendData default"
            ),
            machine=machine,
            native_gates=("ZZPhase", "PhasedX", "Rz"),
            p1=float(errors["p1"]),
            p2=float(errors["p2"]),
            spam=float(errors["spam"]),
            memory_error=None,
            noise={"source": data["source"], **errors},
            noise_date=None,
            durations=None,
        )
    info = _package_machines()[machine]
    misc = info["misc"]
    specs: dict[str, Any] = dict(misc.get("noise_specs", {}))
    p1 = specs.get("1q_gate_error", {}).get("p1")
    p2 = specs.get("2q_gate_error", {}).get("p2")
    spam_specs = specs.get("spam_error", {})
    meas = [spam_specs[k] for k in ("p_meas_0", "p_meas_1") if k in spam_specs]
    spam = sum(meas) / len(meas) if meas else None
    memory = specs.get("memory_error", {}).get("memory_error")
    n = int(info["n_qubits"])
    return QuantinuumTarget(
        name=f"quantinuum:{machine}",
        graph=_complete(n),
        two_qubit_gate="cz",
        one_qubit_gates=("rz", "phasedx"),
        all_to_all=True,
        description=f"Quantinuum {machine}: {n} trapped-ion qubits, all-to-all",
        provenance=(
            f"pytket-quantinuum {info['version']} offline machine list "
            f"(QuantinuumBackend({machine!r}).backend_info, noise_specs dated "
            f"{specs.get('date', 'unknown')}); no gate durations (the package has none and "
            "the cited material gives none: left unset)"
        ),
        machine=machine,
        native_gates=tuple(g for g in _GATES if g in info["gate_set"]),
        p1=None if p1 is None else float(p1),
        p2=None if p2 is None else float(p2),
        spam=spam,
        memory_error=None if memory is None else float(memory),
        noise=specs,
        noise_date=specs.get("date"),
        durations=None,
        mid_circuit_measurement=info["midcircuit"],
        feed_forward=info["feed_forward"],
        reset=info["reset"],
    )


def _complete(n: int) -> nx.Graph:
    g = nx.complete_graph(n)
    return nx.freeze(g)


def pytket_backend(target: QuantinuumTarget | str) -> Any:
    """A ``pytket.extensions.quantinuum.QuantinuumBackend`` for the machine, built offline.

    Helios, absent from the package's list, gets a backend built from
    ``QuantinuumBackendData`` (98 qubits; the package's default gate set plus ``Barrier``),
    which makes no online query.
    """
    from pytket.extensions.quantinuum.backends.quantinuum import QuantinuumBackend

    machine = target.machine if isinstance(target, QuantinuumTarget) else quantinuum(target).machine
    if machine in _package_machines():
        return QuantinuumBackend(machine)
    from pytket import OpType
    from pytket.extensions.quantinuum.backends.data import QuantinuumBackendData

    n = int(_helios()["num_qubits"])
    # the package's default data gate set, plus Barrier (as in every H-series gate set), so
    # the barriers between phases pass valid_circuit
    gates = set(QuantinuumBackendData(n_qubits=n, n_cl_reg=4000).gate_set) | {OpType.Barrier}
    data = QuantinuumBackendData(n_qubits=n, n_cl_reg=4000, gate_set=frozenset(gates))
    return QuantinuumBackend(machine, data=data)


def _factory(arguments: str) -> Target:
    body, at, gate = arguments.partition("@")
    if at and gate.strip().lower() != "cz":
        raise TargetError(
            f"quantinuum:{arguments}: Quantinuum targets take no gate suffix (qclone rebases "
            "to cz, then lowers to ZZPhase with pytket); use e.g. quantinuum:H2-1"
        )
    if not body.strip():
        raise UnknownTargetError(
            "target 'quantinuum' needs a machine name; known machines: "
            + ", ".join(machine_names())
        )
    return quantinuum(body)


FAMILY = TargetFamily(
    prefix="quantinuum",
    factory=_factory,
    summary="Quantinuum trapped-ion machines (all-to-all): H1-1, H2-1, H2-2 from "
    "pytket-quantinuum's offline list, Helios from published figures",
    example="quantinuum:H2-1",
)
