"""The site's name, tagline, main page and logo, set by an administrator in the browser."""

import io
import re
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from tests import file_samples as samples
from tests.helpers import text
from wiki.access.models import SiteSetting
from wiki.core.filenames import parse_file_name
from wiki.core.titles import parse_title
from wiki.extensions import db
from wiki.files import reading
from wiki.files.logo import LOGO_HEIGHT
from wiki.models import Role
from wiki.modlog import LogEntry
from wiki.site import Site, current_site

DEFAULT_TAGLINE = "a wiki for co-written marketing. Every change is kept."


@pytest.fixture
def admin_client(client, people, auth):
    """Return the test's client, logged in as root, an administrator."""
    auth.login(people["root"])
    return client


def get(client, url):
    """GET a file URL, reading the body and closing the file behind it."""
    response = client.get(url, buffered=True)
    response.close()
    return response


def identity(**changes) -> dict:
    """Return the site form as the page shows it, with some fields changed."""
    form = {"name": "Bottega", "tagline": "", "main_page": "Home", "logo": ""}
    return {**form, **changes}


def header(html: str) -> str:
    """Return the page header's brand link."""
    return re.search(r'<a class="brand".*?</a>', html, re.S).group(0)


def test_by_default_the_configuration_names_the_site(client, make_page):
    make_page("Home", "Welcome.")
    html = text(client.get("/wiki/Home"))
    assert '>B</span><span class="brand-name">Bottega</span>' in header(html)
    assert "<title>Home · Bottega</title>" in html
    assert f"Bottega — {DEFAULT_TAGLINE}" in html
    assert client.get("/").headers["Location"] == "/wiki/Home"
    assert '<link rel="icon" href="/static/favicon.svg?v=' in html


def test_an_admin_renames_the_site_and_every_page_says_so(admin_client, make_page):
    make_page("Welcome", "Hello, partners.")
    form = text(admin_client.get("/admin/site"))
    assert 'value="Bottega"' in form and 'value="Home"' in form
    changed = identity(name="Acme Partners", tagline="Where our partners write.")
    changed["main_page"] = "welcome"  # any case: the page's own title is kept
    saved = admin_client.post("/admin/site", data=changed)
    assert saved.status_code == 302
    html = text(admin_client.get(saved.headers["Location"]))
    assert "are saved" in html and 'value="Welcome"' in html
    page = text(admin_client.get("/wiki/Welcome"))
    assert '>A</span><span class="brand-name">Acme Partners</span>' in header(page)
    assert "<title>Welcome · Acme Partners</title>" in page
    assert "Acme Partners — Where our partners write." in page
    assert DEFAULT_TAGLINE not in page
    assert admin_client.get("/").headers["Location"] == "/wiki/Welcome"
    feed = text(admin_client.get("/recent.atom"))
    assert "<title>Recent changes · Acme Partners</title>" in feed
    entries = db.session.scalars(select(LogEntry).where(LogEntry.action == "policy")).all()
    assert {(e.facts["old"], e.facts["new"]) for e in entries} == {
        ("Bottega", "Acme Partners"),
        ("", "Where our partners write."),
        ("Home", "Welcome"),
    }


def test_another_process_shows_the_new_name_at_its_next_request(admin_client, other, make_page):
    make_page("Home", "Welcome.")
    elsewhere = other.test_client()
    assert "Bottega" in header(text(elsewhere.get("/wiki/Home")))  # drawn and remembered
    admin_client.post("/admin/site", data=identity(name="Northwind"))
    html = text(elsewhere.get("/wiki/Home"))
    assert '>N</span><span class="brand-name">Northwind</span>' in header(html)
    assert '<link rel="icon" href="/site/icon/N.svg" type="image/svg+xml">' in html


def test_the_tab_icon_shows_the_names_first_letter_or_a_square_logo(admin_client, client):
    icon = client.get("/site/icon/N.svg")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert ">N</text>" in icon.get_data(as_text=True)
    for wrong in ("n", "NW", "%C3%9F%C3%9F", "-"):
        assert client.get(f"/site/icon/{wrong}.svg").status_code == 404, wrong
    assert client.get("/site/icon/%C3%9F.svg").status_code == 200  # "ßtudio": ß has no capital
    samples.upload(admin_client, samples.png(400, 100), "Wide.png")
    samples.upload(admin_client, samples.png(90, 100), "Square.png")
    admin_client.post("/admin/site", data=identity(name="Ørsted", logo="Wide.png"))
    html = text(admin_client.get("/search"))
    assert '<link rel="icon" href="/site/icon/%C3%98.svg"' in html  # a wide logo: the letter
    assert ">Ø</text>" in client.get("/site/icon/%C3%98.svg").get_data(as_text=True)
    admin_client.post("/admin/site", data=identity(name="Ørsted", logo="Square.png"))
    html = text(admin_client.get("/search"))
    square = re.search(r'<link rel="icon" href="(/site/logo/\w{64})" type="image/png">', html)
    assert square and get(client, square.group(1)).status_code == 200


def icon_image(client, address: str) -> Image.Image:
    """Return the icon a browser or phone fetches from the site's root, opened."""
    answer = get(client, address)
    assert answer.status_code == 200, address
    return Image.open(io.BytesIO(answer.data))


def test_root_icons_show_the_names_letter_or_a_square_logo(admin_client, client, app):
    own = (Path(app.static_folder) / "apple-touch-icon.png").read_bytes()
    assert get(client, "/apple-touch-icon.png").data == own  # the wiki's own B
    admin_client.post("/admin/site", data=identity(name="Élan"))
    touch = icon_image(client, "/apple-touch-icon.png").convert("RGB")
    assert touch.size == (180, 180) and touch.getpixel((0, 0))[2] > 150  # the blue tile
    assert touch.getpixel((0, 0)) != touch.getpixel((179, 179))  # its gradient
    letter = touch.crop((60, 50, 120, 140)).getcolors(180 * 180)
    assert (255, 255, 255) in [colour for _, colour in letter]  # the E, white
    favicon = icon_image(client, "/favicon.ico")
    assert favicon.format == "ICO" and (48, 48) in favicon.info["sizes"]
    samples.upload(admin_client, samples.png(90, 100, (200, 30, 40)), "Square.png")
    admin_client.post("/admin/site", data=identity(name="Élan", logo="Square.png"))
    touch = icon_image(client, "/apple-touch-icon-precomposed.png").convert("RGB")
    assert touch.getpixel((90, 90)) == (200, 30, 40)  # the logo, centred
    assert touch.getpixel((2, 90)) == (255, 255, 255)  # on white, not black corners
    tagged = get(client, "/apple-touch-icon.png")
    again = client.get("/apple-touch-icon.png", headers={"If-None-Match": tagged.headers["ETag"]})
    assert again.status_code == 304
    admin_client.post("/admin/site", data=identity(name="Жук"))  # no such letter drawn
    assert get(client, "/apple-touch-icon.png").data == own


def test_a_logo_out_of_the_stores_reach_leaves_the_wikis_icon_not_an_error(
    admin_client, client, app
):
    from wiki.files import storage

    own = (Path(app.static_folder) / "apple-touch-icon.png").read_bytes()
    samples.upload(admin_client, samples.png(64, 64, (10, 200, 90)), "Mark.png")
    admin_client.post("/admin/site", data=identity(logo="Mark.png"))
    sha = reading.find_file(parse_file_name("Mark.png")).blob.sha256
    original = Path(storage.store().local_path(storage.original_key(sha)))
    kept = original.read_bytes()
    original.unlink()
    assert get(client, "/apple-touch-icon.png").data == own  # logged, not a 500
    original.write_bytes(kept)  # back: the next request draws the logo
    touch = icon_image(client, "/apple-touch-icon.png").convert("RGB")
    assert touch.getpixel((90, 90)) == (10, 200, 90)


def test_an_empty_tagline_gives_the_wikis_own_words_again(admin_client):
    admin_client.post("/admin/site", data=identity(tagline="Ours."))
    assert "Bottega — Ours." in text(admin_client.get("/search"))
    admin_client.post("/admin/site", data=identity(tagline="  "))
    assert f"Bottega — {DEFAULT_TAGLINE}" in text(admin_client.get("/search"))


def test_every_problem_is_listed_and_nothing_typed_is_lost(admin_client):
    typed = identity(name="  ", tagline="x" * 201, main_page="Plans|2027", logo="Missing.png")
    refused = admin_client.post("/admin/site", data=typed)
    assert refused.status_code == 400
    html = text(refused)
    assert "4 things need fixing" in html
    assert "needs a name" in html
    assert "at most 200 characters" in html
    assert "# &lt; &gt; [ ] { } |" in html  # the title's forbidden characters, named
    assert "no published file called “Missing.png”" in html
    assert 'value="Plans|2027"' in html and 'value="Missing.png"' in html
    assert 'value="' + "x" * 201 + '"' in html
    assert html.count('aria-invalid="true"') == 4
    assert db.session.scalars(select(SiteSetting)).all() == []
    assert current_site().name == "Bottega"


def test_a_name_or_tagline_over_the_limit_or_with_control_characters_is_refused(admin_client):
    for name in ("N" * 61, "Acme\nPartners", "Acme\x00"):
        refused = admin_client.post("/admin/site", data=identity(name=name))
        assert refused.status_code == 400
        assert "at most 60 characters, on one line" in text(refused)
    refused = admin_client.post("/admin/site", data=identity(tagline="Ours\x00"))
    assert refused.status_code == 400
    assert "at most 200 characters, on one line" in text(refused)
    assert current_site() == Site("Bottega", "", "Home", "")


@pytest.mark.parametrize("who", ["anonymous", "alice", "mod"])
def test_only_administrators_change_the_site(client, people, auth, who):
    if who != "anonymous":
        people["mod"].role = Role.MODERATOR
        db.session.commit()
        auth.login(people[who])
    for answer in (client.get("/admin/site"), client.post("/admin/site", data=identity())):
        if who == "anonymous":
            assert answer.headers["Location"].startswith("/login")
        else:
            assert answer.status_code == 403
    assert current_site().name == "Bottega"


def test_an_uploaded_picture_becomes_the_logo_and_a_new_version_waits_for_an_admin(
    admin_client, login_as, people, make_page
):
    editor_client = login_as(people["alice"])
    first = samples.png(640, 160)  # 4:1, drawn 112 px wide: a 240 px thumbnail
    assert samples.upload(admin_client, first, "Logo.png").status_code == 302
    assert admin_client.post("/admin/site", data=identity(logo="File:logo.png")).status_code == 302
    html = text(admin_client.get("/search"))
    logo = re.search(r'<img class="brand-logo" src="(/site/logo/([0-9a-f]{64}))"', header(html))
    assert logo and 'alt=""' in header(html) and f'height="{LOGO_HEIGHT}"' in header(html)
    assert 'width="112"' in header(html) and ">B</span>" not in header(html)
    served = get(admin_client, logo.group(1))
    assert served.status_code == 200 and served.mimetype == "image/png"
    assert Image.open(io.BytesIO(served.data)).size == (240, 60)
    assert 'value="Logo.png"' in text(admin_client.get("/admin/site"))
    # Link previews of pages without a picture of their own show the logo too.
    make_page("Plain", "No picture here.")
    plain = text(admin_client.get("/wiki/Plain"))
    assert re.search(rf'property="og:image" content="[^"]*/site/logo/{logo.group(2)}"', plain)
    # A new version of the file, by anyone who may upload, waits for an administrator.
    second = samples.png(64, 64, color=(200, 30, 30))
    replaced = samples.upload(editor_client, second, "Logo.png", replace="1")
    assert replaced.status_code == 302
    assert logo.group(2) in header(text(admin_client.get("/search")))
    form = text(admin_client.get("/admin/site"))
    assert "A newer version of “Logo.png” was uploaded" in form
    assert admin_client.post("/admin/site", data=identity(logo="Logo.png")).status_code == 302
    html = text(admin_client.get("/search"))
    again = re.search(r'src="/site/logo/([0-9a-f]{64})"', header(html))
    assert again.group(1) != logo.group(2)
    small = get(admin_client, f"/site/logo/{again.group(1)}")
    assert Image.open(io.BytesIO(small.data)).size == (64, 64)  # small: the original
    assert get(admin_client, logo.group(1)).status_code == 404  # not the logo any more
    assert "A newer version" not in text(admin_client.get("/admin/site"))


def test_the_logo_is_shown_to_visitors_of_a_private_wiki_and_nothing_else(
    admin_client, client, auth, app
):
    samples.upload(admin_client, samples.png(64, 32), "Mark.png")
    samples.upload(admin_client, samples.png(20, 20), "Secret.png")
    admin_client.post("/admin/site", data=identity(logo="Mark.png"))
    admin_client.post("/admin/settings", data={"read": "users"})
    sha = re.search(r'src="/site/logo/([0-9a-f]{64})"', text(admin_client.get("/search"))).group(1)
    secret = reading.find_file(parse_file_name("Secret.png")).blob.sha256
    auth.logout()
    login_page = text(client.get("/login"))
    assert f'src="/site/logo/{sha}"' in login_page
    assert "Bottega is private: log in to read it." in login_page
    assert get(client, f"/site/logo/{sha}").status_code == 200
    assert get(client, f"/site/logo/{secret}").status_code == 404
    assert get(client, f"/media/{sha}/Mark.png").status_code == 302  # files: log in first


def test_a_file_that_is_not_a_picture_cannot_be_the_logo(admin_client):
    assert samples.upload(admin_client, samples.pdf(), "Brochure.pdf").status_code == 302
    samples.upload(admin_client, samples.png(40, 40), "Mark.png")
    form = text(admin_client.get("/admin/site"))  # typing offers the pictures, not the rest
    assert '<option value="Mark.png">' in form and "Brochure.pdf" not in form
    refused = admin_client.post("/admin/site", data=identity(logo="Brochure.pdf"))
    assert refused.status_code == 400
    assert "“Brochure.pdf” is not a picture" in text(refused)


def test_a_colon_in_the_name_does_not_split_the_authenticator_label(admin_client, people):
    import pyotp

    from wiki.signin.models import TwoFactor
    from wiki.signin.twofactor import otpauth_uri

    admin_client.post("/admin/site", data=identity(name="Acme: Partners"))
    uri = otpauth_uri(people["bob"], TwoFactor(secret=pyotp.random_base32()))
    parsed = pyotp.parse_uri(uri)
    assert parsed.issuer == "Acme Partners" and parsed.name == "bob"


def test_a_main_page_not_written_yet_is_saved_with_a_warning(admin_client):
    saved = admin_client.post("/admin/site", data=identity(main_page="Pagina principale"))
    html = text(admin_client.get(saved.headers["Location"]))
    assert "are saved" in html and "There is no page “Pagina principale” yet" in html
    assert admin_client.get("/").headers["Location"] == "/wiki/Pagina_principale"


def test_deleting_the_logos_file_keeps_the_logo_and_other_changes_still_save(admin_client, people):
    from wiki.organise import deletion

    samples.upload(admin_client, samples.png(64, 32), "Mark.png")
    admin_client.post("/admin/site", data=identity(logo="Mark.png"))
    before = re.search(r'src="(/site/logo/\w{64})"', text(admin_client.get("/search"))).group(1)
    deletion.delete_page(parse_title("File:Mark.png"), user=people["root"], reason="tidy")
    saved = admin_client.post("/admin/site", data=identity(tagline="Still ours.", logo="Mark.png"))
    assert saved.status_code == 302
    html = text(admin_client.get("/search"))
    assert f'src="{before}"' in html and "Bottega — Still ours." in html


def test_a_private_wiki_shows_visitors_only_links_they_can_follow(admin_client, client, auth):
    admin_client.post("/admin/settings", data={"read": "users", "register": "open"})
    members = text(admin_client.get("/login"))
    assert 'class="site-nav"' in members and 'class="footer-links"' in members
    auth.logout()
    for address in ("/login", "/register", "/wiki/Nothing"):
        answer = client.get(address)
        if answer.status_code == 302:  # sent to log in first
            answer = client.get(answer.headers["Location"])
        html = text(answer)
        assert answer.status_code == 200 and 'name="password"' in html
        for part in ('role="search"', 'class="site-nav"', 'class="footer-links"', "menu-button"):
            assert part not in html, (address, part)
        links = set(re.findall(r'href="(/[^"]*)"', html))
        assert "/login" in {link.split("?")[0] for link in links}
        for link in links:
            followed = client.get(link.replace("&amp;", "&"))
            assert followed.status_code < 400, (address, link, followed.status_code)
            assert "/login" not in followed.headers.get("Location", ""), (address, link)


def test_uploading_a_logo_from_the_form_comes_back_to_it_filled_in(admin_client):
    form = text(admin_client.get("/admin/site"))
    assert 'href="/upload?next=/admin/site"' in form
    upload_page = text(admin_client.get("/upload?next=/admin/site"))
    assert '<input type="hidden" name="next" value="/admin/site">' in upload_page
    sent = samples.upload(admin_client, samples.png(40, 40), "Our mark.png", next="/admin/site")
    assert sent.headers["Location"] == "/admin/site?file=Our+mark.png"
    back = text(admin_client.get(sent.headers["Location"]))
    assert 'name="logo" type="text" maxlength="255" value="Our mark.png"' in back
    assert "The file was uploaded." in back  # not saved as the logo until Save
    assert current_site().logo == ""
    away = samples.upload(
        admin_client, samples.png(30, 30), "Other.png", next="https://evil.test/"
    )
    assert away.headers["Location"] == "/file/Other.png"  # another site's address: ignored
