"""IonQ, AQT and Rigetti targets from cited data files; their lowerings and verification."""

from __future__ import annotations

import json
import math
import pickle
import socket
import subprocess
import sys

import numpy as np
import pytest

import qclone
from qclone.cost.model import estimate
from qclone.errors import (
    CompilationError,
    ExportError,
    MissingExtraError,
    NonCliffordError,
    TargetError,
    TargetTooSmall,
    UnknownTargetError,
    VerificationError,
)
from qclone.targets.published import FIGURE_NAMES, PublishedTarget, load_data

cirq = pytest.importorskip("cirq")
pytest.importorskip("cirq_ionq")
pytest.importorskip("cirq_aqt")

from qclone.lower import aqt as la  # noqa: E402
from qclone.lower import ionq as li  # noqa: E402
from qclone.lower import rigetti as lr  # noqa: E402

# spec -> (qubits, couplings, native entangler)
TARGETS = {
    "ionq:aria-1": (25, 300, "MS"),
    "ionq:forte-1": (36, 630, "ZZ"),
    "aqt:ibex-q1": (12, 66, "RXX"),
    "rigetti:ankaa-3": (84, 138, "ISWAP"),
}


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def deny(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", deny)


# --- targets and their data ----------------------------------------------------------------
@pytest.mark.parametrize("spec", sorted(TARGETS))
def test_targets(spec: str) -> None:
    t = qclone.get_target(spec)
    m, e, entangler = TARGETS[spec]
    assert isinstance(t, PublishedTarget)
    assert (t.num_qubits, t.num_edges, t.native_two_qubit_gate) == (m, e, entangler)
    assert t.two_qubit_gate == "cz"
    assert t.all_to_all == (not spec.startswith("rigetti"))
    assert "published figures in qclone/targets/data/" in t.provenance
    assert "https://" in t.provenance
    assert t.to_dict()["figures"] == t.figures.as_dict()
    assert pickle.loads(pickle.dumps(t)) is t  # rebuilt through the registry cache
    assert repr(t).startswith(f"PublishedTarget({spec!r}")


@pytest.mark.parametrize("filename", ["ionq.json", "aqt.json", "rigetti.json"])
def test_every_figure_is_cited_or_explained(filename: str) -> None:
    data = load_data(filename)
    sources = data["sources"]
    for src in sources.values():
        assert src["title"] and src["publisher"] and src["url"].startswith("https://")
        assert "date" in src and src["date_kind"]
    for name, entry in data["devices"].items():
        assert entry["num_qubits_source"] in sources
        assert entry["connectivity_source"] in sources
        assert set(entry["figures"]) == set(FIGURE_NAMES), name
        for fig, item in entry["figures"].items():
            if item["value"] is None:
                assert item["why"], (name, fig)
            else:
                assert item["source"] in sources and item["as_published"], (name, fig)


def test_aria_figures_as_published() -> None:
    t = qclone.get_target("ionq:aria-1")
    assert isinstance(t, PublishedTarget)
    f = t.figures
    assert (f.error_1q, f.error_2q, f.error_spam) == (5e-4, 4e-3, 3.9e-3)
    assert (f.time_1q_ns, f.time_2q_ns, f.t1_us, f.t2_us) == (135e3, 600e3, 1e7, 1e6)
    assert "99.6% (not SPAM corrected)" in f.quotes["error_2q"]
    assert "learn.microsoft.com/azure/quantum/provider-ionq" in t.provenance
    cal = t.calibration
    assert (cal.one_qubit_error, cal.two_qubit_error) == (5e-4, 4e-3)
    assert (cal.one_qubit_time_ns, cal.two_qubit_time_ns, cal.t1_us) == (135e3, 600e3, 1e7)


def test_unset_figures_stay_unset() -> None:
    forte = qclone.get_target("ionq:forte-1")
    aqt = qclone.get_target("aqt:ibex-q1")
    ankaa = qclone.get_target("rigetti:ankaa-3")
    assert isinstance(forte, PublishedTarget)
    assert isinstance(aqt, PublishedTarget) and isinstance(ankaa, PublishedTarget)
    assert all(v is None for v in forte.figures.as_dict().values())
    assert (aqt.figures.error_1q, aqt.figures.error_2q) == (3e-4, 1.3e-2)
    assert aqt.figures.time_2q_ns is None and "placeholders" in aqt.figures.missing["time_2q_ns"]
    assert (ankaa.figures.error_2q, ankaa.figures.time_2q_ns) == (1e-2, 72.0)
    assert ankaa.figures.error_1q is None
    # one neutral CZ is two iSWAPs on Ankaa-3
    cal = ankaa.calibration
    assert cal.two_qubit_error == pytest.approx(1 - 0.99**2)
    assert cal.two_qubit_time_ns == 144.0


def test_ankaa3_graph_is_the_published_snapshot() -> None:
    t = qclone.get_target("rigetti:ankaa-3")
    adjacency = load_data("rigetti.json")["devices"]["ankaa-3"]["connectivity_graph"]
    assert len(adjacency) == 83 and "74" not in adjacency
    assert t.neighbors(74) == frozenset()
    assert sorted(len(c) for c in t.connected_components()) == [1, 83]
    for a, ns in adjacency.items():
        assert {int(b) for b in ns} == set(t.neighbors(int(a)))
    for a, b in t.edges:
        assert b - a in (1, 7) and (b - a == 7 or a // 7 == b // 7)  # square-lattice edges
    assert t.positions is not None and t.positions[45] == (3.0, 6.0)


def test_registered_through_entry_points() -> None:
    prefixes = {row[0] for row in qclone.targets.list_target_families()}
    assert {"ionq", "aqt", "rigetti"} <= prefixes
    assert qclone.get_target("IONQ:Aria").name == "ionq:aria-1"
    assert qclone.get_target("aqt:IBEX").name == "aqt:ibex-q1"
    out = subprocess.run(
        [sys.executable, "-m", "qclone", "targets"], capture_output=True, text=True, check=True
    )
    for example in ("ionq:aria-1", "aqt:ibex-q1", "rigetti:ankaa-3"):
        assert example in out.stdout


def test_import_qclone_does_not_import_vendor_packages() -> None:
    code = (
        "import sys, qclone; qclone.get_target('ionq:aria-1'); qclone.get_target('aqt:ibex-q1');"
        " qclone.get_target('rigetti:ankaa-3');"
        " print(sorted(m for m in ('cirq', 'cirq_ionq', 'cirq_aqt') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- bad input -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("ionq:harmony", r"unknown IonQ device 'harmony'; qclone knows ionq:aria-1, ionq:forte-1"),
        ("aqt:pine", r"unknown AQT device 'pine'; qclone knows aqt:ibex-q1"),
        ("rigetti:aspen-m3", r"unknown Rigetti device 'aspen-m3'; qclone knows rigetti:ankaa-3"),
        ("ionq:", r"target 'ionq' needs a device name"),
    ],
)
def test_unknown_device(spec: str, message: str) -> None:
    with pytest.raises(UnknownTargetError, match=message):
        qclone.get_target(spec)


def test_gate_suffix_refused() -> None:
    with pytest.raises(TargetError, match="take no gate suffix"):
        qclone.get_target("rigetti:ankaa-3@cx")


@pytest.mark.parametrize(
    ("spec", "n", "have"),
    [
        ("ionq:aria-1", 13, 25),
        ("ionq:forte-1", 18, 36),
        ("aqt:ibex-q1", 6, 12),
        ("rigetti:ankaa-3", 42, 84),
    ],
)
def test_device_too_small(spec: str, n: int, have: int) -> None:
    with pytest.raises(
        TargetTooSmall, match=rf"needs {2 * n + 1} qubits but target {spec} has {have}"
    ):
        qclone.compile(qclone.single_clone(n, recover=1), spec)


def test_lowering_refuses_other_targets_and_small_devices() -> None:
    grid = qclone.compile(qclone.single_clone(2, recover=1), "grid:3x3")
    with pytest.raises(CompilationError, match="not an IonQ device"):
        li.lower(grid)
    with pytest.raises(CompilationError, match="not all-to-all"):
        li.lower(grid, device="aria-1")
    with pytest.raises(CompilationError, match="not an AQT device"):
        la.lower(grid)
    with pytest.raises(CompilationError, match="not a Rigetti device"):
        lr.lower(grid)
    wide = qclone.compile(qclone.single_clone(6, recover=1), "all-to-all:13")
    with pytest.raises(TargetTooSmall, match="AQT IBEX-Q1 has 12"):
        la.lower(wide, device="ibex-q1")
    # an all-to-all compile lowers to a device that holds it
    assert li.lower(wide, device="aria-1").device == "aria-1"


def test_missing_packages(monkeypatch: pytest.MonkeyPatch) -> None:
    r_ionq = qclone.compile(qclone.single_clone(2, recover=1), "ionq:aria-1")
    r_aqt = qclone.compile(qclone.single_clone(2, recover=1), "aqt:ibex-q1")
    monkeypatch.setitem(sys.modules, "cirq_ionq", None)
    monkeypatch.setitem(sys.modules, "cirq_aqt", None)
    monkeypatch.setitem(sys.modules, "cirq_aqt.aqt_device", None)
    with pytest.raises(MissingExtraError, match=r"needs the cirq-ionq package.*pip install"):
        li.lower(r_ionq)
    with pytest.raises(MissingExtraError, match=r"needs the cirq-aqt package.*pip install"):
        la.lower(r_aqt)


# --- compile, lower, verify ----------------------------------------------------------------
IONQ_CASES = [
    ("aria-1", 2, 1),
    ("aria-1", 7, 4),
    ("aria-1", 12, 12),
    ("forte-1", 2, 2),
    ("forte-1", 9, 5),
    ("forte-1", 17, 1),
]


@pytest.mark.parametrize(("device", "n", "j"), IONQ_CASES)
def test_ionq_native(device: str, n: int, j: int) -> None:
    r = qclone.compile(qclone.single_clone(n, recover=j), f"ionq:{device}")
    low = li.lower(r)  # serialized, parsed back and verified
    native = set(li.NATIVE_GATES[device])
    assert set(low.gate_counts()) <= native
    assert li.gateset_for(device).validate(low.circuit)
    entangler = "MSGate" if device == "aria-1" else "ZZGate"
    assert low.gate_counts()[entangler] == r.cost.two_qubit  # one MS / ZZ per neutral CZ
    assert all(s["gateset"] == "native" for s in low.serialized)
    assert len(low.phases) == 2 and low.circuit == low.phases[0] + low.phases[1]


@pytest.mark.parametrize("j", [1, 2, 3])
@pytest.mark.parametrize("device", ["aria-1", "forte-1"])
def test_ionq_every_copy(device: str, j: int) -> None:
    r = qclone.compile(qclone.single_clone(3, recover=j), f"ionq:{device}")
    li.lower(r)


def test_ionq_qis_gateset() -> None:
    r = qclone.compile(qclone.single_clone(4, recover=2), "ionq:aria-1")
    low = li.lower(r, native=False)
    assert low.gateset == "qis" and all(s["gateset"] == "qis" for s in low.serialized)
    assert cirq.ops.CXPowGate.__name__ in low.gate_counts()


def test_ionq_json_round_trip_is_what_is_verified() -> None:
    r = qclone.compile(qclone.single_clone(3, recover=1), "ionq:aria-1")
    low = li.lower(r)
    back = li.from_ionq_json(low.serialized[0], r.num_qubits)
    used = sorted(low.phases[0].all_qubits())
    assert sorted(back.all_qubits()) == used
    assert cirq.allclose_up_to_global_phase(
        back.unitary(qubit_order=used), low.phases[0].unitary(qubit_order=used), atol=1e-9
    )
    # drop one MS gate from the JSON: the verification of what would be sent fails
    broken = json.loads(json.dumps(low.serialized[1]))
    k = next(i for i, g in enumerate(broken["circuit"]) if g["gate"] == "ms")
    del broken["circuit"][k]
    bad = li.LoweredIonQ(
        low.circuit, low.phases, low.qubits, (low.serialized[0], broken), low.device, "native"
    )
    with pytest.raises((NonCliffordError, VerificationError)):
        li.verify_ionq(r, bad)
    with pytest.raises(ExportError, match="not one of gpi, gpi2, ms, zz"):
        li.from_ionq_json({"gateset": "native", "circuit": [{"gate": "cnot"}]}, 3)


@pytest.mark.parametrize(("n", "j"), [(2, 1), (2, 2), (3, 1), (3, 2), (3, 3), (5, 4)])
def test_aqt_native(n: int, j: int) -> None:
    r = qclone.compile(qclone.single_clone(n, recover=j), "aqt:ibex-q1")
    low = la.lower(r)  # validated by cirq-aqt's device, serialized, read back, verified
    assert set(low.gate_counts()) <= {
        "MSGate",
        "XXPowGate",
        "PhasedXPowGate",
        "ZPowGate",
        "_PauliZ",
    }
    ms = sum(1 for op in low.circuit.all_operations() if isinstance(op.gate, cirq.XXPowGate))
    assert ms == r.cost.two_qubit
    for text in low.serialized:
        assert {op[0] for op in json.loads(text)} <= {"R", "Z", "MS"}


def test_aqt_broken_json_fails_verification() -> None:
    r = qclone.compile(qclone.single_clone(3, recover=2), "aqt:ibex-q1")
    low = la.lower(r)
    ops = json.loads(low.serialized[0])
    k = [i for i, op in enumerate(ops) if op[0] == "MS"][2]
    broken = json.dumps(ops[:k] + ops[k + 1 :])
    bad = la.LoweredAQT(low.circuit, low.phases, low.qubits, (broken, low.serialized[1]))
    with pytest.raises((NonCliffordError, VerificationError)):
        la.verify_aqt(r, bad)


RIGETTI_CASES = [(2, 1), (3, 1), (3, 2), (3, 3), (5, 2), (10, 10)]


@pytest.mark.parametrize(("n", "j"), RIGETTI_CASES)
def test_rigetti_native(n: int, j: int) -> None:
    r = qclone.compile(qclone.single_clone(n, recover=j), "rigetti:ankaa-3")
    low = lr.lower(r)  # native circuit and parsed-back OpenQASM both verified
    assert set(low.counts()) <= {"rx", "rz", "iswap"}
    target = r.target
    assert target is not None
    for phase in low.instructions:
        for ins in phase:
            if ins[0] == "iswap":
                assert target.is_adjacent(ins[2], ins[3])
            if ins[0] == "rx":
                assert ins[1] in ("pi/2", "-pi/2", "pi")
    # at most two iSWAPs per neutral two-qubit gate (a CZ class needs two; merged blocks less)
    assert low.iswap_count() <= 2 * r.cost.two_qubit
    assert lr.parse_qasm(low.qasm, target) == [list(p) for p in low.instructions]


def test_rigetti_qasm_rules() -> None:
    r = qclone.compile(qclone.single_clone(2, recover=1), "rigetti:ankaa-3")
    low = lr.lower(r)
    t = r.target
    assert low.qasm.startswith("OPENQASM 3.0;") and low.qasm.count("#pragma braket verbatim") == 2
    with pytest.raises(ExportError, match=r"rx\(pi/4\)"):
        lr.parse_qasm(low.qasm.replace("rx(pi/2)", "rx(pi/4)", 1), t)
    with pytest.raises(ExportError, match="no coupler joins them"):
        lr.parse_qasm(low.qasm.replace("box {", "box {\n  iswap $0, $83;", 1), t)
    with pytest.raises(ExportError, match="not a native Ankaa-3 instruction"):
        lr.parse_qasm(low.qasm.replace("box {", "box {\n  cz $0, $1;", 1), t)
    # a dropped iSWAP is caught by the verification of the parsed text
    lines = low.qasm.splitlines()
    k = next(i for i, line in enumerate(lines) if line.strip().startswith("iswap"))
    bad = lr.LoweredRigetti(
        low.instructions, low.phases, low.qubits, "\n".join(lines[:k] + lines[k + 1 :])
    )
    with pytest.raises((NonCliffordError, VerificationError)):
        lr.verify_rigetti(r, bad)


def test_rigetti_gate_definitions() -> None:
    # the matrices the lowering and the parser use are the textbook / cirq ones
    for angle, theta in (("pi/2", math.pi / 2), ("-pi/2", -math.pi / 2), ("pi", math.pi)):
        assert np.allclose(lr.native_unitary("rx", angle), cirq.unitary(cirq.rx(theta)))
        assert np.allclose(lr.native_unitary("rz", angle), cirq.unitary(cirq.rz(theta)))
    assert np.allclose(lr.native_unitary("iswap"), cirq.unitary(cirq.ISWAP))
    # every interaction class's iSWAP form rebuilds it exactly
    from qclone.lower.cirq import _cliffords_1q, _interactions

    cores = lr.interaction_cores()
    assert [None if c is None else c.iswaps for c in cores] == [None, 2, 1, 3]
    for core, (interaction, _) in zip(cores[1:], _interactions()[1:], strict=True):
        assert core is not None
        u = np.kron(core.a, core.b) @ lr._core_unitary(core.core) @ np.kron(core.c, core.d)
        assert np.allclose(u, interaction)
    # every single-qubit Clifford has a word of at most two rx pulses
    _, mats = _cliffords_1q()
    for m in mats:
        word = lr.clifford_word(m)
        u = np.eye(2, dtype=complex)
        for name, angle in word:
            u = lr.native_unitary(name, angle) @ u
        assert abs(abs(np.vdot(u, m)) / 2 - 1) < 1e-9
        assert sum(1 for g, _ in word if g == "rx") <= 2
    with pytest.raises(NonCliffordError):
        lr.clifford_word(cirq.unitary(cirq.T))


# --- cost reports with the cited figures ---------------------------------------------------
def test_cost_reports() -> None:
    aria = qclone.compile(qclone.single_clone(5, recover=1), "ionq:aria-1")
    est = estimate(aria)
    assert est.duration_ns is not None and est.success_probability is not None
    assert est.not_costed == ()
    # every two-qubit layer lasts at least the published 600 us
    assert est.duration_ns >= aria.cost.two_qubit_depth * 600e3
    assert est.success_probability < (1 - 4e-3) ** aria.cost.two_qubit
    aqt = estimate(qclone.compile(qclone.single_clone(5, recover=1), "aqt:ibex-q1"))
    assert aqt.duration_ns is None and aqt.success_probability is not None
    assert any("gate times" in s for s in aqt.not_costed)
    for spec in ("ionq:forte-1", "rigetti:ankaa-3"):
        e = estimate(qclone.compile(qclone.single_clone(5, recover=1), spec))
        assert e.duration_ns is None and e.success_probability is None
        assert any("gate errors" in s for s in e.not_costed)


def test_compare_table_shows_figures_and_na() -> None:
    from qclone.comparison import compare

    c = compare(["ionq:aria-1", "aqt:ibex-q1", "rigetti:ankaa-3"], [2, 12])
    rows = {(r.target, r.n): r for r in c.rows}
    assert rows[("ionq:aria-1", 12)].duration_ns is not None
    assert rows[("ionq:aria-1", 12)].success_probability is not None
    assert rows[("aqt:ibex-q1", 2)].success_probability is not None
    assert rows[("aqt:ibex-q1", 12)].two_qubit is None  # out of qubits
    table = c.to_markdown()
    assert "| rigetti:ankaa-3 | 12 |" in table and "n/a" in table
    assert "aqt:ibex-q1: out of qubits from n = 12 on" in table


# --- the longer sweep ----------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("spec", sorted(TARGETS))
def test_every_size(spec: str) -> None:
    m = TARGETS[spec][0]
    largest = (m - 1) // 2 if not spec.startswith("rigetti") else 41
    for n in range(2, largest + 1):
        for j in range(1, n + 1) if n <= 4 else sorted({1, (n + 1) // 2, n}):
            r = qclone.compile(qclone.single_clone(n, recover=j), spec)
            if spec.startswith("ionq"):
                li.lower(r)
            elif spec.startswith("aqt"):
                la.lower(r)
            else:
                lr.lower(r, verify_qasm=n <= 10)


def test_readme_section_runs_and_prints_what_it_shows(capsys: pytest.CaptureFixture[str]) -> None:
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = text.split("### Other vendors", 1)[1].split("\n## ", 1)[0]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    shown = section.split("prints\n\n```\n", 1)[1].split("```", 1)[0]
    exec(compile(code, "README.md", "exec"), {})
    assert capsys.readouterr().out == shown


def test_module_examples() -> None:
    import doctest

    from qclone.targets import aqt, ionq, rigetti

    for module in (ionq, aqt, rigetti):
        result = doctest.testmod(module, verbose=False)
        assert result.attempted > 0 and result.failed == 0, module.__name__
