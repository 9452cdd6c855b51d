"""The statuses a state is drawn in, and the stylesheet embedded in every graph SVG.

Colours follow AWS's console: succeeded green, failed red, caught error orange, in progress blue,
cancelled grey, not run light. Each status is one CSS rule keyed on the ``data-status`` attribute of
the state's group, so a live page changes a state's look by setting that one attribute (no
re-layout, no class juggling).
"""

from __future__ import annotations

from typing import Final

NOT_RUN: Final = "not_run"
STATUSES: Final = ("succeeded", "failed", "caught_error", "in_progress", "cancelled", NOT_RUN)
STATUS_LABELS: Final = {
    "succeeded": "Succeeded",
    "failed": "Failed",
    "caught_error": "Caught error",
    "in_progress": "In progress",
    "cancelled": "Cancelled",
    NOT_RUN: "Not run",
}
# (fill, stroke, name colour)
STATUS_COLOURS: Final = {
    "succeeded": ("#e9f5e4", "#1d8102", "#16191f"),
    "failed": ("#fdebe8", "#d13212", "#16191f"),
    "caught_error": ("#fff1e0", "#ec7211", "#16191f"),
    "in_progress": ("#e6f2fb", "#0073bb", "#16191f"),
    "cancelled": ("#eceeef", "#687078", "#545b64"),
    NOT_RUN: ("#fafafa", "#aab7b8", "#545b64"),
}
EDGE_COLOUR: Final = "#545b64"
CATCH_COLOUR: Final = "#ec7211"

FONT = "'Amazon Ember', 'Helvetica Neue', Roboto, Arial, sans-serif"


def stylesheet() -> str:
    rules = [
        f".stepwell-graph {{ font-family: {FONT}; background: #ffffff; }}",
        ".stepwell-graph text { dominant-baseline: central; }",
        ".state > .box { stroke-width: 1.5; }",
        ".state > .name { font-size: 13px; font-weight: 600; text-anchor: middle; }",
        ".state > .type { font-size: 10px; fill: #687078; text-anchor: middle; }",
        ".container > .box { stroke-dasharray: 6 4; fill-opacity: 0.45; }",
        ".container > .name, .container > .type { text-anchor: start; }",
        ".frame { fill: #ffffff; stroke: #d5dbdb; stroke-dasharray: 2 3; }",
        ".terminal > .box { fill: #545b64; stroke: #545b64; }",
        ".terminal > .name { font-size: 11px; font-weight: 600; fill: #ffffff; text-anchor: middle; }",
        ".terminal.end.nested > .box { fill: #ffffff; stroke-width: 2; }",
        ".terminal.end.nested > .dot { fill: #545b64; }",
        f".edge > .line {{ fill: none; stroke: {EDGE_COLOUR}; stroke-width: 1.3; }}",
        f".edge.catch > .line {{ stroke: {CATCH_COLOUR}; stroke-dasharray: 5 4; }}",
        ".edge.back > .line { stroke-width: 1.2; }",
        f".arrowhead {{ fill: {EDGE_COLOUR}; }}",
        f".arrowhead.catch {{ fill: {CATCH_COLOUR}; }}",
        ".edge > .label > rect { fill: #ffffff; fill-opacity: 0.92; stroke: #d5dbdb; }",
        ".edge > .label > text { font-size: 11px; fill: #16191f; text-anchor: middle; }",
        f".edge.catch > .label > text {{ fill: {CATCH_COLOUR}; }}",
        f".edge.catch > .label > rect {{ stroke: {CATCH_COLOUR}; }}",
        ".edge.default > .label > text { font-style: italic; }",
        ".legend > text, .legend-item > text { font-size: 11px; fill: #16191f; }",
        ".legend-item > .box { stroke-width: 1.5; }",
    ]
    for status, (fill, stroke, ink) in STATUS_COLOURS.items():
        selector = f'[data-status="{status}"]'
        rules.append(
            f".state{selector} > .box, .legend-item{selector} > .box {{ fill: {fill}; stroke: {stroke}; }}"
        )
        rules.append(f".state{selector} > .name {{ fill: {ink}; }}")
    rules.append('.state[data-status="in_progress"] > .box { stroke-width: 2.5; }')
    rules.append('.state[data-status="failed"] > .box { stroke-width: 2.5; }')
    return "\n".join(rules)
