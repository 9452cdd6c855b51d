"""TestState through the API of a real `stepwell serve`: a Task without a mock really calls the
server's Lambda-style function; refusals arrive as AWS's errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.server.process import ServerProcess

FUNCTIONS = Path(__file__).parents[1] / "server" / "functions.py"
ROLE = "arn:aws:iam::123456789012:role/tester"


@pytest.fixture(scope="module")
def sfn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    server = ServerProcess(tmp_path_factory.mktemp("test-state") / "stepwell.db", functions=[str(FUNCTIONS)])
    server.start()
    yield server.client()
    server.stop()


def test_a_task_without_a_mock_calls_the_function(sfn: Any) -> None:
    definition = {
        "Type": "Task",
        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:double",
        "End": True,
    }
    response = sfn.test_state(
        definition=json.dumps(definition), roleArn=ROLE, input='{"n": 21}', inspectionLevel="DEBUG"
    )
    assert response["status"] == "SUCCEEDED"
    assert json.loads(response["output"]) == {"n": 42}
    data = response["inspectionData"]
    assert json.loads(data["afterParameters"]) == {"n": 21}
    assert json.loads(data["result"]) == {"n": 42}


def test_a_failing_function_is_the_states_failure_and_a_catcher_catches_it(sfn: Any) -> None:
    definition = {
        "Type": "Task",
        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:fail_with",
        "Catch": [{"ErrorEquals": ["ValueError"], "ResultPath": "$.error", "Next": "Handle"}],
        "End": True,
    }
    response = sfn.test_state(definition=json.dumps(definition), roleArn=ROLE, input='{"message": "no"}')
    assert response["status"] == "CAUGHT_ERROR"
    assert (response["error"], response["nextState"]) == ("ValueError", "Handle")
    assert json.loads(response["output"])["error"]["Error"] == "ValueError"


def test_a_refusal_is_aws_s_error(sfn: Any) -> None:
    definition = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}
    with pytest.raises(ClientError) as refusal:
        sfn.test_state(definition=json.dumps(definition))
    error = refusal.value.response["Error"]
    assert (error["Code"], error["Message"]) == (
        "ValidationException",
        "RoleArn must be specified when testing a Task state",
    )
