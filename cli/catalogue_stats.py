"""Catalogue part: the statistics: tables, rows, columns, the xlsx workbook; ``key -> (svenska, english)``."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
}
