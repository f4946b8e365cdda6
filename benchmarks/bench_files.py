"""Files: serving a thumbnail vs a page view, making a 1920-pixel photo's thumbnails, and a
50 MB upload through gunicorn (time, and the worker's peak memory)."""

import http.client
import io
import os
import re
import secrets
import tempfile
import time
import uuid
from pathlib import Path

from PIL import Image

from benchmarks._common import Figure, env_int, heading, interleaved, median, ms, table
from benchmarks._http import gunicorn
from benchmarks._wiki import AUTHOR, PASSWORD, csrf_token, temp_wiki
from wiki.files import images

PHOTO = "Hero.jpg"
PAGE = "Spring Campaign"


def photo(width: int = 1920, height: int = 1280) -> bytes:
    """Return a JPEG photo with detail (gradients and noise compress like real photos)."""
    gradient = Image.linear_gradient("L").resize((width, height))
    noise = Image.effect_noise((width, height), 40)
    image = Image.merge(
        "RGB", (gradient, noise, gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT))
    )
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


def serving(repeat: int) -> tuple[list[Figure], dict]:
    """Time a cached thumbnail against a page view that shows it (in-process, one client)."""
    with temp_wiki() as wiki:
        client = wiki.client()
        data = photo()
        client.post(
            "/upload",
            data={"file": (io.BytesIO(data), PHOTO), "csrf_token": csrf_token(client)},
            content_type="multipart/form-data",
        )
        wiki.save(PAGE, f"# Spring\n\n[[File:{PHOTO}|thumb|300px|Our hero]]\n\nText.\n")
        body = client.get(f"/wiki/{PAGE.replace(' ', '_')}").get_data(as_text=True)
        thumb = re.search(r'src="(/thumb/[^"]+)"', body).group(1)
        original = re.search(r"/thumb/([0-9a-f]{64})/", thumb).group(1)
        made = _timed(lambda: _get(client, thumb))  # the first request makes it
        times = interleaved(
            {
                "page view": lambda: _get(client, f"/wiki/{PAGE.replace(' ', '_')}"),
                "thumbnail (kept)": lambda: _get(client, thumb),
                "original (1920 px)": lambda: _get(client, f"/media/{original}/{PHOTO}"),
            },
            repeat,
        )
    medians = {name: median(values) for name, values in times.items()}
    return [
        Figure(
            "thumbnail / page view", medians["thumbnail (kept)"] / medians["page view"], limit=1.0
        )
    ], {"medians": medians, "first thumbnail": made, "bytes": len(data)}


def _get(client, url: str) -> None:
    response = client.get(url, buffered=True)
    assert response.status_code == 200, (url, response.status_code)
    response.close()


def _timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def thumbnails(repeat: int) -> tuple[list[Figure], dict]:
    """Time making the thumbnails a page offers (320, 640, 1280 px) of a 1920 px JPEG, against
    decoding the photo once at full size."""
    path = Path(tempfile.mkstemp(suffix=".jpg")[1])
    try:
        path.write_bytes(photo())

        def decode() -> None:
            with Image.open(path) as image:
                image.load()

        ops = {"decode 1920 px": decode}
        for width in (320, 640, 1280):
            ops[f"thumbnail {width} px"] = lambda w=width: images.thumbnail(path, w, ".jpg")
        times = interleaved(ops, repeat)
    finally:
        path.unlink(missing_ok=True)
    medians = {name: median(values) for name, values in times.items()}
    base = medians["decode 1920 px"]
    return [
        Figure("thumbnail 320 px / full decode", medians["thumbnail 320 px"] / base, limit=1.0),
        # Made once per size and kept: the cost of the first view of a new size only.
        Figure("thumbnail 1280 px / full decode", medians["thumbnail 1280 px"] / base, limit=6.0),
    ], {"medians": medians}


def big_upload(megabytes: int) -> tuple[list[Figure], dict]:
    """Upload a PDF of `megabytes` MB to gunicorn (one worker); return the time and how much
    the worker's peak memory grew."""
    size = megabytes * 2**20
    with temp_wiki(FILE_MAX_BYTES=size + 2**20) as wiki, tempfile.TemporaryDirectory() as temp:
        source = Path(temp) / "brochure.pdf"
        with source.open("wb") as out:
            out.write(b"%PDF-1.7\n")
            for _ in range(megabytes):
                out.write(secrets.token_bytes(2**20))
        env = {"BENCH_WIKI_FOLDER": str(wiki.folder), "WIKI_FILE_MAX_BYTES": str(size + 2**20)}
        with gunicorn("benchmarks._apps:wiki_app()", 1, env, probe="/login") as server:
            worker = _worker_of(server.process.pid)
            session = _Session(server.port)
            session.log_in()
            before = _peak_kb(worker)
            start = time.perf_counter()
            status = session.upload(source, f"Brochure {uuid.uuid4().hex[:6]}.pdf")
            seconds = time.perf_counter() - start
            after = _peak_kb(worker)
    assert status == 302, status
    grown_mb = (after - before) / 1024
    return [
        Figure(f"{megabytes} MB upload: worker peak memory growth", grown_mb, " MB", limit=32),
        Figure(f"{megabytes} MB upload: MB per second", megabytes / seconds, " MB/s", digits=1),
    ], {"seconds": seconds, "peak before": before / 1024, "peak after": after / 1024}


def _worker_of(master: int) -> int:
    """Return the pid of gunicorn's (only) worker."""
    for _ in range(100):
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("gunicorn has no worker")


def _peak_kb(pid: int) -> int:
    """Return a process's peak resident memory so far (VmHWM), in KB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))


class _Session:
    """A browser-like client on a raw HTTP connection: a cookie, and forms with their token."""

    def __init__(self, port: int) -> None:
        self.port, self.cookie = port, ""

    def _request(self, method: str, path: str, body=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        headers = {"Cookie": self.cookie, **(headers or {})}
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        connection.close()
        return response.status, data.decode(errors="replace")

    def _token(self, path: str) -> str:
        _status, page = self._request("GET", path)
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def log_in(self) -> None:
        token = self._token("/login")
        form = f"username={AUTHOR}&password={PASSWORD.replace(' ', '+')}&csrf_token={token}"
        status, _ = self._request(
            "POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        assert status == 302, status

    def upload(self, path: Path, name: str) -> int:
        """Post the upload form, streaming the file from disk; return the status."""
        token = self._token("/upload")
        boundary = uuid.uuid4().hex
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
            f'{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{name}"\r\nContent-Type: application/pdf\r\n\r\n'
        ).encode()
        tail = f"\r\n--{boundary}--\r\n".encode()

        def body():
            yield head
            with path.open("rb") as source:
                while chunk := source.read(2**20):
                    yield chunk
            yield tail

        length = len(head) + path.stat().st_size + len(tail)
        headers = {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(length),
        }
        status, _ = self._request("POST", "/upload", body(), headers)
        return status


def main() -> list[Figure]:
    """Run the benchmark and return its figures."""
    repeat = env_int("FILES_REPEAT", 40)
    heading("Files: serving a kept thumbnail vs the page view that shows it")
    figures, facts = serving(repeat)
    table(
        ["request", "median"],
        [[name, ms(value)] for name, value in facts["medians"].items()]
        + [["thumbnail, first request (made)", ms(facts["first thumbnail"])]],
    )
    heading("Files: thumbnails of a 1920 × 1280 JPEG")
    more, facts = thumbnails(max(5, repeat // 4))
    figures += more
    table(["operation", "median"], [[name, ms(value)] for name, value in facts["medians"].items()])
    megabytes = env_int("FILES_UPLOAD_MB", 50)
    heading(f"Files: a {megabytes} MB upload to gunicorn (one sync worker)")
    more, facts = big_upload(megabytes)
    figures += more
    print(
        f"{megabytes} MB in {facts['seconds']:.2f} s; worker peak memory "
        f"{facts['peak before']:.0f} MB before, {facts['peak after']:.0f} MB after\n"
    )
    return figures


if __name__ == "__main__":
    os.environ.setdefault("BENCH_FILES_REPEAT", "20")
    main()
