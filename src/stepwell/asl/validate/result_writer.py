"""Pass 2 (part 5b): a Distributed Map's ``ResultWriter`` (reference integrations §3.6).

"ResultWriter may not be empty"; the valid sets of fields are "WriterConfig only",
"Resource + Parameters/Arguments" and "all three". ``Resource`` is
``arn:<partition>:states:::s3:putObject``; ``WriterConfig.Transformation`` is NONE | COMPACT |
FLATTEN and ``OutputType`` JSON | JSONL.

AWS's wording of these refusals is not recorded (unconfirmed): the messages are the shapes AWS uses
for the same kind of mistake elsewhere (an ItemReader's Resource, a missing or unknown field, an
enum), and an empty ResultWriter is told which fields it needs.
"""

from __future__ import annotations

from collections.abc import Mapping

from stepwell.asl.validate.schema import (
    Diagnostics,
    check_enum,
    check_unknown_fields,
    expected_type,
    required,
)
from stepwell.asl.validate.walk import child, schema_error

FIELDS = frozenset({"Resource", "Parameters", "Arguments", "WriterConfig"})
WRITER_CONFIG_FIELDS = frozenset({"Transformation", "OutputType"})
TRANSFORMATIONS = ("NONE", "COMPACT", "FLATTEN")
OUTPUT_TYPES = ("JSON", "JSONL")
EMPTY = "The ResultWriter needs either WriterConfig, or Resource and Parameters, or all three"


def is_put_object(resource: object) -> bool:
    parts = resource.split(":", 5) if isinstance(resource, str) else []
    return (
        len(parts) == 6
        and parts[0] == "arn"
        and parts[2] == "states"
        and parts[3] == ""
        and parts[4] == ""
        and parts[5] == "s3:putObject"
    )


def check_result_writer(writer: Mapping[str, object], pointer: str, jsonata: bool, out: Diagnostics) -> None:
    check_unknown_fields(writer, FIELDS, pointer, out)
    arguments = "Arguments" if jsonata else "Parameters"
    if not any(field in writer for field in FIELDS):
        out.append(schema_error(EMPTY, pointer))
    if "Resource" in writer:
        resource = writer["Resource"]
        if not isinstance(resource, str):
            out.append(schema_error(expected_type("STRING"), child(pointer, "Resource")))
        elif not is_put_object(resource):
            message = (
                "The field 'Resource' does not match any of the allowed values. Examples: "
                "[arn:<partition>:states:::s3:putObject]"
            )
            out.append(schema_error(message, child(pointer, "Resource")))
        if arguments not in writer:
            out.append(schema_error(required([arguments]), pointer))
    elif arguments in writer:
        out.append(schema_error(required(["Resource"]), pointer))
    if "WriterConfig" in writer:
        config = writer["WriterConfig"]
        where = child(pointer, "WriterConfig")
        if not isinstance(config, Mapping):
            out.append(schema_error(expected_type("OBJECT"), where))
            return
        check_unknown_fields(config, WRITER_CONFIG_FIELDS, where, out)
        check_enum(config, "Transformation", TRANSFORMATIONS, where, out)
        check_enum(config, "OutputType", OUTPUT_TYPES, where, out)
