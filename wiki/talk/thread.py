"""Arrange a topic's comments as a tree for display; pure: works on any objects with ids."""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: Replies nest this many levels deep; deeper replies stay at this level.
MAX_LEVEL = 6


@dataclass
class Node:
    """A comment in place: its level on screen, its replies, and whom it answers."""

    comment: Any
    level: int
    #: The comment answered, when this one is not shown nested under it (too deep).
    reply_to: Any = None
    children: list["Node"] = field(default_factory=list)


def build_tree(
    comments: Iterable[Any], max_level: int = MAX_LEVEL, earlier: Mapping[Any, Any] | None = None
) -> list[Node]:
    """Nest comments (oldest first) under their parents, at most max_level levels deep.

    Replies to a comment at the deepest level follow it in the same list, in thread order,
    and point at the comment they answer. A reply whose parent is not among comments (it is
    on an earlier page of the thread) starts at the top and points at the parent found in
    earlier. Works without recursion, however long a chain.
    """
    by_id = {}
    replies: dict[Any, list[Any]] = defaultdict(list)
    for comment in comments:
        by_id[comment.id] = comment
    for comment in by_id.values():
        # A parent outside this set (never expected) would hide the reply: show it on top.
        parent = comment.parent_id if comment.parent_id in by_id else None
        replies[parent].append(comment)
    earlier = earlier or {}
    roots: list[Node] = []
    stack = [
        (comment, 1, roots, earlier.get(comment.parent_id)) for comment in reversed(replies[None])
    ]
    while stack:
        comment, level, siblings, answered = stack.pop()
        node = Node(comment, level, answered)
        siblings.append(node)
        answers = replies.get(comment.id, ())
        if level < max_level:
            stack.extend((answer, level + 1, node.children, None) for answer in reversed(answers))
        else:
            stack.extend((answer, level, siblings, comment) for answer in reversed(answers))
    return roots


def cut(nodes: list[Node], size: int) -> list[list[Any]]:
    """Return the thread's comments in display order, cut into pages of at most size each."""
    order = [node.comment for node in walk(nodes)]
    return [order[start : start + size] for start in range(0, len(order), size)] or [[]]


def walk(nodes: list[Node]) -> Iterable[Node]:
    """Yield every node of the tree in display order."""
    stack = list(reversed(nodes))
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.children))
