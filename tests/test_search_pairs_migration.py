"""Migration 0020 on an existing wiki: PostgreSQL's search index gains the word pairs of
every document already indexed, the same pairs a save writes, and phrases are found as
before; no phrase spans a title and a body (on either engine)."""

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text as sql

from tests.helpers import ENGINES, POSTGRES_URL, base_config, private_schema, release
from wiki import create_app
from wiki.extensions import db
from wiki.search import service
from wiki.search.engines import Doc, engine_for
from wiki.search.text import index_words, word_pairs

DOCS = {
    1: ("Brand guide", "Our brand voice is warm. Città e qualità, perché no."),
    2: ("Brand", "Voice of the customer, and a brand with a voice."),
    3: ("Tone", "Say it plainly: the voice of our brand."),
}


def add_pages() -> None:
    """Insert the pages and their search documents as a wiki of revision 0019 holds them."""
    with db.engine.begin() as connection:
        for page_id, (title, body) in DOCS.items():
            connection.execute(
                sql(
                    "INSERT INTO page (id, title, key, created_at, deleted) "
                    "VALUES (:id, :title, :key, '2026-01-01', :deleted)"
                ),
                {"id": page_id, "title": title, "key": title.lower(), "deleted": False},
            )
            if connection.dialect.name == "sqlite":
                continue
            connection.execute(
                sql(
                    "INSERT INTO search_index (id, page_id, title, body, title_tsv, tsv) "
                    "VALUES (:id, :id, :title, :body, to_tsvector('simple', :t), "
                    "setweight(to_tsvector('simple', :t), 'A') || "
                    "setweight(to_tsvector('simple', :b), 'B'))"
                ),
                {"id": page_id, "title": title, "body": body}
                | {"t": index_words(title), "b": index_words(body)},
            )
    if db.engine.dialect.name == "sqlite":  # FTS5 rows are the same before and after 0020
        docs = [Doc(id=i, page_id=i, title=t, body=b) for i, (t, b) in DOCS.items()]
        engine_for(db.session).upsert(db.session, docs)
        db.session.commit()


def found(raw: str) -> list[str]:
    return sorted(hit.page.title for hit in service.search(raw).hits)


def check_upgrade(app) -> None:
    with app.app_context():
        upgrade(revision="0019")
        add_pages()
        upgrade(revision="heads")
        if db.engine.dialect.name == "postgresql":
            query = sql("SELECT id, tsvector_to_array(pairs_tsv) FROM search_index")
            stored = {doc_id: pairs for doc_id, pairs in db.session.execute(query).all()}
            assert {i: sorted(pairs) for i, pairs in stored.items()} == {
                i: word_pairs(title, body) for i, (title, body) in DOCS.items()
            }
        assert found('"brand voice"') == ["Brand guide"]  # not "Brand" + "Voice of …"
        assert found('"voice of"') == ["Brand", "Tone"]
        assert found('"citta e qualita"') == ["Brand guide"]
        assert found('"voice of our brand" OR "brand guide"') == ["Brand guide", "Tone"]
        assert found('"voice of" brand -plainly') == ["Brand"]
        db.session.rollback()
        downgrade(revision="0019")
        assert db.session.execute(sql("SELECT count(*) FROM page")).scalar() == 3
        release(app)


@pytest.mark.parametrize("engine", ENGINES)
def test_phrases_are_found_by_their_word_pairs_after_the_upgrade(engine, tmp_path):
    if engine == "sqlite":
        check_upgrade(create_app(base_config(tmp_path, f"sqlite:///{tmp_path / 'old.sqlite'}")))
        return
    with private_schema(POSTGRES_URL, "bottega_migration_pairs") as url:
        check_upgrade(create_app(base_config(tmp_path, url)))
