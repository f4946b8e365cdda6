"""The web layer every view shares: reading request arguments, titles and `next` safely."""

from urllib.parse import quote, urlsplit

from flask import abort, redirect, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _

from .core.numbers import MAX_ID, parse_natural
from .core.titles import N_, Title, TitleError, canonical_namespace, parse_title, title_from_url
from .models import Role, User
from .problems import UserError

#: The highest page number a list accepts: deeper pages are reached by key, not by number.
MAX_PAGE_NUMBER = 999


def user_message(error: UserError) -> str:
    """Return a refusal's message for a person, translated, with its parameters."""
    return _(error.message, **error.params)


WHOLE_NUMBER = N_("“%(name)s” must be a whole number.")
AT_MOST = N_("“%(name)s” can be at most %(maximum)s.")


def int_arg(
    name: str, *, form: bool = False, maximum: int = MAX_ID, message: str = WHOLE_NUMBER
) -> int | None:
    """Return an argument (query, or form when form=True) as an id or count: None when
    absent or empty, 400 with a clear message when it is not a whole number in range."""
    raw = (request.form if form else request.args).get(name, "")
    if raw.strip() == "":
        return None
    number = parse_natural(raw, maximum)
    if number is None:
        digits = raw.strip()
        if message == WHOLE_NUMBER and digits.isascii() and digits.isdigit():
            # A whole number, only too large: say how large it may be.
            abort(400, description=_(AT_MOST, name=name, maximum=format_decimal(maximum)))
        abort(400, description=_(message, name=name))
    return number


def page_arg(name: str = "page") -> int:
    """Return a list's page number, from 1 to MAX_PAGE_NUMBER; 1 when absent or not one."""
    number = parse_natural(request.args.get(name), MAX_PAGE_NUMBER)
    return max(number or 1, 1)


def choice_arg(name: str, choices, default: str, *, form: bool = False) -> str:
    """Return an argument if it is one of choices, else default."""
    raw = (request.form if form else request.args).get(name, default)
    return raw if raw in choices else default


def flag_arg(name: str, *, form: bool = False) -> bool:
    """Return whether a checkbox or flag argument is set ("1", "on", "y", "true")."""
    raw = (request.form if form else request.args).get(name, "")
    return raw.strip().lower() in ("1", "on", "y", "yes", "true")


def title_or_400(path: str) -> Title:
    """Return the title a URL names, or answer 400 with what is wrong with it."""
    try:
        return parse_title(title_from_url(path))
    except TitleError as error:
        abort(400, description=_(str(error)))


def alias_redirect(title: Title):
    """Return a redirect to this address with the wiki's own name of the title's namespace
    ("Categoria:Dolci" → "Category:Dolci"), or None when the title uses none. Views ask
    only when no page is called so: a page already called so keeps its address."""
    canonical = canonical_namespace(title.display)
    if canonical == title.display:
        return None
    values = {**(request.view_args or {}), "title": canonical.replace(" ", "_")}
    target = url_for(request.endpoint, **values)
    if request.query_string:  # the query as it came, repeated names and all
        target += "?" + request.query_string.decode("latin-1")
    return redirect(target, 307 if request.method == "POST" else 302)


def follow_alias(title: Title) -> None:
    """Answer a GET of a missing page's address that names its namespace in another
    language with the redirect to the wiki's own name (see alias_redirect)."""
    if request.method in ("GET", "HEAD") and (hop := alias_redirect(title)) is not None:
        abort(hop)


def welcome(user: User) -> str:
    """Return the greeting of a new account; the wiki's first (its administrator) hears
    where the wiki's settings are."""
    message = _("Welcome, %(name)s! Your account is ready.", name=user.username)
    if user.role == Role.ADMIN:
        message += " " + _(
            "As the wiki's first account you are its administrator: Admin, in the top bar, "
            "holds its settings (who may read and edit, review, name and logo)."
        )
    return message


def safe_next(target: str | None) -> str:
    """Return target if it is a path on this site, else the main page."""
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
            and "\\" not in target
        ):
            return target
    return url_for("pages.home")


def wants_json() -> bool:
    """Return whether the request is for the JSON API or a script asking for JSON."""
    if request.path.startswith("/api/"):
        return True
    accept = request.accept_mimetypes
    return accept["application/json"] > accept["text/html"]


def wants_fragment() -> bool:
    """Return whether a script asked for an HTML fragment rather than a whole page."""
    accept = request.headers.get("Accept", "")
    return request.headers.get("X-Requested-With") == "fetch" or "text/html+fragment" in accept


def content_disposition(filename: str, inline: bool = False) -> str:
    """Return a Content-Disposition header naming a download (any characters, RFC 6266)."""
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"
