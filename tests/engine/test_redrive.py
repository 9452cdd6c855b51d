"""RedriveExecution's step (engine/redrive.py): the execution goes on from the state that did not
succeed, with the results of the states, branches and iterations that did."""

from __future__ import annotations

from typing import Any

from stepwell.engine.commands import Finish
from tests.engine.driver import LAMBDA_ARN, Run, machine_of, task

PASS_END = {"Type": "Pass", "End": True}


def entered(run: Run) -> list[str]:
    return [e["stateEnteredEventDetails"]["name"] for e in run.history if e["type"].endswith("StateEntered")]


def open_by_payload(run: Run) -> dict[Any, str]:
    return {c.payload: c.task_id for c in run.invocations() if c.task_id in run.snap.open_tasks}


def test_a_failed_task_runs_again_and_the_states_before_it_do_not() -> None:
    definition = machine_of(
        {
            "Prepare": {"Type": "Pass", "Result": {"n": 1}, "Next": "Work"},
            "Work": task(LAMBDA_ARN, Next="Done"),
            "Done": PASS_END,
        }
    )
    run = Run(definition, {"in": True})
    run.fail(error="Broken", cause="the function is down")
    assert run.finish == Finish("FAILED", error="Broken", cause="the function is down")
    failed_id = run.event("ExecutionFailed")["id"]

    run.tick(60).redrive()
    redriven = run.event("ExecutionRedriven")
    assert redriven["executionRedrivenEventDetails"] == {"redriveCount": 1}
    assert redriven["previousEventId"] == failed_id and redriven["timestamp"] == run.now
    work = run.invocations(latest=True)
    assert [(c.state_name, c.payload) for c in work] == [("Work", {"n": 1})]
    assert run.types(latest=True)[:3] == ["ExecutionRedriven", "TaskStateEntered", "LambdaFunctionScheduled"]
    # chained in its frame: after the failed attempt's last event
    assert run.event("TaskStateEntered", 1)["previousEventId"] == run.event("LambdaFunctionFailed")["id"]

    run.succeed(output={"ok": 1})
    assert run.finishes[-1] == Finish("SUCCEEDED", output={"ok": 1})
    assert entered(run) == ["Prepare", "Work", "Work", "Done"]
    run.check_ids()


def test_a_redriven_execution_that_fails_again_can_be_redriven_again() -> None:
    run = Run(machine_of({"Work": task(LAMBDA_ARN)}))
    run.fail()
    run.redrive(1)
    run.fail(error="Again")
    assert run.finishes[-1].error == "Again" and run.status == "FAILED"
    run.redrive(2)
    assert run.details("ExecutionRedriven", 1) == {"redriveCount": 2}
    run.succeed(output=3)
    assert run.finishes[-1] == Finish("SUCCEEDED", output=3)
    run.check_ids()


def test_the_context_object_counts_the_redrives_and_gives_the_latest_time() -> None:
    definition = machine_of(
        {
            "Work": task(LAMBDA_ARN, Parameters={"count.$": "$$.Execution.RedriveCount"}, Next="Look"),
            "Look": {"Type": "Pass", "Parameters": {"execution.$": "$$.Execution"}, "End": True},
        }
    )
    run = Run(definition)
    assert run.invocations()[0].payload == {"count": 0}
    run.fail()
    run.tick(90).redrive()
    assert run.invocations(latest=True)[0].payload == {"count": 1}
    run.succeed(output={})
    execution = run.finishes[-1].output["execution"]
    assert execution["RedriveCount"] == 1
    assert execution["RedriveTime"] == "2023-11-14T22:14:50.000Z"  # START + 90 s
    assert list(execution)[-2:] == ["RedriveCount", "RedriveTime"]


def test_a_succeeded_or_running_execution_ignores_a_redrive() -> None:
    run = Run(machine_of({"Done": PASS_END}))
    assert run.status == "SUCCEEDED"
    step = run.redrive()
    assert step.events == [] and step.commands == [] and run.status == "SUCCEEDED"
    waiting = Run(machine_of({"Work": task(LAMBDA_ARN)}))
    step = waiting.redrive()
    assert step.events == [] and waiting.status == "RUNNING"


def test_a_timed_out_execution_runs_its_state_again_with_its_timeout_started_over() -> None:
    run = Run(machine_of({"Work": task(LAMBDA_ARN)}, TimeoutSeconds=10))
    first = run.open_task()
    run.fire(run.timers()[0])
    assert run.status == "TIMED_OUT" and first in run.cancels()
    run.tick(100).redrive()
    timeout = [t for t in run.timers(latest=True) if t.timer_id == "execution-timeout"]
    assert [t.due for t in timeout] == [run.now + 10]
    assert run.open_task() != first
    run.succeed(output="late")
    assert run.finishes[-1] == Finish("SUCCEEDED", output="late")


def test_an_aborted_execution_goes_on_from_the_state_it_was_stopped_in() -> None:
    definition = machine_of(
        {"First": task(LAMBDA_ARN, Next="Second"), "Second": task(LAMBDA_ARN, Next="Done"), "Done": PASS_END}
    )
    run = Run(definition, {"x": 1})
    run.succeed(output={"after": "first"})
    run.stop(error="Operator", cause="stopped by hand")
    assert run.status == "ABORTED"
    run.redrive()
    assert [(c.state_name, c.payload) for c in run.invocations(latest=True)] == [
        ("Second", {"after": "first"})
    ]
    run.succeed(output={"after": "second"})
    assert run.finishes[-1] == Finish("SUCCEEDED", output={"after": "second"})
    assert entered(run) == ["First", "Second", "Second", "Done"]


def test_a_parallel_runs_only_its_failed_and_aborted_branches_again() -> None:
    definition = machine_of(
        {
            "Fan": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": f"B{i}", "States": {f"B{i}": task(LAMBDA_ARN, Parameters={"b": i})}}
                    for i in range(3)
                ],
                "End": True,
            }
        }
    )
    run = Run(definition)
    assert len(run.invocations()) == 3
    run.succeed(_task(run, 0), output="zero")
    run.fail(_task(run, 1), error="Flaky")  # the third branch is aborted
    assert run.status == "FAILED" and "TaskStateAborted" in run.types()

    run.redrive()
    again = sorted(c.payload["b"] for c in run.invocations(latest=True))
    assert again == [1, 2], "the branch that succeeded is not run again"
    assert "ParallelStateEntered" not in run.types(latest=True)
    run.succeed(_task(run, 2), output="two")
    run.succeed(_task(run, 1), output="one")
    assert run.finishes[-1] == Finish("SUCCEEDED", output=["zero", "one", "two"])
    run.check_ids()


def _task(run: Run, branch: int) -> str:
    found = [
        c.task_id
        for c in run.invocations()
        if c.task_id in run.snap.open_tasks and isinstance(c.payload, dict) and c.payload.get("b") == branch
    ]
    assert len(found) == 1, found
    return found[0]


def test_a_branch_goes_on_from_its_failed_state_not_from_its_start() -> None:
    branch = {
        "StartAt": "Step1",
        "States": {"Step1": task(LAMBDA_ARN, Next="Step2"), "Step2": task(LAMBDA_ARN)},
    }
    run = Run(machine_of({"Fan": {"Type": "Parallel", "Branches": [branch], "End": True}}), "in")
    run.succeed(output="after-1")
    run.fail()
    run.redrive()
    assert [(c.state_name, c.payload) for c in run.invocations(latest=True)] == [("Step2", "after-1")]
    run.succeed(output="after-2")
    assert run.finishes[-1] == Finish("SUCCEEDED", output=["after-2"])
    assert entered(run) == ["Fan", "Step1", "Step2", "Step2"]


def test_a_map_runs_its_failed_aborted_and_unstarted_iterations_and_keeps_the_others() -> None:
    definition = machine_of(
        {
            "M": {
                "Type": "Map",
                "MaxConcurrency": 2,
                "ItemProcessor": {"StartAt": "Work", "States": {"Work": task(LAMBDA_ARN)}},
                "End": True,
            }
        }
    )
    run = Run(definition, ["a", "b", "c", "d"])
    run.succeed(open_by_payload(run)["a"], output="A")  # c starts
    run.fail(open_by_payload(run)["b"])  # c is aborted, d never started
    assert run.status == "FAILED"
    assert [c.payload for c in run.invocations()] == ["a", "b", "c"]

    run.redrive()
    assert sorted(c.payload for c in run.invocations(latest=True)) == ["b", "c"]
    assert run.last is not None
    restarted = [
        e["mapIterationStartedEventDetails"]["index"]
        for e in run.last.events
        if "mapIterationStartedEventDetails" in e
    ]
    assert sorted(restarted) == [1, 2]
    run.succeed(open_by_payload(run)["c"], output="C")
    assert [c.payload for c in run.invocations(latest=True)] == ["d"], "MaxConcurrency 2 holds"
    run.succeed(open_by_payload(run)["b"], output="B")
    run.succeed(open_by_payload(run)["d"], output="D")
    assert run.finishes[-1] == Finish("SUCCEEDED", output=["A", "B", "C", "D"])
    run.check_ids()


def test_a_map_with_tolerated_failures_runs_them_again() -> None:
    definition = machine_of(
        {
            "M": {
                "Type": "Map",
                "ToleratedFailureCount": 1,
                "ItemProcessor": {"StartAt": "Work", "States": {"Work": task(LAMBDA_ARN)}},
                "End": True,
            }
        }
    )
    run = Run(definition, ["a", "b", "c"])
    run.fail(open_by_payload(run)["a"])  # tolerated
    run.succeed(open_by_payload(run)["b"], output="B")
    run.fail(open_by_payload(run)["c"])  # the second failure is one too many
    assert run.finish is not None and run.finish.error == "States.ExceedToleratedFailureThreshold"
    run.redrive()
    assert sorted(c.payload for c in run.invocations(latest=True)) == ["a", "c"]
    run.succeed(open_by_payload(run)["a"], output="A")
    run.succeed(open_by_payload(run)["c"], output="C")
    assert run.finishes[-1] == Finish("SUCCEEDED", output=["A", "B", "C"])


def test_a_map_whose_result_selection_failed_ends_without_running_any_iteration() -> None:
    definition = machine_of(
        {
            "M": {
                "Type": "Map",
                "ItemProcessor": {"StartAt": "P", "States": {"P": PASS_END}},
                "ResultSelector": {"first.$": "$[5]"},
                "End": True,
            }
        }
    )
    run = Run(definition, [1, 2])
    assert run.status == "FAILED"
    run.redrive()
    assert run.status == "FAILED", "the same selection fails again, without the iterations running"
    assert "MapIterationStarted" not in run.types(latest=True)


def test_kept_frames_go_once_the_parallel_state_is_caught_or_retried() -> None:
    failing_branches = [
        {"StartAt": f"B{i}", "States": {f"B{i}": task(LAMBDA_ARN, Parameters={"b": i})}} for i in range(2)
    ]
    caught = machine_of(
        {
            "Fan": {
                "Type": "Parallel",
                "Branches": failing_branches,
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Wait"}],
                "End": True,
            },
            "Wait": task(LAMBDA_ARN),
        }
    )
    run = Run(caught)
    run.fail(_task(run, 0))
    assert list(run.snap.frames) == ["f0"], "the failed and aborted branches went with the catch"

    retried = machine_of(
        {
            "Fan": {
                "Type": "Parallel",
                "Branches": failing_branches,
                "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 1}],
                "End": True,
            }
        }
    )
    run = Run(retried)
    run.fail(_task(run, 1))
    assert list(run.snap.frames) == ["f0"]
    run.fire()
    assert len(run.snap.frames) == 3  # the retry's two new branches


def _map_of_parallels() -> dict[str, Any]:
    inner = {
        "Type": "Parallel",
        "Branches": [{"StartAt": "Leaf", "States": {"Leaf": task(LAMBDA_ARN)}}],
        "End": True,
    }
    return machine_of(
        {"M": {"Type": "Map", "ItemProcessor": {"StartAt": "Inner", "States": {"Inner": inner}}, "End": True}}
    )


def test_nested_fan_outs_resume_at_the_innermost_failed_state() -> None:
    run = Run(_map_of_parallels(), ["x", "y"])
    run.succeed(open_by_payload(run)["x"], output="X")
    run.fail(open_by_payload(run)["y"])
    assert run.status == "FAILED"
    run.redrive()
    assert [c.payload for c in run.invocations(latest=True)] == ["y"]
    run.succeed(open_by_payload(run)["y"], output="Y")
    assert run.finishes[-1] == Finish("SUCCEEDED", output=[["X"], ["Y"]])
    run.check_ids()
