"""Boxes, points and text sizes shared by the layout and the renderers.

Text is measured without a font engine: an average advance per character class (narrow, capital,
wide, East Asian) at a given font size. It errs a little wide, so names never spill out of boxes.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

Point = tuple[float, float]

_NARROW = frozenset("iljtfrI!|.,:;'`()[]{} ")
_WIDE = frozenset("mwMW@%")


@dataclass(frozen=True, slots=True)
class Box:
    x: float  # left
    y: float  # top
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    def moved(self, dx: float, dy: float) -> Box:
        return Box(self.x + dx, self.y + dy, self.w, self.h)

    def overlaps(self, other: Box) -> bool:
        """Whether the interiors intersect (touching edges do not count)."""
        return (
            self.x < other.right and other.x < self.right and self.y < other.bottom and other.y < self.bottom
        )

    def contains(self, other: Box, tolerance: float = 1e-6) -> bool:
        return (
            self.x - tolerance <= other.x
            and self.y - tolerance <= other.y
            and other.right <= self.right + tolerance
            and other.bottom <= self.bottom + tolerance
        )


def text_width(text: str, font_size: float) -> float:
    """An estimate of ``text``'s width in a sans-serif font of ``font_size`` pixels."""
    ems = 0.0
    for char in text:
        if char in _NARROW:
            ems += 0.32
        elif char in _WIDE:
            ems += 0.86
        elif unicodedata.east_asian_width(char) in ("W", "F"):
            ems += 1.0
        elif char.isupper() or char.isdigit():
            ems += 0.66
        else:
            ems += 0.58
    return ems * font_size
