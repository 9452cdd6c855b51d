"""Retry and Catch (reference §2.4, §5): back-off timers, retrier selection, error matching, and
what a catcher puts in the state's output and variables."""

from __future__ import annotations

import json
from typing import Any

import pytest

from stepwell.engine.commands import Finish, StartTimer
from tests.engine.driver import INVOKE_ARN, LAMBDA_ARN, START, Run, machine_of, task

PASS_END = {"Type": "Pass", "End": True}


def retrying(retry: list[dict[str, Any]], catch: list[dict[str, Any]] | None = None, **fields: Any) -> Run:
    body = task(LAMBDA_ARN, Retry=retry, **fields)
    states: dict[str, Any] = {"T": body}
    if catch is not None:
        body["Catch"] = catch
        states["H"] = PASS_END
    return Run(machine_of(states))


def back_offs(run: Run, failures: int, error: str = "Boom", step: float = 0.0) -> list[float]:
    """Fail the task ``failures`` times; the delay of each retry timer, relative to its failure."""
    delays = []
    for _ in range(failures):
        failed_at = run.now
        run.fail(error=error)
        timers = run.timers(latest=True)
        if not timers:
            break
        (timer,) = timers
        delays.append(timer.due - failed_at)
        run.fire(timer)
        run.tick(step)
    return delays


# ---- back-off ------------------------------------------------------------------------------
def test_default_retrier_waits_1_2_4_seconds_then_fails() -> None:
    run = retrying([{"ErrorEquals": ["States.ALL"]}])
    assert back_offs(run, 4) == [1.0, 2.0, 4.0]
    assert run.finish == Finish("FAILED", error="Boom", cause="it broke")
    assert run.types().count("LambdaFunctionScheduled") == 4


def test_interval_backoff_and_max_delay_give_the_due_times() -> None:
    run = retrying([{"ErrorEquals": ["Boom"], "IntervalSeconds": 2, "BackoffRate": 3, "MaxAttempts": 4}])
    assert back_offs(run, 5, step=7.0) == [2.0, 6.0, 18.0, 54.0]
    run = retrying(
        [
            {
                "ErrorEquals": ["Boom"],
                "IntervalSeconds": 2,
                "BackoffRate": 3,
                "MaxAttempts": 4,
                "MaxDelaySeconds": 10,
            }
        ]
    )
    assert back_offs(run, 5) == [2.0, 6.0, 10.0, 10.0]
    run = retrying([{"ErrorEquals": ["Boom"], "IntervalSeconds": 3, "BackoffRate": 1.5, "MaxAttempts": 3}])
    assert back_offs(run, 3) == [3.0, 4.5, 6.75]


def test_retry_timer_fires_a_new_attempt_with_a_new_task() -> None:
    run = retrying(
        [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 5}], Parameters={"n.$": "$$.State.RetryCount"}
    )
    first = run.invocations()[0]
    step = run.fail(error="Boom")
    assert step.events[-1]["type"] == "LambdaFunctionFailed", "waiting for a retry writes no event"
    (timer,) = run.timers(latest=True)
    assert timer == StartTimer(timer.timer_id, START + 5, "retry")
    assert run.invocations(latest=True) == []
    run.fire(timer)
    (second,) = run.invocations(latest=True)
    assert second.task_id != first.task_id
    assert (first.attempt, second.attempt) == (0, 1)
    assert (first.payload, second.payload) == ({"n": 0}, {"n": 1})
    # each attempt is Scheduled · Started · (result), chained to the previous attempt's last event
    assert run.chain()[2:] == [
        (3, 2, "LambdaFunctionScheduled"),
        (4, 3, "LambdaFunctionStarted"),
        (5, 4, "LambdaFunctionFailed"),
        (6, 5, "LambdaFunctionScheduled"),
        (7, 6, "LambdaFunctionStarted"),
    ]
    assert run.event("LambdaFunctionScheduled", 1)["timestamp"] == START + 5
    run.succeed(output="ok")
    assert run.chain()[7:] == [
        (8, 7, "LambdaFunctionSucceeded"),
        (9, 8, "TaskStateExited"),
        (10, 9, "ExecutionSucceeded"),
    ]


def test_a_result_for_the_failed_attempt_is_ignored() -> None:
    run = retrying([{"ErrorEquals": ["States.ALL"]}])
    first = run.open_task()
    run.fail(error="Boom")
    step = run.succeed(first, output="late")
    assert step.events == [] and step.commands == []
    run.fire()
    step = run.succeed(first, output="later")
    assert step.events == [] and run.status == "RUNNING"


def test_retry_count_in_parameters_counts_attempts() -> None:
    run = retrying(
        [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 3}], Parameters={"n.$": "$$.State.RetryCount"}
    )
    back_offs(run, 3)
    assert [call.payload for call in run.invocations()] == [{"n": 0}, {"n": 1}, {"n": 2}, {"n": 3}]


def test_retry_count_in_result_selector_after_retries() -> None:
    # scenarios__test_lambda_invoke_with_retry_base (recorded against AWS) uses
    # ResultSelector {"Retries.$": "$$.State.RetryCount"} on a Task with Retry
    run = retrying(
        [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 3}],
        ResultSelector={"Retries.$": "$$.State.RetryCount"},
    )
    back_offs(run, 2)
    run.succeed(output={})
    assert run.finish == Finish("SUCCEEDED", output={"Retries": 2})


def test_max_attempts_zero_never_retries() -> None:
    # scenarios__test_retry_interval_features_max_attempts_zero
    retrier = {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 3, "MaxAttempts": 0, "BackoffRate": 2}
    run = retrying([retrier | {"MaxDelaySeconds": 5, "JitterStrategy": "FULL"}])
    run.fail(error="Exception", cause="c")
    assert run.timers() == []
    assert run.types()[-2:] == ["LambdaFunctionFailed", "ExecutionFailed"]
    assert run.finish == Finish("FAILED", error="Exception", cause="c")


def test_first_matching_retrier_wins_and_its_exhaustion_goes_to_catch() -> None:
    retry = [
        {"ErrorEquals": ["Other"], "MaxAttempts": 5},
        {"ErrorEquals": ["Boom"], "MaxAttempts": 1},
        {"ErrorEquals": ["States.ALL"], "MaxAttempts": 5},
    ]
    run = retrying(retry, catch=[{"ErrorEquals": ["States.ALL"], "Next": "H"}])
    assert back_offs(run, 2) == [1.0]  # Boom retried once; the States.ALL retrier is never consulted
    assert run.types()[-4:] == [
        "TaskStateExited",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]
    assert run.finish == Finish("SUCCEEDED", output={"Error": "Boom", "Cause": "it broke"})


def test_each_retrier_counts_its_own_attempts() -> None:
    retry = [
        {"ErrorEquals": ["A"], "MaxAttempts": 1, "IntervalSeconds": 1},
        {"ErrorEquals": ["B"], "MaxAttempts": 1, "IntervalSeconds": 10},
    ]
    run = retrying(retry)
    run.fail(error="A")
    assert run.timers(latest=True)[0].due == run.now + 1
    run.fire()
    run.fail(error="B")
    assert run.timers(latest=True)[0].due == run.now + 10
    run.fire()
    run.fail(error="A")  # A's single retry is spent
    assert run.finish is not None and run.finish.error == "A"


def test_retry_counters_reset_when_the_state_is_entered_again() -> None:
    definition = machine_of(
        {
            "T": task(LAMBDA_ARN, Retry=[{"ErrorEquals": ["Boom"], "MaxAttempts": 1}], Next="Again"),
            "Again": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.again", "BooleanEquals": True, "Next": "T"}],
                "Default": "End",
            },
            "End": PASS_END,
        }
    )
    run = Run(definition)
    run.fail(error="Boom")
    run.fire()
    run.succeed(output={"again": True})
    (call,) = run.invocations(latest=True)
    assert call.attempt == 0
    run.fail(error="Boom")
    assert len(run.timers(latest=True)) == 1, "the new visit has its own retry budget"


# ---- jitter --------------------------------------------------------------------------------
JITTER = [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 10, "MaxAttempts": 1, "JitterStrategy": "FULL"}]


def jittered_delay(seed: str) -> float:
    run = retrying(JITTER)
    run.fail(error="Boom", seed=seed)
    (timer,) = run.timers(latest=True)
    return timer.due - run.now


def test_full_jitter_draws_from_the_event_seed() -> None:
    delays = {seed: jittered_delay(seed) for seed in ("alpha", "beta", "gamma", "delta")}
    assert all(0.0 <= d <= 10.0 for d in delays.values())
    assert jittered_delay("alpha") == delays["alpha"]
    assert len(set(delays.values())) == 4, delays


# ---- which errors match --------------------------------------------------------------------
def test_task_failed_matches_custom_errors_but_not_timeout() -> None:
    run = retrying([{"ErrorEquals": ["States.TaskFailed"], "MaxAttempts": 1}], TimeoutSeconds=5)
    run.fail(error="Anything.Custom")
    assert len(run.timers(latest=True)) == 1
    run.fire(run.timers(latest=True)[0])
    timeout = [t for t in run.timers(latest=True) if t.purpose == "deadline"]
    run.fire(timeout[0])
    assert run.types()[-2:] == ["LambdaFunctionTimedOut", "ExecutionFailed"]
    assert run.finish is not None and run.finish.error == "States.Timeout"


def test_timeout_is_matched_by_its_own_name_and_by_all() -> None:
    for name in ("States.Timeout", "States.ALL"):
        run = retrying([{"ErrorEquals": [name], "MaxAttempts": 1}], TimeoutSeconds=5)
        run.fire()
        assert len([t for t in run.timers(latest=True) if t.purpose == "retry"]) == 1, name


def test_heartbeat_timeout_name_matches_only_a_missed_heartbeat() -> None:
    catch = [{"ErrorEquals": ["States.HeartbeatTimeout"], "Next": "H"}]
    run = retrying([], catch, TimeoutSeconds=100, HeartbeatSeconds=10)
    heartbeat = [t for t in run.timers() if t.due == START + 10]
    run.fire(heartbeat[0])
    assert run.finish is not None and run.finish.status == "SUCCEEDED"
    assert run.finish.output["Error"] == "States.Timeout"  # history and error output name States.Timeout
    run = retrying([], catch, TimeoutSeconds=100, HeartbeatSeconds=10)
    run.heartbeat(now=START + 9)
    deadline = [t for t in run.timers() if t.due == START + 100]
    run.fire(deadline[0])
    assert run.finish is not None and run.finish.status == "FAILED" and run.finish.error == "States.Timeout"


def test_states_all_does_not_catch_or_retry_runtime_errors() -> None:
    # scenarios__test_catch_states_runtime: a bad OutputPath after a successful task is uncatchable
    definition = machine_of(
        {
            "T": task(
                LAMBDA_ARN,
                OutputPath="$.no.such.result.path",
                Retry=[{"ErrorEquals": ["States.ALL"]}],
                Catch=[{"ErrorEquals": ["States.ALL"], "Next": "H"}],
                Next="H",
            ),
            "H": PASS_END,
        }
    )
    run = Run(definition)
    run.succeed(output={})
    assert run.timers() == []
    assert run.types()[-2:] == ["LambdaFunctionSucceeded", "ExecutionFailed"]
    assert run.finish == Finish(
        "FAILED",
        error="States.Runtime",
        cause="An error occurred while executing the state 'T' (entered at the event id #2). "
        "Invalid path '$.no.such.result.path' : Missing property in path $['no']",
    )


def test_states_all_does_not_catch_an_oversized_state_output() -> None:
    # "States.DataLimitExceeded … a terminal error that can't be caught by the States.ALL error type"
    definition = machine_of(
        {
            "T": task(
                LAMBDA_ARN, ResultPath="$.r", Catch=[{"ErrorEquals": ["States.ALL"], "Next": "H"}], Next="H"
            ),
            "H": PASS_END,
        }
    )
    run = Run(definition, {"pad": "p" * (150 * 1024)})
    run.succeed(output="r" * (150 * 1024))  # the result fits; result + input does not
    assert run.finish is not None and run.finish.status == "FAILED"
    assert run.finish.error == "States.DataLimitExceeded"
    assert run.types()[-2:] == ["LambdaFunctionSucceeded", "ExecutionFailed"]


@pytest.mark.parametrize(
    ("resource", "failed_event", "who"),
    [
        (INVOKE_ARN, "TaskFailed", "lambda"),
        (LAMBDA_ARN, "LambdaFunctionFailed", LAMBDA_ARN),
    ],
)
def test_oversized_task_result_is_a_catchable_task_failure(
    resource: str, failed_event: str, who: str
) -> None:
    # error_handling__test_{service_,}task_lambada_catch_state_all_data_limit_exceeded_on_large_utf8_response
    definition = machine_of(
        {
            "T": task(resource, Catch=[{"ErrorEquals": ["States.ALL"], "Next": "H"}], Next="P"),
            "H": PASS_END,
            "P": PASS_END,
        }
    )
    run = Run(definition)
    run.succeed(output="a" * (257 * 1024))
    cause = (
        f"The state/task '{who}' returned a result with a size exceeding "
        "the maximum number of bytes service limit."
    )
    assert run.types()[2:] == [
        "TaskScheduled" if resource == INVOKE_ARN else "LambdaFunctionScheduled",
        "TaskStarted" if resource == INVOKE_ARN else "LambdaFunctionStarted",
        failed_event,
        "TaskStateExited",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]
    details = run.details(failed_event)
    assert (details["error"], details["cause"]) == ("States.DataLimitExceeded", cause)
    assert run.details("PassStateEntered")["name"] == "H"
    assert run.finish == Finish("SUCCEEDED", output={"Error": "States.DataLimitExceeded", "Cause": cause})


# ---- catch ---------------------------------------------------------------------------------
def caught(catcher: dict[str, Any], execution_input: Any = None, **fields: Any) -> Run:
    definition = machine_of(
        {
            "T": task(LAMBDA_ARN, Catch=[catcher | {"Next": "H"}], Next="P", **fields),
            "H": PASS_END,
            "P": PASS_END,
        }
    )
    run = Run(definition, execution_input if execution_input is not None else {"orig": 1})
    run.fail(error="Boom", cause="why")
    return run


def test_catch_without_result_path_outputs_the_error() -> None:
    run = caught({"ErrorEquals": ["Boom"]})
    assert run.chain()[4:] == [
        (5, 4, "LambdaFunctionFailed"),
        (6, 5, "TaskStateExited"),
        (7, 6, "PassStateEntered"),
        (8, 7, "PassStateExited"),
        (9, 8, "ExecutionSucceeded"),
    ]
    assert run.details("TaskStateExited") == {
        "name": "T",
        "output": '{"Error":"Boom","Cause":"why"}',
        "outputDetails": {"truncated": False},
    }
    assert run.details("PassStateEntered")["name"] == "H"


def test_catch_result_path_places_the_error_in_the_state_input() -> None:
    run = caught({"ErrorEquals": ["States.ALL"], "ResultPath": "$.error"}, InputPath="$.orig")
    assert run.finish == Finish("SUCCEEDED", output={"orig": 1, "error": {"Error": "Boom", "Cause": "why"}})


def test_catch_result_path_null_keeps_the_input() -> None:
    run = caught({"ErrorEquals": ["States.ALL"], "ResultPath": None})
    assert run.finish == Finish("SUCCEEDED", output={"orig": 1})


def test_catch_cause_is_empty_string_when_the_failure_has_none() -> None:
    definition = machine_of(
        {"T": task(LAMBDA_ARN, Catch=[{"ErrorEquals": ["States.ALL"], "Next": "H"}]), "H": PASS_END}
    )
    run = Run(definition)
    run.fail(error="E", cause=None)
    assert run.finish == Finish("SUCCEEDED", output={"Error": "E", "Cause": ""})


def test_first_matching_catcher_wins() -> None:
    definition = machine_of(
        {
            "T": task(
                LAMBDA_ARN,
                Catch=[
                    {"ErrorEquals": ["Other"], "Next": "A"},
                    {"ErrorEquals": ["Boom", "More"], "Next": "B"},
                    {"ErrorEquals": ["States.ALL"], "Next": "C"},
                ],
            ),
            "A": PASS_END,
            "B": PASS_END,
            "C": PASS_END,
        }
    )
    run = Run(definition)
    run.fail(error="Boom")
    assert run.details("PassStateEntered")["name"] == "B"


def test_catch_assign_writes_variables_and_skips_the_state_assign() -> None:
    definition = machine_of(
        {
            "T": task(
                LAMBDA_ARN,
                Assign={"fromState": "yes"},
                Catch=[
                    {"ErrorEquals": ["States.ALL"], "Assign": {"err.$": "$.Error", "fixed": 1}, "Next": "H"}
                ],
                Next="H",
            ),
            "H": {"Type": "Pass", "Parameters": {"err.$": "$err", "fixed.$": "$fixed"}, "End": True},
        }
    )
    run = Run(definition)
    run.fail(error="Boom")
    exited = run.details("TaskStateExited")
    assert exited["assignedVariables"] == {"err": '"Boom"', "fixed": "1"}
    assert run.finish == Finish("SUCCEEDED", output={"err": "Boom", "fixed": 1})
    assert "fromState" not in run.snap.frames["f0"].variables


def test_jsonata_catch_output_sees_error_output_and_state_input() -> None:
    # states_variables__test_task_catch_error_output__TASK_CATCH_ERROR_OUTPUT
    definition = machine_of(
        {
            "T": task(
                INVOKE_ARN,
                QueryLanguage="JSONata",
                Arguments={"FunctionName": "f"},
                Catch=[
                    {
                        "ErrorEquals": ["States.ALL"],
                        "Output": {
                            "stateInput": "{% $states.input %}",
                            "stateError": "{% $states.errorOutput %}",
                        },
                        "Next": "H",
                    }
                ],
                Output={"stateResult": "{% $states.result %}"},
                Next="P",
            ),
            "H": PASS_END,
            "P": PASS_END,
        }
    )
    run = Run(definition, {"inputData": "dummy"})
    run.fail(error="Exception", cause="c")
    expected = {"stateInput": {"inputData": "dummy"}, "stateError": {"Error": "Exception", "Cause": "c"}}
    assert json.loads(run.details("TaskStateExited")["output"]) == expected
    assert run.finish == Finish("SUCCEEDED", output=expected)


def test_jsonata_catch_without_output_outputs_the_error() -> None:
    definition = machine_of(
        {
            "T": task(
                INVOKE_ARN,
                QueryLanguage="JSONata",
                Arguments={"FunctionName": "f"},
                Catch=[{"ErrorEquals": ["States.ALL"], "Next": "H"}],
            ),
            "H": PASS_END,
        }
    )
    run = Run(definition, {"a": 1})
    run.fail(error="E", cause="c")
    assert run.finish == Finish("SUCCEEDED", output={"Error": "E", "Cause": "c"})


def test_jsonata_catch_assign_sees_the_state_input_and_error_output() -> None:
    # states_variables__test_catch_error_variable_sampling__TASK_CATCH_ERROR_VARIABLE_SAMPLING_TO_JSONPATH:
    # assignedVariables {"errorVar": {"Error", "Cause"}, "inputVar": {"inputData": "dummy"}}
    definition = machine_of(
        {
            "T": task(
                INVOKE_ARN,
                QueryLanguage="JSONata",
                Arguments={"FunctionName": "f"},
                Catch=[
                    {
                        "ErrorEquals": ["States.ALL"],
                        "Assign": {
                            "inputVar": "{% $states.input %}",
                            "errorVar": "{% $states.errorOutput %}",
                        },
                        "Next": "H",
                    }
                ],
                Assign={"inputVar": "{% $states.input %}", "resultVar": "{% $states.result %}"},
                Next="P",
            ),
            "H": {"Type": "Pass", "OutputPath": "$inputVar", "End": True},
            "P": PASS_END,
        }
    )
    run = Run(definition, {"inputData": "dummy"})
    run.fail(error="Exception", cause="c")
    assigned = run.details("TaskStateExited")["assignedVariables"]
    assert json.loads(assigned["errorVar"]) == {"Error": "Exception", "Cause": "c"}
    assert json.loads(assigned["inputVar"]) == {"inputData": "dummy"}
    assert run.finish == Finish("SUCCEEDED", output={"inputData": "dummy"})


def test_catch_after_retries_are_exhausted() -> None:
    # scenarios__test_lambda_invoke_with_retry_extended_input: 4 × (Scheduled · Started · Failed) · Exited
    definition = machine_of(
        {
            "T": task(
                LAMBDA_ARN,
                Retry=[{"ErrorEquals": ["States.ALL"], "MaxAttempts": 3}],
                Catch=[{"ErrorEquals": ["States.ALL"], "Next": "H"}],
                ResultPath="$.state_output",
            ),
            "H": PASS_END,
        }
    )
    run = Run(definition, {"Value1": "HelloWorld!"})
    back_offs(run, 4)
    attempt = ["LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionFailed"]
    assert run.types() == [
        "ExecutionStarted",
        "TaskStateEntered",
        *attempt * 4,
        "TaskStateExited",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]
    run.check_ids()
    assert [e["previousEventId"] for e in run.history[2:]] == [e["id"] for e in run.history[1:-1]]
    assert run.finish == Finish("SUCCEEDED", output={"Error": "Boom", "Cause": "it broke"})
