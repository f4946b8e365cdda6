"""Page titles: the display form people type, the key used for lookup, and the URL form."""

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote


def N_(message: str) -> str:
    """Mark a message for translation; it is translated where it is shown."""
    return message


MAX_TITLE_LENGTH = 255
# These break wikilink syntax ([[a|b]]) or URLs (#fragment), so MediaWiki refuses them too.
FORBIDDEN_CHARACTERS = "#<>[]{}|"
#: Prefixes that give a page a role, as their keys (any case): "Category:Campaigns" lists
#: a category, "Template:Brief" starts new pages, "File:Logo.png" (or "Image:", MediaWiki's
#: old name) describes a file. A name must follow each.
NAMESPACES = ("category", "template", "file", "image")
#: What Italian wikis (MediaWiki's it) call two of them: "[[Categoria:Ricette]]" files a
#: page in Category:Ricette, "Immagine:Logo.png" is File:Logo.png.
NAMESPACE_ALIASES = {"categoria": "Category", "immagine": "File"}
_ALIAS = re.compile(r"\s*(" + "|".join(NAMESPACE_ALIASES) + r")\s*:", re.IGNORECASE)
_SPACES = re.compile(r"[\s_]+")


class TitleError(ValueError):
    """A title that cannot name a page; the message says why, for a person."""


@dataclass(frozen=True)
class Title:
    """A valid title: how it is shown, and the key that identifies the page."""

    display: str
    key: str

    @property
    def url(self) -> str:
        """Return the title as it appears in a URL path."""
        return title_to_url(self.display)

    @property
    def segments(self) -> list[str]:
        """Return the subpage path: "Campaigns/Spring" gives ["Campaigns", "Spring"]."""
        return self.display.split("/")


def canonical_namespace(text: str) -> str:
    """Return a title with a localized namespace prefix in the wiki's own words
    ("Categoria:Ricette" → "Category:Ricette"); any other text as it is."""
    match = _ALIAS.match(text)
    if match is None:
        return text
    return NAMESPACE_ALIASES[match.group(1).lower()] + ":" + text[match.end() :].lstrip()


_SPECIAL = re.compile(r"\s*(special|speciale|talk|discussione)\s*:(.*)", re.IGNORECASE | re.DOTALL)


def special_target(text: str) -> tuple[str, str] | None:
    """Return ("special", name) for "Special:Name" and ("talk", title) for "Talk:Title"
    (MediaWiki's names, English or Italian), or None: an ordinary title."""
    match = _SPECIAL.fullmatch(text)
    if match is None:
        return None
    kind = "talk" if match.group(1).lower() in ("talk", "discussione") else "special"
    rest = match.group(2).strip()
    if not rest:
        return None
    if kind == "talk":
        try:
            rest = parse_title(rest).display
        except TitleError:
            return None
    return kind, rest


def _display_form(text: str) -> str:
    """Underscores and runs of whitespace become one space; ends are trimmed."""
    return _SPACES.sub(" ", text).strip()


def title_key(text: str) -> str:
    """Return the lookup key: NFKC, case-folded, format characters removed, spaces joined."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    # Case folding can leave text that is no longer NFKC ("ǰ"), so normalise again.
    text = unicodedata.normalize("NFKC", text.casefold())
    return _display_form(text)


def parse_title(text: str) -> Title:
    """Check a title as typed and return it, or raise TitleError saying what is wrong."""
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        raise TitleError(N_("A title cannot contain control characters such as tabs or newlines."))
    display = _display_form("".join(ch for ch in text if unicodedata.category(ch) != "Cf"))
    if not display:
        raise TitleError(N_("The title is empty. Please give the page a title."))
    if len(display) > MAX_TITLE_LENGTH:
        raise TitleError(N_("A title can be at most 255 characters long."))
    if any(ch in FORBIDDEN_CHARACTERS for ch in display):
        raise TitleError(N_("A title cannot contain any of these characters: # < > [ ] { } |"))
    if display.startswith("/") or display.endswith("/"):
        raise TitleError(N_("A title cannot start or end with a slash."))
    segments = [segment.strip() for segment in display.split("/")]
    if any(segment in ("", ".", "..") for segment in segments):
        raise TitleError(
            N_('Each part of a title between slashes must be a name, not empty, "." or "..".')
        )
    display = "/".join(segments)
    key = title_key(display)
    if not key:
        raise TitleError(N_("The title is empty. Please give the page a title."))
    # "Categoria:" too: it opens the editor of "Category:", which has no name either.
    if _bare_namespace(title_key(canonical_namespace(display)).split("/", 1)[0]):
        raise TitleError(
            N_(
                "A title needs a name after “Category:”, “Template:” or “File:”, "
                "as in “Category:Recipes”."
            )
        )
    return Title(display=display, key=key)


def _bare_namespace(first: str) -> bool:
    """Return whether a title's first part is a namespace prefix with no name after it."""
    prefix, colon, name = first.partition(":")
    return bool(colon) and prefix.strip() in NAMESPACES and not name.strip()


def title_to_url(display: str) -> str:
    """Return the URL path form of a title: spaces as underscores, the rest percent-encoded."""
    return quote(display.replace(" ", "_"), safe="/:,()!*'@$;~-._")


def title_from_url(path: str) -> str:
    """Return the title a decoded URL path names (the reverse of title_to_url)."""
    return path.replace("_", " ")
