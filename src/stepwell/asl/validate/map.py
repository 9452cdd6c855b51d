"""Pass 2 (part 5): Map states — processor, processor configuration, concurrency, tolerated failures
and the Distributed-Map objects.

* exactly one of ``ItemProcessor`` / ``Iterator`` ("This object should have only one of the
  following fields: [ItemProcessor, Iterator]" when neither, "There should only be one ..." when
  both);
* ``ProcessorConfig``: ``Mode`` INLINE | DISTRIBUTED, ``ExecutionType`` STANDARD | EXPRESS, required
  for DISTRIBUTED ("These fields are required: [ExecutionType]") and not supported for INLINE;
* ``MaxConcurrency`` >= 0 and ``ToleratedFailureCount`` >= 0 ("Minimum value is 0"),
  ``ToleratedFailurePercentage`` 0.0–100.0 (floci-io/floci#3733, measured against AWS);
* ``ItemReader``/``ItemBatcher``/``ResultWriter`` must be objects; an ItemReader's Resource is
  checked, its ReaderConfig in validate/item_reader.py (s3:getObject or s3:listObjectsV2), a
  ResultWriter's fields in result_writer.py; the rest is left to the engine (when unsure,
  accept: AWS's rules there are not recorded here).
"""

from __future__ import annotations

from collections.abc import Mapping

from stepwell.asl.validate import tables as t
from stepwell.asl.validate.item_reader import check_reader_arguments, check_reader_config
from stepwell.asl.validate.result_writer import check_result_writer
from stepwell.asl.validate.schema import (
    Diagnostics,
    check_enum,
    check_range,
    check_unknown_fields,
    exactly_one,
    expected_type,
    not_supported,
    only_one,
    required,
)
from stepwell.asl.validate.walk import Site, child, schema_error

_PROCESSOR_FIELDS = ("ItemProcessor", "Iterator")
_ITEM_READER_RESOURCES = ("s3:getObject", "s3:listObjectsV2")


def check_map_state(site: Site, out: Diagnostics) -> None:
    body, pointer = site.body, site.pointer
    present = [field for field in _PROCESSOR_FIELDS if field in body]
    if not present:
        out.append(schema_error(exactly_one(_PROCESSOR_FIELDS), pointer))
    elif len(present) > 1:
        out.append(schema_error(only_one(_PROCESSOR_FIELDS), pointer))
    for field in present:
        processor = body[field]
        if isinstance(processor, Mapping) and "ProcessorConfig" in processor:
            _check_processor_config(
                processor["ProcessorConfig"], child(child(pointer, field), "ProcessorConfig"), out
            )
    check_range(body, "MaxConcurrency", 0, None, pointer, out)
    check_range(body, "ToleratedFailureCount", 0, None, pointer, out)
    check_range(body, "ToleratedFailurePercentage", 0.0, 100.0, pointer, out)
    reader = body.get("ItemReader")
    if isinstance(reader, Mapping):
        _check_item_reader(reader, child(pointer, "ItemReader"), out)
    writer = body.get("ResultWriter")
    if isinstance(writer, Mapping):
        check_result_writer(writer, child(pointer, "ResultWriter"), site.is_jsonata, out)


def _check_processor_config(config: object, pointer: str, out: Diagnostics) -> None:
    if not isinstance(config, Mapping):
        out.append(schema_error(expected_type("OBJECT"), pointer))
        return
    check_unknown_fields(config, t.PROCESSOR_CONFIG_FIELDS, pointer, out)
    check_enum(config, "Mode", t.PROCESSOR_MODES, pointer, out)
    check_enum(config, "ExecutionType", t.EXECUTION_TYPES, pointer, out)
    mode = config.get("Mode", "INLINE")
    if mode == "DISTRIBUTED" and "ExecutionType" not in config:
        out.append(schema_error(required(["ExecutionType"]), pointer))
    elif mode == "INLINE" and "ExecutionType" in config:
        out.append(schema_error(not_supported("ExecutionType"), pointer))


def _check_item_reader(reader: Mapping[str, object], pointer: str, out: Diagnostics) -> None:
    resource = reader.get("Resource")
    if "Resource" not in reader:
        out.append(schema_error(required(["Resource"]), pointer))
    elif not isinstance(resource, str):
        out.append(schema_error(expected_type("STRING"), child(pointer, "Resource")))
    elif not _is_item_reader_resource(resource):
        message = (
            "The field 'Resource' does not match any of the allowed values. Examples: "
            "[arn:<partition>:states:::s3:getObject, arn:<partition>:states:::s3:listObjectsV2]"
        )
        out.append(schema_error(message, child(pointer, "Resource")))
    if "ReaderConfig" in reader:
        listing = isinstance(resource, str) and resource.endswith(":s3:listObjectsV2")
        check_reader_config(reader["ReaderConfig"], listing, child(pointer, "ReaderConfig"), out)
        check_reader_arguments(reader, pointer, out)


def _is_item_reader_resource(resource: str) -> bool:
    parts = resource.split(":", 5)
    return (
        len(parts) == 6
        and parts[0] == "arn"
        and parts[2] == "states"
        and parts[3] == ""
        and parts[4] == ""
        and parts[5] in _ITEM_READER_RESOURCES
    )
