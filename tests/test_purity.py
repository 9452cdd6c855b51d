"""asl/ and engine/ do no I/O, read no clock and draw no randomness (DESIGN.md: the pure core).

Every import in those packages must come from an allow-list of pure modules, and no call may
read the time or open a file. Time and random seeds reach the core only inside events.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "stepwell"
PURE_PACKAGES = ("asl", "engine")
# Pure modules outside the core, held to the same rules (they are tested as functions of values).
PURE_MODULES = ("execution_logs/records.py",)

# Pure standard-library modules, plus jsonata (the JSONata evaluator) and orjson (JSON text).
# threading is allowed for threading.local only: constructing a Thread is a forbidden call below;
# io for io.StringIO (csv reads a text in memory): open is a forbidden call too; zlib decompresses
# a gzip'd object given as bytes (an ItemReader's).
ALLOWED_MODULES = set(
    "__future__ abc ast base64 binascii bisect collections collections.abc contextlib copy csv dataclasses "
    "datetime decimal enum fractions functools hashlib heapq io itertools json math numbers operator re "
    "string struct threading types typing unicodedata zlib jsonata orjson re2 regex".split()
)
# pyarrow reads a Parquet object's bytes held in memory (io.BytesIO), on the calling thread
# (use_threads=False): pure computation (engine/item_reader/parquet.py). Only these two modules:
# pyarrow.fs, pyarrow.dataset and the like open files and sockets.
EXACT_MODULES = {"pyarrow", "pyarrow.parquet"}
FORBIDDEN_CALLS = set("now utcnow today time monotonic perf_counter urandom open sleep Thread".split())


def _modules() -> list[Path]:
    core = [p for package in PURE_PACKAGES for p in (SRC / package).rglob("*.py")]
    return sorted(core + [SRC / module for module in PURE_MODULES])


def _imports(tree: ast.AST) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_core_module_imports_only_pure_modules(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for name in _imports(tree):
        if name.startswith("stepwell."):
            layer = name.split(".")[1]
            assert layer in PURE_PACKAGES or name == "stepwell.errors", f"{path.name} imports {name}"
            continue
        root = name.split(".")[0]
        allowed = name in ALLOWED_MODULES or root in ALLOWED_MODULES or name in EXACT_MODULES
        assert allowed, f"{path.name} imports {name}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_core_module_reads_no_clock_and_opens_nothing(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            assert name not in FORBIDDEN_CALLS, f"{path.name}:{node.lineno} calls {name}()"


def test_the_check_sees_a_forbidden_import(tmp_path: Path) -> None:
    tree = ast.parse("import time\nfrom os import path\n")
    assert _imports(tree) == ["time", "os"]
    assert not {"time", "os"} & ALLOWED_MODULES
