"""Pages more than one sign-in view shows (a view module may not import another's)."""

from urllib.parse import quote

from flask import render_template, url_for
from flask_babel import gettext as _

from ..site import current_site


def recovery_codes_page(user, codes: list[str], next_url: str) -> str:
    """Return the page showing new recovery codes once, with them as a file to download."""
    heading = _(
        "Recovery codes for %(name)s on %(site)s (%(address)s). Each works once, in place of a "
        "code from your authenticator app.",
        name=user.username,
        site=current_site().name,
        address=url_for("pages.home", _external=True),
    )
    text = "\n".join([heading, "", *codes, ""])
    name = "-".join(current_site().name.lower().split()) or "wiki"
    return render_template(
        "signin/recovery_codes.html",
        codes=codes,
        next=next_url,
        download=f"{name}-recovery-codes.txt",
        file_url="data:text/plain;charset=utf-8," + quote(text),
    )
