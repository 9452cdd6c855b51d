"""Boxes and the font-free text measure the layout sizes names with."""

from __future__ import annotations

import pytest

from stepwell.console.graph.geometry import Box, text_width


def test_box_edges_and_centre() -> None:
    box = Box(10.0, 20.0, 30.0, 40.0)
    assert (box.right, box.bottom, box.cx, box.cy) == (40.0, 60.0, 25.0, 40.0)
    assert box.moved(5.0, -5.0) == Box(15.0, 15.0, 30.0, 40.0)
    assert box.moved(5.0, -5.0) is not box


def test_overlap_needs_intersecting_interiors() -> None:
    box = Box(0.0, 0.0, 10.0, 10.0)
    assert box.overlaps(Box(5.0, 5.0, 10.0, 10.0))
    assert box.overlaps(Box(2.0, 2.0, 1.0, 1.0))
    assert not box.overlaps(Box(10.0, 0.0, 5.0, 5.0))  # touching edges do not count
    assert not box.overlaps(Box(0.0, 10.0, 5.0, 5.0))
    assert not box.overlaps(Box(20.0, 20.0, 5.0, 5.0))


def test_contains_with_a_tolerance() -> None:
    outer = Box(0.0, 0.0, 100.0, 50.0)
    assert outer.contains(Box(0.0, 0.0, 100.0, 50.0))
    assert outer.contains(Box(10.0, 10.0, 5.0, 5.0))
    assert outer.contains(Box(-1e-7, 0.0, 100.0, 50.0))
    assert not outer.contains(Box(-1.0, 0.0, 10.0, 10.0))
    assert not outer.contains(Box(95.0, 0.0, 10.0, 10.0))


@pytest.mark.parametrize(
    ("text", "ems"),
    [
        ("", 0.0),
        ("i", 0.32),
        ("m", 0.86),
        ("a", 0.58),
        ("A", 0.66),
        ("7", 0.66),
        ("漢", 1.0),  # East Asian wide
        ("Ａ", 1.0),  # fullwidth
        ("Hi there", 0.66 + 0.32 + 0.32 + 0.32 + 0.58 + 0.58 + 0.32 + 0.58),  # H i _ t h e r e
    ],
)
def test_text_width_by_character_class(text: str, ems: float) -> None:
    assert text_width(text, 10.0) == pytest.approx(ems * 10.0)


def test_text_width_scales_with_the_font_size() -> None:
    assert text_width("Task", 26.0) == pytest.approx(2 * text_width("Task", 13.0))
