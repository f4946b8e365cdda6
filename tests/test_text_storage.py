"""Revision texts stored as deltas: every revision reads back exactly, chains stay short,
old wikis are converted safely, and flask check notices a damaged text."""

import zlib

from sqlalchemy import func, select

from tests.helpers import count_queries, save
from wiki.extensions import db
from wiki.integrity import check_all
from wiki.models import Revision, TextBlob, User, kept_texts, reading_storage
from wiki.pages import content

PAGE = "".join(f"Line {n}: our spring launch, in Milan, with partners.\n" for n in range(300))


def versions(count: int) -> list[str]:
    """Return count texts of one page, each a small edit of the one before."""
    texts, text = [], PAGE
    for n in range(count):
        text = text.replace(f"Line {n * 7 % 300}:", f"Line {n * 7 % 300} (edit {n}):", 1)
        texts.append(text)
    return texts


def read_back(revision_id: int) -> str:
    """Return a revision's text as a fresh session reads it from storage."""
    db.session.expunge_all()
    with reading_storage():
        return db.session.get(Revision, revision_id).text


def test_every_revision_reads_back_exactly_and_chains_stay_short(people):
    texts = versions(content.MAX_DELTA_DEPTH * 2 + 5)
    ids = [save("Plan", text, people["alice"]).revision.id for text in texts]
    assert [read_back(i) for i in ids] == texts
    deltas = db.session.scalar(select(func.count()).where(TextBlob.base_id.is_not(None)))
    assert deltas >= len(texts) - 3  # nearly every edit is stored as a delta
    assert db.session.scalar(select(func.max(TextBlob.depth))) <= content.MAX_DELTA_DEPTH
    assert check_all() == []


def test_a_restored_text_is_shared_and_later_edits_build_on_it(people):
    texts = versions(4)
    first = save("Plan", texts[0], people["alice"]).revision.id
    for text in texts[1:]:
        save("Plan", text, people["alice"])
    restored = save("Plan", texts[0], people["bob"]).revision
    after = save("Plan", texts[0] + "A last line.\n", people["bob"]).revision.id
    assert restored.text_id == db.session.get(Revision, first).text_id
    assert read_back(after) == texts[0] + "A last line.\n"
    assert check_all() == []


def test_an_old_wiki_is_compacted_without_losing_a_byte(people):
    texts = versions(30)
    ids = [save("Plan", text, people["alice"]).revision.id for text in texts]
    save("Other", texts[3], people["bob"])  # the same text on another page: one shared blob
    # As a wiki from before deltas stored them: every text whole.
    for blob in db.session.scalars(select(TextBlob)):
        blob.data, blob.base_id, blob.depth = zlib.compress(blob.text.encode()), None, 0
    db.session.commit()
    before = db.session.scalar(select(func.sum(func.length(TextBlob.data))))
    changed, saved = content.compact_texts()
    assert changed >= 25 and saved > 0
    assert db.session.scalar(select(func.sum(func.length(TextBlob.data)))) < before / 5
    assert [read_back(i) for i in ids] == texts
    assert check_all() == []
    assert content.compact_texts() == (0, 0)  # running it again changes nothing


def test_check_reports_a_damaged_delta(people):
    texts = versions(3)
    for text in texts:
        save("Plan", text, people["alice"])
    damaged = db.session.scalar(select(TextBlob).where(TextBlob.base_id.is_not(None)))
    damaged.data, damaged_id = damaged.data[:-4], damaged.id
    db.session.commit()
    db.session.expunge_all()
    assert any(f"Text {damaged_id} cannot be read back" in line for line in check_all())


def test_a_save_reads_no_delta_chain_its_process_wrote_or_read(people):
    texts, alice_id = versions(6), people["alice"].id
    for text in texts[:-1]:
        save("Plan", text, people["alice"])
    latest = db.session.scalar(select(TextBlob).order_by(TextBlob.id.desc()).limit(1))
    assert latest.depth >= 2  # read from storage, its text needs its chain
    db.session.expunge_all()  # a new request of the same process: no row read yet
    with count_queries() as seen:
        revision_id = save("Plan", texts[-1], db.session.get(User, alice_id)).revision.id
    # Neither the previous text nor its word authorship was rebuilt from its deltas.
    assert not [statement for statement in seen if "recursive" in statement.lower()]
    assert read_back(revision_id) == texts[-1]

    # Another process keeps nothing yet: it reads the chains and saves the same.
    kept_texts().clear()
    db.session.expunge_all()
    with count_queries() as seen:
        revision_id = save("Plan", PAGE, db.session.get(User, alice_id)).revision.id
    assert [statement for statement in seen if "recursive" in statement.lower()]
    assert read_back(revision_id) == PAGE
    assert check_all() == []
