"""App factories gunicorn loads in the benchmarks: the wiki on a given file, and a bare Flask."""

import os
from pathlib import Path

from flask import Flask


def wiki_app() -> Flask:
    """Return the wiki on the benchmark folder named by BENCH_WIKI_FOLDER."""
    from benchmarks._wiki import config
    from wiki import create_app

    return create_app(config(Path(os.environ["BENCH_WIKI_FOLDER"])))


def bare_app() -> Flask:
    """Return the baseline: a Flask app whose one route returns a fixed string."""
    app = Flask(__name__)

    @app.get("/")
    def hello() -> str:
        return "hello"

    return app
