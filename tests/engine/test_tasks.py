"""Task states: the three resource families, their history events, and the InvokeTask command.

Sequences and detail shapes follow reference §6.2/§6.3 and the AWS recordings in
../shared/conformance/cases_lambda (LambdaFunction* for a function ARN, Task* for
``arn:aws:states:::…``, Activity* for an activity ARN).
"""

from __future__ import annotations

import json

from stepwell.asl.model import TaskState
from stepwell.asl.resources import parse_task_resource
from stepwell.engine.commands import Finish, InvokeTask
from tests.engine.driver import (
    ACTIVITY_ARN,
    INVOKE_ARN,
    LAMBDA_ARN,
    REGION,
    SQS_TOKEN_ARN,
    START,
    Run,
    machine_of,
    task,
)

PASS_END = {"Type": "Pass", "End": True}


# ---- Lambda function ARN ---------------------------------------------------------------------
def test_lambda_arn_success_writes_lambda_function_events_in_chain() -> None:
    run = Run(machine_of({"T": task(LAMBDA_ARN, Next="P"), "P": PASS_END}), {"a": 1})
    assert run.chain() == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "TaskStateEntered"),
        (3, 2, "LambdaFunctionScheduled"),
        (4, 3, "LambdaFunctionStarted"),
    ]
    assert run.details("LambdaFunctionScheduled") == {
        "resource": LAMBDA_ARN,
        "input": '{"a":1}',
        "inputDetails": {"truncated": False},
    }
    assert (
        "LambdaFunctionStarted" in run.types() and "lambdaFunctionStartedEventDetails" not in run.history[3]
    )
    run.succeed(output={"x": 1})
    assert run.chain()[4:] == [
        (5, 4, "LambdaFunctionSucceeded"),
        (6, 5, "TaskStateExited"),
        (7, 6, "PassStateEntered"),
        (8, 7, "PassStateExited"),
        (9, 8, "ExecutionSucceeded"),
    ]
    assert run.details("LambdaFunctionSucceeded") == {
        "output": '{"x":1}',
        "outputDetails": {"truncated": False},
    }
    assert run.details("TaskStateExited")["output"] == '{"x":1}'
    assert run.finish == Finish("SUCCEEDED", output={"x": 1})
    run.check_ids()


def test_lambda_arn_failure_uncaught_fails_the_execution() -> None:
    # scenarios__test_lambda_empty_retry: … LambdaFunctionFailed 5←4 · ExecutionFailed 6←5
    run = Run(machine_of({"T": task(LAMBDA_ARN, Retry=[])}))
    run.fail(error="Exception", cause='{"errorMessage":"x"}')
    assert run.chain()[2:] == [
        (3, 2, "LambdaFunctionScheduled"),
        (4, 3, "LambdaFunctionStarted"),
        (5, 4, "LambdaFunctionFailed"),
        (6, 5, "ExecutionFailed"),
    ]
    assert run.details("LambdaFunctionFailed") == {"error": "Exception", "cause": '{"errorMessage":"x"}'}
    assert run.details("ExecutionFailed") == {"error": "Exception", "cause": '{"errorMessage":"x"}'}
    assert run.finish == Finish("FAILED", error="Exception", cause='{"errorMessage":"x"}')
    assert run.snap.open_tasks == {}


def test_lambda_scheduled_records_timeout_only_when_given() -> None:
    run = Run(machine_of({"T": task(LAMBDA_ARN, TimeoutSeconds=5)}))
    assert run.details("LambdaFunctionScheduled")["timeoutInSeconds"] == 5
    run = Run(machine_of({"T": task(LAMBDA_ARN)}))
    assert "timeoutInSeconds" not in run.details("LambdaFunctionScheduled")


def test_task_started_event_on_a_lambda_task_writes_nothing() -> None:
    run = Run(machine_of({"T": task(LAMBDA_ARN)}))
    step = run.started()
    assert step.events == [] and step.commands == []


# ---- optimized integrations (arn:aws:states:::…) ---------------------------------------------
def test_lambda_invoke_writes_task_events_with_resource_type_and_region() -> None:
    definition = machine_of(
        {"T": task(INVOKE_ARN, Parameters={"FunctionName": "fn", "Payload.$": "$"}, Next="P"), "P": PASS_END}
    )
    run = Run(definition, {"k": "v"})
    assert run.types() == ["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted"]
    assert run.details("TaskScheduled") == {
        "resourceType": "lambda",
        "resource": "invoke",
        "region": REGION,
        "parameters": '{"FunctionName":"fn","Payload":{"k":"v"}}',
    }
    assert run.details("TaskStarted") == {"resourceType": "lambda", "resource": "invoke"}
    run.succeed(output={"StatusCode": 200, "Payload": 7})
    assert run.details("TaskSucceeded") == {
        "resourceType": "lambda",
        "resource": "invoke",
        "output": '{"StatusCode":200,"Payload":7}',
        "outputDetails": {"truncated": False},
    }
    assert run.chain()[2:6] == [
        (3, 2, "TaskScheduled"),
        (4, 3, "TaskStarted"),
        (5, 4, "TaskSucceeded"),
        (6, 5, "TaskStateExited"),
    ]
    assert run.status == "SUCCEEDED"


def test_service_task_failure_details_and_catch() -> None:
    # reference §6.3 "aws-sdk error (s3 listObjects) caught"
    definition = machine_of(
        {
            "T": task(
                "arn:aws:states:::aws-sdk:s3:listObjects",
                Parameters={"Bucket": "b"},
                Catch=[{"ErrorEquals": ["States.ALL"], "Next": "H"}],
                Next="P",
            ),
            "H": PASS_END,
            "P": PASS_END,
        }
    )
    run = Run(definition)
    assert run.details("TaskScheduled")["resourceType"] == "aws-sdk:s3"
    assert run.details("TaskScheduled")["resource"] == "listObjects"
    run.fail(error="S3.NoSuchBucketException", cause="no bucket")
    assert run.details("TaskFailed") == {
        "resourceType": "aws-sdk:s3",
        "resource": "listObjects",
        "error": "S3.NoSuchBucketException",
        "cause": "no bucket",
    }
    assert run.types()[4:] == [
        "TaskFailed",
        "TaskStateExited",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]
    assert run.finish is not None
    assert run.finish.output == {"Error": "S3.NoSuchBucketException", "Cause": "no bucket"}


def test_resource_arn_splits_for_service_integrations() -> None:
    cases = {
        "arn:aws:states:::sqs:sendMessage": ("sqs", "sendMessage"),
        "arn:aws:states:::aws-sdk:dynamodb:putItem": ("aws-sdk:dynamodb", "putItem"),
        "arn:aws:states:::states:startExecution.sync:2": ("states", "startExecution.sync:2"),
        "arn:aws:states:::sqs:sendMessage.waitForTaskToken": ("sqs", "sendMessage.waitForTaskToken"),
    }
    for resource, (resource_type, name) in cases.items():
        params = {"Token.$": "$$.Task.Token"} if resource.endswith("Token") else {"A": 1}
        run = Run(machine_of({"T": task(resource, Parameters=params)}))
        details = run.details("TaskScheduled")
        assert (details["resourceType"], details["resource"]) == (resource_type, name), resource
        assert run.invocations()[0].resource == resource


def test_wait_for_task_token_passes_the_token_and_records_task_submitted() -> None:
    # reference §6.3: TaskScheduled · TaskStarted · TaskSubmitted{output} · TaskSucceeded · TaskStateExited
    definition = machine_of(
        {"T": task(SQS_TOKEN_ARN, Parameters={"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}})}
    )
    run = Run(definition)
    (call,) = run.invocations()
    assert call.task_token
    assert call.payload == {"QueueUrl": "q", "MessageBody": {"token": call.task_token}}
    scheduled = json.loads(run.details("TaskScheduled")["parameters"])
    assert scheduled["MessageBody"]["token"] == call.task_token
    run.submitted(output={"MessageId": "m-1"})
    assert run.details("TaskSubmitted") == {
        "resourceType": "sqs",
        "resource": "sendMessage.waitForTaskToken",
        "output": '{"MessageId":"m-1"}',
        "outputDetails": {"truncated": False},
    }
    assert run.status == "RUNNING"
    run.succeed(output={"approved": True})
    assert run.chain()[2:] == [
        (3, 2, "TaskScheduled"),
        (4, 3, "TaskStarted"),
        (5, 4, "TaskSubmitted"),
        (6, 5, "TaskSucceeded"),
        (7, 6, "TaskStateExited"),
        (8, 7, "ExecutionSucceeded"),
    ]
    assert run.finish == Finish("SUCCEEDED", output={"approved": True})


def test_tokens_differ_between_tasks_and_request_response_tasks_get_none() -> None:
    def branch(name: str) -> dict[str, object]:
        return {"StartAt": name, "States": {name: task(SQS_TOKEN_ARN, Parameters={"t.$": "$$.Task.Token"})}}

    definition = machine_of({"P": {"Type": "Parallel", "Branches": [branch("A"), branch("B")], "End": True}})
    run = Run(definition)
    tokens = [call.task_token for call in run.invocations()]
    assert len(tokens) == 2 and None not in tokens and tokens[0] != tokens[1]
    run = Run(machine_of({"T": task(INVOKE_ARN, Parameters={"FunctionName": "f"})}))
    assert run.invocations()[0].task_token is None
    run = Run(machine_of({"T": task(LAMBDA_ARN)}))
    assert run.invocations()[0].task_token is None


def test_task_token_is_available_to_jsonata_arguments() -> None:
    definition = machine_of(
        {
            "T": task(
                "arn:aws:states:::lambda:invoke.waitForTaskToken",
                QueryLanguage="JSONata",
                Arguments={"FunctionName": "f", "Payload": {"token": "{% $states.context.Task.Token %}"}},
            )
        }
    )
    (call,) = Run(definition).invocations()
    assert call.task_token and call.payload["Payload"]["token"] == call.task_token


# ---- activities ------------------------------------------------------------------------------
def test_activity_events_and_worker_name() -> None:
    definition = machine_of(
        {
            "T": task(ACTIVITY_ARN, TimeoutSeconds=60, HeartbeatSeconds=10, Parameters={"n": 1}, Next="P"),
            "P": PASS_END,
        }
    )
    run = Run(definition)
    assert run.chain() == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "TaskStateEntered"),
        (3, 2, "ActivityScheduled"),
    ]
    assert run.details("ActivityScheduled") == {
        "resource": ACTIVITY_ARN,
        "input": '{"n":1}',
        "inputDetails": {"truncated": False},
        "timeoutInSeconds": 60,
        "heartbeatInSeconds": 10,
    }
    (call,) = run.invocations()
    assert call.task_token, "an activity task always has a token (GetActivityTask returns it)"
    assert (call.timeout_seconds, call.heartbeat_seconds) == (60, 10)
    run.started(worker_name="worker-7")
    assert run.chain()[3] == (4, 3, "ActivityStarted")
    assert run.details("ActivityStarted") == {"workerName": "worker-7"}
    run.succeed(output={"done": True})
    assert run.chain()[4:6] == [(5, 4, "ActivitySucceeded"), (6, 5, "TaskStateExited")]
    assert run.details("ActivitySucceeded") == {
        "output": '{"done":true}',
        "outputDetails": {"truncated": False},
    }
    assert run.status == "SUCCEEDED"


def test_activity_failure() -> None:
    run = Run(machine_of({"T": task(ACTIVITY_ARN)}))
    run.started(worker_name="w")
    run.fail(error="Worker.Error", cause="bad")
    assert run.types()[-2:] == ["ActivityFailed", "ExecutionFailed"]
    assert run.details("ActivityFailed") == {"error": "Worker.Error", "cause": "bad"}
    assert run.finish == Finish("FAILED", error="Worker.Error", cause="bad")


def test_activity_token_in_parameters() -> None:
    run = Run(machine_of({"T": task(ACTIVITY_ARN, Parameters={"tok.$": "$$.Task.Token"})}))
    (call,) = run.invocations()
    assert call.payload == {"tok": call.task_token}


# ---- the InvokeTask command ------------------------------------------------------------------
def test_invoke_task_fields_after_input_path_and_parameters() -> None:
    definition = machine_of(
        {
            "T": task(
                LAMBDA_ARN,
                InputPath="$.inner",
                Parameters={"v.$": "$.v", "name.$": "$$.State.Name", "try.$": "$$.State.RetryCount"},
                TimeoutSeconds=30,
                HeartbeatSeconds=5,
            )
        }
    )
    run = Run(definition, {"inner": {"v": 3}, "other": 1})
    (call,) = run.invocations()
    assert call == InvokeTask(
        task_id=call.task_id,
        resource=LAMBDA_ARN,
        payload={"v": 3, "name": "T", "try": 0},
        state_name="T",
        attempt=0,
        timeout_seconds=30,
        heartbeat_seconds=5,
        task_token=None,
    )
    assert call.task_id in run.snap.open_tasks


def test_invoke_task_carries_the_states_parsed_resource() -> None:
    for resource in (LAMBDA_ARN, INVOKE_ARN, ACTIVITY_ARN, SQS_TOKEN_ARN):
        params = {"Token.$": "$$.Task.Token"} if resource == SQS_TOKEN_ARN else {"FunctionName": "f"}
        run = Run(machine_of({"T": task(resource, Parameters=params)}))
        (call,) = run.invocations()
        state = run.machine.states["T"]
        assert isinstance(state, TaskState)
        assert call.target is state.target is parse_task_resource(resource)
        assert call.resource == resource
        assert (call.task_token is not None) is call.target.needs_token


def test_a_command_rebuilt_from_its_stored_resource_parses_it() -> None:
    """A runtime stores ``resource`` and may rebuild the command from it without ``target``."""
    call = InvokeTask(task_id="t1", resource=SQS_TOKEN_ARN, payload={}, state_name="T", attempt=0)
    assert call.target is parse_task_resource(SQS_TOKEN_ARN)
    assert (call.target.service, call.target.pattern) == ("sqs", "waitForTaskToken")


def test_default_payload_is_the_state_input() -> None:
    run = Run(machine_of({"T": task(LAMBDA_ARN)}), {"whole": [1, 2]})
    assert run.invocations()[0].payload == {"whole": [1, 2]}


def test_result_selector_result_path_output_path_on_a_task_result() -> None:
    definition = machine_of(
        {
            "T": task(
                INVOKE_ARN,
                Parameters={"FunctionName": "f"},
                ResultSelector={"p.$": "$.Payload"},
                ResultPath="$.res",
                OutputPath="$.res.p",
            )
        }
    )
    run = Run(definition, {"keep": 1})
    run.succeed(output={"Payload": {"z": 9}, "StatusCode": 200})
    assert run.finish == Finish("SUCCEEDED", output={"z": 9})


def test_jsonata_task_arguments_output_and_assign() -> None:
    definition = machine_of(
        {
            "T": task(
                INVOKE_ARN,
                QueryLanguage="JSONata",
                Arguments={"FunctionName": "f", "Payload": "{% $states.input.n * 2 %}"},
                Output={"in": "{% $states.input.n %}", "out": "{% $states.result.Payload %}"},
                Assign={"seen": "{% $states.result.Payload %}"},
                Next="P",
            ),
            "P": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $seen %}", "End": True},
        }
    )
    run = Run(definition, {"n": 4})
    assert run.invocations()[0].payload == {"FunctionName": "f", "Payload": 8}
    run.succeed(output={"Payload": 80})
    exited = run.details("TaskStateExited")
    assert json.loads(exited["output"]) == {"in": 4, "out": 80}
    assert exited["assignedVariables"] == {"seen": "80"}
    assert run.finish == Finish("SUCCEEDED", output=80)


def test_events_for_unknown_or_closed_tasks_are_ignored() -> None:
    run = Run(machine_of({"T": task(LAMBDA_ARN, Next="P"), "P": PASS_END}))
    task_id = run.open_task()
    step = run.succeed("no-such-task", output=1)
    assert step.events == [] and step.commands == []
    run.succeed(task_id, output=1)
    assert run.status == "SUCCEEDED"
    for late in (run.succeed(task_id, output=2), run.fail(task_id), run.heartbeat(task_id)):
        assert late.events == [] and late.commands == []


def test_timestamps_come_from_the_event_now() -> None:
    run = Run(machine_of({"T": task(LAMBDA_ARN)}))
    assert {e["timestamp"] for e in run.history} == {START}
    run.succeed(output=1, now=START + 42.5)
    assert {e["timestamp"] for e in run.last.events} == {START + 42.5}  # type: ignore[union-attr]


def test_task_input_over_256_kib_fails_with_data_limit_exceeded() -> None:
    big = "x" * (256 * 1024)
    run = Run(machine_of({"T": task(LAMBDA_ARN, Parameters={"big.$": "$.big"})}), {"big": big})
    assert run.invocations() == []
    assert run.finish is not None and run.finish.status == "FAILED"
    assert run.finish.error == "States.DataLimitExceeded"
    assert run.types() == ["ExecutionStarted", "TaskStateEntered", "ExecutionFailed"]
