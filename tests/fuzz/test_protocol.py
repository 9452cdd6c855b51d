"""HTTP and AWS-JSON-protocol oddities, written byte for byte on fresh sockets.

Each case says what it may get back: ``api`` is a well-formed request to the API whose reply must
be AWS's (a JSON object, ``__type`` and a message on a 4xx); ``http`` may also be a plain HTTP
refusal (405, uvicorn's 400) or a closed connection, never a 5xx or a hang; ``slow`` may also get
no reply in time (the server is still waiting for the body it was promised).
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz import model
from tests.fuzz.conftest import fuzz_settings
from tests.fuzz.oracle import COUNTS, Findings, api_problem, probe
from tests.fuzz.wire import TARGET_PREFIX, NoReply, Reply, exchange
from tests.server.process import ServerProcess

SETTLE = 0.01  # seconds for the server to notice a closed connection, before its log is read
LIST = f"{TARGET_PREFIX}ListStateMachines"
MiB = 1024 * 1024


def request(
    body: bytes = b"{}",
    *,
    method: str = "POST",
    path: str = "/",
    version: str = "HTTP/1.1",
    target: str | None = LIST,
    content_type: str | None = "application/x-amz-json-1.0",
    host: str | None = "127.0.0.1",
    length: int | str | None = -1,
    extra: tuple[str, ...] = (),
) -> bytes:
    """A request as bytes; ``length=-1`` writes the true Content-Length, None writes none."""
    lines = [f"{method} {path} {version}"]
    if host is not None:
        lines.append(f"Host: {host}")
    if target is not None:
        lines.append(f"X-Amz-Target: {target}")
    if content_type is not None:
        lines.append(f"Content-Type: {content_type}")
    if length == -1:
        lines.append(f"Content-Length: {len(body)}")
    elif length is not None:
        lines.append(f"Content-Length: {length}")
    lines.extend(extra)
    return "\r\n".join(lines).encode("latin-1") + b"\r\n\r\n" + body


def chunked(*chunks: bytes, trailer: bytes = b"") -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n" + trailer + b"\r\n"


@dataclass(frozen=True)
class Case:
    name: str
    data: bytes
    expect: str = "api"  # api | http | slow
    replies: int = 1
    status: int | None = None  # the status AWS (or HTTP) answers, where it is certain
    timeout: float = 10.0


CHUNKED = ("Transfer-Encoding: chunked",)
CASES: tuple[Case, ...] = (
    # --- the target -------------------------------------------------------------------------
    Case("no target", request(target=None), status=400),
    Case("unknown operation", request(target=f"{TARGET_PREFIX}NoSuchOperation"), status=400),
    Case("bare prefix", request(target=TARGET_PREFIX), status=400),
    Case("prefix without dot", request(target="AWSStepFunctions"), status=400),
    Case("other service", request(target="AmazonSQS.ListQueues"), status=400),
    Case("lower-case prefix", request(target="awsstepfunctions.ListStateMachines")),
    Case("target with spaces", request(target=f" {LIST} ")),
    Case("target latin-1 bytes", request(target=f"{TARGET_PREFIX}List\xff\xe9"), status=400),
    Case("target 8 KB", request(target=TARGET_PREFIX + "A" * 8000), expect="http"),
    Case("two targets", request(extra=(f"X-Amz-Target: {TARGET_PREFIX}ListActivities",))),
    # --- the content type -------------------------------------------------------------------
    Case("no content type", request(content_type=None)),
    Case("text/plain", request(content_type="text/plain")),
    Case("json with charset", request(content_type="application/x-amz-json-1.0; charset=utf-8"), status=200),
    Case("application/json", request(content_type="application/json")),
    Case("json 1.1", request(content_type="application/x-amz-json-1.1")),
    Case("form", request(b"a=1&b=2", content_type="application/x-www-form-urlencoded")),
    Case("multipart", request(b"--x\r\n\r\n--x--", content_type="multipart/form-data; boundary=x")),
    Case("content type garbage", request(content_type=";;;")),
    Case("control byte in a header", request(content_type="a\x01b"), expect="http"),
    # --- the body -----------------------------------------------------------------------------
    Case("empty body", request(b"")),
    Case("whitespace body", request(b" \r\n\t ")),
    Case("not JSON", request(b"hello")),
    Case("truncated JSON", request(b'{"maxResults": 1')),
    Case("non-UTF-8 bytes", request(b'{"nextToken": "\xff\xfe\xfd"}')),
    Case("UTF-16 JSON", request('{"maxResults": 1}'.encode("utf-16"))),
    Case("overlong UTF-8", request(b'{"nextToken": "\xc0\xaf"}')),
    Case("raw lone surrogate bytes", request(b'{"nextToken": "\xed\xa0\x80"}')),
    Case("JSON array", request(b"[]"), status=400),
    Case("JSON array of object", request(b"[{}]"), status=400),
    Case("JSON number", request(b"1"), status=400),
    Case("JSON string", request(b'"x"'), status=400),
    Case("JSON null", request(b"null"), status=400),
    Case("JSON true", request(b"true"), status=400),
    Case("BOM", request(b"\xef\xbb\xbf{}")),
    Case("duplicate keys", request(b'{"maxResults": 1, "maxResults": "x"}')),
    Case("duplicate keys, valid last", request(b'{"maxResults": "x", "maxResults": 1}')),
    Case("trailing garbage", request(b"{}xyz")),
    Case("two documents", request(b"{}{}")),
    Case("NUL body", request(b"\x00")),
    Case("NaN member", request(b'{"maxResults": NaN}')),
    Case("1e400 member", request(b'{"maxResults": 1e400}')),
    Case("2**64 member", request(b'{"maxResults": 18446744073709551616}')),
    Case("10,000 deep body", request(b'{"a":' * 10_000 + b"1" + b"}" * 10_000)),
    Case("100,000 deep array member", request(b'{"maxResults":' + b"[" * 100_000 + b"]" * 100_000 + b"}")),
    Case("1 MiB body", request(b'{"nextToken": "' + b"x" * (MiB - 17) + b'"}')),
    Case("1 MiB + 1 body", request(b'{"nextToken": "' + b"x" * (MiB - 16) + b'"}'), status=413),
    Case("5 MiB body", request(b'{"nextToken": "' + b"x" * (5 * MiB) + b'"}'), status=413, timeout=20),
    # --- framing ------------------------------------------------------------------------------
    Case("Content-Length too small", request(b'{"maxResults": 1}', length=5), expect="http", replies=2),
    Case("Content-Length too big", request(b"{}", length=100), expect="slow", timeout=2),
    Case("Content-Length negative", request(b"{}", length=-5), expect="http"),
    Case("Content-Length not a number", request(b"{}", length="abc"), expect="http"),
    Case("Content-Length 2**64", request(b"{}", length=2**64), expect="http", timeout=3),
    Case("two Content-Lengths", request(b"{}", extra=("Content-Length: 1",)), expect="http"),
    Case("no Content-Length", request(b"{}", length=None), expect="http"),
    Case("chunked", request(chunked(b'{"maxR', b'esults": 1}'), length=None, extra=CHUNKED), status=200),
    Case("chunked empty", request(chunked(), length=None, extra=CHUNKED)),
    Case(
        "chunked with trailer",
        request(chunked(b"{}", trailer=b"X-Trailer: 1\r\n"), length=None, extra=CHUNKED),
        expect="http",
    ),
    Case("chunked bad size", request(b"zz\r\n{}\r\n0\r\n\r\n", length=None, extra=CHUNKED), expect="http"),
    Case(
        "chunked 2 MiB",
        request(chunked(*[b" " * 65536] * 32, b"{}"), length=None, extra=CHUNKED),
        status=413,
        timeout=20,
    ),
    Case("chunked and Content-Length", request(chunked(b"{}"), length=5, extra=CHUNKED), expect="http"),
    Case(
        "Expect 100-continue",
        request(b"{}", extra=("Expect: 100-continue",)),
        expect="http",
        replies=2,
    ),
    # --- HTTP versions and methods -----------------------------------------------------------
    Case("HTTP/1.0", request(version="HTTP/1.0"), status=200),
    Case("HTTP/1.0 without Host", request(version="HTTP/1.0", host=None), expect="http"),
    Case("HTTP/1.1 without Host", request(host=None), expect="http"),
    Case("HTTP/0.9", b"GET /\r\n", expect="slow", timeout=2),  # a parser waits for the headers
    Case("HTTP/2 preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", expect="http"),
    Case("HTTP/9.9", request(version="HTTP/9.9"), expect="http"),
    Case("GET /", request(b"", method="GET"), expect="http"),
    Case("HEAD /", request(b"", method="HEAD"), expect="http"),
    Case("PUT /", request(method="PUT"), expect="http"),
    Case("DELETE /", request(method="DELETE"), expect="http"),
    Case("PATCH /", request(method="PATCH"), expect="http"),
    Case("OPTIONS *", request(b"", method="OPTIONS", path="*"), expect="http"),
    Case("lower-case method", request(method="post"), expect="http"),
    Case("unknown method", request(method="BREW"), expect="http"),
    # --- paths --------------------------------------------------------------------------------
    Case("POST /other", request(path="/other"), expect="http"),
    Case("POST //", request(path="//"), expect="http"),
    Case("POST /?x=1", request(path="/?x=1"), expect="http"),
    Case("POST /..", request(path="/../../etc/passwd"), expect="http"),
    Case("GET encoded dots", request(b"", method="GET", path="/%2e%2e/%2e%2e/etc/passwd"), expect="http"),
    Case("GET %00", request(b"", method="GET", path="/%00"), expect="http"),
    Case("GET raw bytes", request(b"", method="GET", path="/\xff\xfe"), expect="http"),
    Case("GET 60 KB path", request(b"", method="GET", path="/" + "a" * 60_000), expect="http"),
    Case("absolute form", request(path="http://evil.example/"), expect="http"),
    Case("GET favicon", request(b"", method="GET", path="/favicon.ico"), expect="http"),
    Case("GET console deep", request(b"", method="GET", path="/state-machines/%ff/x/y"), expect="http"),
    # --- Host ---------------------------------------------------------------------------------
    Case("Host foreign", request(host="evil.example"), expect="http"),
    Case("Host foreign with port", request(host="evil.example:8083"), expect="http"),
    Case("Host empty", request(host=""), expect="http"),
    Case("Host localhost", request(host="localhost"), status=200),
    Case("Host [::1]", request(host="[::1]:8083"), expect="http"),
    Case("Host rebinding name", request(host="127.0.0.1.nip.io"), expect="http"),
    Case("Host 8 KB", request(host="a" * 8000), expect="http"),
    Case("two Hosts", request(extra=("Host: evil.example",)), expect="http"),
    Case("Host with NUL", request(host="127.0.0.1\x00evil"), expect="http"),
    # --- headers ------------------------------------------------------------------------------
    Case("200 headers", request(extra=tuple(f"X-H{i}: {i}" for i in range(200))), expect="http"),
    Case("100 KB header", request(extra=("X-Big: " + "a" * 100_000,)), expect="http"),
    Case("header without colon", request(extra=("NoColon",)), expect="http"),
    Case("folded header", request(extra=("X-Fold: a", " b")), expect="http"),
    Case("header name with space", request(extra=("Bad Name: x",)), expect="http"),
    Case("Connection: close", request(extra=("Connection: close",)), status=200),
    Case("bare LF line ends", request().replace(b"\r\n", b"\n"), expect="http"),
)


def _check(case: Case, replies: list[Reply]) -> str | None:
    first = replies[0]
    for reply in replies:
        if reply.status >= 500:
            return f"HTTP {reply.status}"
    if case.expect == "api":
        if first.status == 100 and len(replies) > 1:
            first = replies[1]
        problem = api_problem(first)
        if problem is not None:
            return problem
    if case.status is not None and first.status != case.status:
        return f"HTTP {first.status}, expected {case.status}"
    return None


def _send(port: int, findings: Findings, case: Case) -> None:
    COUNTS["protocol"] += 1
    COUNTS[f"protocol:{case.expect}"] += 1
    try:
        replies = exchange(
            port, case.data, replies=case.replies, timeout=case.timeout, head=case.data.startswith(b"HEAD ")
        )
    except NoReply as silence:
        time.sleep(SETTLE * 20)  # what the server logs when it sees the client go is this case's
        closed = "closed" in str(silence) or "reset" in str(silence).lower()
        if case.expect == "slow" or (case.expect == "http" and closed):
            findings.check_log(case.name, case.data)
            return
        findings.problem(case.name, f"no reply: {silence}", case.data)
        return
    except OSError as broken:
        findings.problem(case.name, f"connection failed: {broken!r}", case.data)
        return
    time.sleep(SETTLE)
    problem = _check(case, replies)
    if problem is not None:
        findings.problem(case.name, problem, case.data, replies[0])
    else:
        findings.check_log(case.name, case.data)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_protocol_case(
    case: Case, fuzz_server: ServerProcess, findings_for: Callable[[str], Findings]
) -> None:
    findings = findings_for("protocol")
    _send(fuzz_server.port, findings, case)
    findings.assert_none()


def test_pipelined_requests_answer_in_order(
    fuzz_server: ServerProcess, findings_for: Callable[[str], Findings]
) -> None:
    findings = findings_for("protocol")
    data = (
        request(b"{}")
        + request(b"[]", target=f"{TARGET_PREFIX}ListActivities")
        + request(b"{}", target=f"{TARGET_PREFIX}NoSuchOperation")
        + request(b'{"maxResults": 1}', target=f"{TARGET_PREFIX}ListActivities")
    )
    COUNTS["protocol"] += 4
    replies = exchange(fuzz_server.port, data, replies=4)
    statuses = [r.status for r in replies]
    assert statuses == [200, 400, 400, 200], statuses
    assert "stateMachines" in replies[0].json()
    assert replies[1].json()["__type"] == "SerializationException"
    assert replies[2].json() == {"__type": "UnknownOperationException"}
    assert "activities" in replies[3].json()
    findings.check_log("pipelined", data)
    findings.assert_none()


def test_oversized_content_length_is_refused_before_the_body_arrives(fuzz_server: ServerProcess) -> None:
    """Issue 9: "Refuse an oversized body from Content-Length or after reading 1 MiB, not after
    all of it." A 400 MB promise gets its 413 after 64 KiB has been sent."""
    COUNTS["protocol"] += 1
    head = request(b"", length=400_000_000)
    with socket.create_connection(("127.0.0.1", fuzz_server.port), timeout=5) as sock:
        sock.sendall(head + b" " * 65536)
        stream = sock.makefile("rb")
        status_line = stream.readline()
    assert status_line.split()[1:2] == [b"413"], status_line


def test_error_then_valid_request_on_one_connection(fuzz_server: ServerProcess) -> None:
    """A refused request does not spoil its keep-alive connection."""
    COUNTS["protocol"] += 3
    data = request(b"not json") + request(b'{"a":' * 5000 + b"1" + b"}" * 5000) + request(b"{}")
    replies = exchange(fuzz_server.port, data, replies=3)
    assert [r.status for r in replies] == [400, 400, 200], [(r.status, r.body[:100]) for r in replies]


def test_half_open_connections_do_not_block_others(
    fuzz_server: ServerProcess, findings_for: Callable[[str], Findings]
) -> None:
    """Twenty clients that send half a request and wait; a twenty-first is answered at once; the
    twenty then go away, which is not an error of the server's."""
    findings = findings_for("protocol")
    half = b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n{"
    hung = []
    try:
        for _ in range(20):
            sock = socket.create_connection(("127.0.0.1", fuzz_server.port), timeout=5)
            sock.sendall(half)
            hung.append(sock)
        COUNTS["protocol"] += 21
        started = time.monotonic()
        replies = exchange(fuzz_server.port, request(), timeout=5)
        assert replies[0].status == 200
        assert time.monotonic() - started < 2.0
    finally:
        for sock in hung:
            sock.close()
    time.sleep(0.2)
    findings.check_log("half-open connections closed", half)
    findings.assert_none()


METHODS = ("POST", "POST", "POST", "GET", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH")
PATHS = ("/", "/", "/", "//", "/x", "/?a=b", "/state-machines", "/executions/%ff", "*")
HEADER_VALUES = st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=40)


@st.composite
def random_requests(draw: st.DrawFn) -> bytes:
    operation = draw(st.sampled_from(model.OPERATIONS))
    target = draw(
        st.one_of(
            st.just(TARGET_PREFIX + operation),
            HEADER_VALUES.map(lambda t: TARGET_PREFIX + t),
            HEADER_VALUES,
            st.none(),
        )
    )
    content_type = draw(
        st.one_of(
            st.sampled_from(("application/x-amz-json-1.0", "application/json", "text/plain")),
            HEADER_VALUES,
            st.none(),
        )
    )
    body = draw(
        st.one_of(
            st.binary(max_size=200),
            st.text(max_size=100).map(lambda t: t.encode("utf-8", "surrogatepass")),
            model.json_values().map(lambda v: json.dumps(v).encode()),
            st.dictionaries(st.text(max_size=10), model.json_values(), max_size=5).map(
                lambda v: json.dumps(v).encode()
            ),
        )
    )
    return request(
        body,
        method=draw(st.sampled_from(METHODS)),
        path=draw(st.sampled_from(PATHS)),
        target=target,
        content_type=content_type,
        host=draw(st.sampled_from(("127.0.0.1", "127.0.0.1", "localhost", "evil.example", ""))),
    )


def test_random_requests(fuzz_server: ServerProcess, findings_for: Callable[[str], Findings]) -> None:
    findings = findings_for("protocol")

    @fuzz_settings(3.0)
    @given(random_requests())
    def fuzz(data: bytes) -> None:
        # Well-formed HTTP with random headers and bodies: a reply, never a 5xx or a hang.
        _send(fuzz_server.port, findings, Case("random", data, expect="http"))

    fuzz()
    probe(fuzz_server.port, findings, "the protocol cases")
    findings.assert_none()
