"""Plain-text excerpts of Markdown: what a reader sees, short, cut at a word."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wiki.core.excerpt import ELLIPSIS, LIMIT, excerpt, plain_text

# (Markdown, the excerpt at the default limit)
CASES = {
    "bold-euro": ("I think **12,000 €**", "I think 12,000 €"),
    "emphasis": ("We *really* _do_ __mean__ ***it***", "We really do mean it"),
    "not-emphasis": ("snake_case, 5 * 3 and 2*3*4", "snake_case, 5 * 3 and 234"),
    "link": ("See [our site](https://example.com/a_(b)) now", "See our site now"),
    "reference-link": ("See [the plan][p].\n\n[p]: https://example.com", "See the plan."),
    "image": ("![The logo](/static/logo.png) here", "The logo here"),
    "autolink": (
        "Mail <me@example.com> or <https://example.com>",
        "Mail me@example.com or https://example.com",
    ),
    "wikilink": ("Read [[Spring launch]] first", "Read Spring launch first"),
    "wikilink-label": ("Read [[Spring launch|the **launch** plan]]", "Read the launch plan"),
    "wikilink-section": (
        "See [[Plan#Budget]] and [[:Category:Tips]]",
        "See Plan#Budget and Category:Tips",
    ),
    "category": ("Text.[[Category:Campaigns]]", "Text."),
    "heading": ("# Launch plan #\n\nWe start *Monday*.", "Launch plan We start Monday."),
    "setext-heading": ("Launch plan\n===========\n\nBody", "Launch plan Body"),
    "lists": ("- one\n- two\n    - nested\n1. first\n2) second", "one two nested first second"),
    "task-list": ("- [ ] todo\n- [x] done", "todo done"),
    "quote": ("> quoted **text**\n> > deeper", "quoted text deeper"),
    "code-span": ("Use `a*b*c` and ``x ` y``", "Use a*b*c and x ` y"),
    "unclosed-backticks": ("An unclosed `` pair and `code`", "An unclosed `` pair and code"),
    "fenced-code": (
        "Before\n\n```python\nprint('**hi**')\n```\n\nAfter",
        "Before print('**hi**') After",
    ),
    "table": ("| Channel | Budget |\n|:--|--:|\n| Social | 10k |", "Channel Budget Social 10k"),
    "rule": ("Above\n\n---\n\n* * *\n\nBelow", "Above Below"),
    "footnotes": ("Costs rose[^1].\n\n[^1]: In euro.", "Costs rose."),
    "escapes": (r"\*not bold\* and \[[not a link]]", "*not bold* and [[not a link]]"),
    "entities-and-raw-html": ("a &amp; b &copy; <b>raw</b>", "a & b © <b>raw</b>"),
    "strikethrough": ("Was ~~99 €~~ now **79 €**", "Was 99 € now 79 €"),
    "lone-tildes": ("a ~ b ~~ c", "a ~ b ~~ c"),
    "italian": ("**Perché** l'estate è _più_ bella?", "Perché l'estate è più bella?"),
    "cjk-emoji": ("## 日本語\n\n**美しい** 👨‍👩‍👧", "日本語 美しい 👨‍👩‍👧"),
    "redirect": ("#REDIRECT [[Target page]]", "#REDIRECT Target page"),
    "empty": ("", ""),
    "only-markup": ("---\n\n[[Category:X]]\n\n```\n```", ""),
}


@pytest.mark.parametrize(("text", "expected"), CASES.values(), ids=CASES)
def test_excerpt_reads_as_the_page_does(text: str, expected: str) -> None:
    assert excerpt(text) == expected


# (text, limit, excerpt)
CUTS = {
    "at-a-word": ("The spring launch is on Monday", 20, "The spring launch…"),
    "drops-trailing-punctuation": ("One, two, three, four", 12, "One, two…"),
    "fits-exactly": ("The spring launch", 17, "The spring launch"),
    "one-long-word": ("Supercalifragilistic", 10, "Supercali…"),
    "cjk-by-character": ("日本語は美しい言葉です", 6, "日本語は美…"),
    "emoji-kept-whole": ("Family 👨‍👩‍👧 time", 10, "Family…"),
    "markup-does-not-count": ("**Bold** [[Page|label]] text here", 16, "Bold label text…"),
}


@pytest.mark.parametrize(("text", "limit", "expected"), CUTS.values(), ids=CUTS)
def test_excerpt_is_cut_at_a_word_with_an_ellipsis(text: str, limit: int, expected: str) -> None:
    assert excerpt(text, limit) == expected
    assert len(excerpt(text, limit)) <= limit


def test_only_the_start_of_a_long_text_is_read() -> None:
    long = "Intro **text**.\n\n" + "[" * 16000 + "\n\n" + "``a`" * 250_000
    assert excerpt(long, 40).startswith("Intro text.")
    assert len(excerpt(long)) <= LIMIT and excerpt(long).endswith(ELLIPSIS)
    assert excerpt("word " * 300_000, 30) == "word word word word word word…"
    assert len(plain_text("x " * 100_000, enough=50)) < 2_000


def test_the_limit_must_be_positive() -> None:
    with pytest.raises(ValueError):
        excerpt("text", 0)


markdown = st.lists(
    st.sampled_from(
        ["word", " ", "\n", "\n\n", "**", "*", "_", "`", "[", "]", "(", ")", "#", "- ", "> ",
         "[[", "]]", "|", "\\", "!", "<", ">", "&amp;", "è", "日本", "👍🏽", "```\n", "[x] "]
    ),
    max_size=60,
).map("".join)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(markdown, st.integers(1, 80))
def test_any_text_gives_a_short_single_line_excerpt(text: str, limit: int) -> None:
    result = excerpt(text, limit)
    assert len(result) <= limit
    assert "\n" not in result and result == result.strip()
    # Bold markers are gone, unless written as literal stars (\\*) or inside code.
    assert "**" not in result or "`" in text or "\\*" in text
    if len(result) < len(plain_text(text)):
        assert result.endswith(ELLIPSIS)
