"""What every site serves beside its pages: icons, feeds linked from pages."""

import pytest


@pytest.mark.parametrize(
    ("path", "mimetype"),
    [
        ("/favicon.ico", "image/vnd.microsoft.icon"),
        ("/apple-touch-icon.png", "image/png"),
        ("/apple-touch-icon-precomposed.png", "image/png"),
    ],
)
def test_icons_browsers_ask_for_are_served(client, path, mimetype):
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype in (mimetype, "image/x-icon")
    assert len(response.get_data()) > 100
    response.close()


def test_a_page_links_the_feed_of_its_history(client, make_page):
    make_page("Plan", "text")
    html = client.get("/wiki/Plan").get_data(as_text=True)
    assert 'type="application/atom+xml"' in html and 'href="/feed/history/Plan"' in html


def test_a_redirect_left_by_a_move_is_no_new_page_on_the_community_page(
    client, make_page, make_user
):
    from wiki.core.titles import parse_title
    from wiki.organise import moves

    make_page("Autumn Launch", "text")
    moves.move_page(
        parse_title("Autumn Launch"),
        parse_title("Campaigns/Autumn Launch"),
        user=make_user("mover"),
    )
    html = client.get("/community").get_data(as_text=True)
    new_pages = html.split("Recently created pages", 1)[1].split("</section>", 1)[0]
    assert "Campaigns/Autumn Launch" in new_pages
    assert 'href="/wiki/Autumn_Launch"' not in new_pages


def test_talk_addresses_of_a_moved_page_follow_its_redirect(client, make_page, make_user, auth):
    from wiki.core.titles import parse_title
    from wiki.organise import moves
    from wiki.talk import service as talk

    page = make_page("Autumn Launch 2026", "text")
    mover = make_user("mover")
    comment = talk.start_topic(page, "Dates", "Monday?", author=mover)
    moves.move_page(
        parse_title("Autumn Launch 2026"),
        parse_title("Campaigns/Autumn Launch 2026"),
        user=mover,
    )
    topic = client.get(f"/talk/Autumn_Launch_2026/{comment.topic_id}")
    assert topic.status_code == 302
    assert topic.headers["Location"].startswith("/talk/Campaigns/Autumn_Launch_2026/")
    topics = client.get("/talk/Autumn_Launch_2026")
    assert topics.status_code == 302
    assert topics.headers["Location"] == "/talk/Campaigns/Autumn_Launch_2026"
    # Starting a topic at the old address adds it to the one discussion, not a second one.
    auth.login("mover")
    client.post("/talk/Autumn_Launch_2026", data={"subject": "Venue", "body": "Milan?"})
    listed = client.get("/talk/Campaigns/Autumn_Launch_2026").get_data(as_text=True)
    assert "Dates" in listed and "Venue" in listed
