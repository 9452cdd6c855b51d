"""The model's constraints in AWS's words: recorded messages first, then each rule and the order,
count and wording of several violations."""

from __future__ import annotations

from typing import Any

import pytest

from stepwell.api.validation import violations
from stepwell.errors import MAX_REPORTED, violations_message

NAME_PATTERN = r"^(?=.*[a-zA-Z_\-\.])[a-zA-Z0-9_\-\.]+$"
ARN = "arn:aws:states:us-east-1:111111111111:stateMachine:sm"


def message(shape: str, value: dict[str, Any]) -> str:
    return violations_message(violations(shape, value))


# --- recorded against AWS (LocalStack snapshots, conformance/api/cases) ---------------------------


@pytest.mark.parametrize("name", ["!INVALID", "123", "ALIAS@", "INVALID ALIAS"])
def test_an_alias_name_outside_the_pattern(name: str) -> None:
    # aliases test_error_create_alias_invalid_name
    routing = [{"stateMachineVersionArn": ARN + ":1", "weight": 100}]
    assert message("CreateStateMachineAliasInput", {"name": name, "routingConfiguration": routing}) == (
        f"1 validation error detected: Value '{name}' at 'name' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {NAME_PATTERN}"
    )


def test_an_alias_name_longer_than_80() -> None:
    name = "A" * 81
    routing = [{"stateMachineVersionArn": ARN + ":1", "weight": 100}]
    assert message("CreateStateMachineAliasInput", {"name": name, "routingConfiguration": routing}) == (
        f"1 validation error detected: Value '{name}' at 'name' failed to satisfy constraint: "
        "Member must have length less than or equal to 80"
    )


def test_a_weight_inside_a_list_of_structures_has_a_one_based_path() -> None:
    # aliases test_error_create_alias_invalid_router_configs
    routing = [{"stateMachineVersionArn": ARN + ":1", "weight": 101}]
    assert message("CreateStateMachineAliasInput", {"name": "a", "routingConfiguration": routing}) == (
        "1 validation error detected: Value '101' at 'routingConfiguration.1.member.weight' failed to "
        "satisfy constraint: Member must have value less than or equal to 100"
    )


def test_too_many_routing_configurations_show_each_one() -> None:
    # aliases test_error_create_alias_invalid_router_configs (too_many_routing)
    routing = [
        {"stateMachineVersionArn": f"{ARN}:{version}", "weight": weight}
        for version, weight in ((1, 50), (2, 30), (3, 20))
    ]
    shown = ", ".join(
        f"RoutingConfigurationListItem(stateMachineVersionArn={item['stateMachineVersionArn']}, "
        f"weight={item['weight']})"
        for item in routing
    )
    assert message("CreateStateMachineAliasInput", {"name": "a", "routingConfiguration": routing}) == (
        f"1 validation error detected: Value '[{shown}]' at 'routingConfiguration' failed to satisfy "
        "constraint: "
        "Member must have length less than or equal to 2"
    )


def test_max_results_over_1000() -> None:
    assert message("ListStateMachinesInput", {"maxResults": 1001}) == (
        "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: "
        "Member must have value less than or equal to 1000"
    )


def test_a_status_filter_outside_the_enum_in_awss_order() -> None:
    assert message("ListExecutionsInput", {"statusFilter": "succeeded"}) == (
        "1 validation error detected: Value 'succeeded' at 'statusFilter' failed to satisfy constraint: "
        "Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, "
        "RUNNING]"
    )


# --- each rule -----------------------------------------------------------------------------------


def test_a_missing_required_member() -> None:
    assert violations("DescribeExecutionInput", {}) == [
        "Value null at 'executionArn' failed to satisfy constraint: Member must not be null"
    ]


def test_a_payload_is_measured_in_utf8_bytes_and_not_shown() -> None:
    assert violations("StartExecutionInput", {"stateMachineArn": ARN, "input": "é" * 131_073}) == [
        "Value at 'input' failed to satisfy constraint: Member must have size less than or equal to 262144 "
        "bytes in UTF-8 encoding"
    ]
    assert violations("StartExecutionInput", {"stateMachineArn": ARN, "input": "é" * 131_072}) == []


def test_other_lengths_count_utf16_units() -> None:
    emoji_name = "😀" * 41  # 82 UTF-16 units, 41 code points
    [violation] = violations("StartExecutionInput", {"stateMachineArn": ARN, "name": emoji_name})
    assert violation.endswith("Member must have length less than or equal to 80")
    assert violations("StartExecutionInput", {"stateMachineArn": ARN, "name": "😀" * 40}) == []


def test_a_too_short_string() -> None:
    assert violations("DescribeExecutionInput", {"executionArn": ""}) == [
        "Value '' at 'executionArn' failed to satisfy constraint: Member must have length greater than or "
        "equal to 1"
    ]


def test_a_list_of_scalars_is_judged_as_a_whole() -> None:
    key = "k" * 129
    assert violations("UntagResourceInput", {"resourceArn": ARN, "tagKeys": [key, "ok"]}) == [
        f"Value '[{key}, ok]' at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: "
        "[Member must have length less than or equal to 128, Member must have length greater than or equal "
        "to 1]"
    ]


def test_a_list_of_structures_reports_each_element() -> None:
    tags = [{"key": "a", "value": "v" * 257}, {"key": "", "value": "v"}]
    assert violations("TagResourceInput", {"resourceArn": ARN, "tags": tags}) == [
        f"Value '{'v' * 257}' at 'tags.1.member.value' failed to satisfy constraint: "
        "Member must have length less than or equal to 256",
        "Value '' at 'tags.2.member.key' failed to satisfy constraint: Member must have length greater than "
        "or equal to 1",
    ]
    # Required members of an element, in HashMap order (weight's bucket before the ARN's).
    assert violations("CreateStateMachineAliasInput", {"name": "a", "routingConfiguration": [{}]}) == [
        "Value null at 'routingConfiguration.1.member.weight' failed to satisfy constraint: Member must not "
        "be null",
        "Value null at 'routingConfiguration.1.member.stateMachineVersionArn' failed to satisfy constraint: "
        "Member must not be null",
    ]


def test_several_violations_in_hashmap_order() -> None:
    found = violations("ListExecutionsInput", {"maxResults": 1001, "statusFilter": "succeeded"})
    assert [text.split("' at '")[1].split("'")[0] for text in found] == ["statusFilter", "maxResults"]
    assert violations_message(found).startswith(
        "2 validation errors detected: Value 'succeeded' at 'statusFilter'"
    )
    assert "; Value '1001' at 'maxResults'" in violations_message(found)


def test_a_pattern_violation_comes_before_a_length_one() -> None:
    name = "@" * 81
    routing = [{"stateMachineVersionArn": ARN + ":1", "weight": 100}]
    assert violations("CreateStateMachineAliasInput", {"name": name, "routingConfiguration": routing}) == [
        f"Value '{name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression "
        f"pattern: {NAME_PATTERN}",
        f"Value '{name}' at 'name' failed to satisfy constraint: Member must have length less than or equal "
        "to 80",
    ]


def test_at_most_ten_are_reported() -> None:
    tags = [{"key": "", "value": "v"} for _ in range(15)]
    found = violations("TagResourceInput", {"resourceArn": ARN, "tags": tags})
    assert len(found) == MAX_REPORTED == 10
    assert found[-1] == (
        "Value '' at 'tags.10.member.key' failed to satisfy constraint: Member must have length greater "
        "than or equal to 1"
    )


def test_a_valid_request_has_none() -> None:
    assert violations("StartExecutionInput", {"stateMachineArn": ARN, "name": "run-1", "input": "{}"}) == []
    assert violations("ListStateMachinesInput", {}) == []


def test_the_message_counts() -> None:
    assert violations_message(["a"]) == "1 validation error detected: a"
    assert violations_message(["a", "b"]) == "2 validation errors detected: a; b"
