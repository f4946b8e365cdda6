"""Bottega: a wiki where a company and its community co-write marketing pages."""

from pathlib import Path

from flask import Flask

from . import renderer
from .config import load_config
from .database import tune_engine
from .extensions import babel, csrf, db, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the application: defaults, then instance/config.py, WIKI_* variables, config."""
    app = Flask(
        __name__,
        instance_path=(config or {}).get("INSTANCE_PATH", str(ROOT / "instance")),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    load_config(app, config)
    app.config.setdefault("MAX_CONTENT_LENGTH", 4 * app.config["MAX_PAGE_BYTES"] + 65536)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app)
    with app.app_context():
        tune_engine(db.engine)
    renderer.configure(workers=app.config["RENDER_WORKERS"])

    from . import cli, errors, templating
    from .history.views import bp as history_bp
    from .pages import cache as page_cache
    from .pages.views import bp as pages_bp
    from .people.views import bp as people_bp

    app.register_blueprint(pages_bp)
    app.register_blueprint(history_bp)
    app.register_blueprint(people_bp)
    errors.register(app)
    page_cache.register(app)
    templating.register(app)
    cli.register(app)
    return app
