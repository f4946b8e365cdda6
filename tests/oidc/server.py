"""Run the test OpenID Connect provider (provider.mjs, the `oidc-provider` package) and walk
through its pages as a browser would.

Test modules use it through `running_provider()`; node_modules is installed with `npm ci`
from the committed package-lock.json the first time it is missing.
"""

import fcntl
import json
import os
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

HERE = Path(__file__).resolve().parent
CLIENT_ID = "bottega"
CLIENT_SECRET = "bottega-test-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def node() -> str:
    """Return the node executable, or skip (fail where the run requires it)."""
    found = shutil.which("node")
    if found and shutil.which("npm"):
        return found
    if os.environ.get("CI") or os.environ.get("WIKI_REQUIRE_NODE") == "1":
        pytest.fail("the sign-in tests need Node.js and npm (.ci/run installs them)")
    pytest.skip("the sign-in tests need Node.js and npm (apt-get install nodejs npm)")


def install() -> None:
    """Install the provider's packages once (two test processes may ask at once)."""
    with open(HERE / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (HERE / "node_modules" / "oidc-provider").is_dir():
            subprocess.run(
                ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=HERE,
                check=True,
                timeout=300,
            )


@dataclass
class OIDCProvider:
    """A running test provider."""

    issuer: str
    process: subprocess.Popen

    def mode(self, name: str) -> None:
        """Make the provider alter the ID tokens it issues ("normal" to stop)."""
        requests.post(f"{self.issuer}/__test__/mode", data={"mode": name}, timeout=5)

    def config(self, name: str = "test", label: str = "Test ID") -> dict:
        """Return the wiki settings that make this provider the sign-in `name`."""
        key = name.upper()
        return {
            f"OIDC_{key}_ISSUER": self.issuer,
            f"OIDC_{key}_CLIENT_ID": CLIENT_ID,
            f"OIDC_{key}_CLIENT_SECRET": CLIENT_SECRET,
            f"OIDC_{key}_LABEL": label,
        }

    def authorize(self, url: str, login: str, decision: str = "allow", browser=None) -> str:
        """Follow an authorization URL through login and consent as a person would; return
        the URL the provider sends the browser back to (the wiki's callback)."""
        browser = browser or requests.Session()
        answer = browser.get(url, allow_redirects=False, timeout=10)
        for _ in range(10):
            if answer.status_code not in (302, 303):
                raise AssertionError(f"the provider answered {answer.status_code}: {answer.text}")
            location = urljoin(answer.url, answer.headers["Location"])
            if not location.startswith(self.issuer):
                return location
            path = urlsplit(location).path
            if path.startswith("/interaction/"):
                page = browser.get(location, timeout=10).text
                uid = path.split("/")[2]
                if 'data-prompt="login"' in page:
                    action, data = (
                        ("abort", {}) if decision == "cancel" else ("login", {"login": login})
                    )
                else:
                    action, data = ("confirm", {}) if decision == "allow" else ("abort", {})
                answer = browser.post(
                    f"{self.issuer}/interaction/{uid}/{action}",
                    data=data,
                    allow_redirects=False,
                    timeout=10,
                )
            else:
                answer = browser.get(location, allow_redirects=False, timeout=10)
        raise AssertionError("the provider kept redirecting")


@contextmanager
def running_provider(redirect_uris: list[str], port: int = 0) -> Iterator[OIDCProvider]:
    """Start the provider (on this port, else a free one) with one client for these
    redirect URIs."""
    executable = node()
    install()
    port = port or free_port()
    issuer = f"http://127.0.0.1:{port}"
    client = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uris": redirect_uris,
        "grant_types": ["authorization_code"],
        "response_types": ["code"],
    }
    env = {
        **os.environ,
        "OIDC_PORT": str(port),
        "OIDC_ISSUER": issuer,
        "OIDC_CLIENTS": json.dumps([client]),
        "NODE_NO_WARNINGS": "1",
    }
    process = subprocess.Popen(
        [executable, "provider.mjs"],
        cwd=HERE,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_until_ready(process)
        yield OIDCProvider(issuer, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()


def _wait_until_ready(process: subprocess.Popen) -> None:
    """Wait for the provider's "ready" line (or its death), at most a minute."""
    line: list[str] = []
    reader = threading.Thread(target=lambda: line.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout=60)
    if not line or not line[0].startswith("ready"):
        process.kill()
        errors = process.stderr.read() if process.poll() is not None else ""
        raise RuntimeError(f"the test OpenID provider did not start: {errors}")
    # Drain the pipes so a chatty provider never blocks on a full pipe.
    for stream in (process.stdout, process.stderr):
        threading.Thread(target=_drain, args=(stream,), daemon=True).start()


def _drain(stream) -> None:
    try:
        while stream.read(4096):
            pass
    except (OSError, ValueError):  # closed when the provider stopped
        pass
