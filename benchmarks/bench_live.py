"""Live co-editing: keystroke-to-screen latency with 2, 10 and 20 people in a room, server
CPU per keystroke, memory per open room, and how many rooms fit in 1 GiB.

The server is a real gunicorn process (one threaded worker, as in production) on a
benchmark wiki; the clients are Python WebSocket clients speaking Yjs with pycrdt
(tests/live_client.py), each a browser's work minus the drawing. Latency is from one
client sending a keystroke to the last client of the room holding it. Baseline: the same
keystroke with 2 people, measured in the same run.
"""

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks._common import Figure, env_int, heading, table
from benchmarks._wiki import AUTHOR, PASSWORD, SECRET_KEY, author, markdown_page, temp_wiki
from tests.live_client import LiveClient
from wiki.core.titles import parse_title
from wiki.extensions import db
from wiki.models import Page
from wiki.pages.service import save_page

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
TICKS = os.sysconf("SC_CLK_TCK")


def start_server(database_url: str) -> tuple[subprocess.Popen, str]:
    """Start one gunicorn worker on the benchmark wiki; return it and its URL."""
    environment = os.environ | {
        "WIKI_DATABASE_URL": database_url,
        "WIKI_SECRET_KEY": SECRET_KEY,
        "WIKI_REDIS_URL": "",
        "WIKI_DEMO": "0",
        "WIKI_RATELIMIT_ENABLED": "0",
        "WIKI_LIVE_MESSAGES_PER_SECOND": "100000",
        "WIKI_LIVE_MESSAGE_BURST": "100000",
        "WIKI_GUNICORN_THREADS": "128",
    }
    process = subprocess.Popen(
        [str(GUNICORN), "--workers", "1", "--bind", "127.0.0.1:0"],
        cwd=ROOT,
        env=environment,
        stderr=subprocess.PIPE,
        text=True,
    )
    port = None
    while True:
        line = process.stderr.readline()
        if "Listening at: http://127.0.0.1:" in line:
            port = int(line.split("Listening at: http://127.0.0.1:")[1].split()[0])
        if "Booting worker" in line or not line:
            break
    return process, f"http://127.0.0.1:{port}"


def worker_pid(master: int) -> int:
    """Return the pid of gunicorn's worker (the master's child)."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                return int(entry.name)
    raise RuntimeError("no gunicorn worker")


def cpu_seconds(pid: int) -> float:
    """Return the user + system CPU time a process used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_bytes(pid: int) -> int:
    """Return a process's resident memory."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def cookie_of(app) -> str:
    """Log the benchmark author in; return the session cookie."""
    client = app.test_client()
    app.config["WTF_CSRF_ENABLED"] = False
    client.post("/login", data={"username": AUTHOR, "password": PASSWORD})
    app.config["WTF_CSRF_ENABLED"] = True
    return client.get_cookie("session").value


def connect(url: str, page_id: int, cookie: str) -> LiveClient:
    """Connect a client once the worker answers, and wait for the room's text."""
    for _attempt in range(100):
        try:
            client = LiveClient(url, page_id, cookie)
            client.synced.wait(30)
            return client
        except (ConnectionError, OSError):
            time.sleep(0.2)
    raise RuntimeError("the server does not answer")


def latencies(clients: list[LiveClient], keystrokes: int) -> list[float]:
    """Type keystrokes on the first client; return the seconds until the last one has each."""
    sender, receiver = clients[0], clients[-1]
    found = []
    for n in range(keystrokes):
        mark = f"<{n}>"
        start = time.perf_counter()
        sender.insert(0, mark)
        receiver.wait(lambda mark=mark: receiver.value().startswith(mark), timeout=30)
        found.append(time.perf_counter() - start)
    return found


def p95(values: list[float]) -> float:
    """Return the 95th percentile."""
    return statistics.quantiles(values, n=20)[18]


def main() -> list[Figure]:
    keystrokes = env_int("LIVE_KEYSTROKES", 200)
    room_count = env_int("LIVE_ROOMS", 60)
    heading("Live co-editing: keystroke to screen, CPU per keystroke, memory per room")
    with temp_wiki("bottega-bench-live-") as wiki:
        with wiki.app.app_context():
            writer = author()
            ids = []
            for n in range(room_count + 1):
                title = parse_title(f"Live bench {n}")
                save_page(
                    title, markdown_page(5_000, seed=n), author=writer, base_revision_id=None
                )
                ids.append(db.session.scalar(db.select(Page.id).where(Page.key == title.key)))
            cookie = cookie_of(wiki.app)
            database_url = wiki.app.config["SQLALCHEMY_DATABASE_URI"]
        process, url = start_server(database_url)
        try:
            pid = worker_pid(process.pid)
            rows, medians, figures = [], {}, []
            for size in (2, 10, 20):
                clients = [connect(url, ids[0], cookie) for _ in range(size)]
                latencies(clients, 10)  # warm up
                cpu = cpu_seconds(pid)
                found = latencies(clients, keystrokes)
                cpu = (cpu_seconds(pid) - cpu) / keystrokes
                medians[size] = statistics.median(found)
                rows.append(
                    [
                        size,
                        f"{medians[size] * 1000:.2f} ms",
                        f"{p95(found) * 1000:.2f} ms",
                        f"{cpu * 1000:.2f} ms",
                    ]
                )
                for client in clients:
                    client.close()
                time.sleep(0.5)
            table(
                ["people in room", "median latency", "p95 latency", "server CPU/keystroke"], rows
            )
            before = rss_bytes(pid)
            opened = [connect(url, page_id, cookie) for page_id in ids[1:]]
            time.sleep(1)
            per_room = max(rss_bytes(pid) - before, 1) / room_count
            rooms_in_gib = int(2**30 / per_room)
            print(
                f"memory per open room (5 KB page, one person): {per_room / 1024:.0f} KiB "
                f"(worker RSS growth over {room_count} rooms, socket and thread included)"
            )
            print(f"rooms one process holds within 1 GiB: ~{rooms_in_gib:,}")
            for client in opened:
                client.close()
            figures.append(
                Figure(
                    "latency 20 people / 2 people (median)", medians[20] / medians[2], limit=10.0
                )
            )
            figures.append(Figure("memory per open room", per_room / 1024, unit=" KiB", digits=0))
            figures.append(Figure("rooms within 1 GiB", rooms_in_gib, unit="", digits=0))
            return figures
        finally:
            process.terminate()
            process.wait(timeout=30)
            process.stderr.close()
