"""What the community views read from a request: list filters, the page named, `next`."""

from flask import request
from flask_babel import gettext as _
from flask_login import current_user

from ...access.permissions import is_moderator
from ...core.numbers import parse_natural
from ...core.text import clean_text
from ...pages import service as pages
from ...problems import NotFound
from ...web import flag_arg, safe_next, title_or_400
from .changes import DAY_CHOICES, SHOW_CHOICES, Filters


def text_arg(name: str) -> str:
    """Return a query argument as text, without the control characters no database stores."""
    return clean_text(request.args.get(name, "")).strip()


def filters_from_request(**fixed) -> Filters:
    """Return the list filters a GET form asked for; fixed values override them."""
    days = parse_natural(request.args.get("days"), 366)
    show = request.args.get("show", "all")
    values = {
        "days": days if days in DAY_CHOICES else 30,
        "show": show if show in SHOW_CHOICES else "all",
        "hide_minor": flag_arg("hideminor"),
        "new_pages": flag_arg("newpages"),
    }
    values.update(fixed)
    return Filters(**values)


def back_to(default: str) -> str:
    """Return the local address the form asked to go back to, or default."""
    target = request.form.get("next")
    return safe_next(target) if target else default


def existing_page(title: str):
    """Return the page a URL names, or answer 404."""
    page = pages.get_page(title_or_400(title))
    if page is None or pages.shown_revision(page, current_user) is None or _hidden(page):
        raise NotFound(_("There is no page with this title."))
    return page


def _hidden(page) -> bool:
    """Return whether the page is deleted and the viewer may not see it."""
    return bool(getattr(page, "deleted", False)) and not is_moderator(current_user)
