"""Language views: one's language and time zone, a page's languages, /translations."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..core.titles import TitleError, parse_title
from ..models import Page
from ..pages import service as pages
from ..problems import BadRequest, NotAllowed, NotFound, UserError
from ..urls import page_url
from ..web import flag_arg, title_or_400, user_message
from . import locales, preferences, translations

bp = Blueprint("i18n", __name__)


@bp.post("/preferences/language")
def language_preference():
    """Save one's language and time zone."""
    if not current_user.is_authenticated:
        raise NotAllowed(_("Please log in to see this page."), needs_login=True)
    locale = request.form.get("locale", "").strip()
    preferences.save(current_user, locale, request.form.get("timezone", "").strip())
    target = url_for("preferences.preferences", _anchor="language")
    if locale:
        target = url_for("preferences.preferences", lang=locale, _anchor="language")
    flash(_("Your language and time zone are saved."), "success")
    return redirect(target)


def _page(title: str) -> Page:
    page = pages.get_page(title_or_400(title))
    if page is None or page.latest is None or page.deleted:
        raise NotFound(_("There is no page with this title."))
    return page


def _languages_page(page: Page, status: int = 200, **extra):
    return render_template(
        "i18n/languages.html",
        page=page,
        lang=translations.lang_of(page),
        group=translations.group_of(page),
        link=translations.translation_link(page),
        choices=translations.language_choices(),
        can_edit=pages.can_edit(current_user, page),
        **extra,
    ), status


@bp.route("/languages/<path:title>", methods=["GET", "POST"])
def languages(title: str):
    """Show and change a page's language and the pages it is a translation of."""
    page = _page(title)
    if request.method == "GET":
        return _languages_page(page)
    action = request.form.get("action", "")
    try:
        if action == "language":
            translations.set_language(page, request.form.get("content_lang", ""), current_user)
            flash(_("The page's language is saved."), "success")
        elif action == "link":
            source = _source_page(request.form.get("source", ""))
            root = translations.source_of(source)
            synced = root.latest_revision_id if flag_arg("up_to_date", form=True) else None
            translations.link(page, source, current_user, synced_revision_id=synced)
            flash(_("The page is now a translation of %(title)s.", title=source.title), "success")
        elif action == "unlink":
            translations.unlink(page, current_user)
            flash(_("The page is no longer a translation."), "success")
        else:
            raise BadRequest(_("Choose what to change."))
    except UserError as error:
        return _languages_page(page, error.status, error=user_message(error), form=request.form)
    return redirect(page_url(page.title, "i18n.languages"))


def _source_page(typed: str) -> Page:
    """Return the page a person typed the title of, or raise BadRequest."""
    try:
        title = parse_title(typed.strip())
    except TitleError as error:
        raise BadRequest(str(error), field="source") from None
    source = pages.get_page(title)
    if source is None or source.latest is None or source.deleted:
        raise BadRequest(_("There is no page titled “%(title)s”.", title=typed), field="source")
    return source


@bp.get("/translate/<path:title>")
def translate(title: str):
    """Start a translation of a page: choose its language and title, then open the editor."""
    page = _page(title)
    source = translations.source_of(page)
    to = translations.normalise_lang(request.args.get("to", "")) if "to" in request.args else None
    new_title = request.args.get("new_title", "").strip()
    error = None
    if to and new_title:
        try:
            parsed = parse_title(new_title)
            existing = pages.get_page(parsed)
            if existing is not None and existing.latest is not None and not existing.deleted:
                raise BadRequest(
                    _(
                        "A page titled “%(title)s” exists already: choose another title.",
                        title=existing.title,
                    )
                )
            group = translations.group_of(source)
            taken = group.in_language(to) if group else None
            if taken is not None or translations.lang_of(source) == to:
                raise BadRequest(
                    _(
                        "%(title)s is already the translation in that language.",
                        title=(taken.page if taken else source).title,
                    )
                )
            return redirect(
                page_url(parsed.display, "pages.edit", translate_from=source.title, to=to)
            )
        except TitleError as problem:
            error = _(str(problem))
        except UserError as problem:
            error = user_message(problem)
    elif "to" in request.args and not to:
        error = _(translations.NOT_A_LANGUAGE)
    choices = [c for c in translations.language_choices() if c[0] != translations.lang_of(source)]
    if not to and "to" not in request.args and len(choices) == 1:
        to = choices[0][0]  # the one other language the wiki has
    if to and not new_title and "new_title" not in request.args:
        # A title to start from ("Launch (Italiano)"): the translator may put their own.
        new_title = f"{source.title} ({locales.native_name(to.replace('-', '_'))})"
    return render_template(
        "i18n/translate.html",
        page=source,
        choices=choices,
        to=to or request.args.get("to", ""),
        new_title=new_title,
        error=error,
    ), (400 if error else 200)


@bp.get("/translations")
def overview():
    """List, per language, the pages missing in it and the translations that are outdated."""
    langs = [code for code, _name in translations.language_choices()]
    asked = translations.normalise_lang(request.args.get("language", ""))
    shown = [asked] if asked else langs
    return render_template(
        "i18n/translations.html",
        work=translations.work(shown),
        choices=translations.language_choices(),
        asked=asked,
    )
