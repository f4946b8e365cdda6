"""Whole numbers as people and forms write them, checked before they reach a database."""

import re

#: Ids are 32-bit in the database; PostgreSQL refuses to compare a larger number with one.
MAX_ID = 2**31 - 1

# ASCII digits only: "²".isdigit() and "٩".isdigit() are true, yet int("²") raises and
# int("٩٩") is 99, which no form of ours ever sends.
_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_natural(raw: str | None, maximum: int = MAX_ID) -> int | None:
    """Return raw as a whole number from 0 to maximum, or None if it is anything else."""
    if raw is None:
        return None
    raw = raw.strip()
    if not _DIGITS.fullmatch(raw):
        return None
    number = int(raw)
    return number if number <= maximum else None
