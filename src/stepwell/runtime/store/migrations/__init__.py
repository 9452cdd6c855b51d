"""One numbered sequence of migrations (``NNNN_name.sql``) for both SQL backends.

The files are written in SQLite's dialect; ``postgres_statement`` rewrites the few words
PostgreSQL spells differently (REAL, BLOB, WITHOUT ROWID). Each migration is applied in one
transaction and recorded in ``schema_migrations``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from importlib import resources
from typing import Protocol

PACKAGE = "stepwell.runtime.store.migrations"


class MigrationTarget(Protocol):
    dialect: str  # "sqlite" | "postgresql"

    def applied(self) -> set[int]: ...
    def apply(self, version: int, statements: list[str], now: float) -> None: ...


def migrations() -> list[tuple[int, str, str]]:
    """(number, file name, text) of every migration, in order."""
    found = []
    for entry in resources.files(PACKAGE).iterdir():
        if entry.name.endswith(".sql"):
            found.append((int(entry.name.split("_", 1)[0]), entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def apply_migrations(target: MigrationTarget) -> list[int]:
    """Apply the migrations not applied yet; returns their numbers."""
    done = target.applied()
    applied = []
    for version, _, text in migrations():
        if version in done:
            continue
        statements = list(statements_of(text))
        if target.dialect == "postgresql":
            statements = [postgres_statement(s) for s in statements]
        target.apply(version, statements, time.time())
        applied.append(version)
    return applied


def statements_of(script: str) -> Iterator[str]:
    lines = [line for line in script.splitlines() if not line.strip().startswith("--")]
    for statement in "\n".join(lines).split(";"):
        if statement.strip():
            yield statement.strip()


_POSTGRES_WORDS = [
    (re.compile(r"\bREAL\b"), "DOUBLE PRECISION"),
    (re.compile(r"\bBLOB\b"), "BYTEA"),
    (re.compile(r"\bINTEGER\b"), "BIGINT"),
    (re.compile(r"\)\s*WITHOUT ROWID\s*$"), ")"),
    (re.compile(r"--[^\n]*"), ""),
]


def postgres_statement(statement: str) -> str:
    for pattern, replacement in _POSTGRES_WORDS:
        statement = pattern.sub(replacement, statement)
    return statement
