"""Rewrite an uploaded image without its location data and without bytes after its end.

JPEG and PNG are rebuilt part by part (EXIF with its GPS directory emptied, XMP packets
that hold a location dropped, PNG checksums fixed); other formats are edited in place
without changing their length. The pixel data is copied as it was: no quality is lost.
"""

import mmap
import re
import zlib
from contextlib import contextmanager
from pathlib import Path

from ..core import exif
from ..core.containers import Layout, jpeg_layout, png_layout

_XMP_JPEG = (b"http://ns.adobe.com/xap/1.0/\x00", b"http://ns.adobe.com/xmp/extension/\x00")
_XMP_PNG = b"XML:com.adobe.xmp\x00"
_GPS_XMP = re.compile(rb"GPS(Latitude|Longitude|Altitude|DestLatitude|DestLongitude)")
_XMP_PACKET = re.compile(rb"<x:xmpmeta.*?</x:xmpmeta>", re.DOTALL)


@contextmanager
def mapped(path: Path):
    """Map a file into memory read-only (the OS pages it in; nothing is copied)."""
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as m:
        yield m


def rewrite(source: Path, target: Path, media_type: str, layout: Layout | None) -> bool:
    """Write source to target without location data and trailing bytes; return whether any
    location data was found and removed."""
    with mapped(source) as data:
        if media_type == "image/jpeg":
            return _rewrite_jpeg(data, target, layout or jpeg_layout(data))
        if media_type == "image/png":
            return _rewrite_png(data, target, layout or png_layout(data))
        end = layout.end if layout is not None else len(data)
        buffer = bytearray(data[:end])
    removed = False
    for part in layout.parts if layout is not None else ():
        if part.name == b"EXIF":  # WebP: the chunk holds the TIFF itself
            removed |= bool(_scrub_block(buffer, part.start + 8, end=part.end))
    removed |= _scrub_anywhere(buffer)
    target.write_bytes(buffer)
    return removed


def _rewrite_jpeg(data, target: Path, layout: Layout) -> bool:
    """Copy a JPEG's segments, scrubbing EXIF and dropping XMP with a location."""
    removed = False
    with target.open("wb") as out:
        out.write(data[:2])
        for part in layout.parts:
            segment = bytearray(data[part.start : part.end])
            if part.name == b"\xe1":
                payload = bytes(segment[4:64])
                if payload.startswith(_XMP_JPEG) and _GPS_XMP.search(segment):
                    removed = True
                    continue
                if payload.startswith(exif.EXIF_HEADER):
                    scrubbed = _scrub_block(segment, 4)
                    if scrubbed is None:
                        removed = True  # EXIF we cannot follow is dropped, not trusted
                        continue
                    removed |= scrubbed
            out.write(segment)
        _copy_range(data, layout.body, layout.end, out)
    return removed


def _rewrite_png(data, target: Path, layout: Layout) -> bool:
    """Copy a PNG's chunks, scrubbing eXIf (with a new checksum) and dropping located XMP."""
    removed = False
    with target.open("wb") as out:
        out.write(data[:8])
        for part in layout.parts:
            chunk = bytearray(data[part.start : part.end])
            if part.name == b"eXIf":
                scrubbed = _scrub_block(chunk, 8, end=len(chunk) - 4)
                if scrubbed is None:
                    removed = True
                    continue
                removed |= scrubbed
                _fix_crc(chunk)
            elif part.name == b"iTXt" and chunk[8:].startswith(_XMP_PNG):
                if _GPS_XMP.search(chunk):
                    removed = True
                    continue
            if part.name in (b"IDAT", b"fdAT") and len(chunk) > (1 << 20):
                _copy_range(data, part.start, part.end, out)
            else:
                out.write(chunk)
    return removed


def _scrub_block(block: bytearray, offset: int, end: int | None = None) -> bool | None:
    """Scrub the TIFF of an EXIF block in place; None when its structure cannot be followed."""
    start = exif.tiff_start(block[offset:])
    if start is None:
        return None
    try:
        return exif.scrub_gps(block, offset + start, len(block) if end is None else end)
    except exif.DamagedExif:
        return None


def _scrub_anywhere(buffer: bytearray) -> bool:
    """Scrub every EXIF block and blank every located XMP packet found in a file's bytes."""
    removed = False
    position = buffer.find(exif.EXIF_HEADER)
    while position >= 0:
        try:
            removed |= exif.scrub_gps(buffer, position + 6, len(buffer))
        except exif.DamagedExif:
            pass
        position = buffer.find(exif.EXIF_HEADER, position + 6)
    for match in _XMP_PACKET.finditer(bytes(buffer)):
        if _GPS_XMP.search(match.group(0)):
            # Spaces keep the file's length: boxes and chunks around it stay valid.
            buffer[match.start() : match.end()] = b" " * (match.end() - match.start())
            removed = True
    return removed


def _fix_crc(chunk: bytearray) -> None:
    """Recompute a PNG chunk's checksum over its type and data."""
    chunk[-4:] = zlib.crc32(bytes(chunk[4:-4])).to_bytes(4, "big")


def _copy_range(data, start: int, end: int, out, size: int = 1 << 20) -> None:
    """Write data[start:end] to out in pieces."""
    for offset in range(start, end, size):
        out.write(data[offset : min(offset + size, end)])
