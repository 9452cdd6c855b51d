"""``stepwell serve``: the store, the executor, the service and the HTTP face, put together.

Start-up order matters for durability: the database is opened and migrated, the executor recovers
(timers re-armed, in-flight calls failed, children restarted) and only then does the socket open.
Shutdown (SIGTERM, SIGINT) stops accepting requests, lets the executor commit what it holds,
and closes; anything not committed is recovered at the next start, as after a crash.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import signal
import socket
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

import uvicorn

from stepwell import arns
from stepwell.access_log import AccessLog, batch_into_root_stream
from stepwell.access_log import log as access_logger
from stepwell.api.app import create_app
from stepwell.api.hosts import HostPolicy
from stepwell.api.shapes import OPERATION_SHAPES, SHAPES
from stepwell.audit import AuditLog, Redaction
from stepwell.auth.guard import Guard
from stepwell.auth.identities import IdentitiesError, IdentitiesFile
from stepwell.events.delivery import EventDelivery
from stepwell.events.destinations import DestinationError, configured
from stepwell.execution_logs.delivery import Delivery
from stepwell.execution_logs.destination import sink_for
from stepwell.metrics import Metrics
from stepwell.runtime.executor import Executor
from stepwell.runtime.functions import FunctionRegistry
from stepwell.runtime.invokers.connections import ConnectionsFileError
from stepwell.runtime.invokers.lambda_remote import RemoteLambda
from stepwell.runtime.invokers.lambda_workers import LambdaWorkers
from stepwell.runtime.invokers.lambdas import Lambdas
from stepwell.runtime.invokers.router import Invokers, standard_invokers
from stepwell.runtime.mocks import MockConfig, MockConfigError
from stepwell.runtime.observers import counting
from stepwell.runtime.runtime import Runtime
from stepwell.runtime.store import Store, StoreError, open_store, safe_location
from stepwell.service import Service
from stepwell.stopping import DisconnectOnStop

log = logging.getLogger("stepwell")


class StartupError(Exception):
    """The server cannot start (port taken, database unusable, functions unloadable)."""


@dataclass
class Options:
    host: str = "127.0.0.1"
    # Listen on an address other hosts can reach although nothing checks who calls (no --auth).
    insecure_no_auth: bool = False
    auth: str | None = None  # the identities file: every API call signed (SigV4) and authorized (IAM)
    port: int = 8083
    db: str = "stepwell.db"
    account: str = arns.DEFAULT_ACCOUNT
    region: str = arns.DEFAULT_REGION
    wait_time_scale: float = 1.0
    sync_poll_seconds: float = 10.0  # the longest wait between two polls of a .sync job
    functions: list[str] = field(default_factory=list)
    max_history_events: int = 25_000  # 0: no limit (AWS fails an execution at 25,000 events)
    mock_config: str | None = None  # Step Functions Local's MockConfigFile
    connections: str | None = None  # EventBridge-style connections for http:invoke
    # where http:invoke may go (comma-separated); None: public addresses only (not loopback,
    # private, link-local or the server's own)
    http_allow: str | None = None
    allowed_hosts: str | None = None  # Host headers answered besides loopback names (api/hosts.py)
    function_workers: int | None = None  # Lambda worker processes (default: the CPU count)
    function_timeout: float = 60.0  # seconds, for every function (Lambda's is 3 s to 900 s)
    function_memory: int = 512  # MB per worker process
    node_lease: float = 15.0  # seconds without a renewal after which a node is dead (PostgreSQL)
    # Execution logs' JSON Lines files, when no CloudWatch Logs endpoint is set (execution_logs/).
    logs_dir: str | None = None
    audit_log: str | None = None  # the file the audit log is appended to (stepwell/audit.py)
    # Where status-change events go (stepwell/events; EVENTS_ENDPOINT in ``environ``: EventBridge too).
    events_webhooks: list[str] = field(default_factory=list)
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))


@dataclass
class Server:
    """A running stepwell: everything but the HTTP loop, so tests can embed it too."""

    options: Options
    store: Store
    runtime: Runtime
    executor: Executor
    service: Service
    execution_logs: Delivery | None = None
    guard: Guard | None = None  # with --auth
    events: EventDelivery | None = None  # None: no destination, no outbox rows

    def close(self) -> None:
        if self.events is not None:
            self.events.stop()  # its threads write through the executor
        self.executor.stop()
        if self.execution_logs is not None:
            self.execution_logs.close()  # what the last steps logged, written before the store closes
        self.runtime.close()
        self.store.close()  # a node gives its lease up: the others adopt what it leaves at once


def _folder_exists(path: str) -> bool:
    return Path(path).parent == Path() or Path(path).parent.is_dir()


def build(options: Options) -> Server:
    try:
        identities = IdentitiesFile(options.auth, options.account) if options.auth else None
        mocks = MockConfig.load(options.mock_config) if options.mock_config else None
        destinations = configured(options.events_webhooks, options.region, options.environ)
        invokers = _invokers(options)  # functions are loaded (and refused) before the database opens
    except (IdentitiesError, MockConfigError, ConnectionsFileError, DestinationError) as broken:
        raise StartupError(str(broken)) from None
    try:
        logs_sink = sink_for(region=options.region, environ=options.environ, logs_dir=options.logs_dir)
    except OSError as unusable:
        invokers.close()
        reason = unusable.strerror or unusable
        raise StartupError(f"cannot write execution logs under {options.logs_dir}: {reason}") from None
    store = open_store(options.db)
    try:
        if store.name == "sqlite" and not _folder_exists(options.db):
            raise StoreError(f"cannot open the database {options.db!r}: its folder does not exist")
        store.open()
    except StoreError as unusable:
        invokers.close()
        for destination in destinations:
            destination.close()
        raise StartupError(str(unusable)) from None
    metrics = Metrics(lambda: _running(store))
    runtime = Runtime(
        account=options.account,
        region=options.region,
        wait_time_scale=options.wait_time_scale,
        sync_poll_seconds=options.sync_poll_seconds,
        history_limit=options.max_history_events or None,
        functions=invokers.functions,
        invokers=invokers,
        mocks=mocks,
        node_lease=options.node_lease,
        metrics=metrics,
        observers=[counting(metrics)],
    )
    execution_logs = Delivery(store, logs_sink)
    runtime.observers.append(execution_logs)
    executor = Executor(store, runtime)
    _watch_queues(metrics, executor, runtime, store)
    events = None
    if destinations:  # set before the executor starts: its recovery may end executions
        events = runtime.status_events = EventDelivery(executor, destinations)
    executor.start()
    if events is not None:
        events.start()
    service = Service(store, executor, runtime)
    guard = None
    if identities is not None:
        # store.reader is the calling thread's connection: asked for on each read.
        tags = lambda arn: store.reader.tags(arn)  # noqa: E731
        guard = Guard(identities, region=options.region, account=options.account, resource_tags=tags)
    return Server(options, store, runtime, executor, service, execution_logs, guard, events)


def _running(store: Store) -> dict[str, int]:
    """RUNNING executions per state machine, as the store counts them (stepwell_open_executions)."""
    counts = store.reader.execution_counts()
    return {machine: by_status.get("RUNNING", 0) for machine, by_status in counts.items()}


def _watch_queues(metrics: Metrics, executor: Executor, runtime: Runtime, store: Store) -> None:
    """The server's queues as gauges read at each scrape: lengths read whole from the threads
    that change them, and one indexed count of the activity tasks from the store."""
    metrics.watch(
        "stepwell_executor_queued_work",
        "Work (API writes, task results, callbacks) waiting for the executor's next transaction.",
        (),
        lambda: {(): executor.queued},
    )
    metrics.watch(
        "stepwell_executor_timers", "Timers this node holds, due or not.", (), lambda: {(): executor.timers}
    )
    lanes = runtime.dispatcher.lanes if runtime.dispatcher is not None else {}
    metrics.watch(
        "stepwell_task_calls_waiting",
        "Function and service calls waiting for a place (lane workers: the function worker processes; "
        "threads: everything else).",
        ("lane",),
        lambda: {(name,): len(lane.waiting) for name, lane in lanes.items()},
    )
    metrics.watch(
        "stepwell_task_calls_running",
        "Function and service calls under way, by lane.",
        ("lane",),
        lambda: {(name,): lane.busy for name, lane in lanes.items()},
    )
    metrics.watch(
        "stepwell_activity_tasks_waiting",
        "Activity tasks scheduled and not yet taken by a worker's GetActivityTask, per activity.",
        ("activity_arn",),
        lambda: {(arn,): n for arn, n in store.reader.activity_tasks_waiting().items()},
    )


def _invokers(options: Options) -> Invokers:
    """Lambda-style functions in worker processes (and LAMBDA_ENDPOINT for the rest), http:invoke,
    and AWS services through boto3 at the endpoints the environment names (SQS_ENDPOINT, ...)."""
    environ = options.environ
    invokers = standard_invokers(  # a bad connections file is refused before any worker starts
        FunctionRegistry(region=options.region, account=options.account),
        region=options.region,
        environ=environ,
        connections=options.connections,
        http_allow=options.http_allow,
        server_host=options.host,  # http:invoke refuses the server's own addresses by default
    )
    local = None
    if options.functions:
        try:
            local = LambdaWorkers(
                options.functions,
                size=options.function_workers,
                timeout_seconds=options.function_timeout,
                memory_mb=options.function_memory,
                region=options.region,
                account=options.account,
            )
        except (OSError, RuntimeError, ValueError) as broken:
            raise StartupError(str(broken)) from None
    endpoint = environ.get("LAMBDA_ENDPOINT")
    remote = RemoteLambda(endpoint, options.region) if endpoint else None
    if local or remote:
        invokers.lambdas = Lambdas(local, remote, region=options.region, account=options.account)
    return invokers


def is_loopback(host: str) -> bool:
    """Whether ``host`` is an address only this machine reaches (``localhost``, 127.0.0.0/8,
    ``::1``); an unspecified address (0.0.0.0, ::), a LAN address or a name is not."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on connections whose socket says
    # TCP, and without it every keep-alive response waits ~40 ms for a delayed ACK (Nagle).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as taken:
        sock.close()
        raise StartupError(f"cannot listen on {host}:{port}: {taken.strerror}") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


class _Http(uvicorn.Server):
    """uvicorn's server, with one step before its graceful shutdown: open long polls are answered
    (GetActivityTask's empty task) and the console's live streams ended, instead of holding the
    shutdown for up to 60 s (or for ever) and being cancelled with a traceback."""

    def __init__(self, config: uvicorn.Config, before_shutdown: Callable[[], None]):
        super().__init__(config)
        self.before_shutdown = before_shutdown

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self.before_shutdown()
        await super().shutdown(sockets)


def serve(options: Options, *, access_log: bool = True) -> None:
    """Run until SIGTERM or SIGINT. Raises StartupError with a plain reason.

    Logs (logger ``stepwell``) the start-up and the stop at INFO and, with ``access_log``, one line
    per request (``stepwell.access``, see stepwell.access_log); the CLI sets the level."""
    # The HTTP loop and the executor hand work to each other many times per request; with the
    # default 5 ms switch interval each hand-over can wait that long for the GIL.
    sys.setswitchinterval(0.0005)
    if not options.auth and not options.insecure_no_auth and not is_loopback(options.host):
        raise StartupError(
            f"refusing to listen on {options.host}: the server checks no identity, so anyone who can "
            "reach the port could create, start, stop and read every state machine and execution. "
            "Give --auth FILE (STEPWELL_AUTH) to have every call signed and authorized, listen on a "
            "loopback address (the default, 127.0.0.1), or give --insecure-no-auth "
            "(STEPWELL_INSECURE_NO_AUTH=1) to accept that."
        )
    audit = _open_audit(options)
    try:
        sock = _listen(options.host, options.port)
        server = build(options)
    except BaseException:
        if audit is not None:
            audit.close()
        raise
    app = streams = DisconnectOnStop(
        create_app(
            server.service,
            HostPolicy.for_server(options.host, options.allowed_hosts),
            server.runtime.metrics,
            server.guard,
            audit,
        )
    )
    logged = access_log and access_logger.isEnabledFor(logging.INFO)
    access_lines = batch_into_root_stream() if logged else None
    config = uvicorn.Config(
        AccessLog(app) if logged else app,
        log_config=None,  # uvicorn's records go through the handlers the CLI configured
        log_level=logging.DEBUG if log.isEnabledFor(logging.DEBUG) else logging.WARNING,
        access_log=False,  # ours says more (the operation, the duration) and costs less
        lifespan="off",
        timeout_graceful_shutdown=5,
        server_header=False,  # AWS sends none; every header is one more line for the client to parse
    )

    def stopping() -> None:
        if access_lines is not None:
            access_lines.flush()  # the log reads in order: what was answered, then the stop
        log.info("stepwell stopping")
        server.service.activities.release_polls()
        streams.stop()

    http = _Http(config, stopping)
    _stop_on_signals(http)
    if server.guard is not None:
        _reload_on_sighup(server.guard)
        count = len(server.guard.identities.current.principals)
        log.info(
            "API calls must be signed by one of the %d principal(s) of %s (SIGHUP reloads it)",
            count,
            options.auth,
        )
    log.info(
        "stepwell listening on http://%s:%d (database %s, account %s, region %s)",
        options.host,
        options.port,
        (server.store.name == "sqlite" and Path(options.db).resolve()) or safe_location(options.db),
        options.account,
        options.region,
    )
    try:
        http.run(sockets=[sock])
    finally:
        server.close()
        sock.close()
        if audit is not None:
            audit.close()  # after the last request: every call answered is written
        if access_lines is not None:
            access_lines.flush()  # before the last line, which is not batched
        log.info("stepwell stopped")


def _open_audit(options: Options) -> AuditLog | None:
    if not options.audit_log:
        return None
    redaction = Redaction(SHAPES, OPERATION_SHAPES)  # the model walked once, here
    try:
        return AuditLog.open(options.audit_log, redaction, account=options.account, region=options.region)
    except OSError as cannot:
        raise StartupError(f"cannot open the audit log {options.audit_log!r}: {cannot.strerror}") from None


def _stop_on_signals(http: uvicorn.Server) -> None:
    """SIGTERM and SIGINT stop the server gracefully, once uvicorn runs and before too.

    uvicorn re-raises the signal that stopped it once it has shut down, to the handler that was in
    place before it started: with Python's defaults that kills the process (SIGTERM) or raises
    KeyboardInterrupt (SIGINT) before the executor has stopped. These handlers make that re-raise
    a no-op, so serve() closes the executor and the store and returns; a signal that arrives while
    uvicorn starts asks it to stop as soon as it runs."""

    def stop(signum: int, frame: FrameType | None) -> None:
        http.should_exit = True

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop)


def _reload_on_sighup(guard: Guard) -> None:
    """SIGHUP reads the identities file again (a file that cannot be used is logged and the old
    identities stay). The handler runs in the main thread, between two steps of the event loop, so
    no request is half-checked with the old identities and half with the new."""
    identities = guard.identities
    assert isinstance(identities, IdentitiesFile)

    def reload(signum: int, frame: FrameType | None) -> None:
        identities.reload()

    signal.signal(signal.SIGHUP, reload)
