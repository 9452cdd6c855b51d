"""The iteration picker on real histories: names instead of ids, every iteration reachable by paging."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from stepwell.console.execution_view import index_history
from stepwell.console.iteration_picker import PAGE_SIZE, Picker, pickers
from tests.console.test_execution_view import run

PRICES = {
    "StartAt": "Price items",
    "States": {
        "Price items": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {
                "StartAt": "Too dear?",
                "States": {
                    "Too dear?": {
                        "Type": "Choice",
                        "Choices": [{"Variable": "$", "NumericGreaterThan": 115, "Next": "Refuse"}],
                        "Default": "Price",
                    },
                    "Refuse": {"Type": "Fail", "Error": "TooDear"},
                    "Price": {"Type": "Pass", "End": True},
                },
            },
            "ToleratedFailureCount": 10,
            "Next": "Both",
        },
        "Both": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "Left", "States": {"Left": {"Type": "Pass", "End": True}}},
                {"StartAt": "Right side", "States": {"Right side": {"Type": "Pass", "End": True}}},
            ],
            "End": True,
        },
    },
}
ITEMS = {"items": list(range(120))}  # 116..119 fail


def _pickers(**kwargs: Any) -> dict[str, Picker]:
    index = index_history(run(PRICES, ITEMS), PRICES)
    return {p.name: p for p in pickers(index, PRICES, **kwargs)}


def _query(href: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(href).query).items()}


def test_the_picker_names_states_and_iterations_as_people_do() -> None:
    found = _pickers()
    assert list(found) == ["Price items", "Both"]  # never "Price~20items"
    prices = found["Price items"]
    assert (prices.id, prices.kind, prices.total) == ("Price~20items", "Map", 120)
    assert [c.label for c in prices.choices[:3]] == ["#0", "#1", "#2"]  # AWS: "#2" is the third
    assert prices.counts == (("succeeded", "Succeeded", 116), ("failed", "Failed", 4))
    both = found["Both"]
    assert (both.kind, [c.label for c in both.choices]) == ("Parallel", ["Left", "Right side"])
    assert _query(both.choices[1].href) == {"iteration": "Both:1"}


def test_the_first_page_shows_fifty_and_links_to_the_next() -> None:
    prices = _pickers()["Price items"]
    assert [c.index for c in prices.choices] == list(range(PAGE_SIZE))
    assert (prices.first_shown, prices.last_shown, prices.previous_href) == (1, 50, "")
    assert _query(prices.next_href) == {"page": "Price~20items:1"}
    assert prices.next_href.endswith("#iterations-Price~20items")
    assert prices.max_index == 119 and prices.all_current


def test_the_last_page_reaches_iteration_119() -> None:
    prices = _pickers(page=("Price~20items", 2))["Price items"]
    assert [c.index for c in prices.choices] == list(range(100, 120))
    assert (prices.first_shown, prices.last_shown, prices.next_href) == (101, 120, "")
    assert _query(prices.previous_href) == {"page": "Price~20items:1"}
    assert _query(prices.choices[-1].href) == {"iteration": "Price~20items:119"}


def test_a_selected_iteration_opens_its_page_and_is_marked() -> None:
    prices = _pickers(current=("Price~20items", 117))["Price items"]
    assert prices.first_shown == 101 and not prices.all_current
    assert [c.index for c in prices.choices if c.current] == [117]
    # Turning the page keeps the selection.
    assert _query(prices.previous_href) == {"page": "Price~20items:1", "iteration": "Price~20items:117"}


def test_failed_iterations_are_listed_apart() -> None:
    prices = _pickers()["Price items"]
    assert [(c.label, c.status) for c in prices.failed] == [(f"#{i}", "failed") for i in (116, 117, 118, 119)]
    assert prices.aborted == () and prices.more_failed == 0


def test_links_keep_the_event_filters() -> None:
    keep = {"type": "PassStateEntered", "failures": "1"}
    prices = _pickers(keep=keep)["Price items"]
    assert _query(prices.choices[5].href) == {**keep, "iteration": "Price~20items:5"}
    assert _query(prices.next_href) == {**keep, "page": "Price~20items:1"}
    assert _query(prices.all_href) == keep
    assert dict(prices.keep) == keep


def test_an_out_of_range_page_shows_the_last_one() -> None:
    assert _pickers(page=("Price~20items", 99))["Price items"].first_shown == 101
