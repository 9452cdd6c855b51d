"""Every operation of botocore's model, valid-looking and mutated, as raw HTTP: nothing may answer
5xx, answer without ``__type`` and a message, leave a Traceback in the log, or stall the server."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given

from tests.fuzz import model
from tests.fuzz.conftest import fuzz_settings
from tests.fuzz.oracle import COUNTS, Findings, probe, send_checked
from tests.fuzz.pool import Pool
from tests.fuzz.wire import Wire, write_json
from tests.server.process import ServerProcess

# GetActivityTask long-polls 60 s when no task is queued (the pool queues one before each).
TIMEOUTS = {"GetActivityTask": 70.0}


@pytest.mark.parametrize("operation", model.OPERATIONS)
def test_operation(
    operation: str,
    fuzz_server: ServerProcess,
    pool: Pool,
    wire: Wire,
    findings_for: Callable[[str], Findings],
) -> None:
    findings = findings_for("operations")

    @fuzz_settings(1.0)
    @given(model.requests(operation))
    def fuzz(drawn: tuple[object, str]) -> None:
        request, note = drawn
        try:
            body = write_json(request, pool.resolve).encode("utf-8")
        except Exception as broken:  # making the victim of a Delete failed: the server is the suspect
            findings.problem(operation, f"setting up the request failed: {broken!r}", b"", note=note)
            return
        COUNTS[f"operations:{operation}"] += 1
        send_checked(wire, findings, operation, body, note=note, timeout=TIMEOUTS.get(operation))

    fuzz()
    probe(fuzz_server.port, findings, f"fuzzing {operation}")
    findings.check_log(operation, b"", "after the batch")
    findings.assert_none()
