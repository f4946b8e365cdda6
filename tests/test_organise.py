"""Links and backlinks, wanted and orphaned pages, all pages, categories, templates."""

import json
import re

from tests.helpers import count_queries, text
from wiki.core.titles import parse_title
from wiki.extensions import db
from wiki.models import Role
from wiki.organise import deletion, service
from wiki.organise.models import CategoryMember


def names(pages) -> list[str]:
    return [page.title for page in pages]


def test_what_links_here_lists_links_and_redirects(client, make_page):
    make_page("Target", "the page")
    make_page("Linker B", "see [[Target]]")
    make_page("Linker A", "see [[target|the target]]")
    make_page("Old name", "#REDIRECT [[Target]]")
    make_page("Via redirect", "see [[Old name]]")
    make_page("Unrelated", "see [[Elsewhere]]")
    found = service.backlinks("target", None)
    assert names(found.direct.items) == ["Linker A", "Linker B"]
    assert [(r.title, names(via)) for r, via in found.redirects] == [
        ("Old name", ["Via redirect"])
    ]
    html = text(client.get("/links/Target"))
    assert "Linker A" in html and "Via redirect" in html
    assert "/wiki/Old_name?redirect=no" in html


def test_what_links_here_is_paginated_by_key(make_page):
    make_page("Target", "x")
    for n in range(5):
        make_page(f"Linker {n}", "[[Target]]")
    first = service.backlinks("target", None, limit=3)
    assert names(first.direct.items) == ["Linker 0", "Linker 1", "Linker 2"]
    second = service.backlinks("target", service.from_key(first.direct.next_from), limit=3)
    assert names(second.direct.items) == ["Linker 3", "Linker 4"]
    assert second.direct.next_from is None


def test_what_links_here_also_for_missing_pages(client, make_page):
    make_page("Hub", "[[Not yet written]]")
    response = client.get("/links/Not_yet_written")
    assert response.status_code == 200 and "Hub" in text(response)


def test_wanted_pages_are_missing_pages_most_linked_first(client, make_page):
    make_page("A", "[[Press Kit]] [[FAQ]] [[Existing]]")
    make_page("B", "[[press kit]] [[Roadmap]]")
    make_page("C", "[[Press kit]]")
    make_page("Existing", "here")
    found, more = service.wanted()
    assert [(w.key, w.count) for w in found] == [("press kit", 3), ("faq", 1), ("roadmap", 1)]
    assert not more
    html = text(client.get("/special/wanted"))
    assert "3 links" in html and "Roadmap" in html and "Existing" not in html


def test_a_page_or_file_waiting_for_review_is_not_wanted(app, client, make_page, people):
    from tests.helpers import save

    make_page("Hub", "[[Launch plan]] [[File:Poster.png]] [[Missing]]")
    app.config["REVIEW_POLICY"] = "newcomers"
    save("Launch plan", "Written, waiting for review.", people["newbie"])
    save("File:Poster.png", "A poster, waiting for review.", people["newbie"])
    assert [w.key for w in service.wanted()[0]] == ["missing"]
    html = text(client.get("/special/wanted"))
    assert "Missing" in html and "Launch plan" not in html and "Poster" not in html


def test_links_from_and_to_deleted_pages(make_page, make_user):
    make_page("Spam", "[[Wanted by spam]] [[Real]]")
    make_page("Real", "content")
    make_page("Fan", "[[Real]]")
    moderator = make_user("mod", role=Role.MODERATOR)
    deletion.delete_page(parse_title("Spam"), user=moderator, reason="spam")
    assert [w.key for w in service.wanted()[0]] == []
    assert names(service.backlinks("real", None).direct.items) == ["Fan"]
    deletion.delete_page(parse_title("Real"), user=moderator, reason="gone")
    assert [w.key for w in service.wanted()[0]] == ["real"]


def test_orphaned_pages_have_no_links_from_other_pages(client, make_page):
    make_page("Home", "[[Linked]]")
    make_page("Linked", "[[Linked]]")
    make_page("Lonely", "[[Lonely]] links only to itself")
    make_page("Moved", "x")
    make_page("Old", "#REDIRECT [[Moved]]")
    make_page("Category:Things", "a category")
    make_page("Template:Brief", "a template")
    assert names(service.orphaned(None).items) == ["Lonely"]
    assert "Lonely" in text(client.get("/special/orphaned"))


def test_all_pages_alphabetical_with_subpages_grouped(client, make_page):
    for title in ("Campaigns 2025", "Campaigns/Spring", "Campaigns", "About", "Press/Kit/Logos"):
        make_page(title, "x")
    tree = service.all_pages(None).items
    outline = [(node.label, [c.label for c in node.children]) for node in tree]
    assert outline == [
        ("About", []),
        ("Campaigns", ["Spring"]),
        ("Campaigns 2025", []),
        ("Press", ["Kit"]),
    ]
    press = tree[3]
    assert press.page is None and press.children[0].children[0].page.title == "Press/Kit/Logos"
    html = text(client.get("/special/all"))
    assert html.index("About") < html.index("Campaigns 2025")


def test_all_pages_paginate_by_key_in_few_queries(make_page):
    for n in range(7):
        make_page(f"Page {n}", "x")
    with count_queries() as seen:
        first = service.all_pages(None, limit=4)
    assert len([s for s in seen if s.lstrip().upper().startswith("SELECT")]) == 1
    assert [node.label for node in first.items] == ["Page 0", "Page 1", "Page 2", "Page 3"]
    second = service.all_pages(service.from_key(first.next_from), limit=4)
    assert [node.label for node in second.items] == ["Page 4", "Page 5", "Page 6"]


def test_all_pages_leave_out_deleted_pages(client, make_page, make_user):
    make_page("Kept", "x")
    make_page("Removed", "x")
    deletion.delete_page(
        parse_title("Removed"), user=make_user("mod", role=Role.MODERATOR), reason="x"
    )
    html = text(client.get("/special/all"))
    assert "Kept" in html and "Removed" not in html


def test_categories_come_from_the_text(make_page):
    page = make_page("Spring", "Plan. [[Category:Campaigns]] [[category: Launches ]]")
    rows = db.session.scalars(db.select(CategoryMember).order_by(CategoryMember.category_key))
    assert [(r.category_key, r.category_title) for r in rows] == [
        ("category:campaigns", "Campaigns"),
        ("category:launches", "Launches"),
    ]
    make_page("Spring", "Plan. [[Category:Campaigns]]")
    assert [c.name for c in service.page_categories(page)] == ["Campaigns"]


def test_category_page_lists_members_alphabetically_with_its_description(client, make_page):
    make_page("Zeta plan", "[[Category:Campaigns]]")
    make_page("Alpha plan", "[[Category:Campaigns]]")
    make_page("Other", "[[Category:Other things]]")
    make_page("Category:Campaigns", "All our **campaigns**.")
    html = text(client.get("/wiki/Category:Campaigns"))
    assert "<strong>campaigns</strong>" in html
    assert html.index("Alpha plan") < html.index("Zeta plan")
    assert "Other" not in html.split("Pages in this category")[1].split("</section>")[0]


def test_category_without_a_page_still_lists_members(client, make_page):
    make_page("Spring", "[[Category:Launches]]")
    response = client.get("/wiki/Category:Launches")
    assert response.status_code == 404
    assert "Spring" in text(response) and "Pages in this category" in text(response)
    assert client.get("/category/Launches").headers["Location"].endswith("/wiki/Category:Launches")


def test_category_members_are_paginated(client, make_page):
    for n in range(5):
        make_page(f"Member {n}", "[[Category:Big]]")
    first = service.category_members("category:big", None, limit=2)
    assert names(first.items) == ["Member 0", "Member 1"]
    rest = service.category_members("category:big", service.from_key(first.next_from), limit=2)
    assert names(rest.items) == ["Member 2", "Member 3"]


def test_a_page_shows_its_categories_at_the_bottom(client, make_page):
    make_page("Category:Campaigns", "desc")
    make_page("Spring", "Text.\n\n[[Category:Campaigns]] [[Category:Missing one]]")
    html = text(client.get("/wiki/Spring"))
    footer = html.split('class="page-categories"')[1]
    assert 'href="/wiki/Category:Campaigns">Campaigns</a>' in footer
    assert re.search(r'href="/wiki/Category:Missing_one" class="new"', footer)


def test_templates_are_offered_for_new_pages_and_prefill_the_editor(
    client, make_page, make_user, auth
):
    make_page("Template:Campaign brief", "## Goal\n\n## Audience\n\n[[Category:Campaigns]]")
    make_page("Spring", "x")
    assert db.session.scalar(db.select(CategoryMember)) is None  # templates are in none
    make_user("alice")
    auth.login("alice")
    missing = text(client.get("/wiki/Autumn_launch"))
    assert "/edit/Autumn_launch?template=Template:Campaign+brief" in missing
    editor = text(client.get("/edit/Autumn_launch?template=Template:Campaign_brief"))
    assert "## Goal" in editor
    assert "## Goal" not in text(client.get("/edit/Autumn_launch?template=Spring"))
    assert "## Goal" not in text(client.get("/edit/Spring?template=Template:Campaign_brief"))


def test_italian_category_links_file_pages_and_their_addresses_lead_there(client, make_page):
    make_page("Tiramisù", "Un dolce. [[Categoria:Dolci]]")
    make_page("Categoria:Vecchia", "Written before Italian names were understood.")
    rows = db.session.scalars(db.select(CategoryMember))
    assert [(r.category_key, r.category_title) for r in rows] == [("category:dolci", "Dolci")]
    moved = client.get("/wiki/Categoria:Dolci?lang=it")
    assert moved.status_code == 302
    assert moved.headers["Location"] == "/wiki/Category:Dolci?lang=it"
    assert "Tiramisù" in text(client.get(moved.headers["Location"]))
    assert client.get("/edit/Immagine:Foto.png").headers["Location"] == "/edit/File:Foto.png"
    kept = client.get("/wiki/Categoria:Vecchia")  # a page already called so stays
    assert kept.status_code == 200 and "Written before" in text(kept)
    make_page("Category:Dolci", "Sweet things.")
    found = client.get("/search?q=categoria:dolci")  # typed in the search box
    assert found.headers["Location"] == "/wiki/Category:Dolci"
    assert json.loads(client.get("/search/suggest?q=Categoria:Do").data) == ["Category:Dolci"]
    for place in ("history", "talk", "links"):  # the page's other addresses too
        hop = client.get(f"/{place}/Categoria:Dolci")
        assert hop.headers["Location"] == f"/{place}/Category:Dolci", place
        assert client.get(hop.headers["Location"]).status_code == 200
        assert client.get(f"/{place}/Categoria:Vecchia").status_code == 200, place
    topic = client.get("/talk/Categoria:Dolci/7?from=2&from=3&_external=1")  # all it holds
    assert topic.headers["Location"] == "/talk/Category:Dolci/7?from=2&from=3&_external=1"


def test_mediawiki_addresses_of_special_and_talk_pages_lead_here(client, make_page):
    make_page("Plan", "The plan.")
    make_page("Special:Kept", "A page made before special names were understood.")
    expected = {
        "/wiki/Special:RecentChanges": "/recent",
        "/wiki/Special:AllPages": "/special/all",
        "/wiki/special:wanted_pages": "/special/wanted",
        "/wiki/Speciale:Upload": "/upload",
        "/wiki/Special:WhatLinksHere/Plan": "/links/Plan",
        "/wiki/Special:Search?search=plan": "/search?q=plan",
        "/wiki/Talk:Plan": "/talk/Plan",
        "/wiki/Discussione:Plan": "/talk/Plan",
    }
    for address, target in expected.items():
        assert client.get(address).headers["Location"] == target, address
    unknown = client.get("/wiki/Special:Nonsense")
    assert unknown.status_code == 404 and "no special page called" in text(unknown)
    assert "A page made before" in text(client.get("/wiki/Special:Kept"))


def test_a_random_page_is_a_page_readers_can_see(client, make_page):
    make_page("Plan", "The plan.")
    make_page("Category:Plans", "All plans.")
    make_page("Old plan", "#REDIRECT [[Plan]]")
    for _ in range(5):
        answer = client.get("/special/random")
        assert answer.headers["Location"] == "/wiki/Plan"
        assert answer.headers["Cache-Control"] == "no-store"
    assert client.get("/wiki/Special:Random").headers["Location"] == "/special/random"


def test_a_random_page_is_any_article_alike_whatever_lies_between(app, make_page, make_user):
    admin = make_user("admin", role=Role.ADMIN)
    for number in range(8):  # a stretch of ids that are no articles any more
        make_page(f"Draft {number}", "Gone.")
        deletion.delete_page(parse_title(f"Draft {number}"), user=admin, reason="Old")
    names = ["North", "East", "South", "West"]
    for name in names:
        make_page(name, "An article.")
    picked = {name: 0 for name in names}
    for _ in range(400):
        picked[service.random_page().title] += 1
    # Each is expected 100 times; "North", right after the gap, was picked about 300 times
    # when a random id led to the first article after it.
    assert all(count >= 60 for count in picked.values()), picked


def test_a_random_page_is_any_article_alike_on_a_wiki_of_mostly_redirects(app, make_page):
    for number in range(40):  # most random ids land on these, not on an article
        make_page(f"Old name {number}", "#REDIRECT [[Main]]")
    make_page("Main", "An article.")
    make_page("Second", "Another article.")
    picked = {"Main": 0, "Second": 0}
    for _ in range(200):
        picked[service.random_page().title] += 1
    # Each is expected 100 times; "Main", right after the redirects, was picked about 190
    # times when the first article after a random id was taken.
    assert all(count >= 60 for count in picked.values()), picked
