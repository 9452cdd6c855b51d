"""Where a streamed range's complete records end (engine/item_reader/streamed.py), checked against
the whole text's own parse: wherever the object is cut, the records before the cut are whole and
the rest is carried, so the concatenation of the pieces is always the text's records."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from stepwell.engine.item_reader.parsing import csv_items
from stepwell.engine.item_reader.streamed import json_elements, record_end

VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='ab,"\\[]{}\n é'),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(alphabet="ab,]", max_size=3), inner, max_size=3)
    ),
    max_leaves=6,
)
FIELDS = st.text(alphabet='ab,"\n\\ é', max_size=6)


def _csv_text(rows: list[list[str]]) -> str:
    def field(value: str) -> str:  # a backslash escapes the next character: written doubled
        return '"' + value.replace("\\", "\\\\").replace('"', '""') + '"'

    return "".join(",".join(field(value) for value in row) + "\n" for row in rows)


@given(st.lists(st.lists(FIELDS, min_size=2, max_size=2), max_size=8), st.data())
def test_csv_records_are_cut_only_where_a_record_ends(rows: list[list[str]], data: st.DataObject) -> None:
    text = _csv_text(rows).encode()
    cut = data.draw(st.integers(0, len(text)))
    end = record_end(text[:cut], csv=True)
    assert 0 <= end <= cut
    whole = csv_items(text.decode(), ",", ["x", "y"], 0)
    head = csv_items(text[:end].decode(), ",", ["x", "y"], 0)
    tail = csv_items(text[end:].decode(), ",", ["x", "y"], 0)
    assert head + tail == whole


def test_a_backslash_escapes_the_next_character_of_a_csv_record() -> None:
    assert record_end(b'a,b\\"c\nd,"e\n', csv=True) == len(b'a,b\\"c\n')  # the quote is escaped
    assert record_end(b'a,"b\nc"\n"d', csv=True) == len(b'a,"b\nc"\n')


@given(st.lists(VALUES, max_size=6), st.data())
def test_json_elements_are_cut_only_between_elements(values: list[object], data: st.DataObject) -> None:
    text = json.dumps(values, ensure_ascii=False).encode()[1:]  # after the opening bracket
    cut = data.draw(st.integers(0, len(text)))
    end, closed = json_elements(text[:cut])
    assert 0 <= end <= cut
    assert closed == (cut == len(text))
    head = text[:end].decode().rstrip().removesuffix(",")
    parsed_head = json.loads(f"[{head}]") if head.strip() else []
    assert parsed_head == values[: len(parsed_head)]
    if closed:
        assert parsed_head == values
