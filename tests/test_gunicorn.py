"""The production server (gunicorn, with the repository's gunicorn.conf.py)."""

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.helpers import stop_gunicorn

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")


def start_gunicorn(tmp_path, workers: int, **env) -> subprocess.Popen:
    """Start gunicorn as the README says, on a free port, on a throwaway SQLite wiki."""
    environment = (
        os.environ
        | {
            "WIKI_DATABASE_URL": f"sqlite:///{tmp_path / 'wiki.sqlite'}",
            "WIKI_SECRET_KEY": "gunicorn test",
            "WIKI_REDIS_URL": "",
        }
        | env
    )
    return subprocess.Popen(
        [str(GUNICORN), "--workers", str(workers), "--bind", "127.0.0.1:0"],
        cwd=ROOT,
        env=environment,
        stderr=subprocess.PIPE,
        text=True,
    )


def stop(process: subprocess.Popen) -> None:
    """Stop the server, reading the rest of its log so a full pipe cannot hold it.

    A worker still booting when the signal comes may not have its handlers yet and sleep
    through it; the stop then kills the server rather than wait for gunicorn's own timeout.
    """
    process.drain = threading.Thread(target=process.stderr.read, daemon=True)
    process.drain.start()
    stop_gunicorn(process)


def log_until(process: subprocess.Popen, needle: str, seconds: float = 60) -> str:
    """Return what the server logged up to the line holding needle (or all, on timeout)."""
    seen, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        seen.append(line)
        if needle in line or not line:
            break
    return "".join(seen)


@pytest.mark.parametrize(("workers", "warned"), [(2, True), (1, False)])
def test_several_workers_without_redis_warn_at_start_up(tmp_path, workers, warned):
    process = start_gunicorn(tmp_path, workers)
    try:
        log = log_until(process, "Booting worker" if not warned else "WIKI_REDIS_URL")
    finally:
        stop(process)
    assert ("WIKI_REDIS_URL" in log) is warned


def test_a_malformed_chunked_body_is_a_400_not_a_500(tmp_path):
    process = start_gunicorn(tmp_path, 1)
    try:
        log = log_until(process, "Listening at")
        port = int(log.split("Listening at: http://127.0.0.1:")[1].split()[0])
        log_until(process, "Booting worker")
        request = (
            "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\nusername=x\r\n0\r\n\r\n"
        )
        status = ""
        for _attempt in range(50):  # the worker may still be importing the app
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
                    connection.sendall(request.encode())
                    status = connection.makefile("rb").readline().decode()
                break
            except ConnectionRefusedError:
                time.sleep(0.2)
    finally:
        stop(process)
    assert status.split()[1] == "400", status


def test_a_worker_keeps_the_objects_loaded_with_the_app_out_of_garbage_collection(tmp_path):
    process = start_gunicorn(tmp_path, 1)
    try:
        log = log_until(process, "objects loaded with the app")
    finally:
        stop(process)
    frozen = int(log.split("Froze the ")[1].split()[0])
    assert frozen > 10_000  # the app's modules, templates and the like
