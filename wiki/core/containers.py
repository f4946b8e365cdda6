"""The layout of image files (JPEG, PNG, GIF, WebP): where their parts and their end are.

Works on any bytes-like buffer (bytes, or an mmap of a large file), so an upload is walked
without being read into memory. Used to find location data and bytes after an image's end.
"""

from dataclasses import dataclass, field


class DamagedFile(ValueError):
    """The bytes do not follow the format's structure (cut short, or not that format)."""


@dataclass
class Part:
    """One segment, chunk or block of a file: its name and where it starts and ends."""

    name: bytes
    start: int
    end: int


@dataclass
class Layout:
    """Where an image's parts are, where its pixel data starts, and where the image ends."""

    parts: list[Part] = field(default_factory=list)
    #: Offset of the first byte not part of the metadata (JPEG: the first scan).
    body: int = 0
    #: Offset just after the image's last byte; anything after it is not the image.
    end: int = 0


def _be16(data, at: int) -> int:
    if at + 2 > len(data):
        raise DamagedFile("cut short")
    return int.from_bytes(data[at : at + 2], "big")


def _be32(data, at: int, order: str = "big") -> int:
    if at + 4 > len(data):
        raise DamagedFile("cut short")
    return int.from_bytes(data[at : at + 4], order)


def jpeg_layout(data) -> Layout:
    """Return the segments before the first scan (APPn holds EXIF, XMP) and the image's end."""
    if data[:2] != b"\xff\xd8":
        raise DamagedFile("not a JPEG")
    layout, pos, size = Layout(), 2, len(data)
    while pos < size:
        if data[pos] != 0xFF:
            raise DamagedFile("no marker where one must be")
        marker = data[pos + 1] if pos + 1 < size else -1
        if marker == 0xFF:  # fill byte
            pos += 1
        elif marker == 0xD9:
            layout.end = pos + 2
            return layout
        elif 0xD0 <= marker <= 0xD7 or marker == 0x01:
            pos += 2
        elif marker < 0:
            break
        else:
            end = pos + 2 + _be16(data, pos + 2)
            if end > size:
                break
            if not layout.body:
                if marker == 0xDA:
                    layout.body = pos
                else:
                    layout.parts.append(Part(bytes([marker]), pos, end))
            pos = end if marker != 0xDA else _after_scan(data, end)
    raise DamagedFile("cut short")


def _after_scan(data, pos: int) -> int:
    """Return the offset of the marker that ends entropy-coded data starting at pos."""
    while True:
        pos = data.find(b"\xff", pos)
        if pos < 0 or pos + 1 >= len(data):
            raise DamagedFile("cut short")
        following = data[pos + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
            pos += 1 if following == 0xFF else 2
            continue
        return pos


def png_layout(data) -> Layout:
    """Return the chunks of a PNG and where it ends (after IEND)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise DamagedFile("not a PNG")
    layout, pos = Layout(body=8), 8
    while pos + 8 <= len(data):
        length = _be32(data, pos)
        name = bytes(data[pos + 4 : pos + 8])
        end = pos + 12 + length
        if end > len(data):
            break
        layout.parts.append(Part(name, pos, end))
        pos = end
        if name == b"IEND":
            layout.end = end
            return layout
    raise DamagedFile("cut short")


def gif_layout(data) -> Layout:
    """Return where a GIF ends (its trailer byte), walking its blocks."""
    if data[:6] not in (b"GIF87a", b"GIF89a") or len(data) < 13:
        raise DamagedFile("not a GIF")
    flags = data[10]
    pos = 13 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)
    while pos < len(data):
        kind = data[pos]
        if kind == 0x3B:
            return Layout(body=13, end=pos + 1)
        if kind == 0x21:
            pos = _sub_blocks(data, pos + 2)
        elif kind == 0x2C:
            if pos + 10 > len(data):
                break
            local = data[pos + 9]
            pos += 10 + (3 * 2 ** ((local & 7) + 1) if local & 0x80 else 0)
            pos = _sub_blocks(data, pos + 1)  # after the LZW minimum code size
        else:
            raise DamagedFile("unknown block")
    raise DamagedFile("cut short")


def _sub_blocks(data, pos: int) -> int:
    """Return the offset after a chain of GIF data sub-blocks (ended by a zero length)."""
    while pos < len(data):
        length = data[pos]
        pos += 1 + length
        if length == 0:
            return pos
    raise DamagedFile("cut short")


def webp_layout(data) -> Layout:
    """Return the chunks of a WebP (RIFF) file and where it ends."""
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise DamagedFile("not a WebP")
    end = 8 + _be32(data, 4, "little")
    if end > len(data):
        raise DamagedFile("cut short")
    layout, pos = Layout(body=12, end=end), 12
    while pos + 8 <= end:
        length = _be32(data, pos + 4, "little")
        stop = pos + 8 + length + (length & 1)
        layout.parts.append(Part(bytes(data[pos : pos + 4]), pos, min(stop, end)))
        pos = stop
    return layout


LAYOUTS = {
    "image/jpeg": jpeg_layout,
    "image/png": png_layout,
    "image/gif": gif_layout,
    "image/webp": webp_layout,
}


def declared_size(data, media_type: str) -> tuple[int, int] | None:
    """Return the width and height an image's header declares (PNG, GIF, JPEG), or None."""
    try:
        if media_type == "image/png" and data[12:16] == b"IHDR":
            return _be32(data, 16), _be32(data, 20)
        if media_type == "image/gif":
            return int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")
        if media_type == "image/jpeg":
            for part in jpeg_layout(data).parts:
                if part.name[0] in _START_OF_FRAME:
                    return _be16(data, part.start + 7), _be16(data, part.start + 5)
    except DamagedFile:
        pass
    return None


_START_OF_FRAME = set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
