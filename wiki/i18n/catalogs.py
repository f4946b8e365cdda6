"""Compiled catalogues: each .po is compiled to the .mo gettext reads, when it is newer.

The .mo files are built, not committed: `make run` / `make test` compile them, and the app
compiles any that are missing or stale when it starts, so a fresh clone just works.
"""

import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po


def compile_stale(root: Path) -> list[Path]:
    """Compile every catalogue under root whose .mo is missing or older; return those."""
    compiled = []
    for po in sorted(root.glob("*/LC_MESSAGES/messages.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        try:
            _compile(po, mo)
        except OSError:
            continue  # a read-only install: `make` compiled it, or gettext falls back to English
        compiled.append(po)
    return compiled


def _compile(po: Path, mo: Path) -> None:
    """Write po's compiled catalogue to mo atomically (several workers may start at once)."""
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=po.parent.parent.name)
    fd, temporary = tempfile.mkstemp(dir=mo.parent, suffix=".mo.tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            write_mo(out, catalog, use_fuzzy=False)
        os.replace(temporary, mo)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
