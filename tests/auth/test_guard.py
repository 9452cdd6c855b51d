"""The guard: the principal who signed, AccessDeniedException in AWS's words, the request context,
and resource tags read only when a policy that applies asks for them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from stepwell.auth.errors import AuthError
from stepwell.auth.guard import Guard
from stepwell.auth.identities import Identities, Principal, parse_identities
from tests.auth.signing import KEY, SECRET, incoming, signed_headers

HEAD = "arn:aws:states:us-east-1:123456789012"
ORDERS = f"{HEAD}:stateMachine:orders"
BILLING = f"{HEAD}:stateMachine:billing"
WHEN = datetime(2026, 12, 3, 7, 14, 16, tzinfo=UTC)


@dataclass
class Held:
    current: Identities


class Tags:
    """The store's tags, counting the reads."""

    def __init__(self, tags: dict[str, dict[str, str]]):
        self.tags = tags
        self.reads: list[str] = []

    def __call__(self, arn: str) -> dict[str, str]:
        self.reads.append(arn)
        return self.tags.get(arn, {})


def guard_for(*statements: dict[str, Any], tags: Tags | None = None) -> tuple[Guard, Principal]:
    identities = parse_identities(
        [
            {
                "name": "alice",
                "accessKeyId": KEY,
                "secretAccessKey": SECRET,
                "policy": {"Statement": list(statements)},
            }
        ],
        "123456789012",
    )
    guard = Guard(
        Held(identities),
        region="us-east-1",
        account="123456789012",
        resource_tags=tags or Tags({}),
        clock=lambda: WHEN.timestamp(),
    )
    return guard, identities.principals[0]


def denial(guard: Guard, principal: Principal, operation: str, source_ip: str | None = "127.0.0.1",
           **params: Any) -> str:  # fmt: skip
    with pytest.raises(AuthError) as refused:
        guard.authorize(principal, operation, params, source_ip=source_ip)
    assert (refused.value.code, refused.value.status) == ("AccessDeniedException", 400)
    assert not guard.allows(principal, operation, params, source_ip=source_ip)
    return refused.value.message


def test_verify_names_the_principal_who_signed() -> None:
    guard, alice = guard_for()
    assert guard.verify(incoming(signed_headers(WHEN))) is alice


def test_the_implicit_deny_message() -> None:
    guard, alice = guard_for({"Effect": "Allow", "Action": "states:StartExecution", "Resource": BILLING})
    assert denial(guard, alice, "StartExecution", stateMachineArn=ORDERS) == (
        "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: states:StartExecution on "
        f"resource: {ORDERS} because no identity-based policy allows the states:StartExecution action"
    )
    guard.authorize(alice, "StartExecution", {"stateMachineArn": BILLING}, source_ip=None)
    assert guard.allows(alice, "StartExecution", {"stateMachineArn": BILLING}, source_ip=None)


def test_an_action_on_no_resource_names_none() -> None:
    guard, alice = guard_for()
    assert denial(guard, alice, "ListStateMachines") == (
        "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: states:ListStateMachines "
        "because no identity-based policy allows the states:ListStateMachines action"
    )


def test_the_explicit_deny_message() -> None:
    guard, alice = guard_for(
        {"Effect": "Allow", "Action": "states:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "states:DeleteStateMachine", "Resource": ORDERS},
    )
    assert denial(guard, alice, "DeleteStateMachine", stateMachineArn=ORDERS) == (
        "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: states:DeleteStateMachine "
        f"on resource: {ORDERS} with an explicit deny in an identity-based policy"
    )


def test_publishing_needs_its_own_permission() -> None:
    guard, alice = guard_for({"Effect": "Allow", "Action": "states:CreateStateMachine", "Resource": "*"})
    params = {"name": "orders", "definition": "{}", "roleArn": "r"}
    guard.authorize(alice, "CreateStateMachine", params, source_ip=None)
    assert "perform: states:PublishStateMachineVersion on resource: " + ORDERS in denial(
        guard, alice, "CreateStateMachine", **params, publish=True
    )


def test_the_request_context() -> None:
    guard, alice = guard_for(
        {
            "Effect": "Allow",
            "Action": "states:ListStateMachines",
            "Resource": "*",
            "Condition": {
                "IpAddress": {"aws:SourceIp": "127.0.0.0/8"},
                "ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::123456789012:user/alice"},
                "StringEquals": {
                    "aws:username": "alice",
                    "aws:PrincipalAccount": "123456789012",
                    "aws:RequestedRegion": "us-east-1",
                },
                "DateLessThan": {"aws:CurrentTime": "2026-12-03T07:14:17Z"},
                "DateGreaterThan": {"aws:CurrentTime": "2026-12-03T07:14:15Z"},
                "NumericEquals": {"aws:EpochTime": int(WHEN.timestamp())},
                "Bool": {"aws:SecureTransport": "false"},
            },
        }
    )
    guard.authorize(alice, "ListStateMachines", {}, source_ip="127.0.0.1")
    denial(guard, alice, "ListStateMachines", source_ip="192.0.2.1")
    denial(guard, alice, "ListStateMachines", source_ip=None)  # no address: the key is absent


def test_request_tags_compare_their_key_in_any_case() -> None:
    guard, alice = guard_for(
        {
            "Effect": "Allow",
            "Action": "states:CreateActivity",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:RequestTag/Team": "blue"}},
        }
    )
    guard.authorize(
        alice, "CreateActivity", {"name": "a", "tags": [{"key": "team", "value": "blue"}]}, source_ip=None
    )
    denial(guard, alice, "CreateActivity", name="a", tags=[{"key": "team", "value": "red"}])
    denial(guard, alice, "CreateActivity", name="a")


def test_resource_tags_are_read_once_and_only_when_a_statement_that_applies_asks() -> None:
    tags = Tags({ORDERS: {"Team": "blue"}})
    blue = {"StringEquals": {"aws:ResourceTag/team": "blue"}, "StringLike": {"aws:ResourceTag/TEAM": "b*"}}
    guard, alice = guard_for(
        {"Effect": "Allow", "Action": "states:ListStateMachines", "Resource": "*"},
        {"Effect": "Allow", "Action": "states:StopExecution", "Resource": "*", "Condition": blue},
        tags=tags,
    )
    guard.authorize(alice, "ListStateMachines", {}, source_ip=None)
    denial(guard, alice, "StartExecution", stateMachineArn=ORDERS)
    assert tags.reads == []  # no statement that applies reads a tag
    guard.authorize(
        alice, "StopExecution", {"executionArn": f"{HEAD}:execution:orders:run-1"}, source_ip=None
    )
    assert tags.reads == [ORDERS]  # once, though two conditions read it; an execution's are its machine's
    denial(guard, alice, "StopExecution", executionArn=f"{HEAD}:execution:billing:run-1")
    assert tags.reads == [ORDERS, BILLING, BILLING]  # denial() asks twice: authorize, then allows


def test_identities_are_read_from_the_holder_on_each_request() -> None:
    guard, _ = guard_for()
    assert isinstance(guard.identities, Held)
    guard.identities.current = parse_identities([], "123456789012")
    with pytest.raises(AuthError) as refused:
        guard.verify(incoming(signed_headers(WHEN)))
    assert refused.value.code == "UnrecognizedClientException"
