"""Idempotent writes: a retried request with the same Idempotency-Key gets the first answer.

The key is kept a day per client (token, or account). The first request with a key
inserts a row before it does anything (a unique constraint makes one request win a race);
its answer is stored when it ends. A repeat gets the stored answer; a repeat while the
first is still running gets 409; the same key with a different request gets 422.
"""

import functools
import hashlib
import json
from datetime import timedelta

from flask import Response, g, make_response, request
from flask_login import current_user
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from .. import errors
from ..core.titles import N_
from ..database import write_transaction
from ..extensions import db
from ..models import utcnow
from ..problems import BadRequest, CannotProcess, Conflict, UserError
from .models import IdempotentRequest

HEADER = "Idempotency-Key"
KEEP = timedelta(days=1)
MAX_KEY = 255
#: Response headers a replay repeats.
KEPT_HEADERS = ("ETag", "Location", "Content-Type")


def _owner() -> str:
    """Return whose keys these are: the token's, else the account's."""
    token = g.get("api_token")
    return f"token:{token.id}" if token is not None else f"user:{current_user.id}"


def _fingerprint() -> str:
    """Return a hash of what the request asks: method, path and body."""
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _claim(owner: str, key: str, fingerprint: str) -> IdempotentRequest | None:
    """Insert the key's row; return the earlier row instead if the key was used before."""
    now = utcnow()
    try:
        with write_transaction() as session:
            session.execute(
                delete(IdempotentRequest).where(IdempotentRequest.created_at < now - KEEP)
            )
            session.add(IdempotentRequest(owner=owner, key=key, fingerprint=fingerprint))
        return None
    except IntegrityError:
        db.session.rollback()
    return db.session.scalar(
        select(IdempotentRequest).where(
            IdempotentRequest.owner == owner, IdempotentRequest.key == key
        )
    )


def _replay(row: IdempotentRequest, fingerprint: str) -> Response:
    """Answer a repeated key with the stored answer, or say why not."""
    if row.fingerprint != fingerprint:
        raise CannotProcess(
            N_("This Idempotency-Key was used for a different request. Use a new key.")
        )
    if row.status == 0:
        raise Conflict(
            N_("A request with this Idempotency-Key is still being handled. Retry shortly.")
        )
    response = Response(row.body, status=row.status)
    for name, value in json.loads(row.headers).items():
        response.headers[name] = value
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _store(owner: str, key: str, response: Response) -> None:
    """Keep the answer for repeats; forget the key after a server error, so a retry runs."""
    with write_transaction() as session:
        row = session.scalar(
            select(IdempotentRequest).where(
                IdempotentRequest.owner == owner, IdempotentRequest.key == key
            )
        )
        if row is None:
            return
        if response.status_code >= 500:
            session.delete(row)
            return
        row.status = response.status_code
        row.body = response.get_data(as_text=True)
        kept = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
        row.headers = json.dumps(kept)


def idempotent(view):
    """Make a write view idempotent for requests that send an Idempotency-Key."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get(HEADER, "").strip()
        if not key:
            return view(*args, **kwargs)
        if len(key) > MAX_KEY or not key.isprintable():
            raise BadRequest(
                N_("The Idempotency-Key must be printable and at most %(count)s characters."),
                count=MAX_KEY,
            )
        owner, fingerprint = _owner(), _fingerprint()
        earlier = _claim(owner, key, fingerprint)
        if earlier is not None:
            return _replay(earlier, fingerprint)
        try:
            response = _answer(view(*args, **kwargs))
        except Exception as error:
            response = _answer(_error_response(error))
            _store(owner, key, response)
            raise
        _store(owner, key, response)
        return response

    return wrapper


def _answer(value) -> Response:
    """Return a view's return value as a Response."""
    return make_response(value)


def _error_response(error: Exception):
    """Return the answer a refusal gets (what a replay repeats); others are not kept."""
    if isinstance(error, UserError):
        return errors.refusal_response(error)
    return Response("", status=500)
