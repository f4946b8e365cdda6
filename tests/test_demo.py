"""The demo content a new wiki starts with: pages with a history, and a discussion."""

from tests.helpers import text
from wiki import demo


def test_the_demo_campaign_has_the_lively_discussion_the_faq_points_to(app, client):
    assert demo.load() > 0
    assert "lively" in text(client.get("/wiki/FAQ"))
    talk = text(client.get("/talk/Spring_Campaign_2026"))
    assert "Launch webinar: which week of April?" in talk
    assert "Which customer story opens the campaign?" in talk
    assert "Discussion (6)" in text(client.get("/wiki/Spring_Campaign_2026"))
    assert demo.load() == 0  # a wiki with pages gets nothing more
    demo._discuss()  # loaded again where the pages exist (load-demo without --if-empty)
    assert "Discussion (6)" in text(client.get("/wiki/Spring_Campaign_2026"))
