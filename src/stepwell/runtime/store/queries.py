"""Named queries: each backend keeps its SQL in one ``.sql`` file of blocks headed ``-- name: X``."""

from __future__ import annotations

from importlib import resources

PACKAGE = "stepwell.runtime.store"


def load_queries(filename: str) -> dict[str, str]:
    """The file's queries by name (a block runs from its ``-- name:`` line to the next one)."""
    queries: dict[str, str] = {}
    name: str | None = None
    lines: list[str] = []
    text = resources.files(PACKAGE).joinpath(filename).read_text(encoding="utf-8")
    for line in [*text.splitlines(), "-- name: "]:
        if line.startswith("-- name:"):
            if name:
                queries[name] = "\n".join(lines).strip().rstrip(";")
            name, lines = line.removeprefix("-- name:").strip(), []
        elif name is not None and not line.lstrip().startswith("--"):
            lines.append(line)
    return queries
