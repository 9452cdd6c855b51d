"""What running it for a team costs: durable throughput without identities, and with ``--auth``
(every request SigV4-signed by ../shared/bench/rawload.py and verified, then authorized against
the principal's policy), and with the audit log on top. The metrics are served in every run
(they are always on). Runs alternate, so the machine's noise spreads over every configuration.

    .venv/bin/python bench/team_bench.py [--n 3000] [--runs 3] [--configs plain,auth,audited]

Each run: a fresh SQLite database and server, rawload's N executions of the 20-state Pass chain
over 16 keep-alive connections; reported: transitions/s and the server's CPU per transition.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from store_bench import free_port, serve  # beside this file

ROOT = Path(__file__).resolve().parents[1]
RAWLOAD = ROOT.parent / "shared" / "bench" / "rawload.py"
KEY, SECRET = "AKIABENCHMARK0000001", "bench-secret-access-key-0000000000000000"
# A policy of the shape teams write: several statements, wildcards, one Deny that never matches.
POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": ["states:Describe*", "states:List*", "states:Get*"], "Resource": "*"},
        {
            "Effect": "Allow",
            "Action": ["states:StartExecution", "states:CreateStateMachine"],
            "Resource": "arn:aws:states:us-east-1:123456789012:stateMachine:*",
        },
        {"Effect": "Deny", "Action": "states:DeleteStateMachine", "Resource": "*"},
    ],
}
CONFIGS = ("plain", "auth", "audited")


def run(config: str, n: int, folder: Path) -> dict[str, Any]:
    identities = folder / "identities.json"
    principal = {"name": "bench", "accessKeyId": KEY, "secretAccessKey": SECRET, "policy": POLICY}
    identities.write_text(json.dumps({"principals": [principal]}))
    extra: list[str] = []
    signing: list[str] = []
    if config in ("auth", "audited"):
        extra += ["--auth", str(identities)]
        signing = ["--access-key", KEY, "--secret-key", SECRET]
    if config == "audited":
        extra += ["--audit-log", str(folder / f"audit-{time.monotonic_ns()}.jsonl")]
    port = free_port()
    db = str(folder / f"{config}-{time.monotonic_ns()}.db")
    server = serve(db, port, folder / f"{config}.log", extra=tuple(extra))
    load_args = [str(RAWLOAD), "--endpoint", f"http://127.0.0.1:{port}", "--n", str(n), "-c", "16"]
    try:
        load = subprocess.run(
            [sys.executable, *load_args, "--server-pid", str(server.pid), *signing],
            stdout=subprocess.PIPE,
            check=True,
        )
    finally:
        server.terminate()
        server.wait(20)
    result = json.loads(load.stdout.decode().strip().splitlines()[-1])
    done = result["statuses"].get("SUCCEEDED", 0) * 20
    return {
        "config": config,
        "transitions": done,
        "transitions_per_s": round(done / result["server_span_s"], 1),
        "node_cpu_us_per_transition": round((result["server_cpu_s"] or 0.0) / done * 1e6, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--configs", default=",".join(CONFIGS))
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "team.json"))
    args = parser.parse_args()
    configs = args.configs.split(",")
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for attempt in range(args.runs):
            for config in configs:
                result = run(config, args.n, Path(tmp))
                result["run"] = attempt + 1
                runs.append(result)
                print(json.dumps(result), flush=True)
    summary = {
        config: {
            "median_transitions_per_s": statistics.median(
                r["transitions_per_s"] for r in runs if r["config"] == config
            ),
            "median_node_cpu_us_per_transition": statistics.median(
                r["node_cpu_us_per_transition"] for r in runs if r["config"] == config
            ),
        }
        for config in configs
    }
    report = {"n": args.n, "what": __doc__.splitlines()[0], "summary": summary, "runs": runs}
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
