"""Pass 2 (part 5b): a Distributed Map's ``ItemReader.ReaderConfig`` (reference integrations §3.2).

Field shapes use AWS's schema words (``Field 'X' is not supported``, ``Value should be one of the
following: [...]``, ``These fields are required: [...]``, ``There should only be one of the
following fields: [...]``). The combinations refused are those the reference states:

* ``Transformation: LOAD_AND_FLATTEN`` is for ``s3:listObjectsV2`` only and requires InputType;
* ``ManifestType: S3_INVENTORY``: InputType omitted (``MANIFEST``, the developer guide's example,
  is accepted too); ``ATHENA_DATA``: InputType CSV, JSONL or PARQUET;
* ``CSVHeaderLocation: GIVEN`` requires ``CSVHeaders``;
* ``ItemsPointer`` is a JSON Pointer into a JSON file;
* ``VersionId`` is not among the arguments of a PARQUET reader ("optional ``VersionId`` (not for
  PARQUET)").

No AWS message for a refused combination is recorded (conformance/ holds none): the wording of those
is ours, in AWS's style. A manifest read through a listing is refused as well, which the reference
does not say either way (a manifest is one object, named by its Key).
"""

from __future__ import annotations

from collections.abc import Mapping

from stepwell.asl.json_pointer import PointerError, tokens
from stepwell.asl.validate.schema import (
    Diagnostics,
    check_enum,
    check_unknown_fields,
    expected_type,
    only_one,
    required,
)
from stepwell.asl.validate.walk import child, schema_error

READER_CONFIG_FIELDS = frozenset(
    {
        "InputType",
        "Transformation",
        "ManifestType",
        "CSVDelimiter",
        "CSVHeaderLocation",
        "CSVHeaders",
        "MaxItems",
        "MaxItemsPath",
        "ItemsPointer",
    }
)
INPUT_TYPES = ("CSV", "JSON", "JSONL", "PARQUET", "MANIFEST")
TRANSFORMATIONS = ("NONE", "LOAD_AND_FLATTEN")
MANIFEST_TYPES = ("ATHENA_DATA", "S3_INVENTORY")
CSV_DELIMITERS = ("COMMA", "PIPE", "SEMICOLON", "SPACE", "TAB")
CSV_HEADER_LOCATIONS = ("FIRST_ROW", "GIVEN")
ATHENA_INPUT_TYPES = ("CSV", "JSONL", "PARQUET")


def check_reader_config(config: object, listing: bool, pointer: str, out: Diagnostics) -> None:
    """``config`` is the ReaderConfig at ``pointer``; ``listing``: the resource is s3:listObjectsV2."""
    if not isinstance(config, Mapping):
        out.append(schema_error(expected_type("OBJECT"), pointer))
        return
    check_unknown_fields(config, READER_CONFIG_FIELDS, pointer, out)
    for field, values in (
        ("InputType", INPUT_TYPES),
        ("Transformation", TRANSFORMATIONS),
        ("ManifestType", MANIFEST_TYPES),
        ("CSVDelimiter", CSV_DELIMITERS),
        ("CSVHeaderLocation", CSV_HEADER_LOCATIONS),
    ):
        check_enum(config, field, values, pointer, out)
    if "MaxItems" in config and "MaxItemsPath" in config:
        out.append(schema_error(only_one(("MaxItems", "MaxItemsPath")), pointer))
    if config.get("CSVHeaderLocation") == "GIVEN" and "CSVHeaders" not in config:
        out.append(schema_error(required(["CSVHeaders"]), pointer))
    if "CSVHeaders" in config and not isinstance(config["CSVHeaders"], list):
        out.append(schema_error(expected_type("ARRAY"), child(pointer, "CSVHeaders")))
    input_type = config.get("InputType")
    if config.get("Transformation") == "LOAD_AND_FLATTEN":
        if not listing:
            message = (
                "The Transformation LOAD_AND_FLATTEN is only supported with the resource "
                "arn:<partition>:states:::s3:listObjectsV2"
            )
            out.append(schema_error(message, child(pointer, "Transformation")))
        elif input_type is None:
            out.append(schema_error(required(["InputType"]), pointer))
    _check_manifest(config, listing, pointer, out)
    if "ItemsPointer" in config:
        _check_items_pointer(config["ItemsPointer"], input_type, child(pointer, "ItemsPointer"), out)


def check_reader_arguments(reader: Mapping[str, object], pointer: str, out: Diagnostics) -> None:
    """The ItemReader at ``pointer``'s Parameters or Arguments, as its ReaderConfig allows them.
    JSONata Arguments given as one expression are not known until they are evaluated."""
    config = reader.get("ReaderConfig")
    if not isinstance(config, Mapping) or config.get("InputType") != "PARQUET":
        return
    for field in ("Parameters", "Arguments"):
        arguments = reader.get(field)
        if not isinstance(arguments, Mapping):
            continue
        for name in ("VersionId", "VersionId.$"):
            if name in arguments:
                # Our wording, in AWS's style (unconfirmed): no AWS message is recorded.
                message = "The field 'VersionId' is not supported with the InputType PARQUET"
                out.append(schema_error(message, child(child(pointer, field), name)))


def _check_manifest(config: Mapping[str, object], listing: bool, pointer: str, out: Diagnostics) -> None:
    manifest = config.get("ManifestType")
    input_type = config.get("InputType")
    if listing and (manifest in MANIFEST_TYPES or input_type == "MANIFEST"):
        message = "A manifest is read with the resource arn:<partition>:states:::s3:getObject"
        out.append(schema_error(message, child(pointer, "ManifestType" if manifest else "InputType")))
    elif manifest == "S3_INVENTORY" and input_type not in (None, "MANIFEST"):
        message = "The field 'InputType' must be omitted when the ManifestType is S3_INVENTORY"
        out.append(schema_error(message, child(pointer, "InputType")))
    elif manifest == "ATHENA_DATA" and input_type is None:
        out.append(schema_error(required(["InputType"]), pointer))
    elif manifest == "ATHENA_DATA" and input_type in INPUT_TYPES and input_type not in ATHENA_INPUT_TYPES:
        message = f"The ManifestType ATHENA_DATA needs an InputType of [{', '.join(ATHENA_INPUT_TYPES)}]"
        out.append(schema_error(message, child(pointer, "InputType")))


def _check_items_pointer(value: object, input_type: object, pointer: str, out: Diagnostics) -> None:
    if not isinstance(value, str):
        out.append(schema_error(expected_type("STRING"), pointer))
        return
    try:
        tokens(value)
    except PointerError as bad:
        out.append(
            schema_error(f"The field 'ItemsPointer' is not a valid JSON Pointer: {bad.message}", pointer)
        )
        return
    if input_type != "JSON":
        out.append(
            schema_error("The field 'ItemsPointer' is only supported with the InputType JSON", pointer)
        )
