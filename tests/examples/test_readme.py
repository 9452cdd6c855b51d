"""The README's commands, copied out of it and run as a new user runs them: the AWS CLI sample
against a real `stepwell serve`, and the mocked `stepwell run` commands of the examples."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.server.process import ServerProcess

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent  # .venv/bin: stepwell and the AWS CLI
DOCUMENTED_PORT = "8083"


def shell_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", README, flags=re.DOTALL)


def commands(block: str) -> list[str]:
    """The block's commands, each continuation line (a trailing backslash) joined to its command."""
    return [c for c in block.replace("\\\n", " ").splitlines() if c.strip() and not c.startswith("#")]


def json_documents(text: str) -> list[Any]:
    decoder, found, at = json.JSONDecoder(), [], 0
    while (at := text.find("{", at)) != -1:
        document, at = decoder.raw_decode(text, at)
        found.append(document)
    return found


def the_aws_cli_sample() -> str:
    return next(b for b in shell_blocks() if "stepfunctions list-state-machines" in b)


PYTHON_CLIENT = """
import boto3
from botocore.config import Config
sfn = boto3.client("stepfunctions", endpoint_url="http://127.0.0.1:8083", region_name="us-east-1",
                   aws_access_key_id="any", aws_secret_access_key="any",
                   config=Config(inject_host_prefix=False))
"""


def run_against_a_server(
    block: str, tmp_path: Path, then_python: str | None = None
) -> subprocess.CompletedProcess[str]:
    """The block's commands, in bash, against a fresh server (only the port differs); then the
    Python sample ``then_python`` with the README's client ``sfn``, against the same server."""
    server = ServerProcess(tmp_path / "stepwell.db").start()
    try:
        if then_python is not None:
            python = f"{PYTHON_CLIENT}\n{then_python}".replace(
                f"127.0.0.1:{DOCUMENTED_PORT}", f"127.0.0.1:{server.port}"
            )
            block = f"{block}\n{BIN / 'python'} - <<'PYTHON'\n{python}\nPYTHON\n"
        script = block.replace(f"127.0.0.1:{DOCUMENTED_PORT}", f"127.0.0.1:{server.port}")
        environment = {
            **os.environ,
            "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
            "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
        }
        return subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        server.stop()


def test_the_aws_cli_sample_runs_against_a_server(tmp_path: Path) -> None:
    """Every command of the sample succeeds as written, StartSyncExecution included: the sample
    creates the machine it starts."""
    script = the_aws_cli_sample()
    done = run_against_a_server(script, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "start-sync-execution" in script
    synced = json_documents(done.stdout)[-1]  # the last command's answer: StartSyncExecution's
    assert synced["status"] == "SUCCEEDED", synced
    assert synced["stateMachineArn"].endswith(":stateMachine:express")


def test_the_versions_and_aliases_samples_run_against_a_server(tmp_path: Path) -> None:
    """The Versions section's commands (the execution started on version 1 runs version 1), then
    the Aliases section's Python on the versions they published."""
    block = next(b for b in shell_blocks() if "publish-state-machine-version" in b)
    aliases = next(
        b
        for b in re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)
        if "create_state_machine_alias" in b
    )
    done = run_against_a_server(block, tmp_path, then_python=aliases)
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith(
        (":stateMachine:orders:1", ":stateMachine:orders:2")
    )  # the alias's print
    answers = json_documents(done.stdout)
    listed = next(a for a in answers if "stateMachineVersions" in a)["stateMachineVersions"]
    assert [v["stateMachineVersionArn"].rsplit(":", 1)[1] for v in listed] == ["2", "1"]
    described = answers[-1]  # DescribeExecution of the execution started on version 1 (the CLI's last)
    assert described["stateMachineVersionArn"].endswith(":stateMachine:orders:1"), described
    assert json.loads(described["output"]) == {"v": 1}


def test_the_redrive_sample_runs_against_a_server(tmp_path: Path) -> None:
    """The Redrive section's commands: the stopped execution runs its Wait again, once redriven."""
    block = next(b for b in shell_blocks() if "redrive-execution" in b)
    done = run_against_a_server(block, tmp_path)
    assert done.returncode == 0, done.stderr
    assert '"ABORTED"' in done.stdout and '"REDRIVABLE"' in done.stdout
    [listed] = [a["executions"] for a in json_documents(done.stdout) if "executions" in a]
    assert [(e["name"], e["status"], e["redriveCount"]) for e in listed] == [("run-1", "RUNNING", 1)]


def test_the_test_state_sample_runs_in_process(tmp_path: Path) -> None:
    """The TestState section's command, in a folder of its own: the mocked result, stage by stage."""
    block = next(b for b in shell_blocks() if "stepwell test-state" in b)
    script = block.replace(".venv/bin/stepwell", str(BIN / "stepwell"))
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["status"] == "SUCCEEDED" and json.loads(answer["output"]) == {"body": {"ok": True}}
    stages = answer["inspectionData"]
    assert json.loads(stages["afterParameters"]) == {"FunctionName": "f", "Payload": {"n": 1}}


def test_the_map_runs_sample_runs_against_a_server(tmp_path: Path) -> None:
    """The Map Runs section's Python: UpdateMapRun lets the two waiting items start at once."""
    sample = next(
        b for b in re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL) if "update_map_run" in b
    )
    done = run_against_a_server("true", tmp_path, then_python=sample)
    assert done.returncode == 0, done.stderr
    counts_line, statuses_line = done.stdout.strip().splitlines()[-2:]
    counts = json.loads(counts_line.replace("'", '"'))
    assert counts["total"] == 4 and counts["pending"] == 0 and counts["running"] + counts["succeeded"] == 4
    assert len(json.loads(statuses_line.replace("'", '"'))) == 4


def the_mocked_runs() -> list[str]:
    return [
        c for block in shell_blocks() for c in commands(block) if "stepwell run" in c and "--test-case" in c
    ]


# What each documented mocked test case ends with: (status, error, cause).
OUTCOMES = {
    "BuyApproved": ("SUCCEEDED", None, None),
    "Fails": ("FAILED", "JobFailed", "The job reported FAILED"),
}


def test_the_readme_documents_every_mocked_example() -> None:
    cases = {shlex.split(c, comments=True)[-1] for c in the_mocked_runs()}
    assert cases == set(OUTCOMES)


@pytest.mark.parametrize("command", the_mocked_runs(), ids=lambda c: shlex.split(c, comments=True)[-1])
def test_a_mocked_example_runs_as_documented(command: str) -> None:
    words = shlex.split(command, comments=True)
    assert words[0] == ".venv/bin/stepwell", command
    done = subprocess.run(
        [sys.executable, "-m", "stepwell.cli", *words[1:], "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    result = json.loads(done.stdout)
    status, error, cause = OUTCOMES[words[-1]]
    assert (result["status"], result["error"], result["cause"]) == (status, error, cause), done.stdout
    assert done.returncode == (0 if status == "SUCCEEDED" else 1)
