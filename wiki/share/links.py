"""Share links: plain links to each network's own share page; no script, no pixel."""

from dataclasses import dataclass
from urllib.parse import quote, urlencode


@dataclass(frozen=True)
class ShareLink:
    """One way to share a page: its name (also its CSS class) and its address."""

    name: str
    href: str


def share_links(url: str, title: str) -> list[ShareLink]:
    """Return the links that share a page's address and title by email and on networks."""
    text = f"{title} {url}"
    return [
        ShareLink("email", f"mailto:?subject={quote(title)}&body={quote(url)}"),
        ShareLink("x", "https://x.com/intent/post?" + urlencode({"url": url, "text": title})),
        ShareLink(
            "linkedin",
            "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url}),
        ),
        ShareLink(
            "facebook", "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url})
        ),
        ShareLink("whatsapp", "https://wa.me/?" + urlencode({"text": text})),
    ]
