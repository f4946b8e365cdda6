"""Pages titled with a namespace prefix and no name ("Category:") get one ("Category:Untitled").

Such titles were accepted until December 2026; now a title needs a name after
"Category:", "Template:", "File:" or "Image:", so a page left with one could no longer be
opened, moved or deleted (its address is refused). Each is renamed in place: the same page
row, so its history, talk, watchers and files stay with it; the first free of
"<Prefix>:Untitled", "<Prefix>:Untitled 2", … takes the bare part (subpages keep theirs:
"Category:/Ideas" becomes "Category:Untitled/Ideas"). Links that named the old title stay
red, as they were (it was never a category). The search index shows the new title after
the page's next save or `flask reindex`. Downgrading keeps the new names: the old ones
could not be used.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

NAMESPACES = ("category", "template", "file", "image")


def _bare(key: str) -> bool:
    """Return whether a key's first part is a namespace prefix with no name after it."""
    prefix, colon, name = key.split("/", 1)[0].partition(":")
    return bool(colon) and prefix.strip() in NAMESPACES and not name.strip()


def upgrade() -> None:
    connection = op.get_bind()
    like = " OR ".join(f"key LIKE '{namespace}%'" for namespace in NAMESPACES)
    rows = connection.execute(sa.text(f"SELECT id, title, key FROM page WHERE {like}")).all()
    taken = sa.text("SELECT 1 FROM page WHERE key = :key")
    rename = sa.text("UPDATE page SET title = :title, key = :key WHERE id = :id")
    for page_id, title, key in rows:
        if not _bare(key):
            continue
        prefix = title.split("/", 1)[0].partition(":")[0].strip()
        title_rest = "/" + title.split("/", 1)[1] if "/" in title else ""
        key_rest = "/" + key.split("/", 1)[1] if "/" in key else ""
        number = 1
        while True:
            name = "Untitled" if number == 1 else f"Untitled {number}"
            new_key = f"{prefix.casefold()}:{name.casefold()}{key_rest}"
            if connection.execute(taken, {"key": new_key}).first() is None:
                break
            number += 1
        new_title = f"{prefix}:{name}{title_rest}"
        connection.execute(rename, {"title": new_title, "key": new_key, "id": page_id})


def downgrade() -> None:
    pass  # the new names stay: the old ones could not be opened
