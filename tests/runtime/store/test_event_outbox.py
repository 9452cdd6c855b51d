"""The event outbox of every store (protocol.py, stepwell/events): one row per event and destination,
claimed oldest first, deleted when accepted, released when not; on PostgreSQL, nodes never hold
one row at once and a node's hold runs out."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from stepwell.runtime.store.postgres import PostgresStore
from stepwell.runtime.store.protocol import Store
from tests.runtime.store.test_contract import Boom

HOOK = "http://127.0.0.1:9/events"
BRIDGE = "eventbridge"
LEASE = 60.0


def body(n: int) -> bytes:
    return b'{"id":"%d","detail":{"status":"RUNNING"}}' % n


def claim(store: Store, destination: str, limit: int = 10, lease: float = LEASE) -> list[bytes]:
    with store.writer.transaction() as db:
        return [event.body for event in db.claim_events(destination, limit, lease, time.time())]


def seqs(store: Store, destination: str, limit: int = 10) -> list[int]:
    with store.writer.transaction() as db:
        return [event.seq for event in db.claim_events(destination, limit, LEASE, time.time())]


def test_an_event_waits_for_each_of_its_destinations(store: Store) -> None:
    assert store.reader.events_waiting() == {}
    with store.writer.transaction() as db:
        for n in range(3):
            db.add_event(body(n), [HOOK, BRIDGE])
    assert store.reader.events_waiting() == {HOOK: 3, BRIDGE: 3}
    assert claim(store, HOOK) == [body(0), body(1), body(2)], "oldest first"
    assert claim(store, BRIDGE, limit=2) == [body(0), body(1)]


def test_an_accepted_event_is_gone_and_a_refused_one_stays_for_the_next_claim(store: Store) -> None:
    with store.writer.transaction() as db:
        for n in range(3):
            db.add_event(body(n), [HOOK, BRIDGE])
    first, second, third = seqs(store, HOOK)
    with store.writer.transaction() as db:
        db.delete_events([first])
        db.release_events([second, third])
    assert claim(store, HOOK) == [body(1), body(2)]
    assert claim(store, BRIDGE) == [body(0), body(1), body(2)], "the other destination still has all"
    with store.writer.transaction() as db:
        db.delete_events([second, third])
    assert claim(store, HOOK) == []
    assert store.reader.events_waiting() == {BRIDGE: 3}


def test_a_rolled_back_transaction_writes_no_event(store: Store) -> None:
    with pytest.raises(Boom), store.writer.transaction() as db:
        db.add_event(body(0), [HOOK])
        raise Boom
    assert store.reader.events_waiting() == {}
    with store.writer.transaction() as db:
        db.add_event(body(1), [HOOK])
    [held] = seqs(store, HOOK)
    with pytest.raises(Boom), store.writer.transaction() as db:
        db.delete_events([held])
        raise Boom
    assert claim(store, HOOK) == [body(1)], "a delete rolled back leaves the event"


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_an_exclusive_store_takes_back_what_it_held_before_a_restart(
    backend: str, open_store: Callable[[str], Store]
) -> None:
    store = open_store(backend)
    with store.writer.transaction() as db:
        db.add_event(body(0), [HOOK])
    assert claim(store, HOOK) == [body(0)]
    assert claim(store, HOOK) == [body(0)], "held by this process: not waited for"


# ---- many nodes (PostgreSQL) ----------------------------------------------------------------


def nodes(open_store: Callable[[str], Store], lease: float = 30.0) -> tuple[Store, Store]:
    """Two nodes on the test's database, alive (they joined) for ``lease`` seconds."""
    a, b = open_store("postgresql"), open_store("postgresql")
    assert isinstance(a, PostgresStore) and isinstance(b, PostgresStore)
    a.join(lease)
    b.join(30.0)
    return a, b


def test_two_nodes_never_hold_one_event(open_store: Callable[[str], Store]) -> None:
    a, b = nodes(open_store)
    with a.writer.transaction() as db:
        for n in range(4):
            db.add_event(body(n), [HOOK])
    with a.writer.transaction() as db_a:
        held_a = [e.body for e in db_a.claim_events(HOOK, 2, LEASE, time.time())]
        with b.writer.transaction() as db_b:  # a's claim is not committed: skipped, not waited for
            held_b = [e.body for e in db_b.claim_events(HOOK, 10, LEASE, time.time())]
    assert (held_a, held_b) == ([body(0), body(1)], [body(2), body(3)])
    assert claim(b, HOOK) == [body(2), body(3)], "its own hold: taken again"
    assert claim(a, HOOK) == [body(0), body(1)]
    assert claim(b, HOOK) == [body(2), body(3)], "a's committed hold is still a's"


def test_a_hold_runs_out_and_a_release_ends_it(open_store: Callable[[str], Store]) -> None:
    a, b = nodes(open_store)
    with a.writer.transaction() as db:
        db.add_event(body(0), [HOOK])
        db.add_event(body(1), [HOOK])
    with a.writer.transaction() as db:
        first, second = db.claim_events(HOOK, 10, 0.2, time.time())
    assert claim(b, HOOK) == []
    time.sleep(0.3)  # the database's clock times the hold: no other way to let it run out
    assert claim(b, HOOK, lease=LEASE) == [body(0), body(1)], "a hold that ran out is given up"
    with b.writer.transaction() as db:
        db.release_events([first.seq, second.seq])
    assert claim(a, HOOK) == [body(0), body(1)]


def test_a_node_whose_lease_expired_gives_its_events_up(open_store: Callable[[str], Store]) -> None:
    a, b = nodes(open_store, lease=0.2)
    with a.writer.transaction() as db:
        db.add_event(body(0), [HOOK])
    assert claim(a, HOOK) == [body(0)]
    assert claim(b, HOOK) == [], "held by a live node"
    time.sleep(0.3)  # a's lease runs out by the database's clock
    assert claim(b, HOOK) == [body(0)], "a dead node's hold ends with its lease, before its own time"
