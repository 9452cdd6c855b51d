"""The ``stepwell`` command: ``serve`` the API and console, ``run`` and ``validate`` a state machine in
process, ``graph`` it (SVG, DOT, Mermaid, JSON), ``test-state`` one state as TestState does, ``db migrate``,
``db purge`` or ``db backup`` the database.

Exit status of ``run``: 0 when the execution SUCCEEDED, 1 when it FAILED, TIMED_OUT or was
ABORTED, 2 when the definition or the input is invalid (AWS's message on stderr).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from stepwell.arns import DEFAULT_ACCOUNT, DEFAULT_REGION
from stepwell.asl.parse import parse_definition
from stepwell.asl.validate import validate_definition
from stepwell.console.graph.cli import add_graph_command
from stepwell.errors import DefinitionError
from stepwell.log_format import use_json
from stepwell.runtime.functions import FunctionRegistry
from stepwell.runtime.invokers.connections import ConnectionsFileError
from stepwell.runtime.invokers.router import standard_invokers
from stepwell.runtime.local import ExecutionResult, LocalRunner
from stepwell.runtime.mocks import ENVIRONMENT_VARIABLE as MOCK_VARIABLE
from stepwell.runtime.mocks import MockConfig, MockConfigError, TestCase, UnknownTestCase
from stepwell.runtime.store.command import DB_HELP, add_db_command
from stepwell.server import Options, StartupError, serve
from stepwell.service.test_state.command import add_test_state_command

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
FALSE_WORDS = ("0", "false", "no", "off")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except BrokenPipeError:  # e.g. `stepwell validate ... | head`
        _drop_stdout()
        return EXIT_OK


def _drop_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's flush at exit does not fail again
    (it would print "Exception ignored" and exit with status 120)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="stepwell", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run a state machine definition in process")
    run.add_argument("file", help="the definition (.asl.json)")
    source = run.add_mutually_exclusive_group()
    source.add_argument("--input", help="the execution input, as JSON text (default {})")
    source.add_argument("--input-file", help="a file holding the execution input")
    run.add_argument(
        "--functions",
        action="append",
        default=[],
        metavar="MODULE.py",
        help="register every top-level f(event, context) of this file as Lambda function f",
    )
    run.add_argument(
        "--wait-time-scale",
        type=float,
        default=1.0,
        help="multiply Wait and Retry delays by this (0: no waiting)",
    )
    run.add_argument(
        "--name", help="the state machine's name, which mock files are keyed by (default: the file's stem)"
    )
    run.add_argument("--execution-name", help="the execution name (default: random)")
    run.add_argument(
        "--mock-config",
        default=os.environ.get(MOCK_VARIABLE),
        metavar="FILE",
        help=f"Step Functions Local's MockConfigFile (default: ${MOCK_VARIABLE})",
    )
    run.add_argument("--test-case", help="run this test case of the mock configuration")
    run.add_argument(
        "--connections",
        default=os.environ.get("STEPWELL_CONNECTIONS"),
        metavar="FILE",
        help="EventBridge-style connections for http:invoke's ConnectionArn",
    )
    run.add_argument(
        "--http-allow",
        default=os.environ.get("STEPWELL_HTTP_ALLOW"),
        metavar="LIST",
        help="where http:invoke may call: hosts, URL prefixes, CIDRs or * (default: public addresses only)",
    )
    run.add_argument("--format", choices=("text", "json"), default="text")
    run.set_defaults(handler=_run)

    serve = commands.add_parser("serve", help="run the Step Functions API server (SQLite, durable)")
    env = os.environ.get
    serve.add_argument("--host", default=env("STEPWELL_HOST", "127.0.0.1"))
    serve.add_argument(
        "--insecure-no-auth",
        action="store_true",
        default=env("STEPWELL_INSECURE_NO_AUTH", "") not in ("", "0", "false"),
        help="listen on a non-loopback --host although the server checks no identity (see --auth)",
    )
    serve.add_argument(
        "--auth",
        default=env("STEPWELL_AUTH") or None,
        metavar="FILE",
        help="identities (access keys and IAM policies): every API call must be signed (SigV4) by one "
        "and allowed by its policies; SIGHUP reloads the file (env STEPWELL_AUTH)",
    )
    serve.add_argument("--port", type=int, default=int(env("STEPWELL_PORT", "8083")))
    serve.add_argument("--db", default=env("STEPWELL_DB", "stepwell.db"), help=DB_HELP)
    serve.add_argument(
        "--node-lease",
        type=float,
        default=float(env("STEPWELL_NODE_LEASE", "15")),
        metavar="SECONDS",
        help="on PostgreSQL, a node that has not renewed its lease for this long is dead: another node "
        "takes over its timers and calls (default 15)",
    )
    serve.add_argument("--account", default=env("AWS_ACCOUNT_ID", DEFAULT_ACCOUNT))
    serve.add_argument("--region", default=env("AWS_DEFAULT_REGION", DEFAULT_REGION))
    serve.add_argument("--wait-time-scale", type=float, default=float(env("WAIT_TIME_SCALE", "1")))
    serve.add_argument(
        "--sync-poll-seconds",
        type=float,
        default=float(env("STEPWELL_SYNC_POLL_SECONDS", "10")),
        metavar="SECONDS",
        help="the longest wait between two polls of a .sync job (Batch, ECS, Glue, ...); default 10",
    )
    serve.add_argument(
        "--functions",
        action="append",
        default=[f for f in env("STEPWELL_FUNCTIONS", "").split(os.pathsep) if f],
        metavar="MODULE.py",
        help="register every top-level f(event, context) of this file as Lambda function f",
    )
    serve.add_argument(
        "--function-workers",
        type=int,
        default=int(env("STEPWELL_FUNCTION_WORKERS", "0")) or None,
        help="worker processes that run the functions (default: the CPU count)",
    )
    serve.add_argument(
        "--function-timeout",
        type=float,
        default=float(env("STEPWELL_FUNCTION_TIMEOUT", "60")),
        help="seconds a function may run before its worker is stopped (Sandbox.Timedout)",
    )
    serve.add_argument(
        "--function-memory",
        type=int,
        default=int(env("STEPWELL_FUNCTION_MEMORY", "512")),
        help="MB of memory each function worker may use",
    )
    serve.add_argument(
        "--connections",
        default=env("STEPWELL_CONNECTIONS"),
        metavar="FILE",
        help="EventBridge-style connections (API key, basic, OAuth) for http:invoke's ConnectionArn",
    )
    serve.add_argument(
        "--http-allow",
        default=env("STEPWELL_HTTP_ALLOW"),
        metavar="LIST",
        help=(
            "where http:invoke may call: hosts, URL prefixes, CIDRs or *, comma-separated (default: public "
            "addresses only; loopback, private, link-local and this server's addresses need naming)"
        ),
    )
    serve.add_argument(
        "--allowed-hosts",
        default=env("STEPWELL_ALLOWED_HOSTS"),
        metavar="LIST",
        help="Host headers the server answers besides localhost, 127.0.0.1 and [::1], comma-separated: "
        "names, .domain (and its subdomains), addresses or * (default: loopback names only when bound "
        "to a loopback address, any host otherwise)",
    )
    serve.add_argument(
        "--events-webhook",
        action="append",
        default=[url for url in env("STEPWELL_EVENTS_WEBHOOKS", "").split(",") if url.strip()],
        metavar="URL",
        help="POST every Standard execution's status change to this URL, as EventBridge's \"Step Functions "
        'Execution Status Change" event, at least once (repeatable; env STEPWELL_EVENTS_WEBHOOKS, '
        "comma-separated; EVENTS_ENDPOINT set: to EventBridge's PutEvents there too)",
    )
    serve.add_argument(
        "--mock-config",
        default=env(MOCK_VARIABLE),
        metavar="FILE",
        help="Step Functions Local's MockConfigFile: StartExecution on <stateMachineArn>#<TestCase> "
        f"runs a test case (env {MOCK_VARIABLE})",
    )
    serve.add_argument(
        "--logs-dir",
        default=env("STEPWELL_LOGS_DIR"),
        metavar="DIR",
        help="write the execution logs state machines ask for (loggingConfiguration) as JSON Lines "
        "files here, one per log group, when no CloudWatch Logs endpoint (LOGS_ENDPOINT) is set",
    )
    serve.add_argument(
        "--max-history-events",
        type=int,
        default=int(env("STEPWELL_MAX_HISTORY_EVENTS", "25000")),
        help="fail an execution when its history reaches this many events, as AWS does (0: no limit)",
    )
    serve.add_argument(
        "--log-level",
        type=str.upper,
        choices=LOG_LEVELS,
        default=env("STEPWELL_LOG_LEVEL", "INFO").upper(),
        help="the least severe messages logged to stderr (default INFO: start-up, stop, access log)",
    )
    serve.add_argument(
        "--log-format",
        choices=("text", "json"),
        default=env("STEPWELL_LOG_FORMAT", "text").lower(),
        help="text lines, or one JSON object per line (time, level, logger, message, access fields)",
    )
    serve.add_argument(
        "--access-log",
        action=argparse.BooleanOptionalAction,
        default=env("STEPWELL_ACCESS_LOG", "1").lower() not in FALSE_WORDS,
        help="log one line per request at INFO: client, method, path, operation, status, duration",
    )
    serve.add_argument(
        "--audit-log",
        default=env("STEPWELL_AUDIT_LOG") or None,
        metavar="FILE",
        help="append one CloudTrail-shaped JSON record per API call to FILE (sensitive members hidden)",
    )
    serve.set_defaults(handler=_serve)

    validate = commands.add_parser(
        "validate", help="check a definition as ValidateStateMachineDefinition does"
    )
    validate.add_argument("file")
    validate.add_argument("--type", choices=("STANDARD", "EXPRESS"), default="STANDARD")
    validate.add_argument("--format", choices=("text", "json"), default="text")
    validate.set_defaults(handler=_validate)
    add_graph_command(commands)
    add_test_state_command(commands)
    add_db_command(commands)
    return parser


def _serve(args: argparse.Namespace) -> int:
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if args.log_format == "json":
        use_json()
    # Fields the format does not show, gathered for every record (one per request with the access
    # log) unless turned off: "set logging.logThreads to False" (the logging HOWTO, Optimization).
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    if (missing := _missing_functions(args.functions)) is not None:
        print(f"stepwell: {missing}", file=sys.stderr)
        return EXIT_INVALID
    options = Options(
        host=args.host,
        insecure_no_auth=args.insecure_no_auth,
        auth=args.auth,
        port=args.port,
        db=args.db,
        account=args.account,
        region=args.region,
        wait_time_scale=args.wait_time_scale,
        sync_poll_seconds=args.sync_poll_seconds,
        functions=args.functions,
        max_history_events=args.max_history_events,
        mock_config=args.mock_config,
        connections=args.connections,
        http_allow=args.http_allow,
        allowed_hosts=args.allowed_hosts,
        function_workers=args.function_workers,
        function_timeout=args.function_timeout,
        function_memory=args.function_memory,
        node_lease=args.node_lease,
        logs_dir=args.logs_dir,
        audit_log=args.audit_log,
        events_webhooks=[url.strip() for url in args.events_webhook],
    )
    try:
        serve(options, access_log=args.access_log)
    except StartupError as cannot:
        print(f"stepwell: {cannot}", file=sys.stderr)
        return EXIT_INVALID
    return EXIT_OK


def _missing_functions(paths: list[str]) -> str | None:
    """Said at start-up, before any worker starts: a path that is not there."""
    for path in paths:
        if not Path(path).exists():
            return f"cannot load functions from {path}: no such file or folder"
    return None


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as unreadable:
        print(f"cannot read {path}: {unreadable.strerror}", file=sys.stderr)
        return None


def _run(args: argparse.Namespace) -> int:
    definition = _read(args.file)
    if definition is None:
        return EXIT_INVALID
    try:
        machine = parse_definition(definition)
    except DefinitionError as invalid:
        print(invalid.aws_message(), file=sys.stderr)
        return EXIT_INVALID
    try:
        text = Path(args.input_file).read_text(encoding="utf-8") if args.input_file else (args.input or "{}")
        execution_input = json.loads(text)
    except (OSError, ValueError) as bad:
        print(f"Invalid State Machine Execution Input: '{bad}'", file=sys.stderr)
        return EXIT_INVALID
    if (missing := _missing_functions(args.functions)) is not None:
        print(f"stepwell: {missing}", file=sys.stderr)
        return EXIT_INVALID
    registry = FunctionRegistry()
    for module in args.functions:
        try:
            registry.load_module(module)
        except (OSError, SyntaxError, ImportError, ValueError) as broken:
            print(f"cannot load functions from {module}: {broken}", file=sys.stderr)
            return EXIT_INVALID
    machine_name = args.name or _machine_name(args.file)
    try:
        case = _test_case(args.mock_config, args.test_case, machine_name)
    except (MockConfigError, UnknownTestCase) as refused:
        print(f"stepwell: {refused}", file=sys.stderr)
        return EXIT_INVALID
    try:
        invokers = standard_invokers(
            registry,
            region=os.environ.get("AWS_DEFAULT_REGION", DEFAULT_REGION),
            environ=os.environ,
            connections=args.connections,
            http_allow=args.http_allow,
        )
    except ConnectionsFileError as broken:
        print(f"stepwell: {broken}", file=sys.stderr)
        return EXIT_INVALID
    runner = LocalRunner(registry, wait_time_scale=args.wait_time_scale, test_case=case, invokers=invokers)
    result = runner.run(
        machine,
        execution_input,
        machine_name=machine_name,
        execution_name=args.execution_name,
        input_text=text,
    )
    status = EXIT_OK if result.status == "SUCCEEDED" else EXIT_FAILED
    try:
        if args.format == "json":
            print(json.dumps(_result_json(result), indent=2, ensure_ascii=False))
        else:
            _print_text(result)
        sys.stdout.flush()  # here, not at exit, where a broken pipe would change the exit status
    except BrokenPipeError:  # `stepwell run ... | head`: the reader has what it wanted
        _drop_stdout()
    return status  # the run's outcome, whatever became of its output


def _test_case(mock_config: str | None, case: str | None, machine_name: str) -> TestCase | None:
    if case is None:
        return None
    if mock_config is None:
        raise UnknownTestCase(
            f"--test-case {case} needs a mock configuration (--mock-config or ${MOCK_VARIABLE})"
        )
    return MockConfig.load(mock_config).test_case(machine_name, case)


def _validate(args: argparse.Namespace) -> int:
    definition = _read(args.file)
    if definition is None:
        return EXIT_INVALID
    diagnostics = validate_definition(definition, args.type)
    failed = any(d.severity == "ERROR" for d in diagnostics)
    result = {
        "result": "FAIL" if failed else "OK",
        "diagnostics": [d.to_json() for d in diagnostics],
        "truncated": False,
    }
    if args.format == "json":
        print(json.dumps(result, indent=2))
    else:
        print(result["result"])
        for d in diagnostics:
            print(f"{d.severity} {d.code} at {d.location or '/'}: {d.message}")
    return EXIT_INVALID if failed else EXIT_OK


def _machine_name(path: str) -> str:
    name = Path(path).name
    for suffix in (".asl.json", ".json", ".asl"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def iso(epoch_seconds: float) -> str:
    return datetime.fromtimestamp(epoch_seconds, UTC).isoformat()


def history_json(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Events as GetExecutionHistory returns them, timestamps as ISO-8601 strings."""
    return [{**event, "timestamp": iso(event["timestamp"])} for event in events]


def _result_json(result: ExecutionResult) -> dict[str, Any]:
    return {
        "status": result.status,
        "output": result.output,
        "error": result.error,
        "cause": result.cause,
        "executionArn": result.execution_arn,
        "events": history_json(result.events),
    }


def _print_text(result: ExecutionResult) -> None:
    print(f"status: {result.status}")
    if result.status == "SUCCEEDED":
        print(f"output: {json.dumps(result.output, ensure_ascii=False)}")
    else:
        print(f"error:  {result.error}")
        print(f"cause:  {result.cause}")
    print()
    start = result.events[0]["timestamp"] if result.events else 0.0
    print(f"{'id':>5} {'prev':>5}  {'elapsed ms':>10}  {'type':<28} step")
    for event in result.events:
        details: dict[str, Any] = next((v for k, v in event.items() if k.endswith("EventDetails")), {})
        step = details.get("name", "") if isinstance(details, dict) else ""
        elapsed = (event["timestamp"] - start) * 1000
        print(f"{event['id']:>5} {event['previousEventId']:>5}  {elapsed:>10.1f}  {event['type']:<28} {step}")


if __name__ == "__main__":
    sys.exit(main())
