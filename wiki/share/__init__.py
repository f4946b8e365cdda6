"""Sharing: link previews, sitemaps and robots.txt, share links, video embeds, reach."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the sitemap views, the template helpers and view counting."""
    from . import display, links, previews, reach, views
    from . import models as _models  # noqa: F401 (the page_view table)

    app.register_blueprint(views.bp)
    reach.register(app)
    app.after_request(display.add_robots_header)
    app.jinja_env.globals.update(
        link_preview=previews.link_preview,
        og_locale=previews.og_locale,
        preview_image=previews.preview_image,
        share_links=links.share_links,
        absolute_url=previews.absolute,
        noindex=display.noindex,
        page_reach=display.page_reach,
        reach_lists=display.reach_lists,
        w3c_date=display.w3c_date,
    )
