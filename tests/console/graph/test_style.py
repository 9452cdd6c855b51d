"""The graph's statuses and stylesheet: one rule per status keyed on ``data-status``."""

from __future__ import annotations

import re

from stepwell.console.graph.style import NOT_RUN, STATUS_COLOURS, STATUS_LABELS, STATUSES, stylesheet


def test_the_statuses_and_their_labels() -> None:
    assert STATUSES == ("succeeded", "failed", "caught_error", "in_progress", "cancelled", "not_run")
    assert NOT_RUN == "not_run"
    assert set(STATUS_LABELS) == set(STATUSES) == set(STATUS_COLOURS)
    assert STATUS_LABELS["caught_error"] == "Caught error"


def test_aws_console_colours() -> None:
    assert STATUS_COLOURS["succeeded"][1] == "#1d8102"
    assert STATUS_COLOURS["failed"][1] == "#d13212"
    assert STATUS_COLOURS["in_progress"][1] == "#0073bb"


def test_one_box_rule_and_one_name_rule_per_status() -> None:
    css = stylesheet()
    for status, (fill, stroke, ink) in STATUS_COLOURS.items():
        selector = f'[data-status="{status}"]'
        assert (
            f".state{selector} > .box, .legend-item{selector} > .box {{ fill: {fill}; stroke: {stroke}; }}"
            in css
        )
        assert f".state{selector} > .name {{ fill: {ink}; }}" in css


def test_the_stylesheet_is_plain_css_rules() -> None:
    css = stylesheet()
    lines = css.splitlines()
    assert all(re.fullmatch(r"[^{}]+ \{ [^{}]+ \}", line) for line in lines)
    assert css.count("{") == css.count("}") == len(lines)
    assert '.state[data-status="failed"] > .box { stroke-width: 2.5; }' in lines
    assert "<" not in css  # safe to serve as text/css or embed in <style>
