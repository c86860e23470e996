"""Positions in a text: line and column of an offset, and where a quote occurs.

Offsets count code points (Python string indices); lines and columns are 1-based, columns
in code points.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """Where a quote occurs: its offsets and the line and column of its start."""

    start: int
    end: int
    line: int
    column: int


def line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of code-point *offset* of *text*."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def occurrences(text: str, quote: str) -> list[Span]:
    """Every place *quote* occurs in *text*, exactly (code points, no normalization)."""
    spans: list[Span] = []
    if not quote:
        return spans
    i = text.find(quote)
    while i != -1:
        line, column = line_column(text, i)
        spans.append(Span(i, i + len(quote), line, column))
        i = text.find(quote, i + 1)
    return spans
