"""Split page Markdown into sections that render the same alone as within the page.

A line at the left margin after a blank line that starts with "#" or a letter always
starts a new top-level block in Python-Markdown (a blank line ends every block the
renderer knows but fenced code and footnotes, a line at the margin cannot continue a list
item or indented code, and only a list item or code looks back at the block before it), so
the text before it renders the same whatever follows. Pages whose parts refer to each
other (footnotes, reference-style link definitions) are not split.
"""

import re
import zlib

from markdown.extensions.fenced_code import FencedBlockPreprocessor

#: Python-Markdown's own fence pattern: a heading inside a fenced block is code, not a split.
_FENCE = FencedBlockPreprocessor.FENCED_BLOCK_RE
#: Tab stops as Python-Markdown expands them (Markdown.tab_length).
TAB_LENGTH = 4
_SPACES_ONLY = re.compile(r"(?<=\n) +\n")
#: Where a section may start: after a blank line, at the left margin, a "#" (a heading) or
#: a letter (a paragraph, a table row or a setext heading; never a list item, a quote or
#: code, which a blank line does not end).
_BLOCK_START = re.compile(r"(?<=\n\n)(?:#|[^\W\d_])")
#: Sections start at every heading and at about one paragraph in this many: a section of a
#: few paragraphs is worth keeping, one per paragraph would cost more to put together.
PARAGRAPH_CUTS = 4
#: What makes a page's parts depend on each other (footnotes, reference-style link
#: definitions), or the renderer's own markers: looked for with `in` (a regular expression
#: of these alternatives read a 20 KB page ten times slower).
_WHOLE_PAGE = ("[^", "]:", "\r", "\x02", "\x03")


def normalized(text: str) -> str:
    """Return the text with tabs and space-only lines as Python-Markdown first rewrites
    them (rendering it gives the same result as rendering the text)."""
    if "\t" not in text and " \n" not in text:  # most pages: nothing to rewrite
        return text
    return _SPACES_ONLY.sub("\n", text.expandtabs(TAB_LENGTH))


def sections(text: str) -> list[str] | None:
    """Return the normalised text cut where a block starts (see the module), outside
    fenced code; None if the page must be rendered whole."""
    if any(marker in text for marker in _WHOLE_PAGE):
        return None
    source = normalized(text)
    fenced = [(m.start(), m.end()) for m in _FENCE.finditer(source + "\n\n")]
    cuts, fence = [0], 0
    for start in _BLOCK_START.finditer(source):
        at = start.start()
        if start.group() != "#" and zlib.crc32(source[at : at + 40].encode()) % PARAGRAPH_CUTS:
            continue  # not every paragraph: chosen by its own words, so edits move no cut
        while fence < len(fenced) and fenced[fence][1] <= at:
            fence += 1
        if fence < len(fenced) and fenced[fence][0] <= at:
            continue  # inside a fenced code block
        cuts.append(at)
    if len(cuts) == 1:
        return [source]
    return [source[start:end] for start, end in zip(cuts, cuts[1:] + [len(source)], strict=True)]
