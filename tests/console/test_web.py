"""What every console page shares and that needs no service: dates, pretty JSON, links, flashes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from stepwell.console.web import FLASHES, STATIC, Web, pretty, when


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "1970-01-01 00:00:00 UTC"),
        (1714564800.75, "2024-05-01 12:00:00 UTC"),
        ("1714564800", "2024-05-01 12:00:00 UTC"),
        (datetime(2024, 5, 1, 14, 0, tzinfo=timezone(timedelta(hours=2))), "2024-05-01 12:00:00 UTC"),
        (datetime(2024, 5, 1, 12, 0, tzinfo=UTC), "2024-05-01 12:00:00 UTC"),
        (None, ""),
        ("", ""),
    ],
)
def test_when_is_utc_to_the_second(value: object, text: str) -> None:
    assert when(value) == text


def test_pretty_indents_json_and_leaves_other_text_alone() -> None:
    assert pretty('{"a":[1,"é"]}') == '{\n  "a": [\n    1,\n    "é"\n  ]\n}'
    assert pretty("not json") == "not json"
    assert pretty(None) == ""
    assert pretty("3") == "3"


def test_links_quote_every_reserved_character() -> None:
    assert Web.machine_href("my machine/x?") == "/state-machines/my%20machine%2Fx%3F"
    arn = "arn:aws:states:us-east-1:123456789012:execution:Orders:run #1"
    assert Web.execution_href(arn) == "/executions/Orders/run%20%231"


def test_flashes_are_codes_with_fixed_words() -> None:
    assert FLASHES["created"] == "Created."
    assert FLASHES["started-express"].startswith("Started. Express executions keep no history")
    assert all(code.replace("-", "").isalpha() for code in FLASHES)


def test_the_static_files_are_shipped() -> None:
    assert (STATIC / "favicon.ico").is_file()
