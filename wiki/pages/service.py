"""The pages service: what other features may use to read, save and check pages.

Other packages import this module, never the modules behind it, so those can change freely.
"""

from ..access.permissions import can_edit, edit_refusal
from .conflicts import CHOICES, Passage, authors_between, conflict_passages, resolve_conflict
from .content import render as render_text
from .reading import (
    PageView,
    Waiting,
    add_view_step,
    get_page,
    preview,
    rejection,
    render_page,
    sees_waiting,
    set_rejection_rule,
    shown_revision,
    view_page,
    waiting_changes,
    with_red_links,
)
from .saving import (
    PAGE_DELETED,
    EditConflict,
    SaveResult,
    append_revision,
    base_revision,
    check_text,
    lock_page,
    move_published,
    parse_base_revision,
    replace_links,
    save_page,
    set_coauthor_rule,
    set_publication_rule,
    set_shared_rule,
)

__all__ = [
    "Waiting",
    "lock_page",
    "move_published",
    "render_text",
    "replace_links",
    "sees_waiting",
    "rejection",
    "set_rejection_rule",
    "set_coauthor_rule",
    "set_shared_rule",
    "set_publication_rule",
    "shown_revision",
    "waiting_changes",
    "CHOICES",
    "PAGE_DELETED",
    "EditConflict",
    "PageView",
    "Passage",
    "add_view_step",
    "SaveResult",
    "append_revision",
    "authors_between",
    "base_revision",
    "can_edit",
    "check_text",
    "conflict_passages",
    "edit_refusal",
    "get_page",
    "parse_base_revision",
    "preview",
    "render_page",
    "resolve_conflict",
    "save_page",
    "view_page",
    "with_red_links",
]
