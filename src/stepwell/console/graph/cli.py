"""``stepwell graph FILE --format svg|dot|mermaid|json [--output F]``: export a definition's graph.

Exit status: 0 when written, 2 when the file cannot be read or the definition is invalid (AWS's
message on stderr, as ``stepwell run`` reports it).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from stepwell.asl.parse import parse_definition
from stepwell.console.graph.export import to_dot, to_json, to_mermaid
from stepwell.console.graph.svg import render_svg
from stepwell.errors import DefinitionError

EXIT_OK, EXIT_INVALID = 0, 2

FORMATS: dict[str, Callable[[str], str]] = {
    "svg": render_svg,
    "dot": to_dot,
    "mermaid": to_mermaid,
    "json": to_json,
}


def add_graph_command(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``graph`` on the ``stepwell`` command's subparsers (``argparse``'s
    ``add_subparsers()`` result); the handler is set as ``handler``, like the other commands'."""
    graph = subparsers.add_parser("graph", help="draw a definition's graph as SVG, DOT, Mermaid or JSON")
    graph.add_argument("file", help="the definition (.asl.json)")
    graph.add_argument("--format", choices=tuple(FORMATS), default="svg")
    graph.add_argument("--output", "-o", metavar="FILE", help="write here instead of standard output")
    graph.set_defaults(handler=run_graph_command)
    return graph


def run_graph_command(args: argparse.Namespace) -> int:
    try:
        definition = Path(args.file).read_text(encoding="utf-8")
    except OSError as unreadable:
        print(f"cannot read {args.file}: {unreadable.strerror}", file=sys.stderr)
        return EXIT_INVALID
    try:
        parse_definition(definition)  # validates as CreateStateMachine does
    except DefinitionError as invalid:
        print(invalid.aws_message(), file=sys.stderr)
        return EXIT_INVALID
    text = FORMATS[args.format](definition)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as unwritable:
            print(f"cannot write {args.output}: {unwritable.strerror}", file=sys.stderr)
            return EXIT_INVALID
    else:
        sys.stdout.write(text)
    return EXIT_OK
