"""Mocked Task responses in Step Functions Local's MockConfigFile format (reference §10.2).

    {"StateMachines": {"<machine name>": {"TestCases": {"<case>": {"<Task state>": "<response>"}}}},
     "MockedResponses": {"<response>": {"0": {"Return": <any JSON>},
                                        "1-2": {"Throw": {"Error": "E", "Cause": "C"}}}}}

An execution started on ``<stateMachineArn>#<case>`` runs that test case: each Task state it names
answers with the mocked response instead of calling anything, and states it does not name run for
real. The keys of a mocked response count the state's invocations in the execution from 0, one
number per call, so retries, loops and Map iterations consume numbers. The file is checked whole
when it is loaded; a mistake is a ``MockConfigError`` naming where it is.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ENVIRONMENT_VARIABLE = "SFN_MOCK_CONFIG"
_RANGE = re.compile(r"(0|[1-9][0-9]*)(?:-(0|[1-9][0-9]*))?")


class MockConfigError(ValueError):
    """The mock configuration file is malformed."""


class UnknownTestCase(LookupError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class MockReturn:
    """The task succeeds with this value, as the service's response would be."""

    value: Any


@dataclass(frozen=True, slots=True)
class MockThrow:
    """The task fails with this error and cause (Retry and Catch see them)."""

    error: str
    cause: str


Outcome = MockReturn | MockThrow


@dataclass(frozen=True, slots=True)
class MockedResponse:
    name: str
    outcomes: tuple[Outcome, ...]  # one per invocation number, from 0

    def at(self, invocation: int) -> Outcome | None:
        """The answer to the state's ``invocation``-th call (from 0); None when the file has none."""
        return self.outcomes[invocation] if 0 <= invocation < len(self.outcomes) else None


@dataclass(frozen=True, slots=True)
class TestCase:
    machine: str
    name: str
    states: Mapping[str, MockedResponse]

    def mocks(self, state_name: str) -> bool:
        return state_name in self.states

    def outcome(self, state_name: str, invocation: int) -> Outcome:
        """The answer to the state's ``invocation``-th call in the execution (from 0).

        A call past the last numbered response fails the execution: the file must cover every
        call the test case makes (States.Runtime is not caught by States.ALL)."""
        response = self.states[state_name]
        found = response.at(invocation)
        if found is None:
            return MockThrow(
                "States.Runtime",
                f"The mocked response '{response.name}' of test case '{self.name}' has no response for "
                f"invocation {invocation} of the state '{state_name}' (it covers invocations 0 to "
                f"{len(response.outcomes) - 1}).",
            )
        return found


@dataclass(frozen=True, slots=True)
class MockConfig:
    source: str
    test_cases: Mapping[tuple[str, str], TestCase]

    @classmethod
    def load(cls, path: str | Path) -> MockConfig:
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as unreadable:
            message = f"cannot read the mock configuration {path}: {unreadable.strerror}"
            raise MockConfigError(message) from None
        except ValueError as bad:
            raise MockConfigError(f"the mock configuration {path} is not valid JSON: {bad}") from None
        return cls.parse(data, str(path))

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> MockConfig | None:
        path = (os.environ if environ is None else environ).get(ENVIRONMENT_VARIABLE)
        return cls.load(path) if path else None

    @classmethod
    def parse(cls, data: Any, source: str = "mock configuration") -> MockConfig:
        _object(data, source, required=("StateMachines", "MockedResponses"))
        responses = {
            name: _mocked_response(name, value, f"{source}: MockedResponses.{name}")
            for name, value in data["MockedResponses"].items()
        }
        cases: dict[tuple[str, str], TestCase] = {}
        for machine, value in data["StateMachines"].items():
            where = f"{source}: StateMachines.{machine}"
            _object(value, where, required=("TestCases",))
            _object(value["TestCases"], f"{where}.TestCases")
            for case, states in value["TestCases"].items():
                case_where = f"{where}.TestCases.{case}"
                _object(states, case_where)
                bound = {}
                for state, response in states.items():
                    if not isinstance(response, str) or response not in responses:
                        raise MockConfigError(
                            f"{case_where}.{state}: names the mocked response {json.dumps(response)}, "
                            "which MockedResponses does not define"
                        )
                    bound[state] = responses[response]
                cases[(machine, case)] = TestCase(machine, case, bound)
        return cls(source, cases)

    def test_case(self, machine: str, case: str) -> TestCase:
        found = self.test_cases.get((machine, case))
        if found is None:
            raise UnknownTestCase(
                f"The test case '{case}' is not defined for the state machine '{machine}' in the mock "
                f"configuration {self.source}"
            )
        return found


def _object(value: Any, where: str, required: tuple[str, ...] = ()) -> None:
    if not isinstance(value, dict):
        raise MockConfigError(f"{where}: expected a JSON object")
    if required:
        missing = [key for key in required if key not in value]
        extra = [key for key in value if key not in required]
        if missing or extra:
            raise MockConfigError(
                f"{where}: expected exactly the fields {', '.join(required)}"
                + (f"; missing {', '.join(missing)}" if missing else "")
                + (f"; unexpected {', '.join(extra)}" if extra else "")
            )


def _mocked_response(name: str, value: Any, where: str) -> MockedResponse:
    _object(value, where)
    spans = []
    for key, answer in value.items():
        match = _RANGE.fullmatch(key)
        if match is None:
            raise MockConfigError(f'{where}.{key}: keys are invocation numbers ("0") or ranges ("1-2")')
        first = int(match.group(1))
        last = int(match.group(2)) if match.group(2) is not None else first
        if last < first:
            raise MockConfigError(f"{where}.{key}: the range ends before it starts")
        spans.append((first, last, _outcome(answer, f"{where}.{key}")))
    spans.sort(key=lambda span: span[0])
    outcomes: list[Outcome] = []
    for first, last, outcome in spans:
        if first != len(outcomes):
            raise MockConfigError(
                f"{where}: mock responses must be consecutively numbered from 0; "
                f"invocation {len(outcomes)} has no response"
                if first > len(outcomes)
                else f"{where}: invocation {first} has more than one response"
            )
        outcomes.extend([outcome] * (last - first + 1))
    if not outcomes:
        raise MockConfigError(f'{where}: a mocked response needs at least the response to invocation "0"')
    return MockedResponse(name, tuple(outcomes))


def _outcome(value: Any, where: str) -> Outcome:
    if not isinstance(value, dict) or len(value) != 1 or next(iter(value)) not in ("Return", "Throw"):
        raise MockConfigError(f"{where}: expected exactly one of Return or Throw")
    if "Return" in value:
        return MockReturn(value["Return"])
    thrown = value["Throw"]
    _object(thrown, f"{where}.Throw", required=("Error", "Cause"))
    if not isinstance(thrown["Error"], str) or not isinstance(thrown["Cause"], str):
        raise MockConfigError(f"{where}.Throw: Error and Cause are strings")
    return MockThrow(thrown["Error"], thrown["Cause"])
