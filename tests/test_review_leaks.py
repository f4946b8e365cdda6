"""Nothing waiting for review reaches readers who may not see it, through any door.

A newcomer's waiting edit adds a unique word (to the text, the summary, a link and a
category) and creates a page holding it; then every GET route of the URL map is walked as
a visitor without an account, with every kind of argument, and the word is on none of them.
"""

import itertools

import pytest

from tests.helpers import finish_jobs, page_named, save, start_topic, text
from wiki.core.text import text_sha1
from wiki.extensions import db
from wiki.models import Revision
from wiki.review import publishing

WORD = "Zanzibarquux"


@pytest.fixture
def waiting_world(app, make_page, people):
    """A published wiki, then a newcomer's waiting edit and page holding WORD."""
    make_page("Product", "Our product is fast.\n\n[[Other]]\n\n[[Category:Products]]")
    make_page("Other", "See [[Product]].")
    comment = start_topic("Product", "Questions", "Is it fast?", people["pagebot"])
    app.config["REVIEW_POLICY"] = "newcomers"
    app.config["EDIT_POLICY"] = "everyone"
    waiting = save(
        "Product",
        f"Our product is fast. {WORD} inside.\n\n[[Other]] [[{WORD} page]]\n\n"
        f"[[Category:Products]] [[Category:{WORD}]]",
        people["newbie"],
        summary=f"Added {WORD}",
    )
    created = save("Secret launch", f"The {WORD} launch.", people["newbie"], summary=WORD)
    return {"comment": comment, "waiting": waiting, "created": created}


def _values(world) -> dict[str, list]:
    """Return the values to try for each kind of URL argument."""
    revisions = list(db.session.scalars(db.select(Revision.id)))
    return {
        "title": ["Product", "Secret_launch", "Other"],
        "page_id": [page_named("Product").id, page_named("Secret launch").id],
        "name": ["newbie", "pagebot", "Products"],
        "revision_id": revisions,
        "comment_id": [world["comment"].id],
        "topic_id": [world["comment"].topic_id],
        "hook_id": [1],
        "part": [1],
        "sha256": ["0" * 64],
        "token": ["x"],
        "width": [100],
        "ext": ["png"],
        "letter": ["P"],
    }


def _urls(app, values) -> list[str]:
    """Return every GET URL of the URL map with each combination of argument values."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        names = sorted(rule.arguments)
        for combo in itertools.product(*(values[name] for name in names)):
            with app.test_request_context():
                urls.append(app.url_for(rule.endpoint, **dict(zip(names, combo, strict=True))))
    return urls


def _queries(values) -> list[str]:
    """Return URLs with the query strings that reach more of each door."""
    revisions = values["revision_id"]
    pairs = [f"from={a}&to={b}" for a in revisions for b in revisions if a < b]
    extra = [
        # Words of the waiting texts besides WORD: a hit's title or snippet would show it.
        "/search?q=inside",
        "/search?q=launch",
        "/search?q=fast",
        "/search?q=inside&talk=1",
        "/search/suggest?q=Secret",
        f"/search/suggest?q={WORD[:5]}",
        "/api/v1/search?q=inside",
        "/api/v1/search?q=launch",
        "/recent?days=30",
        "/recent?show=edits&days=30",
        "/recent.atom?days=30",
        "/api/v1/recent?days=30",
        "/wiki/Product?stable=0",
        "/wiki/Secret_launch?stable=0",
        "/special/wanted",
        "/category/Products",
        "/edit/Secret_launch?template=Secret_launch",
        "/translate/Product?to=it&new_title=Prodotto",
        "/translations?lang=it",
    ]
    extra += [f"/diff/Product?{pair}" for pair in pairs]
    extra += [f"/api/v1/pages/Product/diff?{pair}" for pair in pairs]
    extra += [f"/undo/Product?rev={rev}" for rev in revisions]
    return extra


def test_no_door_shows_a_waiting_change_to_a_visitor(app, waiting_world, people, client, login_as):
    member = login_as(people["carol"])
    for url in ("/wiki/Product", "/history/Product", "/recent", "/wiki/Secret_launch"):
        assert WORD in text(member.get(url)), url  # logged-in people see waiting changes
    assert_no_door_shows_the_word(app, waiting_world, client)
    # The walk reaches the word's doors: once accepted, visitors see it.
    publishing.accept(people["moderator"], page_named("Product"), latest_product_id())
    assert WORD in text(client.get("/wiki/Product"))
    finish_jobs(app)  # the search index follows a publication just after it (wiki.followups)
    assert WORD in text(client.get("/search?q=inside"))


def assert_no_door_shows_the_word(app, world, client) -> None:
    """Walk every GET route with every kind of argument as this client: no WORD anywhere."""
    values = _values(world)
    urls = _urls(app, values) + _queries(values)
    leaks = []
    for url in urls:
        with client.get(url) as response:
            body = response.get_data().decode("utf-8", "replace")
        if WORD.lower() in body.lower():
            leaks.append(url)
    assert leaks == [], f"{len(leaks)} of {len(urls)} URLs show the waiting word: {leaks}"


def test_where_only_reviewers_see_waiting_changes_no_door_shows_one_to_a_member(
    app, waiting_world, people, login_as
):
    app.config["REVIEW_WAITING_SHOWN"] = "reviewers"
    assert_no_door_shows_the_word(app, waiting_world, login_as(people["carol"]))
    # The walk reaches the word's doors: the author and reviewers see it.
    assert WORD in text(login_as(people["newbie"]).get("/wiki/Secret_launch"))
    assert WORD in text(login_as(people["moderator"]).get("/history/Product"))


def latest_product_id() -> int:
    db.session.rollback()
    return page_named("Product").latest_revision_id


def test_the_url_map_is_walked_whole(app, waiting_world):
    """Every argument name in the URL map has values, so no door is skipped."""
    values = _values(waiting_world)
    rules = [rule for rule in app.url_map.iter_rules() if "GET" in rule.methods]
    names = {name for rule in rules if rule.endpoint != "static" for name in rule.arguments}
    assert names <= set(values), names - set(values)


def test_a_visitors_conflicting_edit_does_not_show_the_waiting_text(app, waiting_world, client):
    from tests.helpers import form_value

    editor = text(client.get("/edit/Product"))
    assert WORD not in editor
    base = form_value(editor, "base_revision")
    response = client.post(
        "/edit/Product",
        data={
            "text": "Our product is fast. Slow inside.\n\n[[Other]]\n\n[[Category:Products]]",
            "base_revision": base,
            "summary": "",
        },
    )
    assert response.status_code == 409
    page = text(response)
    assert WORD not in page and "Slow inside." in page  # the visitor's text is kept


def test_a_page_nobody_published_is_missing_for_visitors_everywhere(app, waiting_world, client):
    for url in ("/wiki/Secret_launch", "/talk/Secret_launch", "/info/Secret_launch",
                "/history/Secret_launch", "/api/v1/pages/Secret_launch"):  # fmt: skip
        assert client.get(url).status_code == 404, url
    assert "Secret launch" not in text(client.get("/special/all"))
    assert "Secret launch" not in text(client.get("/search/suggest?q=Secret"))


@pytest.mark.parametrize(
    "fields",
    [
        {"action": "resolve"},
        {"action": "resolve", "offered_sha1": "0" * 40},
        {"action": "save", "offered_sha1": text_sha1("x")},  # Save, the text left as offered
    ],
)
def test_applying_conflict_choices_shows_no_waiting_words(waiting_world, client, fields):
    """The conflict screen's Apply and Save redo a merge with the revision the form names:
    a visitor naming a waiting revision must not get its words back."""
    waiting = waiting_world["waiting"].revision.id
    form = {"text": "x", "base_revision": str(waiting), "mine": "x", "merge_base": "", **fields}
    response = client.post("/edit/Product", data=form)
    assert response.status_code in (400, 409)
    assert WORD not in response.get_data(as_text=True)


def test_page_information_credits_only_what_a_visitor_reads(
    waiting_world, client, login_as, people
):
    visitor = client.get("/info/Product").get_data(as_text=True)
    assert 'href="/user/newbie"' not in visitor
    assert "1 revision" in visitor and "1 person" in visitor
    assert "1 contributor" in client.get("/wiki/Product").get_data(as_text=True)
    editor = login_as(people["alice"]).get("/info/Product").get_data(as_text=True)
    assert 'href="/user/newbie"' in editor and "2 revisions" in editor and "2 people" in editor


def test_a_profile_counts_only_the_edits_a_visitor_may_read(
    waiting_world, client, login_as, people
):
    visitor = text(client.get("/user/newbie"))
    assert "0 edits" in visitor and "0 pages created" in visitor
    assert "0 edits in the last 52 weeks" in visitor  # the chart's description
    member = text(login_as(people["alice"]).get("/user/newbie"))
    assert "2 edits" in member and "1 page created" in member
    own = text(login_as(people["newbie"]).get("/user/newbie"))
    assert "2 edits" in own
