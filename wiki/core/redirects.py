"""Redirect texts: `#REDIRECT [[Target]]` sends readers on to the target page."""

import re

from .titles import Title, TitleError, parse_title

_REDIRECT = re.compile(r"\A\s*#redirect\s*:?\s*\[\[([^\[\]|\n]+)(?:\|[^\[\]\n]*)?\]\]", re.I)


def parse_redirect(text: str) -> Title | None:
    """Return the target of a `#REDIRECT [[Target]]` text, or None if it is not one."""
    match = _REDIRECT.match(text[:1000])
    if not match:
        return None
    target = match.group(1).partition("#")[0].strip().removeprefix(":")
    try:
        return parse_title(target)
    except TitleError:
        return None


def redirect_text(target: str) -> str:
    """Return the text of a redirect to a title."""
    return f"#REDIRECT [[{target}]]\n"
