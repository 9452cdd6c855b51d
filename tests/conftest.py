from __future__ import annotations

from typing import Any

# PostgreSQL for every test that needs it: a fresh database per session (tests/postgres.py).
pytest_plugins = ["tests.postgres"]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the conformance pass rates per group (in process, and against the server)."""
    try:
        from tests.conformance.test_in_process import RESULTS
    except ImportError:
        return
    if not RESULTS:
        return
    write = terminalreporter.write_line
    places = (
        ("in process", ""),
        ("against stepwell serve on SQLite", "server-sqlite:"),
        ("against stepwell serve on PostgreSQL", "server-postgresql:"),
        ("API cases, against stepwell serve on SQLite", "api-sqlite:"),
        ("API cases, against stepwell serve on PostgreSQL", "api-postgresql:"),
    )
    for title, prefix in places:
        groups = sorted(
            g for g in RESULTS if (g.startswith(prefix) if prefix else not g.startswith(("server-", "api-")))
        )
        if not groups:
            continue
        write("")
        write(f"conformance ({title}), passed / total per group:")
        passed = total = 0
        for group in groups:
            counts = RESULTS[group]
            n = counts["passed"] + counts["failed"]
            passed, total = passed + counts["passed"], total + n
            write(f"  {group.removeprefix(prefix):44} {counts['passed']:4} / {n:<4}")
        write(f"conformance ({title}): {passed} of {total} passed ({100.0 * passed / total:.1f}%)")
