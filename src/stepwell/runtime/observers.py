"""What the runtime tells the rest of the server after each commit.

An observer is a callable that receives one ``Committed`` per execution a transaction advanced,
after that transaction committed: the history events it appended, whether the execution began and
how it ended. The metrics count from it (``counting``); execution logs are written from it. It
runs on the executor's thread, so an observer is quick (it hands anything slow to a thread of its
own) and never raises: what it does is best effort, as CloudWatch's metrics and logs are, and
nothing it does can undo or delay the commit. A record that must survive a crash (a status-change
event) is written in the transaction instead (the store's outbox), not here.

Express executions run in memory (runtime/local.py) and are observed the same way: their events
are never stored, so an observer is the only place they are seen.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from stepwell.engine.commands import Finish
from stepwell.engine.history import DETAILS_KEY
from stepwell.runtime.task_metrics import TASK_EVENTS, TaskEvent, TaskTimes

if TYPE_CHECKING:
    from stepwell.metrics import Metrics

log = logging.getLogger("stepwell.runtime")


@dataclass(frozen=True, slots=True)
class Committed:
    """One execution's step, as committed."""

    execution_arn: str
    machine_arn: str  # the state machine (unqualified) the execution belongs to
    machine_type: str  # STANDARD or EXPRESS
    # The history events appended, in order, as engine/history.py makes them (timestamps in
    # epoch seconds, payloads as JSON text). Shared with the store's copy: never mutated.
    events: tuple[dict[str, Any], ...]
    began: bool  # the execution started in this step (its ExecutionStarted is among the events)
    finish: Finish | None  # how it ended, when it ended in this step
    start_time: float
    stop_time: float  # when it ended (0.0 while it runs)
    redrive_count: int = 0
    # The revision of the definition it runs (a version's, when started on one): what a
    # machine's configuration, its loggingConfiguration, was when the execution started.
    revision_id: str = ""


Observer = Callable[[Committed], None]


def notify(observers: list[Observer], committed: Committed) -> None:
    """Give the step to every observer; one that fails is logged and the others still run."""
    for observer in observers:
        try:
            observer(committed)
        except Exception:
            log.exception("an observer of committed steps failed (%r)", observer)


def counting(metrics: Metrics) -> Observer:
    """The observer that counts the metrics (stepwell/metrics.py) from each step: the executions',
    and the tasks' from their events (runtime/task_metrics.py)."""
    tasks = TaskTimes(metrics)
    # One lookup per event: the executor runs tens of thousands of them a second, most of them
    # no task's.
    counted: dict[str, object] = {
        **dict.fromkeys(_ENTERED_TYPES, _ENTERED),
        "ExecutionRedriven": _REDRIVEN,
        **TASK_EVENTS,
    }

    def count(step: Committed) -> None:
        machine_arn = step.machine_arn
        entered = 0
        redriven = False
        for event in step.events:
            what = counted.get(event["type"])
            if what is None:
                continue
            if what is _ENTERED:
                entered += 1
            elif what is _REDRIVEN:
                redriven = True
            else:
                assert isinstance(what, TaskEvent)
                tasks.record(what, step.execution_arn, event)
        if step.began:
            metrics.execution_started(machine_arn)
        if redriven:
            metrics.execution_redriven(machine_arn)
        metrics.states_entered(machine_arn, entered)
        if step.finish is not None:
            metrics.execution_ended(machine_arn, step.finish.status, step.stop_time - step.start_time)

    return count


_ENTERED, _REDRIVEN = object(), object()
_ENTERED_TYPES = [name for name in DETAILS_KEY if name.endswith("StateEntered")]
