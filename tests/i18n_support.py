"""Catalogues built for tests: a small Italian one, and a pseudo-locale of every message."""

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po
from flask import Flask

from tests.helpers import CSRFClient, base_config
from wiki import create_app

#: A few Italian messages the tests read (the real catalogue is wiki/translations/it).
ITALIAN = {
    "Edit": "Modifica",
    "History": "Cronologia",
    "Discussion": "Discussione",
    "Save": "Salva",
    "Log in": "Accedi",
    "Create account": "Registrati",
    "Pasted image": "Immagine incollata",
    "anonymous": "anonimo",
    "This page in:": "Questa pagina in:",
    "outdated": "non aggiornata",
    "Undo revision %(id)s by %(name)s": "Annullata la modifica %(id)s di %(name)s",
    "%(user)s restored revision %(id)s (written by %(author)s)": (
        "%(user)s ha ripristinato la versione %(id)s (scritta da %(author)s)"
    ),
    "Moved from %(old)s to %(new)s": "Spostata da %(old)s a %(new)s",
    "This page is also in your language:": "Questa pagina è anche nella tua lingua:",
    "Hello %(name)s,": "Ciao %(name)s,",
}
ITALIAN_PLURALS = {
    ("%(num)s contributor", "%(num)s contributors"): ("%(num)s autore", "%(num)s autori"),
}


def write_catalogue(root: Path, lang: str, messages: dict, plurals: dict | None = None) -> Path:
    """Write root/<lang>/LC_MESSAGES/messages.po holding these translations; return root."""
    catalog = Catalog(locale=lang)
    for msgid, msgstr in messages.items():
        catalog.add(msgid, msgstr, flags=("python-format",) if "%(" in msgid else ())
    for msgid, msgstr in (plurals or {}).items():
        catalog.add(msgid, msgstr, flags=("python-format",))
    folder = root / lang / "LC_MESSAGES"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "messages.po").open("wb") as handle:
        write_po(handle, catalog)
    return root


def make_app(database_url: str, tmp_path: Path, translations: Path, **config) -> Flask:
    """Return an app whose catalogues are in translations (a test's own)."""
    settings = base_config(tmp_path, database_url) | {"TRANSLATIONS_PATH": str(translations)}
    app = create_app(settings | config)
    app.test_client_class = CSRFClient  # each request in an app context of its own
    return app
