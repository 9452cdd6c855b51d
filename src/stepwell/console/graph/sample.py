"""Generated definitions of any size that look like real workflows, to measure and test the graph.

``mixed_definition(200)`` has exactly 200 states (nested ones counted) built from repeating
segments: Task chains with Retry and Catch, Choices with several rules and a Default, polling loops
(Wait, Task, Choice back to the Wait), Parallels of two branches and Maps whose processor holds a
Choice; every eight segments share an error handler (a Pass then a Fail). Deterministic: the same
size always gives the same definition. Used by ``bench/graph_bench.py`` and the layout tests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

State = dict[str, Any]
# (segment number, name of the state after it, name of its error handler) -> (entry, states)
Segment = Callable[[int, str, str], tuple[str, dict[str, State]]]

TASK = "arn:aws:lambda:us-east-1:123456789012:function:work"
BLOCK = 8  # segments sharing one error handler


def _task(next_name: str, **extra: Any) -> State:
    return {"Type": "Task", "Resource": TASK, "Next": next_name, **extra}


def _chain(n: int, after: str, handler: str) -> tuple[str, dict[str, State]]:
    names = [f"S{n} Load", f"S{n} Transform", f"S{n} Store"]
    catch = [{"ErrorEquals": ["States.TaskFailed"], "Next": handler}]
    retry = [{"ErrorEquals": ["States.Timeout"], "MaxAttempts": 2}]
    return names[0], {
        names[0]: _task(names[1]),
        names[1]: _task(names[2], Retry=retry, Catch=catch),
        names[2]: _task(after),
    }


def _choice(n: int, after: str, handler: str) -> tuple[str, dict[str, State]]:
    route, a, b, c, d = (f"S{n} {word}" for word in ("Route", "Small", "Large", "Special", "Other"))
    rules = [
        {"Variable": "$.kind", "StringEquals": "small", "Next": a},
        {"Variable": "$.amount", "NumericGreaterThan": 1000, "Next": b},
        {
            "And": [
                {"Variable": "$.flag", "BooleanEquals": True},
                {"Variable": "$.region", "IsPresent": True},
            ],
            "Next": c,
        },
    ]
    return route, {
        route: {"Type": "Choice", "Choices": rules, "Default": d},
        a: {"Type": "Pass", "Next": after},
        b: _task(after),
        c: {"Type": "Pass", "Next": after},
        d: {"Type": "Pass", "Next": after},
    }


def _loop(n: int, after: str, handler: str) -> tuple[str, dict[str, State]]:
    wait, poll, check = f"S{n} Wait", f"S{n} Poll", f"S{n} Done?"
    rules = [
        {"Variable": "$.status", "StringEquals": "DONE", "Next": after},
        {"Variable": "$.status", "StringEquals": "FAILED", "Next": handler},
    ]
    return wait, {
        wait: {"Type": "Wait", "Seconds": 5, "Next": poll},
        poll: _task(check),
        check: {"Type": "Choice", "Choices": rules, "Default": wait},
    }


def _parallel(n: int, after: str, handler: str) -> tuple[str, dict[str, State]]:
    name = f"S{n} Fan out"
    left = {"StartAt": f"S{n} Left 1", "States": {f"S{n} Left 1": _task(f"S{n} Left 2"),
            f"S{n} Left 2": {"Type": "Pass", "End": True}}}  # fmt: skip
    right = {"StartAt": f"S{n} Right 1", "States": {f"S{n} Right 1": _task(f"S{n} Right 2"),
             f"S{n} Right 2": _task(f"S{n} Right 3"), f"S{n} Right 3": {"Type": "Succeed"}}}  # fmt: skip
    catch = [{"ErrorEquals": ["States.ALL"], "Next": handler}]
    return name, {name: {"Type": "Parallel", "Branches": [left, right], "Catch": catch, "Next": after}}


def _map(n: int, after: str, handler: str) -> tuple[str, dict[str, State]]:
    name, first, decide, keep, drop = (f"S{n} {w}" for w in ("Each item", "Fetch", "Valid?", "Keep", "Drop"))
    processor = {
        "ProcessorConfig": {"Mode": "INLINE"},
        "StartAt": first,
        "States": {
            first: _task(decide),
            decide: {
                "Type": "Choice",
                "Choices": [{"Variable": "$.valid", "BooleanEquals": True, "Next": keep}],
                "Default": drop,
            },
            keep: {"Type": "Pass", "End": True},
            drop: {"Type": "Pass", "End": True},
        },
    }
    return name, {name: {"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": processor, "Next": after}}


PATTERN: tuple[tuple[Segment, int], ...] = (
    (_chain, 3),
    (_choice, 5),
    (_loop, 3),
    (_chain, 3),
    (_parallel, 6),
    (_chain, 3),
    (_map, 5),
)


def mixed_definition(states: int = 200) -> dict[str, Any]:
    """A valid definition with exactly ``states`` states (at least 3)."""
    if states < 3:
        raise ValueError("a mixed definition has at least 3 states")
    chosen: list[Segment] = []
    total = 1  # the final Succeed
    while True:
        segment, size = PATTERN[len(chosen) % len(PATTERN)]
        handler_cost = 2 if len(chosen) % BLOCK == 0 else 0
        if total + size + handler_cost > states:
            break
        chosen.append(segment)
        total += size + handler_cost
    body: dict[str, State] = {}
    after = "Finished"
    for n in range(len(chosen) - 1, -1, -1):
        handler = f"Block {n // BLOCK} failed"
        entry, segment_states = chosen[n](n, after, handler)
        body = {**segment_states, **body}
        after = entry
    padding = [f"Pad {i}" for i in range(states - total)]
    padded: dict[str, State] = {}
    for i, name in enumerate(padding):
        padded[name] = {"Type": "Pass", "Next": padding[i + 1] if i + 1 < len(padding) else after}
    handlers: dict[str, State] = {}
    for block in range((len(chosen) + BLOCK - 1) // BLOCK):
        handlers[f"Block {block} failed"] = {"Type": "Pass", "Next": f"Block {block} fail"}
        handlers[f"Block {block} fail"] = {"Type": "Fail", "Error": "BlockFailed", "Cause": f"block {block}"}
    final = {"Finished": {"Type": "Succeed"}}
    start = padding[0] if padding else after
    return {
        "Comment": f"A generated {states}-state workflow",
        "StartAt": start,
        "States": {**padded, **body, **handlers, **final},
    }
