"""Live editing across two real gunicorn processes sharing one database and one Redis."""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.helpers import REDIS_URL, redis_or_skip
from tests.live_client import LiveClient

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")


def start_server(app) -> tuple[subprocess.Popen, str]:
    """Start gunicorn as the README says, on the test's database; return it and its URL."""
    environment = os.environ | {
        "WIKI_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "WIKI_SECRET_KEY": app.config["SECRET_KEY"],
        "WIKI_REDIS_URL": REDIS_URL,
        "WIKI_DEMO": "0",
        "WIKI_RATELIMIT_ENABLED": "0",
    }
    process = subprocess.Popen(
        [str(GUNICORN), "--workers", "1", "--bind", "127.0.0.1:0"],
        cwd=ROOT,
        env=environment,
        stderr=subprocess.PIPE,
        text=True,
    )
    port, deadline = None, time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if "Listening at: http://127.0.0.1:" in line:
            port = int(line.split("Listening at: http://127.0.0.1:")[1].split()[0])
        if "Booting worker" in line or not line:
            break
    assert port, "gunicorn did not start"
    # Keep reading its log, so a full pipe can never stall the server.
    process.drain = threading.Thread(target=process.stderr.read, daemon=True)
    process.drain.start()
    return process, f"http://127.0.0.1:{port}"


def connect(url: str, page_id: int, cookie: str, seconds: float = 30) -> LiveClient:
    """Connect once the worker has loaded the app (it may still be importing it)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            client = LiveClient(url, page_id, cookie)
            assert client.synced.wait(10)
            return client
        except (ConnectionError, OSError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


@pytest.fixture
def two_servers(app):
    """Start two gunicorn processes serving the test's wiki; yield their URLs and processes."""
    redis_or_skip()
    servers = [start_server(app), start_server(app)]
    yield servers
    for process, _url in servers:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    """Stop a server: gracefully, or killed if open connections keep it waiting."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
    process.drain.join(timeout=10)
    process.stderr.close()


def test_clients_of_two_processes_see_each_other_and_survive_one_being_killed(
    request, two_servers, make_page, login_as, people
):
    page = make_page("Launch", "Hello")
    (first, first_url), (_second, second_url) = two_servers
    alice = connect(first_url, page.id, login_as(people["alice"]).get_cookie("session").value)
    request.addfinalizer(alice.close)
    bob_cookie = login_as(people["bob"]).get_cookie("session").value
    bob = connect(second_url, page.id, bob_cookie)
    request.addfinalizer(bob.close)
    alice.insert(5, " from Alice")
    bob.insert(0, "Bob: ")
    both = "Bob: Hello from Alice"
    assert alice.wait(lambda: alice.value() == both)
    assert bob.wait(lambda: bob.value() == both)

    first.kill()  # alice's server dies mid-session; what bob saw is kept
    first.wait(timeout=30)
    bob.insert(len(both), ".")
    carol = connect(second_url, page.id, login_as(people["carol"]).get_cookie("session").value)
    request.addfinalizer(carol.close)
    assert carol.wait(lambda: carol.value() == both + ".")
