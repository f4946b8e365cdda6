"""Shell commands: flask --app wiki create-admin | load-demo | check | reindex."""

import getpass
import sys

import click
from flask import Flask

from .anchors import authorship
from .demo import load as load_demo_pages
from .files.integrity import check_files
from .integrity import check_all
from .organise import facts
from .pages import content
from .people import service as people
from .search import index


def register(app: Flask) -> None:
    """Add the wiki's commands to the flask command line."""

    @app.cli.command("create-admin")
    @click.argument("username")
    @click.option("--password", help="Read from the terminal if not given.")
    def create_admin(username: str, password: str | None) -> None:
        """Create an administrator account (or promote an existing one)."""
        if password is None and people.find_user(username) is None:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Repeat the password: "):
                raise click.ClickException("The two passwords do not match.")
        try:
            user = people.create_admin(username, password or "")
        except people.AccountError as error:
            raise click.ClickException(error.message % error.params) from error
        click.echo(f"{user.username} is an administrator.")

    @app.cli.command("load-demo")
    @click.option("--if-empty", is_flag=True, help="Only when the wiki has no pages yet.")
    def load_demo(if_empty: bool) -> None:
        """Load the demo pages and their history."""
        created = load_demo_pages(only_if_empty=if_empty)
        click.echo(f"Loaded {created} demo pages." if created else "Demo content not loaded.")

    @app.cli.command("check")
    def check() -> None:
        """Check every page's latest revision, parent chain and content hashes, and every
        stored file's bytes against its hash."""
        problems = check_all() + check_files()
        for problem in problems:
            click.echo(problem)
        if problems:
            click.echo(f"{len(problems)} problem(s) found.")
            sys.exit(1)
        click.echo("All pages, revisions and files are consistent.")

    @app.cli.command("compact-texts")
    def compact_texts() -> None:
        """Store old revisions' texts and word authorship as deltas (after upgrading from a
        wiki before 0009, or before 0019 for authorship)."""
        changed, saved = content.compact_texts(click.echo)
        click.echo(f"{changed} texts stored as deltas, {saved:,} bytes saved.")
        changed, saved = authorship.compact_forms(click.echo)
        click.echo(f"{changed} authorship records stored as deltas, {saved:,} bytes saved.")
        click.echo("Run check.")

    @app.cli.command("reindex")
    def reindex() -> None:
        """Rebuild the search index, redirects and categories from every page's text."""
        facts.rebuild(click.echo)
        pages, comments = index.rebuild(click.echo)
        click.echo(f"Search index rebuilt: {pages} pages, {comments} talk comments.")
