"""Helpers every template uses: page URLs and moments as people read them."""

from flask import Flask

from . import fragments
from .moments import exact_time, full_date, reltime, short_time
from .urls import page_url, profile_url


def register(app: Flask) -> None:
    """Make the helpers available in every template."""
    app.jinja_env.globals.update(page_url=page_url, profile_url=profile_url, reltime=reltime)
    app.jinja_env.filters["datetime"] = exact_time
    app.jinja_env.filters["short_time"] = short_time
    app.jinja_env.filters["full_date"] = full_date
    fragments.register(app)
