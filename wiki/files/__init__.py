"""Files: uploads with versions, thumbnails, safe serving, and a store that scales out.

Each file is described by an ordinary page "File:<name>", so talk, watching, protection,
deletion, search and recent changes are a page's; the bytes and versions are this
package's (models.py), kept in a content-addressed store (storage.py).
"""

from flask import Flask

from ..config import ConfigError
from ..core.filenames import suggested_alt


def init_app(app: Flask) -> None:
    """Open the store, resolve embedded files in page views, add the views and commands."""
    from . import cli, embeds, storage, views

    if app.config["FILE_STORAGE"] not in ("local", "s3"):
        raise ConfigError(f"FILE_STORAGE={app.config['FILE_STORAGE']!r}: use local or s3.")
    if app.config["FILE_STORAGE"] == "s3" and not app.config["FILE_S3_BUCKET"]:
        raise ConfigError(
            "FILE_STORAGE=s3 needs FILE_S3_BUCKET (and FILE_S3_ENDPOINT_URL "
            "for a store other than AWS)."
        )
    storage.init_app(app)
    embeds.install()
    # An embedded picture with no words of its own is described by what its name says.
    app.jinja_env.globals["suggested_alt"] = suggested_alt
    app.register_blueprint(views.bp)
    cli.register(app)
