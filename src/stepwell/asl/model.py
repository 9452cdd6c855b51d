"""The typed, frozen model of a state machine definition.

A definition is parsed once (``parse.parse_definition``) into these objects; every expression in
it (paths, payload templates, intrinsic functions, Choice rules, JSONata) is compiled then, so the
interpreter never parses anything while it runs. Field names follow ASL's, in snake_case.

A *program* is a ``StartAt`` plus ``States``: the whole machine, each Parallel branch, and each Map
item processor are programs. ASL forbids transitions between programs, so the interpreter runs
each one on its own frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from stepwell.asl.choice import ChoiceCondition
from stepwell.asl.jsonata import JsonataExpression, JsonataTemplate
from stepwell.asl.paths import JsonPath, ReferencePath
from stepwell.asl.resources import NO_RESOURCE, TaskResource
from stepwell.asl.templates import PayloadTemplate, ValueExpression


class QueryLanguage(StrEnum):
    JSONPATH = "JSONPath"
    JSONATA = "JSONata"


# A field that takes either a constant, a JSONPath reference (…Path fields: a path, or for Fail's
# ErrorPath/CausePath also an intrinsic function) or a JSONata template (e.g. Wait Seconds /
# SecondsPath / "{% … %}"): exactly one of the three is set.
@dataclass(frozen=True, slots=True)
class Dynamic:
    constant: Any = None
    path: ValueExpression | None = None
    jsonata: JsonataTemplate | None = None
    field: str = ""  # the ASL field name it came from, for error messages
    path_text: str = ""

    @property
    def is_constant(self) -> bool:
        return self.path is None and self.jsonata is None


@dataclass(frozen=True, slots=True)
class Retrier:
    error_equals: tuple[str, ...]
    interval_seconds: float = 1
    max_attempts: int = 3
    backoff_rate: float = 2.0
    max_delay_seconds: float | None = None
    jitter_strategy: str = "NONE"


@dataclass(frozen=True, slots=True)
class Catcher:
    error_equals: tuple[str, ...]
    next: str
    result_path: ReferencePath | None  # None: ResultPath null (JSONPath); default "$"
    output: JsonataTemplate | None = None  # JSONata
    assign: Assignment | None = None


@dataclass(frozen=True, slots=True)
class Assignment:
    """An Assign block: JSONPath payload template or JSONata template over {name: value}."""

    jsonpath: PayloadTemplate | None = None
    jsonata: JsonataTemplate | None = None


@dataclass(frozen=True, slots=True)
class State:
    """Fields every state type has (absent ones keep their ASL defaults)."""

    name: str
    type: str
    query_language: QueryLanguage
    raw: dict[str, Any] = field(repr=False, compare=False)
    next: str | None = None
    end: bool = False
    # JSONPath data flow. None for input_path/output_path means the field was null ({}),
    # for result_path that the result is discarded.
    input_path: JsonPath | None = None
    output_path: JsonPath | None = None
    result_path: ReferencePath | None = None
    parameters: PayloadTemplate | None = None
    result_selector: PayloadTemplate | None = None
    # JSONata data flow
    arguments: JsonataTemplate | None = None
    output: JsonataTemplate | None = None
    assign: Assignment | None = None
    retriers: tuple[Retrier, ...] = ()
    catchers: tuple[Catcher, ...] = ()

    @property
    def is_jsonata(self) -> bool:
        return self.query_language is QueryLanguage.JSONATA


@dataclass(frozen=True, slots=True)
class PassState(State):
    result: Any = None
    has_result: bool = False


@dataclass(frozen=True, slots=True)
class TaskState(State):
    resource: str = ""  # the Resource as written (what the runtime stores)
    target: TaskResource = NO_RESOURCE  # the same, parsed
    timeout_seconds: Dynamic | None = None
    heartbeat_seconds: Dynamic | None = None
    credentials: Any = None


@dataclass(frozen=True, slots=True)
class ChoiceRule:
    next: str
    condition: ChoiceCondition | None = None  # JSONPath rule
    jsonata_condition: JsonataExpression | None = None  # JSONata Condition expression
    constant: bool | None = None  # JSONata Condition given as a literal true/false
    assign: Assignment | None = None
    output: JsonataTemplate | None = None


@dataclass(frozen=True, slots=True)
class ChoiceState(State):
    choices: tuple[ChoiceRule, ...] = ()
    default: str | None = None


@dataclass(frozen=True, slots=True)
class WaitState(State):
    seconds: Dynamic | None = None
    timestamp: Dynamic | None = None


@dataclass(frozen=True, slots=True)
class SucceedState(State):
    pass


@dataclass(frozen=True, slots=True)
class FailState(State):
    error: Dynamic | None = None
    cause: Dynamic | None = None


@dataclass(frozen=True, slots=True)
class ParallelState(State):
    branches: tuple[Program, ...] = ()


@dataclass(frozen=True, slots=True)
class ItemReader:
    """A Distributed Map's ItemReader: one S3 object (``arn:aws:states:::s3:getObject``), an S3
    inventory manifest, or a listing (``arn:aws:states:::s3:listObjectsV2``). Its Parameters or
    Arguments name the object or the listing, ReaderConfig how to read it."""

    arguments: PayloadTemplate | JsonataTemplate | None  # {"Bucket", "Key" | "Prefix", ...}
    input_type: str  # CSV | JSON | JSONL | PARQUET | MANIFEST; "" for a listing of objects
    header_location: str = "FIRST_ROW"  # CSV: FIRST_ROW | GIVEN
    headers: tuple[str, ...] = ()  # CSV, GIVEN
    delimiter: str = ","
    max_items: Dynamic | None = None  # MaxItems / MaxItemsPath; 0: no limit
    listing: bool = False  # the resource is s3:listObjectsV2
    load_and_flatten: bool = False  # Transformation LOAD_AND_FLATTEN: the listed objects' records
    manifest_type: str = ""  # S3_INVENTORY | ATHENA_DATA
    items_pointer: str | None = None  # JSON: a JSON Pointer (RFC 6901) to the array of items


@dataclass(frozen=True, slots=True)
class ItemBatcher:
    """A Distributed Map's ItemBatcher: at most so many items, or bytes, per child execution."""

    max_items: Dynamic | None = None  # MaxItemsPerBatch(Path)
    max_bytes: Dynamic | None = None  # MaxInputBytesPerBatch(Path)
    batch_input: PayloadTemplate | JsonataTemplate | None = None


@dataclass(frozen=True, slots=True)
class ResultWriter:
    """A Distributed Map's ResultWriter (reference integrations §3.6): with ``arguments`` (its
    Parameters or Arguments, ``{Bucket, Prefix}``) the results are exported to S3
    (``arn:aws:states:::s3:putObject``); with WriterConfig only they are formatted as the state's
    output and nothing is written."""

    arguments: PayloadTemplate | JsonataTemplate | None
    transformation: str  # NONE | COMPACT | FLATTEN
    output_type: str  # JSON | JSONL


@dataclass(frozen=True, slots=True)
class MapState(State):
    processor: Program | None = None
    items_path: JsonPath | None = None  # JSONPath
    items: JsonataTemplate | None = None  # JSONata Items (a literal array may hold expressions)
    items_source: str = ""  # the Items expression as AWS quotes it in messages
    item_selector: PayloadTemplate | JsonataTemplate | None = None
    max_concurrency: Dynamic | None = None
    tolerated_failure_count: Dynamic | None = None
    tolerated_failure_percentage: Dynamic | None = None
    distributed: bool = False
    label: str | None = None
    item_reader: ItemReader | None = None
    item_batcher: ItemBatcher | None = None
    result_writer: ResultWriter | None = None
    # A Distributed Map's ProcessorConfig.ExecutionType: its child executions are STANDARD or EXPRESS.
    execution_type: str = "STANDARD"
    # The item processor as a state machine definition of its own (what a child execution runs).
    child_definition: dict[str, Any] | None = field(default=None, repr=False, compare=False)
    # Distributed Map fields the in-process engine does not run yet (ItemReader, ItemBatcher,
    # ResultWriter): present ones fail the state clearly instead of being ignored.
    unsupported: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Program:
    """``StartAt`` + ``States``: the machine, a Parallel branch or a Map item processor."""

    start_at: str
    states: dict[str, State]
    query_language: QueryLanguage


@dataclass(frozen=True, slots=True)
class StateMachine:
    program: Program
    timeout_seconds: int | None
    query_language: QueryLanguage
    definition: dict[str, Any] = field(repr=False, compare=False)
    comment: str | None = None
    # Programs by key ("" = the machine, "Name#i" = branch i of Parallel Name, "Name#0" = the item
    # processor of Map Name) and states by name (unique across the whole definition).
    programs: dict[str, Program] = field(default_factory=dict, repr=False, compare=False)
    states: dict[str, State] = field(default_factory=dict, repr=False, compare=False)
