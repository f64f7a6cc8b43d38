"""Column types and helpers every table uses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Dialect, TypeDecorator

# The largest id an Integer primary key holds (32 bits on PostgreSQL): a larger one names no row.
MAX_ID = 2**31 - 1


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def utc_from_text(value: str | None) -> datetime | None:
    """An aware UTC datetime from ISO text: text without an offset (SQLite's) is UTC, text with one is converted."""
    if value is None:
        return None
    if value[-6:-5] in ("+", "-") or value[-1:] == "Z":
        return datetime.fromisoformat(value).astimezone(UTC)
    # The offset added to the text, not replace(tzinfo=) afterwards: a quarter of the cost.
    return datetime.fromisoformat(value + "+00:00")


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware UTC datetime")
        return value.astimezone(UTC)

    def result_processor(self, dialect: Dialect, coltype: Any) -> Callable[[Any], datetime | None] | None:
        if dialect.name == "sqlite":
            # SQLite hands back the stored text: read as UTC in one step. Parsing it and then
            # replace(tzinfo=UTC) cost four times as much, and every page reads timestamps.
            return utc_from_text
        return super().result_processor(dialect, coltype)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value
