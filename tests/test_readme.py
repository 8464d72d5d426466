"""The README's Python example runs as written."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_example_runs() -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks, "the README has a Python example"
    namespace: dict[str, object] = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)
    result = namespace["result"]
    assert result.cost.two_qubit > 0  # type: ignore[attr-defined]
    assert set(namespace["roles"]) >= {"num_qubits", "initial", "final", "after_clone"}  # type: ignore[arg-type]


def test_readme_quick_start_matches_ci() -> None:
    text = README.read_text()
    quick = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = [ln for ln in quick.splitlines() if ln.startswith("python3 -m pip install")]
    assert len(commands) == 2
    ci = (README.parent / ".ci" / "run").read_text()
    test_command = commands[1]
    assert test_command in ci
