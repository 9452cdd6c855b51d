"""Pass 3: state names, Map labels and transitions — the static analysis AWS runs once the schema
holds. Words and locations as AWS reports them (recorded by floci-io/floci's tests and users):

* ``INVALID_STATE_NAME``: "Invalid State name: State exceeds the 80-character limit allowed by the
  service" at the state;
* ``DUPLICATE_STATE_NAME``: "Duplicate State name: X" at each repetition — names are unique across the
  whole definition, nested branches and processors included;
* ``MISSING_TRANSITION_TARGET``: "Missing 'Next' target: X" (the word ``Next`` whatever the field) at
  ``.../Next``, ``.../Default``, ``.../Choices[i]/Next``, ``.../Catch[i]/Next`` or ``.../StartAt`` — a
  target must be a state of the same program, so no transition leaves a Parallel branch or a Map
  processor;
* ``MISSING_TRANSITION_TARGET``: 'State "X" is not reachable.' at the state, for every program;
* ``MISSING_END_STATE``: "Workflow has no terminal state", without a location, when no top-level state
  is terminal (``End: true``, Succeed, Fail); it replaces the reachability report of the top level (a
  loop with no way out plus an orphan gives only this). Every Parallel branch and Map processor is held
  to the same rule: ASL makes each one a complete state machine ("fields whose meanings are exactly like
  those in the top level"), and AWS's own linter (awslabs/statelint) reports "No terminal state found in
  machine" for nested ones too. The nested diagnostic's location is the program's pointer
  (``/States/M/ItemProcessor``, ``/States/P/Branches[0]``): a guess, no AWS recording of a nested case
  exists here (floci-io/floci accepts nested loops, without saying it measured AWS).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping
from typing import Any

from stepwell.asl.validate import tables as t
from stepwell.asl.validate.walk import Program, child, error, item, programs, sites
from stepwell.errors import Diagnostic

INVALID_STATE_NAME = "INVALID_STATE_NAME"
DUPLICATE_STATE_NAME = "DUPLICATE_STATE_NAME"
INVALID_LABEL_NAME = "INVALID_LABEL_NAME"
DUPLICATE_LABEL_NAME = "DUPLICATE_LABEL_NAME"
MISSING_TRANSITION_TARGET = "MISSING_TRANSITION_TARGET"
MISSING_END_STATE = "MISSING_END_STATE"


def check_graph(definition: Mapping[str, Any], duplicate_keys: Mapping[int, list[str]]) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    _check_names(definition, duplicate_keys, out)
    _check_labels(definition, out)
    for program in programs(definition):
        _check_transitions(program, out)
    return out


def _check_names(
    definition: Mapping[str, Any], duplicate_keys: Mapping[int, list[str]], out: list[Diagnostic]
) -> None:
    seen: set[str] = set()
    for program in programs(definition):
        states_pointer = child(program.pointer, "States")
        for name in duplicate_keys.get(id(program.raw.get("States")), ()):
            out.append(
                error(DUPLICATE_STATE_NAME, f"Duplicate State name: {name}", child(states_pointer, name))
            )
        for name in program.states:
            pointer = child(states_pointer, name)
            if len(name) > t.STATE_NAME_LIMIT:
                message = "Invalid State name: State exceeds the 80-character limit allowed by the service"
                out.append(error(INVALID_STATE_NAME, message, pointer))
            if name in seen:
                out.append(error(DUPLICATE_STATE_NAME, f"Duplicate State name: {name}", pointer))
            seen.add(name)


def _check_labels(definition: Mapping[str, Any], out: list[Diagnostic]) -> None:
    seen: set[str] = set()
    for site in sites(definition):
        label = site.body.get("Label")
        if site.type != "Map" or not isinstance(label, str):
            continue
        pointer = child(site.pointer, "Label")
        if len(label) > t.LABEL_LIMIT:
            message = "Invalid Label name: Label exceeds the 40-character limit allowed by the service"
            out.append(error(INVALID_LABEL_NAME, message, pointer))
        elif not label or any(_forbidden_in_label(char) for char in label):
            out.append(error(INVALID_LABEL_NAME, f"Invalid Label name: {label}", pointer))
        if label in seen:
            out.append(error(DUPLICATE_LABEL_NAME, f"Duplicate Label name: {label}", pointer))
        seen.add(label)


def _forbidden_in_label(char: str) -> bool:
    code = ord(char)
    return char.isspace() or char in t.LABEL_FORBIDDEN or code < 0x20 or 0x7F <= code <= 0x9F


def _transitions(pointer: str, body: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(target, pointer of the field naming it) for every transition out of one state."""
    for field in ("Next", "Default"):
        if isinstance(body.get(field), str):
            yield body[field], child(pointer, field)
    for field in ("Choices", "Catch"):
        entries = body.get(field)
        if isinstance(entries, list):
            for index, entry in enumerate(entries):
                if isinstance(entry, Mapping) and isinstance(entry.get("Next"), str):
                    yield entry["Next"], child(item(child(pointer, field), index), "Next")


def _is_terminal(body: Any) -> bool:
    return isinstance(body, Mapping) and (body.get("End") is True or body.get("Type") in ("Succeed", "Fail"))


def _check_transitions(program: Program, out: list[Diagnostic]) -> None:
    states = program.states
    states_pointer = child(program.pointer, "States")
    start = program.raw.get("StartAt")
    if isinstance(start, str) and start not in states:
        out.append(_missing_target(start, child(program.pointer, "StartAt")))
    edges: dict[str, list[str]] = {}
    for name, body in states.items():
        if not isinstance(body, Mapping):
            continue
        edges[name] = []
        for target, where in _transitions(child(states_pointer, name), body):
            if target in states:
                edges[name].append(target)
            else:
                out.append(_missing_target(target, where))
    if not any(_is_terminal(body) for body in states.values()):
        location = None if program.top_level else program.pointer
        out.append(error(MISSING_END_STATE, "Workflow has no terminal state", location))
        return
    reached = _reachable(start if isinstance(start, str) else None, edges)
    for name in states:
        if name not in reached:
            message = f'State "{name}" is not reachable.'
            out.append(error(MISSING_TRANSITION_TARGET, message, child(states_pointer, name)))


def _missing_target(target: str, pointer: str) -> Diagnostic:
    return error(MISSING_TRANSITION_TARGET, f"Missing 'Next' target: {target}", pointer)


def _reachable(start: str | None, edges: Mapping[str, list[str]]) -> set[str]:
    if start is None or start not in edges:
        return set()
    reached = {start}
    queue = deque([start])
    while queue:
        for target in edges[queue.popleft()]:
            if target not in reached:
                reached.add(target)
                queue.append(target)
    return reached
