"""The leakage audit (qclone.audit) and ``qclone audit``.

The audit's GF(2) answers are held against PROTOCOL.md's "Who can learn what" table (the
classification of arXiv:2605.27421) for several n, and against density matrices built from the
protocol's definitions (qclone.semantics.statevector, no stim) for every subset when n <= 4.
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import qclone
from qclone.audit import (
    BEST_FIDELITY,
    DEFAULT_MAX_COALITIONS,
    Disclosure,
    LeakageAudit,
    Party,
    Plan,
    audit_plan,
    load_plan,
)
from qclone.cli import main
from qclone.errors import PlanError, UnknownRoleError
from qclone.ir import Program, single_clone
from qclone.semantics import statevector as sv

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
KET0 = np.array([1, 0], dtype=np.complex128)
KET1 = np.array([0, 1], dtype=np.complex128)


# ---- PROTOCOL.md's table ---------------------------------------------------------------------
def table(n: int, subset: set[str]) -> tuple[str, str]:
    """(row, prediction) of PROTOCOL.md's "Who can learn what" for a set of role names."""
    pairs = [(f"S{k}" in subset, f"N{k}" in subset) for k in range(1, n + 1)]
    b = sum(1 for s, k in pairs if s and k)
    s_only = sum(1 for s, k in pairs if s and not k)
    t = sum(1 for s, k in pairs if k and not s)
    u = n - b - s_only - t
    if "A" not in subset:
        if u > 0:
            return "no A, u > 0", "none"
        if b >= 1:
            return "no A, u = 0, b >= 1", "full"
        return "no A, u = 0, b = 0", "Y" if n % 2 == 1 and s_only % 2 == 1 else "none"
    if b >= 1:
        return "A, b >= 1", "full"
    if u > 0:
        return "A, b = 0, u > 0", "none"
    return "A, b = 0, u = 0", "Y" if n % 2 == 1 and s_only % 2 == 0 else "full"


def label(d: Disclosure) -> str:
    if d.information == "partial":
        assert len(d.components) == 1
        return d.components[0]
    assert d.components == (() if d.information == "none" else ("X", "Y", "Z"))
    return d.information


ALL_ROWS = {
    ("no A, u > 0", "none"),
    ("no A, u = 0, b >= 1", "full"),
    ("no A, u = 0, b = 0", "Y"),
    ("no A, u = 0, b = 0", "none"),
    ("A, b >= 1", "full"),
    ("A, b = 0, u > 0", "none"),
    ("A, b = 0, u = 0", "Y"),
    ("A, b = 0, u = 0", "full"),
}


@pytest.mark.parametrize(
    ("n", "target"),
    [
        (2, None),
        (3, None),
        (4, None),
        (5, None),
        (3, "grid:4x4"),
        (4, "line:9"),
        (2, "heavy-hex:3"),
    ],
)
def test_every_subset_matches_the_table(n: int, target: str | None) -> None:
    audit = LeakageAudit.of_clones(n, target)
    assert set(audit.roles) == {"A", *(f"{p}{k}" for p in "SN" for k in range(1, n + 1))}
    seen = set()
    for size in range(len(audit.roles) + 1):
        for subset in itertools.combinations(audit.roles, size):
            row, want = table(n, set(subset))
            assert label(audit.disclosure(subset)) == want, (subset, row)
            seen.add((row, want))
    # the parity rows need odd n for their Y outcome
    assert seen == (
        ALL_ROWS
        if n % 2 == 1
        else ALL_ROWS - {("no A, u = 0, b = 0", "Y"), ("A, b = 0, u = 0", "Y")}
    )


@pytest.mark.parametrize("n", [6, 7, 10, 31])
def test_random_subsets_match_the_table_for_larger_n(n: int) -> None:
    """Subsets drawn per pair (both, S only, N only, neither), from four pools so that every
    row comes up: any kind / no pair untouched (u = 0) / u = 0 and b = 0 / b = 0."""
    audit = LeakageAudit.of_clones(n)
    rng = np.random.default_rng(n)
    seen = set()
    pools = [np.arange(4), np.arange(3), np.arange(1, 3), np.arange(1, 4)]
    for trial in range(400):
        kinds = rng.choice(pools[trial % 4], size=n)
        subset = {"A"} if rng.integers(2) else set()
        for k, kind in enumerate(kinds, start=1):
            subset |= [{f"S{k}", f"N{k}"}, {f"S{k}"}, {f"N{k}"}, set()][kind]
        row, want = table(n, subset)
        assert label(audit.disclosure(subset)) == want, (sorted(subset), row)
        seen.add((row, want))
    expected = (
        ALL_ROWS
        if n % 2 == 1
        else ALL_ROWS - {("no A, u = 0, b = 0", "Y"), ("A, b = 0, u = 0", "Y")}
    )
    assert seen == expected


@pytest.mark.parametrize("n", [2, 3, 4, 5, 8, 9])
def test_named_rows(n: int) -> None:
    audit = LeakageAudit.of_clones(n)
    keys = [f"N{k}" for k in range(1, n + 1)]
    clones = [f"S{k}" for k in range(1, n + 1)]
    for j in range(1, n + 1):
        assert audit.disclosure([f"S{j}", *keys]).information == "full"  # {S_j, N_1..N_n}
        assert audit.disclosure(["A", f"S{j}", f"N{j}"]).information == "full"  # {A, S_k, N_k}
    assert audit.disclosure([*clones, "N1"]).information == "full"  # all clones + one key
    y_or_none = "partial" if n % 2 == 1 else "none"
    assert audit.disclosure(clones).information == y_or_none  # all clones, no key
    assert audit.disclosure(["A", *keys]).information == ("partial" if n % 2 == 1 else "full")
    assert audit.disclosure(["A", *clones, *keys[1:]]).information == "full"
    assert audit.disclosure([*clones[1:], *keys[1:]]).information == "none"  # a pair untouched
    for pair in itertools.combinations(audit.roles, 2):
        assert audit.disclosure(pair).information == "none"  # [[2n+1, 1, 3]]: any 2 carry nothing
    if n % 2 == 1:
        assert audit.disclosure(clones).components == ("Y",)


# ---- brute force: density matrices from the definitions ----------------------------------------
def brute_force(n: int) -> dict[tuple[int, ...], str]:
    """For every subset of the 2n + 1 qubits: what it learns, from partial traces.

    The register is built from the definitions (U_enc on |psi> and Bell pairs), with the input
    maximally entangled with a reference R (the last qubit). A subset C learns the P component
    of the input iff its state depends on it, i.e. Tr_R[(P_R (x) 1) rho_RC] != 0; the mutual
    information I(R:C) (from entropies) must then be 0, 1 or 2 with none, one or all three
    components.
    """
    nq = 2 * n + 1
    state = (
        np.kron(sv.encrypted_state(KET0, n), KET0) + np.kron(sv.encrypted_state(KET1, n), KET1)
    ) / np.sqrt(2)
    r = nq
    out = {}
    for size in range(nq + 1):
        for subset in itertools.combinations(range(nq), size):
            rho = sv.reduced_density_matrix(state, [r, *subset])
            dim = 1 << size
            blocks = rho.reshape(2, dim, 2, dim)
            comps = []
            for p in "XYZ":
                op = sum(sv.PAULIS[p][b, a] * blocks[a, :, b, :] for a in (0, 1) for b in (0, 1))
                if np.abs(op).max() > 1e-9:
                    comps.append(p)
            mi = 1.0 + sv.subset_entropy(state, subset) - sv.subset_entropy(state, [r, *subset])
            assert min(abs(mi - k) for k in (0, 1, 2)) < 1e-7, (subset, mi)
            assert {0: 0, 1: 1, 2: 3}[round(mi)] == len(comps), (subset, mi, comps)
            out[subset] = {0: "none", 3: "full"}.get(len(comps)) or comps[0]
    return out


@pytest.mark.parametrize("n", [2, 3, 4])
def test_audit_equals_density_matrices_on_every_subset(n: int) -> None:
    truth = brute_force(n)
    audit = LeakageAudit.of_clones(n)
    a, s, k = sv.clone_slots(n)
    role_of = {
        a: "A",
        **{q: f"S{i + 1}" for i, q in enumerate(s)},
        **{q: f"N{i + 1}" for i, q in enumerate(k)},
    }
    partial = 0
    for subset, want in truth.items():
        roles = [role_of[q] for q in subset]
        assert label(audit.disclosure(roles)) == want, roles
        partial += want not in ("none", "full")
    assert (partial > 0) == (n % 2 == 1)


def test_best_fidelity_follows_the_information() -> None:
    assert BEST_FIDELITY["none"] == 0.5 and BEST_FIDELITY["full"] == 1.0
    assert BEST_FIDELITY["partial"] == pytest.approx(2 / 3)
    audit = LeakageAudit.of_clones(3)
    assert audit.disclosure(["S1", "S2", "S3"]).best_fidelity == pytest.approx(2 / 3)
    assert audit.disclosure(["A", "S1", "N1"]).best_fidelity == 1.0
    assert audit.disclosure([]).best_fidelity == 0.5


# ---- programs with more than one module --------------------------------------------------------
def test_parallel_modules_are_audited_per_data_qubit() -> None:
    p = Program()
    a, b = p.data("a"), p.data("b")
    p.clone(a, copies=2)
    p.clone(b, copies=3)
    audit = LeakageAudit(qclone.compile(p, "grid:4x4"))
    assert audit.data == ("a", "b")
    assert "m0.A" in audit.roles and "m1.N3" in audit.roles
    got = audit.disclosures(["m0.A", "m0.S1", "m0.N1", "m1.S1", "m1.S2", "m1.S3"])
    assert [(d.data, label(d)) for d in got] == [("a", "full"), ("b", "Y")]
    with pytest.raises(PlanError, match="2 data qubits"):
        audit.disclosure(["m0.A"])
    assert audit.disclosure(["m1.S1", "m1.S2", "m1.S3"], data="b").components == ("Y",)
    with pytest.raises(UnknownRoleError, match="no data qubit 'c'"):
        audit.disclosure([], data="c")


def test_clone_of_a_clone() -> None:
    """Series: module m1 encrypts clone 2 of m0. m0's key with m0.S1 still decrypts; with
    m1's whole key and one of its clones, m0.S2's value (so psi, given m0's key) comes back."""
    p = Program()
    m0 = p.clone(p.data("psi"), copies=2)
    p.clone(m0.clone(2), copies=2)
    audit = LeakageAudit(qclone.compile(p, None))
    assert "m0.S2" in audit.roles  # the wire of clone 2, now m1's source qubit
    assert audit.disclosure(["m0.S1", "m0.N1", "m0.N2"]).information == "full"
    assert audit.disclosure(["m1.S1", "m1.N1", "m1.N2", "m0.N1", "m0.N2"]).information == "full"
    assert audit.disclosure(["m1.S1", "m1.N1", "m1.N2"]).information == "none"


def test_unknown_role_is_named() -> None:
    audit = LeakageAudit.of_clones(2)
    with pytest.raises(
        UnknownRoleError, match=r"no role 'S3' after phase 0; the roles there are A, S1, S2, N1, N2"
    ):
        audit.disclosure(["S3"])


# ---- plans ------------------------------------------------------------------------------------
def one_party_per_role(n: int, trusted: tuple[str, ...] = ()) -> Plan:
    roles = ["A", *(f"{p}{k}" for k in range(1, n + 1) for p in "SN")]
    return Plan(single_clone(n), tuple(Party(r, (r,), r in trusted) for r in roles))


@pytest.mark.parametrize("n", [2, 3])
def test_plan_audit_equals_the_table_for_every_coalition(n: int) -> None:
    """One party per qubit: every coalition is a subset; the pruning changes nothing."""
    report = audit_plan(one_party_per_role(n))
    assert report.complete and len(report.findings) == 2 ** (2 * n + 1) - 1
    for f in report.findings:
        assert label(f.disclosures[0]) == table(n, set(f.parties))[1], f.parties
    minimal = {frozenset(f.parties) for f in report.minimal_informative()}
    # minimal: informative, and no role can be dropped
    for m in minimal:
        assert all(table(n, set(m - {r}))[1] == "none" for r in m)
    assert not report.ok  # every party is untrusted here
    if n == 3:
        assert frozenset({"S1", "S2", "S3"}) in minimal  # the Y leak of all clones
    assert frozenset({"A", "S1", "N1"}) in minimal


def test_plan_default_bound_and_explicit_bound() -> None:
    report = audit_plan(one_party_per_role(6))  # 13 parties: 8191 coalitions
    assert not report.complete and report.max_size == 6
    assert len(report.findings) == sum(__import__("math").comb(13, k) for k in range(1, 7))
    assert len(report.findings) <= DEFAULT_MAX_COALITIONS
    assert "coalitions of at most 6 of the 13 parties" in report.render()
    small = audit_plan(one_party_per_role(3), max_size=2)
    assert small.max_size == 2 and not small.complete
    assert small.ok  # any two qubits carry nothing
    assert not audit_plan(one_party_per_role(3), max_size=3).ok  # e.g. {A, S1, N1}


def test_trusted_parties_do_not_count_as_leaks() -> None:
    plan = Plan(
        single_clone(3),
        (
            Party("owner", ("N1", "N2", "N3"), trusted=True),
            Party("bin", ("A",), trusted=True),
            Party("c1", ("S1",)),
            Party("c2", ("S2",)),
            Party("c3", ("S3",)),
        ),
    )
    report = audit_plan(plan)
    leaks = report.untrusted_leaks()
    assert [f.parties for f in leaks] == [("c1", "c2", "c3")]
    assert leaks[0].describe() == "the Y component of psi"
    minimal = {f.parties: f.information for f in report.minimal_informative()}
    assert minimal[("owner", "c1")] == "full"
    assert minimal[("owner", "bin")] == "partial"  # {A, N1..N3}, odd n: Y
    # four clones on four servers: no coalition of servers learns anything
    even = Plan(
        single_clone(4),
        (
            Party("owner", ("A", "N1", "N2", "N3", "N4"), trusted=True),
            *(Party(f"c{k}", (f"S{k}",)) for k in range(1, 5)),
        ),
    )
    assert audit_plan(even).ok


def test_plan_after_the_recovery_phase() -> None:
    """Audited after the recovery: clone 2 holds the data alone; nothing else says anything."""
    plan = Plan(
        single_clone(3, recover=2),
        (Party("user", ("S2",)), Party("rest", ("A", "S1", "N1", "N2", "S3", "N3"))),
        phase=1,
    )
    report = audit_plan(plan)
    found = {f.parties: f.information for f in report.findings}
    assert found == {("user",): "full", ("rest",): "none", ("user", "rest"): "full"}


# ---- the plan file ----------------------------------------------------------------------------
def write_plan(tmp_path: Path, data: Any, name: str = "plan.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


GOOD = {
    "qclone_plan": 1,
    "clones": 3,
    "parties": [
        {"name": "owner", "holds": ["A", "N1..N3"], "trusted": True},
        {"name": "c1", "holds": ["S1"]},
        {"name": "c2", "holds": ["S2", "S3"]},
    ],
}


def test_load_plan(tmp_path: Path) -> None:
    plan = load_plan(write_plan(tmp_path, GOOD))
    assert plan.program == single_clone(3)
    assert plan.parties[0] == Party("owner", ("A", "N1", "N2", "N3"), True)
    assert plan.parties[2] == Party("c2", ("S2", "S3"), False)
    prog = tmp_path / "prog.qc"
    prog.write_text("qclone 1\ndata psi\nclone psi copies=2 as m0\nrecover m0 copy=1\n")
    data = {
        "program": "prog.qc",
        "target": "line:5",
        "max_coalition": 2,
        "parties": [{"name": "x", "holds": ["A", "S1..S2", "N1..N2"]}],
    }
    plan = load_plan(write_plan(tmp_path, data))
    assert plan.program == single_clone(2, recover=1)
    assert (plan.target, plan.max_coalition, plan.phase) == ("line:5", 2, None)
    report = audit_plan(plan)
    assert report.audit.phase == 0 and [f.information for f in report.findings] == ["full"]


@pytest.mark.parametrize(
    ("change", "needles"),
    [
        ({"clones": 1}, ["copies=1 is refused"]),
        ({"clones": "3"}, ["'clones' must be an integer"]),
        ({"program": "x.qc"}, ["either 'clones'", "not both"]),
        ({"colluders": 2}, ["unknown key(s) 'colluders'"]),
        ({"qclone_plan": 2}, ["plan format 2"]),
        ({"max_coalition": 0}, ["'max_coalition' must be an integer >= 1"]),
        ({"parties": []}, ["'parties' must be a non-empty list"]),
        ({"parties": [{"name": "a", "holds": "S1"}]}, ["'holds' must be a list"]),
        ({"parties": [{"name": "a", "hold": ["S1"]}]}, ["unknown key(s) 'hold'"]),
        (
            {
                "parties": [
                    {"name": "a", "holds": ["A", "S1..S3", "N1..N3"]},
                    {"name": "a", "holds": []},
                ]
            },
            ["name(s) a used twice"],
        ),
        (
            {"parties": [{"name": "a", "holds": ["A", "S1..S3", "N1..N3"], "trusted": "yes"}]},
            ["'trusted' must be true or false"],
        ),
        (
            {"parties": [{"name": "a", "holds": ["A", "S1..S4", "N1..N3"]}]},
            ["holds 'S4', which is not a role", "A, S1..S3, N1..N3"],
        ),
        (
            {
                "parties": [
                    {"name": "a", "holds": ["A", "S1..S3", "N1..N3"]},
                    {"name": "b", "holds": ["S2"]},
                ]
            },
            ["role S2 is held by both a and b"],
        ),
        (
            {"parties": [{"name": "a", "holds": ["A", "S1..S3", "N1"]}]},
            ["role(s) N2, N3 are held by no party", "discarded"],
        ),
        (
            {"parties": [{"name": "a", "holds": ["A", "S3..S1", "N1..N3"]}]},
            ["range 'S3..S1' is empty"],
        ),
        ({"phase": 5}, ["phase 5 does not exist"]),
    ],
)
def test_bad_plans_are_named(tmp_path: Path, change: dict[str, Any], needles: list[str]) -> None:
    data = {**GOOD, **change}
    path = write_plan(tmp_path, data)
    with pytest.raises(PlanError) as info:
        audit_plan(load_plan(path))
    for needle in needles:
        assert needle in str(info.value), str(info.value)


def test_unreadable_plans(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="plan file not found"):
        load_plan(tmp_path / "nope.json")
    with pytest.raises(PlanError, match=r"not valid JSON: .* line 1, column 2"):
        load_plan(write_plan(tmp_path, "{oops"))
    with pytest.raises(PlanError, match="the key 'clones' appears twice"):
        load_plan(write_plan(tmp_path, '{"clones": 2, "clones": 3, "parties": []}'))
    with pytest.raises(PlanError, match="a plan is a JSON object"):
        load_plan(write_plan(tmp_path, "[1, 2]"))
    with pytest.raises(PlanError, match="is a directory"):
        load_plan(tmp_path)


# ---- the command line -------------------------------------------------------------------------
def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_audits_the_example_plans(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "audit", str(EXAMPLES / "audit_plan.json"))
    assert code == 0, err
    assert "checked   all 31 coalitions of the 5 parties" in out
    assert re.search(r"^  owner\s+full\s+all of psi\s+\[includes a trusted party\]$", out, re.M)
    assert (
        out.splitlines()[-1]
        == "ok: no coalition of untrusted parties learns anything about the input"
    )

    code, out, _ = run(capsys, "audit", str(EXAMPLES / "audit_plan_leaky.json"))
    assert code == 1
    assert re.search(
        r"^  cloud1 \+ cloud2 \+ cloud3\s+partial\s+the Y component of psi\s+\[UNTRUSTED\]$",
        out,
        re.M,
    )
    assert out.splitlines()[-1].startswith("LEAK: 1 coalition(s) of untrusted parties")

    # at most two colluding clouds: nothing leaks
    code, out, _ = run(capsys, "audit", str(EXAMPLES / "audit_plan_leaky.json"), "--max-size", "2")
    assert code == 0
    assert "of at most 2" in out.splitlines()[-1]


def test_cli_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "audit", str(EXAMPLES / "audit_plan_leaky.json"), "--json")
    assert code == 1
    doc = json.loads(out)
    assert doc["ok"] is False and doc["complete"] is False and doc["max_coalition"] == 3
    (leak,) = doc["untrusted_leaks"]
    assert leak["parties"] == ["cloud1", "cloud2", "cloud3"]
    assert leak["information"]["psi"] == {
        "level": "partial",
        "components": ["Y"],
        "best_fidelity": pytest.approx(2 / 3),
    }


def test_cli_bad_plans_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = [
        ([str(tmp_path / "missing.json")], "plan file not found"),
        ([str(write_plan(tmp_path, "{", "broken.json"))], "not valid JSON"),
        ([str(write_plan(tmp_path, {**GOOD, "clones": 4}, "short.json"))], "held by no party"),
        ([str(EXAMPLES / "audit_plan.json"), "--max-size", "0"], "--max-size must be >= 1"),
        ([str(EXAMPLES / "audit_plan.json"), "--max-size", "two"], "invalid int value"),
        ([], "the following arguments are required: PLAN"),
    ]
    for argv, needle in cases:
        code, out, err = run(capsys, "audit", *argv)
        assert code == 2, (argv, out, err)
        lines = err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("qclone: error: "), err
        assert needle in lines[0], (needle, err)
        assert out == ""


def test_example_plans_are_valid() -> None:
    plans = sorted(EXAMPLES.glob("*.json"))
    assert plans
    for path in plans:
        assert audit_plan(load_plan(path)).findings


def test_readme_security_example_runs() -> None:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Security: secrecy check and leakage audit", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert blocks, "the Security section has a Python example"
    namespace: dict[str, object] = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)
    # the plan format example is a valid plan
    (plan_text,) = re.findall(r"```json\n(.*?)```", section, flags=re.S)
    report = audit_plan(Plan.from_dict(json.loads(plan_text)))
    assert report.max_size == 3 and report.ok


def test_readme_audit_output_is_current(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)  # the README runs it from the repository's root
    text = (ROOT / "README.md").read_text()
    section = text.split("## Security: secrecy check and leakage audit", 1)[1].split("\n## ", 1)[0]
    shown = section.split("The second prints", 1)[1].split("```\n", 2)[1]
    code = main(["audit", "examples/audit_plan_leaky.json"])
    out, _ = capsys.readouterr()
    assert code == 1
    assert out == shown


def test_audit_doctests() -> None:
    import doctest

    import qclone.audit

    result = doctest.testmod(qclone.audit, verbose=False)
    assert result.attempted >= 5 and result.failed == 0
