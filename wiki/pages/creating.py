"""Starting a page: a form asking for its title (and a template), leading to the editor."""

import re

from flask import Blueprint, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from ..access.permissions import anonymous_editing, raise_refusal
from ..core.titles import TitleError, parse_title
from ..urls import page_url
from . import service

bp = Blueprint("creating", __name__)

#: A category link in a text: [[Category:Name]], or [[Category:Name|sort key]].
CATEGORY_LINK = re.compile(r"\[\[\s*category\s*:([^\[\]|\n]*)(?:\|[^\[\]\n]*)?\]\]", re.IGNORECASE)
#: How much of a typed title is read: a title has at most 255 characters, so more is an error.
MAX_TYPED = 1000


@bp.get("/new")
def new():
    """Ask for a new page's title; once given, open the editor on it, or say the page exists."""
    raise_refusal(service.edit_refusal(current_user))
    typed = request.args.get("title")
    form = {"title": (typed or "")[:MAX_TYPED], "template": request.args.get("template", "")[:300]}
    if typed is None:
        return render_template("pages/new.html", form=form)
    try:
        title = parse_title(form["title"])
    except TitleError as error:
        return render_template("pages/new.html", form=form, error=_(str(error))), 400
    page = service.get_page(title)
    if page is not None and not page.deleted and service.shown_revision(page, current_user):
        return render_template("pages/new.html", form=form, existing=page)
    return redirect(page_url(title.display, "pages.edit", template=form["template"] or None))


@bp.app_template_global()
def may_create_pages() -> bool:
    """Return whether this person may start pages (the header's "New page" link)."""
    if not current_user.is_authenticated:
        return anonymous_editing()  # without a query: a blocked address is told on the form
    return service.can_edit(current_user)


@bp.app_template_global()
def category_keys_in(text: str) -> set[str]:
    """Return the keys of the category pages a text puts its page in (a template's text
    names the categories of the pages started from it)."""
    keys = set()
    for name in CATEGORY_LINK.findall(text):
        try:
            keys.add(parse_title("Category:" + parse_title(name).display).key)
        except TitleError:
            continue
    return keys
