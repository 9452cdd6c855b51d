"""The dispatcher: calls go out against places, their rows say "started" before they do, and a
transaction that rolls back leaves places and queues as they were."""

from __future__ import annotations

from typing import Any

from stepwell.engine.commands import InvokeTask
from stepwell.runtime.dispatch import MOST_AHEAD, QUEUED, STARTED, THREADS, WORKERS, Call, Dispatcher


class FakeStore:
    """The one query the dispatcher makes: queued -> started, refused once the task has ended."""

    def __init__(self) -> None:
        self.status: dict[str, str] = {}

    def hand_over_task(self, token: str, queued: str, started: str) -> bool:
        if self.status.get(token) != queued:
            return False
        self.status[token] = started
        return True


class FakeBatch:
    def __init__(self, store: FakeStore):
        self.db = store
        self.after: list[Any] = []
        self.undo: list[Any] = []

    def commit(self, executor: Any = None) -> None:
        for action in self.after:
            action(executor)

    def roll_back(self) -> None:
        for action in reversed(self.undo):
            action()


def _call(token: str, lane: str = WORKERS) -> Call:
    command = InvokeTask(
        task_id=token, resource="arn:aws:lambda:us-east-1:1:function:f", payload={}, state_name="T", attempt=0
    )
    return Call("arn:exec", command, token, lane)


class Harness:
    def __init__(self, workers: int = 2, threads: int = 4):
        self.sent: list[str] = []
        self.store = FakeStore()
        self.dispatcher = Dispatcher(workers, threads, lambda executor, call: self.sent.append(call.token))
        self.calls: dict[str, Call] = {}

    def schedule(self, *tokens: str, lane: str = WORKERS) -> FakeBatch:
        batch = FakeBatch(self.store)
        for token in tokens:
            call = self.calls[token] = _call(token, lane)
            self.store.status[token] = self.dispatcher.call(batch, call)  # type: ignore[arg-type]
        return batch

    def finish(self, token: str) -> FakeBatch:
        batch = FakeBatch(self.store)
        self.dispatcher.finished(batch, self.calls[token])  # type: ignore[arg-type]
        return batch


def test_calls_beyond_the_places_wait_queued_and_nothing_goes_out_before_the_commit() -> None:
    h = Harness(workers=2)
    batch = h.schedule("a", "b", "c", "d")
    assert h.store.status == {"a": STARTED, "b": STARTED, "c": QUEUED, "d": QUEUED}
    assert h.sent == []
    batch.commit()
    assert h.sent == ["a", "b"]


def test_a_finished_call_passes_its_place_to_the_next_one_in_the_same_transaction() -> None:
    h = Harness(workers=2)
    h.schedule("a", "b", "c").commit()
    batch = h.finish("a")
    assert h.store.status["c"] == STARTED  # marked in the transaction that frees the place
    assert h.sent == ["a", "b"]
    batch.commit()
    assert h.sent == ["a", "b", "c"]


def test_a_queued_call_whose_task_ended_is_dropped() -> None:
    h = Harness(workers=1)
    h.schedule("a", "b", "c").commit()
    h.store.status["b"] = "closed"  # timed out while it waited
    h.finish("a").commit()
    assert h.sent == ["a", "c"]


def test_a_rollback_gives_back_what_the_transaction_took() -> None:
    h = Harness(workers=1)
    h.schedule("a").commit()
    rolled = h.schedule("b", "c")
    rolled.roll_back()  # the rows were never written: the queue holds nothing of them
    assert not h.dispatcher.lanes[WORKERS].waiting
    finishing = h.finish("a")
    finishing.roll_back()  # the place is busy again, as before
    assert h.dispatcher.lanes[WORKERS].busy == 1
    h.finish("a").commit()
    assert h.dispatcher.lanes[WORKERS].busy == 0


def test_lanes_are_counted_apart() -> None:
    h = Harness(workers=1, threads=2)
    h.schedule("w1", "w2").commit()
    h.schedule("t1", "t2", "t3", lane=THREADS).commit()
    assert h.sent == ["w1", "t1", "t2"]


def test_short_calls_may_run_ahead_of_the_workers_long_ones_may_not() -> None:
    h = Harness(workers=2)
    lane = h.dispatcher.lanes[WORKERS]
    assert lane.limit() == 2
    lane.call_seconds, lane.gap_seconds = 1.5, 0.002  # a 1.5 s function: only calls on a worker
    assert lane.limit() == 2
    lane.call_seconds, lane.gap_seconds = 0.001, 0.002  # commits take longer than the calls
    assert lane.limit() == 2 + 4
    lane.call_seconds, lane.gap_seconds = 0.0001, 0.01
    assert lane.limit() == 2 + MOST_AHEAD * 2
    assert h.dispatcher.lanes[THREADS].limit() == 4  # one per thread, never ahead
