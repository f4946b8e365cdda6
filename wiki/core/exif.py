"""Remove the location (GPS) from EXIF data in place, keeping everything else byte for byte.

EXIF is a small TIFF file inside a photo. Its GPS directory is emptied and its values
zeroed, so the photo's length and all its other data (orientation, camera, date) stay as
they were, and no re-encoding costs quality.
"""

_TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}
GPS_TAG = 0x8825
EXIF_HEADER = b"Exif\x00\x00"


class DamagedExif(ValueError):
    """The EXIF data does not follow the TIFF structure: drop it whole rather than trust it."""


class _Tiff:
    """Reads numbers from a TIFF held in a buffer at an offset, in its byte order."""

    def __init__(self, buffer: bytearray, start: int, end: int) -> None:
        order = bytes(buffer[start : start + 2])
        if order not in (b"II", b"MM"):
            raise DamagedExif("no byte order")
        self.buffer, self.start, self.end = buffer, start, end
        self.order = "little" if order == b"II" else "big"
        if self.number(2, 2) != 42:
            raise DamagedExif("not a TIFF")

    def number(self, offset: int, size: int) -> int:
        """Return the unsigned number of size bytes at offset (relative to the TIFF)."""
        at = self.start + offset
        if offset < 0 or at + size > self.end:
            raise DamagedExif("outside the data")
        return int.from_bytes(self.buffer[at : at + size], self.order)

    def zero(self, offset: int, size: int) -> None:
        """Overwrite size bytes at offset with zeros."""
        self.number(offset, size)  # bounds check
        at = self.start + offset
        self.buffer[at : at + size] = bytes(size)

    def entries(self, ifd: int):
        """Yield (entry offset, tag, type, count) of a directory."""
        count = self.number(ifd, 2)
        for index in range(count):
            entry = ifd + 2 + 12 * index
            yield (
                entry,
                self.number(entry, 2),
                self.number(entry + 2, 2),
                self.number(entry + 4, 4),
            )


def scrub_gps(buffer: bytearray, start: int, end: int) -> bool:
    """Empty the GPS directory of the TIFF at buffer[start:end]; return whether it had one.

    Raises DamagedExif when the structure cannot be followed.
    """
    tiff = _Tiff(buffer, start, end)
    first = tiff.number(4, 4)
    gps = next(
        (tiff.number(entry + 8, 4) for entry, tag, _, _ in tiff.entries(first) if tag == GPS_TAG),
        None,
    )
    if gps is None:
        return False
    entries = list(tiff.entries(gps))
    for entry, _tag, kind, count in entries:
        size = _TYPE_SIZES.get(kind, 1) * count
        if size > 4:
            tiff.zero(tiff.number(entry + 8, 4), size)
    # No entries, and no next directory: a valid, empty GPS directory.
    tiff.zero(gps, 2 + 12 * len(entries) + 4)
    return bool(entries)


def tiff_start(block: bytes | bytearray) -> int | None:
    """Return where the TIFF starts inside an EXIF block ("Exif\\0\\0" header optional)."""
    for offset in (0, len(EXIF_HEADER)):
        if bytes(block[offset : offset + 4]) in (b"II*\x00", b"MM\x00*"):
            return offset
    return None
