"""The AWS JSON 1.0 protocol layer: request parsing, AWS's error texts, response encoding."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import botocore.session
import orjson
import pytest

from stepwell.api.java_view import java_hashmap_order
from stepwell.api.protocol import (
    MAX_REQUEST_BYTES,
    OPERATIONS,
    ApiError,
    encode_response,
    parse_request,
)

SM_ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:HelloWorld"
JSON_1_0 = "application/x-amz-json-1.0"


def call(operation: str, document: Any, content_type: str | None = JSON_1_0) -> dict[str, Any]:
    body = document if isinstance(document, bytes) else json.dumps(document).encode()
    name, request = parse_request(f"AWSStepFunctions.{operation}", body, content_type)
    assert name == operation
    return request


def error_of(operation: str, document: Any) -> ApiError:
    with pytest.raises(ApiError) as caught:
        call(operation, document)
    return caught.value


def wire(error: ApiError) -> dict[str, Any]:
    body: dict[str, Any] = orjson.loads(error.body())
    return body


def validation_message(operation: str, document: Any) -> str:
    error = error_of(operation, document)
    assert (error.code, error.status) == ("ValidationException", 400)
    assert wire(error)["__type"] == "com.amazon.coral.validate#ValidationException"
    return error.message


# --- operations and targets ---------------------------------------------------------------------


def test_operations_are_every_operation_of_the_model() -> None:
    model = botocore.session.get_session().get_service_model("stepfunctions")
    assert frozenset(model.operation_names) == OPERATIONS
    assert len(OPERATIONS) == 37


def test_a_valid_request_yields_its_declared_members() -> None:
    request = call(
        "StartExecution",
        {"stateMachineArn": SM_ARN, "name": "run-1", "input": '{"a": 1}', "traceHeader": None, "x": 1},
    )
    # null is the same as absent; members the model does not declare are ignored (as AWS does)
    assert request == {"stateMachineArn": SM_ARN, "name": "run-1", "input": '{"a": 1}'}


def test_nested_members_are_typed_and_cleaned() -> None:
    request = call(
        "CreateStateMachine",
        {
            "name": "m",
            "definition": "{}",
            "roleArn": "arn:aws:iam::123456789012:role/r",
            "loggingConfiguration": {"level": "ALL", "includeExecutionData": True, "bogus": 1},
            "tags": [{"key": "k", "value": "v", "extra": None}],
            "publish": False,
        },
    )
    assert request["loggingConfiguration"] == {"level": "ALL", "includeExecutionData": True}
    assert request["tags"] == [{"key": "k", "value": "v"}]
    assert request["publish"] is False


@pytest.mark.parametrize(
    ("target", "content_type"),
    [
        (None, JSON_1_0),
        ("", JSON_1_0),
        ("AWSStepFunctions.NoSuchOperation", JSON_1_0),
        ("AWSStepFunctions.startExecution", JSON_1_0),
        ("DynamoDB_20120810.ListTables", JSON_1_0),
        ("AWSStepFunctionsListStateMachines", JSON_1_0),
        ("AWSStepFunctions.ListStateMachines", "application/x-www-form-urlencoded"),
    ],
)
def test_an_unknown_operation_is_answered_without_a_message(target: str | None, content_type: str) -> None:
    with pytest.raises(ApiError) as caught:
        parse_request(target, b"{}", content_type)
    assert caught.value.status == 400
    assert caught.value.body() == b'{"__type":"UnknownOperationException"}'


@pytest.mark.parametrize(
    "content_type", [None, JSON_1_0, "application/x-amz-json-1.1", "application/json; charset=utf-8"]
)
def test_json_content_types_are_accepted(content_type: str | None) -> None:
    assert parse_request("AWSStepFunctions.ListStateMachines", b"{}", content_type) == (
        "ListStateMachines",
        {},
    )


def test_a_body_over_one_mebibyte_is_refused() -> None:
    body = b'{"definition": "' + b"x" * MAX_REQUEST_BYTES + b'"}'
    with pytest.raises(ApiError) as caught:
        parse_request("AWSStepFunctions.ValidateStateMachineDefinition", body, JSON_1_0)
    assert caught.value.status == 413


# --- SerializationException -----------------------------------------------------------------------


@pytest.mark.parametrize("body", [b"", b"{", b"null", b'"x"', b"1", b'{"maxResults": 1,}', b'{"a": NaN}'])
def test_a_body_that_is_not_a_json_object_has_no_message(body: bytes) -> None:
    error = error_of("ListStateMachines", body)
    assert (error.code, error.status) == ("SerializationException", 400)
    assert error.body() == b'{"__type":"SerializationException"}'


def test_a_json_array_body_is_a_list_where_not_expected() -> None:
    error = error_of("ListStateMachines", b"[]")
    assert wire(error) == {
        "__type": "SerializationException",
        "Message": "Start of list found where not expected",
    }


def test_json_that_java_reads_and_orjson_refuses_is_accepted() -> None:
    assert call("ListStateMachines", b'\xef\xbb\xbf{"nextToken": "abc"}') == {"nextToken": "abc"}
    assert call("StartExecution", b'{"stateMachineArn": "a", "input": "\\ud800"}')["input"] == "\ud800"


@pytest.mark.parametrize(
    ("operation", "document", "message"),
    [
        ("ListStateMachines", {"maxResults": "1"}, "STRING_VALUE can not be converted to an Integer"),
        ("ListStateMachines", {"maxResults": True}, "TRUE_VALUE can not be converted to an Integer"),
        ("ListStateMachines", {"maxResults": [1]}, "Start of list found where not expected"),
        (
            "ListStateMachines",
            {"maxResults": {"a": 1}},
            "Start of structure or map found where not expected.",
        ),
        ("ListStateMachines", {"nextToken": 1}, "NUMBER_VALUE can not be converted to a String"),
        ("ListStateMachines", {"nextToken": True}, "TRUE_VALUE can not be converted to a String"),
        ("ListStateMachines", {"nextToken": False}, "FALSE_VALUE can not be converted to a String"),
        (
            "UntagResource",
            {"resourceArn": "a", "tagKeys": [1]},
            "NUMBER_VALUE can not be converted to a String",
        ),
        ("UntagResource", {"resourceArn": "a", "tagKeys": "k"}, "Expected list or null"),
        (
            "UntagResource",
            {"resourceArn": "a", "tagKeys": {}},
            "Start of structure or map found where not expected.",
        ),
        ("CreateStateMachine", {"loggingConfiguration": "x"}, "Expected null"),
        ("CreateStateMachine", {"loggingConfiguration": []}, "Start of list found where not expected"),
        ("CreateStateMachine", {"publish": "true"}, "STRING_VALUE can not be converted to a Boolean"),
        ("CreateStateMachine", {"publish": 1}, "NUMBER_VALUE can not be converted to a Boolean"),
        ("UpdateMapRun", {"toleratedFailureCount": "1"}, "STRING_VALUE can not be converted to a Long"),
        ("UpdateMapRun", {"toleratedFailurePercentage": "1"}, "STRING_VALUE can not be converted to a Float"),
    ],
)
def test_a_member_of_the_wrong_json_type_is_a_serialization_exception(
    operation: str, document: dict[str, Any], message: str
) -> None:
    error = error_of(operation, document)
    assert wire(error) == {"__type": "SerializationException", "Message": message}


def test_type_errors_come_before_constraint_violations() -> None:
    # Athena: {"MaxResults": "1", "NextToken": ""} is answered with the type error only.
    error = error_of("ListStateMachines", {"nextToken": "", "maxResults": "1"})
    assert error.code == "SerializationException"


def test_the_first_type_error_in_document_order_is_reported() -> None:
    error = error_of("ListStateMachines", {"nextToken": 1, "maxResults": "1"})
    assert error.message == "NUMBER_VALUE can not be converted to a String"


def test_integral_numbers_are_read_into_integer_members() -> None:
    assert call("ListStateMachines", b'{"maxResults": 10.0}') == {"maxResults": 10}
    assert call("UpdateMapRun", {"mapRunArn": "m", "toleratedFailurePercentage": 5}) == {
        "mapRunArn": "m",
        "toleratedFailurePercentage": 5.0,
    }


# --- ValidationException: texts recorded against AWS ----------------------------------------------


def test_max_results_above_the_maximum() -> None:
    # LocalStack snapshot test_sfn_api (recorded against AWS), reference §0
    assert validation_message("ListStateMachines", {"maxResults": 1001}) == (
        "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: "
        "Member must have value less than or equal to 1000"
    )


def test_status_filter_outside_the_enum_lists_it_in_aws_order() -> None:
    # reference §1.4 (LocalStack snapshot)
    message = validation_message("ListExecutions", {"stateMachineArn": SM_ARN, "statusFilter": "succeeded"})
    assert message == (
        "1 validation error detected: Value 'succeeded' at 'statusFilter' failed to satisfy constraint: "
        "Member must satisfy enum value set: "
        "[SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]"
    )


def test_other_enums_list_the_model_order() -> None:
    message = validation_message(
        "CreateStateMachine", {"name": "n", "definition": "{}", "roleArn": "r", "type": "BATCH"}
    )
    assert message.endswith(
        "Value 'BATCH' at 'type' failed to satisfy constraint: "
        "Member must satisfy enum value set: [STANDARD, EXPRESS]"
    )


def test_a_name_longer_than_80() -> None:
    # wolfeidau/buildkite-serverless-agent#37, from AWS
    name = "x" * 81
    assert validation_message("StartExecution", {"stateMachineArn": SM_ARN, "name": name}) == (
        f"1 validation error detected: Value '{name}' at 'name' failed to satisfy constraint: "
        "Member must have length less than or equal to 80"
    )


def test_a_missing_member_is_value_null() -> None:
    assert validation_message("StartExecution", {"name": "n"}) == (
        "1 validation error detected: Value null at 'stateMachineArn' failed to satisfy constraint: "
        "Member must not be null"
    )


def test_an_explicit_null_is_missing_too() -> None:
    assert "Value null at 'stateMachineArn'" in validation_message(
        "StartExecution", {"stateMachineArn": None}
    )


def test_the_input_is_limited_in_utf8_bytes_and_its_value_not_shown() -> None:
    text = "é" * 131_072  # 131,072 characters, 262,144 bytes: the limit exactly
    assert call("StartExecution", {"stateMachineArn": SM_ARN, "input": text})["input"] == text
    assert validation_message("StartExecution", {"stateMachineArn": SM_ARN, "input": text + "a"}) == (
        "1 validation error detected: Value at 'input' failed to satisfy constraint: "
        "Member must have size less than or equal to 262144 bytes in UTF-8 encoding"
    )


def test_lengths_count_utf16_units_as_java_does() -> None:
    emoji = "\U0001f600" * 40  # 40 characters, 80 UTF-16 units
    assert call("StartExecution", {"stateMachineArn": SM_ARN, "name": emoji})["name"] == emoji
    assert "at 'name'" in validation_message(
        "StartExecution", {"stateMachineArn": SM_ARN, "name": emoji + "a"}
    )


def test_sensitive_members_hide_their_value() -> None:
    message = validation_message("SendTaskSuccess", {"taskToken": "", "output": "{}"})
    assert message == (
        "1 validation error detected: Value at 'taskToken' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1"
    )


def test_nested_members_are_named_by_path_with_one_based_list_indexes() -> None:
    message = validation_message(
        "TagResource", {"resourceArn": "a", "tags": [{"key": "k", "value": "v"}, {"key": "", "value": "v"}]}
    )
    assert message == (
        "1 validation error detected: Value '' at 'tags.2.member.key' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1"
    )


def test_a_list_of_scalars_is_judged_as_a_whole() -> None:
    message = validation_message("UntagResource", {"resourceArn": "a", "tagKeys": ["ok", "k" * 129]})
    assert message == (
        f"1 validation error detected: Value '[ok, {'k' * 129}]' at 'tagKeys' failed to satisfy constraint: "
        "Member must satisfy constraint: [Member must have length less than or equal to 128, "
        "Member must have length greater than or equal to 1]"
    )


def test_list_length_and_required_members_of_elements() -> None:
    message = validation_message("CreateStateMachineAlias", {"name": "live", "routingConfiguration": []})
    assert message == (
        "1 validation error detected: Value '[]' at 'routingConfiguration' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1"
    )
    message = validation_message(
        "CreateStateMachineAlias", {"name": "live", "routingConfiguration": [{"stateMachineVersionArn": "v"}]}
    )
    assert message == (
        "1 validation error detected: Value null at 'routingConfiguration.1.member.weight' "
        "failed to satisfy constraint: Member must not be null"
    )


def test_patterns_are_matched_whole_and_shown_as_in_the_model() -> None:
    message = validation_message(
        "CreateStateMachineAlias",
        {"name": "123", "routingConfiguration": [{"stateMachineVersionArn": "v", "weight": 100}]},
    )
    assert message == (
        "1 validation error detected: Value '123' at 'name' failed to satisfy constraint: "
        r"Member must satisfy regular expression pattern: ^(?=.*[a-zA-Z_\-\.])[a-zA-Z0-9_\-\.]+$"
    )
    assert "traceHeader" in validation_message(
        "StartExecution", {"stateMachineArn": SM_ARN, "traceHeader": "é"}
    )
    assert call("StartExecution", {"stateMachineArn": SM_ARN, "traceHeader": "Root=1-5759e988"})


def test_a_float_value_is_shown_as_java_shows_it() -> None:
    message = validation_message("UpdateMapRun", {"mapRunArn": "m", "toleratedFailurePercentage": 101})
    assert message == (
        "1 validation error detected: Value '101.0' at 'toleratedFailurePercentage' failed to satisfy "
        "constraint: Member must have value less than or equal to 100"
    )


def test_several_violations_are_counted_and_joined_with_semicolons() -> None:
    message = validation_message("ListExecutions", {"maxResults": 1001, "nextToken": ""})
    assert message == (
        "2 validation errors detected: "
        "Value '1001' at 'maxResults' failed to satisfy constraint: "
        "Member must have value less than or equal to 1000; "
        "Value '' at 'nextToken' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1"
    )


def test_a_pattern_violation_comes_before_a_length_violation_of_the_same_member() -> None:
    message = validation_message("RedriveExecution", {"executionArn": "e", "clientToken": ""})
    assert message == (
        "2 validation errors detected: "
        "Value '' at 'clientToken' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [!-~]+; "
        "Value '' at 'clientToken' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1"
    )


def test_at_most_ten_violations_are_listed() -> None:
    tags = [{"key": "", "value": "v"} for _ in range(12)]
    message = validation_message("TagResource", {"resourceArn": "a", "tags": tags})
    assert message.startswith("10 validation errors detected: ")
    assert message.count("failed to satisfy constraint") == 10


def test_members_are_walked_in_java_hashmap_order() -> None:
    # Multi-violation messages recorded from AWS services built on the same framework
    assert java_hashmap_order(["attributeName", "attributeType"]) == ["attributeType", "attributeName"]
    assert java_hashmap_order(["domain", "execution"]) == ["execution", "domain"]
    assert java_hashmap_order(["jobFlowId", "steps"]) == ["steps", "jobFlowId"]
    sns = java_hashmap_order(["topicArn", "label", "aWSAccountId", "actionName"])
    assert [name for name in sns if name != "topicArn"] == ["aWSAccountId", "label", "actionName"]
    # Athena's ListWorkGroups declares NextToken, MaxResults: one bucket, so insertion order holds
    assert java_hashmap_order(["nextToken", "maxResults"]) == ["nextToken", "maxResults"]
    assert java_hashmap_order(["maxResults", "nextToken"]) == ["maxResults", "nextToken"]


def test_a_request_breaking_several_members_reports_them_in_that_order() -> None:
    message = validation_message("StartExecution", {"name": "n" * 81})
    assert message.index("'name'") < message.index("'stateMachineArn'")


# --- error bodies ------------------------------------------------------------------------------------


def test_service_errors_carry_the_step_functions_namespace() -> None:
    error = ApiError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{SM_ARN}'")
    assert (error.code, error.status) == ("StateMachineDoesNotExist", 400)
    assert wire(error) == {
        "__type": "com.amazonaws.swf.service.v2.model#StateMachineDoesNotExist",
        "message": f"State Machine Does Not Exist: '{SM_ARN}'",
    }


def test_errors_outside_the_model_carry_their_bare_code() -> None:
    assert wire(ApiError("ThrottlingException", "Rate exceeded")) == {
        "__type": "ThrottlingException",
        "Message": "Rate exceeded",
    }


# --- responses ----------------------------------------------------------------------------------------


def test_a_response_drops_undeclared_and_none_members_and_writes_epoch_seconds() -> None:
    started = datetime(2024, 1, 2, 3, 4, 5, 678_901, tzinfo=UTC)
    body = encode_response(
        "DescribeExecution",
        {
            "executionArn": "e",
            "stateMachineArn": SM_ARN,
            "status": "RUNNING",
            "startDate": started,
            "stopDate": None,
            "internal": {"x": 1},
        },
    )
    assert orjson.loads(body) == {
        "executionArn": "e",
        "stateMachineArn": SM_ARN,
        "status": "RUNNING",
        "startDate": 1704164645.678,
    }


def test_timestamps_of_any_zone_or_naive_utc_and_nested_in_lists() -> None:
    moment = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    east = moment.astimezone(timezone(timedelta(hours=9)))
    naive = moment.replace(tzinfo=None)
    body = encode_response(
        "ListExecutions",
        {
            "executions": [
                {"name": "a", "startDate": east, "status": "RUNNING", "x": 1},
                {"name": "b", "startDate": naive, "stopDate": None, "status": "SUCCEEDED"},
            ],
            "nextToken": None,
        },
    )
    assert orjson.loads(body) == {
        "executions": [
            {"name": "a", "startDate": 1704164645.0, "status": "RUNNING"},
            {"name": "b", "startDate": 1704164645.0, "status": "SUCCEEDED"},
        ]
    }


def test_operations_without_output_members_answer_an_empty_object() -> None:
    assert encode_response("DeleteStateMachine", {}) == b"{}"
    assert encode_response("SendTaskHeartbeat", {"ignored": 1}) == b"{}"


def test_integers_beyond_any_java_type_are_judged_by_their_value() -> None:
    # Athena: MaxResults 99999999999 is answered with the maximum, not a type error
    message = validation_message("ListStateMachines", {"maxResults": 99_999_999_999})
    assert message == (
        "1 validation error detected: Value '99999999999' at 'maxResults' failed to satisfy constraint: "
        "Member must have value less than or equal to 1000"
    )
    assert "at 'maxResults'" in validation_message(
        "ListStateMachines", b'{"maxResults": 1' + b"0" * 400 + b"}"
    )


def test_lone_surrogates_survive_into_error_bodies_and_responses() -> None:
    error = error_of("StartExecution", b'{"stateMachineArn": "a", "name": "\\ud800' + b"x" * 80 + b'"}')
    assert "\ud800x" in json.loads(error.body())["message"]
    assert json.loads(encode_response("DescribeStateMachine", {"name": "\ud800"})) == {"name": "\ud800"}


def test_bodies_are_written_by_the_one_compact_writer() -> None:
    # jsoncodec's spelling: no spaces, UTF-8 as is, "/" unescaped, a lone surrogate as its escape.
    error = ApiError("InvalidName", "Invalid Name: 'é/\ud800'")
    assert error.body() == (
        b'{"__type":"com.amazonaws.swf.service.v2.model#InvalidName",'
        b'"message":"Invalid Name: \'\xc3\xa9/\\ud800\'"}'
    )
    body = encode_response("DescribeStateMachine", {"name": "é/\ud800", "definition": "{}"})
    assert body == b'{"name":"\xc3\xa9/\\ud800","definition":"{}"}'
