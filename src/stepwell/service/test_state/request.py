"""A TestState request, read and checked: every refusal in AWS's words (recorded against AWS).

The members that carry JSON (``input``, ``variables``, ``context``, ``mock.result``,
``stateConfiguration.mapItemReaderData``) arrive as JSON text ("SensitiveData" strings in the API
model) and are parsed here, once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from stepwell.asl import model as m
from stepwell.asl.jsoncodec import JsonError, loads
from stepwell.asl.resources import ACTIVITY, SYNC, SYNC2, WAIT_FOR_TASK_TOKEN
from stepwell.errors import ServiceError
from stepwell.service.test_state.context_object import check_context
from stepwell.service.test_state.definition import TestedState, tested_state
from stepwell.service.test_state.mock_schema import STRICT, check_mock_result

INFO, DEBUG, TRACE = "INFO", "DEBUG", "TRACE"
# "A mock can only be specified for Task, Map, or Parallel states" (TestStateInput.mock).
MOCKABLE = frozenset({"Task", "Map", "Parallel"})

BOTH_MOCK_FIELDS = "A test mock should have only one of the following fields: [result, errorOutput]."
REVEAL_WITH_MOCK = "TestState does not support RevealSecrets when a mock is specified."
FAILURE_COUNT_WITHOUT_MOCK = (
    "TestState does not support MapIterationFailureCount when a mock is not specified."
)
NEEDS_MOCK = (
    "TestState API does not support Map or Parallel states. Supported state types include: "
    "[Task, Wait, Pass, Succeed, Fail, Choice]"
)
ROLE_NEEDED = "RoleArn must be specified when testing a Task state"
# Not recorded against AWS: worded after the recorded refusals above.
CONTEXT_WITHOUT_MOCK = "TestState does not support Context when a mock is not specified."
PATTERN_NEEDS_MOCK = (
    "TestState does not support Activity tasks or the '.sync' and '.waitForTaskToken' service "
    "integration patterns when a mock is not specified."
)


@dataclass(frozen=True, slots=True)
class Mock:
    """``mock``: a result (parsed) or an error, and how strictly a result is checked."""

    has_result: bool = False
    result: Any = None
    error: str | None = None
    cause: str | None = None
    field_validation_mode: str = STRICT


@dataclass(frozen=True, slots=True)
class StateConfiguration:
    retrier_retry_count: int = 0
    error_caused_by_state: str | None = None
    map_iteration_failure_count: int | None = None
    has_item_reader_data: bool = False
    map_item_reader_data: Any = None


@dataclass(frozen=True, slots=True)
class TestRequest:
    tested: TestedState
    input: Any
    role_arn: str | None = None
    inspection_level: str = INFO
    reveal_secrets: bool = False
    variables: dict[str, Any] = field(default_factory=dict)
    context: dict[str, Any] | None = None
    mock: Mock | None = None
    configuration: StateConfiguration = StateConfiguration()

    @property
    def state(self) -> m.State:
        return self.tested.state


def read_request(request: dict[str, Any]) -> TestRequest:
    """The request's parts, or ServiceError in AWS's words, checked in the order AWS checks."""
    tested = tested_state(request.get("definition") or "", request.get("stateName"))
    state = tested.state
    value = _json(
        request.get("input"), "{}", "InvalidExecutionInput", "Invalid State Machine Execution Input"
    )
    mock = _mock(request.get("mock"))
    reveal = bool(request.get("revealSecrets"))
    if mock is not None:
        if reveal:
            raise ServiceError("ValidationException", REVEAL_WITH_MOCK)
        if state.type not in MOCKABLE:
            raise ServiceError(
                "ValidationException", f"State type '{state.type}' is not supported when a mock is specified"
            )
        _check_mock_fits(state, mock)
    configuration = _configuration(request.get("stateConfiguration") or {})
    if mock is None:
        _check_runnable(state, configuration, request)
    context = None
    if request.get("context") is not None:
        if mock is None:
            raise ServiceError("ValidationException", CONTEXT_WITHOUT_MOCK)
        context = check_context(
            _json(request["context"], "{}", "ValidationException", "Invalid Context object provided"), state
        )
    variables = _json(request.get("variables"), "{}", "ValidationException", "Invalid variables provided")
    if not isinstance(variables, dict):
        raise ServiceError(
            "ValidationException", "Invalid variables provided: variables must be a JSON object"
        )
    return TestRequest(
        tested=tested,
        input=value,
        role_arn=request.get("roleArn"),
        inspection_level=request.get("inspectionLevel") or INFO,
        reveal_secrets=reveal,
        variables=variables,
        context=context,
        mock=mock,
        configuration=configuration,
    )


def _check_runnable(state: m.State, configuration: StateConfiguration, request: dict[str, Any]) -> None:
    """What only a mock makes testable, and the role a real call needs."""
    if configuration.map_iteration_failure_count is not None:
        raise ServiceError("ValidationException", FAILURE_COUNT_WITHOUT_MOCK)
    if state.type in ("Map", "Parallel"):
        raise ServiceError("InvalidDefinition", NEEDS_MOCK)
    if isinstance(state, m.TaskState):
        target = state.target
        if target.kind == ACTIVITY or target.pattern in (SYNC, SYNC2, WAIT_FOR_TASK_TOKEN):
            raise ServiceError("ValidationException", PATTERN_NEEDS_MOCK)
        if not request.get("roleArn"):
            raise ServiceError("ValidationException", ROLE_NEEDED)


def _check_mock_fits(state: m.State, mock: Mock) -> None:
    """ "Map mock = the entire Map output; Parallel mock = an array, one item per branch"; a Task's
    result must fit the API it calls (mock_schema.py)."""
    if not mock.has_result:
        return
    result = mock.result
    if isinstance(state, m.ParallelState):
        if not isinstance(result, list):
            raise ServiceError("ValidationException", "Mocked result must be an array.")
        if len(result) != len(state.branches):
            raise ServiceError(
                "ValidationException",
                "Mocked result must contain the same number of items as number of Parallel branches.",
            )
    elif isinstance(state, m.MapState):
        # A ResultWriter's Map outputs the writer's description of the results, an object.
        if "ResultWriter" in state.raw:
            if not isinstance(result, dict):
                raise ServiceError("ValidationException", "Mocked result must be a JSON object.")
        elif not isinstance(result, list):
            raise ServiceError("ValidationException", "Mocked result must be an array.")
    elif isinstance(state, m.TaskState):
        check_mock_result(state, result, mock.field_validation_mode)


def _mock(raw: dict[str, Any] | None) -> Mock | None:
    if raw is None:
        return None
    mode = raw.get("fieldValidationMode") or STRICT
    has_result, error_output = "result" in raw and raw["result"] is not None, raw.get("errorOutput")
    if has_result and error_output is not None:
        raise ServiceError("ValidationException", BOTH_MOCK_FIELDS)
    if has_result:
        result = _json(raw["result"], "null", "ValidationException", "Invalid mock result provided")
        return Mock(has_result=True, result=result, field_validation_mode=mode)
    if error_output is not None:
        return Mock(
            error=error_output.get("error"), cause=error_output.get("cause"), field_validation_mode=mode
        )
    raise ServiceError("ValidationException", BOTH_MOCK_FIELDS)


def _configuration(raw: dict[str, Any]) -> StateConfiguration:
    reader_data = raw.get("mapItemReaderData")
    return StateConfiguration(
        retrier_retry_count=int(raw.get("retrierRetryCount") or 0),
        error_caused_by_state=raw.get("errorCausedByState"),
        map_iteration_failure_count=raw.get("mapIterationFailureCount"),
        has_item_reader_data=reader_data is not None,
        map_item_reader_data=(
            None
            if reader_data is None
            else _json(reader_data, "null", "ValidationException", "Invalid map item reader data provided")
        ),
    )


def _json(text: str | None, default: str, code: str, what: str) -> Any:
    try:
        return loads(default if text is None else text)
    except JsonError as bad:
        raise ServiceError(code, f"{what}: '{bad.message}'") from None
