from __future__ import annotations

import pytest

from stepwell.arns import (
    DEFAULT_ACCOUNT,
    DEFAULT_REGION,
    ArnError,
    ParsedArn,
    activity_arn,
    check_name,
    execution_arn,
    express_execution_arn,
    map_run_arn,
    map_run_arn_of,
    parse_arn,
    role_arn,
    state_machine_alias_arn,
    state_machine_arn,
    state_machine_version_arn,
)

REGION, ACCOUNT = "us-east-1", "123456789012"
HEAD = f"arn:aws:states:{REGION}:{ACCOUNT}"
UUID = "4c8e2a8e-2c0a-4f51-9b1b-3f4a6f1e9d10"


# --- building ---------------------------------------------------------------------------------


def test_builders_produce_the_documented_forms() -> None:
    assert state_machine_arn(REGION, ACCOUNT, "Orders") == f"{HEAD}:stateMachine:Orders"
    assert execution_arn(REGION, ACCOUNT, "Orders", "run-1") == f"{HEAD}:execution:Orders:run-1"
    assert (
        express_execution_arn(REGION, ACCOUNT, "Orders", "run-1", UUID)
        == f"{HEAD}:express:Orders:run-1:{UUID}"
    )
    assert map_run_arn(REGION, ACCOUNT, "Orders", "Fan", UUID) == f"{HEAD}:mapRun:Orders/Fan:{UUID}"
    assert activity_arn(REGION, ACCOUNT, "Approve") == f"{HEAD}:activity:Approve"


def test_builders_take_another_partition() -> None:
    assert state_machine_arn("cn-north-1", ACCOUNT, "M", partition="aws-cn") == (
        f"arn:aws-cn:states:cn-north-1:{ACCOUNT}:stateMachine:M"
    )
    assert execution_arn("cn-north-1", ACCOUNT, "M", "e", partition="aws-cn").startswith("arn:aws-cn:states:")
    assert activity_arn("cn-north-1", ACCOUNT, "A", partition="aws-cn").startswith("arn:aws-cn:states:")


def test_the_role_arn_is_iams_global_form() -> None:
    # "arn:aws:iam::123456789012:role/..." is the roleArn shape CreateStateMachine takes.
    assert role_arn(ACCOUNT) == f"arn:aws:iam::{ACCOUNT}:role/stepwell"
    assert role_arn(ACCOUNT, "Runner") == f"arn:aws:iam::{ACCOUNT}:role/Runner"
    assert role_arn(ACCOUNT, partition="aws-us-gov") == f"arn:aws-us-gov:iam::{ACCOUNT}:role/stepwell"


def test_the_defaults_are_step_functions_locals() -> None:
    assert (DEFAULT_REGION, DEFAULT_ACCOUNT) == ("us-east-1", "123456789012")
    assert parse_arn(state_machine_arn(DEFAULT_REGION, DEFAULT_ACCOUNT, "M")).account == DEFAULT_ACCOUNT


def test_a_map_run_arn_is_built_from_the_state_machine_arn() -> None:
    # Recorded form: arn:<partition>:states:<region>:<account>:mapRun:<machine>/<label>:<uuid>
    machine = state_machine_arn("eu-west-1", ACCOUNT, "Orders", partition="aws-cn")
    assert (
        map_run_arn_of(machine, "Fan", UUID)
        == f"arn:aws-cn:states:eu-west-1:{ACCOUNT}:mapRun:Orders/Fan:{UUID}"
    )
    assert map_run_arn_of(machine, "Fan", UUID) == map_run_arn(
        "eu-west-1", ACCOUNT, "Orders", "Fan", UUID, partition="aws-cn"
    )
    assert map_run_arn_of(f"{HEAD}:stateMachine:Orders:7", "Fan", UUID) == f"{HEAD}:mapRun:Orders/Fan:{UUID}"
    with pytest.raises(ArnError) as refused:
        map_run_arn_of(f"{HEAD}:execution:Orders:run-1", "Fan", UUID)
    assert refused.value.message == "Invalid Arn: 'Resource type not valid in this context: execution'"


# --- parsing: every form round-trips ----------------------------------------------------------

FORMS: list[tuple[str, str, tuple[str, ...], str | None, str | None]] = [
    # (ARN, resource type, names, qualifier, label)
    (f"{HEAD}:stateMachine:Orders", "stateMachine", ("Orders",), None, None),
    (f"{HEAD}:stateMachine:Orders:7", "stateMachine", ("Orders",), "7", None),
    (f"{HEAD}:stateMachine:Orders:PROD", "stateMachine", ("Orders",), "PROD", None),
    (f"{HEAD}:stateMachine:Orders/Fan", "stateMachine", ("Orders",), None, "Fan"),
    (f"{HEAD}:execution:Orders:run-1", "execution", ("Orders", "run-1"), None, None),
    (f"{HEAD}:execution:Orders/Fan:{UUID}", "execution", ("Orders", UUID), None, "Fan"),
    (f"{HEAD}:express:Orders:run-1:{UUID}", "express", ("Orders", "run-1", UUID), None, None),
    (f"{HEAD}:express:Orders/Fan:run-1:{UUID}", "express", ("Orders", "run-1", UUID), None, "Fan"),
    (f"{HEAD}:mapRun:Orders/Fan:{UUID}", "mapRun", ("Orders", UUID), None, "Fan"),
    (f"{HEAD}:activity:Approve", "activity", ("Approve",), None, None),
]


@pytest.mark.parametrize(("arn", "resource_type", "names", "qualifier", "label"), FORMS)
def test_every_form_parses_and_round_trips(
    arn: str, resource_type: str, names: tuple[str, ...], qualifier: str | None, label: str | None
) -> None:
    parsed = parse_arn(arn)
    assert parsed == ParsedArn("aws", "states", REGION, ACCOUNT, resource_type, names, qualifier, label)
    assert parsed.to_arn() == arn
    assert parse_arn(arn, expected=resource_type) == parsed
    assert parse_arn(arn, expected={resource_type, "activity"}) == parsed


def test_builders_and_parser_agree() -> None:
    built = [
        state_machine_arn(REGION, ACCOUNT, "M"),
        execution_arn(REGION, ACCOUNT, "M", "e"),
        express_execution_arn(REGION, ACCOUNT, "M", "e", UUID),
        map_run_arn(REGION, ACCOUNT, "M", "L", UUID),
        map_run_arn_of(state_machine_arn(REGION, ACCOUNT, "M"), "L", UUID),
        activity_arn(REGION, ACCOUNT, "A"),
    ]
    assert [parse_arn(arn).to_arn() for arn in built] == built


def test_version_and_alias_qualifiers_are_told_apart() -> None:
    version = parse_arn(f"{HEAD}:stateMachine:Orders:12")
    alias = parse_arn(f"{HEAD}:stateMachine:Orders:PROD")
    plain = parse_arn(f"{HEAD}:stateMachine:Orders")
    assert (version.is_version, version.is_alias) == (True, False)
    assert (alias.is_version, alias.is_alias) == (False, True)
    assert (plain.is_version, plain.is_alias) == (False, False)


def test_names_with_periods_and_unicode_parse() -> None:
    # AWS accepts periods in names (localstack/localstack#10984 matched AWS on this).
    assert parse_arn(f"{HEAD}:execution:my.machine:run.é✓").names == ("my.machine", "run.é✓")


def test_other_partitions_and_local_regions_parse() -> None:
    parsed = parse_arn(f"arn:aws-us-gov:states:us-gov-west-1:{ACCOUNT}:activity:A")
    assert (parsed.partition, parsed.region) == ("aws-us-gov", "us-gov-west-1")
    assert parse_arn(f"arn:aws:states:local:{ACCOUNT}:stateMachine:M").region == "local"


# --- parsing: AWS's errors --------------------------------------------------------------------


def _error(arn: str, expected: str | set[str] | None = None) -> tuple[str, str]:
    with pytest.raises(ArnError) as caught:
        parse_arn(arn, expected)
    return caught.value.code, caught.value.message


def test_express_execution_where_a_standard_one_is_expected() -> None:
    # Recorded against AWS: DescribeExecution / StopExecution / GetExecutionHistory on Express.
    arn = f"{HEAD}:express:Orders:run-1:{UUID}"
    assert _error(arn, "execution") == (
        "InvalidArn",
        "Invalid Arn: 'Resource type not valid in this context: express'",
    )


def test_wrong_resource_type_is_echoed_as_written() -> None:
    # AWS: DescribeExecution given a state machine ARN; StartExecution given an execution ARN.
    assert _error(f"{HEAD}:stateMachine:Orders", "execution") == (
        "InvalidArn",
        "Invalid Arn: 'Resource type not valid in this context: stateMachine'",
    )
    assert _error(f"{HEAD}:execution:Orders:run-1", "stateMachine") == (
        "InvalidArn",
        "Invalid Arn: 'Resource type not valid in this context: execution'",
    )
    assert _error(f"{HEAD}:activity:A", {"execution", "express"})[1] == (
        "Invalid Arn: 'Resource type not valid in this context: activity'"
    )


def test_unknown_resource_type() -> None:
    assert _error(f"{HEAD}:function:f") == (
        "InvalidArn",
        "Invalid Arn: 'Resource type not valid in this context: function'",
    )


@pytest.mark.parametrize(
    "arn",
    [
        "not_a_valid_arn",  # recorded against AWS (DescribeStateMachine)
        "invalid_state_machine_arn",  # recorded against AWS (DescribeExecution, ListExecutions, ...)
        "52964492-c676-49ba-806e-b03bc5b5647a",
        "arn%3Aaws%3Astates%3Aus-east-1%3A123456789012%3Aexecution%3AM%3Ae",  # percent-encoded
        f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f",
        "",
    ],
)
def test_not_a_states_arn_is_an_invalid_prefix(arn: str) -> None:
    assert _error(arn) == ("InvalidArn", f"Invalid Arn: 'Invalid ARN prefix: {arn}'")


@pytest.mark.parametrize(
    "arn",
    [
        f"{HEAD}:stateMachine",
        f"{HEAD}:stateMachine:",
        f"{HEAD}:stateMachine:Orders:1:2",
        f"{HEAD}:stateMachine:Orders/Fan:1",
        f"{HEAD}:stateMachine:/Fan",
        f"{HEAD}:stateMachine:Orders/",
        f"{HEAD}:stateMachine:Orders/Fan/More",
        f"{HEAD}:execution:Orders",
        f"{HEAD}:execution:Orders:",
        f"{HEAD}:execution::run-1",
        f"{HEAD}:execution:Orders:run-1:extra",
        f"{HEAD}:express:Orders:run-1",
        f"{HEAD}:mapRun:Orders:{UUID}",
        f"{HEAD}:activity:A:B",
        f"{HEAD}:activity:A/B",
        f"arn:aws:states:{REGION}:12345:stateMachine:M",
        f"arn:aws:states:US_EAST:{ACCOUNT}:stateMachine:M",
        f"arn:aws:states::{ACCOUNT}:stateMachine:M",
    ],
)
def test_broken_structure_is_unparsable(arn: str) -> None:
    assert _error(arn) == ("InvalidArn", f"Invalid Arn: 'Unable to parse arn: {arn}'")


def test_resource_type_is_judged_before_the_names() -> None:
    # An operation given the wrong kind of ARN says so, however the rest of it looks.
    assert _error(f"{HEAD}:express:Orders", "execution")[1] == (
        "Invalid Arn: 'Resource type not valid in this context: express'"
    )


# --- names ------------------------------------------------------------------------------------


def _name_error(name: str, what: str = "name") -> tuple[str, str]:
    with pytest.raises(ArnError) as caught:
        check_name(name, what)
    return caught.value.code, caught.value.message


@pytest.mark.parametrize(
    "name",
    ["a", "Orders", "my-machine_1.v2", "x" * 80, "café", "注文", "emoji😀", "(parens)!@'+="],
)
def test_valid_names(name: str) -> None:
    check_name(name)


def test_recorded_invalid_activity_name() -> None:
    # Recorded against AWS (CreateActivity).
    assert _name_error("TestActivity InvalidName$") == (
        "InvalidName",
        "Invalid Name: 'TestActivity InvalidName$'",
    )


@pytest.mark.parametrize(
    "char",
    [
        # white space, including Unicode white space
        " ", "\t", "\n", "\u00a0", "\u2003", "\u3000",
        # brackets
        "<", ">", "{", "}", "[", "]",
        # wildcard characters
        "?", "*",
        # special characters
        '"', "#", "%", "\\", "^", "|", "~", "`", "$", "&", ",", ";", ":", "/",
        # control characters U+0000-001F, U+007F-009F
        "\u0000", "\u0001", "\u001f", "\u007f", "\u0085", "\u009f",
        # U+FFFE-FFFF, surrogates U+D800-DFFF, U+10FFFF
        "\ufffe", "\uffff", "\ud800", "\udfff", "\U0010ffff",
    ],
)  # fmt: skip
def test_each_forbidden_character_class(char: str) -> None:
    name = f"ab{char}cd"
    assert _name_error(name) == ("InvalidName", f"Invalid Name: '{name}'")


def test_characters_next_to_the_forbidden_ranges_are_allowed() -> None:
    for char in ["\u00a1", "\ufffd", "\ue000", "\U0010fffd", "-", "_", ".", "!", "@", "'", "="]:
        check_name(f"a{char}b")


def test_length_80_passes_and_81_is_a_model_validation_error() -> None:
    check_name("A" * 80)
    assert _name_error("A" * 81) == (
        "ValidationException",
        f"1 validation error detected: Value '{'A' * 81}' at 'name' failed to satisfy constraint: "
        "Member must have length less than or equal to 80",
    )


def test_length_counts_characters_not_bytes() -> None:
    check_name("é" * 80)
    assert _name_error("é" * 81)[0] == "ValidationException"


def test_empty_name_and_the_member_named_in_the_message() -> None:
    assert _name_error("", "name") == (
        "ValidationException",
        "1 validation error detected: Value '' at 'name' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1",
    )
    assert "at 'stateMachineName'" in _name_error("B" * 81, "stateMachineName")[1]


def test_a_version_or_alias_arn_names_its_machine_without_its_qualifier() -> None:
    machine = "arn:aws:states:us-east-1:123456789012:stateMachine:orders"
    version, alias = state_machine_version_arn(machine, 3), state_machine_alias_arn(machine, "live")
    assert (version, alias) == (f"{machine}:3", f"{machine}:live")
    assert (
        parse_arn(version).unqualified
        == parse_arn(alias).unqualified
        == parse_arn(machine).unqualified
        == machine
    )
    assert parse_arn(version).is_version and parse_arn(alias).is_alias
