"""Imports point down only (DESIGN.md): asl -> engine -> runtime -> service -> faces.

Each top-level package or module of ``stepwell`` is a unit with a rank; a unit may import itself,
a unit of lower rank, or a leaf. Units of the same rank (the faces) do not import each other,
except along the edges listed in FACE_EDGES. test_purity.py holds the other rule of the core
(no I/O, no clock, no randomness); this file holds only the direction.

Imports under ``if TYPE_CHECKING:`` and inside functions count: a type is a dependency too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "stepwell"

RANKS: dict[str, int] = {
    "asl": 0,  # the language
    "engine": 1,  # the pure interpreter
    "runtime": 2,  # clocks, threads, sockets, the store, the invokers
    "service": 3,  # the use cases, shared by every face
    "execution_logs": 3,  # an observer of the runtime's commits, beside the service (server wires it)
    "auth": 3,  # who calls and what they may do (SigV4, IAM policies): decided for every face
    "audit": 3,  # the record of who called what, written by every face (the API's, the console's)
    # The faces: translate, never decide.
    "api": 4,
    "console": 4,
    "sdk": 4,  # the worker library: talks to the API over HTTP like any client
    "access_log": 4,  # the server's ASGI plumbing (the access log, ending streams at shutdown)
    "log_format": 4,  # --log-format json
    "stopping": 4,
    "events": 4,  # status-change events out to webhooks and EventBridge, from the runtime's outbox
    "server": 5,  # puts the app together: api (which mounts the console), runtime, service
    "cli": 6,  # runs the server, the local runner and the graph command
}
# Usable by every unit, and importing no other unit: AWS's error names and the error tree, ARNs,
# the metrics the runtime counts and the API serves, and the secret that never prints itself.
LEAVES = frozenset({"errors", "arns", "metrics", "secret", "__init__"})

# Face-to-face imports that are the design, not a slip: (importing module, imported module).
FACE_EDGES: dict[tuple[str, str], str] = {
    ("stepwell.api.app", "stepwell.console.app"): "the API's app serves the console's pages at its address",
}

# Imports against the direction in today's code, each to be removed by the change that fixes it
# (then the stale-entry test below asks for its line here to go too). (module, imported module).
KNOWN_EXCEPTIONS: dict[tuple[str, str], str] = {}


def _module_name(path: Path) -> str:
    parts = ["stepwell", *path.relative_to(SRC).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _unit(module: str) -> str | None:
    """The unit of a ``stepwell`` module ("stepwell.asl.paths" -> "asl"); None outside stepwell."""
    parts = module.split(".")
    if parts[0] != "stepwell":
        return None
    return parts[1] if len(parts) > 1 else "__init__"


def imported_modules(tree: ast.AST, module: str, is_package: bool) -> list[tuple[int, str]]:
    """(line, module) for every stepwell module ``tree`` imports, relative imports resolved.
    ``from stepwell import arns`` names the module ``stepwell.arns``."""
    package = module if is_package else module.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module or ""
            if source == "stepwell":
                found += [(node.lineno, f"stepwell.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, source))
    return [(line, name) for line, name in found if _unit(name) is not None]


def violations(tree: ast.AST, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, imported module) of each import of ``module`` that points up or across."""
    own = _unit(module)
    assert own is not None and (own in RANKS or own in LEAVES), f"{module}: a unit with no rank"
    out = []
    for line, target in imported_modules(tree, module, is_package):
        unit = _unit(target)
        assert unit is not None
        if unit == own or unit in LEAVES:
            continue
        if own in LEAVES:  # a leaf imports nothing of stepwell but other leaves
            out.append((line, target))
        elif unit not in RANKS:
            out.append((line, target))  # a new unit: give it a rank first
        elif RANKS[unit] > RANKS[own] or (RANKS[unit] == RANKS[own] and not _face_edge(module, target)):
            out.append((line, target))
    return out


def _face_edge(module: str, target: str) -> bool:
    return any(
        module == source and (target == sink or target.startswith(sink + ".")) for source, sink in FACE_EDGES
    )


def _sources() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def _violations_of(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return violations(tree, _module_name(path), path.name == "__init__.py")


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(SRC)))
def test_imports_point_down(path: Path) -> None:
    module = _module_name(path)
    found = [
        f"{path.relative_to(SRC)}:{line} imports {target}"
        for line, target in _violations_of(path)
        if (module, target) not in KNOWN_EXCEPTIONS
    ]
    assert not found, "\n".join(found)


def test_every_known_exception_still_exists() -> None:
    present = {(_module_name(path), target) for path in _sources() for _, target in _violations_of(path)}
    stale = [
        f"{module} -> {target}" for module, target in KNOWN_EXCEPTIONS if (module, target) not in present
    ]
    assert not stale, "fixed: remove from KNOWN_EXCEPTIONS: " + ", ".join(stale)


def test_every_unit_has_a_rank() -> None:
    units = {_unit(_module_name(path)) for path in _sources()}
    assert units <= set(RANKS) | LEAVES, units - set(RANKS) - LEAVES


# ---- the check itself -----------------------------------------------------------------------


def _check(source: str, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    return violations(ast.parse(source), module, is_package)


def test_the_check_sees_an_import_pointing_up() -> None:
    source = "from stepwell.service import Service\nimport stepwell.api.app\nfrom stepwell.asl import model\n"
    assert _check(source, "stepwell.runtime.driver") == [(1, "stepwell.service"), (2, "stepwell.api.app")]
    assert _check("from stepwell.engine.history import to_json\n", "stepwell.asl.paths.errors") == [
        (1, "stepwell.engine.history")
    ]


def test_the_check_sees_a_face_importing_another_face() -> None:
    assert _check("from stepwell.api.protocol import ApiError\n", "stepwell.console.web") == [
        (1, "stepwell.api.protocol")
    ]
    assert _check("from stepwell.console.app import console\n", "stepwell.api.app") == []  # FACE_EDGES
    assert _check("from stepwell.console.web import Web\n", "stepwell.api.app") == [
        (1, "stepwell.console.web")
    ]
    assert _check("from stepwell.api.app import create_app\n", "stepwell.server") == []  # server ranks above


def test_the_check_resolves_relative_and_package_imports() -> None:
    assert _check("from ..service import core\n", "stepwell.runtime.batch") == [(1, "stepwell.service")]
    assert _check("from . import tree\n", "stepwell.asl.paths", is_package=True) == []
    assert _check("from stepwell import arns, errors\n", "stepwell.engine.fanout") == []  # leaves
    assert _check("from stepwell import cli\n", "stepwell.service.core") == [(1, "stepwell.cli")]


def test_a_leaf_imports_no_other_unit() -> None:
    assert _check("from stepwell.errors import ServiceError\n", "stepwell.arns") == []
    assert _check("from stepwell.asl import jsoncodec\n", "stepwell.arns") == [(1, "stepwell.asl")]
