"""An activity worker: long-polls ``GetActivityTask``, runs a Python handler, reports the result.

Works against any Step Functions endpoint (AWS or stepwell). Facts it relies on (API reference):

* "The maximum time the service holds on to the request before responding is 60 seconds. If no
  task is available within 60 seconds, the poll returns a taskToken with a null string." and
  "Workers should set their client side socket timeout to at least 65 seconds."
* ``SendTaskHeartbeat`` resets the state's HeartbeatSeconds clock.
* ``TaskTimedOut`` / ``TaskDoesNotExist`` / ``InvalidToken`` from ``SendTask*`` mean the task is
  closed: heartbeats stop and the result is dropped (the state has already failed or moved on).

A task taken from the service is never dropped silently: the handler's exception, an output that
is not JSON or that the service refuses all become ``SendTaskFailure``; a result that cannot be
delivered is logged as an error (the state then times out on the service side).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import (
    ClientError,
    HTTPClientError,
)
from botocore.exceptions import ConnectionError as BotoConnectionError

__all__ = ["ActivityWorker", "TaskContext", "current_task", "failure_of", "make_client"]

log = logging.getLogger(__name__)

# SendTaskFailure: "error ... Maximum length of 256", "cause ... Maximum length of 32768".
ERROR_MAX_CHARS = 256
CAUSE_MAX_CHARS = 32768
# GetActivityTask: "workerName ... Maximum length of 80".
WORKER_NAME_MAX_CHARS = 80
# Codes from SendTask* saying the task is closed: nothing more can be sent for it.
TASK_GONE_CODES = frozenset({"TaskTimedOut", "TaskDoesNotExist", "InvalidToken"})
# Codes worth sending again after a pause (botocore has already retried a few times by then).
_TRANSIENT_CODES = frozenset(
    "Throttling ThrottlingException TooManyRequestsException RequestLimitExceeded ServiceUnavailable "
    "InternalFailure InternalServerError KmsThrottlingException ActivityWorkerLimitExceeded".split()
)
_JOIN_SLICE_SECONDS = 0.1


@dataclass(frozen=True)
class _Outcome:
    """What the handler produced: output JSON text, or an (error, cause) pair."""

    output: str | None = None
    error: str = ""
    cause: str = ""


@dataclass
class TaskContext:
    """The task being run, as seen from inside a handler (``current_task()``)."""

    task_token: str
    activity_arn: str
    worker_name: str
    client: Any = field(repr=False)
    _gone: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def gone(self) -> bool:
        """True once the service said the task is closed (timed out, execution stopped): the
        result will be dropped, so a long handler may stop early."""
        return self._gone.is_set()

    def heartbeat(self) -> bool:
        """Send a heartbeat now. False if the task is gone; other errors propagate."""
        if self.gone:
            return False
        try:
            self.client.send_task_heartbeat(taskToken=self.task_token)
        except ClientError as exc:
            if error_code(exc) not in TASK_GONE_CODES:
                raise
            log.warning(
                "task %s is gone (%s): its result will be dropped", short(self.task_token), error_code(exc)
            )
            self._gone.set()
            return False
        return True


_current = threading.local()


def current_task() -> TaskContext:
    """The task the calling handler is running (handlers run in the poller's thread)."""
    context: TaskContext | None = getattr(_current, "context", None)
    if context is None:
        raise RuntimeError("current_task() is only available inside an activity handler")
    return context


def error_code(exc: ClientError) -> str:
    code = str(exc.response.get("Error", {}).get("Code", ""))
    return code.rsplit("#", 1)[-1]  # some JSON protocols send "namespace#Code"


def short(token: str) -> str:
    """A stable, non-secret name for a task token in logs (tokens are marked sensitive)."""
    return hashlib.sha256(token.encode()).hexdigest()[:10]


def failure_of(exc: BaseException) -> tuple[str, str]:
    """(error, cause) for SendTaskFailure: ``exc.error`` / ``exc.cause`` when the exception
    carries them as strings, else the class name and ``str(exc)``; truncated to AWS's limits."""
    error = getattr(exc, "error", None)
    cause = getattr(exc, "cause", None)
    error = error if isinstance(error, str) else type(exc).__name__
    cause = cause if isinstance(cause, str) else str(exc)
    return error[:ERROR_MAX_CHARS], cause[:CAUSE_MAX_CHARS]


def _is_transient(exc: Exception) -> bool:
    if isinstance(exc, HTTPClientError | BotoConnectionError):
        return True
    if isinstance(exc, ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return error_code(exc) in _TRANSIENT_CODES or int(status or 0) >= 500
    return False


def default_worker_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"[:WORKER_NAME_MAX_CHARS]


def make_client(
    activity_arn: str,
    *,
    endpoint_url: str | None = None,
    region_name: str | None = None,
    read_timeout: float = 65.0,
    max_pool_connections: int = 10,
    aws_access_key_id: str | None = None,
    aws_secret_access_key: str | None = None,
) -> Any:
    """A botocore Step Functions client fit for long polls; every request it sends is signed
    (SigV4), with the keys given, else the configured ones (AWS_ACCESS_KEY_ID, profiles, ...).

    The region defaults to the configured one, then to the activity ARN's. Against a custom
    endpoint with no keys given or configured, placeholder keys are used: botocore refuses to send
    unsigned requests, and a stepwell without ``--auth`` checks no signature (one with ``--auth``
    refuses them: give the keys of one of its principals).
    """
    import botocore.session
    from botocore.config import Config

    session = botocore.session.get_session()
    region = region_name or session.get_config_variable("region") or _region_of(activity_arn)
    credentials: dict[str, str] = {}
    if aws_access_key_id is not None or aws_secret_access_key is not None:
        if aws_access_key_id is None or aws_secret_access_key is None:
            raise ValueError("give both aws_access_key_id and aws_secret_access_key, or neither")
        credentials = {"aws_access_key_id": aws_access_key_id, "aws_secret_access_key": aws_secret_access_key}
    elif endpoint_url is not None and session.get_credentials() is None:
        credentials = {"aws_access_key_id": "stepwell", "aws_secret_access_key": "stepwell"}
    config = Config(
        read_timeout=read_timeout,
        connect_timeout=10,
        max_pool_connections=max_pool_connections,
        retries={"mode": "standard", "max_attempts": 3},
    )
    return session.create_client(
        "stepfunctions", region_name=region, endpoint_url=endpoint_url, config=config, **credentials
    )


def _region_of(activity_arn: str) -> str | None:
    parts = activity_arn.split(":")  # arn:aws:states:<region>:<account>:activity:<name>
    return (parts[3] or None) if len(parts) >= 7 else None


class ActivityWorker:
    """Polls one activity with ``concurrency`` threads; each runs the tasks it takes itself, so at
    most ``concurrency`` tasks run at once and no task is taken that could not start at once."""

    # Pauses, on the instance so tests (and impatient users) can shorten them.
    poll_backoff_seconds = 1.0
    poll_backoff_max_seconds = 30.0
    delivery_attempts = 5
    delivery_backoff_seconds = 1.0

    def __init__(
        self,
        activity_arn: str,
        handler: Callable[[Any], Any],
        *,
        client: Any = None,
        endpoint_url: str | None = None,
        region_name: str | None = None,
        worker_name: str | None = None,
        heartbeat_seconds: float | None = None,
        concurrency: int = 1,
        poll_timeout_seconds: float = 65.0,
        aws_access_key_id: str | None = None,
        aws_secret_access_key: str | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be >= 1, not {concurrency}")
        if heartbeat_seconds is not None and heartbeat_seconds <= 0:
            raise ValueError(f"heartbeat_seconds must be > 0, not {heartbeat_seconds}")
        given = (endpoint_url, region_name, aws_access_key_id, aws_secret_access_key)
        if client is not None and any(value is not None for value in given):
            raise ValueError("pass either client or endpoint_url/region_name/keys, not both")
        if client is None:
            # One connection per poller and one per heartbeat thread, plus handler heartbeats.
            client = make_client(
                activity_arn,
                endpoint_url=endpoint_url,
                region_name=region_name,
                read_timeout=poll_timeout_seconds,
                max_pool_connections=max(10, 2 * concurrency + 2),
                aws_access_key_id=aws_access_key_id,
                aws_secret_access_key=aws_secret_access_key,
            )
        else:
            _warn_if_short_read_timeout(client)
        self.activity_arn = activity_arn
        self.handler = handler
        self.client = client
        self.worker_name = (worker_name or default_worker_name())[:WORKER_NAME_MAX_CHARS]
        self.heartbeat_seconds = heartbeat_seconds
        self.concurrency = concurrency
        self._stopping = threading.Event()

    # -- lifecycle -------------------------------------------------------------------------

    def run(self, stop: threading.Event | None = None) -> None:
        """Poll until ``stop()`` is called (or ``stop`` is set), then return once the tasks in hand
        are finished. A poll in flight at that moment (up to 60 s) may still bring a task: it is
        run before returning. A stopped worker stays stopped."""
        threads = [
            threading.Thread(target=self._poll_loop, name=f"activity-poller-{i}", daemon=True)
            for i in range(self.concurrency)
        ]
        for thread in threads:
            thread.start()
        log.info(
            "worker %s polling %s with %d poller(s)", self.worker_name, self.activity_arn, self.concurrency
        )
        try:
            while alive := [t for t in threads if t.is_alive()]:
                if stop is not None and stop.is_set():
                    self._stopping.set()
                alive[0].join(_JOIN_SLICE_SECONDS)
        except BaseException:  # Ctrl-C: finish the tasks in hand, then let it through
            self.stop()
            for thread in threads:
                thread.join()
            raise
        log.info("worker %s stopped", self.worker_name)

    def stop(self) -> None:
        """Ask ``run()`` to return; does not wait (``run()`` does)."""
        self._stopping.set()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def _poll_loop(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            try:
                self.run_once()
                failures = 0
            except Exception as exc:
                failures += 1
                delay = min(self.poll_backoff_max_seconds, self.poll_backoff_seconds * 2 ** (failures - 1))
                level = logging.WARNING if _is_transient(exc) else logging.ERROR
                log.log(
                    level,
                    "GetActivityTask on %s failed (%s); polling again in %.1f s",
                    self.activity_arn,
                    exc,
                    delay,
                )
                self._stopping.wait(delay)

    # -- one task --------------------------------------------------------------------------

    def run_once(self) -> bool:
        """One poll; True if a task was taken (and processed). Poll errors propagate; nothing
        raised while processing the task does (it becomes SendTaskFailure or a log entry)."""
        response = self.client.get_activity_task(activityArn=self.activity_arn, workerName=self.worker_name)
        token = response.get("taskToken")
        if not token:
            log.debug("no task for %s", self.activity_arn)
            return False
        self._process(token, response.get("input"))
        return True

    def _process(self, token: str, input_text: str | None) -> None:
        log.info("task %s taken", short(token))
        context = TaskContext(token, self.activity_arn, self.worker_name, self.client)
        done = threading.Event()
        heartbeat = self._start_heartbeat(context, done)
        _current.context = context
        try:
            outcome = self._run_handler(token, input_text)
        finally:
            _current.context = None
            done.set()
        try:
            if context.gone:
                log.warning("task %s timed out while running: result dropped", short(token))
            else:
                self._deliver(token, outcome)
        finally:
            if heartbeat is not None:
                heartbeat.join()

    def _run_handler(self, token: str, input_text: str | None) -> _Outcome:
        try:
            output = self.handler(json.loads(input_text) if input_text is not None else None)
            # allow_nan=False: NaN/Infinity are not JSON and the service would refuse them.
            return _Outcome(output=json.dumps(output, separators=(",", ":"), allow_nan=False))
        except BaseException as exc:
            error, cause = failure_of(exc)
            log.warning("task %s failed: %s: %s", short(token), error, cause, exc_info=True)
            if not isinstance(exc, Exception):  # KeyboardInterrupt, SystemExit: report, then obey
                self._deliver(token, _Outcome(error=error, cause=cause))
                raise
            return _Outcome(error=error, cause=cause)

    # -- heartbeats ------------------------------------------------------------------------

    def _start_heartbeat(self, context: TaskContext, done: threading.Event) -> threading.Thread | None:
        if self.heartbeat_seconds is None:
            return None
        thread = threading.Thread(
            target=self._heartbeat_loop,
            args=(context, done, self.heartbeat_seconds),
            name=f"activity-heartbeat-{short(context.task_token)}",
            daemon=True,
        )
        thread.start()
        return thread

    @staticmethod
    def _heartbeat_loop(context: TaskContext, done: threading.Event, interval: float) -> None:
        while not done.wait(interval):
            try:
                if not context.heartbeat():
                    return
            except Exception as exc:  # a missed beat is not fatal: the next one may get through
                if not done.is_set():
                    log.warning("heartbeat for task %s failed: %s", short(context.task_token), exc)

    # -- results ---------------------------------------------------------------------------

    def _deliver(self, token: str, outcome: _Outcome) -> None:
        if outcome.output is not None:
            try:
                self._send(self.client.send_task_success, token, "SendTaskSuccess", output=outcome.output)
                return
            except Exception as exc:
                if _is_transient(exc):
                    log.error(
                        "SendTaskSuccess for task %s failed (%s): the task will time out", short(token), exc
                    )
                    return
                # Refused (InvalidOutput, output too large, ...): the state fails with the reason.
                log.error(
                    "SendTaskSuccess for task %s refused (%s): reporting a failure instead", short(token), exc
                )
                outcome = _refusal(exc)
        try:
            self._send(
                self.client.send_task_failure,
                token,
                "SendTaskFailure",
                error=outcome.error,
                cause=outcome.cause,
            )
        except Exception as exc:
            log.error("SendTaskFailure for task %s failed (%s): the task will time out", short(token), exc)

    def _send(self, call: Callable[..., Any], token: str, name: str, **fields: str) -> None:
        """Send a result, again after transient errors. A closed task is logged and dropped;
        other errors propagate."""
        for attempt in range(1, self.delivery_attempts + 1):
            try:
                call(taskToken=token, **fields)
                log.info("task %s: %s sent", short(token), name)
                return
            except ClientError as exc:
                if error_code(exc) in TASK_GONE_CODES:
                    # After a retry this may also mean an earlier attempt got through.
                    log.warning("task %s is gone (%s): %s dropped", short(token), error_code(exc), name)
                    return
                if not _is_transient(exc) or attempt == self.delivery_attempts:
                    raise
                failure: Exception = exc
            except (HTTPClientError, BotoConnectionError) as exc:
                if attempt == self.delivery_attempts:
                    raise
                failure = exc
            delay = self.delivery_backoff_seconds * 2 ** (attempt - 1)
            log.warning("%s for task %s failed (%s); again in %.1f s", name, short(token), failure, delay)
            time.sleep(delay)


def _refusal(exc: Exception) -> _Outcome:
    if isinstance(exc, ClientError):
        code, message = error_code(exc), str(exc.response.get("Error", {}).get("Message", "") or exc)
    else:
        code, message = type(exc).__name__, str(exc)
    return _Outcome(error=code[:ERROR_MAX_CHARS], cause=message[:CAUSE_MAX_CHARS])


def _warn_if_short_read_timeout(client: Any) -> None:
    config = getattr(getattr(client, "meta", None), "config", None)
    read_timeout = getattr(config, "read_timeout", None)
    if isinstance(read_timeout, int | float) and read_timeout < 65:
        log.warning(
            "client read_timeout is %s s: GetActivityTask holds a poll up to 60 s, so use >= 65 s",
            read_timeout,
        )
