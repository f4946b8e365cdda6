"""Signals other features listen to, sent inside the transaction of the change they describe.

A receiver that raises aborts the change: what it writes (a search index entry, a
notification) commits or rolls back together with the change itself.
"""

from blinker import Namespace

_signals = Namespace()

#: A page got a new revision: page, revision, previous (Revision | None), rendered
#: (wiki.core.render.Rendered), author (User | None).
page_saved = _signals.signal("page-saved")
