"""The models and the migrations never drift: a migrated database is what the models say."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, MetaData, String

from wiki.extensions import db
from wiki.search.engines import include_name


def drift(metadata: MetaData) -> list:
    """Return what Alembic's autogenerate would change to make the database match metadata."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            # The full-text index tables differ per engine and are not models (see engines.py).
            opts={
                "include_name": include_name,
                "compare_type": True,
                "compare_server_default": True,
            },
        )
        return compare_metadata(context, metadata)


def test_the_migrated_database_matches_the_models(app):
    assert drift(db.metadata) == []


def test_a_model_column_without_a_migration_is_drift(app):
    metadata = MetaData()
    for table in db.metadata.tables.values():
        table.to_metadata(metadata)
    metadata.tables["page"].append_column(Column("tagline", String(80)))
    [change] = drift(metadata)
    assert change[0] == "add_column" and change[3].name == "tagline"
