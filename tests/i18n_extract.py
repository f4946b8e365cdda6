"""The messages of the code and templates, extracted as `make messages` does."""

import os
import subprocess
import sys
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = ("N_", "_", "gettext", "ngettext:1,2")


@cache
def extracted_template() -> Catalog:
    """Return a freshly extracted messages.pot (the same command as `make messages`)."""
    pybabel = Path(sys.executable).with_name("pybabel")
    # One file per process: two test workers extracting at once wrote the same file, and
    # one read it half written (a pseudo-locale page then showed untranslated words).
    out = ROOT / ".pytest_cache" / f"messages.test.{os.getpid()}.pot"
    out.parent.mkdir(exist_ok=True)
    keywords = [arg for word in KEYWORDS for arg in ("-k", word)]
    subprocess.run(
        [
            str(pybabel),
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            *keywords,
            "-o",
            str(out),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    try:
        with out.open("rb") as handle:
            return read_po(handle)
    finally:
        out.unlink(missing_ok=True)
