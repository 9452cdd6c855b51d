"""policy.py and what it uses decide from their arguments alone: no I/O, no clock (the rule
test_purity.py holds for the core, held here for the policy evaluator)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.test_purity import ALLOWED_MODULES, FORBIDDEN_CALLS, SRC, _imports

PURE = ["policy.py", "conditions.py", "wildcards.py", "operations.py"]
ALSO_PURE = {"ipaddress"}  # addresses and networks compared in memory
PURE_UNITS = ("stepwell.auth.", "stepwell.arns", "stepwell.errors")


@pytest.mark.parametrize("name", PURE)
def test_the_policy_evaluator_is_pure(name: str) -> None:
    path = SRC / "auth" / name
    tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    for module in _imports(tree):
        if module.startswith("stepwell"):
            assert module.startswith(PURE_UNITS), f"{name} imports {module}"
            if module.startswith("stepwell.auth."):
                assert module.rsplit(".", 1)[1] + ".py" in PURE, f"{name} imports {module}"
            continue
        assert module.split(".")[0] in ALLOWED_MODULES | ALSO_PURE, f"{name} imports {module}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            assert called not in FORBIDDEN_CALLS, f"{name}:{node.lineno} calls {called}()"
