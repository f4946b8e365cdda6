"""Files for the upload tests, made on the spot: images, bombs, polyglots, photos with GPS.

Plain functions (no fixtures), imported by the file tests like tests/helpers.py.
"""

import io
import struct
import zipfile
import zlib

from PIL import Image

GPS_IFD = 0x8825
LATITUDE = (45.0, 26.0, 12.34)


def png(width: int = 64, height: int = 48, color=(30, 120, 200)) -> bytes:
    """Return a PNG of one colour."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def jpeg(width: int = 640, height: int = 480, color=(200, 60, 40), gps: bool = False) -> bytes:
    """Return a JPEG photo, with a location (EXIF GPS) if asked, and a camera model."""
    image = Image.new("RGB", (width, height), color)
    for x in range(0, width, 16):  # some detail, so the thumbnails are real work
        image.putpixel((x, x % height), (255, 255, 255))
    exif = Image.Exif()
    exif[0x0110] = "Bottega Test Camera"  # Model
    if gps:
        exif.get_ifd(GPS_IFD).update({1: "N", 2: LATITUDE, 3: "E", 4: LATITUDE})
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def gif(width: int = 32, height: int = 32) -> bytes:
    """Return a GIF."""
    out = io.BytesIO()
    Image.new("P", (width, height), 3).save(out, "GIF")
    return out.getvalue()


def webp(width: int = 64, height: int = 64) -> bytes:
    """Return a WebP image."""
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (10, 200, 10, 128)).save(out, "WEBP")
    return out.getvalue()


def pdf() -> bytes:
    """Return a small, valid PDF (one empty page)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    body, offsets = b"%PDF-1.4\n", []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(body))
        body += b"%d 0 obj\n%s\nendobj\n" % (number, obj)
    xref = len(body)
    body += b"xref\n0 4\n0000000000 65535 f \n"
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return body


def zip_archive(names=("notes.txt",)) -> bytes:
    """Return a ZIP archive holding a file per name."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            archive.writestr(name, "hello")
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int = 50_000, height: int = 50_000) -> bytes:
    """Return a PNG of about 1 KB whose header claims width × height pixels."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit grey
    rows = zlib.compress(b"\x00" * (1 + width // 8) * 8, 9)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", rows)


def html_as_png() -> bytes:
    """Return a web page (what an attacker would name "cat.png")."""
    return b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def truncated(data: bytes) -> bytes:
    """Return the first half of a file, as an upload cut short would leave it."""
    return data[: len(data) // 2]


def with_markup_inside(data: bytes) -> bytes:
    """Return a PNG with an HTML comment chunk in its first kilobyte."""
    text = _chunk(b"tEXt", b"Comment\x00<html><script>alert(1)</script></html>")
    return data[:33] + text + data[33:]


def upload(
    client,
    data: bytes,
    filename: str = "Logo.png",
    *,
    json: bool = False,
    headers: dict | None = None,
    **fields,
):
    """Post the upload form with a file, as a browser (or the editor's script) would."""
    form = {"file": (io.BytesIO(data), filename), **{k: str(v) for k, v in fields.items()}}
    headers = {**({"Accept": "application/json"} if json else {}), **(headers or {})}
    response = client.post(
        "/upload", data=form, content_type="multipart/form-data", headers=headers, buffered=True
    )
    # Werkzeug's test client keeps a large body in a temporary file and closes it only when
    # it follows redirects: close it here, or it leaks into the next test's warnings.
    response.request.input_stream.close()
    return response
