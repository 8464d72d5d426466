"""Duration and success estimates from calibration figures (qclone.cost.model)."""

from __future__ import annotations

import math

import pytest

import qclone
from qclone.comparison import compare
from qclone.cost.model import Calibration, calibration_of, estimate


def test_generic_targets_are_not_costed() -> None:
    result = qclone.compile(qclone.single_clone(3, recover=1), "grid:4x4")
    est = estimate(result)
    assert est.duration_ns is None and est.success_probability is None
    assert "no error or time figures" in est.not_costed[0]


def test_gate_errors_multiply_and_times_follow_the_schedule() -> None:
    result = qclone.compile(qclone.single_clone(4, recover=2), "grid:4x4")
    cal = Calibration(one_qubit_error=1e-3, two_qubit_error=1e-2, one_qubit_time_ns=10.0,
                      two_qubit_time_ns=100.0)  # fmt: skip
    est = estimate(result, cal)
    n1 = sum(ph.circuit.one_qubit_count() for ph in result.phases)
    n2 = sum(ph.circuit.two_qubit_count() for ph in result.phases)
    assert est.success_probability == pytest.approx((1 - 1e-3) ** n1 * (1 - 1e-2) ** n2)
    assert est.duration_ns is not None
    two_q_depth = sum(ph.circuit.depth(two_qubit_only=True) for ph in result.phases)
    depth = sum(ph.circuit.depth() for ph in result.phases)
    assert two_q_depth * 100.0 <= est.duration_ns <= depth * 100.0
    assert any("T1" in m for m in est.not_costed)
    # T1 makes it strictly smaller (qubits wait)
    with_t1 = estimate(result, Calibration(1e-3, 1e-2, 10.0, 100.0, t1_us=50.0))
    assert with_t1.success_probability is not None
    assert with_t1.success_probability < est.success_probability
    assert with_t1.not_costed == ()


def test_vendor_calibrations() -> None:
    pytest.importorskip("cirq_google")
    willow = calibration_of(qclone.get_target("google:willow"))
    assert willow is not None and willow.two_qubit_time_ns == 42.0
    assert willow.one_qubit_time_ns == 25.0 and willow.t1_us is not None
    assert 1e-4 < (willow.two_qubit_error or 0) < 1e-2
    h2 = calibration_of(qclone.get_target("quantinuum:H2-1"))
    assert h2 is not None and h2.two_qubit_error is not None and h2.two_qubit_time_ns is None
    result = qclone.compile(qclone.single_clone(5, recover=1), "quantinuum:H2-1")
    est = estimate(result)
    assert est.duration_ns is None and est.success_probability is not None
    assert math.isclose(
        est.success_probability,
        (1 - h2.one_qubit_error) ** result.cost.one_qubit  # type: ignore[operator]
        * (1 - h2.two_qubit_error) ** result.cost.two_qubit,
    )


def test_comparison_carries_the_estimates() -> None:
    pytest.importorskip("cirq_google")
    c = compare(["google:willow", "grid:5x5"], [2, 4])
    willow = c.for_target("google:willow")
    assert all(r.duration_ns and r.success_probability for r in willow)
    assert willow[1].success_probability < willow[0].success_probability  # type: ignore[operator]
    assert all(r.success_probability is None for r in c.for_target("grid:5x5"))
    assert "n/a" in c.to_table()
