"""Live editing across two real gunicorn processes sharing one database and one Redis."""

import time

import pytest

from tests.helpers import redis_or_skip, start_gunicorn, stop_gunicorn
from tests.live_client import LiveClient


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
    servers = [start_gunicorn(app), start_gunicorn(app)]
    yield servers
    for process, _url in servers:
        stop_gunicorn(process)


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
