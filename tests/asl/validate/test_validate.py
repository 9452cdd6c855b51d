"""validate_definition against what AWS reports.

Three sources: the recorded validation cases (shared/conformance/validation: AWS's exact diagnostics),
every definition of the recorded execution cases (AWS accepted them all, so none may be rejected),
and rules measured against AWS by others (floci-io/floci's ValidateStateMachineDefinition tests,
quoted where used).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from stepwell.asl.validate import validate_definition
from stepwell.errors import DefinitionError
from tests.shared_cases import case_files, requires_shared

VALIDATION_CASES = case_files("*.json", "validation")
ACCEPTED_CASES = case_files("*.json") + case_files("*.json", "cases_lambda")

Triple = tuple[str, str, str | None]


def found(definition: Any, machine_type: str = "STANDARD") -> list[Triple]:
    return [(d.code, d.message, d.location) for d in validate_definition(definition, machine_type)]


def one_state(state: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {**top, "StartAt": "X", "States": {"X": state}}


def schema(message: str, location: str | None) -> Triple:
    return ("SCHEMA_VALIDATION_FAILED", message, location)


PASS_END = {"Type": "Pass", "End": True}
LAMBDA = "arn:aws:states:::lambda:invoke"


# --- the recorded cases ------------------------------------------------------------------------


@pytest.mark.parametrize("path", VALIDATION_CASES, ids=lambda p: p.stem)
def test_recorded_validation_case(path: Path) -> None:
    case = json.loads(path.read_text())
    text = case["definition_string"] if "definition_string" in case else json.dumps(case["definition"])
    diagnostics = validate_definition(text, case["type"])
    expected = case["expected"]
    if "diagnostics" in expected:
        wanted = [(d["code"], d["message"], d.get("location")) for d in expected["diagnostics"]]
        assert [(d.code, d.message, d.location) for d in diagnostics] == wanted
        assert all(d.severity == "ERROR" for d in diagnostics)
    else:
        assert DefinitionError(diagnostics).aws_message() == expected["message"]


@requires_shared
def test_the_recorded_sets_are_there() -> None:
    assert len(VALIDATION_CASES) == 14
    assert len(ACCEPTED_CASES) >= 600


@pytest.mark.parametrize("path", ACCEPTED_CASES, ids=lambda p: p.stem)
def test_every_definition_aws_ran_is_valid(path: Path) -> None:
    case = json.loads(path.read_text())
    errors = [d for d in validate_definition(json.dumps(case["definition"]), case.get("type", "STANDARD"))]
    assert [d for d in errors if d.severity == "ERROR"] == []


# --- pass 1: JSON text -------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "[]", "1", "null", '"text"'])
def test_text_that_is_not_an_object(text: str) -> None:
    assert found(text) == [schema("Definition must be a valid JSON object", "/")]


def test_a_non_mapping_value_is_not_an_object() -> None:
    assert found([1, 2]) == [schema("Definition must be a valid JSON object", "/")]


def test_jackson_words_for_a_bad_character() -> None:
    [(code, message, location)] = found('{"StartAt" "X"}')
    assert code == "INVALID_JSON_DESCRIPTION"
    assert location == '[Source: (String)"{"StartAt" "X"}"; line: 1, column: 13]'
    assert message == (
        "Unexpected character ('\"' (code 34)): was expecting a colon to separate field name and value\n at "
        + location
    )


def test_jackson_words_for_end_of_input() -> None:
    [(code, message, location)] = found('{"StartAt": "X",\n "States": {')
    assert code == "INVALID_JSON_DESCRIPTION"
    assert location == '[Source: (String)"{"StartAt": "X",\n "States": {"; line: 2, column: 13]'
    assert message.startswith("Unexpected end-of-input: expected close marker for Object")


def test_jackson_refuses_leading_zeroes() -> None:
    [(code, message, _)] = found('{"TimeoutSeconds": 01}')
    assert code == "INVALID_JSON_DESCRIPTION"
    assert message.startswith("Invalid numeric value: Leading zeroes not allowed")


def test_unrecognized_token_column_is_past_the_token() -> None:
    [(_, _, location)] = found('{"a": tru}')
    assert location == '[Source: (String)"{"a": tru}"; line: 1, column: 10]'


def test_long_text_is_truncated_in_the_source_description() -> None:
    text = "x" + " " * 600
    [(_, _, location)] = found(text)
    assert location == f'[Source: (String)"{text[:500]}"[truncated 101 chars]; line: 1, column: 2]'


def test_jackson_refuses_nan() -> None:
    [(code, message, _)] = found('{"StartAt": NaN}')
    assert code == "INVALID_JSON_DESCRIPTION"
    assert message.startswith("Non-standard token 'NaN'")


def test_a_mapping_and_its_text_get_the_same_answer() -> None:
    definition = one_state({"Type": "Pass", "Next": "Nope"})
    assert found(definition) == found(json.dumps(definition))


# --- pass 2: schema ----------------------------------------------------------------------------


def test_empty_object_needs_states_and_start_at() -> None:
    assert found("{}") == [schema("These fields are required: [States, StartAt]", "/")]


def test_unknown_fields_are_not_supported_at_the_object_holding_them() -> None:
    assert found(one_state({**PASS_END, "_comment": 1}, Extra=True)) == [
        schema("Field 'Extra' is not supported", "/"),
        schema("Field '_comment' is not supported", "/States/X"),
    ]


@pytest.mark.parametrize("kind", ["Pass", "Map", "Parallel"])
def test_timeout_seconds_is_a_task_field(kind: str) -> None:
    # floci-io/floci#2735, measured: "Field 'TimeoutSeconds' is not supported" at /States/M and /States/P
    state: dict[str, Any] = {"Type": kind, "TimeoutSeconds": 5, "End": True}
    if kind == "Map":
        state["ItemProcessor"] = {"StartAt": "W", "States": {"W": PASS_END}}
    if kind == "Parallel":
        state["Branches"] = [{"StartAt": "W", "States": {"W": PASS_END}}]
    assert found(one_state(state)) == [schema("Field 'TimeoutSeconds' is not supported", "/States/X")]


def test_retry_and_catch_only_where_errors_are_handled() -> None:
    state = {
        **PASS_END,
        "Retry": [{"ErrorEquals": ["States.ALL"]}],
        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "X"}],
    }
    assert sorted(found(one_state(state))) == [
        schema("Field 'Catch' is not supported", "/States/X"),
        schema("Field 'Retry' is not supported", "/States/X"),
    ]


def test_type_must_be_known() -> None:
    assert found(one_state({"End": True})) == [schema("These fields are required: [Type]", "/States/X")]
    assert found(one_state({"Type": "Nap", "End": True})) == [
        schema(
            "The field 'Type' should have one of these values: "
            "[Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map]",
            "/States/X/Type",
        )
    ]


def test_next_xor_end() -> None:
    assert found(one_state({"Type": "Pass"})) == [
        schema("This object should have only one of the following fields: [Next, End]", "/States/X")
    ]
    assert found(one_state({"Type": "Pass", "Next": "X", "End": True})) == [
        schema("There should only be one of the following fields: [Next, End]", "/States/X")
    ]
    assert found(one_state({"Type": "Choice", "Choices": [], "End": True}))[0] == schema(
        "Field 'End' is not supported", "/States/X"
    )


def test_field_types() -> None:
    assert found(one_state({"Type": "Pass", "Next": 3})) == [
        schema("Expected value of type [STRING]", "/States/X/Next")
    ]
    assert found(one_state(PASS_END, QueryLanguage=5)) == [
        schema("Expected value of type [STRING]", "/QueryLanguage")
    ]


# --- query languages (floci-io/floci#2968, measured against AWS) -------------------------------

ONLY_JSONPATH = (
    "The QueryLanguage is set to 'JSONata', but field '{}' is only supported for the 'JSONPath' QueryLanguage"
)
ONLY_JSONATA = (
    "The QueryLanguage is set to 'JSONPath', but field '{}' is only supported for the 'JSONata' QueryLanguage"
)
DOWNGRADE = "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine"
ENUM = "Value should be one of the following: [JSONPath, JSONata]"


def test_jsonpath_fields_in_a_jsonata_state() -> None:
    state = {**PASS_END, "InputPath": "$.a", "OutputPath": "$.b", "ResultPath": "$.c"}
    assert found(one_state(state, QueryLanguage="JSONata")) == [
        schema(ONLY_JSONPATH.format("InputPath"), "/States/X"),
        schema(ONLY_JSONPATH.format("OutputPath"), "/States/X"),
        schema(ONLY_JSONPATH.format("ResultPath"), "/States/X"),
    ]


def test_jsonata_fields_in_a_jsonpath_state() -> None:
    state = {"Type": "Task", "Resource": LAMBDA, "Arguments": {"a": 1}, "End": True}
    assert found(one_state(state)) == [schema(ONLY_JSONATA.format("Arguments"), "/States/X")]
    items = {
        "Type": "Map",
        "Items": [1],
        "ItemProcessor": {"StartAt": "P", "States": {"P": PASS_END}},
        "End": True,
    }
    assert found(one_state(items)) == [schema(ONLY_JSONATA.format("Items"), "/States/X")]


def test_assign_belongs_to_both_languages() -> None:
    assert found(one_state({**PASS_END, "Assign": {"counter": 1}})) == []


def test_a_maps_language_does_not_reach_its_processor() -> None:
    inner = {"Type": "Pass", "Output": {"v": "{% 1 %}"}, "End": True}
    processor = {"StartAt": "P", "States": {"P": inner}}
    for declared in ({}, {"QueryLanguage": "JSONata"}):
        state = {"Type": "Map", **declared, "ItemProcessor": processor, "End": True}
        assert found(one_state(state)) == [
            schema(ONLY_JSONATA.format("Output"), "/States/X/ItemProcessor/States/P")
        ]
    state = {"Type": "Map", "ItemProcessor": processor, "End": True}
    assert found(one_state(state, QueryLanguage="JSONata")) == []


def test_processors_and_branches_have_no_query_language() -> None:
    processor = {"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": PASS_END}}
    assert found(one_state({"Type": "Map", "Iterator": processor, "End": True})) == [
        schema("Field 'QueryLanguage' is not supported", "/States/X/Iterator")
    ]
    assert found(one_state({"Type": "Parallel", "Branches": [processor], "End": True})) == [
        schema("Field 'QueryLanguage' is not supported", "/States/X/Branches[0]")
    ]


def test_downgrade_is_the_whole_answer_for_its_fields() -> None:
    state = {**PASS_END, "QueryLanguage": "JSONPath", "Output": {"v": "{% 1 %}"}}
    assert found(one_state(state, QueryLanguage="JSONata")) == [schema(DOWNGRADE, "/States/X")]
    mapped = {"Type": "Map", "QueryLanguage": "JSONPath", "MaxConcurrency": -1, "End": True}
    mapped["ItemProcessor"] = {"StartAt": "P", "States": {"P": PASS_END}}
    assert found(one_state(mapped, QueryLanguage="JSONata")) == [
        schema(DOWNGRADE, "/States/X"),
        schema("Minimum value is 0", "/States/X/MaxConcurrency"),
    ]


def test_a_value_outside_the_enum_still_chooses_jsonata() -> None:
    state = {**PASS_END, "QueryLanguage": "jsonata", "Output": {"v": "{% 1 %}"}, "InputPath": "$.a"}
    assert found(one_state(state)) == [
        schema(ONLY_JSONPATH.format("InputPath"), "/States/X"),
        schema(ENUM, "/States/X/QueryLanguage"),
    ]
    assert found(one_state({**PASS_END, "InputPath": "$.a"}, QueryLanguage="jsonpath")) == [
        schema(ENUM, "/QueryLanguage"),
        schema(ONLY_JSONPATH.format("InputPath"), "/States/X"),
    ]
    lowercase = {**PASS_END, "QueryLanguage": "jsonpath"}
    assert found(one_state(lowercase, QueryLanguage="JSONata")) == [schema(ENUM, "/States/X/QueryLanguage")]


# --- per state type ----------------------------------------------------------------------------


def retry(**fields: Any) -> dict[str, Any]:
    return one_state(
        {"Type": "Task", "Resource": LAMBDA, "End": True, "Retry": [{"ErrorEquals": ["E"], **fields}]}
    )


def test_retrier_ranges() -> None:
    assert found(retry(IntervalSeconds=0, MaxAttempts=0, BackoffRate=1, MaxDelaySeconds=31622400)) == []
    at = "/States/X/Retry[0]/"
    assert found(retry(MaxAttempts=-1)) == [schema("Minimum value is 0", at + "MaxAttempts")]
    assert found(retry(MaxAttempts=100_000_000)) == [schema("Maximum value is 99999999", at + "MaxAttempts")]
    assert found(retry(BackoffRate=0.5)) == [schema("Minimum value is 1.0", at + "BackoffRate")]
    assert found(retry(MaxDelaySeconds=0)) == [schema("Minimum value is 1", at + "MaxDelaySeconds")]
    assert found(retry(JitterStrategy="HALF")) == [
        schema("Value should be one of the following: [NONE, FULL]", at + "JitterStrategy")
    ]
    assert found(retry(IntervalSeconds="1")) == [
        schema("Expected value of type [INTEGER]", at + "IntervalSeconds")
    ]


def test_states_all_alone_and_last() -> None:
    state = {"Type": "Task", "Resource": LAMBDA, "End": True}
    state["Retry"] = [{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["E"]}]
    state["Catch"] = [{"ErrorEquals": ["States.ALL", "E"], "Next": "X"}]
    assert found(one_state(state)) == [
        schema("States.ALL must appear alone and at end of list", "/States/X/Catch[0]/ErrorEquals"),
        schema("States.ALL must appear alone and at end of list", "/States/X/Retry[0]/ErrorEquals"),
    ]


def test_catcher_shape() -> None:
    state = {"Type": "Task", "Resource": LAMBDA, "End": True, "Catch": [{"ErrorEquals": []}]}
    assert found(one_state(state)) == [
        schema("These fields are required: [Next]", "/States/X/Catch[0]"),
        schema("Value cannot be empty", "/States/X/Catch[0]/ErrorEquals"),
    ]


WAIT_FIELDS = "[SecondsPath, Seconds, TimestampPath, Timestamp]"


def test_wait_fields() -> None:
    assert found(one_state({"Type": "Wait", "End": True})) == [
        schema(
            "This object should have only one of the following fields: " + WAIT_FIELDS,
            "/States/X",
        )
    ]
    assert found(one_state({"Type": "Wait", "Seconds": 1, "SecondsPath": "$.s", "End": True})) == [
        schema(
            "There should only be one of the following fields: " + WAIT_FIELDS,
            "/States/X",
        )
    ]
    assert found(one_state({"Type": "Wait", "Seconds": -1, "End": True})) == [
        schema("Minimum value is 0", "/States/X/Seconds")
    ]
    for good in ("2016-03-14T01:59:00Z", "2016-03-05T21:29:29.243167252Z", "2016-03-14T01:59:00+01:00"):
        assert found(one_state({"Type": "Wait", "Timestamp": good, "End": True})) == []
    for bad in ("2016-03-14T01:59:00", "2016-13-14T01:59:00Z", "2016-03-14t01:59:00Z"):
        assert found(one_state({"Type": "Wait", "Timestamp": bad, "End": True})) == [
            schema("String does not match RFC3339 timestamp", "/States/X/Timestamp")
        ]


def test_fail_fields_exclude_their_paths() -> None:
    state = {"Type": "Fail", "Error": "E", "ErrorPath": "$.e", "Cause": "c", "CausePath": "$.c"}
    assert found(one_state(state)) == [
        schema("There should only be one of the following fields: [Cause, CausePath]", "/States/X/Cause"),
        schema("There should only be one of the following fields: [Error, ErrorPath]", "/States/X/Error"),
    ]


def test_task_fields() -> None:
    assert found(one_state({"Type": "Task", "End": True})) == [
        schema("These fields are required: [Resource]", "/States/X")
    ]
    [(_, message, location)] = found(one_state({"Type": "Task", "Resource": "my-function", "End": True}))
    assert message.startswith("The resource provided my-function is not recognized.")
    assert location == "/States/X/Resource"
    timed = {"Type": "Task", "Resource": LAMBDA, "TimeoutSeconds": 0, "End": True}
    assert found(one_state(timed)) == [schema("Minimum value is 1", "/States/X/TimeoutSeconds")]
    heartbeat = {"Type": "Task", "Resource": LAMBDA, "TimeoutSeconds": 5, "HeartbeatSeconds": 5, "End": True}
    assert [d[2] for d in found(one_state(heartbeat))] == ["/States/X/HeartbeatSeconds"]
    jsonata = {"Type": "Task", "Resource": LAMBDA, "TimeoutSeconds": "{% 5 %}", "End": True}
    assert found(one_state(jsonata, QueryLanguage="JSONata")) == []
    assert found(one_state(jsonata)) == [
        schema("Expected value of type [INTEGER]", "/States/X/TimeoutSeconds")
    ]


def choice(*rules: Any, **top: Any) -> dict[str, Any]:
    return {
        **top,
        "StartAt": "C",
        "States": {"C": {"Type": "Choice", "Choices": list(rules), "Default": "D"}, "D": PASS_END},
    }


def test_choice_rules() -> None:
    assert found(choice()) == [schema("Value cannot be empty", "/States/C/Choices")]
    assert found(choice({"Variable": "$.x", "IsPresent": True})) == [
        schema("These fields are required: [Next]", "/States/C/Choices[0]")
    ]
    [(_, message, location)] = found(
        choice({"Variable": "$.x", "IsNull": True, "IsString": True, "Next": "D"})
    )
    assert message.startswith("There should only be one of the following fields: [StringEquals, ")
    assert location == "/States/C/Choices[0]"
    assert found(choice({"Variable": "$.x", "NumericEquals": "1", "Next": "D"})) == [
        schema("Expected value of type [NUMBER]", "/States/C/Choices[0]/NumericEquals")
    ]
    nested = {"Not": {"Variable": "$.x", "IsNull": True, "Next": "D"}, "Next": "D"}
    assert found(choice(nested)) == [schema("Field 'Next' is not supported", "/States/C/Choices[0]/Not")]
    assert found(choice({"Condition": "{% true %}", "Next": "D"})) == [
        schema(ONLY_JSONATA.format("Condition"), "/States/C/Choices[0]"),
    ]
    assert found(choice({"Condition": "{% true %}", "Next": "D"}, QueryLanguage="JSONata")) == []
    assert found(choice({"Variable": "$.t", "TimestampEquals": "yesterday", "Next": "D"})) == [
        schema("String does not match RFC3339 timestamp", "/States/C/Choices[0]/TimestampEquals")
    ]


def mapped(processor: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return one_state(
        {
            "Type": "Map",
            "ItemProcessor": {**processor, "StartAt": "P", "States": {"P": PASS_END}},
            "End": True,
            **fields,
        }
    )


def test_map_fields() -> None:
    assert found(one_state({"Type": "Map", "End": True})) == [
        schema(
            "This object should have only one of the following fields: [ItemProcessor, Iterator]", "/States/X"
        )
    ]
    assert found(mapped({"ProcessorConfig": {"Mode": "DISTRIBUTED"}})) == [
        schema("These fields are required: [ExecutionType]", "/States/X/ItemProcessor/ProcessorConfig")
    ]
    assert found(mapped({"ProcessorConfig": {"Mode": "INLINE", "ExecutionType": "STANDARD"}})) == [
        schema("Field 'ExecutionType' is not supported", "/States/X/ItemProcessor/ProcessorConfig")
    ]
    assert found(mapped({}, ToleratedFailurePercentage=101)) == [
        schema("Maximum value is 100.0", "/States/X/ToleratedFailurePercentage")
    ]
    assert found(mapped({}, MaxConcurrency=2, MaxConcurrencyPath="$.n")) == [
        schema(
            "There should only be one of the following fields: [MaxConcurrency, MaxConcurrencyPath]",
            "/States/X/MaxConcurrency",
        )
    ]
    assert found(mapped({}, MaxConcurrency=9223372036854775807)) == []


def test_credentials_need_a_role() -> None:
    state = {"Type": "Task", "Resource": LAMBDA, "Credentials": {"RoleArn.$": "$.role"}, "End": True}
    assert found(one_state(state)) == []


# --- pass 5: EXPRESS ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resource", "message"),
    [
        (
            "arn:aws:states:::states:startExecution.sync:2",
            "Express state machine does not support '.sync' service integration",
        ),
        (
            "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Express state machine does not support '.waitForTaskToken' service integration ",
        ),
        (
            "arn:aws:states:us-east-1:111111111111:activity:work",
            "Express state machine does not support Activity ARN",
        ),
    ],
)
def test_express_refuses_what_it_cannot_wait_for(resource: str, message: str) -> None:
    definition = one_state({"Type": "Task", "Resource": resource, "End": True})
    assert found(definition, "EXPRESS") == [schema(message, "/States/X/Resource")]
    assert found(definition, "STANDARD") == []


def test_express_looks_inside_branches() -> None:
    task = {"Type": "Task", "Resource": "arn:aws:states:::ecs:runTask.sync", "End": True}
    definition = one_state(
        {"Type": "Parallel", "Branches": [{"StartAt": "T", "States": {"T": task}}], "End": True}
    )
    assert [d[2] for d in found(definition, "EXPRESS")] == ["/States/X/Branches[0]/States/T/Resource"]


# --- pass 4: expressions -----------------------------------------------------------------------


def test_paths_must_compile() -> None:
    assert found(one_state({**PASS_END, "InputPath": "a.b"})) == [
        schema("The value for the field 'InputPath' must be a valid JSONPath", "/States/X/InputPath")
    ]
    assert found(one_state({**PASS_END, "ResultPath": "$.a[*]"})) == [
        schema("Value is not a Reference Path", "/States/X/ResultPath")
    ]
    assert found(one_state({"Type": "Wait", "SecondsPath": "$waitTime", "End": True})) == []
    assert found(mapped({}, MaxConcurrencyPath="$$.Execution.Input.n")) == [
        schema("Value is not a Reference Path", "/States/X/MaxConcurrencyPath")
    ]


def test_payload_templates_hold_paths_or_intrinsics() -> None:
    good = {"a.$": "$.a", "b": {"c.$": "States.Format('{}', $.x)"}, "d.$": "$$.Execution.Id", "e.$": "$var"}
    assert found(one_state({**PASS_END, "Parameters": good})) == []
    assert found(one_state({**PASS_END, "Parameters": {"b": {"c.$": "nope"}}})) == [
        schema(
            "The value for the field 'c.$' must be a valid JSONPath or a valid intrinsic function call",
            "/States/X/Parameters/b/c.$",
        )
    ]
    assert (
        found(one_state({**PASS_END, "Parameters": {"c.$": "States.Nope()"}}))[0][0]
        == "SCHEMA_VALIDATION_FAILED"
    )


def test_jsonata_context_rules() -> None:
    # floci-io/floci, measured: "$$" and "$states.errorOutput" outside a catcher
    output = one_state({**PASS_END, "Output": "{% $$ %}"}, QueryLanguage="JSONata")
    assert found(output) == [
        ("UNSUPPORTED_JSONATA_EXPRESSION", "Reference to '$$' is not supported.", "/States/X/Output")
    ]
    literal = one_state({**PASS_END, "Output": "{% '$$' %}"}, QueryLanguage="JSONata")
    assert found(literal) == []
    error_output = one_state({**PASS_END, "Output": "{% $states.errorOutput %}"}, QueryLanguage="JSONata")
    assert found(error_output) == [
        ("UNSUPPORTED_JSONATA_EXPRESSION", "Field '$states.errorOutput' does not exist.", "/States/X/Output")
    ]
    task = {"Type": "Task", "Resource": LAMBDA, "End": True}
    task["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": "X", "Output": "{% $states.errorOutput %}"}]
    assert found(one_state(task, QueryLanguage="JSONata")) == []


# --- pass 3: names and transitions (floci-io/floci#2735/#2786, measured) -------------------------

NO_TERMINAL = ("MISSING_END_STATE", "Workflow has no terminal state", None)


def unreachable(name: str, location: str) -> Triple:
    return ("MISSING_TRANSITION_TARGET", f'State "{name}" is not reachable.', location)


def missing(target: str, location: str) -> Triple:
    return ("MISSING_TRANSITION_TARGET", f"Missing 'Next' target: {target}", location)


def test_a_loop_with_no_way_out() -> None:
    loop = {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}}
    assert found({"StartAt": "A", "States": loop}) == [NO_TERMINAL]
    assert found({"StartAt": "A", "States": {**loop, "U": {"Type": "Pass", "Next": "A"}}}) == [NO_TERMINAL]
    assert found({"StartAt": "A", "States": {**loop, "C": PASS_END}}) == [unreachable("C", "/States/C")]


def test_a_dangling_next_comes_before_the_missing_end() -> None:
    definition = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "NOPE"}}}
    assert found(definition) == [missing("NOPE", "/States/A/Next"), NO_TERMINAL]


def test_every_transition_field_says_next() -> None:
    rule = {"Variable": "$.x", "IsPresent": True, "Next": "Ghost"}
    assert found(choice(rule)) == [missing("Ghost", "/States/C/Choices[0]/Next")]
    default = {
        "StartAt": "C",
        "States": {
            "C": {"Type": "Choice", "Choices": [{**rule, "Next": "Z"}], "Default": "Ghost"},
            "Z": PASS_END,
        },
    }
    assert found(default) == [missing("Ghost", "/States/C/Default")]
    task = {
        "Type": "Task",
        "Resource": LAMBDA,
        "End": True,
        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Ghost"}],
    }
    assert found(one_state(task)) == [missing("Ghost", "/States/X/Catch[0]/Next")]


def test_a_dangling_start_at_leaves_everything_unreachable() -> None:
    assert found({"StartAt": "Nope", "States": {"A": PASS_END}}) == [
        missing("Nope", "/StartAt"),
        unreachable("A", "/States/A"),
    ]
    processor = {"StartAt": "Nope", "States": {"A": PASS_END}}
    assert found(one_state({"Type": "Map", "ItemProcessor": processor, "End": True})) == [
        missing("Nope", "/States/X/ItemProcessor/StartAt"),
        unreachable("A", "/States/X/ItemProcessor/States/A"),
    ]


def test_nested_programs_are_walked() -> None:
    branch = {"StartAt": "W", "States": {"W": PASS_END, "Ghost": PASS_END}}
    assert found(one_state({"Type": "Parallel", "Branches": [branch], "End": True})) == [
        unreachable("Ghost", "/States/X/Branches[0]/States/Ghost")
    ]


def test_every_nested_program_needs_a_terminal_state() -> None:
    # issue 9 point 7: the loop refused at top level is refused inside a Map processor and a
    # Parallel branch too (ASL: each is a complete state machine; awslabs/statelint reports "No
    # terminal state found in machine" for nested ones). Location = the program: a guess.
    loop: dict[str, Any] = {"StartAt": "L", "States": {"L": {"Type": "Pass", "Next": "L"}}}
    for field in ("ItemProcessor", "Iterator"):
        mapped_loop = one_state({"Type": "Map", field: loop, "End": True})
        assert found(mapped_loop) == [
            ("MISSING_END_STATE", "Workflow has no terminal state", f"/States/X/{field}")
        ]
    two = {"Type": "Parallel", "Branches": [{"StartAt": "W", "States": {"W": PASS_END}}, loop], "End": True}
    assert found(one_state(two)) == [
        ("MISSING_END_STATE", "Workflow has no terminal state", "/States/X/Branches[1]")
    ]
    # as at top level, it replaces the reachability report of that program
    orphaned = {"StartAt": "L", "States": {**loop["States"], "U": {"Type": "Pass", "Next": "L"}}}
    assert [d[0] for d in found(one_state({"Type": "Map", "ItemProcessor": orphaned, "End": True}))] == [
        "MISSING_END_STATE"
    ]


def test_no_transition_leaves_a_branch() -> None:
    branch = {"StartAt": "W", "States": {"W": {"Type": "Pass", "Next": "X"}, "E": {"Type": "Succeed"}}}
    assert found(one_state({"Type": "Parallel", "Branches": [branch], "End": True})) == [
        unreachable("E", "/States/X/Branches[0]/States/E"),
        missing("X", "/States/X/Branches[0]/States/W/Next"),
    ]


def test_state_names_are_unique_across_the_definition() -> None:
    processor = {"StartAt": "X", "States": {"X": PASS_END}}
    assert found(one_state({"Type": "Map", "ItemProcessor": processor, "End": True})) == [
        ("DUPLICATE_STATE_NAME", "Duplicate State name: X", "/States/X/ItemProcessor/States/X")
    ]
    text = '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}, "A": {"Type": "Succeed"}}}'
    assert found(text) == [("DUPLICATE_STATE_NAME", "Duplicate State name: A", "/States/A")]


def test_name_and_label_limits() -> None:
    long_name = "N" * 81
    assert found({"StartAt": long_name, "States": {long_name: PASS_END}}) == [
        (
            "INVALID_STATE_NAME",
            "Invalid State name: State exceeds the 80-character limit allowed by the service",
            f"/States/{long_name}",
        )
    ]
    assert found({"StartAt": "N" * 80, "States": {"N" * 80: PASS_END}}) == []
    labelled = mapped({}, Label="L" * 41)
    assert [d[0] for d in found(labelled)] == ["INVALID_LABEL_NAME"]
    assert [d[0] for d in found(mapped({}, Label="a b"))] == ["INVALID_LABEL_NAME"]


def test_schema_errors_hide_the_graph() -> None:
    # recorded against AWS: a definition without StartAt gets only the schema diagnostic
    assert found({"States": {"A": PASS_END, "B": PASS_END}}) == [
        schema("These fields are required: [StartAt]", "/")
    ]


def test_order_is_by_location() -> None:
    definition = {
        "StartAt": "A",
        "States": {
            "B": {"Type": "Pass", "Foo": 1, "End": True},
            "A": {"Type": "Pass", "Bar": 1, "End": True},
        },
    }
    assert [d[2] for d in found(definition)] == ["/States/A", "/States/B"]


# Every (expression, message) pair below was run through AWS's ValidateStateMachineDefinition by
# floci-io/floci (INVALID_JSONATA_EXPRESSION at the field holding the expression).
@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("a[1,2)", 'Expected "]", got ","'),
        ('"unterminated', "String literal must be terminated by a matching quote"),
        ("1 +", "Unexpected end of expression"),
        ('{"a":}', 'The symbol "}" cannot be used as a unary operator'),
        ("$x :=", "Unexpected end of expression"),
        ('$match("a", /abc', "No terminating / in regular expression"),
        ("phone %.other", 'The symbol "." cannot be used as a unary operator'),
        ("", "Unexpected end of expression"),
    ],
)
def test_jsonata_that_does_not_parse(expression: str, message: str) -> None:
    definition = one_state({**PASS_END, "Output": "{% " + expression + " %}"}, QueryLanguage="JSONata")
    assert found(definition) == [("INVALID_JSONATA_EXPRESSION", message, "/States/X/Output")]


def test_jsonata_inside_templates_catchers_and_rules_is_compiled() -> None:
    nested = one_state({**PASS_END, "Output": {"a": ["{% 1 + %}"]}}, QueryLanguage="JSONata")
    assert found(nested) == [
        ("INVALID_JSONATA_EXPRESSION", "Unexpected end of expression", "/States/X/Output")
    ]
    assert [d[2] for d in found(choice({"Condition": "{% ( %}", "Next": "D"}, QueryLanguage="JSONata"))] == [
        "/States/C/Choices[0]/Condition"
    ]
    task = {"Type": "Task", "Resource": LAMBDA, "End": True}
    task["Catch"] = [
        {"ErrorEquals": ["States.ALL"], "Next": "X", "Assign": {"e": "{% $states.errorOutput. %}"}}
    ]
    assert [d[2] for d in found(one_state(task, QueryLanguage="JSONata"))] == ["/States/X/Catch[0]/Assign"]


def test_jsonata_strings_in_a_jsonpath_state_are_plain_strings() -> None:
    assert found(one_state({**PASS_END, "Result": {"a": "{% 1 + %}"}})) == []
