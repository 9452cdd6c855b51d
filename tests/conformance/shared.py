"""Access to ../shared/conformance: the recorded-against-AWS cases and run.py's comparison."""

from __future__ import annotations

import importlib.util
import json
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from tests.shared_cases import CONFORMANCE  # one rule for where ../shared is

KNOWN_FAILURES = Path(__file__).with_name("known_failures.txt")


def available() -> bool:
    return (CONFORMANCE / "run.py").is_file()


def module_at(path: Path, name: str) -> ModuleType:
    """The Python file at ``path``, imported as ``name`` (the runners of ../shared are scripts)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@cache
def run_py() -> ModuleType:
    """../shared/conformance/run.py, so cases are compared exactly as it compares them."""
    return module_at(CONFORMANCE / "run.py", "conformance_run")


def load_cases(folder: str) -> list[dict[str, Any]]:
    directory = CONFORMANCE / folder
    if not directory.is_dir():
        return []
    cases = []
    for path in sorted(directory.glob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        case.setdefault("id", path.stem)
        case.setdefault("group", case["id"].split("__")[0])
        cases.append(case)
    return cases


@cache
def known_failures() -> dict[str, str]:
    """case id -> why it fails (tests/conformance/known_failures.txt)."""
    out = {}
    if KNOWN_FAILURES.is_file():
        for line in KNOWN_FAILURES.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                case_id, _, reason = line.partition(" ")
                out[case_id] = reason.strip(" #") or "known failure"
    return out
