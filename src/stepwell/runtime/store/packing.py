"""How the SQL backends keep an execution's snapshot and history chunks small on disk.

A waiting execution's snapshot and first history chunk repeat what its row already says: its ARN,
its machine's and role's ARNs, the same key names in every document, the input two or three times.
Each blob is stored deflated (raw DEFLATE, zlib's level 6 for small blobs, 1 for large ones) against
a preset dictionary made of the key names every snapshot and event uses and the strings derived
from the execution's own ARN: what repeats costs a back-reference of two or three bytes, not its
length. The input, repeated inside one blob, is written once and referred to after.

A packed blob starts with ``FORMAT`` (a byte that JSON never starts with); anything else is a
document written before packing existed, read as it is: no migration has to rewrite old rows.

The dictionary is part of the stored format: ``_TEMPLATE`` and ``_dictionary`` must never change
(rows written with them could no longer be read); a better dictionary is a new format byte.
"""

from __future__ import annotations

import zlib

FORMAT = 0x01  # raw DEFLATE against _dictionary(arn)
_TAG = bytes([FORMAT])
_WBITS = -12  # raw DEFLATE (no header, no checksum: the database keeps its own), a 4 KB window
_MEMLEVEL = 5  # small compressor state: setting it up costs more than compressing a snapshot
_SMALL = 4096  # up to this size, level 6 costs no more than level 1 and packs tighter

# Key names and fixed values of the engine's snapshot format 2 and of history events, most
# frequent last (DEFLATE reaches the end of the dictionary most cheaply). Frozen: see above.
_TEMPLATE = (
    b'"taskFailedEventDetails":{"error":"States.TaskFailed","cause":"'
    b'"taskScheduledEventDetails":{"resourceType":"lambda","resource":"invoke","region":"'
    b'"parameters":"{\\"FunctionName\\":\\"","Payload\\":'
    b'"taskSucceededEventDetails":{"resourceType":"lambda","resource":"invoke","output":"'
    b'"executionFailedEventDetails":{"error":"States.Runtime","cause":"'
    b'"executionSucceededEventDetails":{"output":"","outputDetails":{"truncated":false}}'
    b'"stateExitedEventDetails":{"name":"","output":"","outputDetails":{"truncated":false}}'
    b',"type":"ExecutionSucceeded","type":"PassStateExited","type":"TaskStateEntered"'
    b',"type":"ChoiceStateEntered","type":"MapStateEntered","type":"ParallelStateEntered"'
    b'"waiting":"task","work":{"kind":"task","task_id":"'
    b'"waiting":"timer","work":{"kind":"timer","timer_id":"w1"}}'
    b'"frames":[{"id":"f0","program":"","state":"","input":{},"entered":true,"entered_event_id":2,'
    b'"entered_time":,"last_event_id":2,'
    b'{"format":2,"input":{},"next_event_id":3,"sequence":1,"open_timers":{"w1":"f0"},'
    b'"execution":{"execution_arn":"","name":"","state_machine_arn":"","state_machine_name":"",'
    b'"role_arn":"","start_time":}'
    b'[{"timestamp":,"type":"ExecutionStarted","id":1,"previousEventId":0,'
    b'"executionStartedEventDetails":{"input":"","inputDetails":{"truncated":false},"roleArn":"'
    b'"}},{"timestamp":,"type":"WaitStateEntered","id":2,"previousEventId":0,'
    b'"stateEnteredEventDetails":{"name":"","input":"","inputDetails":{"truncated":false}}}'
)


def _dictionary(arn: str) -> bytes:
    """The template, then what the execution's ARN tells: its account's role prefix, its machine's
    ARN and name, and the ARN itself (``arn:aws:states:<region>:<account>:execution:<machine>:<name>``).
    Plain string operations: the result must stay the same for as long as rows exist."""
    parts = arn.split(":")
    extra = arn
    if len(parts) >= 8:
        machine_arn = ":".join([*parts[:5], "stateMachine", parts[6]])
        extra = f"arn:aws:iam::{parts[4]}:role/{parts[6]}:{machine_arn}:{arn}"
    return _TEMPLATE + extra.encode()


def pack(arn: str, document: bytes) -> bytes:
    """The document as stored: tagged, deflated against the execution's dictionary."""
    level = 6 if len(document) <= _SMALL else 1
    packer = zlib.compressobj(level, zlib.DEFLATED, _WBITS, _MEMLEVEL, zdict=_dictionary(arn))
    return _TAG + packer.compress(document) + packer.flush()


def unpack(arn: str, stored: bytes) -> bytes:
    """The document ``pack`` stored (or a document stored as it was, before packing)."""
    if not stored or stored[0] != FORMAT:
        return stored
    unpacker = zlib.decompressobj(_WBITS, zdict=_dictionary(arn))
    return unpacker.decompress(memoryview(stored)[1:]) + unpacker.flush()
