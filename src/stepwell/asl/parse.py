"""Definition text or object -> the frozen model, with every expression compiled once.

``parse_definition`` validates first (``validate.validate_definition``) and raises
``DefinitionError`` with every diagnostic when the definition is invalid; the builders below may
therefore assume the shape is right and only translate it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from stepwell.asl import model as m
from stepwell.asl.choice import compile_choice_rule
from stepwell.asl.jsonata import compile_jsonata, compile_jsonata_template, is_jsonata
from stepwell.asl.paths import compile_path, compile_reference_path
from stepwell.asl.resources import parse_task_resource
from stepwell.asl.templates import compile_payload_template, compile_value_expression
from stepwell.asl.validate import validate_definition
from stepwell.asl.validate.json_text import load_definition_text
from stepwell.asl.validate.result_writer import is_put_object
from stepwell.errors import DefinitionError

QL = m.QueryLanguage


def parse_definition(definition: str | Mapping[str, Any], machine_type: str = "STANDARD") -> m.StateMachine:
    diagnostics = validate_definition(definition, machine_type)
    if any(d.severity == "ERROR" for d in diagnostics):
        raise DefinitionError(diagnostics)
    raw = load_definition_text(definition).value if isinstance(definition, str) else dict(definition)
    top_ql = QL(raw.get("QueryLanguage", "JSONPath"))
    program = _program(raw, top_ql)
    programs: dict[str, m.Program] = {}
    states: dict[str, m.State] = {}
    _index("", program, programs, states)
    return m.StateMachine(
        program=program,
        timeout_seconds=raw.get("TimeoutSeconds"),
        query_language=top_ql,
        definition=raw,
        comment=raw.get("Comment"),
        programs=programs,
        states=states,
    )


def _index(key: str, program: m.Program, programs: dict[str, m.Program], states: dict[str, m.State]) -> None:
    programs[key] = program
    for name, state in program.states.items():
        states[name] = state
        if isinstance(state, m.ParallelState):
            for i, branch in enumerate(state.branches):
                _index(f"{name}#{i}", branch, programs, states)
        elif isinstance(state, m.MapState) and state.processor is not None:
            _index(f"{name}#0", state.processor, programs, states)


def _program(raw: Mapping[str, Any], machine_ql: QL) -> m.Program:
    """A program's states take their own QueryLanguage, else the machine's: a Map's or Parallel's
    own QueryLanguage does not reach the states inside it."""
    states = {name: _state(name, body, machine_ql) for name, body in raw["States"].items()}
    return m.Program(start_at=raw["StartAt"], states=states, query_language=machine_ql)


def _state(name: str, raw: dict[str, Any], machine_ql: QL) -> m.State:
    ql = QL(raw.get("QueryLanguage", machine_ql.value))
    common = _common(name, raw, ql)
    return _BUILDERS[raw["Type"]](raw, ql, machine_ql, common)


def _common(name: str, raw: dict[str, Any], ql: QL) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "name": name,
        "type": raw["Type"],
        "query_language": ql,
        "raw": raw,
        "next": raw.get("Next"),
        "end": bool(raw.get("End", False)),
        "assign": _assignment(raw.get("Assign"), ql),
    }
    if ql is QL.JSONATA:
        if "Output" in raw:
            fields["output"] = compile_jsonata_template(raw["Output"], "Output")
        if "Arguments" in raw:
            fields["arguments"] = compile_jsonata_template(raw["Arguments"], "Arguments")
        return fields
    fields["input_path"] = _path_or_null(raw, "InputPath")
    fields["output_path"] = _path_or_null(raw, "OutputPath")
    fields["result_path"] = _result_path(raw)
    if "Parameters" in raw:
        fields["parameters"] = compile_payload_template(raw["Parameters"], "Parameters")
    if "ResultSelector" in raw:
        fields["result_selector"] = compile_payload_template(raw["ResultSelector"], "ResultSelector")
    return fields


def _path_or_null(raw: Mapping[str, Any], key: str) -> Any:
    if key in raw and raw[key] is None:
        return None
    return compile_path(raw.get(key, "$"))


def _result_path(raw: Mapping[str, Any]) -> Any:
    if "ResultPath" in raw and raw["ResultPath"] is None:
        return None
    return compile_reference_path(raw.get("ResultPath", "$"))


def _assignment(raw: Any, ql: QL) -> m.Assignment | None:
    if raw is None:
        return None
    if ql is QL.JSONATA:
        return m.Assignment(jsonata=compile_jsonata_template(raw, "Assign"))
    return m.Assignment(jsonpath=compile_payload_template(raw, "Assign"))


def _dynamic(raw: Mapping[str, Any], key: str, ql: QL, path_key: str | None = None) -> m.Dynamic | None:
    """A field given as a constant, a ``…Path`` reference, or a JSONata string."""
    if key in raw:
        value = raw[key]
        if ql is QL.JSONATA and is_jsonata(value):
            return m.Dynamic(jsonata=compile_jsonata_template(value, key), field=key)
        return m.Dynamic(constant=value, field=key)
    if path_key and path_key in raw:
        text = raw[path_key]
        return m.Dynamic(path=compile_value_expression(text, path_key), field=path_key, path_text=text)
    return None


def _retriers(raw: Mapping[str, Any]) -> tuple[m.Retrier, ...]:
    return tuple(
        m.Retrier(
            error_equals=tuple(r["ErrorEquals"]),
            interval_seconds=r.get("IntervalSeconds", 1),
            max_attempts=r.get("MaxAttempts", 3),
            backoff_rate=r.get("BackoffRate", 2.0),
            max_delay_seconds=r.get("MaxDelaySeconds"),
            jitter_strategy=r.get("JitterStrategy", "NONE"),
        )
        for r in raw.get("Retry", ())
    )


def _catchers(raw: Mapping[str, Any], ql: QL) -> tuple[m.Catcher, ...]:
    out = []
    for index, c in enumerate(raw.get("Catch", ())):
        jsonata = ql is QL.JSONATA
        out.append(
            m.Catcher(
                error_equals=tuple(c["ErrorEquals"]),
                next=c["Next"],
                result_path=None if jsonata else _result_path(c),
                output=(
                    compile_jsonata_template(c["Output"], f"Catch[{index}]/Output")
                    if jsonata and "Output" in c
                    else None
                ),
                assign=_assignment(c.get("Assign"), ql),
            )
        )
    return tuple(out)


def _with_errors(raw: dict[str, Any], ql: QL, common: dict[str, Any]) -> dict[str, Any]:
    common["retriers"] = _retriers(raw)
    common["catchers"] = _catchers(raw, ql)
    return common


def _pass(raw: dict[str, Any], ql: QL, machine_ql: QL, common: dict[str, Any]) -> m.State:
    return m.PassState(**common, result=raw.get("Result"), has_result="Result" in raw)


def _task(raw: dict[str, Any], ql: QL, machine_ql: QL, common: dict[str, Any]) -> m.State:
    return m.TaskState(
        **_with_errors(raw, ql, common),
        resource=raw["Resource"],
        target=parse_task_resource(raw["Resource"]),
        timeout_seconds=_dynamic(raw, "TimeoutSeconds", ql, "TimeoutSecondsPath"),
        heartbeat_seconds=_dynamic(raw, "HeartbeatSeconds", ql, "HeartbeatSecondsPath"),
        credentials=raw.get("Credentials"),
    )


def _choice(raw: dict[str, Any], ql: QL, machine_ql: QL, common: dict[str, Any]) -> m.State:
    rules = []
    for rule in raw["Choices"]:
        rule_ql = ql
        fields: dict[str, Any] = {"next": rule["Next"], "assign": _assignment(rule.get("Assign"), rule_ql)}
        if "Condition" in rule:
            cond = rule["Condition"]
            if isinstance(cond, bool):
                fields["constant"] = cond
            else:
                fields["jsonata_condition"] = compile_jsonata(cond)
            if "Output" in rule:
                fields["output"] = compile_jsonata_template(rule["Output"], "Output")
        else:
            fields["condition"] = compile_choice_rule(rule)
        rules.append(m.ChoiceRule(**fields))
    return m.ChoiceState(**common, choices=tuple(rules), default=raw.get("Default"))


def _wait(raw: dict[str, Any], ql: QL, machine_ql: QL, common: dict[str, Any]) -> m.State:
    return m.WaitState(
        **common,
        seconds=_dynamic(raw, "Seconds", ql, "SecondsPath"),
        timestamp=_dynamic(raw, "Timestamp", ql, "TimestampPath"),
    )


def _succeed(raw: dict[str, Any], ql: QL, machine_ql: QL, common: dict[str, Any]) -> m.State:
    return m.SucceedState(**common)


def _fail(raw: dict[str, Any], ql: QL, machine_ql: QL, common: dict[str, Any]) -> m.State:
    return m.FailState(
        **common,
        error=_dynamic(raw, "Error", ql, "ErrorPath"),
        cause=_dynamic(raw, "Cause", ql, "CausePath"),
    )


def _parallel(raw: dict[str, Any], ql: QL, machine_ql: QL, common: dict[str, Any]) -> m.State:
    branches = tuple(_program(b, machine_ql) for b in raw["Branches"])
    return m.ParallelState(**_with_errors(raw, ql, common), branches=branches)


def _map(raw: dict[str, Any], ql: QL, machine_ql: QL, common: dict[str, Any]) -> m.State:
    processor_raw = raw.get("ItemProcessor") or raw["Iterator"]
    config = processor_raw.get("ProcessorConfig") or {}
    fields = _with_errors(raw, ql, common)
    selector_raw = raw.get("ItemSelector", raw.get("Parameters"))
    fields.pop("parameters", None)  # Map's Parameters is the legacy name of ItemSelector
    if selector_raw is not None:
        fields["item_selector"] = (
            compile_jsonata_template(selector_raw, "ItemSelector")
            if ql is QL.JSONATA
            else compile_payload_template(selector_raw, "ItemSelector")
        )
    if ql is QL.JSONATA:
        if "Items" in raw:
            items = raw["Items"]
            fields["items"] = compile_jsonata_template(items, "Items")
            fields["items_source"] = compile_jsonata(items).source if is_jsonata(items) else json.dumps(items)
    else:
        fields["items_path"] = compile_path(raw.get("ItemsPath", "$"))
    reader = _item_reader(raw.get("ItemReader"), ql)
    batcher = _item_batcher(raw.get("ItemBatcher"), ql)
    read: tuple[str, ...] = ("ItemReader",) if reader is not None else ()
    read += ("ItemBatcher",) if batcher is not None else ()
    writer = _result_writer(raw.get("ResultWriter"), ql)
    read += ("ResultWriter",) if writer is not None else ()
    return m.MapState(
        **fields,
        processor=_program(processor_raw, machine_ql),
        max_concurrency=_dynamic(raw, "MaxConcurrency", ql, "MaxConcurrencyPath"),
        tolerated_failure_count=_dynamic(raw, "ToleratedFailureCount", ql, "ToleratedFailureCountPath"),
        tolerated_failure_percentage=_dynamic(
            raw, "ToleratedFailurePercentage", ql, "ToleratedFailurePercentagePath"
        ),
        distributed=config.get("Mode") == "DISTRIBUTED",
        label=raw.get("Label"),
        execution_type=config.get("ExecutionType", "STANDARD"),
        child_definition=_child_definition(processor_raw, machine_ql),
        item_reader=reader,
        item_batcher=batcher,
        result_writer=writer,
        unsupported=tuple(
            f for f in ("ItemReader", "ItemBatcher", "ResultWriter") if f in raw and f not in read
        ),
    )


S3_GET_OBJECT = "arn:aws:states:::s3:getObject"
S3_LIST_OBJECTS_V2 = "arn:aws:states:::s3:listObjectsV2"
CSV_DELIMITERS = {"COMMA": ",", "PIPE": "|", "SEMICOLON": ";", "SPACE": " ", "TAB": "\t"}
_READ_INPUT_TYPES = ("CSV", "JSON", "JSONL", "PARQUET", "MANIFEST")


def _item_reader(raw: Any, ql: QL) -> m.ItemReader | None:
    """The ItemReader stepwell reads (an S3 object as CSV, JSON, JSON Lines or Parquet, an S3
    inventory manifest, a listing, or its objects' records); None for one it does not read (an
    object with no InputType the validator let through), which the Map state then refuses clearly."""
    if not isinstance(raw, Mapping) or raw.get("Resource") not in (S3_GET_OBJECT, S3_LIST_OBJECTS_V2):
        return None
    listing = raw["Resource"] == S3_LIST_OBJECTS_V2
    config = raw.get("ReaderConfig") or {}
    manifest_type = config.get("ManifestType", "")
    input_type = config.get("InputType", "")
    if manifest_type == "S3_INVENTORY" or input_type == "MANIFEST":
        manifest_type, input_type = "S3_INVENTORY", "MANIFEST"  # the inventory's files are CSV
    load_and_flatten = config.get("Transformation") == "LOAD_AND_FLATTEN"
    if (not listing or load_and_flatten) and input_type not in _READ_INPUT_TYPES:
        return None  # a listing's own items need no InputType
    arguments_raw = raw.get("Arguments") if ql is QL.JSONATA else raw.get("Parameters")
    arguments: Any = None
    if arguments_raw is not None:
        arguments = (
            compile_jsonata_template(arguments_raw, "Arguments")
            if ql is QL.JSONATA
            else compile_payload_template(arguments_raw, "Parameters")
        )
    return m.ItemReader(
        arguments=arguments,
        input_type=input_type,
        header_location=config.get("CSVHeaderLocation", "FIRST_ROW"),
        headers=tuple(config.get("CSVHeaders") or ()),
        delimiter=CSV_DELIMITERS.get(config.get("CSVDelimiter", "COMMA"), ","),
        max_items=_dynamic(config, "MaxItems", ql, "MaxItemsPath"),
        listing=listing,
        load_and_flatten=load_and_flatten,
        manifest_type=manifest_type,
        items_pointer=config.get("ItemsPointer"),
    )


def _item_batcher(raw: Any, ql: QL) -> m.ItemBatcher | None:
    if not isinstance(raw, Mapping):
        return None
    batch_input: Any = None
    if "BatchInput" in raw:
        batch_input = (
            compile_jsonata_template(raw["BatchInput"], "BatchInput")
            if ql is QL.JSONATA
            else compile_payload_template(raw["BatchInput"], "BatchInput")
        )
    return m.ItemBatcher(
        max_items=_dynamic(raw, "MaxItemsPerBatch", ql, "MaxItemsPerBatchPath"),
        max_bytes=_dynamic(raw, "MaxInputBytesPerBatch", ql, "MaxInputBytesPerBatchPath"),
        batch_input=batch_input,
    )


def _result_writer(raw: Any, ql: QL) -> m.ResultWriter | None:
    """The ResultWriter: an export to S3 (Resource and Parameters/Arguments), a format
    (WriterConfig), or both (reference integrations §3.6). "NONE ... Default when exporting the
    child workflow execution results to Amazon S3 and WriterConfig is not specified"; "COMPACT ...
    Default when ResultWriter is not specified". A WriterConfig that leaves out Transformation or
    OutputType takes the same defaults, and JSON (unconfirmed: the guide gives both every time)."""
    exports = isinstance(raw, Mapping) and is_put_object(raw.get("Resource"))
    if not isinstance(raw, Mapping) or (not exports and "WriterConfig" not in raw):
        return None
    arguments_raw = raw.get("Arguments") if ql is QL.JSONATA else raw.get("Parameters")
    arguments: Any = None
    if exports:
        arguments = (
            compile_jsonata_template(arguments_raw or {}, "Arguments")
            if ql is QL.JSONATA
            else compile_payload_template(arguments_raw or {}, "Parameters")
        )
    config = raw.get("WriterConfig") or {}
    default = "NONE" if arguments is not None else "COMPACT"
    return m.ResultWriter(
        arguments=arguments,
        transformation=config.get("Transformation", default),
        output_type=config.get("OutputType", "JSON"),
    )


def _child_definition(processor: dict[str, Any], machine_ql: QL) -> dict[str, Any]:
    """A Distributed Map's item processor as the definition its child executions run: its states
    take the machine's QueryLanguage when they name none, as they do inside the machine."""
    definition: dict[str, Any] = {}
    if machine_ql is QL.JSONATA:
        definition["QueryLanguage"] = machine_ql.value
    definition["StartAt"] = processor["StartAt"]
    definition["States"] = processor["States"]
    return definition


_BUILDERS: dict[str, Callable[[dict[str, Any], QL, QL, dict[str, Any]], m.State]] = {
    "Pass": _pass,
    "Task": _task,
    "Choice": _choice,
    "Wait": _wait,
    "Succeed": _succeed,
    "Fail": _fail,
    "Parallel": _parallel,
    "Map": _map,
}
