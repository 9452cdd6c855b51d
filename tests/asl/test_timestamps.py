"""AWS's timestamps (Wait ``Timestamp``/``TimestampPath``): ISO-8601 with a required zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from stepwell.asl.timestamps import parse_timestamp

BASE = datetime(2016, 12, 5, 21, 29, 29, tzinfo=UTC).timestamp()


def test_the_aws_documentation_example() -> None:
    assert BASE == 1480973369.0
    assert parse_timestamp("2016-12-05T21:29:29Z") == BASE


def test_a_lowercase_z_is_utc_too() -> None:
    assert parse_timestamp("2016-12-05T21:29:29z") == BASE


@pytest.mark.parametrize(
    ("text", "shift"),
    [
        ("2016-12-05T22:29:29+01:00", 0),
        ("2016-12-05T21:29:29+01:00", -3600),
        ("2016-12-05T21:29:29-02:30", 9000),
    ],
)
def test_an_offset_moves_the_instant(text: str, shift: int) -> None:
    assert parse_timestamp(text) == BASE + shift


@pytest.mark.parametrize(
    ("fraction", "seconds"),
    [(".5", 0.5), (".123", 0.123), (".123456789", 0.123456789), (".000000001", 1e-9)],
)
def test_fractions_of_up_to_nine_digits(fraction: str, seconds: float) -> None:
    assert parse_timestamp(f"2016-12-05T21:29:29{fraction}Z") == pytest.approx(BASE + seconds, abs=1e-6)


@pytest.mark.parametrize(
    "text",
    [
        "2016-12-05T21:29:29",  # no zone
        "2016-12-05 21:29:29Z",  # no T
        "2016-12-05t21:29:29Z",
        "2016-12-05T21:29Z",  # no seconds
        "2016-12-05T21:29:29.Z",
        "2016-12-05T21:29:29.1234567890Z",  # ten fraction digits
        "2016-02-30T00:00:00Z",  # no such day
        "2016-13-01T00:00:00Z",
        "2016-12-05T24:00:00Z",
        "2016-12-05T21:29:29+19:00",  # offsets stop at 18 hours
        "2016-12-05T21:29:29+01:60",
        "2016-12-05T21:29:29+0100",
        "2016-12-05T21:29:29Z ",
        "",
    ],
)
def test_what_is_not_a_timestamp(text: str) -> None:
    assert parse_timestamp(text) is None


@pytest.mark.parametrize("value", [None, 1480973369, ["2016-12-05T21:29:29Z"], {"t": 1}])
def test_only_strings_are_timestamps(value: object) -> None:
    assert parse_timestamp(value) is None


def test_the_extreme_offset_is_accepted() -> None:
    assert parse_timestamp("2016-12-05T21:29:29+18:00") == BASE - 18 * 3600
