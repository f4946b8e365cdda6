"""axe-core, the accessibility engine, run inside a Playwright tab.

Its npm package installs from the committed package-lock.json on first use (.ci/run
installs it beforehand). Without npm the checks skip, or fail where the run requires Node.js.
"""

import fcntl
import os
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "node_modules" / "axe-core" / "axe.min.js"


@cache
def axe_source() -> str:
    """Return axe-core's browser script, installing the package once if it is missing."""
    if not SCRIPT.exists():
        if not shutil.which("npm"):
            if os.environ.get("CI") or os.environ.get("WIKI_REQUIRE_NODE") == "1":
                pytest.fail("the accessibility checks need npm (.ci/run installs it)")
            pytest.skip("the accessibility checks need npm (apt-get install npm)")
        with open(HERE / ".install.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not SCRIPT.exists():
                subprocess.run(
                    ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                    cwd=HERE,
                    check=True,
                    timeout=300,
                )
    return SCRIPT.read_text(encoding="utf-8")


def axe_violations(tab, rules: list[str] | None = None) -> list[dict]:
    """Run axe-core on the tab's page; return its violations as (rule id, the elements' HTML)."""
    # Evaluated through the DevTools protocol, so the page's Content-Security-Policy (which
    # allows no script but the wiki's own) does not stop it and nothing about the page changes.
    tab.evaluate(axe_source())
    options = {"runOnly": {"type": "rule", "values": rules}} if rules else {}
    result = tab.evaluate("options => axe.run(document, options)", options)
    return [
        {"rule": found["id"], "nodes": [node["html"] for node in found["nodes"]]}
        for found in result["violations"]
    ]
