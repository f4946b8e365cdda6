"""Storing revision texts and their rendered HTML."""

import hashlib
import json
import re
import zlib

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from .. import events
from ..core.render import RENDERER_VERSION, Heading, Rendered
from ..extensions import db
from ..models import Page, RenderedText, Revision, TextBlob
from ..renderer import render_bounded

# Control characters other than tab, LF and CR, and lone surrogates, which UTF-8 can't hold.
_UNWANTED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Return text with line ends as LF and control characters removed."""
    return _UNWANTED.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def text_sha1(text: str) -> str:
    """Return the SHA-1 of the text's UTF-8 bytes, in hex."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def byte_size(text: str) -> int:
    """Return the size of the text in UTF-8 bytes."""
    return len(text.encode("utf-8"))


def store_text(text: str, sha1: str) -> TextBlob:
    """Return the blob holding this text, adding it if no revision has used it yet."""
    blob = db.session.scalar(select(TextBlob).where(TextBlob.sha1 == sha1))
    if blob is None:
        blob = TextBlob(sha1=sha1, data=zlib.compress(text.encode("utf-8"), 6))
        db.session.add(blob)
        db.session.flush()
    return blob


def render(text: str) -> Rendered:
    """Render text within the configured time bound (raises RenderTimeout)."""
    return render_bounded(text, timeout=current_app.config["RENDER_TIMEOUT"])


def cache_rendered(sha1: str, rendered: Rendered) -> RenderedText:
    """Keep the rendered HTML of a text, unless it is already kept."""
    row = db.session.get(RenderedText, (sha1, RENDERER_VERSION))
    if row is None:
        headings = [[h.level, h.anchor, h.text] for h in rendered.headings]
        row = RenderedText(
            sha1=sha1,
            renderer_version=RENDERER_VERSION,
            html=rendered.html,
            headings=json.dumps(headings, ensure_ascii=False),
        )
        db.session.add(row)
    return row


def rendered_html(sha1: str, text_loader, keep: bool = True) -> tuple[str, list[Heading]]:
    """Return the cached HTML and headings of a text, rendering on a miss (cached if keep)."""
    row = db.session.get(RenderedText, (sha1, RENDERER_VERSION))
    if row is None:
        rendered = render(text_loader())
        if not keep:
            return rendered.html, list(rendered.headings)
        try:
            row = cache_rendered(sha1, rendered)
            db.session.commit()
        except IntegrityError:
            # Another request cached the same text at the same moment: theirs is as good.
            db.session.rollback()
        return rendered.html, list(rendered.headings)
    return row.html, [Heading(*h) for h in json.loads(row.headings)]


@events.page_saved.connect
def _forget_superseded_rendering(_app, previous: Revision | None = None, **_extra) -> None:
    """Drop the cached HTML of the text a save replaced, unless a page still shows it.

    Only current texts keep their HTML: an old revision is rendered when someone opens it.
    Caching every revision would store ~1.4x the text size again for each small edit.
    """
    if previous is None:
        return
    still_shown = (
        select(Revision.id)
        .join(Page, Page.latest_revision_id == Revision.id)
        .where(Revision.sha1 == previous.sha1)
        .exists()
    )
    db.session.execute(
        delete(RenderedText).where(RenderedText.sha1 == previous.sha1, ~still_shown)
    )
