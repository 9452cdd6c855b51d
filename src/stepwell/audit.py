"""The audit log: one CloudTrail-shaped record per API call, as JSON Lines appended to a file.

    stepwell serve --audit-log audit.jsonl          (env STEPWELL_AUDIT_LOG)

A record holds what CloudTrail's management events hold (reference operations.md §6; CloudTrail
User Guide, "record contents"): who called (``userIdentity``), when the call was completed
(``eventTime``, ISO-8601 UTC seconds), the operation (``eventName``), from where
(``sourceIPAddress``, ``userAgent``), its parameters and answer (``requestParameters``,
``responseElements``), its refusal (``errorCode``, ``errorMessage``, only on a failure), the
request's id (the ``x-amzn-RequestId`` the caller saw) and one of its own (``eventID``).

- Every member botocore's model marks ``sensitive`` (definitions, inputs, outputs, task tokens,
  errors and causes, descriptions, variables, and whatever is nested in them) reads
  ``HIDDEN_DUE_TO_SECURITY_REASONS``: AWS's record of CreateStateMachine hides its definition so;
  hiding the other sensitive members too is the safe default (§6). Members the model does not
  declare are left out, and timestamps read as CloudTrail writes them (``Dec 3, 2026 8:00:00 AM``).
- ``responseElements`` is null for read-only calls ("present in events for actions that make
  changes", CloudTrail's record contents), for empty answers (DeleteActivity's, §6) and for
  refusals; ``requestParameters`` is null when the request was refused before it was read (a bad
  target, bad JSON, a broken constraint) or for its identity (§6's AccessDenied record).
- ``readOnly`` follows the Service Authorization Reference's access levels: Read and List are
  read-only; GetActivityTask is Write (it hands a task to a worker and starts it), so is TestState.
- Without a verified identity (no auth configured, or refused by it) ``userIdentity`` is
  ``{"type": "Unknown"}`` — CloudTrail's type for "an identity type that CloudTrail cannot
  determine" — rather than the access key the request claims, which anyone may write;
  ``sourceIPAddress`` and ``userAgent`` still say where it came from.

Writing never holds the API up: ``record`` only queues the call's values (finished ones: the
parsed request and the service's answer, which nothing changes once the reply is written); a
thread of its own redacts, formats and appends them, in one write per FLUSH_SECONDS at most,
flushed to the operating system at each write (a kill -9 loses at most that long) and whole at
``close``.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from queue import Empty, SimpleQueue
from typing import IO, Any

from stepwell.asl import jsoncodec

log = logging.getLogger("stepwell.audit")

HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS"
EVENT_VERSION = "1.09"
FLUSH_SECONDS = 0.1
LONGEST_TARGET, LONGEST_USER_AGENT = 80, 1000  # a client's garbage is cut, not logged whole
# Refused for who called (auth): AWS's AccessDenied record holds no parameters (§6).
IDENTITY_ERRORS = frozenset(
    {
        "AccessDeniedException",
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "IncompleteSignatureException",
        "MissingAuthenticationTokenException",
        "ExpiredTokenException",
    }
)
READ_ONLY_GETS = frozenset({"GetExecutionHistory", "ValidateStateMachineDefinition"})
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()

Walk = Callable[[Any], Any]


def is_read_only(operation: str) -> bool:
    return operation.startswith(("Describe", "List")) or operation in READ_ONLY_GETS


def cloudtrail_date(value: Any) -> str:
    """A timestamp as CloudTrail writes it in requestParameters and responseElements."""
    moment = value if isinstance(value, datetime) else datetime.fromtimestamp(float(value), UTC)
    moment = moment.astimezone(UTC) if moment.tzinfo else moment
    hour = moment.hour % 12 or 12
    half = "AM" if moment.hour < 12 else "PM"
    return f"{_MONTHS[moment.month - 1]} {moment.day}, {moment.year} {hour}:{moment:%M:%S} {half}"


class Redaction:
    """Each operation's input and output shape compiled once (at start) into a walk that hides
    the sensitive members, drops the undeclared ones and writes timestamps as CloudTrail does.

    ``shapes`` and ``operations`` are botocore's model: its shapes, and operation -> (input shape,
    output shape) names (api/shapes.py reads them)."""

    def __init__(self, shapes: Mapping[str, Mapping[str, Any]], operations: Mapping[str, tuple[Any, Any]]):
        self._shapes = shapes
        self._walks: dict[str, Walk] = {}
        self.inputs = {op: self._walk(shape) for op, (shape, _) in operations.items() if shape}
        self.outputs = {op: self._walk(shape) for op, (_, shape) in operations.items() if shape}

    def request(self, operation: str, parameters: Any) -> Any:
        walk = self.inputs.get(operation)
        return walk(parameters) if walk is not None else None

    def response(self, operation: str, output: Any) -> Any:
        walk = self.outputs.get(operation)
        return walk(output) if walk is not None else None

    def _walk(self, name: str) -> Walk:
        walk = self._walks.get(name)
        if walk is None:
            # A shape that contains itself finds this indirection while it is compiled.
            self._walks[name] = lambda value: self._walks[name](value)
            walk = self._walks[name] = self._compile(self._shapes[name])
        return walk

    def _compile(self, shape: Mapping[str, Any]) -> Walk:
        if shape.get("sensitive"):
            return _hidden
        kind = shape["type"]
        if kind == "structure":
            members = {
                name: _hidden if member.get("sensitive") else self._walk(member["shape"])
                for name, member in shape["members"].items()
            }
            return _structure_walk(members)
        if kind == "list":
            element = self._walk(shape["member"]["shape"])
            return lambda value: [None if item is None else element(item) for item in value]
        if kind == "map":
            if self._shapes[shape["key"]["shape"]].get("sensitive"):
                return _hidden
            item_walk = self._walk(shape["value"]["shape"])
            return lambda value: {key: item_walk(item) for key, item in value.items() if item is not None}
        if kind == "timestamp":
            return cloudtrail_date
        return _same


def _structure_walk(members: dict[str, Walk]) -> Walk:
    def walk(value: Mapping[str, Any]) -> dict[str, Any]:
        out = {}
        for name, item in value.items():
            member = members.get(name)
            if member is not None and item is not None:
                out[name] = member(item)
        return out

    return walk


def _hidden(value: Any) -> str:
    return HIDDEN


def _same(value: Any) -> Any:
    return value


def user_identity(principal: Any, account: str) -> dict[str, Any]:
    """CloudTrail's userIdentity of a verified principal (``.name``, ``.arn``, ``.access_key_id``)."""
    if principal is None:
        return {"type": "Unknown"}
    arn = str(getattr(principal, "arn", "") or "")
    name = str(getattr(principal, "name", "") or "")
    parts = arn.split(":", 5)
    resource = parts[5] if len(parts) == 6 else ""
    kind = (
        "AssumedRole" if resource.startswith("assumed-role/") else "Root" if resource == "root" else "IAMUser"
    )
    return {
        "type": kind,
        "principalId": str(getattr(principal, "principal_id", "") or name),
        "arn": arn,
        "accountId": parts[4] if len(parts) == 6 and parts[4] else account,
        "accessKeyId": str(getattr(principal, "access_key_id", "") or ""),
        "userName": name,
    }


@dataclass(frozen=True, slots=True)
class Call:
    """One answered API call, as the API saw it: queued by ``record``, written by the thread."""

    completed: float  # epoch seconds
    operation: str | None  # None: refused before it named an operation of the model
    target: str | None  # the X-Amz-Target header as sent
    parameters: Any  # the request as read (None: refused before it was read)
    output: Any  # the service's answer (None on a refusal)
    error_code: str | None
    error_message: str | None
    principal: Any
    request_id: str
    source_ip: str
    user_agent: str
    from_console: bool = False  # made by a console page on the principal's behalf


class AuditLog:
    """The file and the thread that writes it."""

    def __init__(self, stream: IO[bytes], redaction: Redaction, *, account: str, region: str):
        self._stream = stream
        self._redaction = redaction
        self._account = account
        self._region = region
        self._calls: SimpleQueue[Call | None] = SimpleQueue()
        self._thread = threading.Thread(target=self._write, name="stepwell-audit", daemon=True)
        self._thread.start()

    @classmethod
    def open(cls, path: str, redaction: Redaction, *, account: str, region: str) -> AuditLog:
        """Append to ``path`` (created if need be). Raises OSError when it cannot be opened."""
        return cls(open(path, "ab"), redaction, account=account, region=region)

    def record(self, call: Call) -> None:
        self._calls.put(call)

    def close(self) -> None:
        """Write what is queued, then close the file."""
        self._calls.put(None)
        self._thread.join()
        self._stream.close()

    # ---- the writing thread ---------------------------------------------------------------------
    def _write(self) -> None:
        ending = False
        while not ending:
            first = self._calls.get()
            lines: list[bytes] = []
            if first is None:
                ending = True
            else:
                lines.append(self._line(first))
                time.sleep(FLUSH_SECONDS)  # let a batch gather: one write for all of them
            while True:
                try:
                    call = self._calls.get_nowait()
                except Empty:
                    break
                if call is None:
                    ending = True
                else:
                    lines.append(self._line(call))
            if lines:
                try:
                    self._stream.write(b"".join(lines))
                    self._stream.flush()
                except OSError:
                    log.exception("cannot write the audit log: %d records lost", len(lines))

    def _line(self, call: Call) -> bytes:
        try:
            return jsoncodec.dumps(self.event(call)) + b"\n"
        except Exception:  # a value the model did not foresee: the call is still recorded
            log.exception("the audit record of %s could not be written whole", call.operation)
            return jsoncodec.dumps(self.event(call, whole=False)) + b"\n"

    def event(self, call: Call, whole: bool = True) -> dict[str, Any]:
        """The CloudTrail record of a call."""
        operation = call.operation
        failed = call.error_code is not None
        parameters = response = None
        if whole and operation is not None and call.parameters is not None:
            if call.error_code not in IDENTITY_ERRORS:
                parameters = self._redaction.request(operation, call.parameters)
            if not failed and call.output and not is_read_only(operation):
                response = self._redaction.response(operation, call.output)
        record: dict[str, Any] = {
            "eventVersion": EVENT_VERSION,
            "userIdentity": user_identity(call.principal, self._account),
            "eventTime": datetime.fromtimestamp(call.completed, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "eventSource": "states.amazonaws.com",
            "eventName": operation if operation is not None else _target_name(call.target),
            "awsRegion": self._region,
            "sourceIPAddress": call.source_ip,
            "userAgent": call.user_agent[:LONGEST_USER_AGENT],
        }
        if failed:
            record["errorCode"] = call.error_code
            record["errorMessage"] = call.error_message or ""
        if call.from_console:  # CloudTrail's mark of a call made with a console session
            record["sessionCredentialFromConsole"] = "true"
        record.update(
            {
                "requestParameters": parameters,
                "responseElements": response,
                "requestID": call.request_id,
                "eventID": str(uuid.uuid4()),
                "readOnly": operation is not None and is_read_only(operation),
                "eventType": "AwsApiCall",
                "managementEvent": True,
                "recipientAccountId": self._account,
                "eventCategory": "Management",
            }
        )
        return record


def _target_name(target: str | None) -> str:
    """What a request refused before it named an operation asked for: its target, cut short."""
    if target is None:
        return ""
    return target.removeprefix("AWSStepFunctions.")[:LONGEST_TARGET]
