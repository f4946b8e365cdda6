"""The live editor's WebSocket (/live/<page id>, the Yjs sync and awareness protocol), its
side preview (/live/preview) and discarding the live draft's unsaved changes."""

import time

from flask import Blueprint, Response, current_app, flash, jsonify, redirect, request
from flask_babel import gettext as _
from flask_login import current_user
from simple_websocket import ConnectionClosed, Server

from ..access.permissions import edit_refusal, raise_refusal
from ..core import ymessages as ym
from ..core.titles import N_
from ..extensions import db
from ..models import User
from ..pages import service as pages
from ..problems import BadRequest, NotAllowed, UserError
from ..safety.log import can_read_log
from ..urls import page_url
from ..web import user_message
from . import service
from .hub import flush, hub, keep_open
from .limits import Bucket
from .rooms import Connection

bp = Blueprint("live", __name__)

OTHER_ORIGIN = N_("Live editing is only open to this wiki's own pages.")
SOCKET_ONLY = N_("This address is for the live editor's WebSocket connection.")

#: After this long without a message, send one so the browser knows the link is alive.
KEEPALIVE_SECONDS = 10.0
#: Close codes the browser does not retry (4400–4499): refused, or a broken client.
REFUSED = 4403
BROKEN = 4400


@bp.post("/live/preview")
def preview():
    """Render the live editor's text as the page would show it (JSON, for the side pane)."""
    raise_refusal(edit_refusal(current_user))
    try:
        shown = pages.preview(pages.check_text(request.form.get("text", "")))
    except UserError as error:
        return jsonify({"error": user_message(error)}), error.status
    return jsonify({"html": shown["html"]})


@bp.post("/live/<int:page_id>/discard")
def discard(page_id: int):
    """Discard the live draft's unsaved changes: the editor starts again from the saved text."""
    mine = request.form.get("discard") == "mine"  # the editor's Cancel, leaving the page
    done = service.discard(current_user, page_id, only_mine=mine)
    if not done.changed:
        flash(_("There were no unsaved changes to discard."), "info")
    else:
        flash(_("The unsaved changes were discarded."), "success")
    if done.copies_for:
        names = ", ".join(done.copies_for)
        flash(_("A copy is kept as a personal draft for %(names)s.", names=names), "info")
    leaving = mine or request.form.get("then") == "page"
    return redirect(page_url(done.title) if leaving else page_url(done.title, "pages.edit"))


@bp.get("/live/<int:page_id>", endpoint="plain")
def plain(page_id: int):
    """Answer a plain request to the socket's address: it only speaks WebSocket."""
    raise BadRequest(SOCKET_ONLY)


@bp.route("/live/<int:page_id>", websocket=True)
def socket(page_id: int):
    """Join the page's live editing room over a WebSocket."""
    # A refusal is a plain status and sentence: a WebSocket handshake follows no redirect
    # to the login page, and shows no HTML.
    try:
        if request.headers.get("Origin", "") != _own_origin():
            raise NotAllowed(OTHER_ORIGIN)
        page = service.page_to_join(current_user, page_id)
    except UserError as error:
        return Response(user_message(error), error.status, mimetype="text/plain")
    ws = Server(request.environ, max_message_size=current_app.config["LIVE_MAX_MESSAGE_BYTES"])
    try:
        _serve(ws, Connection(ws, current_user.id, current_user.username), page)
    except ConnectionClosed:
        pass
    finally:
        try:
            ws.close()
        except ConnectionClosed:
            pass
    return _Done(ws.mode)


def _own_origin() -> str:
    """Return the origin of this wiki's pages (the socket's own scheme is ws or wss)."""
    secure = request.scheme in ("https", "wss")
    return f"{'https' if secure else 'http'}://{request.host}"


def _serve(ws: Server, conn: Connection, page) -> None:
    """Pass messages between one browser and its room until either side ends."""
    live = hub()
    room = live.enter(page, conn)
    news = service.draft_news(room, show_blocked=can_read_log(current_user))
    conn.send(ym.event(news))
    config = current_app.config
    bucket = Bucket(config["LIVE_MESSAGES_PER_SECOND"], config["LIVE_MESSAGE_BURST"])
    recheck = float(config["LIVE_RECHECK_SECONDS"])
    checked = heard = time.monotonic()
    withdrawn = False  # the person may no longer edit anywhere (not just this page)
    try:
        while conn.open:
            data = ws.receive(timeout=1.0)
            now = time.monotonic()
            if data is not None:
                if not isinstance(data, bytes):
                    ws.close(BROKEN, "text messages are not part of the protocol")
                    return
                if not bucket.take(now):
                    ws.close(1008, "too many messages")
                    return
                try:
                    room.handle(conn, data)
                except ym.Malformed:
                    ws.close(BROKEN, "malformed message")
                    return
                heard = now
            flush(room)
            keep_open(room)
            if now - checked >= recheck:
                checked = now
                refusal = service.current_refusal(conn.user_id, room.page_id)
                if refusal is not None:
                    reason = _(refusal.message, **refusal.params)
                    conn.send(ym.event({"type": "readonly", "reason": reason}))
                    ws.close(REFUSED, close_reason(reason))
                    user = db.session.get(User, conn.user_id)
                    withdrawn = edit_refusal(user) is not None
                    return
            if now - heard >= KEEPALIVE_SECONDS:
                heard = now
                conn.send(ym.event({"type": "alive"}))
    finally:
        conn.open = False
        live.leave(room, conn)
        if withdrawn:  # typed since the block (or demotion), before this check: set it aside
            also = room.page_id if conn.typed else None
            service.set_aside_typing_of(db.session.get(User, conn.user_id), also=also)


def close_reason(reason: str) -> str:
    """Return the reason cut to what a WebSocket close frame holds (123 bytes of UTF-8): a
    longer one breaks the close, and the browser sees a lost connection instead."""
    return reason.encode()[:123].decode(errors="ignore")


class _Done(Response):
    """The answer after a WebSocket ends: nothing more may be written on the socket."""

    def __init__(self, mode: str) -> None:
        super().__init__()
        self.mode = mode

    def __call__(self, environ, start_response):
        if self.mode == "gunicorn":
            raise StopIteration()  # gunicorn's sign that the socket was taken over
        return super().__call__(environ, start_response)
