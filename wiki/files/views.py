"""Files: upload, the file page, reverting, the gallery, and serving bytes and thumbnails."""

from dataclasses import asdict, dataclass
from urllib.parse import urlencode

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData
from werkzeug.wsgi import get_input_stream

from .. import errors
from ..access.permissions import can_edit, is_moderator, raise_refusal
from ..core import fileembed
from ..core.filenames import (
    FileName,
    FileNameError,
    name_params,
    parse_file_name,
    suggested_alt,
)
from ..core.sniff import TYPES
from ..core.titles import Title
from ..extensions import db
from ..pages import service as pages
from ..problems import BadRequest, NotFound, UserError
from ..review.helpers import edits_wait
from ..web import (
    choice_arg,
    content_disposition,
    flag_arg,
    int_arg,
    safe_next,
    user_message,
    wants_json,
)
from . import images, reading, service, serving
from . import logo as logos
from .intake import TOO_LARGE, accepted_types
from .models import FileBlob

bp = Blueprint("files", __name__)
# Above the site's request limit (sized for page texts): an upload may be far larger.
SLACK = 1024 * 1024


@bp.url_value_preprocessor
def allow_large_uploads(endpoint, _values) -> None:
    """Let the upload form's body be as large as a file may be (runs before the body is read)."""
    if endpoint == "files.upload":
        limit = current_app.config["FILE_MAX_BYTES"] + SLACK
        request.max_content_length = limit
        # Refuse a declared oversize body now, before the form parser starts spooling it;
        # the fields sent before the file are read, to show them again.
        if (request.content_length or 0) > limit:
            raise UploadTooLarge(_fields_before_the_file())


class UploadTooLarge(RequestEntityTooLarge):
    """An upload refused unread, with the form's fields the browser sent before the file
    (None if the file came first, or the body could not be read: what was typed is lost)."""

    def __init__(self, fields: dict[str, str] | None) -> None:
        super().__init__()
        self.fields = fields


def _fields_before_the_file() -> dict[str, str] | None:
    """Return the upload form's fields, sent before the file (the forms put it last), reading
    at most SLACK bytes; None if they did not all come first (what was typed is unknown)."""
    boundary = request.mimetype_params.get("boundary", "")
    if request.mimetype != "multipart/form-data" or not boundary:
        return None
    stream = get_input_stream(request.environ, max_content_length=None)
    decoder = MultipartDecoder(boundary.encode(), max_form_memory_size=SLACK)
    fields: dict[str, str] = {}
    name, value, budget = None, b"", SLACK
    try:
        while budget > 0:
            chunk = stream.read(min(budget, 64 * 1024))
            budget -= len(chunk)
            decoder.receive_data(chunk or None)
            event = decoder.next_event()
            while not isinstance(event, NeedData | Epilogue):
                if isinstance(event, File):  # known if the form's text came first, as it does
                    return fields if {"description", "comment"} & fields.keys() else None
                if isinstance(event, Field):
                    name, value = event.name, b""
                elif isinstance(event, Data) and name is not None:
                    value += event.data
                    if not event.more_data:
                        fields.setdefault(name, value.decode("utf-8", "replace"))
                event = decoder.next_event()
            if not chunk or isinstance(event, Epilogue):
                return None
    except (ValueError, RequestEntityTooLarge, OSError):
        return None
    return None


@bp.before_app_request
def file_pages_show_the_file():
    """Send /wiki/File:Name to the file page, where the description is shown with the file."""
    if request.endpoint != "pages.view" or request.args.get("redirect") == "no":
        return None
    title = (request.view_args or {}).get("title", "")
    name = fileembed.file_target(title.replace("_", " "))
    if name is not None and reading.find_file(name, public=_public_view()) is not None:
        return redirect(url_for("files.file_page", name=name.url))
    return None


@dataclass
class UploadForm:
    """The upload form's fields, as typed (kept when the form is shown again)."""

    name: str = ""
    description: str = ""
    licence: str = ""
    comment: str = ""
    replace: bool = False
    keep_original: bool = False

    @classmethod
    def from_request(cls) -> "UploadForm":
        form = request.form
        return cls(
            name=form.get("name", "").strip(),
            description=form.get("description", ""),
            licence=form.get("licence", ""),
            comment=form.get("comment", ""),
            replace=flag_arg("replace", form=True),
            keep_original=flag_arg("keep_original", form=True),
        )

    @classmethod
    def from_fields(cls, fields: dict[str, str]) -> "UploadForm":
        """Return the form from fields read without the request's form parser."""
        return cls(
            name=fields.get("name", "").strip()[:300],
            description=fields.get("description", ""),
            licence=fields.get("licence", ""),
            comment=fields.get("comment", ""),
            replace=fields.get("replace", "") not in ("", "0"),
            keep_original=fields.get("keep_original", "") not in ("", "0"),
        )

    @property
    def typed(self) -> bool:
        """Return whether the form holds something typed (shown again below an error)."""
        return any((self.name, self.description, self.licence, self.comment))


@bp.route("/upload", methods=["GET", "POST"])
def upload():
    """Show the upload form; on POST receive a file (a new one or a new version)."""
    # A form that sent the person here to upload (Name and logo) gets them back, with the
    # file's name in ?file= to fill in.
    back = request.values.get("next", "")[:500]
    if request.method == "GET":
        raise_refusal(service.upload_refusal(current_user))
        form = UploadForm(name=request.args.get("name", "")[:300])
        return _show_form(form, replacing=_existing(form.name), back=back)
    raise_refusal(service.upload_refusal(current_user))
    form = UploadForm.from_request()
    sent = request.files.get("file")
    try:
        if sent is None or not (sent.filename or form.name):
            raise BadRequest(_("Choose a file to upload."), field="file")
        result = service.upload(current_user, _upload_of(sent, form))
    except UserError as error:
        if wants_json() or getattr(error, "needs_login", False):
            raise
        replacing = _existing(form.name) if form.replace else None
        # The name is taken: the file's page (where a new version is uploaded) is a link.
        asked = form.name or (sent.filename if sent is not None else "") or ""
        taken = _existing(asked) if error.status == 409 and not form.replace else None
        page = _show_form(
            form, error=user_message(error), replacing=replacing, back=back, taken=taken
        )
        return page, error.status
    if wants_json():
        return jsonify(_answer(result)), 200 if result.reused else 201
    flash(_upload_message(result), "success")
    if back and safe_next(back) == back:  # a path on this site, nowhere else
        joiner = "&" if "?" in back else "?"
        return redirect(back + joiner + urlencode({"file": result.name.display}))
    return redirect(url_for("files.file_page", name=result.name.url))


def _upload_of(sent, form: UploadForm) -> service.Upload:
    """Return the service's view of the posted form."""
    return service.Upload(
        stream=sent.stream,
        filename=sent.filename or "",
        name=form.name,
        description=form.description,
        licence=form.licence,
        comment=form.comment,
        replace=form.replace,
        unique=flag_arg("unique", form=True),
        keep_original=form.keep_original,
    )


def _upload_message(result: service.UploadResult) -> str:
    """Return what the uploader is told, and that others see it only once it is reviewed
    when the person's changes wait for review."""
    if result.created:
        done = _("The file was uploaded.")
    else:
        done = _("The new version was uploaded: the earlier ones are kept in the file's history.")
    if edits_wait(result.name.key):
        done += " " + _("It waits for review: others see it once a reviewer accepts it.")
    return done


def _answer(result: service.UploadResult) -> dict:
    """Return the JSON answer to an upload (the editor's drop and paste use it)."""
    blob = result.version.blob
    return {
        "name": result.name.display,
        "title": result.name.title,
        "url": url_for("files.file_page", name=result.name.url),
        "media_url": media_url(blob, result.name),
        "media_type": blob.media_type,
        "size": blob.size,
        "width": blob.width,
        "height": blob.height,
        "created": result.created,
        "reused": result.reused,
        "markdown": f"![{_link_words(result)}](File:{result.name.display})",
    }


def _link_words(result: service.UploadResult) -> str:
    """Return the words in the brackets of an upload's Markdown: a picture's description to
    be (the editor selects it for the uploader to type over), a document's link text."""
    if result.version.blob.media_type.startswith("image/"):
        return suggested_alt(result.name)
    return result.name.stem


def _existing(raw: str) -> reading.FileInfo | None:
    """Return the existing file a name names, if any (the form then uploads a new version)."""
    try:
        return reading.find_file(parse_file_name(raw), follow=False) if raw else None
    except FileNameError:
        return None


def _show_form(
    form: UploadForm,
    error: str | None = None,
    replacing=None,
    back: str = "",
    *,
    typed_lost: bool = False,
    taken=None,
):
    """Show the upload form with what the person typed (back: where to return after;
    typed_lost: the body was refused unread, so what was typed could not be shown; taken:
    the file that already has the name asked for)."""
    config = current_app.config
    return render_template(
        "files/upload.html",
        form=form,
        error=error,
        typed_lost=typed_lost,
        replacing=replacing,
        taken=taken,
        back=back,
        accepted=[TYPES[media] for media in accepted_types(config["FILE_TYPES"])],
        max_mb=config["FILE_MAX_BYTES"] // 2**20,
    )


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    """Say how large a file may be, with the fields sent before the file (the body was
    refused before the file was read), or saying plainly that they could not be kept."""
    limit = current_app.config["FILE_MAX_BYTES"] // 2**20
    message = _(TOO_LARGE, limit=limit)
    if wants_json() or request.endpoint != "files.upload":
        return errors.error_response(413, message)
    fields = getattr(error, "fields", None)
    if fields is None:
        return _show_form(UploadForm(), error=message, typed_lost=True), 413
    form = UploadForm.from_fields(fields)
    back = fields.get("next", "")[:500]
    replacing = _existing(form.name) if form.replace else None
    return _show_form(form, error=message, replacing=replacing, back=back), 413


def _name_or_400(raw: str) -> FileName:
    """Return the file name in a URL, or answer 400 saying what is wrong with it."""
    try:
        return parse_file_name(raw.replace("_", " "))
    except FileNameError as error:
        abort(400, description=_(str(error), **name_params()))


@bp.get("/file/<path:name>")
def file_page(name: str):
    """Show a file: preview, versions, where it is used, its description and discussion."""
    parsed = _name_or_400(name)
    public = _public_view(parsed)
    info = reading.find_file(parsed, deleted=is_moderator(current_user), public=public)
    shown = pages.shown_revision(info.page, current_user) if info is not None else None
    if info is None or shown is None:  # none, or a description waiting for review
        return _missing(parsed)
    if name != info.name.url:
        return redirect(url_for("files.file_page", name=info.name.url))
    return render_template(
        "files/file.html",
        info=info,
        view=pages.render_page(info.page, shown),
        versions=reading.versions(info.page, public=public),
        usage=reading.usage(info.page),
        may_upload=service.upload_refusal(current_user) is None
        and can_edit(current_user, info.page),
    )


def _public_view(name: FileName | None = None) -> bool:
    """Return whether this visitor is shown published uploads only (not those waiting for
    review), as they are shown the published text of pages (of this file's page: its
    uploader sees their own upload while it waits)."""
    if pages.sees_waiting(current_user):
        return False
    if name is None or not current_user.is_authenticated:
        return True
    page = pages.get_page(Title(name.title, name.key))
    return page is None or not pages.sees_waiting_on(page, current_user)


def _missing(name: FileName):
    """Answer 404: offer to upload the file, or say it was deleted."""
    page = pages.get_page(Title(name.title, name.key))
    deleted = page is not None and page.deleted
    # Uploaded, but this reader sees only published uploads: offering to upload it again
    # would end in "a file with this name exists".
    waiting = page is not None and not deleted and reading.has_versions(page.id)
    html = render_template(
        "files/missing.html", name=name, deleted=deleted, page=page, waiting=waiting
    )
    return html, 404


@bp.post("/file/<path:name>/revert")
def revert(name: str):
    """Make an earlier version of a file the current one again."""
    parsed = _name_or_400(name)
    service.revert(
        current_user, parsed, int_arg("version", form=True), request.form.get("comment", "")
    )
    flash(_("The earlier version is the current one again."), "success")
    return redirect(url_for("files.file_page", name=parsed.url))


@bp.get("/files")
def gallery():
    """List files, newest first: all, by uploader, by kind, or those no page uses."""
    filters = reading.GalleryFilters(
        uploader=request.args.get("uploader", "").strip()[:64],
        kind=choice_arg("kind", reading.KINDS, ""),
        unused=flag_arg("unused"),
    )
    listing = reading.gallery(filters, int_arg("before"), public=_public_view())
    # Kinds that can be uploaded, or that the wiki has files of; and the one asked for.
    kinds = reading.gallery_kinds(accepted_types(current_app.config["FILE_TYPES"]))
    return render_template(
        "files/gallery.html",
        listing=listing,
        filters=filters,
        kinds={"", filters.kind, *kinds},
        filter_args={name: value for name, value in asdict(filters).items() if value},
    )


@bp.get("/media/<sha256>/<path:name>")
def media(sha256: str, name: str):
    """Serve an original file (any version) under its content hash."""
    blob = _blob_or_404(sha256)
    disposition = content_disposition(name.replace("_", " "), serving.shown_inline(blob))
    return serving.original(blob, disposition, public=_public(sha256))


@bp.get("/site/logo/<sha256>")
def site_logo(sha256: str):
    """Serve the site's logo, to everyone: it heads every page, the login page too."""
    logo = logos.current_logo()
    blob = db.session.get(FileBlob, sha256) if logo and logo.sha256 == sha256 else None
    if blob is None:
        raise NotFound(_("There is no logo at this address."))
    extension = images.thumb_extension(blob.media_type)
    width = logo.image_width
    if extension is None or width >= blob.width:
        disposition = content_disposition(f"logo{_suffix(blob)}", True)
        return serving.original(blob, disposition, public=True)
    return serving.thumbnail(blob, width, extension, public=True)


def _suffix(blob) -> str:
    """Return the usual file name ending of a stored file's type (".png")."""
    kind = TYPES.get(blob.media_type)
    return kind.extensions[0] if kind and kind.extensions else ""


@bp.get("/thumb/<sha256>/<int:width>.<ext>")
def thumb(sha256: str, width: int, ext: str):
    """Serve a thumbnail of an image at one of the offered widths, made on first request."""
    blob = _blob_or_404(sha256)
    extension = images.thumb_extension(blob.media_type)
    if (
        extension != f".{ext}"
        or not blob.width
        or not fileembed.thumb_width_allowed(width, blob.width)
    ):
        raise NotFound(_("There is no thumbnail of this size."))
    return serving.thumbnail(blob, width, extension, public=_public(sha256))


def _blob_or_404(sha256: str):
    """Return stored bytes the visitor may see, or answer 404."""
    if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
        raise NotFound(_("There is no file at this address."))
    blob = reading.visible_blob(sha256, current_user)
    if blob is None:
        raise NotFound(_("There is no file at this address."))
    return blob


def _public(sha256: str) -> bool:
    """Return whether shared caches may keep the file (anyone may see it)."""
    return reading.visible_blob(sha256, None) is not None


bp.add_app_template_global(logos.shown_logo, "site_logo")


@bp.app_template_global()
def uploads_waiting(page):
    """Return a file page's uploads waiting for review (the review screen shows them)."""
    return reading.uploads_waiting(page)


@bp.app_template_global()
def thumb_url(blob, width: int) -> str:
    """Return the URL of a thumbnail of an image."""
    extension = images.thumb_extension(blob.media_type) or ".png"
    return url_for("files.thumb", sha256=blob.sha256, width=width, ext=extension[1:])


@bp.app_template_global()
def media_url(blob, name: FileName) -> str:
    """Return the URL of an original file."""
    return url_for("files.media", sha256=blob.sha256, name=name.url)


@bp.app_template_global()
def file_plan(blob, width: int | None = None, frame: str = ""):
    """Return how to show an image at a width (the file page's preview and lists)."""
    if not blob.width or not blob.height or images.thumb_extension(blob.media_type) is None:
        return None
    return fileembed.plan(blob.width, blob.height, fileembed.Options(width=width, frame=frame))
