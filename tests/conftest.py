from __future__ import annotations

from typing import Any


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the conformance pass rate per group when the conformance cases ran."""
    try:
        from tests.conformance.test_in_process import RESULTS
    except ImportError:
        return
    if not RESULTS:
        return
    write = terminalreporter.write_line
    write("")
    write("conformance (in process), passed / total per group:")
    passed = total = 0
    for group in sorted(RESULTS):
        counts = RESULTS[group]
        n = counts["passed"] + counts["failed"]
        passed, total = passed + counts["passed"], total + n
        write(f"  {group:44} {counts['passed']:4} / {n:<4}")
    write(f"conformance: {passed} of {total} passed ({100.0 * passed / total:.1f}%)")
