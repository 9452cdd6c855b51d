"""``stepwell graph FILE --format ... [--output F]``: each format written, AWS's words for an invalid
definition, exit status 2 for what cannot be read or written."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from stepwell.console.graph.cli import EXIT_INVALID, EXIT_OK, FORMATS, add_graph_command
from tests.console.graph.fixtures import EXAMPLES


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="stepwell")
    add_graph_command(parser.add_subparsers(dest="command", required=True))
    return parser


@pytest.mark.parametrize("fmt", ["svg", "dot", "mermaid", "json"])
def test_cli_writes_each_format(fmt: str, tmp_path: Path) -> None:
    out = tmp_path / f"graph.{fmt}"
    args = _parser().parse_args(["graph", str(EXAMPLES[0]), "--format", fmt, "--output", str(out)])
    assert args.handler(args) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith({"svg": "<svg", "dot": "digraph", "mermaid": "flowchart TD", "json": "{"}[fmt])


def test_cli_refuses_an_invalid_definition_with_aws_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.asl.json"
    bad.write_text(json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}))
    args = _parser().parse_args(["graph", str(bad)])
    assert args.handler(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("Invalid State Machine Definition: ") and "MISSING_TRANSITION_TARGET" in err


def test_cli_reports_an_unreadable_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = _parser().parse_args(["graph", str(tmp_path / "missing.json")])
    assert args.handler(args) == 2
    assert "cannot read" in capsys.readouterr().err


def test_cli_in_a_subprocess_prints_svg_to_stdout() -> None:
    code = (
        "import argparse, sys\n"
        "from stepwell.console.graph.cli import add_graph_command\n"
        "p = argparse.ArgumentParser(); add_graph_command(p.add_subparsers())\n"
        "a = p.parse_args(sys.argv[1:]); sys.exit(a.handler(a))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "graph", str(EXAMPLES[0])], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("<svg") and 'data-state="' in done.stdout


def test_the_default_format_is_svg_on_standard_output(capsys: pytest.CaptureFixture[str]) -> None:
    args = _parser().parse_args(["graph", str(EXAMPLES[0])])
    assert args.format == "svg"
    assert args.handler(args) == EXIT_OK
    assert capsys.readouterr().out.startswith("<svg")


def test_an_unwritable_output_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = _parser().parse_args(["graph", str(EXAMPLES[0]), "-o", str(tmp_path / "no" / "such" / "dir.svg")])
    assert args.handler(args) == EXIT_INVALID
    assert capsys.readouterr().err.startswith(f"cannot write {tmp_path / 'no' / 'such' / 'dir.svg'}: ")


def test_an_unknown_format_is_refused_by_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        _parser().parse_args(["graph", "x.json", "--format", "png"])
    assert exited.value.code == 2
    assert "invalid choice: 'png'" in capsys.readouterr().err
    assert tuple(FORMATS) == ("svg", "dot", "mermaid", "json")
