"""Recording that a function or service call was handed over, before it goes out.

A call's row is written "queued" with the step that asked for it. Right before its side effect
starts (a worker process takes it, its request leaves) the invoker calls ``call.handed_over()``,
which lands here: the row becomes "started" in an executor transaction, and the call goes out only
after that commit. After a crash, recovery fails a started call as in flight (it may have run) and
simply calls a queued one (it never did).

Many calls are handed over at once (every worker that frees takes the next call), so they share
one work item: the first call of a round submits it, the others join the round until the executor
runs it, and all of them wait for the same commit. A busy executor adds the round to a transaction
it makes anyway, so a hand-over costs an UPDATE, not a transaction.
"""

from __future__ import annotations

import threading
import weakref
from concurrent.futures import Future
from typing import TYPE_CHECKING

from stepwell.runtime.invokers.base import CallWithdrawn

if TYPE_CHECKING:
    from stepwell.runtime.batch import Batch
    from stepwell.runtime.executor import Executor

QUEUED, STARTED = "queued", "started"
POLL_SECONDS = 0.25  # how often a waiting call checks that the executor still runs

_recorders: weakref.WeakKeyDictionary[Executor, HandOvers] = weakref.WeakKeyDictionary()
_recorders_lock = threading.Lock()


class HandOver:
    """One call's ``TaskCall.hand_over``: True once its row is marked started and committed;
    False, so nothing is sent, when the row is no longer queued (the task was cancelled: timeout,
    stop, the execution's end). Asked twice, it gives the first answer."""

    __slots__ = ("answer", "executor", "token")

    def __init__(self, executor: Executor, token: str):
        self.executor = executor
        self.token = token
        self.answer: bool | None = None

    def __call__(self) -> bool:
        if self.answer is None:
            self.answer = recorder(self.executor).record(self.token)
        return self.answer


def recorder(executor: Executor) -> HandOvers:
    """The executor's recorder (one per executor, so its rounds are shared)."""
    with _recorders_lock:
        found = _recorders.get(executor)
        if found is None:
            found = _recorders[executor] = HandOvers(executor)
        return found


class _Round:
    """Hand-overs marked by one work item; ``done`` (once submitted) resolves after its commit."""

    __slots__ = ("done", "tokens")

    def __init__(self) -> None:
        self.tokens: list[str] = []
        self.done: Future[dict[str, bool]] | None = None


class HandOvers:
    """The hand-overs of one executor's calls."""

    def __init__(self, executor: Executor):
        self.executor = executor
        self._lock = threading.Lock()
        self._open: _Round | None = None  # the round the executor has not run yet

    def record(self, token: str) -> bool:
        """Mark the call's row started and wait for the commit (see HandOver)."""
        with self._lock:
            joined = self._open
            if joined is None:
                joined = self._open = _Round()
                chosen = joined
                joined.done = self.executor.submit(lambda batch: self._mark(batch, chosen))
            joined.tokens.append(token)
            done = joined.done
        assert done is not None
        return self._committed(done)[token]

    def _mark(self, batch: Batch, taken: _Round) -> dict[str, bool]:
        """In the executor's transaction (run again alone if the batch is rolled back: it then
        marks the same tokens again)."""
        with self._lock:
            if self._open is taken:
                self._open = None  # calls handed over from now on start the next round
            tokens = list(taken.tokens)
        return {token: batch.db.hand_over_task(token, QUEUED, STARTED) for token in tokens}

    def _committed(self, done: Future[dict[str, bool]]) -> dict[str, bool]:
        """The round's answers once committed; raises CallWithdrawn when the executor stopped
        first (work submitted after its last transaction never runs: the calls stay queued)."""
        while True:
            try:
                return done.result(timeout=POLL_SECONDS)
            except TimeoutError:
                if not _running(self.executor) and not done.done():
                    raise CallWithdrawn() from None


def _running(executor: Executor) -> bool:
    return executor.alive
