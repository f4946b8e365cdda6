"""The pure search text rules: folding, query parsing and compiling, plain text, snippets."""

import random
import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import escape

from wiki.core.readable import plain_text
from wiki.search.text import (
    BEYOND_LATIN1,
    MAX_MATCHES,
    Query,
    Term,
    _ascii_matches,
    _ascii_targets,
    _best_window,
    _letter_class,
    _pattern,
    fold,
    fts5_match,
    index_words,
    near_words,
    parse_query,
    respellable,
    respelled,
    snippet,
    tsquery,
    words,
)


@pytest.mark.parametrize(
    "text, folded",
    [
        ("Città", "citta"),
        ("PERCHÉ", "perche"),
        ("naïve Café", "naive cafe"),
        ("Straße", "straße"),
        ("İstanbul", "istanbul"),
        ("ΟΔΟΣ", "οδοσ"),
        ("ﬁne", "ﬁne"),
        ("plain", "plain"),
    ],
)
def test_fold_removes_case_and_accents_keeping_the_length(text, folded):
    assert fold(text) == folded
    assert len(fold(text)) == len(text)


def test_words_split_on_punctuation_and_underscores():
    assert words("dell'anno e-mail foo_bar 3.5 Qualità!") == [
        *("dell", "anno", "e", "mail", "foo", "bar", "3", "5", "qualita"),
    ]
    assert index_words("La Città, 2026") == "la citta 2026"


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("spring", Query(((Term(("spring",), prefix=True),),))),
        ("of", Query(((Term(("of",)),),))),
        (
            '"spring campaign"',
            Query(((Term(("spring", "campaign")),),)),
        ),
        (
            "spring -draft",
            Query(((Term(("spring",), prefix=True),),), (Term(("draft",), prefix=True),)),
        ),
        (
            "webinar OR newsletter",
            Query(((Term(("webinar",), prefix=True), Term(("newsletter",), prefix=True)),)),
        ),
        ("e-mail", Query(((Term(("e", "mail")),),))),
        ("Perché", Query(((Term(("perche",), prefix=True),),))),
    ],
)
def test_parse_query(raw, expected):
    assert parse_query(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        '"',
        '""',
        "*",
        "(",
        ")",
        "NEAR",
        "NEAR(a b)",
        "-",
        "--",
        ":",
        "a:b",
        "'",
        "\\",
        "%",
        "_",
        "AND",
        "OR",
        "NOT",
        "^",
        "{title}: x",
        "a OR",
        "OR b",
        '"unterminated',
        "-only",
        "x" * 500,
        "'; DROP TABLE page; --",
        "title:(x)",
        "*a*",
        "a & b | !c",
        "<-> :*A",
    ],
)
def test_any_input_parses_to_a_query_of_plain_words(raw):
    query = parse_query(raw)
    for term in query.terms + list(query.excluded):
        assert all(word.isalnum() for word in term.words)
    if query:
        assert fts5_match(query)
        assert tsquery(query)


def test_exclusions_alone_find_nothing():
    assert not parse_query("-draft")
    assert not parse_query("")


def test_fts5_expression_quotes_every_term():
    query = parse_query('spring "press kit" -draft of OR in')
    assert fts5_match(query) == '("spring"* AND "press kit" AND ("of" OR "in")) NOT "draft"*'
    assert fts5_match(query, column="title") == (
        'title : "spring"* AND title : "press kit" AND (title : "of" OR title : "in")'
    )


def test_tsquery_text_quotes_every_lexeme():
    query = parse_query('spring "press kit" -draft of OR in')
    assert tsquery(query) == "'spring':* & ('press' <-> 'kit') & ('of' | 'in') & !'draft':*"
    assert tsquery(query, positive_only=True) == "'spring':* & ('press' <-> 'kit') & ('of' | 'in')"
    # For the tsvector of title (weight A) and body (B): a phrase lies within one of them.
    assert tsquery(parse_query('"press kit" -"old kit"'), fields=True) == (
        "(('press':A <-> 'kit':A) | ('press':B <-> 'kit':B))"
        " & !(('old':A <-> 'kit':A) | ('old':B <-> 'kit':B))"
    )


def test_plain_text_drops_markup_and_heading_links():
    html = (
        '<h2 id="x">Budget<a class="headerlink" href="#x" title="">¶</a></h2>'
        "<p>Costs &amp; <strong>gains</strong><br>next</p><ul><li>one</li><li>two</li></ul>"
    )
    assert plain_text(html) == "Budget Costs & gains next one two"


class ReferenceText(HTMLParser):
    """What a full HTML parser reads as the text: the reference for plain_text."""

    BLOCKS = {"p", "div", "br", "hr", "li", "ul", "ol", "pre", "blockquote", "table", "tr", "td"}
    BLOCKS |= {"th", "h1", "h2", "h3", "h4", "h5", "h6"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts, self.skipping = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            self.parts.append(" ")
        if tag == "a" and (self.skipping or ("class", "headerlink") in attrs):
            self.skipping += 1

    def handle_endtag(self, tag):
        if tag == "a" and self.skipping:
            self.skipping -= 1
        elif tag in self.BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)

    @classmethod
    def read(cls, html: str) -> str:
        reader = cls()
        reader.feed(html)
        reader.close()
        return " ".join("".join(reader.parts).split())


def test_plain_text_reads_what_an_html_parser_reads_on_everything_the_renderer_makes():
    from wiki.core.render import render_markdown

    rng = random.Random(5)
    pieces = [
        "# Città & *qualità*",
        "Text with [[Page|a link]] and [outside](https://example.com/?a=1&b=>2 'x > y').",
        "- [ ] a task\n- [x] done",
        "Footnote[^1].\n\n[^1]: The note &amp; more.",
        "| a | b |\n| - | - |\n| 1 < 2 | 3 > 2 |",
        "```\n<script>alert(1)</script>\n```",
        "<!-- a comment --> after it",
        "> quoted **bold** 😀 漢字",
        "## Second heading\n\nA paragraph with `code <b>`.",
    ]
    for _ in range(40):
        source = "\n\n".join(rng.choice(pieces) for _ in range(rng.randint(1, 8)))
        html = render_markdown(source).html
        assert plain_text(html) == ReferenceText.read(html), source
    tricky = '<p title="a > b">x</p><a class="headerlink" href="#">¶</a>y &lt;b&gt;'
    assert plain_text(tricky) == ReferenceText.read(tricky) == "x y <b>"


def test_snippet_marks_terms_accent_insensitively_and_escapes_the_rest():
    text = "Intro. " * 60 + "La città <script>alert(1)</script> è bella. " + "Outro. " * 60
    shown = str(snippet(text, parse_query("citta bella").terms))
    assert "<mark>città</mark>" in shown and "<mark>bella</mark>" in shown
    assert "&lt;script&gt;" in shown and "<script>" not in shown
    assert shown.startswith("…") and shown.endswith("…")
    assert len(shown) < 400


def test_snippet_prefers_the_passage_with_most_different_terms():
    text = "spring " + "filler words here " * 40 + "spring budget together"
    shown = str(snippet(text, parse_query("spring budget").terms, width=60))
    assert "<mark>budget</mark>" in shown


def test_snippet_without_a_match_shows_the_start():
    assert str(snippet("Hello <world>", parse_query("zzz").terms)) == "Hello &lt;world&gt;"
    assert str(snippet("", parse_query("zzz").terms)) == ""


def test_prefix_terms_mark_the_whole_word_and_exact_terms_only_whole_words():
    shown = str(snippet("Campaigns of offers", parse_query('campaign "of"').terms))
    assert shown == "<mark>Campaigns</mark> <mark>of</mark> offers"


@pytest.mark.parametrize("seed", range(40))
def test_the_snippet_window_is_the_first_with_most_different_words_then_most_matches(seed):
    rng = random.Random(seed)
    words = ["the", "The", "spring", "budget", "Budget", "a", "x" * 40]
    text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 150)))
    matches = list(re.finditer(r"the|spring|budget|x+", text, re.IGNORECASE))[:64]
    if not matches:
        return
    width = rng.choice([10, 60, 220])

    def window(left):  # every match from left that ends within width (and left itself)
        inside = [m for m in matches[left:] if m.end() - matches[left].start() <= width]
        return inside or [matches[left]]

    scores = [
        (len({m.group(0).lower() for m in window(left)}), len(window(left)))
        for left in range(len(matches))
    ]
    expected = matches[scores.index(max(scores))].start()
    spans = [m.span() for m in matches]
    assert _best_window(spans, [m.group(0).lower() for m in matches], width) == expected


SNIPPET_LETTERS = "aAàÀeéÈbBcçoòuüUn1"
SNIPPET_TEXT = st.text(alphabet=SNIPPET_LETTERS + " _-.,'\n", max_size=60)
SNIPPET_WORD = st.text(alphabet="aebcoun1", min_size=1, max_size=3)


def term_specs(word):
    """Return a strategy of up to three terms, each a word or two and whether it is a prefix."""
    return st.lists(st.tuples(st.lists(word, min_size=1, max_size=2), st.booleans()), max_size=3)


def terms_of(specs) -> tuple[Term, ...]:
    """Return the terms drawn by term_specs."""
    return tuple(Term(words=tuple(parts), prefix=prefix) for parts, prefix in specs)


@settings(max_examples=500, deadline=None)
@given(SNIPPET_TEXT, term_specs(SNIPPET_WORD))
def test_a_snippet_marks_exactly_the_words_that_fold_to_the_terms(text, specs):
    """A word is marked whole when it folds to a term's word, or (the last word of a prefix
    term) starts with it once folded; never a part of a longer word. Words in a row that
    spell a phrase are one mark; a phrase's word alone is marked only if a one-word term
    wants it, or the phrase is nowhere in the text."""
    terms = terms_of(specs)
    shown = str(snippet(text, terms, width=1000))
    expected = [str(escape(marked)) for marked in marked_words(text, terms)]
    assert re.findall(r"<mark>([^<]*)</mark>", shown) == expected


@settings(max_examples=300, deadline=None)
@given(term_specs(SNIPPET_WORD), st.data())
def test_a_snippet_of_the_terms_own_words_marks_their_phrases(specs, data):
    """The same rule on texts made of the terms' words (so their phrases occur), in any
    case and with any spaces and punctuation between them."""
    terms = terms_of(specs)
    pool = [w for t in terms for w in t.words] + ["zz"]
    chosen = data.draw(st.lists(st.sampled_from(pool), max_size=12))
    gaps = data.draw(st.lists(st.sampled_from([" ", "  ", ", ", " - ", ".\n"]), min_size=12))
    cased = [word.upper() if i % 3 == 0 else word for i, word in enumerate(chosen)]
    text = "".join(f"{word}{gap}" for word, gap in zip(cased, gaps, strict=False))
    shown = str(snippet(text, terms, width=1000))
    expected = [str(escape(marked)) for marked in marked_words(text, terms)]
    assert re.findall(r"<mark>([^<]*)</mark>", shown) == expected


def fits(term, position, word) -> bool:
    """Return whether a folded word is the term's word at position (a prefix's last: starts)."""
    if term.prefix and position == len(term.words) - 1:
        return word.startswith(term.words[position])
    return word == term.words[position]


def marked_words(text, terms) -> list[str]:
    """Return what a snippet of the whole text should mark, found word by word in the text."""
    found = list(re.finditer(r"[^\W_]+", text))
    words = [fold(m.group(0)) for m in found]
    phrases = [t for t in terms if len(t.words) > 1]
    marks, seen, i = [], set(), 0  # (what is marked, its folded word if alone)
    while i < len(found):
        for phrase in phrases:
            n = len(phrase.words)
            if i + n <= len(found) and all(fits(phrase, k, words[i + k]) for k in range(n)):
                marks.append((text[found[i].start() : found[i + n - 1].end()], None))
                seen.add(phrase)
                i += n
                break
        else:
            if any(fits(t, k, words[i]) for t in terms for k in range(len(t.words))):
                marks.append((found[i].group(0), words[i]))
            i += 1
    wanted = [t for t in terms if len(t.words) == 1 or t not in seen]
    return [
        shown
        for shown, word in marks
        if word is None or any(fits(t, k, word) for t in wanted for k in range(len(t.words)))
    ]


def test_a_phrase_is_marked_as_one_and_its_words_alone_are_not():
    terms = parse_query('"free entry" parking').terms
    shown = str(snippet("Free parking. Entry is free. Free  - entry for all.", terms))
    assert re.findall(r"<mark>([^<]*)</mark>", shown) == ["parking", "Free  - entry"]


def test_a_phrase_found_nowhere_leaves_its_words_marked():
    shown = str(snippet("Free parking. Entry is free.", parse_query('"free entry"').terms))
    assert re.findall(r"<mark>([^<]*)</mark>", shown) == ["Free", "Entry", "free"]


def test_the_snippet_shows_where_the_phrase_is():
    text = "Free " + "padding words here " * 30 + "and then free entry at last."
    shown = str(snippet(text, parse_query('"free entry"').terms, width=60))
    assert "<mark>free entry</mark>" in shown


#: Beyond Latin-1 too: letters with accents, ſ and K (which the pattern takes for s and k
#: case-insensitively), İ and ı, a ligature, Greek and Cyrillic.
SPAN_TEXT = st.text(alphabet=SNIPPET_LETTERS + "sSſśŠKkKiIİıßﬁΩωжЖ _-.,'?\n", max_size=80)
SPAN_WORD = st.text(alphabet="aebcounsik1", min_size=1, max_size=3)


@settings(max_examples=1000, deadline=None)
@given(SPAN_TEXT, term_specs(SPAN_WORD))
def test_finding_words_in_folded_bytes_agrees_with_the_pattern(text, specs):
    """Snippets find words by bytes.find over a folded copy; it must find what the regular
    expression (the slower way, kept for what the copy cannot hold) finds."""
    terms = terms_of(specs)
    pattern = _pattern(terms)
    expected = [m.span() for m in pattern.finditer(text)][:MAX_MATCHES] if pattern else []
    found = _ascii_matches(text, _ascii_targets(terms))
    if sum(ord(char) > 255 for char in text) <= BEYOND_LATIN1:
        assert found is not None  # the fast way, with a few characters beyond Latin-1
    if found is not None:
        assert found == expected


def test_a_text_mostly_beyond_latin1_is_left_to_the_pattern():
    """Folding many characters one by one would be slower than the pattern: the fast way
    declines, and the snippet still marks the word."""
    text = "Документация по api и примеры " * 40
    terms = tuple(parse_query("api").terms)
    assert _ascii_matches(text, _ascii_targets(terms)) is None
    assert str(snippet(text, terms)).count("<mark>api</mark>") >= 1


def test_a_letter_beyond_ascii_is_taken_for_one_letter_at_most():
    """The folded copy holds one letter per character: no character is matched by two
    letters' patterns, nor is one that is not a letter or digit."""
    letters = "abcdefghijklmnopqrstuvwxyz0123456789"
    any_letter = re.compile("|".join(_letter_class(c).pattern for c in letters), re.IGNORECASE)
    chars = "".join(chr(code) for code in range(128, 0x110000) if not 0xD800 <= code < 0xE000)
    matched = [m.group(0) for m in any_letter.finditer(chars)]
    assert len(matched) > 400  # accents of Latin, Greek and Cyrillic letters and more
    for char in matched:
        assert char.isalnum(), char
        assert sum(bool(_letter_class(c).fullmatch(char)) for c in letters) == 1, char


def test_a_snippet_finds_words_beyond_ascii():
    assert str(snippet("Il λόγος è", parse_query("λογος").terms)) == "Il <mark>λόγος</mark> è"


def test_folded_bytes_find_the_first_matches_only():
    text = "a bA " * 40 + "b"
    terms = (Term(words=("a",)), Term(words=("b",), prefix=True))
    expected = [m.span() for m in _pattern(terms).finditer(text)][:MAX_MATCHES]
    assert len(expected) == MAX_MATCHES
    assert _ascii_matches(text, _ascii_targets(terms)) == expected


def test_near_words_are_one_typing_slip_away():
    near = near_words("campain")
    assert {"campaign", "campin", "capmain", "campaln"} <= near  # added, left out, swapped…
    assert "campain" not in near and "campaigns" not in near  # two slips away
    assert all(len(word) >= 3 for word in near_words("plan"))


def test_only_long_words_of_letters_can_be_respelled():
    query = parse_query('spring "campain plan" -budgte OR città x 2026 ab12')
    assert respellable(query) == ["spring", "campain", "plan", "citta"]


def test_respelling_keeps_everything_else_as_typed():
    raw = 'Spring "Campain plan" -budgte OR Città'
    assert respelled(raw, {"campain": "campaign"}) == 'Spring "Campaign plan" -budgte OR Città'
    assert respelled(raw, {"citta": "cittadella"}) == 'Spring "Campain plan" -budgte OR Cittadella'
    assert respelled(raw, {}) == raw
    assert respelled("CAMPAIN markdonw", {"campain": "campaign", "markdonw": "markdown"}) == (
        "CAMPAIGN markdown"
    )


def test_only_a_capital_or_joins_alternatives():
    assert parse_query("webinar OR bakery").clauses == (
        (Term(("webinar",), prefix=True), Term(("bakery",), prefix=True)),
    )
    # In lower case it is a word of the title someone looks for.
    words_looked_for = [term.words for term in parse_query("Truth or dare").terms]
    assert words_looked_for == [("truth",), ("or",), ("dare",)]
