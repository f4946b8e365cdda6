"""Sharing: link previews, noindex, share links, sitemaps, robots.txt, embeds' CSP, reach."""

import json
import re
import uuid
import xml.etree.ElementTree as ET
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from tests import file_samples as samples
from tests.helpers import REDIS_URL, page_named, redis_or_skip, text
from wiki.access.policy import save_policy
from wiki.extensions import db
from wiki.share import reach
from wiki.share.models import PageView

BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0"}
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


class Head(HTMLParser):
    """The meta tags, links and JSON-LD of a page's head."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.links: dict[str, str] = {}
        self.json_ld: list[dict] = []
        self._in_ld = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "meta" and "content" in values:
            self.meta[values.get("property") or values.get("name")] = values["content"]
        if tag == "link" and "rel" in values:
            self.links[values["rel"]] = values["href"]
        self._in_ld = tag == "script" and values.get("type") == "application/ld+json"

    def handle_data(self, data):
        if self._in_ld:
            self.json_ld.append(json.loads(data))
            self._in_ld = False


@pytest.fixture(autouse=True)
def counting(app):
    """Count page views in these tests, and write nothing after them."""
    app.config["REACH_ENABLED"] = True
    yield
    reach.counter(app).take()


@pytest.fixture
def campaign(make_page, people):
    return make_page(
        "Spring Campaign",
        "# Spring Campaign\n\nOur **spring** launch, for partners & customers.\n\n"
        "![Poster](https://cdn.example.com/poster.png)\n\nMore text.",
        author=people["alice"],
    )


# Link previews


def test_a_page_view_carries_open_graph_twitter_canonical_and_json_ld(client, campaign):
    head = Head(text(client.get("/wiki/Spring_Campaign?redirectedfrom=Old")))
    url = "http://localhost/wiki/Spring_Campaign"
    assert head.links["canonical"] == url
    assert head.meta["og:title"] == "Spring Campaign"
    assert head.meta["og:description"] == "Our spring launch, for partners & customers."
    assert head.meta["og:url"] == url
    assert head.meta["og:image"] == "https://cdn.example.com/poster.png"
    assert head.meta["og:site_name"] == "Bottega" and head.meta["og:locale"] == "en_US"
    assert head.meta["twitter:card"] == "summary_large_image"
    assert head.meta["twitter:title"] == "Spring Campaign"
    [ld] = head.json_ld
    assert ld["@type"] == "Article" and ld["headline"] == "Spring Campaign" and ld["url"] == url
    assert ld["author"]["name"] == "alice" and ld["image"] == [head.meta["og:image"]]


def test_a_preview_names_a_subpage_as_its_heading_does_and_speaks_the_pages_language(
    client, make_page, people
):
    from wiki.i18n import translations

    source = make_page("Campaigns/Spring", "# Spring\n\nOur launch.", author=people["alice"])
    italian = make_page("Campagne/Primavera", "# Primavera\n\nIl lancio.", author=people["alice"])
    translations.set_language(italian, "it", people["alice"])
    translations.link(italian, source, people["alice"])
    # An English-speaking reader (or a crawler): the preview still says the page is Italian.
    head = Head(text(client.get("/wiki/Campagne/Primavera", headers={"Accept-Language": "en"})))
    assert head.meta["og:title"] == head.meta["twitter:title"] == "Primavera"
    assert head.meta["og:locale"] == "it_IT" and head.meta["og:locale:alternate"] == "en_US"
    [ld] = head.json_ld
    assert ld["headline"] == "Primavera" and ld["inLanguage"] == "it"
    english = Head(text(client.get("/wiki/Campaigns/Spring")))
    assert english.meta["og:locale"] == "en_US" and english.meta["og:locale:alternate"] == "it_IT"


def test_an_explicit_description_wins_and_pages_without_images_get_the_site_one(
    app, client, make_page
):
    app.config["SITE_URL"] = "https://wiki.example.com/"
    make_page("Plain", "# Plain\n\n[[Description: A page, in one line]]\n\nFirst paragraph.")
    page = text(client.get("/wiki/Plain"))
    head = Head(page)
    assert head.meta["og:description"] == "A page, in one line"
    assert head.meta["og:image"] == "https://wiki.example.com/apple-touch-icon.png"
    assert head.meta["twitter:card"] == "summary"
    assert head.links["canonical"] == "https://wiki.example.com/wiki/Plain"
    assert "A page, in one line" not in page.split("</head>")[1]


def test_the_preview_image_follows_a_new_version_of_the_embedded_file(client, editor):
    samples.upload(client, samples.png(color=(1, 2, 3)), "Poster.png")
    client.post("/edit/Launch", data={"text": "# Launch\n\n[[File:Poster.png]]", "action": "save"})
    first = Head(text(client.get("/wiki/Launch"))).meta["og:image"]
    samples.upload(client, samples.png(80, 60, (9, 9, 9)), "new.png", name="Poster.png", replace=1)
    head = Head(text(client.get("/wiki/Launch")))
    body = text(client.get("/wiki/Launch")).split("</head>")[1]
    assert head.meta["og:image"] != first and first.split("/")[-2] not in body
    assert head.meta["og:image"].removeprefix("http://localhost") in body  # the picture shown
    assert head.meta["twitter:image"] == head.meta["og:image"]


def test_a_pictures_caption_or_a_documents_size_is_not_the_pages_description(client, editor):
    samples.upload(client, samples.png(color=(4, 5, 6)), "Key visual.png")
    samples.upload(client, samples.pdf(), "Brochure.pdf")
    text_ = (
        "# Autumn\n\n[[File:Key visual.png|thumb|Our autumn key visual]]\n\n"
        "[[File:Brochure.pdf]]\n\nOur autumn launch builds on the spring one.\n"
    )
    client.post("/edit/Autumn", data={"text": text_, "action": "save"})
    page = text(client.get("/wiki/Autumn"))
    assert "Our autumn key visual" in page.split("</head>")[1]  # the caption is shown
    head = Head(page)
    assert head.meta["og:description"] == "Our autumn launch builds on the spring one."
    assert head.meta["description"] == head.meta["og:description"]


def test_json_ld_cannot_break_out_of_its_script(client, make_page):
    make_page("Quote", "# Quote\n\n</script><script>alert(1)</script> text")
    page = text(client.get("/wiki/Quote"))
    ld = page.split('<script type="application/ld+json">')[1].split("</script>")[0]
    assert "<" not in ld and "alert(1)" in json.loads(ld)["description"]


@pytest.mark.parametrize(
    "path",
    ["/history/Spring_Campaign", "/diff/Spring_Campaign", "/talk/Spring_Campaign", "/search?q=x"],
)
def test_history_diffs_talk_and_search_are_noindex(client, campaign, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex">' in text(response)


def test_old_revisions_are_noindex_and_pages_are_indexed(client, campaign):
    old = client.get(f"/revision/{campaign.latest_revision_id}")
    assert old.headers["X-Robots-Tag"] == "noindex"
    page = client.get("/wiki/Spring_Campaign")
    assert "X-Robots-Tag" not in page.headers and 'content="noindex"' not in text(page)


def test_share_links_are_plain_links_with_the_page_address(client, campaign):
    page = text(client.get("/wiki/Spring_Campaign"))
    share = page.split('<section class="share"')[1].split("</section>")[0]
    hrefs = re.findall(r'href="([^"]+)"', share)
    address = "http%3A%2F%2Flocalhost%2Fwiki%2FSpring_Campaign"
    assert hrefs[0].startswith("mailto:?subject=Spring%20Campaign")
    assert any(href.startswith("https://x.com/intent/post?url=" + address) for href in hrefs)
    assert any("linkedin.com/sharing/share-offsite/?url=" + address in h for h in hrefs)
    assert any("facebook.com/sharer/sharer.php?u=" + address in h for h in hrefs)
    assert any(h.startswith("https://wa.me/?text=") for h in hrefs)
    assert "<script" not in share and "<img" not in share
    assert 'value="http://localhost/wiki/Spring_Campaign"' in share


def test_the_csp_frames_only_the_video_hosts(client, campaign):
    policy = client.get("/wiki/Spring_Campaign").headers["Content-Security-Policy"]
    assert "frame-src https://www.youtube-nocookie.com https://player.vimeo.com" in policy
    assert "script-src 'self';" in policy


# Sitemaps and robots.txt


def test_the_sitemap_lists_current_pages_with_their_last_change(client, make_page, people):
    from wiki.core.titles import parse_title
    from wiki.organise import deletion, moves

    make_page("Spring Campaign", "v1")
    make_page("Gone", "x")
    make_page("Old Name", "y")
    deletion.delete_page(parse_title("Gone"), user=people["root"], reason="spam")
    moves.move_page(parse_title("Old Name"), parse_title("New Name"), user=people["root"])
    response = client.get("/sitemap.xml")
    assert response.mimetype == "application/xml"
    root = ET.fromstring(response.data)
    locs = [url.find(f"{SITEMAP}loc").text for url in root]
    assert locs == ["http://localhost/wiki/Spring_Campaign", "http://localhost/wiki/New_Name"]
    assert all(url.find(f"{SITEMAP}lastmod").text.endswith("+00:00") for url in root)


def test_a_big_wiki_gets_a_sitemap_index(app, client, make_page):
    app.config["SITEMAP_MAX_URLS"] = 2
    for n in range(5):
        make_page(f"Page {n}", "x")
    index = ET.fromstring(client.get("/sitemap.xml").data)
    assert index.tag == f"{SITEMAP}sitemapindex"
    parts = [entry.find(f"{SITEMAP}loc").text for entry in index]
    assert parts == [f"http://localhost/sitemap-{n}.xml" for n in (1, 2, 3)]
    titles = []
    for part in parts:
        urls = ET.fromstring(client.get(part.removeprefix("http://localhost")).data)
        titles += [url.find(f"{SITEMAP}loc").text.rsplit("/", 1)[1] for url in urls]
    assert titles == [f"Page_{n}" for n in range(5)]
    assert client.get("/sitemap-4.xml").status_code == 404


def test_robots_txt_follows_the_read_policy(client, people):
    public = text(client.get("/robots.txt"))
    assert "Disallow: /history/" in public and "Disallow: /talk/" in public
    assert "Sitemap: http://localhost/sitemap.xml" in public
    save_policy(people["root"], read="users", edit="users", register="open", log="everyone")
    private = client.get("/robots.txt")
    assert private.status_code == 200 and text(private) == "User-agent: *\nDisallow: /\n"
    # A crawler is told there is none, not sent to a login form it cannot use.
    assert client.get("/sitemap.xml").status_code == 404


# Reach


def views(title: str) -> dict:
    db.session.commit()
    return reach.views_per_day(page_named(title).id, 7)


def test_views_are_counted_per_day_without_bots_or_cookies(app, client, campaign):
    for _ in range(3):
        response = client.get("/wiki/Spring_Campaign", headers=BROWSER)
        assert "Set-Cookie" not in response.headers
    for agent in ("Googlebot/2.1", "curl/8.0", "facebookexternalhit/1.1", ""):
        client.get("/wiki/Spring_Campaign", headers={"User-Agent": agent})
    client.get("/wiki/Spring_Campaign", headers=BROWSER | {"Sec-Purpose": "prefetch"})
    client.get("/history/Spring_Campaign", headers=BROWSER)
    client.get("/wiki/Nothing", headers=BROWSER)
    assert reach.flush(app) == 3
    assert views("Spring Campaign") == {reach.today(): 3}
    assert reach.flush(app) == 0


def test_views_served_from_the_page_cache_count_too(app, client, campaign):
    app.config["PAGE_CACHE_SECONDS"] = 60
    for _ in range(4):
        assert client.get("/wiki/Spring_Campaign", headers=BROWSER).status_code == 200
    crawler = {"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1)"}
    assert client.get("/wiki/Spring_Campaign", headers=crawler).status_code == 200
    prefetch = {**BROWSER, "Sec-Purpose": "prefetch"}
    assert client.get("/wiki/Spring_Campaign", headers=prefetch).status_code == 200
    reach.flush(app)
    assert views("Spring Campaign") == {reach.today(): 4}


def test_batches_add_up_and_follow_a_moved_page(app, client, campaign, people):
    from wiki.core.titles import parse_title
    from wiki.organise import moves

    client.get("/wiki/Spring_Campaign", headers=BROWSER)
    reach.flush(app)
    moves.move_page(
        parse_title("Spring Campaign"), parse_title("Spring 2026"), user=people["root"]
    )
    client.get("/wiki/Spring_2026", headers=BROWSER)
    client.get("/wiki/Spring_2026", headers=BROWSER)
    reach.flush(app)
    assert views("Spring 2026") == {reach.today(): 3}
    assert db.session.scalar(select(PageView.views)) == 3


def test_the_information_screen_charts_views_and_community_lists_them(
    app, client, make_page, campaign
):
    make_page("Quiet", "x")
    today = reach.today()
    db.session.add_all(
        [
            PageView(page_id=campaign.id, day=today, views=9),
            PageView(page_id=campaign.id, day=today - timedelta(days=10), views=5),
        ]
    )
    db.session.commit()
    info = text(client.get("/info/Spring_Campaign"))
    assert "Readers" in info and 'id="page-reach-title"' in info
    assert "14 views in the last 90 days." in info
    community = text(client.get("/community"))
    most_read = community.split('id="most-read"')[1].split("</section>")[0]
    assert "Spring Campaign" in most_read and "14 views" in most_read and "Quiet" not in most_read
    trending = community.split('id="trending"')[1].split("</section>")[0]
    assert "Spring Campaign" in trending


def test_counting_can_be_turned_off(app, client, campaign):
    app.config["REACH_ENABLED"] = False
    client.get("/wiki/Spring_Campaign", headers=BROWSER)
    assert reach.flush(app) == 0


def test_with_redis_processes_share_their_counts(app, client, campaign):
    probe = redis_or_skip()
    key = f"bottega-test:reach:{uuid.uuid4().hex}"
    app.config.update(REDIS_URL=REDIS_URL, REACH_REDIS_KEY=key)
    try:
        client.get("/wiki/Spring_Campaign", headers=BROWSER)
        client.get("/wiki/Spring_Campaign", headers=BROWSER)
        assert reach.flush(app) == 2
        assert views("Spring Campaign") == {reach.today(): 2}
        assert not probe.exists(key)
    finally:
        probe.delete(key, f"{key}:lock")
