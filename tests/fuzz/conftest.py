"""One ``stepwell serve`` for the fuzz suite, the resources it points at, and its size.

Size and seed: every hypothesis test runs ``EXAMPLES * share`` examples (its share is set in its
module), derandomized, so a run is the same run every time. ``STEPWELL_FUZZ_EXAMPLES`` (default
75) scales every group at once; ``STEPWELL_FUZZ_SEED=<int>`` explores another seed instead. The
terminal summary prints the requests sent per group ("fuzz counts") and every finding is also
appended, with its whole request, to ``fuzz-findings.jsonl`` next to the server's log, in the
session's temp dir or in ``STEPWELL_FUZZ_DIR`` (kept after the run).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, Phase, seed, settings

from tests.fuzz.oracle import BUGS, COUNTS, GROUP_SECONDS, Findings, LogWatch
from tests.fuzz.pool import Pool
from tests.fuzz.wire import Wire
from tests.server.process import ServerProcess

DEFAULT_EXAMPLES = 75
EXAMPLES = int(os.environ.get("STEPWELL_FUZZ_EXAMPLES", DEFAULT_EXAMPLES))
SEED = os.environ.get("STEPWELL_FUZZ_SEED")
_STATE: dict[str, Any] = {}

T = TypeVar("T", bound=Callable[..., Any])


def fuzz_settings(share: float) -> Callable[[T], T]:
    """Hypothesis settings for a test that runs ``share`` times EXAMPLES examples, seeded."""
    configured = settings(
        max_examples=max(1, round(EXAMPLES * share)),
        derandomize=SEED is None,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=(Phase.explicit, Phase.generate),
        print_blob=False,
    )

    def apply(test: T) -> T:
        test = configured(test)
        return seed(int(SEED))(test) if SEED is not None else test

    return apply


@pytest.fixture(scope="session")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    keep = os.environ.get("STEPWELL_FUZZ_DIR")  # keeps the server log and the findings after the run
    directory = Path(keep) if keep else tmp_path_factory.mktemp("fuzz")
    directory.mkdir(parents=True, exist_ok=True)
    for old in ("stepwell.db", "stepwell.log", "fuzz-findings.jsonl"):
        (directory / old).unlink(missing_ok=True)
    process = ServerProcess(directory / "stepwell.db", extra=["--wait-time-scale", "0"])
    process.start()
    _STATE["log"] = process.log
    _STATE["findings_file"] = directory / "fuzz-findings.jsonl"
    yield process
    process.stop()


@pytest.fixture(scope="session")
def pool(fuzz_server: ServerProcess) -> Pool:
    return Pool(fuzz_server).setup()


@pytest.fixture
def wire(fuzz_server: ServerProcess) -> Iterator[Wire]:
    connection = Wire(fuzz_server.port)
    yield connection
    connection.close()


@pytest.fixture
def findings_for(fuzz_server: ServerProcess) -> Iterator[Callable[[str], Findings]]:
    """Findings of one test, in a group; the group's time is added up for the summary."""
    started = time.monotonic()
    made: list[Findings] = []

    def make(group: str) -> Findings:
        findings = Findings(group, LogWatch(fuzz_server.log), _STATE.get("findings_file"))
        made.append(findings)
        return findings

    yield make
    for findings in made:
        GROUP_SECONDS[findings.group] = GROUP_SECONDS.get(findings.group, 0.0) + time.monotonic() - started
        _STATE.setdefault("found", 0)
        _STATE["found"] += len(findings.found)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    groups = [g for g in COUNTS if ":" not in g and g != "setup"]
    if not groups:
        return
    write = terminalreporter.write_line
    write("")
    parts = [f"{g} {COUNTS[g]} requests in {GROUP_SECONDS.get(g, 0.0):.1f}s" for g in sorted(groups)]
    write(
        f"fuzz counts (STEPWELL_FUZZ_EXAMPLES={EXAMPLES}{f', seed {SEED}' if SEED else ''}): "
        + "; ".join(parts)
    )
    details = sorted((k, v) for k, v in COUNTS.items() if ":" in k)
    for group in sorted({k.partition(":")[0] for k, _ in details}):
        write(
            f"  {group}: "
            + ", ".join(f"{k.partition(':')[2]} {v}" for k, v in details if k.startswith(group + ":"))
        )
    write(f"  setup and victims: {COUNTS['setup']} requests; distinct findings: {_STATE.get('found', 0)}")
    log = _STATE.get("log")
    if isinstance(log, Path) and log.exists():
        text = log.read_text(encoding="utf-8", errors="replace")
        write(f"  server log: {text.count('Traceback (most recent call last)')} tracebacks ({log})")
    for signature, (finding, operations) in BUGS.items():
        write(f"  bug: {signature[:300]}")
        shortest = finding.render(300).splitlines()[1].strip()
        write(f"       seen in {', '.join(sorted(operations))}; shortest: {shortest}")
    findings_file = _STATE.get("findings_file")
    if isinstance(findings_file, Path) and findings_file.exists():
        write(f"  findings with whole requests: {findings_file}")
