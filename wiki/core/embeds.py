"""Video links that become privacy-respecting embeds: YouTube (no-cookie host) and Vimeo.

Pure: a URL in, the embed's address out. Only these hosts are ever framed, and the
Content-Security-Policy's frame-src names them and nothing else.
"""

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

YOUTUBE_EMBED = "https://www.youtube-nocookie.com/embed/"
VIMEO_EMBED = "https://player.vimeo.com/video/"
#: The hosts the site frames (the CSP's frame-src), and so the only ones embeds may load.
FRAME_HOSTS = ("https://www.youtube-nocookie.com", "https://player.vimeo.com")

_YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com"}
_YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_VIMEO_HOSTS = {"vimeo.com", "www.vimeo.com", "player.vimeo.com"}
_VIMEO_ID = re.compile(r"[0-9]{1,12}")
_VIMEO_HASH = re.compile(r"[0-9a-f]{6,20}")
_TIME = re.compile(r"(?:(\d{1,3})h)?(?:(\d{1,4})m)?(?:(\d{1,6})s?)?")


@dataclass(frozen=True)
class Embed:
    """A video to embed: who hosts it, the frame's address, and the link it came from."""

    provider: str  # "youtube" or "vimeo"
    src: str
    url: str


def video_embed(url: str) -> Embed | None:
    """Return the embed for a YouTube or Vimeo video URL, or None for any other URL."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or parts.username or parts.password:
        return None
    host = (parts.hostname or "").lower()
    if host in _YOUTUBE_HOSTS or host == "youtu.be":
        return _youtube(parts, host, url.strip())
    if host in _VIMEO_HOSTS:
        return _vimeo(parts, host, url.strip())
    return None


def _youtube(parts, host: str, url: str) -> Embed | None:
    """Return the no-cookie embed of a YouTube watch, short, shorts or embed link."""
    query = parse_qs(parts.query)
    segments = [segment for segment in parts.path.split("/") if segment]
    if host == "youtu.be":
        video = segments[0] if len(segments) == 1 else ""
    elif segments == ["watch"]:
        video = query.get("v", [""])[0]
    elif len(segments) == 2 and segments[0] in ("embed", "shorts", "live", "v"):
        video = segments[1]
    else:
        return None
    if not _YOUTUBE_ID.fullmatch(video):
        return None
    start = _seconds(query.get("t", query.get("start", [""]))[0])
    suffix = f"?start={start}" if start else ""
    return Embed("youtube", f"{YOUTUBE_EMBED}{video}{suffix}", url)


def _vimeo(parts, host: str, url: str) -> Embed | None:
    """Return the embed of a Vimeo video link, asking Vimeo not to track the viewer."""
    segments = [segment for segment in parts.path.split("/") if segment]
    if host == "player.vimeo.com":
        segments = segments[1:] if segments[:1] == ["video"] else []
    if not segments or not _VIMEO_ID.fullmatch(segments[0]) or len(segments) > 2:
        return None
    params = "dnt=1"
    if len(segments) == 2:  # an unlisted video's hash
        if not _VIMEO_HASH.fullmatch(segments[1]):
            return None
        params = f"h={segments[1]}&{params}"
    return Embed("vimeo", f"{VIMEO_EMBED}{segments[0]}?{params}", url)


def _seconds(raw: str) -> int:
    """Return a start time ("90", "1m30s", "1h2m") in seconds; 0 if it is not one."""
    match = _TIME.fullmatch(raw.strip())
    if not raw.strip() or match is None:
        return 0
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return hours * 3600 + minutes * 60 + seconds
