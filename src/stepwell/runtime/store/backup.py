"""A consistent copy of a live SQLite database, with SQLite's online backup API.

    stepwell db backup FILE [--db stepwell.db] [--force]

The copy is taken while a server writes the file. SQLite's backup copies pages in steps; a write
by another connection between two steps makes it start again ("If the source database is modified
by ... a different database connection ... the backup will be restarted by the next call to
sqlite3_backup_step()", sqlite.org/c3ref/backup_finish.html), so under a busy server a copy made of
plain steps may never end. The store runs in WAL mode, where a reader and the writer never block
each other: the copy holds ONE read transaction (a snapshot of the last commit) across all its
steps, so it sees no write and restarts never, while the server goes on committing into the WAL
(which only grows, uncheckpointed, until the copy ends). The steps and the pause between them are
for the disk, which the copy would otherwise take whole for as long as it reads.

A file in another journal mode (one stepwell never opened) is copied in plain steps: a snapshot
held there would lock every writer out for the whole copy.

The copy is written beside FILE under a temporary name and renamed into place when complete, so
FILE is never a half-written copy; it is left in rollback-journal mode (one file, no -wal), and
the store turns WAL on again when it opens it.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

STEP_PAGES = 1024  # 4 MiB of 4 KiB pages per step
STEP_PAUSE = 0.005  # seconds between two steps


class BackupError(Exception):
    """The copy cannot be made: ``str()`` says why, in words for the command line."""


@dataclass(frozen=True)
class Copied:
    pages: int
    page_size: int
    snapshot: bool  # whether one read transaction held the source still (WAL)

    @property
    def size(self) -> int:
        return self.pages * self.page_size


def backup(source: str | Path, target: str | Path, *, force: bool = False) -> Copied:
    """Copy the SQLite database at ``source`` to ``target``, consistently, while others write it."""
    source, target = Path(source), Path(target)
    if not source.is_file():
        raise BackupError(f"cannot back up {str(source)!r}: no such file")
    if target.exists() and not force:
        raise BackupError(f"{str(target)!r} exists: give --force to replace it")
    if target.exists() and target.resolve() == source.resolve():
        raise BackupError(f"cannot back up {str(source)!r} onto itself")
    if not target.parent.is_dir():
        raise BackupError(f"cannot write {str(target)!r}: its folder does not exist")
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        copied = _copy(source, partial)
        os.replace(partial, target)
    except sqlite3.Error as failure:
        raise BackupError(f"cannot back up {str(source)!r}: {failure}") from None
    except OSError as failure:
        raise BackupError(f"cannot write {str(target)!r}: {failure.strerror}") from None
    finally:
        partial.unlink(missing_ok=True)
    _sync_folder(target.parent)
    return copied


def _copy(source: Path, partial: Path) -> Copied:
    # mode=rw: a missing file is an error, not a new empty database.
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=rw", uri=True, isolation_level=None, timeout=30)
    try:
        if src.execute("SELECT 1 FROM sqlite_master WHERE name = 'schema_migrations'").fetchone() is None:
            raise BackupError(f"{str(source)!r} is not a stepwell database")
        snapshot = str(src.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal"
        if snapshot:
            src.execute("BEGIN")
            src.execute("SELECT COUNT(*) FROM schema_migrations").fetchone()  # the snapshot starts here
        partial.unlink(missing_ok=True)
        dst = sqlite3.connect(partial, isolation_level=None)
        try:
            src.backup(dst, pages=STEP_PAGES, sleep=STEP_PAUSE)
            if snapshot:
                src.execute("COMMIT")
            dst.execute("PRAGMA journal_mode=DELETE")
            pages = int(dst.execute("PRAGMA page_count").fetchone()[0])
            page_size = int(dst.execute("PRAGMA page_size").fetchone()[0])
        finally:
            dst.close()
    finally:
        src.close()
    return Copied(pages, page_size, snapshot)


def _sync_folder(folder: Path) -> None:
    """The rename survives a power loss once the folder's entry is on disk too."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
