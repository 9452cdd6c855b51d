"""What the fuzz suite asserts, and how it keeps what it finds.

The oracle, for every request: no 5xx; an API reply is a JSON object, and a 4xx one carries
``__type`` and a message (framework errors, ``SerializationException`` and
``UnknownOperationException``, may have none: src/stepwell/api/protocol.py); the server answers
in time; nothing new in its log is a Traceback. Findings are collected, not raised one by one, so
a run lists every distinct bug; of each kind the shortest request is kept as its reproducer.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.fuzz.wire import NoReply, Reply, Wire

FRAMEWORK_ERRORS = frozenset({"SerializationException", "UnknownOperationException"})
RESPONSIVE_SECONDS = 5.0

# Requests sent, per group and per detail ("operations: StartExecution"), for the summary line.
COUNTS: Counter[str] = Counter()
GROUP_SECONDS: dict[str, float] = {}


@dataclass
class Finding:
    group: str
    operation: str
    problem: str
    request: bytes
    note: str = ""
    status: int | None = None
    reply: bytes = b""
    traceback: list[str] = field(default_factory=list)
    times: int = 1

    def signatures(self) -> list[str]:
        if self.traceback:
            return sorted({_trace_key(line) for line in self.traceback})
        return [f"{self.operation}: {self.problem}"]

    def key(self) -> tuple[str, str, str]:
        # Tracebacks are told apart by their last frame and exception type, not by the message.
        if self.traceback:
            return self.group, self.operation, " | ".join(_trace_key(line) for line in self.traceback)
        return self.group, self.operation, self.problem

    def render(self, limit: int = 600) -> str:
        body = self.request if len(self.request) <= limit else self.request[:limit] + b"..."
        lines = [
            f"[{self.group}] {self.operation}: {self.problem}  (x{self.times})",
            f"    request ({len(self.request)} bytes): {body!r}",
        ]
        if self.note:
            lines.append(f"    how: {self.note[:limit]}")
        if self.status is not None:
            lines.append(f"    reply {self.status}: {self.reply[:300]!r}")
        lines.extend(f"    log: {line}" for line in self.traceback)
        return "\n".join(lines)


# Across the whole session: one entry per distinct bug (a traceback's signature, or a problem of
# an operation), with every operation it showed in and its shortest request.
BUGS: dict[str, tuple[Finding, set[str]]] = {}


def _trace_key(line: str) -> str:
    return re.sub(r"'[^']*'|\"[^\"]*\"|\d+", "_", line)


class LogWatch:
    """Reads what the server wrote to its log since the last look, and picks out the tracebacks."""

    def __init__(self, path: Path):
        self.path = path
        self.offset = path.stat().st_size if path.exists() else 0

    def tracebacks(self) -> list[str]:
        """One summary per new traceback: its last stepwell frame and its exception line."""
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            return []
        if size <= self.offset:
            return []
        with self.path.open("rb") as log:
            log.seek(self.offset)
            text = log.read(size - self.offset).decode("utf-8", "replace")
        self.offset = size
        if "Traceback" not in text:
            return []
        found = []
        lines = text.splitlines()
        for index, line in enumerate(lines):
            if not line.startswith("Traceback (most recent call last)"):
                continue
            frame = ""
            for follow in lines[index + 1 :]:
                if follow.startswith("  File "):
                    if "/stepwell/" in follow:
                        frame = follow.strip()
                elif follow and not follow.startswith(" "):
                    found.append(f"{frame} -> {follow.strip()[:300]}")
                    break
        return found


class Findings:
    """Everything one test found, deduplicated."""

    def __init__(self, group: str, log: LogWatch, findings_file: Path | None = None):
        self.group = group
        self.log = log
        self.found: dict[tuple[str, str, str], Finding] = {}
        self.findings_file = findings_file

    def add(self, finding: Finding) -> None:
        for signature in finding.signatures():
            known_bug = BUGS.get(signature)
            if known_bug is None:
                BUGS[signature] = (finding, {finding.operation})
            else:
                known_bug[1].add(finding.operation)
                if len(finding.request) < len(known_bug[0].request):
                    BUGS[signature] = (finding, known_bug[1])
        key = finding.key()
        known = self.found.get(key)
        if known is None:
            self.found[key] = finding
            if self.findings_file is not None:
                with self.findings_file.open("a", encoding="utf-8") as out:
                    record = {
                        "group": finding.group,
                        "operation": finding.operation,
                        "problem": finding.problem,
                        "note": finding.note,
                        "status": finding.status,
                        "reply": finding.reply.decode("utf-8", "replace")[:2000],
                        "traceback": finding.traceback,
                        "request": finding.request.decode("latin-1"),
                    }
                    out.write(json.dumps(record) + "\n")
        else:
            known.times += 1
            if len(finding.request) < len(known.request):
                finding.times = known.times
                self.found[key] = finding

    def problem(
        self,
        operation: str,
        problem: str,
        request: bytes,
        reply: Reply | None = None,
        note: str = "",
    ) -> None:
        self.add(
            Finding(
                self.group,
                operation,
                problem,
                request,
                note=note,
                status=reply.status if reply else None,
                reply=reply.body if reply else b"",
                traceback=self.log.tracebacks(),
            )
        )

    def check_log(self, operation: str, request: bytes, note: str = "") -> None:
        tracebacks = self.log.tracebacks()
        if tracebacks:
            self.add(
                Finding(
                    self.group, operation, "Traceback in the server log", request, note, None, b"", tracebacks
                )
            )

    def report(self) -> str:
        return "\n".join(finding.render() for finding in self.found.values())

    def assert_none(self) -> None:
        assert not self.found, f"{len(self.found)} distinct finding(s):\n{self.report()}"


def api_problem(reply: Reply) -> str | None:
    """Why an API reply breaks the oracle, or None."""
    if reply.status >= 500:
        return f"HTTP {reply.status}"
    try:
        document = json.loads(reply.body)
    except ValueError:
        return f"HTTP {reply.status} with a body that is not JSON"
    if not isinstance(document, dict):
        return f"HTTP {reply.status} with a JSON body that is not an object"
    if reply.status >= 400:
        kind = document.get("__type")
        if not isinstance(kind, str) or not kind:
            return f"HTTP {reply.status} without __type"
        code = kind.rpartition("#")[2]
        message = document.get("message", document.get("Message"))
        if code not in FRAMEWORK_ERRORS and not (isinstance(message, str) and message):
            return f"HTTP {reply.status} {code} without a message"
    return None


def send_checked(
    wire: Wire,
    findings: Findings,
    operation: str,
    body: bytes,
    *,
    note: str = "",
    timeout: float | None = None,
    target: str | None = None,
) -> Reply | None:
    """Send one API request and hold its reply to the oracle; None when there was none."""
    COUNTS[findings.group] += 1
    try:
        reply = wire.send(operation if target is None else target, body, timeout=timeout)
    except NoReply as silence:
        findings.problem(operation, f"no reply ({silence})", body, note=note)
        return None
    problem = api_problem(reply)
    if problem is not None:
        findings.problem(operation, problem, body, reply, note)
    else:
        findings.check_log(operation, body, note)
    return reply


def probe(port: int, findings: Findings, after: str) -> None:
    """The server still answers a read promptly (on a connection of its own)."""
    wire = Wire(port, timeout=RESPONSIVE_SECONDS)
    started = time.monotonic()
    try:
        reply = wire.send("ListStateMachines", b'{"maxResults": 1}')
    except NoReply as silence:
        findings.problem("ListStateMachines", f"server unresponsive after {after}: {silence}", b"{}")
        return
    finally:
        wire.close()
    if reply.status != 200 or time.monotonic() - started > RESPONSIVE_SECONDS:
        findings.problem("ListStateMachines", f"server unhealthy after {after}", b"{}", reply)


def summarize(value: Any, limit: int = 200) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} chars)"
