"""The observer that writes execution logs: each committed step's history events, as records, to
the destination, from a thread of its own.

Concurrency. ``Delivery.__call__`` runs on the executor's thread (and on the threads of Express
executions) after each commit; it looks the step's revision up and, when that revision logs,
puts the step on a bounded queue. A revision not seen yet is read from the store there and then,
once: on the thread that committed the step, before a later commit (an UpdateStateMachine) can
change what the store says of the machine. One thread, ``stepwell-execution-logs``, takes the
steps off the queue, turns their events into records and writes them to the sink in batches. The
executor never waits for it: a full queue drops the step (a warning at most once a minute), as
"logging is best effort" on AWS. ``close`` lets the thread write what is queued, for a while.

Which configuration. An execution logs by the loggingConfiguration of the revision it runs:
the machine's when it started, a version's when started on a version (or an alias routing to
one). A revision never changes (UpdateStateMachine makes a new one), so the settings are cached
by revision id and never invalidated: the next execution after an update runs the new revision,
and its first step reads the new settings (each thread reads through its own connection:
``store.reader``). A Distributed Map's child executions log by their
parent's revision. An execution still running on a revision that is neither the machine's
current one nor a version's (updated since, unpublished) logs by the machine's current settings:
the store keeps no other copy of that revision's configuration.

The cost for a state machine that does not log, the common case: one dict lookup per step (and
one read of the store per revision).
"""

from __future__ import annotations

import logging
import queue
import threading
from typing import Any, Final, Protocol

from stepwell import arns
from stepwell.asl import jsoncodec
from stepwell.execution_logs.notices import Notices
from stepwell.execution_logs.records import LogEvent, LogSettings, log_events, settings_of
from stepwell.runtime.observers import Committed
from stepwell.runtime.store import Reads, Store

log = logging.getLogger("stepwell.execution_logs")

QUEUE_STEPS = 10_000  # steps waiting to be written; more are dropped
DRAIN_STEPS = 1_000  # steps taken off the queue for one write
CLOSE_SECONDS = 10.0  # how long close waits for the queue to be written
MAX_VERSIONS = 1_000  # AWS's limit of versions per state machine
_CACHED_REVISIONS = 4_096


class Sink(Protocol):
    """Where records go: CloudWatch Logs, files, or nowhere. Called from the delivery's thread
    only; never raises (a failure is its own warning)."""

    def write(self, events: list[LogEvent]) -> None: ...
    def close(self) -> None: ...


class _Unresolved:
    """The settings of a revision not looked up yet."""


UNRESOLVED: Final = _Unresolved()
_Item = tuple[Committed, LogSettings]  # a step, with the settings of its revision
_STOP: Final = None


class Delivery:
    def __init__(
        self, store: Store, sink: Sink, *, queue_steps: int = QUEUE_STEPS, notices: Notices | None = None
    ):
        self.store = store
        self.sink = sink
        self.notices = notices or Notices()
        # Revision id -> its settings (None: it logs nothing). Written by the thread, read by
        # the observer: single dict operations, atomic in CPython.
        self._settings: dict[str, LogSettings | None] = {}
        self._queue: queue.Queue[_Item | None] = queue.Queue(queue_steps)
        self._dropped = 0
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="stepwell-execution-logs", daemon=True)
        self._thread.start()

    def __call__(self, step: Committed) -> None:
        settings = self._settings.get(step.revision_id, UNRESOLVED)
        if isinstance(settings, _Unresolved):
            try:
                settings = self._resolved(step)
            except Exception:  # a store that cannot be read: this step's records go
                self._failed()
                return
        if settings is None or self._closed:
            return
        try:
            self._queue.put_nowait((step, settings))
        except queue.Full:
            self._dropped += 1
            if self.notices.warning(
                "queue-full",
                "execution logs: %d steps wait to be written; the records of %d more were dropped "
                "(said at most once a minute)",
                self._queue.maxsize,
                self._dropped,
            ):
                self._dropped = 0

    def close(self, timeout: float = CLOSE_SECONDS) -> None:
        """Write what is queued (for ``timeout`` seconds at most), then close the sink. Steps
        observed later are not written."""
        if self._closed:
            return
        self._closed = True
        try:
            self._queue.put(_STOP, timeout=timeout)
        except queue.Full:
            log.warning("execution logs: the queue was not written within %.0f s of the stop", timeout)
        self._thread.join(timeout)
        self.sink.close()

    # ---- the thread -------------------------------------------------------------------------
    def _run(self) -> None:
        stopping = False
        while not stopping:
            items = [self._queue.get()]
            while len(items) < DRAIN_STEPS:
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            stopping = _STOP in items
            events: list[LogEvent] = []
            for item in items:
                if item is None:
                    continue
                try:
                    events += self._log_events(*item)
                except Exception:  # a store that cannot be read, a bug: this step's records go
                    self._failed()
            if events:
                try:
                    self.sink.write(events)
                except Exception:  # a sink says its own failures: this is a bug
                    self._failed()

    def _failed(self) -> None:
        """The thread goes on; the failure is said at most once a minute."""
        if self.notices.warning("failed", "execution logs: records could not be made or written"):
            log.exception("execution logs: the failure")

    def _log_events(self, step: Committed, settings: LogSettings) -> list[LogEvent]:
        return log_events(
            step.events,
            settings,
            execution_arn=step.execution_arn,
            machine_name=arns.parse_arn(arns.unlabelled(step.machine_arn)).names[0],
            redrive_count=step.redrive_count,
        )

    def _resolved(self, step: Committed) -> LogSettings | None:
        cached = self._settings.get(step.revision_id, UNRESOLVED)
        if not isinstance(cached, _Unresolved):
            return cached
        settings = settings_of(self._configuration(step.machine_arn, step.revision_id))
        if step.revision_id:
            if len(self._settings) >= _CACHED_REVISIONS:
                self._settings.clear()
            self._settings[step.revision_id] = settings
        return settings

    def _configuration(self, machine_arn: str, revision_id: str) -> dict[str, Any] | None:
        """The loggingConfiguration the revision was made with (module docstring)."""
        machine_arn = arns.unlabelled(machine_arn)
        revision_id = revision_id.partition("/")[0]  # a Map Run's children: "<revision>/<label>"
        reader: Reads = self.store.reader  # this thread's own connection
        machine = reader.state_machine(machine_arn)
        if machine is None:
            return None
        config = machine.config
        if machine.revision_id != revision_id:
            for version in reader.versions(machine_arn, 1 << 62, MAX_VERSIONS):
                if version.revision_id == revision_id:
                    config = version.config
                    break
        logging_configuration: dict[str, Any] | None = jsoncodec.loads(config).get("loggingConfiguration")
        return logging_configuration
