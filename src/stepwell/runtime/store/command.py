"""``stepwell db migrate``, ``stepwell db purge`` and ``stepwell db backup``: the database outside
a running server.

    stepwell db migrate [--db stepwell.db | postgresql://USER@HOST:PORT/DBNAME]
    stepwell db purge --older-than 90d [--db ...]
    stepwell db backup FILE [--db stepwell.db] [--force]

``serve`` migrates at start too; ``migrate`` lets a deployment upgrade the schema first, once,
before it starts its nodes. ``purge`` deletes closed executions (with their histories) that
stopped longer ago than the given age — AWS keeps a closed execution for 90 days. ``backup``
copies a SQLite database consistently while a server runs on it (backup.py); PostgreSQL has
``pg_dump`` for that.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from typing import Any

from stepwell.runtime.store import POSTGRES_SCHEMES, StoreError, open_store, safe_location
from stepwell.runtime.store.backup import BackupError, backup

PURGE_CHUNK = 500  # executions per transaction, so a server sharing the database keeps going
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def add_db_command(commands: Any) -> None:
    db = commands.add_parser("db", help="create or upgrade the database, purge old executions, back it up")
    actions = db.add_subparsers(dest="db_command", required=True)
    location = {"default": os.environ.get("STEPWELL_DB", "stepwell.db"), "help": DB_HELP}
    migrate = actions.add_parser("migrate", help="create or upgrade the schema (serve does it at start)")
    migrate.add_argument("--db", **location)
    migrate.set_defaults(handler=_migrate)
    purge = actions.add_parser("purge", help="delete closed executions that stopped long enough ago")
    purge.add_argument("--db", **location)
    purge.add_argument("--older-than", required=True, type=duration, metavar="AGE", help="e.g. 90d, 12h, 30m")
    purge.set_defaults(handler=_purge)
    copy = actions.add_parser("backup", help="copy a SQLite database consistently, while a server runs on it")
    copy.add_argument("file", metavar="FILE", help="where the copy goes")
    copy.add_argument("--db", **location)
    copy.add_argument("--force", action="store_true", help="replace FILE if it exists")
    copy.set_defaults(handler=_backup)


DB_HELP = "the SQLite file (default ./stepwell.db, env STEPWELL_DB) or postgresql://USER@HOST:PORT/DBNAME"


def duration(text: str) -> float:
    """Seconds in an age such as ``90d``, ``12h``, ``30m`` or ``45s``."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd])\s*", text)
    if match is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not an age such as 90d, 12h, 30m or 45s")
    return float(match.group(1)) * _UNITS[match.group(2)]


def _migrate(args: argparse.Namespace) -> int:
    store = open_store(args.db)
    try:
        applied = store.open()
    except StoreError as unusable:
        print(f"stepwell: {unusable}", file=sys.stderr)
        return 2
    finally:
        store.close()
    where = safe_location(args.db)
    if applied:
        print(f"{where}: applied migration{'s' if len(applied) > 1 else ''} {', '.join(map(str, applied))}")
    else:
        print(f"{where}: up to date")
    return 0


def _purge(args: argparse.Namespace) -> int:
    store = open_store(args.db)
    try:
        store.open()
        cutoff = time.time() - args.older_than
        total = 0
        while True:
            with store.writer.transaction() as db:
                purged = db.purge_executions(cutoff, PURGE_CHUNK)
            total += purged
            if purged < PURGE_CHUNK:
                break
    except StoreError as unusable:
        print(f"stepwell: {unusable}", file=sys.stderr)
        return 2
    finally:
        store.close()
    print(f"{safe_location(args.db)}: purged {total} closed execution{'' if total == 1 else 's'}")
    return 0


def _backup(args: argparse.Namespace) -> int:
    if str(args.db).startswith(POSTGRES_SCHEMES):
        print(
            f"stepwell: {safe_location(args.db)} is a PostgreSQL database: back it up with pg_dump "
            "(a consistent snapshot while the server runs), e.g. pg_dump --format=custom --file=FILE URL",
            file=sys.stderr,
        )
        return 2
    try:
        copied = backup(args.db, args.file, force=args.force)
    except BackupError as cannot:
        print(f"stepwell: {cannot}", file=sys.stderr)
        return 2
    print(f"{args.db}: backed up to {args.file} ({copied.size / 1_048_576:.1f} MiB)")
    return 0
