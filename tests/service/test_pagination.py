from __future__ import annotations

import base64
from typing import Any

import pytest

from stepwell.service.pagination import INVALID_TOKEN_MESSAGE, InvalidToken, PageTokens

SECRET = b"a per-server secret of some length"
T0 = 1_700_000_000.0
ARN = "arn:aws:states:us-east-1:123456789012:execution:Orders:run-0042"


class FakeClock:
    def __init__(self, now: float = T0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def _tokens(clock: FakeClock | None = None, secret: bytes = SECRET) -> PageTokens:
    return PageTokens(secret, clock=clock or FakeClock())


def _reason(tokens: PageTokens, operation: str, scope: str, token: str) -> str:
    with pytest.raises(InvalidToken) as caught:
        tokens.decode(operation, scope, token)
    assert caught.value.code == "InvalidToken"
    assert caught.value.message == INVALID_TOKEN_MESSAGE == "Invalid Token: 'Invalid token'"
    assert str(caught.value) == INVALID_TOKEN_MESSAGE
    return caught.value.reason


@pytest.mark.parametrize(
    "position",
    [
        ARN,
        17,
        None,
        [3, "x"],
        {"startDate": 1_700_000_000.123, "arn": ARN},
        {"name": "注文-é😀"},
    ],
)
def test_round_trip(position: Any) -> None:
    tokens = _tokens()
    token = tokens.encode("ListExecutions", "sm=Orders;status=RUNNING", position)
    assert tokens.decode("ListExecutions", "sm=Orders;status=RUNNING", token) == position


def test_tokens_are_opaque_url_safe_and_short() -> None:
    token = _tokens().encode("ListExecutions", "sm=Orders", {"arn": ARN, "startDate": T0})
    assert ARN not in token and "Orders" not in token
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert len(token) < 300


def test_another_server_with_the_same_secret_accepts_the_token() -> None:
    token = _tokens().encode("ListStateMachines", "", "Orders")
    assert _tokens().decode("ListStateMachines", "", token) == "Orders"


def test_a_token_signed_with_another_secret_is_refused() -> None:
    token = _tokens(secret=b"old secret").encode("ListStateMachines", "", "Orders")
    assert _reason(_tokens(), "ListStateMachines", "", token) == "malformed"


def test_tampering_with_any_byte_is_detected() -> None:
    tokens = _tokens()
    token = tokens.encode("ListActivities", "", "Approve")
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    for i in range(len(raw)):
        changed = raw[:i] + bytes([raw[i] ^ 0x01]) + raw[i + 1 :]
        forged = base64.urlsafe_b64encode(changed).rstrip(b"=").decode()
        assert _reason(tokens, "ListActivities", "", forged) == "malformed"


def test_a_forged_position_is_refused() -> None:
    tokens = _tokens()
    token = tokens.encode("ListActivities", "", "A")
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    forged_raw = raw.replace(b'"A"', b'"Z"')
    assert forged_raw != raw
    forged = base64.urlsafe_b64encode(forged_raw).rstrip(b"=").decode()
    assert _reason(tokens, "ListActivities", "", forged) == "malformed"


@pytest.mark.parametrize(
    "token",
    ["x", "abc", "not a token", "é" * 8, "AAAA", "====", "a" * 1024, "eyJmb28iOiAiYmFyIn0", "-_-_-_"],
)
def test_malformed_tokens(token: str) -> None:
    assert _reason(_tokens(), "ListStateMachines", "", token) == "malformed"


def test_a_token_from_another_operation_is_refused() -> None:
    tokens = _tokens()
    token = tokens.encode("ListStateMachines", "", "Orders")
    assert _reason(tokens, "ListActivities", "", token) == "other_request"


def test_a_token_from_another_filter_is_refused() -> None:
    tokens = _tokens()
    token = tokens.encode("ListExecutions", "sm=Orders;status=RUNNING", ARN)
    assert _reason(tokens, "ListExecutions", "sm=Orders;status=FAILED", token) == "other_request"
    assert _reason(tokens, "ListExecutions", "sm=Billing;status=RUNNING", token) == "other_request"


def test_operation_and_scope_cannot_be_shifted_into_each_other() -> None:
    tokens = _tokens()
    token = tokens.encode("List", "Executions", 1)
    assert _reason(tokens, "ListExecutions", "", token) == "other_request"


def test_expiry_after_24_hours() -> None:
    clock = FakeClock()
    tokens = _tokens(clock)
    token = tokens.encode("GetExecutionHistory", ARN, 100)
    clock.now = T0 + 24 * 3600
    assert tokens.decode("GetExecutionHistory", ARN, token) == 100
    clock.now = T0 + 24 * 3600 + 1
    assert _reason(tokens, "GetExecutionHistory", ARN, token) == "expired"


def test_custom_time_to_live() -> None:
    clock = FakeClock()
    tokens = PageTokens(SECRET, clock=clock, ttl_seconds=60)
    token = tokens.encode("ListActivities", "", "A")
    clock.now = T0 + 61
    assert _reason(tokens, "ListActivities", "", token) == "expired"


def test_other_request_is_reported_before_expiry() -> None:
    clock = FakeClock()
    tokens = _tokens(clock)
    token = tokens.encode("ListExecutions", "sm=Orders", ARN)
    clock.now = T0 + 10 * 24 * 3600
    assert _reason(tokens, "ListExecutions", "sm=Billing", token) == "other_request"


def test_a_position_too_large_for_a_token_is_a_programming_error() -> None:
    tokens = _tokens()
    tokens.encode("ListExecutions", "", "x" * 600)
    with pytest.raises(ValueError, match="too large"):
        tokens.encode("ListExecutions", "", "x" * 1000)


def test_an_empty_secret_is_refused() -> None:
    with pytest.raises(ValueError):
        PageTokens(b"")
