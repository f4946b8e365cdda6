"""Pages titled with a namespace prefix and no name ("Category:") get one ("Category:Untitled").

Such titles were accepted until December 2026; now a title needs a name after
"Category:", "Template:", "File:" or "Image:", so a page left with one could no longer be
opened, moved or deleted (its address is refused). Each is renamed in place: the same page
row, so its history, talk, watchers and files stay with it. A bare prefix and its subpages
("Category:", "Category:/Ideas") are renamed together to the first name free for all of
them: "<Prefix>:Untitled", then "<Prefix>:Untitled 2", … ("Category:Untitled/Ideas").
What follows the page by its key moves with it, as in a move: its protection, its review
policy and people's drafts. Links that named the old title stay red, as they were (it was
never a category). The search index shows the new title after the page's next save or
`flask reindex`. Downgrading keeps the new names: the old ones could not be used.

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
#: Tables holding a page's key (and, where they have one, its title), as moves update them.
BY_KEY = (("protection", True), ("page_review_policy", False), ("draft", True))


def _split(text: str) -> tuple[str, str]:
    """Return a title's or key's namespace prefix (before the first colon, trimmed) and
    what follows its first part ("/Ideas" of "Category:/Ideas")."""
    first, slash, rest = text.partition("/")
    return first.partition(":")[0].strip(), slash + rest


def _bare(key: str) -> bool:
    """Return whether a key's first part is a namespace prefix with no name after it."""
    prefix, colon, name = key.split("/", 1)[0].partition(":")
    return bool(colon) and prefix.strip() in NAMESPACES and not name.strip()


def upgrade() -> None:
    connection = op.get_bind()
    like = " OR ".join(f"key LIKE '{namespace}%'" for namespace in NAMESPACES)
    rows = connection.execute(sa.text(f"SELECT id, title, key FROM page WHERE {like}")).all()
    groups: dict[str, list] = {}  # by the key's first part: a bare page and its subpages
    for row in rows:
        if _bare(row.key):
            groups.setdefault(row.key.split("/", 1)[0], []).append(row)
    used = set()  # keys given by this migration
    for group in groups.values():
        number = 1
        while True:
            name = "Untitled" if number == 1 else f"Untitled {number}"
            renames = []
            for row in group:
                key_prefix, key_rest = _split(row.key)
                title_prefix, title_rest = _split(row.title)
                new_key = f"{key_prefix}:{name.casefold()}{key_rest}"
                renames.append((row, f"{title_prefix}:{name}{title_rest}", new_key))
            if all(new_key not in used and _free(connection, new_key) for *_, new_key in renames):
                break
            number += 1
        for row, new_title, new_key in renames:
            used.add(new_key)
            _rename(connection, row, new_title, new_key)


def _free(connection, key: str) -> bool:
    """Return whether no page, protection, review policy or draft has this key."""
    if connection.execute(sa.text("SELECT 1 FROM page WHERE key = :k"), {"k": key}).first():
        return False
    return not any(
        connection.execute(
            sa.text(f"SELECT 1 FROM {table} WHERE page_key = :k"), {"k": key}
        ).first()
        for table, _ in BY_KEY
    )


def _rename(connection, row, title: str, key: str) -> None:
    """Give a page its new title and key, and what follows it by key its new key."""
    connection.execute(
        sa.text("UPDATE page SET title = :title, key = :key WHERE id = :id"),
        {"title": title, "key": key, "id": row.id},
    )
    for table, has_title in BY_KEY:
        titled = ", title = :title" if has_title else ""
        connection.execute(
            sa.text(f"UPDATE {table} SET page_key = :key{titled} WHERE page_key = :old"),
            {"key": key, "title": title, "old": row.key},
        )


def downgrade() -> None:
    pass  # the new names stay: the old ones could not be opened
