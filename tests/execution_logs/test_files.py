"""The files destination: one JSON Lines file per log group, named reversibly and kept inside
its folder."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

from stepwell.execution_logs.files import LogFiles, file_name
from stepwell.execution_logs.records import LogEvent


def test_a_groups_file_is_its_name_percent_encoded() -> None:
    assert file_name("/aws/vendedlogs/states/orders") == "%2Faws%2Fvendedlogs%2Fstates%2Forders.jsonl"
    assert file_name("orders_logs-1.x") == "orders_logs-1.x.jsonl"
    assert file_name("a#b") == "a%23b.jsonl"
    assert file_name("..") == "...jsonl"  # a name, not the parent folder
    for group in ("/a/b", "a/b", "a%2Fb", "#x"):
        assert unquote(file_name(group).removesuffix(".jsonl")) == group  # no two groups share a file


def test_records_are_appended_one_a_line_per_group(tmp_path: Path) -> None:
    files = LogFiles(tmp_path / "logs")  # made when missing
    files.write([LogEvent("/g/one", "m", 1, '{"id":"1"}'), LogEvent("two", "m", 2, '{"id":"2"}')])
    files.write([LogEvent("/g/one", "m", 3, '{"id":"3"}')])
    assert (tmp_path / "logs" / "%2Fg%2Fone.jsonl").read_text() == '{"id":"1"}\n{"id":"3"}\n'
    assert (tmp_path / "logs" / "two.jsonl").read_text() == '{"id":"2"}\n'
    assert sorted(p.name for p in (tmp_path / "logs").iterdir()) == ["%2Fg%2Fone.jsonl", "two.jsonl"]
