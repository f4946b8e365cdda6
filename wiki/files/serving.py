"""Serving stored bytes safely: sniffed types, downloads unless known safe, immutable caching.

Originals and thumbnails are served from /media and /thumb, paths that only ever answer
with bytes whose type was sniffed at upload (images, PDF, or what an admin allowed), never
with HTML. Their URLs hold the SHA-256 of the content, so they never change: browsers and
proxies may keep them for a year.
"""

import tempfile
from collections.abc import Callable, Iterator
from typing import TypeVar

from flask import Response, current_app, request, send_file

from ..access.policy import current_policy
from ..core.sniff import TYPES
from . import images, storage
from .models import FileBlob

Made = TypeVar("Made")

YEAR = 365 * 24 * 3600
CHUNK = 256 * 1024
#: Shown in place (images) or by the browser's viewer (PDF); all else is downloaded.
IMAGE_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
PDF_POLICY = "default-src 'none'; object-src 'self'; style-src 'unsafe-inline'"
DOWNLOAD_POLICY = "default-src 'none'; sandbox"


def shown_inline(blob: FileBlob) -> bool:
    """Return whether browsers may show this file in place (else it is a download)."""
    kind = TYPES.get(blob.media_type)
    return bool(kind and kind.inline)


def original(blob: FileBlob, disposition: str, *, public: bool) -> Response:
    """Answer with an original file, with its sniffed type and the Content-Disposition given
    (inline only when shown_inline)."""
    inline = shown_inline(blob)
    response = _object(storage.original_key(blob.sha256), blob.media_type, blob.sha256)
    response.headers["Content-Disposition"] = disposition
    if blob.media_type == "application/pdf":
        policy = PDF_POLICY
    else:
        policy = IMAGE_POLICY if inline else DOWNLOAD_POLICY
    return _harden(response, policy, public)


def thumbnail(blob: FileBlob, width: int, extension: str, *, public: bool) -> Response:
    """Answer with a thumbnail, making and keeping it on first request."""
    key = storage.thumb_key(blob.sha256, width, extension)
    media_type = images.THUMB_TYPES[extension]
    etag = f"{blob.sha256[:32]}-{width}-v{storage.THUMB_VERSION}"
    store = storage.store()
    if store.local_path(key) is None and not _is_cached(request, etag):
        try:
            store.open(key).close()
        except storage.MissingObject:
            data = make_thumbnail(blob, width, extension)
            store.put_bytes(key, data, media_type)
    response = _object(key, media_type, etag)
    return _harden(response, IMAGE_POLICY, public)


def make_thumbnail(blob: FileBlob, width: int, extension: str) -> bytes:
    """Return a thumbnail of an original from the store."""
    return from_original(blob, lambda source: images.thumbnail(source, width, extension))


def from_original(blob: FileBlob, make: Callable[..., Made]) -> Made:
    """Return what make makes of an original from the store: given its path on disk, or a
    copy downloaded to a temporary file when the store is remote."""
    store = storage.store()
    key = storage.original_key(blob.sha256)
    local = store.local_path(key)
    if local is not None:
        return make(local)
    with tempfile.SpooledTemporaryFile(max_size=16 * 2**20, dir=store.scratch) as copy:
        with store.open(key) as source:
            while chunk := source.read(CHUNK):
                copy.write(chunk)
        copy.seek(0)
        return make(copy)


def _is_cached(req, etag: str) -> bool:
    """Return whether the browser already holds this version (If-None-Match)."""
    return req.if_none_match.contains(etag)


def _object(key: str, media_type: str, etag: str) -> Response:
    """Answer with a stored object: a file sent by the server, or a stream from the bucket."""
    if _is_cached(request, etag):
        response = Response(status=304)
        response.set_etag(etag)
        return response
    store = storage.store()
    local = store.local_path(key)
    if local is not None:
        response = send_file(local, mimetype=media_type, etag=etag, conditional=True)
    else:
        try:
            body = store.open(key)
        except storage.MissingObject:
            current_app.logger.error("stored object %s is missing", key)
            raise
        response = Response(_chunks(body), mimetype=media_type, direct_passthrough=True)
        length = getattr(body, "_content_length", None)
        if length is not None:
            response.content_length = int(length)
        response.set_etag(etag)
    response.headers["Content-Type"] = media_type
    return response


def _chunks(body) -> Iterator[bytes]:
    """Yield a stream's bytes in pieces, closing it at the end."""
    try:
        while chunk := body.read(CHUNK):
            yield chunk
    finally:
        body.close()


def _harden(response: Response, policy: str, public: bool) -> Response:
    """Add the headers that keep served files from ever acting as pages, and caching."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = policy
    response.headers["Cross-Origin-Resource-Policy"] = "same-site"
    shared = public and current_policy().read == "everyone"
    scope = "public" if shared else "private"
    response.headers["Cache-Control"] = f"{scope}, max-age={YEAR}, immutable"
    return response
