"""Signing in with an OpenID Connect provider vs logging in with a password.

The provider is the real one the tests use (tests/oidc: the `oidc-provider` package on
127.0.0.1). A round trip is what a returning person's browser does: the wiki's redirect,
the provider's login and consent pages, the callback (code exchange, ID token verified
against the provider's keys), the new session. The wiki's own part of it (the redirect and
the callback) is reported apart. A password log-in posts the form with a real password hash
(werkzeug's default, scrypt). Every wiki request goes through Flask's test client.
"""

import shutil
import time

import requests
from werkzeug.security import generate_password_hash

from benchmarks._common import Figure, env_int, heading, interleaved, median, ms, table
from benchmarks._wiki import csrf_token, temp_wiki
from tests.oidc.server import CLIENT_ID, CLIENT_SECRET, free_port, running_provider
from wiki.extensions import db
from wiki.identity import user_key
from wiki.models import Role, User

CALLBACK = "http://localhost/login/bench/callback"
PASSWORD = "a realistic pass phrase"


def main() -> list[Figure]:
    """Run the benchmark and return its figures."""
    if not shutil.which("node"):
        print("bench_signin needs Node.js for the provider: skipped")
        return []
    repeat = env_int("SIGNIN_REPEAT", 15)
    heading("Sign-in: a provider round trip vs a password log-in")
    port = free_port()
    settings = {
        "OIDC_BENCH_ISSUER": f"http://127.0.0.1:{port}",
        "OIDC_BENCH_CLIENT_ID": CLIENT_ID,
        "OIDC_BENCH_CLIENT_SECRET": CLIENT_SECRET,
    }
    with temp_wiki(**settings) as wiki, running_provider([CALLBACK], port=port) as provider:
        app = wiki.app
        with app.app_context():
            db.session.add(
                User(
                    username="passworder",
                    key=user_key("passworder"),
                    password_hash=generate_password_hash(PASSWORD),
                    role=Role.EDITOR,
                )
            )
            db.session.commit()
        wiki_side: list[float] = []

        def provider_round_trip(first: bool = False):
            client = app.test_client()
            start = time.perf_counter()
            begun = client.get("/login/bench")
            middle = time.perf_counter()
            back = provider.authorize(
                begun.headers["Location"], "returning", browser=requests.Session()
            )
            resumed = time.perf_counter()
            answer = client.get(back.removeprefix("http://localhost"))
            wiki_side.append(middle - start + time.perf_counter() - resumed)
            if first:
                assert answer.headers["Location"] == "/login/bench/new", answer.status_code
                created = client.post(
                    "/login/bench/new",
                    data={"username": "returning", "csrf_token": csrf_token(client)},
                )
                assert created.status_code == 302
            else:
                assert answer.status_code == 302 and answer.headers["Location"] == "/"

        def password_login():
            client = app.test_client()
            assert client.get("/login").status_code == 200
            data = {
                "username": "passworder",
                "password": PASSWORD,
                "csrf_token": csrf_token(client),
            }
            assert client.post("/login", data=data).status_code == 302

        with app.app_context():
            provider_round_trip(first=True)  # makes the account, warms discovery and keys
            password_login()
            wiki_side.clear()
            times = interleaved(
                {"provider round trip": provider_round_trip, "password log-in": password_login},
                repeat,
            )
    trip, password = median(times["provider round trip"]), median(times["password log-in"])
    ours = median(wiki_side)
    table(
        ["operation", "median", "vs password log-in"],
        [
            ["password log-in (form + scrypt check)", ms(password), "1.00×"],
            ["provider round trip (whole journey)", ms(trip), f"{trip / password:.2f}×"],
            ["  of which the wiki's redirect + callback", ms(ours), f"{ours / password:.2f}×"],
        ],
    )
    return [
        Figure("provider round trip / password log-in", trip / password),
        Figure("wiki's part of it / password log-in", ours / password),
    ]
