"""MediaWiki's addresses of special pages and talk pages, for people (and pages) used to
them: /wiki/Special:RecentChanges, [[Special:Random]], /wiki/Talk:Plan."""

from flask import url_for

from ..core.titles import special_target

#: A special page's name (lower case, no spaces) → the endpoint that shows it here.
SPECIAL_PAGES = {
    "recentchanges": "community.recent",
    "allpages": "organise.all_pages",
    "wantedpages": "organise.wanted",
    "lonelypages": "organise.orphaned",
    "orphanedpages": "organise.orphaned",
    "random": "organise.random_page",
    "randompage": "organise.random_page",
    "search": "search.search",
    "upload": "files.upload",
    "listfiles": "files.gallery",
    "newfiles": "files.gallery",
    "watchlist": "community.watchlist",
    "preferences": "preferences.preferences",
    "log": "safety.log",
    "userlogin": "people.login",
    "createaccount": "people.register",
    "whatlinkshere": "organise.links",
    "contributions": "community.profile",
}
#: Special pages that name a page or a person after a slash ("WhatLinksHere/Plan").
_WITH_SUBJECT = {"whatlinkshere": "title", "contributions": "name"}


def special_url(display: str, args: dict[str, str]) -> str | None:
    """Return where a title such as "Special:RecentChanges" or "Talk:Plan" is shown here,
    or None if it names no special or talk page (a special page this wiki lacks, too)."""
    found = special_target(display)
    if found is None:
        return None
    kind, rest = found
    if kind == "talk":
        return url_for("talk.topics", title=rest.replace(" ", "_"))
    name, _, subject = rest.partition("/")
    key = "".join(name.split()).lower()
    endpoint = SPECIAL_PAGES.get(key)
    if endpoint is None:
        return None
    if key in _WITH_SUBJECT:
        if not subject.strip():
            return None
        value = subject.strip().replace(" ", "_")
        return url_for(endpoint, **{_WITH_SUBJECT[key]: value})
    if key == "search" and args.get("search"):
        return url_for(endpoint, q=args["search"])
    return url_for(endpoint)
