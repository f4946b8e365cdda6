"""Reach: how often each page was read, per day; aggregated counts, never a visitor log."""

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class PageView(db.Model):
    """The number of times a page was read on one day (UTC), by people, not bots."""

    __tablename__ = "page_view"
    __table_args__ = (Index("ix_page_view_day_page_id", "day", "page_id"),)

    #: The page keeps its id when moved, so its readers follow it.
    page_id: Mapped[int] = mapped_column(ForeignKey("page.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    views: Mapped[int] = mapped_column(Integer, default=0)
