"""The category table: which pages are in which categories, from their current text."""

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class CategoryMember(db.Model):
    """A page in a category, because its current text says [[Category:Name]]."""

    __tablename__ = "category_member"
    __table_args__ = (Index("ix_category_member_category_key", "category_key"),)

    page_id: Mapped[int] = mapped_column(ForeignKey("page.id"), primary_key=True)
    #: The key of the category's own page, "category:campaigns" (that page may not exist).
    category_key: Mapped[str] = mapped_column(String(255), primary_key=True)
    #: The category's name as the page wrote it, "Campaigns".
    category_title: Mapped[str] = mapped_column(String(255))
