from __future__ import annotations

from typing import Any


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the conformance pass rates per group (in process, and against the server)."""
    try:
        from tests.conformance.test_in_process import RESULTS
    except ImportError:
        return
    if not RESULTS:
        return
    write = terminalreporter.write_line
    for title, on_server in (("in process", False), ("against stepwell serve", True)):
        groups = sorted(g for g in RESULTS if g.startswith("server:") == on_server)
        if not groups:
            continue
        write("")
        write(f"conformance ({title}), passed / total per group:")
        passed = total = 0
        for group in groups:
            counts = RESULTS[group]
            n = counts["passed"] + counts["failed"]
            passed, total = passed + counts["passed"], total + n
            write(f"  {group.removeprefix('server:'):44} {counts['passed']:4} / {n:<4}")
        write(f"conformance ({title}): {passed} of {total} passed ({100.0 * passed / total:.1f}%)")
