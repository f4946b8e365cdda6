"""Talk pages: topic lists, threads, replies (also without reloading), edits, moderation."""

from typing import NoReturn

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import TooManyRequests

from .. import errors
from ..core.numbers import MAX_ID
from ..core.titles import N_
from ..memo import RULES, until_changed
from ..models import Page
from ..organise import redirects
from ..pages import service as pages
from ..problems import BadRequest, NotAllowed, NotFound, UserError
from ..safety.limits import too_often
from ..web import follow_alias, int_arg, title_or_400, user_message, wants_fragment
from . import moderation, reading, service, subscriptions
from .display import ThreadDisplay, TopicListDisplay
from .models import Comment, Topic
from .permissions import Viewer, can_change

bp = Blueprint("talk", __name__)
#: Ids in URLs: larger numbers are no row of ours (and overflow PostgreSQL's integer).
TOPIC_ID = f"<int(max={MAX_ID}):topic_id>"
COMMENT_ID = f"<int(max={MAX_ID}):comment_id>"


@bp.app_template_global()
def talk_count(title: str) -> int:
    """Return how many comments the page's talk page shows (for the Discussion tab)."""
    counts = g.setdefault("talk_counts", {})
    if title not in counts:
        # Talk posts and moderation are changes of the base (wiki.memo).
        counts[title] = until_changed(
            "talk_count", title, lambda: reading.talk_count_for(title), RULES
        )
    return counts[title]


def url_title(page: Page) -> str:
    """Return the page's title as it appears in URLs."""
    return page.title.replace(" ", "_")


def topic_url(topic: Topic, comment: Comment | None = None, **values) -> str:
    """Return the URL of a topic's thread, at the page and scrolled to a comment if given."""
    anchor = f"comment-{comment.id}" if comment is not None else None
    if comment is not None and (number := reading.page_of(comment)) > 1:
        values["page"] = number
    return url_for(
        "talk.topic", title=url_title(topic.page), topic_id=topic.id, _anchor=anchor, **values
    )


def talk_page(title: str) -> Page | None:
    """Return the page whose talk a URL names, following a redirect (a moved page's old
    title) to the page it leads to, so that one discussion never splits in two."""
    page = reading.get_page(title_or_400(title))
    if page is not None and pages.shown_revision(page, current_user) is None:
        return None  # a page nobody published yet: missing for visitors, talk included
    if page is not None and page.redirect_key:
        hop = redirects.follow(page)
        if hop is not None and hop.target is not None:
            return hop.target
    return page


def page_or_404(title: str) -> Page:
    """Return the existing page a URL names (through a redirect), or answer 404."""
    page = talk_page(title)
    if page is None:
        follow_alias(title_or_400(title))
        raise NotFound(
            _(
                "There is no page “%(title)s”, so there is no discussion of it.",
                title=title_or_400(title).display,
            )
        )
    return page


def fragment_error(error: UserError):
    """Answer talk.js with a refusal's message as plain text."""
    return user_message(error), error.status, {"Content-Type": "text/plain; charset=utf-8"}


def render_preview(body: str) -> dict:
    """Return a comment's preview HTML, or the reason it cannot be shown."""
    try:
        return {"html": service.preview(body)}
    except UserError as error:
        return {"error": user_message(error)}


@bp.route("/talk/<path:title>", methods=["GET", "POST"])
def topics(title: str):
    """List a page's topics, latest activity first; on POST start a topic or preview it."""
    page = page_or_404(title)
    if request.method == "GET" and title != url_title(page):
        return redirect(url_for("talk.topics", title=url_title(page)))
    form = {"subject": request.form.get("subject", ""), "body": request.form.get("body", "")}
    if request.method == "GET":
        return topics_page(page, form)
    if request.form.get("action") == "preview":
        return topics_page(page, form, preview=render_preview(form["body"]))
    try:
        comment = service.start_topic(page, form["subject"], form["body"], author=current_user)
    except UserError as error:
        return topics_page(page, form, error=user_message(error)), error.status
    flash(_("Your topic was added."), "success")
    return redirect(topic_url(comment.topic, comment))


def topics_page(page: Page, form: dict, **extra):
    """Show the topic list and the new-topic form."""
    return render_template(
        "talk/topics.html",
        page=page,
        topics=reading.topics(page),
        display=TopicListDisplay(url_title(page)),
        viewer=Viewer(current_user),
        following=subscriptions.is_following(current_user, page=page),
        form=form,
        **extra,
    )


def find_topic(title: str, topic_id: int) -> tuple[Page | None, Topic | None]:
    """Return the page a URL names and its topic with this id; either may be None."""
    page = talk_page(title)
    return page, reading.get_topic(page, topic_id) if page is not None else None


def no_such_topic(title: str, page: Page | None) -> NoReturn:
    """Answer 404, saying whether the page or the topic is missing."""
    if page is None:
        page_or_404(title)
    raise NotFound(_("This topic does not exist on this talk page."))


@bp.get(f"/talk/<path:title>/{TOPIC_ID}")
def topic(title: str, topic_id: int):
    """Show a topic's comments as a thread, with the reply form."""
    page, shown = find_topic(title, topic_id)
    if shown is None:
        # "/talk/Campaigns/2026" is also the talk page of a page called "Campaigns/2026".
        if reading.get_page(title_or_400(f"{title}/{topic_id}")) is not None:
            return topics(f"{title}/{topic_id}")
        no_such_topic(title, page)
    if title != url_title(page):
        return redirect(topic_url(shown, reply=request.args.get("reply")))
    return topic_page(page, shown, reply_to=_comment_id("reply"), number=thread_page_number())


def thread_page_number() -> int:
    """Return the thread page the query asks for (?page=, from 1), or answer 400."""
    number = int_arg("page", message=BAD_THREAD_PAGE)
    if number is not None and number < 1:
        raise BadRequest(BAD_THREAD_PAGE)
    return number or 1


BAD_THREAD_PAGE = N_("The page number of this discussion is not valid.")


def topic_page(
    page: Page, topic: Topic, *, reply_to: int | None, body: str = "", number: int = 1, **extra
):
    """Show a page of a topic's thread and the reply form (answering reply_to if it is in
    the thread)."""
    shown = reading.thread(topic, number)
    if shown is None:
        raise NotFound(_("This discussion has fewer pages than that."))
    display = thread_display(topic)
    display.shown_ids = shown.shown_ids
    return render_template(
        "talk/topic.html",
        page=page,
        topic=topic,
        thread=shown,
        viewer=Viewer(current_user),
        display=display,
        following=subscriptions.is_following(current_user, topic=topic),
        reply_to=shown.by_id.get(reply_to) if reply_to else None,
        body=body,
        **extra,
    )


def thread_display(topic: Topic) -> ThreadDisplay:
    """Return what rendering the topic's comments needs, worked out once."""
    path = url_for("talk.topic", title=url_title(topic.page), topic_id=topic.id)
    return ThreadDisplay(current_user, topic, path)


def _comment_id(name: str, *, form: bool = False) -> int | None:
    """Return the comment id a query or form names (None if empty), or answer 400."""
    return int_arg(name, form=form, message=DAMAGED_REPLY)


DAMAGED_REPLY = N_("The form is damaged: the comment replied to is not valid.")


@bp.post(f"/talk/<path:title>/{TOPIC_ID}/reply")
def reply(title: str, topic_id: int):
    """Post a reply to a topic or to one of its comments (talk.js gets back only its HTML)."""
    page, topic = find_topic(title, topic_id)
    if topic is None:
        if reading.get_page(title_or_400(f"{title}/{topic_id}/reply")) is not None:
            return topics(f"{title}/{topic_id}/reply")  # a new topic on the page ".../reply"
        no_such_topic(title, page)
    body, parent = request.form.get("body", ""), _comment_id("parent", form=True)
    if request.form.get("action") == "preview":
        preview = render_preview(body)
        if wants_fragment():
            return render_template("talk/_preview.html", preview=preview)
        return topic_page(page, topic, reply_to=parent, body=body, preview=preview)
    try:
        comment = service.reply(topic.id, body, author=current_user, parent_id=parent)
    except UserError as error:
        if wants_fragment():
            return fragment_error(error)
        page_html = topic_page(page, topic, reply_to=parent, body=body, error=user_message(error))
        return page_html, error.status
    if wants_fragment():
        node, html = reading.comment_node(comment)
        display = thread_display(topic)
        fragment = render_template("talk/_comment.html", node=node, html=html, display=display)
        return fragment, 201
    flash(_("Your reply was posted."), "success")
    return redirect(topic_url(topic, comment))


def comment_or_404(comment_id: int) -> Comment:
    """Return the comment, or answer 404."""
    comment = reading.get_comment(comment_id)
    if comment is None:
        raise NotFound(_("This comment does not exist."))
    return comment


@bp.get(f"/comment/{COMMENT_ID}")
def comment(comment_id: int):
    """Go to a comment in its thread."""
    found = comment_or_404(comment_id)
    return redirect(topic_url(found.topic, found))


@bp.route(f"/comment/{COMMENT_ID}/edit", methods=["GET", "POST"])
def edit(comment_id: int):
    """Show the form to edit one's own comment; on POST save or preview it."""
    found = comment_or_404(comment_id)
    if not can_change(current_user, found):
        anonymous = not current_user.is_authenticated
        raise NotAllowed(
            _("You can only edit your own comments, and not once they are deleted or hidden."),
            needs_login=anonymous,
        )
    body = request.form.get("body", found.body)
    if request.method == "GET":
        return edit_page(found, body)
    if request.form.get("action") == "preview":
        return edit_page(found, body, preview=render_preview(body))
    try:
        changed = service.edit_comment(found.id, body, editor=current_user)
    except UserError as error:
        return edit_page(found, body, error=user_message(error)), error.status
    flash(_("Your comment was saved.") if changed else _("Nothing changed."), "success")
    return redirect(topic_url(found.topic, found))


def edit_page(found: Comment, body: str, **extra):
    """Show the comment editor with the text typed so far."""
    return render_template(
        "talk/edit.html",
        comment=found,
        topic=found.topic,
        page=found.topic.page,
        body=body,
        **extra,
    )


@bp.get(f"/comment/{COMMENT_ID}/versions")
def versions(comment_id: int):
    """Show every text a comment has had, newest first."""
    found = comment_or_404(comment_id)
    shown = reading.versions(found, current_user)
    return render_template(
        "talk/versions.html",
        comment=found,
        topic=found.topic,
        page=found.topic.page,
        versions=shown,
        html=reading.with_red_links({version.id: version.html for version in shown}),
    )


COMMENT_ACTIONS = {
    "delete": (
        lambda comment_id: service.delete_comment(comment_id, user=current_user),
        lambda: _("Your comment was deleted."),
    ),
    "hide": (
        lambda comment_id: moderation.hide_comment(
            comment_id, request.form.get("reason", ""), moderator=current_user
        ),
        lambda: _("The comment is hidden."),
    ),
    "unhide": (
        lambda comment_id: moderation.unhide_comment(comment_id, moderator=current_user),
        lambda: _("The comment is shown again."),
    ),
}


@bp.post(f"/comment/{COMMENT_ID}/<any({', '.join(COMMENT_ACTIONS)}):action>")
def comment_action(comment_id: int, action: str):
    """Delete one's own comment, or hide or unhide one as a moderator."""
    found = comment_or_404(comment_id)
    run, done = COMMENT_ACTIONS[action]
    run(found.id)
    flash(done(), "success")
    return redirect(topic_url(found.topic, found))


TOPIC_ACTIONS = {
    "lock": (
        lambda topic: moderation.lock_topic(topic.id, True, moderator=current_user),
        lambda: _("The topic is locked: it takes no new replies."),
    ),
    "unlock": (
        lambda topic: moderation.lock_topic(topic.id, False, moderator=current_user),
        lambda: _("The topic is unlocked."),
    ),
    "resolve": (
        lambda topic: moderation.resolve_topic(topic.id, True, user=current_user),
        lambda: _("The topic is marked resolved."),
    ),
    "reopen": (
        lambda topic: moderation.resolve_topic(topic.id, False, user=current_user),
        lambda: _("The topic is open again."),
    ),
    "subscribe": (
        lambda topic: subscriptions.follow_topic(topic, current_user, True),
        lambda: _("You follow this topic now."),
    ),
    "unsubscribe": (
        lambda topic: subscriptions.follow_topic(topic, current_user, False),
        lambda: _("You no longer follow this topic."),
    ),
}


@bp.post(f"/topic/{TOPIC_ID}/<any({', '.join(TOPIC_ACTIONS)}):action>")
def topic_action(topic_id: int, action: str):
    """Lock, unlock, resolve or reopen a topic, or follow it or stop following it."""
    found = reading.find_topic(topic_id)
    if found is None:
        raise NotFound(_("This topic does not exist."))
    run, done = TOPIC_ACTIONS[action]
    run(found)
    flash(done(), "success")
    return redirect(topic_url(found))


@bp.post("/<any(subscribe, unsubscribe):action>/talk/<path:title>")
def follow_page(action: str, title: str):
    """Follow the new topics of a page's talk page, or stop following them."""
    page = page_or_404(title)
    subscriptions.follow_page(page, current_user, action == "subscribe")
    if action == "subscribe":
        flash(_("You will hear about new topics on this page."), "success")
    else:
        flash(_("You no longer follow new topics on this page."), "success")
    return redirect(url_for("talk.topics", title=url_title(page)))


@bp.errorhandler(TooManyRequests)
def too_many(_error: TooManyRequests):
    """Keep the comment typed when the person posts too often (a fragment for talk.js)."""
    message, headers = too_often()
    body = request.form.get("body", "")
    if request.method != "POST" or request.endpoint not in KEEPS_TEXT:
        return errors.error_response(429, message, headers)
    if wants_fragment():
        return message, 429, headers | {"Content-Type": "text/plain; charset=utf-8"}
    args = request.view_args or {}
    if request.endpoint == "talk.edit":
        found = comment_or_404(args["comment_id"])
        return edit_page(found, body, error=message), 429, headers
    if request.endpoint == "talk.reply":
        page, topic = find_topic(args["title"], args["topic_id"])
        if topic is not None:
            parent = _comment_id("parent", form=True)
            html = topic_page(page, topic, reply_to=parent, body=body, error=message)
            return html, 429, headers
    page = page_or_404(args["title"])
    form = {"subject": request.form.get("subject", ""), "body": body}
    return topics_page(page, form, error=message), 429, headers


#: The forms whose text a 429 answer shows again.
KEEPS_TEXT = ("talk.topics", "talk.reply", "talk.edit")
