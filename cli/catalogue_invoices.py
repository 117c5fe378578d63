"""Catalogue part: invoice control: payment record's checks, payment list; ``key -> (svenska, english)``."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
}
