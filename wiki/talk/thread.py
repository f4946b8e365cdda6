"""Arrange a topic's comments as a tree for display; pure: works on any objects with ids."""

from collections import defaultdict
from collections.abc import Iterable
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


def build_tree(comments: Iterable[Any], max_level: int = MAX_LEVEL) -> list[Node]:
    """Nest comments (oldest first) under their parents, at most max_level levels deep.

    Replies to a comment at the deepest level follow it in the same list, in thread order,
    and point at the comment they answer. Works without recursion, however long a chain.
    """
    by_id = {}
    replies: dict[Any, list[Any]] = defaultdict(list)
    for comment in comments:
        by_id[comment.id] = comment
    for comment in by_id.values():
        # A parent outside this set (never expected) would hide the reply: show it on top.
        parent = comment.parent_id if comment.parent_id in by_id else None
        replies[parent].append(comment)
    roots: list[Node] = []
    stack = [(comment, 1, roots, False) for comment in reversed(replies[None])]
    while stack:
        comment, level, siblings, flattened = stack.pop()
        node = Node(comment, level, by_id[comment.parent_id] if flattened else None)
        siblings.append(node)
        answers = replies.get(comment.id, ())
        if level < max_level:
            stack.extend((answer, level + 1, node.children, False) for answer in reversed(answers))
        else:
            stack.extend((answer, level, siblings, True) for answer in reversed(answers))
    return roots


def walk(nodes: list[Node]) -> Iterable[Node]:
    """Yield every node of the tree in display order."""
    stack = list(reversed(nodes))
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.children))
