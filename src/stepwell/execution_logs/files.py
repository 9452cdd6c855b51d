"""JSON Lines files as the destination (``--logs-dir``), for a server with no CloudWatch Logs.

One file per log group, in one folder: the group's name percent-encoded (every character but
letters, digits, ``_``, ``.``, ``-`` and ``~``, so ``/`` and ``#`` too), then ``.jsonl``:
``/aws/vendedlogs/states/orders`` is ``%2Faws%2Fvendedlogs%2Fstates%2Forders.jsonl``. The
encoding is reversible (``urllib.parse.unquote``), so no two groups share a file, and nothing a
name holds can reach outside the folder. Each line is one record, the message CloudWatch would
hold, in the order the records were written.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from stepwell.execution_logs.notices import Notices
from stepwell.execution_logs.records import LogEvent

SUFFIX = ".jsonl"


def file_name(log_group: str) -> str:
    return quote(log_group, safe="") + SUFFIX


class LogFiles:
    """The sink that appends to the files of one folder (called from the delivery's one thread)."""

    def __init__(self, folder: Path | str, notices: Notices | None = None):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)  # OSError: the server refuses to start
        self.notices = notices or Notices()

    def path(self, log_group: str) -> Path:
        return self.folder / file_name(log_group)

    def write(self, events: list[LogEvent]) -> None:
        by_group: dict[str, list[str]] = {}
        for event in events:
            by_group.setdefault(event.log_group, []).append(event.message)
        for group, messages in by_group.items():
            try:
                # Opened for each batch: a file moved away (logrotate) is started again.
                with self.path(group).open("a", encoding="utf-8") as file:
                    file.write("".join(message + "\n" for message in messages))
            except OSError as error:
                self.notices.warning(
                    f"file:{group}",
                    "execution logs: cannot append to %s (%s): %d records dropped (said once a minute)",
                    self.path(group),
                    error.strerror or error,
                    len(messages),
                )

    def close(self) -> None:
        """Nothing held: each write closed its file."""
