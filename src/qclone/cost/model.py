"""Duration and success-probability estimates from a target's calibration figures.

The model (stated here and in the README, applied to the routed neutral circuit of every
phase, phases run one after the other):

* **duration**: an ASAP schedule in which every single-qubit gate takes the target's
  single-qubit gate time and every two-qubit gate its two-qubit gate time (a SWAP three of
  them); the phase lasts as long as its busiest qubit; the program's duration is the sum over
  phases (storage between phases is not counted);
* **success probability**: the product of ``(1 - e)`` over all gates (``e`` the median
  single- or two-qubit error; a SWAP counts three two-qubit gates), times
  ``exp(-t_idle / T1)`` for every qubit that holds a role, with ``t_idle`` the time it waits
  in the schedule between its first gate and the end of the phase (a qubit with no gate
  waits the whole phase), when the target gives T1 and gate times.

Figures a target does not give are not counted as perfect: they are listed in
``Estimate.not_costed`` and the affected quantity is ``None``.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qclone.compiled import CompileResult
    from qclone.targets import Target

MODEL = (
    "ASAP schedule with the median 1Q/2Q gate times; success = prod(1 - e) over gates x "
    "exp(-idle/T1) per used qubit"
)


@dataclass(frozen=True)
class Calibration:
    """Median figures of a target (``None`` where the target gives none) and their source."""

    one_qubit_error: float | None = None
    two_qubit_error: float | None = None
    one_qubit_time_ns: float | None = None
    two_qubit_time_ns: float | None = None
    t1_us: float | None = None
    source: str = ""


@dataclass(frozen=True)
class Estimate:
    duration_ns: float | None
    success_probability: float | None
    not_costed: tuple[str, ...]
    model: str = MODEL


def _median(values: Any) -> float | None:
    if isinstance(values, Mapping):
        values = list(values.values())
    try:
        items = [float(v) for v in values]
    except TypeError:
        return None
    return statistics.median(items) if items else None


def calibration_of(target: Target | None) -> Calibration | None:
    """The calibration figures a target carries (vendor targets), or None (generic ones)."""
    if target is None:
        return None
    # Google (cirq-google calibrations): per-qubit / per-pair maps and gate durations
    if hasattr(target, "two_qubit_error") and hasattr(target, "gate_durations_ns"):
        durations: Mapping[str, float] = getattr(target, "gate_durations_ns", {})
        entangler = str(getattr(target, "entangler", "cz")).lower()
        two_key = {"cz": "CZ", "sqrt_iswap": "ISWAP**0.5", "syc": "SYC"}.get(entangler, "CZ")
        two_t = durations.get(two_key) or None
        one_t = durations.get("PhasedXZGate") or None
        return Calibration(
            one_qubit_error=_median(getattr(target, "one_qubit_error", {})),
            two_qubit_error=_median(getattr(target, "two_qubit_error", {})),
            one_qubit_time_ns=one_t,
            two_qubit_time_ns=two_t,
            t1_us=_median(getattr(target, "t1_us", {})),
            source=target.provenance,
        )
    # Quantinuum (pytket-quantinuum's machine list / cited data): averaged p1, p2
    if hasattr(target, "p1") and hasattr(target, "p2"):
        durations_q = getattr(target, "durations", None) or {}
        return Calibration(
            one_qubit_error=getattr(target, "p1", None),
            two_qubit_error=getattr(target, "p2", None),
            one_qubit_time_ns=durations_q.get("1q"),
            two_qubit_time_ns=durations_q.get("2q"),
            source=target.provenance,
        )
    # any other target that exposes a Calibration
    cal = getattr(target, "calibration", None)
    return cal if isinstance(cal, Calibration) else None


def estimate(result: CompileResult, calibration: Calibration | None = None) -> Estimate:
    """Duration and success probability of a compiled program under :data:`MODEL`."""
    cal = calibration if calibration is not None else calibration_of(result.target)
    missing: list[str] = []
    if cal is None:
        return Estimate(None, None, ("calibration: the target carries no error or time figures",))
    t1q, t2q = cal.one_qubit_time_ns, cal.two_qubit_time_ns
    e1, e2 = cal.one_qubit_error, cal.two_qubit_error
    if t1q is None or t2q is None:
        missing.append("gate times (duration and idling not estimated)")
    if e1 is None or e2 is None:
        missing.append("gate errors")
    if cal.t1_us is None:
        missing.append("T1 (idling not counted in the success probability)")
    duration = 0.0
    log_success = 0.0
    for ph in result.phases:
        c = ph.circuit
        n2 = c.two_qubit_count()
        n1 = c.one_qubit_count()
        if e1 is not None and e2 is not None:
            log_success += n1 * math.log1p(-e1) + n2 * math.log1p(-e2)
        if t1q is None or t2q is None:
            continue
        ready = [0.0] * c.num_qubits
        busy = [0.0] * c.num_qubits
        first: dict[int, float] = {}  # when each qubit's first gate starts
        for g in c.gates:
            if g.is_two_qubit:
                a, b = g.qubits
                t = t2q * (3 if g.name == "swap" else 1)
                start = max(ready[a], ready[b])
                first.setdefault(a, start)
                first.setdefault(b, start)
                ready[a] = ready[b] = start + t
                busy[a] += t
                busy[b] += t
            else:
                q = g.qubits[0]
                first.setdefault(q, ready[q])
                ready[q] += t1q
                busy[q] += t1q
        length = max(ready, default=0.0)
        duration += length
        if cal.t1_us is not None and e1 is not None:
            # a qubit idles from its first gate to the end of the phase (a fresh qubit in
            # |0> does not decay before that); a role qubit with no gate idles throughout
            used = set(ph.initial.values()) | set(ph.final.values())
            idle = sum(
                (length - first[q] - busy[q]) if q in first else length
                for q in used
                if q < len(busy)
            )
            log_success -= idle / (cal.t1_us * 1000.0)
    success = math.exp(log_success) if e1 is not None and e2 is not None else None
    dur = duration if (t1q is not None and t2q is not None) else None
    return Estimate(dur, success, tuple(missing))
