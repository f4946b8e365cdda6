"""The pure parts of talk pages: arranging threads and linking @mentions; no app needed."""

from dataclasses import dataclass

import pytest

from wiki.core.render import render_markdown
from wiki.talk.mentions import find_mentions, link_mentions
from wiki.talk.thread import build_tree, walk


@dataclass
class C:
    id: int
    parent_id: int | None = None


def shape(nodes) -> list:
    """Return the tree as nested [id, level, reply_to id, children] lists."""
    return [
        [n.comment.id, n.level, n.reply_to.id if n.reply_to else None, shape(n.children)]
        for n in nodes
    ]


def test_replies_nest_under_what_they_answer_in_posting_order():
    comments = [C(1), C(2, 1), C(3), C(4, 1), C(5, 2)]
    assert shape(build_tree(comments)) == [
        [1, 1, None, [[2, 2, None, [[5, 3, None, []]]], [4, 2, None, []]]],
        [3, 1, None, []],
    ]


def test_replies_deeper_than_the_maximum_stay_at_it_and_name_what_they_answer():
    chain = [C(1)] + [C(n, n - 1) for n in range(2, 6)]
    tree = build_tree(chain, max_level=3)
    assert shape(tree) == [
        [1, 1, None, [[2, 2, None, [[3, 3, None, []], [4, 3, 3, []], [5, 3, 4, []]]]]]
    ]


def test_flattened_replies_keep_thread_order():
    # 3 is at the deepest level; 4 and 6 answer it, 5 answers 4: 3, 4, 5, 6 in that order.
    comments = [C(1), C(2, 1), C(3, 2), C(4, 3), C(6, 3), C(5, 4)]
    comments.sort(key=lambda c: c.id)
    level3 = build_tree(comments, max_level=3)[0].children[0].children
    assert [(n.comment.id, n.reply_to.id) for n in level3[1:]] == [(4, 3), (5, 4), (6, 3)]


def test_a_very_long_chain_needs_no_recursion():
    chain = [C(1)] + [C(n, n - 1) for n in range(2, 5001)]
    nodes = list(walk(build_tree(chain)))
    assert [n.comment.id for n in nodes] == list(range(1, 5001))
    assert max(n.level for n in nodes) == 6


def test_a_reply_whose_parent_is_missing_is_still_shown():
    assert shape(build_tree([C(2, 99)])) == [[2, 1, None, []]]


def linked(markdown: str, people=("bob", "anna.b")) -> str:
    """Render Markdown and link the mentions of the given people."""
    html = render_markdown(markdown).html
    return link_mentions(html, lambda name: f"/user/{name}" if name in people else None)


@pytest.mark.parametrize(
    ("markdown", "names"),
    [
        ("Hi @bob!", ["bob"]),
        ("@bob and @anna.b.", ["bob", "anna.b"]),
        ("(@bob) @bob", ["bob"]),
        ("mail me@bob.com", []),
        ("`@bob` and\n\n    @bob in code", []),
        ("[@bob](https://example.com)", []),
        ("@ab is too short, @_x starts wrong", []),
    ],
)
def test_mentions_are_found_in_text_only(markdown, names):
    assert find_mentions(render_markdown(markdown).html) == names


def test_known_mentions_become_profile_links_and_unknown_stay_text():
    html = linked("Hi @bob and @nobody, `@bob`.")
    assert '<a class="mention" href="/user/bob">@bob</a>' in html
    assert "@nobody" in html and "/user/nobody" not in html
    assert "<code>@bob</code>" in html


def test_linking_keeps_the_text_escaped():
    html = linked("@bob <script>alert(1)</script> &amp; 1 < 2")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html and "1 &lt; 2" in html


def test_heading_anchors_are_dropped_so_they_cannot_clash_with_permalinks():
    html = linked("# Comment 5\n\ntext")
    assert html.startswith("<h1>Comment 5</h1>")
    assert "comment-5" not in html and "¶" not in html


def test_a_mention_href_is_escaped_and_sanitised():
    html = link_mentions("<p>@bob</p>", lambda name: 'javascript:alert("x")')
    assert "javascript" not in html
    html = link_mentions("<p>@bob</p>", lambda name: '/user/a"b')
    assert 'href="/user/a&quot;b"' in html
