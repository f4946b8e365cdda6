"""The README's account of pending changes matches what the review screen offers."""

import re
from pathlib import Path

from tests.helpers import save, text

README = Path(__file__).resolve().parent.parent / "README.md"


def pending_changes_section() -> str:
    """Return the README's section on pending changes."""
    readme = README.read_text(encoding="utf-8")
    return readme.split("## Pending changes")[1].split("\n## ")[0]


def test_the_readme_describes_scheduled_publication_as_the_review_screen_offers_it(
    app, people, login_as
):
    app.config["REVIEW_POLICY"] = "newcomers"
    save("Launch", "The new widget.", people["newbie"])
    screen = text(login_as(people["moderator"]).get("/review/Launch"))
    section = pending_changes_section()
    assert not re.search(r"not yet[^.]*schedul", section, re.IGNORECASE)
    for control in ("Publish at", "Schedule publication"):
        assert control in screen  # the screen has it ...
        assert control in section  # ... and the README says how to use it
    commands = re.findall(r"flask --app wiki ([a-z-]+)", section)
    assert commands and all(name in app.cli.commands for name in commands)
