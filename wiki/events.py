"""Signals other features listen to, sent inside the transaction of the change they describe.

A receiver that raises aborts the change: what it writes (a search index entry, a
notification) commits or rolls back together with the change itself.
"""

from blinker import Namespace

_signals = Namespace()

#: A page got a new revision, sent before its text's render is awaited: page, revision,
#: previous (Revision | None), author (User | None), published (bool). For receivers that
#: need only the text (anchors, credits, noting the page for the authorship job): they
#: run while a worker renders. If the render then outlasts the save's patience under the
#: lock, the save is rolled back and tried again: keep every effect in the transaction (or
#: undone by a rollback hook).
revision_added = _signals.signal("revision-added")

#: Then, with the render: page, revision, previous, rendered (wiki.core.render.Rendered),
#: author, published.
page_saved = _signals.signal("page-saved")

#: A topic was started on a page's talk page: topic, comment (its first), author,
#: mentioned (ids of the people the comment names with @).
topic_created = _signals.signal("topic-created")

#: A comment was posted in a topic (not its first): topic, comment, parent (the comment
#: answered, or None for a reply to the topic), author, mentioned.
comment_posted = _signals.signal("comment-posted")

#: A comment's author changed its text: comment, author, mentioned (everyone it names now).
comment_edited = _signals.signal("comment-edited")

#: A moderator hid a comment that was shown (inside the hiding's transaction): comment
#: (hidden_at and hidden_reason set), moderator.
comment_hidden = _signals.signal("comment-hidden")

#: A page was renamed (inside the move's transaction): page (its new title already set),
#: old_title (str), user. The page keeps its id, so whatever hangs on the id follows it.
page_moved = _signals.signal("page-moved")

#: A moderator deleted a page, or undeleted it (inside that transaction): page, user, reason.
page_deleted = _signals.signal("page-deleted")
page_undeleted = _signals.signal("page-undeleted")

#: A reviewer published a page's waiting changes (inside the review's transaction): page,
#: revision (now published), previous (the revision published before, or None), rendered
#: (the published text's wiki.core.render.Rendered), user (the reviewer).
page_published = _signals.signal("page-published")

#: A reviewer rejected a page's waiting changes: page, revisions (the rejected ones),
#: reason, user (the reviewer), undo (the revision that took them out, or None).
changes_rejected = _signals.signal("changes-rejected")
#: A revision saved from a live editor credits everyone else who typed in it: page,
#: revision, user_ids (the co-authors, its author not among them).
revision_coauthored = _signals.signal("revision-coauthored")

#: An anonymous page view was answered from the page cache before reaching Flask (sent
#: outside any request, with the request asked and the title the URL names).
page_view_served = _signals.signal("page-view-served")

#: An administrator took away an account's right to edit (a block, the Reader role, an
#: approval withdrawn), sent after the change is stored (outside its transaction): user,
#: admin.
editing_withdrawn = _signals.signal("editing-withdrawn")
