"""Targets built from published, cited figures in package data files (``targets/data/*.json``).

The IonQ, AQT and Rigetti targets have no device data inside an installed package (cirq-ionq
and cirq-aqt carry gatesets, not calibrations; cirq-rigetti cannot be installed next to
cirq-google 1.7), so their figures come from data files that cite each number: every figure
is ``{"value": ..., "source": <key>, "as_published": <the wording of the source>}``, and a
figure no cited source gives is ``{"value": null, "why": ...}``. Unset figures stay ``None``
here and the cost model reports what it could not estimate (``n/a``), never a guess.

A data file holds one vendor: ``{"vendor", "sources": {key: {title, publisher, url, date,
...}}, "devices": {name: {...}}}``. :func:`load_device` reads one device; the vendor modules
(:mod:`qclone.targets.ionq`, :mod:`qclone.targets.aqt`, :mod:`qclone.targets.rigetti`) turn it
into a :class:`PublishedTarget`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from qclone.errors import TargetError, UnknownTargetError
from qclone.targets.base import Target, freeze_mappings

if TYPE_CHECKING:
    from qclone.cost.model import Calibration

__all__ = [
    "FIGURE_NAMES",
    "PublishedFigures",
    "PublishedTarget",
    "load_data",
    "load_device",
]

#: The figures a device entry may give (``None`` when no cited source gives it).
FIGURE_NAMES: tuple[str, ...] = (
    "error_1q",
    "error_2q",
    "error_spam",
    "time_1q_ns",
    "time_2q_ns",
    "t1_us",
    "t2_us",
)


@dataclass(frozen=True)
class PublishedFigures:
    """Device-level figures as published (``None``: no cited source gives the figure).

    ``error_1q``/``error_2q`` are gate errors (1 - the published average or median fidelity)
    of the native single- and two-qubit gates; ``error_spam`` state preparation and
    measurement error; ``time_1q_ns``/``time_2q_ns`` native gate times; ``t1_us``/``t2_us``
    coherence times. ``quotes`` holds each set figure's wording in its source and
    ``missing`` why each unset figure is unset.
    """

    error_1q: float | None = None
    error_2q: float | None = None
    error_spam: float | None = None
    time_1q_ns: float | None = None
    time_2q_ns: float | None = None
    t1_us: float | None = None
    t2_us: float | None = None
    quotes: Mapping[str, str] = field(default_factory=dict)
    missing: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        freeze_mappings(self, "quotes", "missing")

    def as_dict(self) -> dict[str, float | None]:
        return {name: getattr(self, name) for name in FIGURE_NAMES}


@dataclass(frozen=True, eq=False)
class PublishedTarget(Target):
    """A :class:`~qclone.targets.Target` whose figures come from a cited data file.

    Extra attributes:
        vendor: the vendor's name (``"IonQ"``).
        device: the vendor's device name (``"Aria-1"``).
        native_gates: the device's native gates as the vendor names them (``"GPI"``...).
        native_two_qubit_gate: the native entangler the lowering compiles to (``"MS"``).
        figures: the published figures (:class:`PublishedFigures`).
        citations: the sources the figures cite, ``{key: {title, publisher, url, date}}``.
        data_file: the package data file the target was read from.
        cz_cost: native entangling gates per neutral CZ (2 for iSWAP hardware, where a
            CZ-class gate needs two iSWAPs; 1 for MS and ZZ), used by :attr:`calibration`.

    ``two_qubit_gate`` stays ``"cz"``: qclone's pipeline routes with the neutral CZ, and the
    vendor lowering converts to the native gates afterwards.
    """

    vendor: str = ""
    device: str = ""
    native_gates: tuple[str, ...] = ()
    native_two_qubit_gate: str = ""
    figures: PublishedFigures = field(default_factory=PublishedFigures)
    citations: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    data_file: str = ""
    cz_cost: int = 1

    def __post_init__(self) -> None:
        freeze_mappings(self, "citations")
        super().__post_init__()
        if self.cz_cost < 1:
            raise TargetError(f"target {self.name}: cz_cost must be >= 1, got {self.cz_cost}")

    @property
    def calibration(self) -> Calibration:
        """The figures in the form :func:`qclone.cost.model.estimate` uses.

        The cost model counts neutral gates, so the two-qubit figures are those of one neutral
        CZ: ``cz_cost`` native gates in a row (error ``1 - (1 - e)^k``, time ``k t``; the
        single-qubit gates between them are not timed). Unset figures stay ``None``.
        """
        from qclone.cost.model import Calibration

        f = self.figures
        k = self.cz_cost
        e2 = f.error_2q
        if e2 is not None and k > 1:
            e2 = 1.0 - (1.0 - e2) ** k
        t2 = None if f.time_2q_ns is None else k * f.time_2q_ns
        return Calibration(
            one_qubit_error=f.error_1q,
            two_qubit_error=e2,
            one_qubit_time_ns=f.time_1q_ns,
            two_qubit_time_ns=t2,
            t1_us=f.t1_us,
            source=self.provenance,
        )

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out.update(
            vendor=self.vendor,
            device=self.device,
            native_gates=list(self.native_gates),
            native_two_qubit_gate=self.native_two_qubit_gate,
            figures=self.figures.as_dict(),
            citations={k: dict(v) for k, v in self.citations.items()},
            data_file=self.data_file,
        )
        return out

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # rebuilt from the data file (the mapping proxies do not pickle)
        from qclone.targets.registry import get_target

        return (get_target, (self.name,))

    def __repr__(self) -> str:
        shape = "all-to-all" if self.all_to_all else f"{self.num_edges} couplings"
        return (
            f"PublishedTarget({self.name!r}, {self.vendor} {self.device}, "
            f"{self.num_qubits} qubits, {shape}, native {self.native_two_qubit_gate})"
        )


# --- data files --------------------------------------------------------------------------------
@cache
def load_data(filename: str) -> dict[str, Any]:
    """The parsed data file ``qclone/targets/data/<filename>`` (cached)."""
    text = resources.files("qclone.targets").joinpath(f"data/{filename}").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _figures(entry: Mapping[str, Any], where: str, sources: Mapping[str, Any]) -> PublishedFigures:
    raw: Mapping[str, Any] = entry.get("figures", {})
    unknown = set(raw) - set(FIGURE_NAMES)
    if unknown:
        raise TargetError(f"{where}: unknown figures {sorted(unknown)}")
    values: dict[str, float | None] = {}
    quotes: dict[str, str] = {}
    missing: dict[str, str] = {}
    for name in FIGURE_NAMES:
        item: Mapping[str, Any] = raw.get(name, {"value": None, "why": "not given"})
        value = item.get("value")
        if value is None:
            values[name] = None
            missing[name] = str(item.get("why", "not given"))
            continue
        v = float(value)
        if not math.isfinite(v) or v < 0 or (name.startswith("error") and v >= 1):
            raise TargetError(f"{where}: figure {name} = {value!r} is out of range")
        if item.get("source") not in sources:
            raise TargetError(f"{where}: figure {name} cites unknown source {item.get('source')!r}")
        values[name] = v
        quotes[name] = f"{item.get('as_published', '')} [{item['source']}]"
    return PublishedFigures(**values, quotes=quotes, missing=missing)


def load_device(filename: str, device: str) -> tuple[dict[str, Any], PublishedFigures, str]:
    """One device of a data file: its entry, its figures and a provenance line.

    Raises:
        TargetError: a malformed entry (a figure out of range or citing no listed source).
    """
    data = load_data(filename)
    entry: dict[str, Any] = dict(data["devices"][device])
    sources: Mapping[str, Any] = data["sources"]
    where = f"qclone/targets/data/{filename}, device {device!r}"
    figures = _figures(entry, where, sources)
    cited = sorted({q.rsplit("[", 1)[1].rstrip("]") for q in figures.quotes.values()})
    for key in ("num_qubits_source", "connectivity_source"):
        if entry.get(key) not in sources:
            raise TargetError(f"{where}: {key} cites unknown source {entry.get(key)!r}")
    cited = sorted(set(cited) | {entry["num_qubits_source"], entry["connectivity_source"]})
    described = "; ".join(
        f"[{k}] {sources[k]['title']}, {sources[k]['publisher']}, {sources[k]['url']}"
        + (f", {sources[k]['date']}" if sources[k].get("date") else "")
        for k in cited
    )
    unset = ", ".join(sorted(figures.missing)) or "none"
    provenance = (
        f"published figures in qclone/targets/data/{filename} ({data['vendor']} "
        f"{entry['device']}): {described}; figures without a cited source are unset: {unset}"
    )
    return entry, figures, provenance


def device_factory(
    prefix: str,
    vendor: str,
    devices: Iterable[str],
    build: Callable[[str], PublishedTarget],
    lowered_to: str,
) -> Callable[[str], PublishedTarget]:
    """The ``TargetFamily`` factory of a published-figures vendor: ``prefix:<device>``, no gate
    suffix other than ``@cz`` (qclone routes with cz, then lowers to ``lowered_to``)."""
    known = tuple(devices)

    def factory(arguments: str) -> PublishedTarget:
        body, at, gate = arguments.partition("@")
        if at and gate.strip().lower() != "cz":
            raise TargetError(
                f"{prefix}:{arguments}: {vendor} targets take no gate suffix (qclone routes "
                f"with cz, then lowers to {lowered_to}); use e.g. {prefix}:{known[0]}"
            )
        if not body.strip():
            raise UnknownTargetError(
                f"target '{prefix}' needs a device name; known devices: "
                + ", ".join(f"{prefix}:{d}" for d in known)
            )
        return build(body)

    return factory
