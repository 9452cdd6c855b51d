"""Map states: the processor, its configuration, concurrency and tolerated failures, ItemReader."""

from __future__ import annotations

from typing import Any

import pytest

from stepwell.asl.validate.map import check_map_state
from stepwell.asl.validate.schema import Diagnostics
from tests.asl.validate.support import PASS_END, Triple, one_state, schema, site_of, triples

PROCESSOR = {"StartAt": "A", "States": {"A": PASS_END}}


def check(**fields: Any) -> list[Triple]:
    out: Diagnostics = []
    check_map_state(site_of(one_state({"Type": "Map", "End": True, **fields})), out)
    return triples(out)


def test_a_good_map_passes() -> None:
    assert (
        check(
            ItemProcessor=PROCESSOR, MaxConcurrency=0, ToleratedFailureCount=0, ToleratedFailurePercentage=100
        )
        == []
    )
    assert check(Iterator=PROCESSOR) == []


def test_exactly_one_processor() -> None:
    assert check() == [
        schema(
            "This object should have only one of the following fields: [ItemProcessor, Iterator]", "/States/X"
        )
    ]
    assert check(ItemProcessor=PROCESSOR, Iterator=PROCESSOR) == [
        schema("There should only be one of the following fields: [ItemProcessor, Iterator]", "/States/X")
    ]


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"Mode": "INLINE"}, []),
        ({"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}, []),
        ({}, []),
        ({"Mode": "DISTRIBUTED"}, [("These fields are required: [ExecutionType]", "")]),
        ({"Mode": "INLINE", "ExecutionType": "STANDARD"}, [("Field 'ExecutionType' is not supported", "")]),
        ({"ExecutionType": "STANDARD"}, [("Field 'ExecutionType' is not supported", "")]),
        ({"Mode": "inline"}, [("Value should be one of the following: [INLINE, DISTRIBUTED]", "/Mode")]),
        (
            {"Mode": "DISTRIBUTED", "ExecutionType": "SYNC"},
            [("Value should be one of the following: [STANDARD, EXPRESS]", "/ExecutionType")],
        ),
        ({"Other": 1}, [("Field 'Other' is not supported", "")]),
        ("DISTRIBUTED", [("Expected value of type [OBJECT]", "")]),
    ],
)
def test_processor_config(config: Any, expected: list[tuple[str, str]]) -> None:
    where = "/States/X/ItemProcessor/ProcessorConfig"
    found = check(ItemProcessor={**PROCESSOR, "ProcessorConfig": config})
    assert found == [schema(message, where + suffix) for message, suffix in expected]


def test_an_iterator_config_is_checked_at_its_own_pointer() -> None:
    assert check(Iterator={**PROCESSOR, "ProcessorConfig": {"Mode": "DISTRIBUTED"}}) == [
        schema("These fields are required: [ExecutionType]", "/States/X/Iterator/ProcessorConfig")
    ]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("MaxConcurrency", -1, "Minimum value is 0"),
        ("ToleratedFailureCount", -1, "Minimum value is 0"),
        ("ToleratedFailurePercentage", -0.1, "Minimum value is 0.0"),
        ("ToleratedFailurePercentage", 100.1, "Maximum value is 100.0"),
    ],
)
def test_bounds(field: str, value: Any, message: str) -> None:
    assert check(ItemProcessor=PROCESSOR, **{field: value}) == [schema(message, f"/States/X/{field}")]


@pytest.mark.parametrize(
    "resource",
    [
        "arn:aws:states:::s3:getObject",
        "arn:aws-cn:states:::s3:listObjectsV2",
        "arn:aws-us-gov:states:::s3:getObject",
    ],
)
def test_item_reader_resources(resource: str) -> None:
    assert check(ItemProcessor=PROCESSOR, ItemReader={"Resource": resource}) == []


def test_item_reader_problems() -> None:
    where = "/States/X/ItemReader"
    assert check(ItemProcessor=PROCESSOR, ItemReader={}) == [
        schema("These fields are required: [Resource]", where)
    ]
    assert check(ItemProcessor=PROCESSOR, ItemReader={"Resource": 1}) == [
        schema("Expected value of type [STRING]", f"{where}/Resource")
    ]
    message = (
        "The field 'Resource' does not match any of the allowed values. Examples: "
        "[arn:<partition>:states:::s3:getObject, arn:<partition>:states:::s3:listObjectsV2]"
    )
    for resource in (
        "arn:aws:states:::s3:putObject",
        "arn:aws:states:us-east-1::s3:getObject",
        "s3:getObject",
    ):
        assert check(ItemProcessor=PROCESSOR, ItemReader={"Resource": resource}) == [
            schema(message, f"{where}/Resource")
        ]
