"""Where the recorded-against-AWS cases are, for every test that reads them: one rule.

The same rule as tests/conformance/shared.py: ``$STEPWELL_SHARED``, else ``../shared`` next to
the checkout. Without it a case-driven test is skipped (its parameter list is empty, or it is
marked ``requires_shared``), never failed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

SHARED = Path(os.environ.get("STEPWELL_SHARED", Path(__file__).resolve().parents[2] / "shared"))
CONFORMANCE = SHARED / "conformance"
CASES_DIR = CONFORMANCE / "cases"

requires_shared = pytest.mark.skipif(
    not CASES_DIR.is_dir(), reason=f"the recorded cases are not there ({CASES_DIR}; set STEPWELL_SHARED)"
)


def case_files(pattern: str, folder: str = "cases") -> list[Path]:
    """The case files of ``folder`` matching ``pattern``, sorted (none when ../shared is absent)."""
    return sorted((CONFORMANCE / folder).glob(pattern))


def load_case(name: str) -> dict[str, Any]:
    """One case by name (its file's stem); skips the calling test when the cases are absent."""
    path = CASES_DIR / f"{name}.json"
    if not path.is_file():
        pytest.skip(f"recorded case {name} is not there ({CASES_DIR})")
    case: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return case
