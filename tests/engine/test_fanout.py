"""Map and Parallel states around Task states: concurrency, result order, aborting siblings,
tolerated failures, and the scoping of variables (reference §2.6, §2.7, §3.3, §6.3)."""

from __future__ import annotations

import json
from typing import Any

from stepwell.engine.commands import Finish
from stepwell.engine.snapshot import MapWork
from tests.engine.driver import LAMBDA_ARN, SQS_TOKEN_ARN, Run, machine_of, task

PASS_END = {"Type": "Pass", "End": True}


def map_of_tasks(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Type": "Map",
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "INLINE"},
            "StartAt": "Work",
            "States": {"Work": task(LAMBDA_ARN)},
        },
        **fields,
    }
    if "Next" not in body:
        body["End"] = True
    return body


def branch(name: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"StartAt": name, "States": {name: body if body is not None else task(LAMBDA_ARN)}}


def by_payload(run: Run) -> dict[Any, str]:
    """Open task id per payload (Map items are distinct in these tests)."""
    return {call.payload: call.task_id for call in run.invocations() if call.task_id in run.snap.open_tasks}


# ---- Map concurrency and results -----------------------------------------------------------
def test_max_concurrency_launches_that_many_then_one_per_completion() -> None:
    run = Run(machine_of({"M": map_of_tasks(MaxConcurrency=2)}), [10, 11, 12, 13, 14])
    assert [call.payload for call in run.invocations()] == [10, 11]
    assert run.details("MapStateStarted") == {"length": 5}
    tasks = by_payload(run)
    run.succeed(tasks[11], output="r11")
    assert [call.payload for call in run.invocations(latest=True)] == [12]
    tasks = by_payload(run)
    run.succeed(tasks[10], output="r10")
    assert [call.payload for call in run.invocations(latest=True)] == [13]
    run.succeed(by_payload(run)[13], output="r13")
    assert [call.payload for call in run.invocations(latest=True)] == [14]
    run.succeed(by_payload(run)[14], output="r14")
    assert run.invocations(latest=True) == [] and run.status == "RUNNING"
    run.succeed(by_payload(run)[12], output="r12")
    assert run.finish == Finish("SUCCEEDED", output=["r10", "r11", "r12", "r13", "r14"])
    run.check_ids()


def test_unbounded_concurrency_launches_every_item_and_orders_results_by_index() -> None:
    run = Run(
        machine_of({"M": map_of_tasks(ResultPath="$.out", ItemsPath="$.items")}), {"items": ["a", "b", "c"]}
    )
    assert [call.payload for call in run.invocations()] == ["a", "b", "c"]
    tasks = by_payload(run)
    for item in ("c", "a", "b"):
        run.succeed(tasks[item], output=item.upper())
    assert run.finish == Finish("SUCCEEDED", output={"items": ["a", "b", "c"], "out": ["A", "B", "C"]})
    # one MapIterationStarted / MapIterationSucceeded per index, then MapStateSucceeded · MapStateExited
    started = [e["mapIterationStartedEventDetails"]["index"] for e in run.events_of("MapIterationStarted")]
    done = [e["mapIterationSucceededEventDetails"]["index"] for e in run.events_of("MapIterationSucceeded")]
    assert sorted(started) == [0, 1, 2] and done == [2, 0, 1]
    assert run.types()[-4:] == [
        "MapIterationSucceeded",
        "MapStateSucceeded",
        "MapStateExited",
        "ExecutionSucceeded",
    ]
    succeeded, exited = run.event("MapStateSucceeded"), run.event("MapStateExited")
    assert exited["previousEventId"] == succeeded["previousEventId"], (
        "AWS: Exited points where Succeeded points"
    )
    run.check_ids()


def test_iteration_events_chain_inside_each_iteration() -> None:
    run = Run(machine_of({"M": map_of_tasks(MaxConcurrency=1)}), [1, 2])
    run.succeed(output="x")
    run.succeed(output="y")
    chain = run.chain()
    assert chain[:9] == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "MapStateEntered"),
        (3, 2, "MapStateStarted"),
        (4, 3, "MapIterationStarted"),
        (5, 4, "TaskStateEntered"),
        (6, 5, "LambdaFunctionScheduled"),
        (7, 6, "LambdaFunctionStarted"),
        (8, 7, "LambdaFunctionSucceeded"),
        (9, 8, "TaskStateExited"),
    ]
    assert chain[9] == (10, 9, "MapIterationSucceeded")
    assert chain[10][2] == "MapIterationStarted" and chain[10][1] == 9, (
        "next iteration follows the last inner event"
    )


def test_item_selector_and_context_map_item() -> None:
    definition = machine_of(
        {
            "M": map_of_tasks(
                ItemSelector={"i.$": "$$.Map.Item.Index", "v.$": "$$.Map.Item.Value", "k.$": "$.k"},
                ItemsPath="$.xs",
            )
        }
    )
    run = Run(definition, {"xs": ["p", "q"], "k": 7})
    assert [call.payload for call in run.invocations()] == [
        {"i": 0, "v": "p", "k": 7},
        {"i": 1, "v": "q", "k": 7},
    ]


def test_empty_map_succeeds_without_iterations() -> None:
    run = Run(machine_of({"M": map_of_tasks()}), [])
    assert run.types() == [
        "ExecutionStarted",
        "MapStateEntered",
        "MapStateStarted",
        "MapStateSucceeded",
        "MapStateExited",
        "ExecutionSucceeded",
    ]
    assert run.finish == Finish("SUCCEEDED", output=[])


# ---- Map failures --------------------------------------------------------------------------
def test_a_failing_iteration_aborts_the_others_and_fails_the_map() -> None:
    # test_service_lambda_map_timeout: failing iteration … MapIterationFailed; others TaskStateAborted ·
    # MapIterationAborted; then MapStateFailed · ExecutionFailed
    run = Run(machine_of({"M": map_of_tasks()}), [0, 1, 2])
    tasks = by_payload(run)
    step = run.fail(tasks[1], error="Item.Error", cause="item 1")
    assert [e["type"] for e in step.events] == [
        "LambdaFunctionFailed",
        "MapIterationFailed",
        "TaskStateAborted",
        "MapIterationAborted",
        "TaskStateAborted",
        "MapIterationAborted",
        "MapStateFailed",
        "ExecutionFailed",
    ]
    failed, iteration_failed, map_failed = (
        run.event(t) for t in ("LambdaFunctionFailed", "MapIterationFailed", "MapStateFailed")
    )
    assert iteration_failed["previousEventId"] == failed["id"]
    assert map_failed["previousEventId"] == failed["id"], (
        "AWS: MapStateFailed follows the failing inner event"
    )
    assert run.details("MapIterationFailed") == {"name": "M", "index": 1}
    assert sorted(
        e["mapIterationAbortedEventDetails"]["index"] for e in run.events_of("MapIterationAborted")
    ) == [0, 2]
    assert sorted(run.cancels(latest=True)) == sorted([tasks[0], tasks[2]])
    assert run.finish == Finish("FAILED", error="Item.Error", cause="item 1")
    assert run.snap.open_tasks == {}
    for task_id in (tasks[0], tasks[2]):
        assert run.succeed(task_id, output=0).events == []
    run.check_ids()


def test_unlaunched_iterations_are_not_aborted() -> None:
    run = Run(machine_of({"M": map_of_tasks(MaxConcurrency=1)}), [0, 1, 2])
    step = run.fail(error="E")
    assert "MapIterationAborted" not in [e["type"] for e in step.events]
    assert len(run.invocations()) == 1
    assert run.events_of("MapIterationStarted") and len(run.events_of("MapIterationStarted")) == 1


def test_a_failing_iteration_is_caught_on_the_map() -> None:
    # scenarios__test_map_state_catch: … MapIterationFailed · MapStateFailed · MapStateExited{error} · handler
    catch = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "H"}]
    definition = machine_of(
        {"M": map_of_tasks(ItemsPath="$.items", Catch=catch, Next="P"), "H": PASS_END, "P": PASS_END}
    )
    run = Run(definition, {"items": [0, 1]})
    tasks = by_payload(run)
    run.succeed(tasks[0], output="done")
    run.fail(tasks[1], error="E", cause="c")
    assert run.types()[-7:] == [
        "LambdaFunctionFailed",
        "MapIterationFailed",
        "MapStateFailed",
        "MapStateExited",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]
    map_failed, map_exited = run.event("MapStateFailed"), run.event("MapStateExited")
    assert map_exited["previousEventId"] == map_failed["id"]
    assert run.details("PassStateEntered")["name"] == "H"
    assert run.finish == Finish("SUCCEEDED", output={"items": [0, 1], "err": {"Error": "E", "Cause": "c"}})


def test_map_retry_runs_every_item_again() -> None:
    # scenarios__test_map_state_retry_multiple_retriers: a retried Map writes MapStateStarted again
    run = Run(machine_of({"M": map_of_tasks(Retry=[{"ErrorEquals": ["E"], "MaxAttempts": 1}])}), [0, 1])
    tasks = by_payload(run)
    run.succeed(tasks[0], output="ok")
    run.fail(tasks[1], error="E")
    assert run.types()[-2:] == ["LambdaFunctionFailed", "MapIterationFailed"]
    (timer,) = run.timers(latest=True)
    run.fire(timer)
    assert run.types().count("MapStateStarted") == 2 and run.types().count("MapStateEntered") == 1
    assert [call.payload for call in run.invocations(latest=True)] == [0, 1]
    for task_id in by_payload(run).values():
        run.succeed(task_id, output="again")
    assert run.finish == Finish("SUCCEEDED", output=["again", "again"])


def test_an_item_selector_failure_aborts_the_iterations_already_running() -> None:
    # Iteration 0 waits in its Task when iteration 1's ItemSelector fails: the Map state fails (here
    # caught), and iteration 0 stops as when a sibling iteration fails; its late answer is ignored.
    selector = {"v": "{% $number($states.context.Map.Item.Value) %}"}
    catch = [{"ErrorEquals": ["States.ALL"], "Next": "H"}]
    definition = machine_of(
        {"M": map_of_tasks(ItemSelector=selector, Catch=catch, Next="H"), "H": PASS_END},
        QueryLanguage="JSONata",
    )
    run = Run(definition, ["1", "one"])
    (call,) = run.invocations()
    assert call.payload == {"v": 1}
    assert run.types()[6:] == [
        "LambdaFunctionStarted",
        "MapIterationStarted",
        "TaskStateAborted",
        "MapIterationAborted",
        "EvaluationFailed",
        "MapStateFailed",
        "MapStateExited",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]
    assert run.details("MapIterationAborted") == {"name": "M", "index": 0}
    assert run.cancels() == [call.task_id]
    assert run.status == "SUCCEEDED" and run.snap.open_tasks == {}
    assert run.succeed(call.task_id, output="late").events == []
    run.check_ids()


def test_an_item_selector_failure_retried_runs_every_item_again() -> None:
    selector = {"v": "{% $number($states.context.Map.Item.Value) %}"}
    retry = [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 1, "IntervalSeconds": 5}]
    definition = machine_of({"M": map_of_tasks(ItemSelector=selector, Retry=retry)}, QueryLanguage="JSONata")
    run = Run(definition, ["1", "one"])
    first = run.invocations()[0].task_id
    assert run.cancels() == [first]
    run.fire()  # the back-off: the Map starts again, and fails again the same way
    assert run.succeed(first, output="stale").events == []
    assert run.types().count("MapStateStarted") == 2
    assert run.status == "FAILED"
    run.check_ids()


# ---- tolerated failures --------------------------------------------------------------------
def run_items(fields: dict[str, Any], outcomes: list[bool]) -> Run:
    """A Map over len(outcomes) items; item i succeeds when outcomes[i] is True, in index order."""
    run = Run(machine_of({"M": map_of_tasks(**fields)}), list(range(len(outcomes))))
    tasks = by_payload(run)
    for index, ok in enumerate(outcomes):
        if run.status != "RUNNING":
            break
        if ok:
            run.succeed(tasks[index], output=f"r{index}")
        else:
            run.fail(tasks[index], error="Item.Error", cause=f"item {index}")
    return run


def test_tolerated_failure_count() -> None:
    run = run_items({"ToleratedFailureCount": 1}, [True, False, True])
    assert run.finish is not None and run.finish.status == "SUCCEEDED"
    assert run.finish.output[0] == "r0" and run.finish.output[2] == "r2"
    assert run.types().count("MapIterationFailed") == 1 and "MapStateSucceeded" in run.types()
    run = run_items({"ToleratedFailureCount": 1}, [False, True, False, True])
    assert run.finish is not None and run.finish.status == "FAILED"
    assert run.finish.error == "States.ExceedToleratedFailureThreshold"
    assert run.types()[-2:] == ["MapStateFailed", "ExecutionFailed"]
    assert run.types().count("MapIterationAborted") == 1  # item 3 was still running


def test_tolerated_failure_count_zero_fails_on_the_first_failure() -> None:
    run = run_items({"ToleratedFailureCount": 0}, [True, False, True])
    assert run.finish is not None and run.finish.error == "States.ExceedToleratedFailureThreshold"


def test_tolerated_failure_percentage() -> None:
    run = run_items({"ToleratedFailurePercentage": 50}, [False, True, False, True])
    assert run.finish is not None and run.finish.status == "SUCCEEDED"
    run = run_items({"ToleratedFailurePercentage": 50}, [False, False, False, True])
    assert run.finish is not None and run.finish.error == "States.ExceedToleratedFailureThreshold"


def test_tolerated_failure_path_fields() -> None:
    definition = machine_of({"M": map_of_tasks(ItemsPath="$.xs", ToleratedFailureCountPath="$.n")})
    run = Run(definition, {"xs": [0, 1], "n": 1})
    tasks = by_payload(run)
    run.fail(tasks[0])
    run.succeed(tasks[1], output="ok")
    assert run.finish is not None and run.finish.status == "SUCCEEDED"


def test_tolerated_count_and_percentage_fail_when_either_is_exceeded() -> None:
    # 2 of 4 failed: the count (1) is exceeded, the percentage (50) is not
    run = run_items(
        {"ToleratedFailureCount": 1, "ToleratedFailurePercentage": 50}, [False, False, True, True]
    )
    assert run.finish is not None and run.finish.error == "States.ExceedToleratedFailureThreshold"


# ---- Parallel ------------------------------------------------------------------------------
def test_parallel_results_are_in_branch_order() -> None:
    definition = machine_of(
        {"P": {"Type": "Parallel", "Branches": [branch("A"), branch("B"), branch("C")], "End": True}}
    )
    run = Run(definition, {"in": 1})
    calls = run.invocations()
    assert [call.state_name for call in calls] == ["A", "B", "C"]
    assert all(call.payload == {"in": 1} for call in calls)
    for call, output in zip(reversed(calls), ("c", "b", "a"), strict=True):
        run.succeed(call.task_id, output=output)
    assert run.finish == Finish("SUCCEEDED", output=["a", "b", "c"])
    assert run.types()[:3] == ["ExecutionStarted", "ParallelStateEntered", "ParallelStateStarted"]
    assert run.types()[-3:] == ["ParallelStateSucceeded", "ParallelStateExited", "ExecutionSucceeded"]
    run.check_ids()


def test_a_failing_branch_aborts_its_siblings_and_fails_with_its_own_error() -> None:
    wait = {"Type": "Wait", "Seconds": 100, "End": True}
    definition = machine_of(
        {"P": {"Type": "Parallel", "Branches": [branch("A"), branch("B"), branch("W", wait)], "End": True}}
    )
    run = Run(definition)
    calls = {call.state_name: call.task_id for call in run.invocations()}
    (wait_timer,) = run.timers()
    step = run.fail(calls["B"], error="Branch.Error", cause="b failed")
    types = [e["type"] for e in step.events]
    assert types[0] == "LambdaFunctionFailed"
    assert sorted(types[1:-2]) == ["TaskStateAborted", "WaitStateAborted"]
    assert types[-2:] == ["ParallelStateFailed", "ExecutionFailed"]
    assert run.cancels(latest=True) == [calls["A"]]
    assert run.finish == Finish("FAILED", error="Branch.Error", cause="b failed")
    assert run.fire(wait_timer).events == []
    assert run.succeed(calls["A"], output=1).events == []


def test_parallel_failure_caught() -> None:
    # scenarios__test_parallel_state_catch: … ParallelStateFailed · ParallelStateExited{error} · handler
    definition = machine_of(
        {
            "P": {
                "Type": "Parallel",
                "Branches": [branch("A"), branch("B")],
                "Catch": [{"ErrorEquals": ["Branch.Error"], "Next": "H"}],
                "Next": "Z",
            },
            "H": PASS_END,
            "Z": PASS_END,
        }
    )
    run = Run(definition)
    run.fail(run.invocations()[0].task_id, error="Branch.Error", cause="a")
    assert run.types()[-6:] == [
        "TaskStateAborted",
        "ParallelStateFailed",
        "ParallelStateExited",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]
    assert run.event("ParallelStateExited")["previousEventId"] == run.event("ParallelStateFailed")["id"]
    assert run.finish == Finish("SUCCEEDED", output={"Error": "Branch.Error", "Cause": "a"})


def test_nested_map_inside_a_parallel_is_aborted_with_its_tasks() -> None:
    definition = machine_of(
        {"P": {"Type": "Parallel", "Branches": [branch("A"), branch("M", map_of_tasks())], "End": True}}
    )
    run = Run(definition, [5, 6])
    calls = run.invocations()
    a = next(c.task_id for c in calls if c.state_name == "A")
    step = run.fail(a, error="E")
    types = [e["type"] for e in step.events]
    assert types.count("TaskStateAborted") == 2 and types.count("MapIterationAborted") == 2
    assert "MapStateAborted" in types
    assert sorted(run.cancels(latest=True)) == sorted(c.task_id for c in calls if c.state_name == "Work")
    assert run.snap.open_tasks == {}


# ---- variables -----------------------------------------------------------------------------
def test_branches_read_outer_variables_and_their_assignments_stay_inside() -> None:
    inner = {
        "Type": "Pass",
        "Parameters": {"seen.$": "$outer"},
        "Assign": {"inner": "set-in-branch"},
        "Next": "Read",
    }
    read = {"Type": "Pass", "Parameters": {"inner.$": "$inner", "outer.$": "$outer"}, "End": True}
    definition = machine_of(
        {
            "Set": {"Type": "Pass", "Assign": {"outer": "o"}, "Next": "P"},
            "P": {
                "Type": "Parallel",
                "Branches": [{"StartAt": "In", "States": {"In": inner, "Read": read}}],
                "Next": "After",
            },
            "After": {"Type": "Pass", "End": True},
        }
    )
    run = Run(definition)
    assert run.finish == Finish("SUCCEEDED", output=[{"inner": "set-in-branch", "outer": "o"}])
    assert run.snap.frames["f0"].variables == {"outer": "o"}


def test_map_iterations_do_not_share_variables() -> None:
    processor = {
        "StartAt": "Keep",
        "States": {
            "Keep": {"Type": "Pass", "Assign": {"mine.$": "$"}, "Next": "Work"},
            "Work": task(LAMBDA_ARN, Parameters={"mine.$": "$mine"}),
        },
    }
    run = Run(machine_of({"M": {"Type": "Map", "ItemProcessor": processor, "End": True}}), ["a", "b"])
    assert sorted(call.payload["mine"] for call in run.invocations()) == ["a", "b"]


def test_catch_assign_on_a_parallel_writes_the_outer_scope() -> None:
    definition = machine_of(
        {
            "P": {
                "Type": "Parallel",
                "Branches": [branch("A", {"Type": "Fail", "Error": "Why", "Cause": "because"})],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Assign": {"caught.$": "$.Error"}, "Next": "H"}],
                "End": True,
            },
            "H": {"Type": "Pass", "Parameters": {"caught.$": "$caught"}, "End": True},
        }
    )
    run = Run(definition)
    assert json.loads(run.details("ParallelStateExited")["assignedVariables"]["caught"]) == "Why"
    assert run.finish == Finish("SUCCEEDED", output={"caught": "Why"})
    assert run.snap.frames["f0"].variables == {"caught": "Why"}


def test_parallel_assign_sees_the_result() -> None:
    definition = machine_of(
        {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    branch("A", {"Type": "Pass", "Result": 1, "End": True}),
                    branch("B", {"Type": "Pass", "Result": 2, "End": True}),
                ],
                "Assign": {"first.$": "$[0]"},
                "Next": "H",
            },
            "H": {"Type": "Pass", "Parameters": {"first.$": "$first"}, "End": True},
        }
    )
    assert Run(definition).finish == Finish("SUCCEEDED", output={"first": 1})


def test_callback_tasks_in_a_map_resume_independently() -> None:
    processor = {
        "StartAt": "Ask",
        "States": {"Ask": task(SQS_TOKEN_ARN, Parameters={"item.$": "$", "t.$": "$$.Task.Token"})},
    }
    run = Run(machine_of({"M": {"Type": "Map", "ItemProcessor": processor, "End": True}}), ["x", "y"])
    calls = run.invocations()
    assert len({call.task_token for call in calls}) == 2
    for call in calls:
        run.submitted(call.task_id, output={"MessageId": call.payload["item"]})
    run.succeed(calls[1].task_id, output="Y")
    run.succeed(calls[0].task_id, output="X")
    assert run.finish == Finish("SUCCEEDED", output=["X", "Y"])
    assert run.types().count("TaskSubmitted") == 2


def test_retry_and_catch_inside_an_iteration_stay_inside_it() -> None:
    work = task(
        LAMBDA_ARN,
        Retry=[{"ErrorEquals": ["Flaky"], "MaxAttempts": 1, "IntervalSeconds": 2}],
        Catch=[{"ErrorEquals": ["Fatal"], "ResultPath": "$.err", "Next": "Fallback"}],
    )
    processor = {"StartAt": "Work", "States": {"Work": work, "Fallback": {"Type": "Pass", "End": True}}}
    run = Run(
        machine_of({"M": {"Type": "Map", "ItemProcessor": processor, "End": True}}), [{"n": 0}, {"n": 1}]
    )
    calls = run.invocations()
    run.fail(calls[0].task_id, error="Flaky")
    (retry,) = run.timers(latest=True)
    assert retry.due == run.now + 2
    run.fail(calls[1].task_id, error="Fatal", cause="no")
    assert run.types()[-3:] == ["PassStateEntered", "PassStateExited", "MapIterationSucceeded"]
    run.fire(retry)
    (again,) = run.invocations(latest=True)
    assert again.payload == {"n": 0} and again.attempt == 1
    run.succeed(again.task_id, output="zero")
    assert run.finish == Finish(
        "SUCCEEDED", output=["zero", {"n": 1, "err": {"Error": "Fatal", "Cause": "no"}}]
    )


def test_a_sibling_failure_aborts_an_iteration_waiting_for_its_retry() -> None:
    work = task(LAMBDA_ARN, Retry=[{"ErrorEquals": ["Flaky"], "MaxAttempts": 3}])
    processor = {"StartAt": "Work", "States": {"Work": work}}
    run = Run(machine_of({"M": {"Type": "Map", "ItemProcessor": processor, "End": True}}), [0, 1])
    calls = run.invocations()
    run.fail(calls[0].task_id, error="Flaky")
    (retry,) = run.timers(latest=True)
    step = run.fail(calls[1].task_id, error="Fatal")
    types = [e["type"] for e in step.events]
    assert types == [
        "LambdaFunctionFailed",
        "MapIterationFailed",
        "TaskStateAborted",
        "MapIterationAborted",
        "MapStateFailed",
        "ExecutionFailed",
    ]
    assert run.cancels(latest=True) == [], "the retrying iteration has no task in flight"
    assert run.fire(retry).events == []
    assert run.finish is not None and run.finish.error == "Fatal"


def test_distributed_map_features_not_run_yet_fail_clearly() -> None:
    definition = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                # An object with no InputType: the validator lets it through, and how AWS would
                # read it is not in the reference (unconfirmed), so it is not read.
                "ItemReader": {
                    "Resource": "arn:aws:states:::s3:getObject",
                    "Parameters": {"Bucket": "b", "Key": "k"},
                },
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "P",
                    "States": {"P": {"Type": "Pass", "End": True}},
                },
                "End": True,
            }
        },
    }
    run = Run(definition, {})
    finish = run.finish
    assert finish is not None and finish.status == "FAILED" and finish.error == "States.Runtime"
    assert "uses ItemReader, which stepwell does not run yet" in (finish.cause or "")


def test_a_map_whose_result_is_discarded_keeps_no_results() -> None:
    """With "ResultPath": null (and no ResultSelector, Assign or ResultWriter) nothing reads the
    iterations' results: the snapshot holds none, and the output is the input, as before."""

    def mapped(**fields: Any) -> dict[str, Any]:
        processor = {"StartAt": "T", "States": {"T": task()}}
        return machine_of({"M": {"Type": "Map", "ItemProcessor": processor, "End": True, **fields}})

    for fields, kept in (({"ResultPath": None}, [None, None]), ({}, [{"done": 1}, None])):
        run = Run(mapped(**fields), [1, 2])
        first, _ = run.invocations()
        run.succeed(first.task_id, output={"done": 1})
        work = run.snap.frames["f0"].work
        assert isinstance(work, MapWork) and work.results == kept
        run.succeed(output={"done": 2})
        expected = [1, 2] if fields else [{"done": 1}, {"done": 2}]
        assert run.finish is not None and run.finish.output == expected
