"""One numbered sequence of migrations for both SQL backends.

A number is either one shared file, ``NNNN_name.sql``, written in SQLite's dialect (the few words
PostgreSQL spells differently, REAL, BLOB, INTEGER, WITHOUT ROWID, are rewritten by
``postgres_statement``), or one file per dialect, ``NNNN_name.sqlite.sql`` and
``NNNN_name.postgresql.sql``, each in its own dialect and applied as written (a dialect with nothing
to do keeps a file of comments only). Every backend thus records the same numbers in
``schema_migrations``; ``migrations()`` refuses a sequence with a gap, a number both shared and
per-dialect, or a per-dialect number missing a dialect. Each migration is applied in one
transaction.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from importlib import resources
from typing import Protocol

PACKAGE = "stepwell.runtime.store.migrations"
DIALECTS = ("sqlite", "postgresql")
SHARED = "shared"


class MigrationTarget(Protocol):
    dialect: str  # "sqlite" | "postgresql"

    def applied(self) -> set[int]: ...
    def apply(self, version: int, statements: list[str], now: float) -> None: ...


def _files() -> dict[int, dict[str, tuple[str, str]]]:
    """number -> dialect (or SHARED) -> (file name, text)."""
    found: dict[int, dict[str, tuple[str, str]]] = {}
    for entry in resources.files(PACKAGE).iterdir():
        if not entry.name.endswith(".sql"):
            continue
        stem = entry.name.removesuffix(".sql")
        dialect = stem.rsplit(".", 1)[1] if "." in stem else SHARED
        if dialect != SHARED and dialect not in DIALECTS:
            raise ValueError(f"migration {entry.name}: unknown dialect {dialect!r}")
        number = int(entry.name.split("_", 1)[0])
        found.setdefault(number, {})[dialect] = (entry.name, entry.read_text(encoding="utf-8"))
    return found


def migrations(dialect: str = "sqlite") -> list[tuple[int, str, str]]:
    """(number, file name, text) of every migration the dialect applies, in order."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}")
    found = _files()
    if sorted(found) != list(range(1, len(found) + 1)):
        raise ValueError(f"migration numbers are not 1..{len(found)}: {sorted(found)}")
    chosen = []
    for number, files in sorted(found.items()):
        if SHARED in files and len(files) > 1:
            raise ValueError(f"migration {number} is both shared and per dialect: {sorted(files)}")
        if SHARED not in files and set(files) != set(DIALECTS):
            raise ValueError(f"migration {number} needs one file per dialect {DIALECTS}: {sorted(files)}")
        name, text = files.get(SHARED) or files[dialect]
        chosen.append((number, name, text))
    return chosen


def apply_migrations(target: MigrationTarget) -> list[int]:
    """Apply the migrations not applied yet; returns their numbers."""
    done = target.applied()
    applied = []
    for version, name, text in migrations(target.dialect):
        if version in done:
            continue
        statements = list(statements_of(text))
        if target.dialect == "postgresql" and not name.endswith(".postgresql.sql"):
            statements = [postgres_statement(s) for s in statements]
        target.apply(version, statements, time.time())
        applied.append(version)
    return applied


def statements_of(script: str) -> Iterator[str]:
    """The script's statements: split at semicolons, except inside ``$$``-quoted bodies (a
    PostgreSQL function's)."""
    lines = [line for line in script.splitlines() if not line.strip().startswith("--")]
    statement = ""
    for index, part in enumerate("\n".join(lines).split("$$")):
        if index % 2:  # inside $$ ... $$
            statement += f"$${part}$$"
            continue
        *ended, statement_tail = part.split(";")
        for piece in ended:
            if (statement + piece).strip():
                yield (statement + piece).strip()
            statement = ""
        statement += statement_tail
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
