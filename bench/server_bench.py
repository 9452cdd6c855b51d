"""sfnbench (../shared/bench/sfnbench.py) against a fresh `stepwell serve` on SQLite (not a test).

    .venv/bin/python bench/server_bench.py [--workload W1,W2,W3,W4,W5,W6] [sfnbench options...]

Starts a server on a free port with a new database in a temporary folder, runs the workloads
with the server's pid (so sfnbench reads its CPU and memory), writes
bench/results/sfnbench-server.json, and stops the server. The server runs with
--max-history-events 0: W3's 10,000-item Map writes ~100,000 events, beyond AWS's 25,000-event
limit for one execution, which the other emulators do not enforce either.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SFNBENCH = ROOT.parent / "shared" / "bench" / "sfnbench.py"
RESULTS = Path(__file__).with_name("results") / "sfnbench-server.json"
sys.path.insert(0, str(ROOT))

from tests.server.process import ServerProcess  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", default="all")
    args, rest = parser.parse_known_args()
    if not SFNBENCH.is_file():
        print(f"sfnbench not found at {SFNBENCH}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as folder:
        server = ServerProcess(Path(folder) / "bench.db", extra=["--max-history-events", "0"]).start()
        try:
            assert server.process is not None
            command = [
                sys.executable,
                str(SFNBENCH),
                "--endpoint",
                server.endpoint,
                "--workload",
                args.workload,
                "--anchor",
                "stepwell",
                "--server-pid",
                str(server.process.pid),
                "--out",
                str(RESULTS),
                *rest,
            ]
            RESULTS.parent.mkdir(exist_ok=True)
            return subprocess.call(command)
        finally:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
