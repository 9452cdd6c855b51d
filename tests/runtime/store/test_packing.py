"""Packed snapshots and history chunks: deflated against the execution's own dictionary."""

from __future__ import annotations

import zlib

from stepwell.runtime.store.packing import FORMAT, pack, unpack

ARN = "arn:aws:states:us-east-1:123456789012:execution:two:8d10a77f-dfc4-48d3-ad88-c6324fdf9231"
SNAPSHOT = (
    b'{"format":2,"input":{"order":1},"next_event_id":3,"sequence":1,"open_timers":{"w1":"f0"},'
    b'"execution":{"execution_arn":"%s","name":"8d10a77f-dfc4-48d3-ad88-c6324fdf9231",'
    b'"state_machine_arn":"arn:aws:states:us-east-1:123456789012:stateMachine:two",'
    b'"state_machine_name":"two","role_arn":"arn:aws:iam::123456789012:role/r","start_time":1.5},'
    b'"frames":[]}' % ARN.encode()
)


def test_a_packed_document_reads_back_byte_for_byte() -> None:
    for document in (SNAPSHOT, b"", b"[]", bytes(range(256)) * 100, "\u00e9\U0001f600".encode() * 3000):
        stored = pack(ARN, document)
        assert stored[0] == FORMAT
        assert unpack(ARN, stored) == document


def test_what_the_execution_arn_tells_costs_almost_nothing() -> None:
    stored = pack(ARN, SNAPSHOT)
    assert len(stored) < len(SNAPSHOT) // 4
    assert len(stored) < len(zlib.compress(SNAPSHOT, 9)) // 2


def test_a_document_written_before_packing_is_read_as_it_is() -> None:
    assert unpack(ARN, SNAPSHOT) == SNAPSHOT
    assert unpack(ARN, b'[{"id":1}]') == b'[{"id":1}]'
    assert unpack(ARN, b"") == b""


def test_any_arn_has_a_dictionary() -> None:
    for arn in ("arn:x", "", "arn:aws:states:r:a:express:m:n:x"):
        assert unpack(arn, pack(arn, SNAPSHOT)) == SNAPSHOT
