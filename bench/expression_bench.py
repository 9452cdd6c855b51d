"""Expression micro-benchmarks and the hostile expressions of issue 9, timed in process.

    .venv/bin/python bench/expression_bench.py      -> prints, and writes bench/results/expressions.json

The JSONPath and payload-template loops were printed by tests that asserted nothing (they moved
here from tests/asl). The hostile expressions are the three a user measured against
``stepwell serve`` (a catastrophic regex, a huge $pad, a runaway recursion): each must now end
quickly with AWS's error rather than hold the server.
"""

from __future__ import annotations

import json
import sys
import time
import timeit
from functools import partial
from pathlib import Path
from typing import Any

from stepwell.asl.jsonata import compile_jsonata
from stepwell.asl.paths import compile_path
from stepwell.asl.scope import Scope
from stepwell.asl.templates import compile_payload_template

RESULTS = Path(__file__).with_name("results") / "expressions.json"
HOSTILE = {
    "catastrophic regex (28 a's)": '{% $match("aaaaaaaaaaaaaaaaaaaaaaaaaaaa!", /(a+)+$/) %}',
    "$pad to 1e9": '{% $pad("x", 1000000000) %}',
    "runaway recursion": "{% ($f := function($x){ $f($x+1) }; $f(1)) %}",
    "$map over 10,000 items": "{% $count($map([1..10000], function($v){ $v * 2 })) %}",
}


def paths() -> dict[str, dict[str, float]]:
    value = {"acc": {"v": 3}, "l": [1, {"x": 2}]}
    scope = Scope(value)
    out = {}
    for path in ["$.acc.v", "$.l[1].x", "$.l[*]", "$..x"]:
        jp = compile_path(path)
        n = 100_000
        out[path] = {
            "find_ns": timeit.timeit(partial(jp.find, value), number=n) / n * 1e9,
            "evaluate_ns": timeit.timeit(partial(jp.evaluate, scope), number=n) / n * 1e9,
        }
    return out


def templates() -> dict[str, float]:
    scope = Scope({"acc": {"v": 3}}, context={"State": {"Name": "S"}})
    out = {}
    for label, value in [
        ("constant", {"k": 1, "l": [1, 2]}),
        ("one path", {"v.$": "$.acc.v", "k": 1}),
        ("nested", {"a": {"v.$": "$.acc.v"}, "b.$": "$$.State.Name"}),
    ]:
        template = compile_payload_template(value, "Parameters")
        n = 100_000
        out[label] = timeit.timeit(partial(template.evaluate, scope), number=n) / n * 1e9
    return out


def hostile() -> dict[str, dict[str, Any]]:
    out = {}
    for label, text in HOSTILE.items():
        expression = compile_jsonata(text)
        started, cpu = time.perf_counter(), time.process_time()
        try:
            outcome = repr(expression.evaluate(Scope(None)))[:60]
        except Exception as error:  # the bound's error is the expected outcome
            outcome = f"{type(error).__name__}: {getattr(error, 'cause', error)}"
        out[label] = {
            "wall_s": round(time.perf_counter() - started, 4),
            "cpu_s": round(time.process_time() - cpu, 4),
            "outcome": outcome,
        }
    return out


def main() -> None:
    results = {
        "python": sys.version.split()[0],
        "hostile": hostile(),
        "paths": paths(),
        "templates": templates(),
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
