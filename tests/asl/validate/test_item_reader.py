"""A Distributed Map's ReaderConfig (asl/validate/item_reader.py), through the Map state's checks."""

from __future__ import annotations

from typing import Any

import pytest

from tests.asl.validate.test_map import PROCESSOR, check

GET = "arn:aws:states:::s3:getObject"
LIST = "arn:aws:states:::s3:listObjectsV2"
WHERE = "/States/X/ItemReader/ReaderConfig"


def refusals(resource: str, config: Any) -> list[tuple[str, str]]:
    found = check(ItemProcessor=PROCESSOR, ItemReader={"Resource": resource, "ReaderConfig": config})
    return [(message, location.removeprefix(WHERE)) for _, message, location in found]


@pytest.mark.parametrize(
    ("resource", "config"),
    [
        (
            GET,
            {"InputType": "CSV", "CSVHeaderLocation": "GIVEN", "CSVHeaders": ["a"], "CSVDelimiter": "PIPE"},
        ),
        (GET, {"InputType": "JSON", "ItemsPointer": "/a/0/b~1c", "MaxItems": 10}),
        (GET, {"InputType": "JSON", "ItemsPointer": ""}),
        (GET, {"ManifestType": "S3_INVENTORY"}),
        (GET, {"InputType": "MANIFEST"}),
        (GET, {"ManifestType": "S3_INVENTORY", "InputType": "MANIFEST"}),
        (GET, {"ManifestType": "ATHENA_DATA", "InputType": "JSONL"}),
        (LIST, {}),
        (LIST, {"Transformation": "NONE", "MaxItemsPath": "$.n"}),
        (LIST, {"Transformation": "LOAD_AND_FLATTEN", "InputType": "CSV"}),
    ],
)
def test_good_reader_configs_pass(resource: str, config: dict[str, Any]) -> None:
    assert refusals(resource, config) == []


@pytest.mark.parametrize(
    ("resource", "config", "expected"),
    [
        (GET, "JSON", [("Expected value of type [OBJECT]", "")]),
        (
            GET,
            {"InputType": "XML"},
            [("Value should be one of the following: [CSV, JSON, JSONL, PARQUET, MANIFEST]", "/InputType")],
        ),
        (
            LIST,
            {"Transformation": "FLAT"},
            [("Value should be one of the following: [NONE, LOAD_AND_FLATTEN]", "/Transformation")],
        ),
        (
            GET,
            {"ManifestType": "CSV"},
            [("Value should be one of the following: [ATHENA_DATA, S3_INVENTORY]", "/ManifestType")],
        ),
        (
            GET,
            {"InputType": "CSV", "CSVDelimiter": ","},
            [("Value should be one of the following: [COMMA, PIPE, SEMICOLON, SPACE, TAB]", "/CSVDelimiter")],
        ),
        (
            GET,
            {"InputType": "CSV", "CSVHeaderLocation": "GIVEN"},
            [("These fields are required: [CSVHeaders]", "")],
        ),
        (GET, {"InputType": "CSV", "CSVHeaders": "a,b"}, [("Expected value of type [ARRAY]", "/CSVHeaders")]),
        (
            GET,
            {"InputType": "JSON", "MaxItems": 1, "MaxItemsPath": "$.n"},
            [("There should only be one of the following fields: [MaxItems, MaxItemsPath]", "")],
        ),
        (GET, {"InputType": "JSON", "Other": 1}, [("Field 'Other' is not supported", "")]),
        (
            GET,
            {"InputType": "JSON", "Transformation": "LOAD_AND_FLATTEN"},
            [
                (
                    "The Transformation LOAD_AND_FLATTEN is only supported with the resource "
                    "arn:<partition>:states:::s3:listObjectsV2",
                    "/Transformation",
                )
            ],
        ),
        (LIST, {"Transformation": "LOAD_AND_FLATTEN"}, [("These fields are required: [InputType]", "")]),
        (
            GET,
            {"ManifestType": "S3_INVENTORY", "InputType": "CSV"},
            [("The field 'InputType' must be omitted when the ManifestType is S3_INVENTORY", "/InputType")],
        ),
        (GET, {"ManifestType": "ATHENA_DATA"}, [("These fields are required: [InputType]", "")]),
        (
            GET,
            {"ManifestType": "ATHENA_DATA", "InputType": "JSON"},
            [("The ManifestType ATHENA_DATA needs an InputType of [CSV, JSONL, PARQUET]", "/InputType")],
        ),
        (
            LIST,
            {"ManifestType": "S3_INVENTORY"},
            [("A manifest is read with the resource arn:<partition>:states:::s3:getObject", "/ManifestType")],
        ),
        (
            GET,
            {"InputType": "JSON", "ItemsPointer": 3},
            [("Expected value of type [STRING]", "/ItemsPointer")],
        ),
        (
            GET,
            {"InputType": "JSON", "ItemsPointer": "items"},
            [
                (
                    "The field 'ItemsPointer' is not a valid JSON Pointer: "
                    "a JSON Pointer must be empty or start with '/'",
                    "/ItemsPointer",
                )
            ],
        ),
        (
            GET,
            {"InputType": "CSV", "ItemsPointer": "/a"},
            [("The field 'ItemsPointer' is only supported with the InputType JSON", "/ItemsPointer")],
        ),
    ],
)
def test_bad_reader_configs_are_refused(resource: str, config: Any, expected: list[tuple[str, str]]) -> None:
    assert refusals(resource, config) == expected
    assert all(
        t[0] == "SCHEMA_VALIDATION_FAILED"
        for t in check(ItemProcessor=PROCESSOR, ItemReader={"Resource": resource, "ReaderConfig": config})
    )


@pytest.mark.parametrize(
    ("arguments", "field"),
    [("Parameters", "VersionId"), ("Parameters", "VersionId.$"), ("Arguments", "VersionId")],
)
def test_a_parquet_reader_takes_no_version_id(arguments: str, field: str) -> None:
    """Reference §3.2: getObject takes "optional VersionId (not for PARQUET)"; the wording is ours."""
    reader = {
        "Resource": GET,
        "ReaderConfig": {"InputType": "PARQUET"},
        arguments: {"Bucket": "b", "Key": "k.parquet", field: "v1"},
    }
    assert check(ItemProcessor=PROCESSOR, ItemReader=reader) == [
        (
            "SCHEMA_VALIDATION_FAILED",
            "The field 'VersionId' is not supported with the InputType PARQUET",
            f"/States/X/ItemReader/{arguments}/{field}",
        )
    ]
    csv = {**reader, "ReaderConfig": {"InputType": "CSV"}}
    assert check(ItemProcessor=PROCESSOR, ItemReader=csv) == []
