"""Requests for every operation, generated from botocore's model of Step Functions.

``requests(operation)`` draws a valid-looking request (every required member, some optional ones,
values within the model's lengths, ranges and enums, real ARNs as ``Ref``) and then, most of the
time, one to three mutations of it: a member retyped, nulled, dropped, stretched past its bounds,
filled with hostile unicode or numbers or JSON text nested 10,000 deep; unknown members,
repeated keys, an almost-right ARN, a body that is not an object. Each draw says what it did.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import Any

import botocore.session
from hypothesis import strategies as st

from tests.fuzz import cases, hostile
from tests.fuzz.wire import Framed, Pairs, Raw, Ref

MODEL = botocore.session.get_session().get_service_model("stepfunctions")
OPERATIONS: tuple[str, ...] = tuple(sorted(MODEL.operation_names))

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/fuzz"
KMS_KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
LOG_GROUP = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:fuzz:*"

_MACHINES = ("machine", "version", "alias", "express_machine")
_EXECUTIONS = ("execution", "running_execution", "failed_execution", "map_execution", "express_execution")

# Which real resources a member names (pool.py makes them), per operation; "fresh_*" are made for
# the one request (a Delete must not take the shared ones away).
REF_KINDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("StartSyncExecution", "stateMachineArn"): ("express_machine", "machine"),
    ("DeleteStateMachine", "stateMachineArn"): ("fresh_machine", "fresh_version"),
    ("UpdateStateMachine", "stateMachineArn"): ("fresh_machine", "fresh_version", "alias"),
    ("ListStateMachineAliases", "stateMachineArn"): ("machine", "version"),
    ("ListStateMachineVersions", "stateMachineArn"): ("machine",),
    ("PublishStateMachineVersion", "stateMachineArn"): ("machine", "fresh_machine"),
    ("StopExecution", "executionArn"): ("fresh_running_execution", "execution", "express_execution"),
    ("RedriveExecution", "executionArn"): ("failed_execution", "execution", "running_execution"),
    ("ListMapRuns", "executionArn"): ("map_execution", "execution"),
    ("GetActivityTask", "activityArn"): ("stock_activity",),
    ("DeleteActivity", "activityArn"): ("fresh_activity",),
    ("DeleteStateMachineAlias", "stateMachineAliasArn"): ("fresh_alias",),
    ("DeleteStateMachineVersion", "stateMachineVersionArn"): ("fresh_version",),
}
DEFAULT_REF_KINDS: dict[str, tuple[str, ...]] = {
    "stateMachineArn": _MACHINES,
    "executionArn": _EXECUTIONS,
    "activityArn": ("activity", "stock_activity"),
    "resourceArn": ("machine", "activity", "alias", "version", "express_machine"),
    "mapRunArn": ("map_run",),
    "stateMachineAliasArn": ("alias",),
    "stateMachineVersionArn": ("version", "version2"),
    "taskToken": ("task_token",),
    "roleArn": ("role",),
}
JSON_MEMBERS = frozenset({"input", "output", "variables", "context", "result", "mapItemReaderData"})
OBJECT_MEMBERS = frozenset({"variables", "context"})


def ref_kinds(operation: str, member: str) -> tuple[str, ...] | None:
    if member == "nextToken":
        return (f"next_token:{operation}",)
    return REF_KINDS.get((operation, member), DEFAULT_REF_KINDS.get(member))


# ---- valid-looking values ------------------------------------------------------------------

NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"
PRINTABLE = "".join(chr(c) for c in range(32, 127))


def json_values() -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**53), 2**53),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=20),
    )
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
        max_leaves=12,
    )


def names(low: int = 1, high: int = 80) -> st.SearchStrategy[str]:
    return st.text(NAME_CHARS, min_size=max(low, 1), max_size=min(high, 24)).filter(
        lambda n: any(c.isalpha() for c in n)
    )


def _json_member(member: str) -> st.SearchStrategy[str]:
    values = (
        st.dictionaries(st.text(max_size=8), json_values(), max_size=4)
        if member in OBJECT_MEMBERS
        else json_values()
    )
    return values.map(lambda v: json.dumps(v))


def valid_value(operation: str, member: str, shape: Any) -> st.SearchStrategy[Any]:
    kinds = ref_kinds(operation, member)
    if kinds is not None and shape.type_name == "string":
        return st.sampled_from(kinds).map(Ref)
    if member == "definition":
        texts = cases.state_texts() if operation == "TestState" else cases.definition_texts()
        return st.sampled_from(texts)
    if member in JSON_MEMBERS and shape.type_name == "string":
        return _json_member(member)
    if member == "logGroupArn":
        return st.just(LOG_GROUP)
    if member == "kmsKeyId":
        return st.just(KMS_KEY)
    if member == "routingConfiguration" and shape.type_name == "list":
        return st.sampled_from(
            (
                [{"stateMachineVersionArn": Ref("version"), "weight": 100}],
                [
                    {"stateMachineVersionArn": Ref("version"), "weight": 60},
                    {"stateMachineVersionArn": Ref("version2"), "weight": 40},
                ],
            )
        )
    return _by_type(operation, member, shape)


def _by_type(operation: str, member: str, shape: Any) -> st.SearchStrategy[Any]:
    meta = shape.metadata
    kind = shape.type_name
    if kind == "string":
        if shape.enum:
            return st.sampled_from(shape.enum)
        low, high = meta.get("min", 0), meta.get("max", 256)
        if member == "name" or ("pattern" in meta and "a-zA-Z" in meta["pattern"]):
            return names(low, high)
        return st.text(PRINTABLE, min_size=low, max_size=min(high, 40))
    if kind in ("integer", "long"):
        return st.integers(meta.get("min", 0), meta.get("max", meta.get("min", 0) + 1000))
    if kind in ("float", "double"):
        return st.floats(meta.get("min", 0), meta.get("max", 1000), allow_nan=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "list":
        item = valid_value(operation, member, shape.member)
        return st.lists(item, min_size=meta.get("min", 0), max_size=min(meta.get("max", 4), 4))
    if kind == "structure":
        return structure(operation, shape)
    return st.none()


def structure(operation: str, shape: Any) -> st.SearchStrategy[dict[str, Any]]:
    required = {name: valid_value(operation, name, shape.members[name]) for name in shape.required_members}
    optional = {
        name: valid_value(operation, name, member)
        for name, member in shape.members.items()
        if name not in shape.required_members
    }
    return st.fixed_dictionaries(required, optional=optional)


@cache
def valid_request(operation: str) -> st.SearchStrategy[dict[str, Any]]:
    shape = MODEL.operation_model(operation).input_shape
    return structure(operation, shape) if shape is not None else st.just({})


# ---- mutations -----------------------------------------------------------------------------

DROP = object()
WRONG_TYPES: tuple[Any, ...] = (
    0,
    -1,
    1.5,
    True,
    False,
    "x",
    "",
    [],
    {},
    [None],
    {"a": 1},
    [[[]]],
    Raw("1e400"),
    Raw("18446744073709551616"),
    Raw('"\\ud800"'),
)
UNKNOWN_NAMES = (
    "unknown",
    "__type",
    "Input",
    "STATEMACHINEARN",
    "definition ",
    "",
    "\u0000",
    "\ud800",
    "a" * 300,
)


def _any_hostile() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.sampled_from(WRONG_TYPES),
        hostile.nested_texts().map(Raw),
        st.sampled_from(hostile.BIG_NUMBERS).map(Raw),
        hostile.odd_unicode(),
        json_values(),
    )


def _slots(
    value: Any, shape: Any, member: str, path: tuple[Any, ...]
) -> list[tuple[tuple[Any, ...], Any, str]]:
    """Every place a mutation can go: (path, shape, member name), absent members included."""
    out = [(path, shape, member)]
    if shape is None:
        return out
    if shape.type_name == "structure":
        for name, member_shape in shape.members.items():
            child = value.get(name) if isinstance(value, dict) else None
            out.extend(_slots(child, member_shape, name, (*path, name)))
    elif shape.type_name == "list" and isinstance(value, list):
        # The first items and the last: a list of 20,000 tags has no more places worth a mutation.
        for index in sorted({*range(min(len(value), 3)), len(value) - 1} - {-1}):
            out.extend(_slots(value[index], shape.member, member, (*path, index)))
    return out


def _replace(tree: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(tree, list) and isinstance(head, int) and head < len(tree):
        copy = list(tree)
        copy[head] = _replace(copy[head], rest, new)
        return copy
    copy_dict = dict(tree) if isinstance(tree, dict) else {}
    child = _replace(copy_dict.get(head), rest, new)
    if child is DROP:
        copy_dict.pop(head, None)
    else:
        copy_dict[head] = child
    return copy_dict


def _string_mutations(operation: str, member: str, shape: Any) -> st.SearchStrategy[tuple[Any, str]]:
    meta = shape.metadata
    options: list[st.SearchStrategy[tuple[Any, str]]] = [
        st.tuples(
            hostile.lengths_around(meta.get("min"), meta.get("max")), st.sampled_from("a\u00e9\U0001f600")
        ).map(
            lambda p: (
                p[1] * p[0] if p[1] == "a" else p[1] * min(p[0], 300_000),
                f"length {p[0]} of {p[1]!r}",
            )
        ),
        hostile.odd_unicode().map(lambda s: (s, f"unicode {s!r}")),
        st.sampled_from(hostile.ODD_STRINGS).map(lambda s: (Raw(f'"{s}"'), f"escapes {s}")),
    ]
    if shape.enum:
        odd = [e.lower() for e in shape.enum] + ["", f" {shape.enum[0]}", shape.enum[0] + "\x00", "UNKNOWN"]
        options.append(st.sampled_from(odd).map(lambda s: (s, f"enum {s!r}")))
    if (
        member in ("name", "workerName", "clientToken", "stateName", "errorCausedByState")
        or "pattern" in meta
    ):
        odd_names = (
            "a b",
            "1234",
            "-",
            "..",
            "a/b",
            "名前",
            "a*",
            "x" * 81,
            "a\tb",
            "<x>",
            "a\u200bb",
            "a:b",
            "$",
        )
        options.append(st.sampled_from(odd_names).map(lambda s: (s, f"name {s!r}")))
    if member in JSON_MEMBERS or member == "definition":
        options.append(hostile.json_texts().map(lambda t: (t, f"JSON text {hostile_label(t)}")))
    if member == "definition":
        options.append(hostile_machines().map(lambda t: (t, f"definition {hostile_label(t)}")))
    kinds = ref_kinds(operation, member)
    if kinds:
        options.append(
            st.builds(
                Ref, st.sampled_from(kinds), st.sampled_from(sorted(hostile.NEAR)), st.integers(0, 99)
            ).map(lambda r: (r, f"near ARN {r.kind} {r.near}:{r.arg}"))
        )
        options.append(
            st.sampled_from(
                (
                    "arn:aws:states:us-east-1:123456789012:stateMachine:",
                    "arn:aws:states:us-east-1:123456789012:execution:fuzz-pass",
                    "arn:aws:states:us-east-1:123456789012:execution:fuzz-pass:a:b",
                    "arn:aws:states:us-east-1:123456789012:activity:no-such",
                    "arn:aws:states:us-east-1:123456789012:mapRun:fuzz-map/x:y",
                    "arn:aws:states:us-east-1:123456789012:express:fuzz-express:a:b",
                    "arn:aws:states:::",
                    "arn:",
                    "arn",
                    ":::::",
                    "x" * 2048,
                )
            ).map(lambda s: (s, f"ARN {s[:60]!r}"))
        )
    return st.one_of(options)


def hostile_label(text: str) -> str:
    return repr(text) if len(text) <= 80 else f"{text[:40]!r}... ({len(text)} chars)"


def hostile_machines() -> st.SearchStrategy[str]:
    """Definitions AWS accepts or refuses cleanly whose values are hostile JSON."""
    values = st.one_of(
        st.sampled_from(hostile.BIG_NUMBERS),
        hostile.nested_texts(),
        st.sampled_from(hostile.ODD_STRINGS).map(lambda s: f'"{s}"'),
    )
    templates = (
        '{"StartAt":"P","States":{"P":{"Type":"Pass","Result":%s,"End":true}}}',
        '{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"a":%s},"End":true}}}',
        '{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":%s,"End":true}}}',
        '{"StartAt":"P","TimeoutSeconds":%s,"States":{"P":{"Type":"Pass","End":true}}}',
        '{"StartAt":"P","States":{"P":{"Type":"Pass","Comment":%s,"End":true}}}',
        '{"StartAt":%s,"States":{"P":{"Type":"Pass","End":true}}}',
        '{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","Output":%s,"End":true}}}',
        '{"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":%s,"ItemProcessor":'
        '{"StartAt":"I","States":{"I":{"Type":"Pass","End":true}}},"End":true}}}',
    )
    return st.tuples(st.sampled_from(templates), values).map(lambda p: p[0] % p[1])


@cache
def _leaf_mutations(operation: str, member: str, shape: Any) -> st.SearchStrategy[tuple[Any, str]]:
    common = [
        st.just((None, "null")),
        st.sampled_from(WRONG_TYPES).map(lambda v: (v, f"wrong type {v!r}")),
    ]
    if shape is None:
        return st.one_of(common)
    kind = shape.type_name
    meta = shape.metadata
    specific: list[st.SearchStrategy[tuple[Any, str]]] = []
    if kind == "string":
        specific.append(_string_mutations(operation, member, shape))
    elif kind in ("integer", "long", "float", "double"):
        edges: list[Any] = [meta["min"] - 1] if "min" in meta else []
        edges += [meta["max"] + 1] if "max" in meta else []
        specific.append(st.sampled_from((*hostile.ODD_INTEGERS, *edges)).map(lambda n: (n, f"number {n!r}")))
        specific.append(st.sampled_from(hostile.BIG_NUMBERS).map(lambda n: (Raw(n), f"number {n[:40]}")))
    elif kind == "boolean":
        specific.append(st.sampled_from((0, 1, "true", "false", "TRUE")).map(lambda v: (v, f"boolean {v!r}")))
    elif kind == "list":
        item = valid_value(operation, member, shape.member)
        specific.append(
            st.tuples(item, st.sampled_from((51, 200, 1000, 5000, 20_000))).map(
                lambda p: ([p[0]] * p[1], f"{p[1]} copies of an item")
            )
        )
        if shape.member.type_name == "structure" and "key" in shape.member.members:
            specific.append(
                st.sampled_from((51, 1000, 20_000)).map(
                    lambda n: ([{"key": f"k{i}", "value": "v"} for i in range(n)], f"{n} distinct tags")
                )
            )
        specific.append(
            st.sampled_from(([None], [[]], ["x"], [{}], [1], [{"key": None}], [{"value": "v"}])).map(
                lambda v: (v, f"list {v!r}")
            )
        )
    elif kind == "structure":
        specific.append(st.sampled_from(({}, {"x": 1}, {"x": None})).map(lambda v: (v, f"structure {v!r}")))
    return st.one_of(*common, *specific)


@st.composite
def _mutation(draw: st.DrawFn, operation: str, request: Any) -> tuple[Any, str]:
    shape = MODEL.operation_model(operation).input_shape
    slots = _slots(request, shape, "", ())
    path, slot_shape, member = draw(st.sampled_from(slots))
    where = "/".join(str(p) for p in path) or "body"
    if not path:
        return draw(_body_mutation(request, shape))
    if slot_shape is not None and slot_shape.type_name == "structure" and draw(st.booleans()):
        return draw(_structure_mutation(request, path, slot_shape, where))
    value, label = draw(_leaf_mutations(operation, member, slot_shape))
    return _replace(request, path, value), f"{where}: {label}"


@st.composite
def _structure_mutation(
    draw: st.DrawFn, request: Any, path: tuple[Any, ...], shape: Any, where: str
) -> tuple[Any, str]:
    choice = draw(st.integers(0, 2))
    if choice == 0 and shape.required_members:
        name = draw(st.sampled_from(shape.required_members))
        return _replace(request, (*path, name), DROP), f"{where}: drop required {name}"
    name = draw(st.sampled_from(UNKNOWN_NAMES))
    value = draw(_any_hostile())
    return _replace(
        request, (*path, name), value
    ), f"{where}: unknown member {name[:20]!r} = {summarize(value)}"


def summarize(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:60]}... ({len(text)} chars)"


@st.composite
def _body_mutation(draw: st.DrawFn, request: dict[str, Any], shape: Any) -> tuple[Any, str]:
    choice = draw(st.integers(0, 5))
    if choice == 0 and request:
        key = draw(st.sampled_from(sorted(request)))
        other = draw(_any_hostile())
        pairs = tuple(request.items())
        pairs = (*pairs, (key, other)) if draw(st.booleans()) else ((key, other), *pairs)
        return Pairs(pairs), f"body: repeated key {key} = {summarize(other)}"
    if choice == 1:
        depth = draw(st.sampled_from(hostile.DEPTHS))
        member = draw(st.sampled_from(sorted(request) or ["x"]))
        text = hostile.nested(depth, draw(st.integers(0, 2)))
        return {**request, member: Raw(text)}, f"body: {member} nested {depth} deep"
    if choice == 2:
        depth = draw(st.sampled_from(hostile.DEPTHS))
        return Raw('{"a":' * depth + "{}" + "}" * depth), f"body: object nested {depth} deep"
    if choice == 3:
        other = draw(
            st.sampled_from(
                (Raw("[]"), Raw("1"), Raw('"s"'), Raw("null"), Raw("true"), Raw("1e400"), [request])
            )
        )
        return other, f"body: {summarize(other)}"
    if choice == 4:
        frame = draw(
            st.sampled_from((("\ufeff", ""), (" \n\t", " \n"), ("", "garbage"), ("", "{}"), ("", "\x00")))
        )
        return Framed(frame[0], request, frame[1]), f"body framed by {frame!r}"
    if shape is not None and shape.required_members:
        return {}, "body: {}"
    return {"x": draw(_any_hostile())}, "body: one unknown member"


@st.composite
def requests(draw: st.DrawFn, operation: str) -> tuple[Any, str]:
    """(request value, what was done to it)."""
    request: Any = draw(valid_request(operation))
    count = draw(st.sampled_from((0, 1, 1, 1, 1, 1, 2, 2, 3)))
    labels = []
    for _ in range(count):
        if not isinstance(request, dict):
            break
        request, label = draw(_mutation(operation, request))
        labels.append(label)
    return request, "; ".join(labels) or "valid"


Resolve = Callable[[Ref], str]
