"""Which state a TestState request tests, parsed with the rest of the definition.

"definition: The Amazon States Language (ASL) definition of the state or state machine";
"stateName: ... If this field is specified, the definition must contain a fully-formed state machine
definition" (TestState API reference). A lone state is tested as the only state of a machine whose
state is named ``StateName``: AWS's messages locate its problems at ``/States/StateName/...`` and its
context object calls it so (recorded against AWS). The states its Next, Default, Choices and Catch
name are not part of the request: they stand in as Succeed states, so that the definition validates
as AWS validates the state alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stepwell.asl import model as m
from stepwell.asl.jsoncodec import JsonError, loads
from stepwell.asl.parse import parse_definition
from stepwell.errors import DefinitionError, ServiceError
from stepwell.service.machines import definition_diagnostics

# The name AWS gives a lone state (its messages say "/States/StateName/Branches").
LONE_STATE_NAME = "StateName"
STATE_NOT_FOUND = "State not found in definition"


@dataclass(frozen=True, slots=True)
class TestedState:
    state: m.State
    machine: m.StateMachine


def tested_state(definition: str, state_name: str | None) -> TestedState:
    """The state under test, or ServiceError (InvalidDefinition / ValidationException)."""
    raw = _json_object(definition)
    if state_name is None:
        raw = _lone_state_machine(raw)
    machine = _parsed(raw)
    name = LONE_STATE_NAME if state_name is None else state_name
    state = machine.states.get(name)
    if state is None:
        raise ServiceError("ValidationException", STATE_NOT_FOUND)
    return TestedState(state, machine)


def _json_object(definition: str) -> dict[str, Any]:
    try:
        raw = loads(definition)
    except JsonError:
        raw = None
    if not isinstance(raw, dict):
        # The validator words what is wrong with text that is no JSON object, as AWS does.
        raise ServiceError(
            "InvalidDefinition", DefinitionError(definition_diagnostics(definition)).aws_message()
        )
    return raw


def _lone_state_machine(state: dict[str, Any]) -> dict[str, Any]:
    states: dict[str, Any] = {LONE_STATE_NAME: state}
    for target in _transitions(state):
        if target != LONE_STATE_NAME:
            states.setdefault(target, {"Type": "Succeed"})
    return {"StartAt": LONE_STATE_NAME, "States": states}


def _transitions(state: dict[str, Any]) -> list[str]:
    """The states a lone state's Next, Default, Choices[].Next and Catch[].Next name."""
    targets = [state.get("Next"), state.get("Default")]
    for key in ("Choices", "Catch"):
        rules = state.get(key)
        if isinstance(rules, list):
            targets += [rule.get("Next") for rule in rules if isinstance(rule, dict)]
    return [t for t in targets if isinstance(t, str)]


def _parsed(raw: dict[str, Any]) -> m.StateMachine:
    try:
        return parse_definition(raw)
    except DefinitionError as invalid:
        raise ServiceError("InvalidDefinition", invalid.aws_message()) from None
