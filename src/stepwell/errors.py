"""Errors of stepwell, and the names of AWS's predefined workflow errors.

Two families, never mixed:

    StepwellError                     a request stepwell cannot carry out (the caller's mistake)
    ├── DefinitionError               the definition is invalid (AWS: InvalidDefinition);
    │                                 carries every Diagnostic found
    └── ServiceError                  any refusal of the service with AWS's error code and message
                                      (StateMachineDoesNotExist, ExecutionAlreadyExists,
                                      InvalidExecutionInput, TaskTimedOut, ...); the API answers it
                                      as HTTP 400 {__type, message}

    WorkflowError                     a failure *inside* a running workflow: it has an AWS error name
    │                                 (``States.Runtime``, ``States.IntrinsicFailure``, a Fail state's
    │                                 Error, ...) and a cause. The engine turns it into a Failure value
    │                                 at the state boundary, where Retry and Catch see it: it never
    │                                 escapes ``advance``.
    └── EvaluationError               raised by the expression language (paths, intrinsics,
                                      JSONata, ...) with the message AWS reports; the engine
                                      prefixes "An error occurred while executing the state ..."
"""

from __future__ import annotations

from dataclasses import dataclass

# The predefined error names (reference §5).
ALL = "States.ALL"
DATA_LIMIT_EXCEEDED = "States.DataLimitExceeded"
RUNTIME = "States.Runtime"
TIMEOUT = "States.Timeout"
HEARTBEAT_TIMEOUT = "States.HeartbeatTimeout"
TASK_FAILED = "States.TaskFailed"
PERMISSIONS = "States.Permissions"
RESULT_PATH_MATCH_FAILURE = "States.ResultPathMatchFailure"
PARAMETER_PATH_FAILURE = "States.ParameterPathFailure"
BRANCH_FAILED = "States.BranchFailed"
NO_CHOICE_MATCHED = "States.NoChoiceMatched"
INTRINSIC_FAILURE = "States.IntrinsicFailure"
EXCEED_TOLERATED_FAILURE_THRESHOLD = "States.ExceedToleratedFailureThreshold"
ITEM_READER_FAILED = "States.ItemReaderFailed"
RESULT_WRITER_FAILED = "States.ResultWriterFailed"
QUERY_EVALUATION_ERROR = "States.QueryEvaluationError"

# Errors no catcher (not even States.ALL) may catch and no retrier may retry.
UNCATCHABLE = frozenset({DATA_LIMIT_EXCEEDED, RUNTIME})


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in a definition, as ValidateStateMachineDefinition reports it."""

    severity: str  # "ERROR" | "WARNING"
    code: str  # e.g. "SCHEMA_VALIDATION_FAILED"
    message: str
    location: str | None = None  # a JSON pointer such as "/States/Fail/ErrorPath"

    def to_json(self) -> dict[str, str]:
        out = {"severity": self.severity, "code": self.code, "message": self.message}
        if self.location is not None:
            out["location"] = self.location
        return out

    def render(self) -> str:
        """The text CreateStateMachine puts inside InvalidDefinition's message."""
        # AWS writes "at null" when a problem has no location (e.g. MISSING_END_STATE).
        return f"{self.code}: {self.message} at {self.location if self.location else 'null'}"


class StepwellError(Exception):
    """A request stepwell cannot carry out."""


class DefinitionError(StepwellError):
    """An invalid state machine definition (AWS's InvalidDefinition)."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        super().__init__(self.aws_message())

    def aws_message(self) -> str:
        errors = [d for d in self.diagnostics if d.severity == "ERROR"] or self.diagnostics
        return "Invalid State Machine Definition: " + ", ".join(f"'{d.render()}'" for d in errors)


class ServiceError(StepwellError):
    """A refusal in AWS's words: ``code`` is the error's ``__type`` (e.g. "InvalidArn")."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


MAX_REPORTED = 10  # the violations a ValidationException lists


def violations_message(errors: list[str]) -> str:
    """A ValidationException's message, as Coral words it: "2 validation errors detected: a; b"."""
    count = len(errors)
    noun = "error" if count == 1 else "errors"
    return f"{count} validation {noun} detected: {'; '.join(errors)}"


class WorkflowError(Exception):
    """A failure with an AWS error name and cause, raised inside workflow evaluation."""

    def __init__(self, error: str, cause: str = ""):
        self.error = error
        self.cause = cause
        super().__init__(f"{error}: {cause}")


class EvaluationError(WorkflowError):
    """An expression failed to evaluate; ``cause`` is AWS's message without the state prefix.

    ``location`` names the field being evaluated (e.g. "Output", "Items"): a JSONata state
    records it in its EvaluationFailed event."""

    def __init__(self, error: str, cause: str = "", location: str | None = None):
        super().__init__(error, cause)
        self.location = location
