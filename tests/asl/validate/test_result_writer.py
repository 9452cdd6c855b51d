"""A Distributed Map's ResultWriter: its valid sets of fields, its Resource and its WriterConfig."""

from __future__ import annotations

from typing import Any

from stepwell.asl.validate.map import check_map_state
from stepwell.asl.validate.result_writer import EMPTY
from stepwell.asl.validate.schema import Diagnostics
from tests.asl.validate.support import PASS_END, Triple, one_state, schema, site_of, triples

PROCESSOR = {
    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
    "StartAt": "A",
    "States": {"A": PASS_END},
}
PUT = "arn:aws:states:::s3:putObject"
WHERE = "/States/X/ResultWriter"


def check(writer: Any, **fields: Any) -> list[Triple]:
    out: Diagnostics = []
    body = {"Type": "Map", "End": True, "ItemProcessor": PROCESSOR, "ResultWriter": writer, **fields}
    check_map_state(site_of(one_state(body)), out)
    return triples(out)


def test_the_three_valid_sets_of_fields() -> None:
    config = {"Transformation": "FLATTEN", "OutputType": "JSONL"}
    target = {"Bucket": "b", "Prefix": "p"}
    assert check({"WriterConfig": config}) == []
    assert check({"Resource": PUT, "Parameters": target}) == []
    assert (
        check({"Resource": "arn:aws-cn:states:::s3:putObject", "Parameters": target, "WriterConfig": config})
        == []
    )


def test_the_refusals() -> None:
    assert check({}) == [schema(EMPTY, WHERE)]
    assert check({"Resource": PUT}) == [schema("These fields are required: [Parameters]", WHERE)]
    assert check({"Parameters": {}}) == [schema("These fields are required: [Resource]", WHERE)]
    message = (
        "The field 'Resource' does not match any of the allowed values. Examples: "
        "[arn:<partition>:states:::s3:putObject]"
    )
    assert check({"Resource": "arn:aws:states:::s3:getObject", "Parameters": {}}) == [
        schema(message, f"{WHERE}/Resource")
    ]
    assert check({"WriterConfig": {"Transformation": "SQUASH", "OutputType": "CSV", "Extra": 1}}) == [
        schema("Field 'Extra' is not supported", f"{WHERE}/WriterConfig"),
        schema(
            "Value should be one of the following: [NONE, COMPACT, FLATTEN]",
            f"{WHERE}/WriterConfig/Transformation",
        ),
        schema("Value should be one of the following: [JSON, JSONL]", f"{WHERE}/WriterConfig/OutputType"),
    ]
    assert check({"WriterConfig": {}, "Bucket": "b"}) == [schema("Field 'Bucket' is not supported", WHERE)]


def test_jsonata_names_arguments() -> None:
    assert check({"Resource": PUT}, QueryLanguage="JSONata") == [
        schema("These fields are required: [Arguments]", WHERE)
    ]
    assert check({"Resource": PUT, "Arguments": {"Bucket": "b"}}, QueryLanguage="JSONata") == []
