"""Uploads wait for review as edits do: visitors see a file's published version only."""

import re

import pytest

from tests import file_samples as samples
from tests.helpers import page_named, save, text
from wiki.core.filenames import parse_file_name
from wiki.files import reading
from wiki.review import publishing

RED, GREEN, BLUE = (200, 30, 30), (30, 200, 30), (30, 30, 200)


def sha_of(name: str) -> str:
    """Return the stored hash of a file's current version."""
    return reading.find_file(parse_file_name(name)).blob.sha256


def thumbs_in(html: str) -> set[str]:
    """Return the content hashes of the thumbnails a page shows."""
    return set(re.findall(r"/thumb/([0-9a-f]{64})/", html))


@pytest.fixture
def launch(app, people, login_as):
    """A published logo embedded in a published page, then review for newcomers."""
    alice = login_as(people["alice"])
    assert samples.upload(alice, samples.png(color=RED), "Logo.png").status_code == 302
    save("Launch", "![Our logo](File:Logo.png)", people["alice"])
    app.config["REVIEW_POLICY"] = "newcomers"
    return sha_of("Logo.png")


def test_a_newcomers_new_version_is_not_shown_to_visitors_until_accepted(
    launch, people, login_as, client
):
    newbie = login_as(people["newbie"])
    assert (
        samples.upload(newbie, samples.png(color=GREEN), "Logo.png", replace=1).status_code == 302
    )
    new = sha_of("Logo.png")
    assert new != launch
    # A visitor: the page, the file page, the gallery and the stored bytes show the old logo.
    assert thumbs_in(text(client.get("/wiki/Launch"))) == {launch}
    file_page = text(client.get("/file/Logo.png"))
    assert launch in file_page and new not in file_page
    gallery = text(client.get("/files"))
    assert launch in gallery and new not in gallery
    assert client.get(f"/thumb/{new}/64.png", buffered=True).status_code == 404
    assert client.get(f"/media/{new}/Logo.png", buffered=True).status_code == 404
    assert client.get(f"/media/{launch}/Logo.png", buffered=True).status_code == 200
    # Logged in, the community sees the latest, as it sees waiting text.
    assert thumbs_in(text(newbie.get("/wiki/Launch"))) == {new}
    assert newbie.get(f"/thumb/{new}/64.png", buffered=True).status_code == 200
    uploads_logged = lambda: text(client.get("/log?action=upload")).count("modlog-entry ")  # noqa: E731
    assert uploads_logged() == 1  # alice's, not yet the newcomer's
    # The reviewer sees both pictures: what readers see now, and the one waiting.
    review = text(login_as(people["moderator"]).get("/review/File:Logo.png"))
    assert "Uploads waiting" in review and thumbs_in(review) == {launch, new}
    # Once a reviewer accepts the file page's change, everyone sees the new logo.
    page = page_named("File:Logo.png")
    publishing.accept(people["moderator"], page, page.latest_revision_id)
    assert thumbs_in(text(client.get("/wiki/Launch"))) == {new}
    assert client.get(f"/thumb/{new}/64.png", buffered=True).status_code == 200
    assert uploads_logged() == 2


def test_a_rejected_version_stays_hidden_from_visitors(launch, people, login_as, client):
    newbie = login_as(people["newbie"])
    samples.upload(newbie, samples.png(color=GREEN), "Logo.png", replace=1)
    rejected = sha_of("Logo.png")
    page = page_named("File:Logo.png")
    publishing.reject(people["moderator"], page, page.latest_revision_id, "Not our logo")
    assert thumbs_in(text(client.get("/wiki/Launch"))) == {launch}
    assert client.get(f"/media/{rejected}/Logo.png", buffered=True).status_code == 404
    assert rejected not in text(client.get("/file/Logo.png"))


def test_a_newcomers_new_file_is_nowhere_for_visitors(launch, people, login_as, client):
    newbie = login_as(people["newbie"])
    samples.upload(newbie, samples.png(color=BLUE), "Shop window.png")
    new = sha_of("Shop window.png")
    assert "Shop window" not in text(client.get("/files"))
    missing = client.get("/file/Shop_window.png")
    assert missing.status_code == 404
    # Said to be waiting, not offered for upload again (that would end in "exists").
    assert "waiting for review" in text(missing) and "Upload it" not in text(missing)
    assert "Shop window" not in text(client.get("/log"))  # nor is its upload in the log
    assert "Shop window" in text(newbie.get("/log"))
    assert client.get(f"/thumb/{new}/64.png", buffered=True).status_code == 404
    assert "Shop window" in text(newbie.get("/files"))  # the community sees it, as waiting
    # A published page embedding it shows visitors a link to upload, not the picture.
    save("Launch", "![Our logo](File:Logo.png) ![Window](File:Shop window.png)", people["alice"])
    assert thumbs_in(text(client.get("/wiki/Launch"))) == {launch}


def test_a_newcomers_page_and_its_new_picture_are_published_together(
    launch, people, login_as, client
):
    newbie = login_as(people["newbie"])
    uploaded = samples.upload(newbie, samples.png(color=BLUE), "Beach.png")
    told = text(newbie.get(uploaded.headers["Location"]))
    assert "It waits for review: others see it once a reviewer accepts it." in told
    saved = newbie.post("/edit/Summer", data={"text": "# Summer\n\n![Beach](File:Beach.png)"})
    assert saved.status_code == 302, text(saved)
    beach = sha_of("Beach.png")
    moderator = login_as(people["moderator"])
    review = text(moderator.get("/review/Summer"))
    assert "Files this page shows, waiting for review too" in review
    assert 'href="/review/File:Beach.png"' in review and 'name="with_files"' in review
    summer = page_named("Summer")
    accepted = moderator.post(
        "/review/Summer",
        data={"action": "accept", "revision": summer.latest_revision_id, "with_files": "1"},
    )
    assert "The file it shows is published too." in text(
        moderator.get(accepted.headers["Location"])
    )
    assert thumbs_in(text(client.get("/wiki/Summer"))) == {beach}  # the picture, not a link
    assert client.get("/file/Beach.png").status_code == 200


def test_a_reviewer_may_publish_the_page_without_its_new_picture(launch, people, login_as, client):
    newbie = login_as(people["newbie"])
    samples.upload(newbie, samples.png(color=BLUE), "Beach.png")
    newbie.post("/edit/Summer", data={"text": "![Beach](File:Beach.png)"})
    moderator = login_as(people["moderator"])
    summer = page_named("Summer")
    moderator.post(
        "/review/Summer", data={"action": "accept", "revision": summer.latest_revision_id}
    )
    assert thumbs_in(text(client.get("/wiki/Summer"))) == set()  # the file still waits
    assert "File:Beach.png" in text(moderator.get("/review"))
    # A reviewer's uploads are published at once, and say nothing of review.
    done = samples.upload(moderator, samples.png(color=GREEN), "Dunes.png")
    assert "waits for review" not in text(moderator.get(done.headers["Location"]))


def test_under_reviewers_only_the_uploader_sees_their_waiting_upload_and_others_do_not(
    app, people, login_as
):
    app.config.update(REVIEW_POLICY="newcomers", REVIEW_WAITING_SHOWN="reviewers")
    newbie = login_as(people["newbie"])
    assert samples.upload(newbie, samples.png(color=GREEN), "Booth.png").status_code == 302
    new = sha_of("Booth.png")
    # The uploader is led to the file page: it shows their picture, waiting.
    mine = newbie.get("/file/Booth.png")
    assert mine.status_code == 200 and new in text(mine)
    assert newbie.get(f"/thumb/{new}/64.png", buffered=True).status_code == 200
    assert newbie.get(f"/media/{new}/Booth.png", buffered=True).status_code == 200
    # Another member does not see it until a reviewer accepts it.
    carol = login_as(people["carol"])
    assert carol.get("/file/Booth.png").status_code == 404
    assert carol.get(f"/thumb/{new}/64.png", buffered=True).status_code == 404
    page = page_named("File:Booth.png")
    publishing.accept(people["moderator"], page, page.latest_revision_id)
    assert new in text(carol.get("/file/Booth.png"))


def test_under_reviewers_only_the_uploader_sees_their_waiting_picture_in_the_page_they_put_it(
    launch, app, people, login_as, client
):
    app.config["REVIEW_WAITING_SHOWN"] = "reviewers"
    newbie = login_as(people["newbie"])
    assert samples.upload(newbie, samples.png(color=GREEN), "Booth.png").status_code == 302
    booth = sha_of("Booth.png")
    save("Launch", "![Our logo](File:Logo.png)\n\n![Our booth](File:Booth.png)", people["newbie"])
    # Their edit waits, and they read it: with their picture in it, not a missing file.
    mine = text(newbie.get("/wiki/Launch"))
    assert thumbs_in(mine) == {launch, booth}
    assert "Booth.png" in mine and 'class="new"' not in mine
    # Another member and a visitor read the published page: neither the edit nor the picture.
    carol = login_as(people["carol"])
    assert thumbs_in(text(carol.get("/wiki/Launch"))) == {launch}
    assert thumbs_in(text(client.get("/wiki/Launch"))) == {launch}
    # Their own view of it again (kept for them) still shows it; once accepted, everyone does.
    assert thumbs_in(text(newbie.get("/wiki/Launch"))) == {launch, booth}
    for title in ("File:Booth.png", "Launch"):
        page = page_named(title)
        publishing.accept(people["moderator"], page, page.latest_revision_id)
    assert thumbs_in(text(carol.get("/wiki/Launch"))) == {launch, booth}
    assert thumbs_in(text(client.get("/wiki/Launch"))) == {launch, booth}


def test_under_reviewers_only_a_rejected_upload_is_not_shown_to_its_uploader_as_if_waiting(
    launch, app, people, login_as
):
    app.config["REVIEW_WAITING_SHOWN"] = "reviewers"
    newbie = login_as(people["newbie"])
    assert samples.upload(newbie, samples.png(color=GREEN), "Booth.png").status_code == 302
    booth = sha_of("Booth.png")
    save("Launch", "![Our logo](File:Logo.png)\n\n![Our booth](File:Booth.png)", people["newbie"])
    assert thumbs_in(text(newbie.get("/wiki/Launch"))) == {launch, booth}
    page = page_named("File:Booth.png")
    publishing.reject(people["moderator"], page, page.latest_revision_id, "Not our booth")
    # Their edit still waits; the picture in it is gone for them too (a missing file).
    mine = text(newbie.get("/wiki/Launch"))
    assert thumbs_in(mine) == {launch} and 'class="wikifile new"' in mine


def test_under_reviewers_only_members_read_a_page_without_files_from_the_visitors_copy(
    app, people, login_as, make_page, client
):
    """Only a page that embeds files may differ for someone with uploads waiting: any other
    page's HTML is remembered once, not once per person (the memory is bounded)."""
    app.config["REVIEW_WAITING_SHOWN"] = "reviewers"
    page = make_page("Plain", "Just words, and a link to [[Launch]].")
    for name in ("carol", "newbie", "bob"):
        assert login_as(people[name]).get("/wiki/Plain").status_code == 200
    assert client.get("/wiki/Plain").status_code == 200
    memo = app.extensions["memo"]
    sha1 = page.latest.sha1
    copies = [
        key for key in list(memo._entries) if key[:2] == ("page", "html") and key[2][0] == sha1
    ]
    assert len(copies) == 1
