"""Whole numbers from URLs and headers. str.isdigit() and int() also accept other scripts'
digits ('²', Arabic-Indic '٢٠') and any length (int() refuses past 4,300 digits, a crash), so
every number the server reads from a request goes through here: ASCII digits only, bounded."""

from __future__ import annotations

# Ids, codes and milliseconds all fit in 18 digits (a signed 64-bit integer).
MAX_DIGITS = 18


def is_digits(text: str) -> bool:
    """One or more ASCII digits, any length."""
    return text.isascii() and text.isdigit()


def parse_digits(text: str | None, max_digits: int = MAX_DIGITS) -> int | None:
    """`text` as a non-negative int if it is 1 to max_digits ASCII digits, else None."""
    if text is None or len(text) > max_digits or not is_digits(text):
        return None
    return int(text)
