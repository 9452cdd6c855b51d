"""Lambda-style functions in worker processes: real processes, real timeouts, real crashes."""

from __future__ import annotations

import base64
import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stepwell.asl.resources import parse_task_resource
from stepwell.runtime.invokers.base import TaskCall, TaskError
from stepwell.runtime.invokers.lambda_workers import FunctionSettings, LambdaWorkers

ARN = "arn:aws:lambda:us-east-1:123456789012:function:"
INVOKE = "arn:aws:states:::lambda:invoke"

FUNCTIONS = """
import ctypes
import logging
import os
import time


class CustomError(Exception):
    pass


def echo(event, context):
    return event


def double(event, context):
    return event["n"] * 2


def chatty(event, context):
    print("hello from", context.function_name)
    logging.getLogger("chatty").warning("a warning")
    return "quiet result"


def look(event, context):
    return {
        "function_name": context.function_name,
        "function_version": context.function_version,
        "invoked_function_arn": context.invoked_function_arn,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "aws_request_id": context.aws_request_id,
        "log_group_name": context.log_group_name,
        "log_stream_name": context.log_stream_name,
        "remaining": context.get_remaining_time_in_millis(),
    }


def boom(event, context):
    raise CustomError("it broke")


def raw_bytes(event, context):
    return b'"HelloWorld!"'


def not_json(event, context):
    return {1, 2}


def pid(event, context):
    return os.getpid()


def sleepy(event, context):
    if "pid_file" in event:
        with open(event["pid_file"], "w") as out:
            out.write(str(os.getpid()))
    time.sleep(event.get("seconds", 30))
    return "woke up"


def exits(event, context):
    os._exit(3)


def segfault(event, context):
    ctypes.string_at(0)


def hog(event, context):
    return len(bytearray(event["mb"] * 1024 * 1024))


def declared(event, context):
    time.sleep(5)


declared.timeout = 0.5
declared.memory_size = 256
"""


@pytest.fixture(scope="module")
def functions_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("lambda_workers") / "functions.py"
    path.write_text(FUNCTIONS, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def pool(functions_file: Path) -> Iterator[LambdaWorkers]:
    workers = LambdaWorkers(
        [functions_file],
        size=2,
        memory_mb=256,
        settings={"sleepy": FunctionSettings(timeout_seconds=1.0), "hog": FunctionSettings(memory_mb=200)},
    )
    yield workers
    workers.close()


def call(pool: LambdaWorkers, resource: str, payload: Any, **options: Any) -> Any:
    return pool.invoke(TaskCall(parse_task_resource(resource), payload, **options))


def failure(pool: LambdaWorkers, resource: str, payload: Any, **options: Any) -> TaskError:
    with pytest.raises(TaskError) as raised:
        call(pool, resource, payload, **options)
    return raised.value


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


# --- results -------------------------------------------------------------------------------------


@pytest.mark.parametrize("resource", [ARN + "double", ARN + "double:prod", "double"])
def test_a_function_arn_returns_the_raw_result(pool: LambdaWorkers, resource: str) -> None:
    assert call(pool, resource, {"n": 21}) == 42


def test_lambda_invoke_wraps_the_result(pool: LambdaWorkers) -> None:
    out = call(pool, INVOKE, {"FunctionName": ARN + "double:7", "Payload": {"n": 4}})
    assert out["Payload"] == 8
    assert out["StatusCode"] == 200
    assert out["ExecutedVersion"] == "$LATEST"
    request_id = out["SdkResponseMetadata"]["RequestId"]
    headers = out["SdkHttpMetadata"]["HttpHeaders"]
    assert (headers["x-amzn-RequestId"], headers["Content-Length"]) == (request_id, "1")  # the payload 8
    assert out["SdkHttpMetadata"]["HttpStatusCode"] == 200
    assert list(out) == ["ExecutedVersion", "Payload", "SdkHttpMetadata", "SdkResponseMetadata", "StatusCode"]


def test_lambda_invoke_payload_strings_are_raw_json(pool: LambdaWorkers) -> None:
    assert call(pool, INVOKE, {"FunctionName": "echo", "Payload": "0.5"})["Payload"] == 0.5
    assert call(pool, INVOKE, {"FunctionName": "echo", "Payload": "not json"})["Payload"] == "not json"
    assert call(pool, INVOKE, {"FunctionName": "echo"})["Payload"] == {}


def test_wait_for_task_token_calls_the_function_and_returns_its_wrapped_result(pool: LambdaWorkers) -> None:
    out = call(pool, INVOKE + ".waitForTaskToken", {"FunctionName": "echo", "Payload": {"token": "t"}})
    assert out["Payload"] == {"token": "t"}
    assert out["StatusCode"] == 200


def test_bytes_are_the_raw_response(pool: LambdaWorkers) -> None:
    assert call(pool, ARN + "raw_bytes", {}) == "HelloWorld!"


def test_log_type_tail_returns_the_invocations_output(pool: LambdaWorkers) -> None:
    out = call(pool, INVOKE, {"FunctionName": "chatty", "LogType": "Tail"})
    log = base64.b64decode(out["LogResult"]).decode()
    request_id = out["SdkResponseMetadata"]["RequestId"]
    assert log.startswith(f"START RequestId: {request_id} Version: $LATEST\nhello from chatty\n")
    assert f"END RequestId: {request_id}\nREPORT RequestId: {request_id}\tDuration: " in log
    assert out["Payload"] == "quiet result"


def test_the_context_object_looks_like_lambdas(pool: LambdaWorkers) -> None:
    seen = call(pool, INVOKE, {"FunctionName": "look"}, timeout_seconds=3)["Payload"]
    assert seen["function_name"] == "look"
    assert seen["function_version"] == "$LATEST"
    assert seen["invoked_function_arn"] == "arn:aws:lambda:us-east-1:123456789012:function:look"
    assert seen["memory_limit_in_mb"] == 256
    assert len(seen["aws_request_id"]) == 36
    assert seen["log_group_name"] == "/aws/lambda/look"
    assert "[$LATEST]" in seen["log_stream_name"]
    assert 2000 < seen["remaining"] <= 3000  # the state's TimeoutSeconds, smaller than the function's 60 s
    unbounded = call(pool, ARN + "look:prod", {})
    assert unbounded["invoked_function_arn"] == ARN + "look:prod"
    assert 59_000 < unbounded["remaining"] <= 60_000


def test_handler_attributes_declare_a_functions_limits(pool: LambdaWorkers) -> None:
    assert pool.limits("declared") == (0.5, 256)
    assert pool.limits("hog") == (60.0, 200)
    assert failure(pool, ARN + "declared", {}).error == "Sandbox.Timedout"


# --- failures ------------------------------------------------------------------------------------


def test_an_exception_is_the_python_runtimes_error(pool: LambdaWorkers) -> None:
    plain = failure(pool, ARN + "boom", {})
    assert plain.error == "CustomError"
    assert plain.cause.startswith('{"errorMessage": "it broke", "errorType": "CustomError", "requestId": ')
    cause = json.loads(plain.cause)
    assert len(cause["stackTrace"]) == 1
    assert cause["stackTrace"][0].endswith('in boom\n    raise CustomError("it broke")\n')
    wrapped = failure(pool, INVOKE, {"FunctionName": "boom"})
    assert wrapped.error == "CustomError"
    assert wrapped.cause.startswith('{"errorMessage":"it broke","errorType":"CustomError","requestId":')


def test_a_result_that_is_not_json_is_a_marshal_error(pool: LambdaWorkers) -> None:
    error = failure(pool, ARN + "not_json", {})
    assert error.error == "Runtime.MarshalError"
    assert json.loads(error.cause)["errorMessage"].startswith(
        "Unable to marshal response: Object of type set"
    )


def test_an_unknown_function_is_not_found(pool: LambdaWorkers) -> None:
    error = failure(pool, INVOKE, {"FunctionName": "nope"})
    assert error.error == "Lambda.ResourceNotFoundException"
    assert error.cause.startswith(
        "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope:$LATEST"
    )
    assert error.cause.endswith("; Proxy: null)")


def test_a_function_that_times_out_is_killed_and_its_worker_replaced(
    pool: LambdaWorkers, tmp_path: Path
) -> None:
    started = time.monotonic()
    pid_file = tmp_path / "pid"
    error = failure(pool, ARN + "sleepy", {"pid_file": str(pid_file)})
    assert 0.9 < time.monotonic() - started < 5
    assert error.error == "Sandbox.Timedout"
    body = json.loads(error.cause)
    assert body["errorType"] == "Sandbox.Timedout"
    assert body["errorMessage"].endswith(" Error: Task timed out after 1.00 seconds")
    assert error.cause.startswith('{"errorType":"Sandbox.Timedout","errorMessage":"RequestId: ')
    assert not alive(int(pid_file.read_text()))
    assert call(pool, ARN + "double", {"n": 1}) == 2


def test_a_runtime_that_exits_is_an_exit_error(pool: LambdaWorkers) -> None:
    error = failure(pool, INVOKE, {"FunctionName": "exits"})
    assert error.error == "Runtime.ExitError"
    assert json.loads(error.cause)["errorMessage"].endswith("Error: Runtime exited with error: exit status 3")
    assert call(pool, ARN + "double", {"n": 2}) == 4


def test_a_segfault_is_an_exit_error(pool: LambdaWorkers) -> None:
    error = failure(pool, ARN + "segfault", {})
    assert error.error == "Runtime.ExitError"
    assert "Runtime exited with error: signal: segmentation fault" in error.cause
    assert call(pool, ARN + "double", {"n": 3}) == 6


def test_a_worker_killed_from_outside_mid_call(pool: LambdaWorkers, tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"

    def kill_when_started() -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if pid_file.exists() and pid_file.read_text():
                os.kill(int(pid_file.read_text()), signal.SIGKILL)
                return
            time.sleep(0.01)

    killer = threading.Thread(target=kill_when_started)
    killer.start()
    error = failure(pool, ARN + "sleepy", {"pid_file": str(pid_file), "seconds": 0.8})
    killer.join()
    assert error.error == "Runtime.ExitError"
    assert json.loads(error.cause)["errorMessage"].endswith("Runtime exited with error: signal: killed")
    assert call(pool, ARN + "double", {"n": 4}) == 8


def test_a_function_over_its_memory_limit(pool: LambdaWorkers) -> None:
    error = failure(pool, ARN + "hog", {"mb": 400})
    assert error.error == "Runtime.OutOfMemory"
    assert json.loads(error.cause)["errorMessage"].endswith(
        "Error: Runtime exited with error: signal: killed"
    )
    assert call(pool, ARN + "hog", {"mb": 20}) == 20 * 1024 * 1024


# --- processes -----------------------------------------------------------------------------------


def test_output_goes_to_the_log_prefixed_never_into_results(functions_file: Path, tmp_path: Path) -> None:
    log = tmp_path / "log"
    with log.open("w") as stderr, LambdaWorkers([functions_file], size=1, stderr=stderr) as workers:
        assert call(workers, ARN + "chatty", {}) == "quiet result"
    lines = log.read_text().splitlines()
    assert "[chatty] hello from chatty" in lines
    assert "[chatty] [WARNING]\ta warning" in lines


def test_many_threads_share_the_pool(pool: LambdaWorkers) -> None:
    results: dict[int, Any] = {}
    pids: set[int] = set()

    def work(start: int) -> None:
        for n in range(start, start + 25):
            results[n] = call(pool, ARN + "double", {"n": n})
            pids.add(call(pool, ARN + "pid", {}))

    threads = [threading.Thread(target=work, args=(i * 25,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {n: n * 2 for n in range(300)}
    assert 1 <= len(pids) <= pool.size


def test_close_leaves_no_processes(functions_file: Path) -> None:
    workers = LambdaWorkers([functions_file], size=3, prestart=True)
    pids = [worker.process.pid for worker in workers._all]
    assert len(pids) == 3
    errors: list[str] = []

    def wait_for_sleepy() -> None:
        try:
            call(workers, ARN + "sleepy", {})
        except TaskError as error:
            errors.append(error.error)

    busy = threading.Thread(target=wait_for_sleepy)
    busy.start()
    time.sleep(0.2)
    workers.close()
    busy.join(5)
    assert not busy.is_alive()
    assert errors == ["Runtime.ExitError"]  # its worker was stopped mid-call
    assert not any(alive(pid) for pid in pids)
    assert failure(workers, ARN + "double", {"n": 1}).cause == "The Lambda worker pool is closed."


def test_a_functions_directory_loads_every_module(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("def first(event, context):\n    return 1\n")
    (tmp_path / "b.py").write_text("import helper\ndef second(event, context):\n    return helper.VALUE\n")
    (tmp_path / "helper.py").write_text("VALUE = 2\ndef not_a_handler(x):\n    return x\n")
    with LambdaWorkers([tmp_path], size=1) as workers:
        assert workers.function_names == {"first", "second"}
        assert call(workers, "first", {}) == 1
        assert call(workers, "second", {}) == 2


def test_a_module_that_does_not_load_fails_at_once(tmp_path: Path) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("def handler(event, context):\n    return (\n")
    with pytest.raises(RuntimeError, match=r"cannot load functions from .*broken\.py: SyntaxError"):
        LambdaWorkers([broken], size=1)


def test_only_lambda_resources(pool: LambdaWorkers) -> None:
    assert failure(pool, "arn:aws:states:::sqs:sendMessage", {}).error == "States.TaskFailed"
