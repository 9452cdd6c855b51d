"""``stepwell test-state``: TestState in process, its response printed as JSON.

    stepwell test-state --definition state.json --input '{"a": 1}' --inspection-level DEBUG
    stepwell test-state --definition machine.asl.json --state-name Charge --mock-result '{"ok": true}'
    cat state.json | stepwell test-state --definition - --mock-error Timeout --mock-cause slow

Exit status: 0 when the state SUCCEEDED, 1 when it FAILED, is RETRIABLE or CAUGHT_ERROR, 2 when the
request is refused (AWS's error code and message on stderr).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from stepwell import arns
from stepwell.errors import ServiceError
from stepwell.runtime import ids
from stepwell.runtime.functions import FunctionRegistry
from stepwell.runtime.invokers.connections import ConnectionsFileError
from stepwell.runtime.invokers.router import standard_invokers
from stepwell.service.test_state import call_through, run_test_state

EXIT_OK, EXIT_NOT_SUCCEEDED, EXIT_INVALID = 0, 1, 2


def add_test_state_command(commands: Any) -> None:
    parser = commands.add_parser(
        "test-state",
        help="test one state as AWS's TestState does (in process)",
        description=__doc__.splitlines()[0],
    )
    parser.add_argument(
        "--definition",
        required=True,
        metavar="FILE",
        help="a state, or a machine with --state-name (- for stdin)",
    )
    parser.add_argument("--state-name", help="the state of the machine to test")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--input", help="the state's input, as JSON text (default {})")
    source.add_argument("--input-file", metavar="FILE", help="a file holding the state's input")
    parser.add_argument("--inspection-level", choices=("INFO", "DEBUG", "TRACE"), default="INFO")
    parser.add_argument("--variables", metavar="JSON", help="the workflow variables the state reads")
    parser.add_argument("--context", metavar="JSON", help="the context object (with a mock)")
    mock = parser.add_mutually_exclusive_group()
    mock.add_argument("--mock-result", metavar="JSON", help="the mocked result (no call is made)")
    mock.add_argument("--mock-error", metavar="ERROR", help="the mocked error (no call is made)")
    parser.add_argument("--mock-cause", help="the mocked error's cause")
    parser.add_argument("--field-validation-mode", choices=("STRICT", "PRESENT", "NONE"))
    parser.add_argument("--retrier-retry-count", type=int, help="retries already made (stateConfiguration)")
    parser.add_argument("--reveal-secrets", action="store_true")
    parser.add_argument("--role-arn", default=arns.role_arn(arns.DEFAULT_ACCOUNT), help="the execution role")
    parser.add_argument(
        "--functions",
        action="append",
        default=[],
        metavar="MODULE.py",
        help="register every top-level f(event, context) of this file as Lambda function f",
    )
    parser.add_argument("--connections", default=os.environ.get("STEPWELL_CONNECTIONS"), metavar="FILE")
    parser.add_argument("--http-allow", default=os.environ.get("STEPWELL_HTTP_ALLOW"), metavar="LIST")
    parser.set_defaults(handler=run_command)


def run_command(args: argparse.Namespace) -> int:
    try:
        request = _request(args)
        registry = FunctionRegistry()
        for module in args.functions:
            registry.load_module(module)
        region = os.environ.get("AWS_DEFAULT_REGION", arns.DEFAULT_REGION)
        invokers = standard_invokers(
            registry,
            region=region,
            environ=os.environ,
            connections=args.connections,
            http_allow=args.http_allow,
        )
    except (OSError, SyntaxError, ImportError, ValueError, ConnectionsFileError) as broken:
        print(f"stepwell: {broken}", file=sys.stderr)
        return EXIT_INVALID
    try:
        response = run_test_state(
            request,
            account=arns.DEFAULT_ACCOUNT,
            region=region,
            now=time.time(),
            seed=ids.seed(),
            call_task=lambda call: call_through(invokers, time.time, call),
        )
    except ServiceError as refused:
        print(f"{refused.code}: {refused.message}", file=sys.stderr)
        return EXIT_INVALID
    finally:
        invokers.close()
    print(json.dumps(response, indent=2, ensure_ascii=False))
    return EXIT_OK if response["status"] == "SUCCEEDED" else EXIT_NOT_SUCCEEDED


def _request(args: argparse.Namespace) -> dict[str, Any]:
    """The TestState request the options describe (API member names, JSON members as text)."""
    definition = (
        sys.stdin.read() if args.definition == "-" else Path(args.definition).read_text(encoding="utf-8")
    )
    request: dict[str, Any] = {"definition": definition, "inspectionLevel": args.inspection_level}
    text = Path(args.input_file).read_text(encoding="utf-8") if args.input_file else args.input
    optional = {
        "input": text,
        "stateName": args.state_name,
        "variables": args.variables,
        "context": args.context,
        "roleArn": args.role_arn,
    }
    request.update({key: value for key, value in optional.items() if value is not None})
    if args.reveal_secrets:
        request["revealSecrets"] = True
    mock: dict[str, Any] = {}
    if args.mock_result is not None:
        mock["result"] = args.mock_result
    if args.mock_error is not None:
        mock["errorOutput"] = {"error": args.mock_error, "cause": args.mock_cause or ""}
    if mock:
        if args.field_validation_mode:
            mock["fieldValidationMode"] = args.field_validation_mode
        request["mock"] = mock
    if args.retrier_retry_count is not None:
        request["stateConfiguration"] = {"retrierRetryCount": args.retrier_retry_count}
    return request
