"""Shell commands: flask --app wiki create-admin | load-demo | check."""

import getpass
import sys

import click
from flask import Flask

from .people import service as people


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
        from .demo import load

        created = load(only_if_empty=if_empty)
        click.echo(f"Loaded {created} demo pages." if created else "Demo content not loaded.")

    @app.cli.command("check")
    def check() -> None:
        """Check every page's latest revision, parent chain and content hashes."""
        from .integrity import check_all

        problems = check_all()
        for problem in problems:
            click.echo(problem)
        if problems:
            click.echo(f"{len(problems)} problem(s) found.")
            sys.exit(1)
        click.echo("All pages and revisions are consistent.")
