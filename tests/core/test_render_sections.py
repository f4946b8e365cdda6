"""A page rendered a section at a time (sections kept and reused) gives exactly what
rendering it whole gives: HTML, headings, links, categories and readable text."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks._wiki import markdown_page
from wiki import demo
from wiki.core import mdsections, render
from wiki.core.readable import plain_text


@pytest.fixture(autouse=True)
def every_page_in_sections(monkeypatch):
    # Every page cut, and at every paragraph: the most places a cut could go wrong.
    monkeypatch.setattr(render, "SECTIONED_CHARS", 0)
    monkeypatch.setattr(mdsections, "PARAGRAPH_CUTS", 1)


def whole(text: str) -> render.Rendered:
    return render._rendered(render._render_part(text))


def same(sectioned: render.Rendered, text: str) -> bool:
    """Whether a page rendered in sections is the page rendered whole: the same HTML,
    readable text (each section's sanitised and made readable apart) and headings, the
    same links and categories (a set: the whole page lists them in the order
    Python-Markdown happens to visit nested elements, not in reading order)."""
    expected = whole(text)
    return (
        sectioned.html == expected.html
        and sectioned.plain == plain_text(expected.html)
        and sectioned.headings == expected.headings
        and set(sectioned.links) == set(expected.links)
        and set(sectioned.categories) == set(expected.categories)
    )


words = st.sampled_from(
    [
        "caffè",
        "launch",
        "**bold**",
        "_em_",
        "`code`",
        "[[Home]]",
        "[[Città|la città]]",
        "[[Category:Press]]",
        "[[#Prezzi]]",
        "[[File:logo.png]]",
        "東京",
        "🎉",
        "#tag",
        "a\tb",
        "<b>x</b>",
        "&amp;",
        "http://example.com",
        "[link](https://example.com)",
        "\\[x]",
    ]
)
line = st.lists(words, min_size=1, max_size=6).map(" ".join)
heading_text = st.sampled_from(["Prezzi", "Intro", "Intro", "Città", "FAQ", "Prezzi_1", ""])
block = st.one_of(
    line,
    st.builds(lambda n, t: "#" * n + " " + t, st.integers(1, 7), heading_text),
    st.builds(lambda t: "#" + t, heading_text),
    st.lists(line.map(lambda x: "- " + x), min_size=1, max_size=3).map("\n".join),
    st.lists(line.map(lambda x: "1. " + x), min_size=1, max_size=3).map("\n\n".join),
    line.map(lambda x: "- [ ] " + x + "\n    - [x] nested " + x),
    line.map(lambda x: "    indented code " + x + "\n\n    # still code"),
    line.map(lambda x: "> " + x + "\n> # quoted heading"),
    line.map(lambda x: "| a | b |\n|---|--:|\n| " + x + " | 1 |"),
    st.sampled_from(["```", "~~~", "```python", "````"]).map(
        lambda fence: f"{fence}\ncode\n\n# not a heading\n{fence.rstrip('python')}"
    ),
    st.just("```\nunclosed fence\n\n# after it"),
    st.just("   \n\t\n"),
    st.just("https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
    line.map(lambda x: x + "\n=====" if x[:1].isalpha() else x),
    line.map(lambda x: x + "\n---"),
    st.just("---"),
    line.map(lambda x: "- " + x + "\n\n- " + x + "\n\n    continued " + x),
    line.map(lambda x: "   three spaces " + x),
    line.map(lambda x: "* " + x + "\n" + x + " lazily continued"),
)
pages = st.lists(block, min_size=1, max_size=14).map("\n\n".join)


@settings(max_examples=200, deadline=None)
@given(pages)
def test_any_page_renders_in_sections_as_it_renders_whole(text):
    assert same(render.render_markdown(text, readable=True), text)


@settings(max_examples=60, deadline=None)
@given(st.lists(block, min_size=2, max_size=10).map("\n\n".join), st.integers(0, 9), block)
def test_a_page_edited_reuses_kept_sections_and_still_renders_as_whole(text, at, inserted):
    render.render_markdown(text)
    blocks = text.split("\n\n")
    edited = "\n\n".join(blocks[:at] + [inserted] + blocks[at:])
    assert same(render.render_markdown(edited, readable=True), edited)


@pytest.mark.parametrize("seed", range(5))
def test_realistic_pages_render_in_sections_as_whole(seed):
    text = markdown_page(20_000, seed=seed)
    assert len(mdsections.sections(text)) > 1
    assert same(render.render_markdown(text, readable=True), text)


def test_the_demo_pages_render_in_sections_as_whole():
    for _title, revisions in demo.PAGES:
        for _author, _summary, _minor, text in revisions:
            assert same(render.render_markdown(text, readable=True), text)


@pytest.mark.parametrize(
    "text",
    [
        "Intro\n\n# A\n\ntext[^1]\n\n# B\n\n[^1]: a footnote",
        "See [the site][s].\n\n# A\n\n[s]: https://example.com",
        "# Intro\n\ntext\n\n# Intro\n\nagain",  # the whole page numbers the second anchor
    ],
)
def test_pages_whose_parts_refer_to_each_other_render_whole(text):
    assert same(render.render_markdown(text, readable=True), text)


def test_a_heading_inside_fenced_code_does_not_cut_the_page():
    text = "Intro\n\n```\ncode\n\n# comment\n```\n\n# Real"
    assert mdsections.sections(text) == ["Intro\n\n```\ncode\n\n# comment\n```\n\n", "# Real"]


def test_kept_sections_stay_within_their_bound(monkeypatch):
    monkeypatch.setattr(render, "SECTION_CACHE_CHARS", 2_000)
    for seed in range(3):
        render.render_markdown(markdown_page(5_000, seed=seed))
    assert render._kept_chars <= 2_000 or len(render._kept_sections) == 1
