"""ActivityWorker against a fake Step Functions client (and once against botocore's own model)."""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError
from botocore.session import get_session
from botocore.stub import Stubber

from stepwell.sdk.worker import (
    CAUSE_MAX_CHARS,
    ERROR_MAX_CHARS,
    ActivityWorker,
    TaskContext,
    current_task,
    failure_of,
    make_client,
)

ARN = "arn:aws:states:eu-west-3:123456789012:activity:resize"
WAIT = 5.0  # seconds a test waits for something that should happen at once


def client_error(code: str, operation: str, message: str = "", status: int = 400) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}},
        operation,
    )


class FakeStepFunctions:
    """Records every call. Tasks wait in a queue; an empty poll returns a null-string token after
    a short pause (as the 60 s long poll would, only sooner)."""

    def __init__(self) -> None:
        self.tasks: queue.Queue[tuple[str, str]] = queue.Queue()
        self.polls: list[dict[str, Any]] = []
        self.successes: list[dict[str, Any]] = []
        self.failures: list[dict[str, Any]] = []
        self.heartbeats: list[dict[str, Any]] = []
        self.poll_errors: list[Exception] = []
        self.success_errors: list[Exception] = []
        self.failure_errors: list[Exception] = []
        self.heartbeat_error: Exception | None = None
        self.closed = threading.Event()  # set on each SendTaskSuccess/Failure
        self.lock = threading.Lock()

    def add_task(self, token: str, value: Any) -> None:
        self.tasks.put((token, json.dumps(value)))

    def get_activity_task(self, **kwargs: Any) -> dict[str, Any]:
        with self.lock:
            self.polls.append(kwargs)
            if self.poll_errors:
                raise self.poll_errors.pop(0)
        try:
            token, text = self.tasks.get(timeout=0.01)
        except queue.Empty:
            return {"taskToken": ""}
        return {"taskToken": token, "input": text}

    def send_task_success(self, **kwargs: Any) -> dict[str, Any]:
        return self._record(self.successes, self.success_errors, kwargs)

    def send_task_failure(self, **kwargs: Any) -> dict[str, Any]:
        return self._record(self.failures, self.failure_errors, kwargs)

    def _record(self, calls: list[dict[str, Any]], errors: list[Exception], kwargs: Any) -> dict[str, Any]:
        with self.lock:
            if errors:
                raise errors.pop(0)
            calls.append(kwargs)
        self.closed.set()
        return {}

    def send_task_heartbeat(self, **kwargs: Any) -> dict[str, Any]:
        with self.lock:
            self.heartbeats.append(kwargs)
            if self.heartbeat_error is not None:
                raise self.heartbeat_error
        return {}


@pytest.fixture
def sfn() -> FakeStepFunctions:
    return FakeStepFunctions()


def worker_for(sfn: FakeStepFunctions, handler: Callable[[Any], Any], **options: Any) -> ActivityWorker:
    worker = ActivityWorker(ARN, handler, client=sfn, worker_name="w1", **options)
    worker.poll_backoff_seconds = 0.0
    worker.delivery_backoff_seconds = 0.0
    return worker


@pytest.fixture
def running() -> Iterator[Callable[[ActivityWorker], threading.Thread]]:
    """Start worker.run() in a thread; the test must make it stop, and it must return."""
    threads: list[threading.Thread] = []

    def start(worker: ActivityWorker) -> threading.Thread:
        thread = threading.Thread(target=worker.run, daemon=True)
        thread.start()
        threads.append(thread)
        return thread

    yield start
    for thread in threads:
        thread.join(WAIT)
        assert not thread.is_alive(), "run() did not return after stop"


def wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.005)


# -- one task --------------------------------------------------------------------------------------


def test_success_sends_the_handlers_output_as_json(sfn: FakeStepFunctions) -> None:
    sfn.add_task("t1", {"n": 2})
    worker = worker_for(sfn, lambda value: {"doubled": value["n"] * 2, "text": "é"})
    assert worker.run_once() is True
    assert sfn.polls == [{"activityArn": ARN, "workerName": "w1"}]
    assert sfn.successes == [{"taskToken": "t1", "output": '{"doubled":4,"text":"\\u00e9"}'}]
    assert json.loads(sfn.successes[0]["output"]) == {"doubled": 4, "text": "é"}
    assert sfn.failures == []


@pytest.mark.parametrize("value", [None, 3, "text", [1, {"a": None}]])
def test_any_json_value_goes_in_and_out(sfn: FakeStepFunctions, value: Any) -> None:
    sfn.add_task("t1", value)
    assert worker_for(sfn, lambda v: v).run_once()
    assert json.loads(sfn.successes[0]["output"]) == value


@pytest.mark.parametrize("response", [{"taskToken": ""}, {"taskToken": None}, {}])
def test_an_empty_poll_processes_nothing(sfn: FakeStepFunctions, response: dict[str, Any]) -> None:
    called: list[Any] = []
    sfn.get_activity_task = lambda **kwargs: response  # type: ignore[method-assign]
    assert worker_for(sfn, called.append).run_once() is False
    assert called == [] and sfn.successes == [] and sfn.failures == []


def test_run_once_raises_poll_errors(sfn: FakeStepFunctions) -> None:
    sfn.poll_errors.append(client_error("ActivityDoesNotExist", "GetActivityTask", "Activity Does Not Exist"))
    with pytest.raises(ClientError, match="Activity Does Not Exist"):
        worker_for(sfn, lambda v: v).run_once()


# -- failures --------------------------------------------------------------------------------------


class PaymentDeclined(Exception):
    error: str | None = "Payment.Declined"
    cause: str | None = "card expired"


def test_an_exception_becomes_send_task_failure_named_after_its_class(sfn: FakeStepFunctions) -> None:
    def handler(value: Any) -> Any:
        raise ValueError(f"bad size {value['size']}")

    sfn.add_task("t1", {"size": -1})
    assert worker_for(sfn, handler).run_once() is True
    assert sfn.failures == [{"taskToken": "t1", "error": "ValueError", "cause": "bad size -1"}]
    assert sfn.successes == []


def test_error_and_cause_attributes_win(sfn: FakeStepFunctions) -> None:
    def handler(value: Any) -> Any:
        raise PaymentDeclined("ignored text")

    sfn.add_task("t1", {})
    worker_for(sfn, handler).run_once()
    assert sfn.failures == [{"taskToken": "t1", "error": "Payment.Declined", "cause": "card expired"}]


def test_error_and_cause_are_cut_to_aws_limits() -> None:
    exc = PaymentDeclined()
    exc.error, exc.cause = "E" * 300, "c" * 40000
    error, cause = failure_of(exc)
    assert (len(error), len(cause)) == (ERROR_MAX_CHARS, CAUSE_MAX_CHARS) == (256, 32768)
    assert failure_of(KeyError("k")) == ("KeyError", "'k'")
    exc.error = None  # not a string: the class name is used
    assert failure_of(exc)[0] == "PaymentDeclined"


@pytest.mark.parametrize(
    ("output", "error", "cause"),
    [
        ({1, 2}, "TypeError", "Object of type set is not JSON serializable"),
        (float("nan"), "ValueError", "Out of range float values are not JSON compliant"),
    ],
)
def test_output_that_is_not_json_fails_the_task(
    sfn: FakeStepFunctions, output: Any, error: str, cause: str
) -> None:
    sfn.add_task("t1", {})
    worker_for(sfn, lambda v: output).run_once()
    assert sfn.failures == [{"taskToken": "t1", "error": error, "cause": cause}]


def test_output_the_service_refuses_is_reported_as_a_failure(sfn: FakeStepFunctions) -> None:
    sfn.success_errors.append(client_error("InvalidOutput", "SendTaskSuccess", "Invalid Output: 'x'"))
    sfn.add_task("t1", {})
    worker_for(sfn, lambda v: "x").run_once()
    assert sfn.failures == [{"taskToken": "t1", "error": "InvalidOutput", "cause": "Invalid Output: 'x'"}]


def test_a_result_is_sent_again_after_transient_errors(sfn: FakeStepFunctions) -> None:
    sfn.success_errors += [
        EndpointConnectionError(endpoint_url="http://127.0.0.1:8083"),
        client_error("ThrottlingException", "SendTaskSuccess", "Rate exceeded"),
        client_error("InternalFailure", "SendTaskSuccess", "boom", status=500),
    ]
    sfn.add_task("t1", 1)
    worker_for(sfn, lambda v: v + 1).run_once()
    assert sfn.successes == [{"taskToken": "t1", "output": "2"}] and sfn.failures == []


def test_an_undeliverable_result_is_logged(sfn: FakeStepFunctions, caplog: pytest.LogCaptureFixture) -> None:
    worker = worker_for(sfn, lambda v: v)
    worker.delivery_attempts = 2
    sfn.success_errors += [EndpointConnectionError(endpoint_url="http://x")] * 2
    sfn.add_task("t1", 1)
    with caplog.at_level(logging.ERROR, logger="stepwell.sdk.worker"):
        assert worker.run_once() is True
    assert sfn.successes == [] and sfn.failures == []
    assert "the task will time out" in caplog.text


def test_a_task_gone_at_delivery_is_dropped(sfn: FakeStepFunctions, caplog: pytest.LogCaptureFixture) -> None:
    sfn.success_errors.append(client_error("TaskTimedOut", "SendTaskSuccess", "Task Timed Out"))
    sfn.add_task("t1", 1)
    sfn.add_task("t2", 2)
    worker = worker_for(sfn, lambda v: v)
    with caplog.at_level(logging.WARNING, logger="stepwell.sdk.worker"):
        assert worker.run_once() is True
    assert sfn.failures == [] and "is gone (TaskTimedOut)" in caplog.text
    assert worker.run_once() is True  # the worker goes on
    assert sfn.successes == [{"taskToken": "t2", "output": "2"}]


def test_keyboard_interrupt_in_a_handler_is_reported_then_raised(sfn: FakeStepFunctions) -> None:
    def handler(value: Any) -> Any:
        raise KeyboardInterrupt

    sfn.add_task("t1", {})
    with pytest.raises(KeyboardInterrupt):
        worker_for(sfn, handler).run_once()
    assert sfn.failures == [{"taskToken": "t1", "error": "KeyboardInterrupt", "cause": ""}]


# -- heartbeats ------------------------------------------------------------------------------------


def test_heartbeats_are_sent_while_the_handler_runs_and_stop_after(sfn: FakeStepFunctions) -> None:
    def handler(value: Any) -> Any:
        wait_for(lambda: len(sfn.heartbeats) >= 3)
        return "done"

    sfn.add_task("t1", {})
    worker_for(sfn, handler, heartbeat_seconds=0.01).run_once()
    assert sfn.successes == [{"taskToken": "t1", "output": '"done"'}]
    assert {call["taskToken"] for call in sfn.heartbeats} == {"t1"}
    count = len(sfn.heartbeats)
    time.sleep(0.05)
    assert len(sfn.heartbeats) == count  # the heartbeat thread ended with the task
    assert not [t for t in threading.enumerate() if t.name.startswith("activity-heartbeat")]


def test_no_heartbeats_by_default(sfn: FakeStepFunctions) -> None:
    sfn.add_task("t1", {})
    worker_for(sfn, lambda v: time.sleep(0.05)).run_once()
    assert sfn.heartbeats == [] and len(sfn.successes) == 1


def test_task_timed_out_on_heartbeat_stops_heartbeats_and_drops_the_result(sfn: FakeStepFunctions) -> None:
    sfn.heartbeat_error = client_error("TaskTimedOut", "SendTaskHeartbeat", "Task Timed Out: 't1'")
    seen: list[bool] = []

    def handler(value: Any) -> Any:
        if value == "slow":
            wait_for(lambda: current_task().gone)
            time.sleep(0.05)  # more beats would be due now
            seen.append(current_task().heartbeat())
        return "late"

    sfn.add_task("t1", "slow")
    sfn.add_task("t2", "quick")
    worker = worker_for(sfn, handler, heartbeat_seconds=0.01)
    assert worker.run_once() is True
    assert len(sfn.heartbeats) == 1 and seen == [False]
    assert sfn.successes == [] and sfn.failures == []
    sfn.heartbeat_error = None
    assert worker.run_once() is True  # the worker goes on with the next task
    assert sfn.successes == [{"taskToken": "t2", "output": '"late"'}]


@pytest.mark.parametrize("code", ["TaskDoesNotExist", "InvalidToken"])
def test_other_gone_codes_stop_heartbeats_too(sfn: FakeStepFunctions, code: str) -> None:
    sfn.heartbeat_error = client_error(code, "SendTaskHeartbeat")
    sfn.add_task("t1", {})
    worker_for(sfn, lambda v: wait_for(lambda: current_task().gone), heartbeat_seconds=0.01).run_once()
    assert len(sfn.heartbeats) == 1 and sfn.successes == [] and sfn.failures == []


def test_a_failed_heartbeat_is_retried_at_the_next_beat(sfn: FakeStepFunctions) -> None:
    sfn.heartbeat_error = EndpointConnectionError(endpoint_url="http://x")

    def handler(value: Any) -> Any:
        wait_for(lambda: len(sfn.heartbeats) >= 2)
        sfn.heartbeat_error = None
        count = len(sfn.heartbeats)
        wait_for(lambda: len(sfn.heartbeats) > count)
        return current_task().gone

    sfn.add_task("t1", {})
    worker_for(sfn, handler, heartbeat_seconds=0.01).run_once()
    assert sfn.successes == [{"taskToken": "t1", "output": "false"}]


def test_current_task_lets_a_handler_beat_and_read_its_token(sfn: FakeStepFunctions) -> None:
    contexts: list[TaskContext] = []

    def handler(value: Any) -> Any:
        contexts.append(current_task())
        return current_task().heartbeat()

    sfn.add_task("t1", {})
    worker_for(sfn, handler).run_once()
    (context,) = contexts
    assert (context.task_token, context.activity_arn, context.worker_name) == ("t1", ARN, "w1")
    assert sfn.heartbeats == [{"taskToken": "t1"}] and sfn.successes[0]["output"] == "true"
    with pytest.raises(RuntimeError, match="only available inside an activity handler"):
        current_task()


# -- run / stop / concurrency ----------------------------------------------------------------------


def test_run_processes_tasks_until_stopped(sfn: FakeStepFunctions, running: Any) -> None:
    for i in range(5):
        sfn.add_task(f"t{i}", i)
    worker = worker_for(sfn, lambda v: v * 10)
    running(worker)
    wait_for(lambda: len(sfn.successes) == 5)
    worker.stop()
    assert sorted(call["output"] for call in sfn.successes) == ["0", "10", "20", "30", "40"]


def test_run_returns_when_the_given_event_is_set(sfn: FakeStepFunctions) -> None:
    stop = threading.Event()
    worker = worker_for(sfn, lambda v: v)
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    wait_for(lambda: len(sfn.polls) >= 3)  # empty polls go round
    stop.set()
    thread.join(WAIT)
    assert not thread.is_alive() and worker.stopping


def test_a_task_from_the_poll_in_flight_at_stop_is_still_processed(sfn: FakeStepFunctions) -> None:
    polling, release = threading.Event(), threading.Event()

    def slow_poll(**kwargs: Any) -> dict[str, Any]:
        sfn.polls.append(kwargs)
        polling.set()
        release.wait(WAIT)
        return {"taskToken": "late", "input": '"in"'}

    sfn.get_activity_task = slow_poll  # type: ignore[method-assign]
    worker = worker_for(sfn, lambda v: v + "-out")
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    assert polling.wait(WAIT)
    worker.stop()
    time.sleep(0.05)
    assert thread.is_alive()  # waits for the poll in flight
    release.set()
    thread.join(WAIT)
    assert not thread.is_alive()
    assert sfn.successes == [{"taskToken": "late", "output": '"in-out"'}]
    assert len(sfn.polls) == 1  # no poll after stop


def test_stop_waits_for_running_tasks(sfn: FakeStepFunctions) -> None:
    started, finish = threading.Event(), threading.Event()

    def handler(value: Any) -> Any:
        started.set()
        finish.wait(WAIT)
        return "ok"

    sfn.add_task("t1", {})
    worker = worker_for(sfn, handler, concurrency=2)
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    assert started.wait(WAIT)
    worker.stop()
    time.sleep(0.05)
    assert thread.is_alive() and sfn.successes == []
    finish.set()
    thread.join(WAIT)
    assert not thread.is_alive() and sfn.successes == [{"taskToken": "t1", "output": '"ok"'}]


def test_concurrency_runs_that_many_tasks_at_once_and_no_more(sfn: FakeStepFunctions, running: Any) -> None:
    barrier = threading.Barrier(3, timeout=WAIT)  # breaks unless three handlers run together
    lock, active, peak = threading.Lock(), [0], [0]

    def handler(value: Any) -> Any:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        if value < 3:
            barrier.wait()
        time.sleep(0.01)
        with lock:
            active[0] -= 1
        return threading.current_thread().name

    for i in range(9):
        sfn.add_task(f"t{i}", i)
    worker = worker_for(sfn, handler, concurrency=3)
    running(worker)
    wait_for(lambda: len(sfn.successes) + len(sfn.failures) == 9)
    worker.stop()
    assert sfn.failures == [] and peak[0] == 3
    assert {json.loads(call["output"]) for call in sfn.successes} == {
        "activity-poller-0",
        "activity-poller-1",
        "activity-poller-2",
    }


def test_run_keeps_polling_after_poll_errors(
    sfn: FakeStepFunctions, running: Any, caplog: pytest.LogCaptureFixture
) -> None:
    sfn.poll_errors += [
        client_error("ThrottlingException", "GetActivityTask", "Rate exceeded"),
        client_error("ActivityDoesNotExist", "GetActivityTask", "Activity Does Not Exist"),
    ]
    sfn.add_task("t1", 1)
    worker = worker_for(sfn, lambda v: v)
    with caplog.at_level(logging.WARNING, logger="stepwell.sdk.worker"):
        running(worker)
        wait_for(lambda: len(sfn.successes) == 1)
        worker.stop()
    assert "GetActivityTask on" in caplog.text and "Activity Does Not Exist" in caplog.text


def test_a_stopped_worker_returns_from_run_at_once(sfn: FakeStepFunctions) -> None:
    worker = worker_for(sfn, lambda v: v, concurrency=4)
    worker.stop()
    worker.run()
    assert sfn.polls == []


# -- construction and the real client --------------------------------------------------------------


def test_bad_options_are_refused(sfn: FakeStepFunctions) -> None:
    with pytest.raises(ValueError, match="concurrency must be >= 1"):
        ActivityWorker(ARN, print, client=sfn, concurrency=0)
    with pytest.raises(ValueError, match="heartbeat_seconds must be > 0"):
        ActivityWorker(ARN, print, client=sfn, heartbeat_seconds=0)
    with pytest.raises(ValueError, match="either client or endpoint_url"):
        ActivityWorker(ARN, print, client=sfn, endpoint_url="http://127.0.0.1:8083")


def test_the_default_worker_name_fits_aws_limit(sfn: FakeStepFunctions) -> None:
    name = ActivityWorker(ARN, print, client=sfn).worker_name
    assert 1 <= len(name) <= 80
    assert len(ActivityWorker(ARN, print, client=sfn, worker_name="x" * 100).worker_name) == 80


@pytest.fixture
def no_aws_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.mark.usefixtures("no_aws_config")
def test_the_built_client_suits_long_polls_against_a_local_endpoint() -> None:
    worker = ActivityWorker(ARN, print, endpoint_url="http://127.0.0.1:8083", concurrency=8)
    meta = worker.client.meta
    assert meta.endpoint_url == "http://127.0.0.1:8083"
    assert meta.region_name == "eu-west-3"  # from the ARN: nothing configured
    assert meta.config.read_timeout == 65.0 and meta.config.max_pool_connections == 18
    assert worker.client._request_signer._credentials.access_key == "stepwell"


@pytest.mark.usefixtures("no_aws_config")
def test_region_name_and_poll_timeout_are_honoured() -> None:
    client = make_client(ARN, region_name="us-east-2", read_timeout=70)
    assert client.meta.region_name == "us-east-2" and client.meta.config.read_timeout == 70


def test_a_client_with_a_short_read_timeout_is_warned_about(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "a")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "b")
    client = get_session().create_client(
        "stepfunctions", region_name="eu-west-3", config=Config(read_timeout=60)
    )
    with caplog.at_level(logging.WARNING, logger="stepwell.sdk.worker"):
        ActivityWorker(ARN, print, client=client)
    assert "use >= 65 s" in caplog.text


@pytest.mark.usefixtures("no_aws_config")
def test_calls_match_the_step_functions_api_model() -> None:
    """botocore's Stubber checks every parameter name and type against the service model."""
    client = make_client(ARN, endpoint_url="http://127.0.0.1:1")
    worker = ActivityWorker(ARN, lambda v: v["a"], client=client, worker_name="w1")
    with Stubber(client) as stub:
        poll = {"activityArn": ARN, "workerName": "w1"}
        stub.add_response("get_activity_task", {"taskToken": "t1", "input": '{"a":1}'}, poll)
        stub.add_response("send_task_success", {}, {"taskToken": "t1", "output": "1"})
        stub.add_response("get_activity_task", {"taskToken": "t2", "input": "{}"}, poll)
        stub.add_response("send_task_failure", {}, {"taskToken": "t2", "error": "KeyError", "cause": "'a'"})
        stub.add_response("get_activity_task", {}, poll)
        assert [worker.run_once(), worker.run_once(), worker.run_once()] == [True, True, False]
        stub.assert_no_pending_responses()
