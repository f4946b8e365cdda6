"""The Italian catalogue is complete, correct and compiles: checked against a freshly
extracted template, so a message added to the code without its Italian fails here (in CI)."""

import io
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from tests.i18n_extract import ROOT, extracted_template

CATALOGUE = ROOT / "wiki" / "translations" / "it" / "LC_MESSAGES" / "messages.po"


@pytest.fixture(scope="module")
def italian():
    """Return the Italian catalogue as committed."""
    assert CATALOGUE.exists(), f"the Italian catalogue {CATALOGUE.relative_to(ROOT)} is missing"
    with CATALOGUE.open("rb") as handle:
        return read_po(handle, locale="it")


def _ids(message) -> tuple:
    return message.id if isinstance(message.id, tuple) else (message.id,)


def test_every_message_has_an_italian_translation(italian):
    untranslated = []
    for message in extracted_template():
        if not message.id:
            continue  # the header
        found = italian.get(message.id)
        strings = (
            (found.string if isinstance(found.string, tuple) else (found.string,)) if found else ()
        )
        if found is None or found.fuzzy or not strings or not all(strings):
            untranslated.append(_ids(message)[0])
    assert untranslated == [], (
        f"{len(untranslated)} messages have no (or only a fuzzy) Italian translation; run "
        f"`make messages` and translate them in {CATALOGUE.relative_to(ROOT)}: {untranslated[:20]}"
    )


def test_translations_keep_every_placeholder(italian):
    problems = [
        (_ids(message)[0], [str(error) for error in errors])
        for message, errors in italian.check()
        if errors
    ]
    assert problems == []


def test_italian_plural_forms_are_right(italian):
    assert italian.plural_forms == "nplurals=2; plural=(n != 1);"
    plurals = [m for m in italian if m.id and isinstance(m.id, tuple) and not m.fuzzy]
    assert plurals, "no plural message in the catalogue"
    for message in plurals:
        assert isinstance(message.string, tuple) and len(message.string) == 2, message.id


def test_the_catalogue_compiles_and_chooses_plurals(italian):
    compiled = io.BytesIO()
    write_mo(compiled, italian)
    compiled.seek(0)
    translations = Translations(compiled)
    assert translations.gettext("Edit") == "Modifica"
    one = translations.ngettext("%(num)s contributor", "%(num)s contributors", 1)
    many = translations.ngettext("%(num)s contributor", "%(num)s contributors", 3)
    assert one != many and "%(num)s" in one and "%(num)s" in many


def test_the_template_is_extracted_from_the_code():
    ids = {message.id for message in extracted_template()}
    assert "Edit" in ids and "Undo revision %(id)s by %(name)s" in ids
    assert "Stop these emails (no login needed):" in ids  # an email's text template


def test_every_kind_of_template_with_words_is_extracted():
    # Email bodies (.txt) were once left out: their words reached everyone in English.
    config = (ROOT / "babel.cfg").read_text()
    translated = {
        path.suffix
        for path in (ROOT / "templates").rglob("*.*")
        if "_(" in path.read_text(encoding="utf-8", errors="replace")
    }
    assert {suffix for suffix in translated if f"templates/**{suffix}]" not in config} == set()


def test_no_compiled_catalogue_is_committed():
    import subprocess

    tracked = subprocess.run(
        ["git", "ls-files", "wiki/translations"], cwd=ROOT, capture_output=True, text=True
    ).stdout.split()
    assert [path for path in tracked if path.endswith(".mo")] == []
    assert Path(ROOT / ".gitignore").read_text().count("LC_MESSAGES/*.mo") == 1
