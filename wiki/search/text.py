"""Pure text handling for search: folding, query parsing and highlighted snippets.

Nothing here touches Flask or the database, so both engines share exactly the same rules:
a query is parsed once into words, phrases, exclusions and alternatives (the syntax of web
search boxes), and each engine compiles that structure into its own safe match expression.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice

from markupsafe import Markup, escape

#: A word: letters and digits. Underscore and everything else separate words, as they do
#: for SQLite's unicode61 tokenizer, so both engines see the same words.
WORD = re.compile(r"[^\W_]+")
#: Words shorter than this match only exactly; longer ones also match as a prefix
#: ("campaign" finds "campaigns"), which is what makes typing part of a word work.
PREFIX_MIN = 3
MAX_TERMS = 12
MAX_QUERY_LENGTH = 200
#: Only this much of a page's text is indexed (PostgreSQL caps a tsvector at 1 MB).
MAX_INDEXED_CHARS = 200_000
SNIPPET_CHARS = 220
#: Snippets look for matches in this much of the text only, and at most this many.
SNIPPET_SCAN_CHARS = 60_000
MAX_MATCHES = 64


@lru_cache(maxsize=8192)
def _fold_char(char: str) -> str:
    """Return one lower-case character without accents, or the character unchanged."""
    base = "".join(
        c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
    ).lower()
    if len(base) == 1:
        return base
    lower = char.lower()
    return lower if len(lower) == 1 else char


def fold(text: str) -> str:
    """Return text in lower case without accents, with exactly as many characters.

    Keeping the length lets a match found in the folded text be highlighted at the same
    position in the original ("citta" highlights "città").
    """
    if text.isascii():
        return text.lower()
    table = {ord(c): _fold_char(c) for c in set(text) if not c.isascii()}
    translated = text.translate(table)
    folded = translated.lower()
    if len(folded) != len(text):  # a character whose lower case is longer, left as it is
        folded = "".join(c if len(c.lower()) != 1 else c.lower() for c in translated)
    return folded


def words(text: str) -> list[str]:
    """Return the folded words of a text."""
    return WORD.findall(fold(text))


def index_words(text: str) -> str:
    """Return the text as folded words separated by spaces, as the PostgreSQL index stores it."""
    return " ".join(words(text[:MAX_INDEXED_CHARS]))


# --- Queries ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """A word or a phrase (several words in a row) to look for."""

    words: tuple[str, ...]
    #: The last word may also be the start of a longer word.
    prefix: bool = False

    @property
    def phrase(self) -> bool:
        """Return whether the term is several words that must appear in a row."""
        return len(self.words) > 1


@dataclass(frozen=True)
class Query:
    """A parsed query: every clause must match (each clause is alternatives), none excluded."""

    clauses: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = ()

    def __bool__(self) -> bool:
        """Return whether there is anything to look for (exclusions alone find nothing)."""
        return bool(self.clauses)

    @property
    def terms(self) -> list[Term]:
        """Return every term that a result contains, for highlighting."""
        return [term for clause in self.clauses for term in clause]


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_query(raw: str) -> str:
    """Return what was typed, cut to length, without control characters, trimmed."""
    return _CONTROL.sub(" ", raw[:MAX_QUERY_LENGTH]).strip()


_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def parse_query(raw: str) -> Query:
    """Parse what someone typed: words, "exact phrases", -excluded words, and a OR b.

    Never fails: characters with a meaning in SQL or in the engines' own syntax are just
    separators here, so any input gives a query (possibly an empty one).
    """
    clauses: list[list[Term]] = []
    excluded: list[Term] = []
    join_next = False
    count = 0
    for match in _TOKEN.finditer(raw[:MAX_QUERY_LENGTH]):
        negated, quoted, bare = match.group(1) == "-", match.group(2), match.group(3)
        # Only a capital OR joins alternatives, as in web search: "Truth or dare" is words.
        if bare == "OR":
            join_next = bool(clauses)
            continue
        if bare is not None and bare.startswith("-") and len(bare) > 1:
            negated, bare = True, bare[1:]
        found = words(quoted if quoted is not None else bare)
        if not found or count >= MAX_TERMS:
            continue
        count += 1
        exact = quoted is not None or len(found) > 1
        term = Term(tuple(found), prefix=not exact and len(found[-1]) >= PREFIX_MIN)
        if negated:
            excluded.append(term)
        elif join_next:
            clauses[-1].append(term)
        else:
            clauses.append([term])
        join_next = False
    return Query(tuple(tuple(clause) for clause in clauses), tuple(excluded))


def plain_words(raw: str) -> str:
    """Return what was typed with its quotes taken away ("" if it excludes words or gives
    alternatives with OR): the title a search for it could offer to create."""
    query = parse_query(raw)
    if not query or query.excluded or any(len(clause) > 1 for clause in query.clauses):
        return ""
    return " ".join(raw.replace('"', " ").split())


def _either(alternatives: list[str], operator: str) -> str:
    """Return alternatives joined by an OR operator, in parentheses if more than one."""
    return alternatives[0] if len(alternatives) == 1 else f"({operator.join(alternatives)})"


def _fts5_term(term: Term, column: str | None = None) -> str:
    """Return a term as an FTS5 phrase: quoted, so no character in it has a meaning."""
    quoted = '"' + " ".join(term.words).replace('"', '""') + '"' + ("*" if term.prefix else "")
    return f"{column} : {quoted}" if column else quoted


def fts5_match(query: Query, column: str | None = None) -> str:
    """Return the FTS5 MATCH expression for a query (only in `column`, if given)."""
    parts = [_either([_fts5_term(t, column) for t in clause], " OR ") for clause in query.clauses]
    expression = " AND ".join(parts)
    if column is None:
        for term in query.excluded:
            expression = f"({expression}) NOT {_fts5_term(term)}"
    return expression


#: The weight labels of a document's title and body words in its combined tsvector.
TITLE_LABEL, BODY_LABEL = "A", "B"


def _ts_term(term: Term, fields: bool = False) -> str:
    """Return a term as tsquery text; words hold only letters and digits, so quoting is safe.

    fields: a phrase must lie within the title (weight A) or within the body (B). In the
    combined tsvector the body's positions follow the title's, so an unweighted phrase
    would also match the title's last word followed by the body's first.
    """
    lexemes = [f"'{word}'" for word in term.words]
    if term.prefix:
        lexemes[-1] += ":*"
    if len(lexemes) == 1:
        return lexemes[0]
    if not fields:
        return f"({' <-> '.join(lexemes)})"
    # 'word':A, 'word':*A (a prefix keeps its star before the weight).
    within = [
        " <-> ".join(f"{lexeme}{'' if lexeme.endswith('*') else ':'}{label}" for lexeme in lexemes)
        for label in (TITLE_LABEL, BODY_LABEL)
    ]
    return "(" + " | ".join(f"({phrase})" for phrase in within) + ")"


def tsquery(query: Query, positive_only: bool = False, fields: bool = False) -> str:
    """Return the text of a PostgreSQL tsquery for a query (or its wanted words only);
    fields: for the combined tsvector of title and body (see _ts_term)."""
    parts = [_either([_ts_term(t, fields) for t in clause], " | ") for clause in query.clauses]
    if not positive_only:
        parts += [f"!{_ts_term(term, fields)}" for term in query.excluded]
    return " & ".join(parts)


# --- Spelling -------------------------------------------------------------------------

#: Words shorter than this are not respelled ("teh" has too many near words).
SPELL_MIN = 4
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def near_words(word: str) -> set[str]:
    """Return the words one typing slip away from a folded word: a letter left out, one
    too many, one swapped with the next, or one mistyped (a–z: the index folds accents)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    found = {a + b[1:] for a, b in splits if b}
    found |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    found |= {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    found |= {a + c + b for a, b in splits for c in _LETTERS}
    found.discard(word)
    return {near for near in found if len(near) >= SPELL_MIN - 1}


def respellable(query: Query) -> list[str]:
    """Return the query's words (wanted, not excluded) that could be a typing slip: long
    enough, and letters only."""
    seen: list[str] = []
    for term in query.terms:
        for word in term.words:
            if len(word) >= SPELL_MIN and word.isalpha() and word.isascii() and word not in seen:
                seen.append(word)
    return seen


def respelled(raw: str, fixes: dict[str, str]) -> str:
    """Return what was typed with whole words replaced (folded word → replacement), the
    rest (quotes, OR, -word, other words' accents and case) as typed."""
    folded = fold(raw)
    parts, last = [], 0
    for match in WORD.finditer(folded):
        replacement = fixes.get(match.group())
        if replacement is not None:
            typed = raw[match.start() : match.end()]
            parts += [raw[last : match.start()], _cased_like(typed, replacement)]
            last = match.end()
    return "".join(parts) + raw[last:]


def _cased_like(typed: str, word: str) -> str:
    """Return a word in capitals or with a capital first letter, as the typed one was."""
    if len(typed) > 1 and typed.isupper():
        return word.upper()
    return word[:1].upper() + word[1:] if typed[:1].isupper() else word


# --- Snippets ---------------------------------------------------------------------------

#: Letters with accents (Latin, Greek, Cyrillic) grouped by the letter they fold to.
_RANGES = ((0xC0, 0x250), (0x370, 0x500), (0x1E00, 0x2000))


@lru_cache(maxsize=1)
def _variants() -> dict[str, str]:
    """Return, for each folded letter, the characters that fold to it ("a" → "àáâ…")."""
    found: dict[str, list[str]] = {}
    for low, high in _RANGES:
        for code in range(low, high):
            char = chr(code)
            folded = _fold_char(char)
            if folded != char:
                found.setdefault(folded, []).append(char)
    return {letter: "".join(chars) for letter, chars in found.items()}


def _letter_patterns(word: str) -> list[str]:
    """Return a pattern per letter of a folded word, each also matching its accents."""
    variants = _variants()
    return [
        f"[{re.escape(char + variants[char])}]" if char in variants else re.escape(char)
        for char in word
    ]


@lru_cache(maxsize=256)
def _compiled(alternatives: frozenset[tuple[str, str]]) -> re.Pattern[str]:
    """Return the compiled pattern for (first letter, rest) word patterns, longest first.

    It starts with one character class, every word's first letter: the regular expression
    engine then skips straight to the places where a word can start (a pattern starting
    with the check that no letter comes before scanned results twice as slowly). That
    check follows the first letter; each alternative then checks its own first letter.
    """
    ordered = sorted(alternatives, key=lambda pair: len(pair[0]) + len(pair[1]), reverse=True)
    lead = "".join(first[1:-1] if first.startswith("[") else first for first, _ in ordered)
    words = "|".join(
        f"(?<={first if first.startswith('[') else f'[{first}]'}){rest}" for first, rest in ordered
    )
    return re.compile(rf"[{lead}](?<![^\W_].)(?:{words})", re.IGNORECASE)


@lru_cache(maxsize=256)
def _pattern(terms: tuple[Term, ...]) -> re.Pattern[str] | None:
    """Return a regular expression finding the terms' words in text, whatever its accents,
    each word not preceded by a letter or digit (whole words, or a prefix's start).

    Matching the original text with accent-aware character classes is much faster than
    folding every result's text first. Kept per query: each result's snippet uses it.
    """
    alternatives = set()
    for term in terms:
        for index, word in enumerate(term.words):
            last = index == len(term.words) - 1
            tail = r"[^\W_]*" if term.prefix and last else r"(?![^\W_])"
            first, *rest = _letter_patterns(word)
            alternatives.add((first, "".join(rest) + tail))
    return _compiled(frozenset(alternatives)) if alternatives else None


#: What the terms' words are made of, for the fast way of finding them (bytes.find).
_ASCII_WORD = re.compile(r"[a-z0-9]+")
_ASCII_LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789"
#: How many characters beyond Latin-1 (plus one in a hundred) a text may hold for the fast
#: way: each is folded in Python, where the pattern skips over it in C.
BEYOND_LATIN1 = 32


@lru_cache(maxsize=256)
def _ascii_targets(terms: tuple[Term, ...]) -> tuple[tuple[bytes, bool], ...] | None:
    """Return each word of the terms as bytes, with whether it may start a longer word;
    None when one is not plain ASCII letters and digits (then the pattern finds them)."""
    targets = {}
    for term in terms:
        for index, word in enumerate(term.words):
            if not _ASCII_WORD.fullmatch(word):
                return None
            prefix = term.prefix and index == len(term.words) - 1
            targets[word.encode(), prefix] = None
    return tuple(targets)


@lru_cache(maxsize=256)
def _letter_class(letter: str) -> re.Pattern[str]:
    """Return the pattern that matches one letter of a word in a snippet, accents and all."""
    return re.compile(_letter_patterns(letter)[0], re.IGNORECASE)


@lru_cache(maxsize=8192)
def _ascii_letter(char: str) -> int:
    """Return the byte a non-ASCII character stands as in a folded copy (see _ascii_matches):
    the ASCII letter or digit whose snippet pattern matches it, a space if it is not a
    letter or digit, 1 for a letter no pattern matches.

    No character is matched by two letters' patterns, nor is one that is not a letter or
    digit (a test checks every code point).
    """
    if not char.isalnum():
        return ord(" ")
    if not _any_letter().fullmatch(char):  # most letters: one test, not 36
        return 1
    return next(ord(c) for c in _ASCII_LETTERS if _letter_class(c).fullmatch(char))


@lru_cache(maxsize=1)
def _any_letter() -> re.Pattern[str]:
    """Return the pattern matching what any ASCII letter's or digit's pattern matches."""
    either = "|".join(_letter_class(c).pattern for c in _ASCII_LETTERS)
    return re.compile(either, re.IGNORECASE)


@lru_cache(maxsize=1)
def _latin1_fold() -> bytes:
    """Return the bytes.translate table folding Latin-1 text as _ascii_letter does."""
    ascii_part = bytes(
        ord(c.lower()) if c.lower() in _ASCII_LETTERS else 32 for c in map(chr, range(128))
    )
    return ascii_part + bytes(_ascii_letter(chr(code)) for code in range(128, 256))


def _ascii_matches(
    text: str, targets: tuple[tuple[bytes, bool], ...]
) -> list[tuple[int, int]] | None:
    """Return what _pattern's regular expression finds, by bytes.find over a folded copy.

    The copy has one byte per character: an ASCII letter or digit in lower case, a letter
    with an accent as the letter its pattern takes it for, whatever is not a letter or
    digit as a space. A whole word is then " word " (a space stands before the first
    character too), found without leaving C: several times faster than the regular
    expression, which tries every place where a word's first letter stands. Latin-1 is
    folded by one table, a few characters beyond it one by one; None for a text with more
    of them (then the pattern finds the words).
    """
    data = text.encode("latin-1", "replace")
    beyond = data.count(b"?") - text.count("?")
    if beyond > BEYOND_LATIN1 + len(text) // 100:
        return None  # Cyrillic, Greek, CJK…: one by one would be slower than the pattern
    folded = data.translate(_latin1_fold())
    if beyond:  # a few characters beyond Latin-1 (’ “ ” – …): one by one
        copy = bytearray(folded)
        position = data.find(b"?")
        while position != -1:
            if text[position] != "?":
                copy[position] = _ascii_letter(text[position])
            position = data.find(b"?", position + 1)
        folded = bytes(copy)
    padded = b" " + folded + b" "  # padded[i + 1] is text[i]
    ends: dict[int, int] = {}
    for word, prefix in targets:
        needle = b" " + word if prefix else b" " + word + b" "
        found, position = 0, padded.find(needle)
        while position != -1 and found < MAX_MATCHES:
            # A word starting at text[position]; a prefix's word goes on to the next space.
            end = position + len(word)
            if prefix:
                end = padded.find(b" ", end + 1) - 1
            ends[position] = end
            found += 1
            position = padded.find(needle, end + 1)
    spans = [(start, ends[start]) for start in sorted(ends)]
    return spans[:MAX_MATCHES]


def _mark(text: str, spans: list[tuple[int, int]]) -> Markup:
    """Return text escaped, with the spans wrapped in <mark>."""
    out, position = [], 0
    for start, end in spans:
        out.append(str(escape(text[position:start])))
        out.append("<mark>" + str(escape(text[start:end])) + "</mark>")
        position = end
    out.append(str(escape(text[position:])))
    return Markup("".join(out))


def snippet(text: str, terms: Iterable[Term], width: int = SNIPPET_CHARS) -> Markup:
    """Return the passage of text that shows the most terms, escaped, with the terms marked
    (a phrase as one mark)."""
    terms = tuple(terms)
    spans = _phrases_joined(text, _matches(text[:SNIPPET_SCAN_CHARS], terms), terms)
    if not spans:
        end = _word_end(text, min(len(text), width))
        return Markup(_mark(text[:end], [])) + ("…" if end < len(text) else "")
    start = _best_window(spans, [text[a:b].lower() for a, b in spans], width)
    start = _word_start(text, max(0, start - width // 4))
    end = _word_end(text, min(len(text), start + width))
    shown = [
        (max(a, start) - start, min(b, end) - start) for a, b in spans if b > start and a < end
    ]
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return prefix + _mark(text[start:end], shown) + suffix


def _matches(text: str, terms: tuple[Term, ...]) -> list[tuple[int, int]]:
    """Return the spans of the first MAX_MATCHES words of text that the terms' words match."""
    targets = _ascii_targets(terms)
    found = _ascii_matches(text, targets) if targets is not None else None
    if found is not None:
        return found
    pattern = _pattern(terms)
    if pattern is None:
        return []
    return [m.span() for m in islice(pattern.finditer(text), MAX_MATCHES)]


def _phrases_joined(
    text: str, spans: list[tuple[int, int]], terms: tuple[Term, ...]
) -> list[tuple[int, int]]:
    """Return the spans with each run of words that spells a phrase term joined into one.

    A phrase's word standing alone is not what the page was found by: it stays marked only
    when a one-word term looks for it too, or when the phrase is not in the scanned text at
    all (then its words show where to look). Left to right, the first phrase that fits wins.
    """
    phrases = [term for term in terms if term.phrase]
    if not phrases or not spans:
        return spans
    folded = [fold(text[start:end]) for start, end in spans]
    joined: list[tuple[tuple[int, int], str | None]] = []  # a span, and its word if alone
    found: set[Term] = set()
    index = 0
    while index < len(spans):
        phrase = next((t for t in phrases if _spells(t, text, spans, folded, index)), None)
        if phrase is None:
            joined.append((spans[index], folded[index]))
            index += 1
            continue
        last = index + len(phrase.words) - 1
        joined.append(((spans[index][0], spans[last][1]), None))
        found.add(phrase)
        index = last + 1
    wanted = [term for term in terms if term not in found or not term.phrase]
    return [
        span
        for span, word in joined
        if word is None
        or any(_word_fits(t, at, word) for t in wanted for at in range(len(t.words)))
    ]


def _spells(
    phrase: Term, text: str, spans: list[tuple[int, int]], folded: list[str], index: int
) -> bool:
    """Return whether the spans from index on are the phrase's words, one after the other
    with nothing but spaces and punctuation between them."""
    size = len(phrase.words)
    if index + size > len(spans):
        return False
    for offset in range(size):
        if not _word_fits(phrase, offset, folded[index + offset]):
            return False
        if offset and WORD.search(text, spans[index + offset - 1][1], spans[index + offset][0]):
            return False
    return True


def _word_fits(term: Term, position: int, word: str) -> bool:
    """Return whether a folded word is the term's word at position (or, the last word of a
    prefix term, starts with it)."""
    expected = term.words[position]
    if term.prefix and position == len(term.words) - 1:
        return word.startswith(expected)
    return word == expected


def _best_window(spans: list[tuple[int, int]], words: list[str], width: int) -> int:
    """Return where the window with the most different matched words (then most matches) starts."""
    # One pass, the window's words counted as it slides (a set per window was most of a
    # result list's snippets for a word found all over each page).
    starts, ends = [a for a, _ in spans], [b for _, b in spans]
    counts: dict[str, int] = {}
    best, best_score, right = 0, (-1, -1), -1
    for left, word in enumerate(words):
        if right < left:  # a window always holds its first match
            right = left
            counts[word] = counts.get(word, 0) + 1
        while right + 1 < len(words) and ends[right + 1] - starts[left] <= width:
            right += 1
            counts[words[right]] = counts.get(words[right], 0) + 1
        score = (len(counts), right - left + 1)
        if score > best_score:
            best, best_score = starts[left], score
        if counts[word] == 1:
            del counts[word]
        else:
            counts[word] -= 1
    return best


def _word_start(text: str, index: int) -> int:
    """Move index forward to the start of a word, unless it is at one."""
    if index == 0:
        return 0
    space = text.find(" ", index, index + 30)
    return space + 1 if space != -1 else index


def _word_end(text: str, index: int) -> int:
    """Move index back to the end of a word, unless it is at one."""
    if index >= len(text):
        return len(text)
    space = text.rfind(" ", max(0, index - 30), index)
    return space if space > 0 else index
