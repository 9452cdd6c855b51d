"""`stepwell test-state` as a user runs it (a real subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

FUNCTIONS = Path(__file__).parent / "server" / "functions.py"


def stepwell(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stepwell.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        input=stdin,
    )


def write(tmp_path: Path, definition: dict[str, Any]) -> str:
    path = tmp_path / "state.json"
    path.write_text(json.dumps(definition), encoding="utf-8")
    return str(path)


def test_prints_the_response_with_its_stages(tmp_path: Path) -> None:
    state = {"Type": "Pass", "InputPath": "$.a", "ResultPath": "$.copy", "Next": "Later"}
    done = stepwell(
        "test-state",
        "--definition",
        write(tmp_path, state),
        "--input",
        '{"a": 1}',
        "--inspection-level",
        "DEBUG",
    )
    assert done.returncode == 0, done.stderr
    response = json.loads(done.stdout)
    assert (response["status"], response["nextState"]) == ("SUCCEEDED", "Later")
    assert json.loads(response["output"]) == {"a": 1, "copy": 1}
    assert json.loads(response["inspectionData"]["afterInputPath"]) == 1


def test_reads_the_definition_from_stdin_and_mocks_an_error() -> None:
    state = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}
    done = stepwell(
        "test-state",
        "--definition",
        "-",
        "--mock-error",
        "Boom",
        "--mock-cause",
        "bad",
        stdin=json.dumps(state),
    )
    assert done.returncode == 1
    assert json.loads(done.stdout) == {"status": "FAILED", "error": "Boom", "cause": "bad"}


def test_calls_a_function_of_the_given_module(tmp_path: Path) -> None:
    state = {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:double", "End": True}
    done = stepwell(
        "test-state",
        "--definition",
        write(tmp_path, state),
        "--input",
        '{"n": 4}',
        "--functions",
        str(FUNCTIONS),
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(json.loads(done.stdout)["output"]) == {"n": 8}


def test_a_refused_request_exits_2_with_aws_s_message(tmp_path: Path) -> None:
    done = stepwell("test-state", "--definition", write(tmp_path, {"Type": "Fail"}), "--mock-result", "{}")
    assert done.returncode == 2
    assert (
        done.stderr.strip()
        == "ValidationException: State type 'Fail' is not supported when a mock is specified"
    )
