"""No edit is ever lost: merges, conflicts, drafts, undo, restore, rollback."""

import re

import pytest

from tests.helpers import edit, form_value, latest_id, latest_text, text
from wiki.access.policy import save_policy
from wiki.core.titles import parse_title
from wiki.database import write_transaction
from wiki.extensions import db
from wiki.models import Draft, Revision, Role
from wiki.pages.service import save_page

BASE = "Spring is here.\n\nOur launch is in April.\n\nJoin us in Milan.\n"


def open_editor(client, title):
    """Return the base revision the editor was opened on."""
    return form_value(client.get(f"/edit/{title}").get_data(as_text=True), "base_revision")


@pytest.fixture
def two_editors(people, login_as, make_page):
    """Alice and Bob, each with their own browser session, and a page with three paragraphs."""
    alice, bob = people["alice"], people["bob"]
    make_page("Plan", BASE)
    return login_as(alice), login_as(bob)


def test_edits_to_different_paragraphs_merge(two_editors):
    alice, bob = two_editors
    base = open_editor(bob, "Plan")
    edit(alice, "Plan", BASE.replace("April", "May"), summary="new date")
    response = edit(bob, "Plan", BASE.replace("Milan", "Turin"), summary="new city", base=base)
    assert response.status_code == 302
    assert latest_text("Plan") == BASE.replace("April", "May").replace("Milan", "Turin")
    page = bob.get("/wiki/Plan").get_data(as_text=True)
    assert "Your edit was merged" in page and "alice" in page
    assert re.search(r'href="/diff/Plan\?from=\d+&amp;to=\d+"', page)
    newest = db.session.scalar(db.select(Revision).order_by(Revision.id.desc()))
    assert (newest.kind, newest.summary) == ("merge", "new city")
    assert "merged" in bob.get("/history/Plan").get_data(as_text=True)


def test_edits_to_different_sentences_of_one_paragraph_merge(two_editors, make_page):
    alice, bob = two_editors
    make_page("Para", "We sell bread. We open at eight. We close at six.\n")
    base = open_editor(bob, "Para")
    edit(alice, "Para", "We sell fresh bread. We open at eight. We close at six.\n")
    edit(bob, "Para", "We sell bread. We open at eight. We close at seven.\n", base=base)
    assert latest_text("Para") == "We sell fresh bread. We open at eight. We close at seven.\n"


def test_same_words_changed_show_conflict_with_text_kept(two_editors):
    alice, bob = two_editors
    base = open_editor(bob, "Plan")
    edit(alice, "Plan", BASE.replace("April", "May").replace("Spring", "Summer"))
    mine = BASE.replace("April", "June")
    response = edit(bob, "Plan", mine, summary="my date", base=base)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "changed the same words" in html
    assert "1 passage was changed by both of you" in html
    passage = re.search(r'<li class="conflict-passage">(.*?)</li>', html, re.S).group(1)
    assert "<mark>April</mark>" in passage and "<mark>May</mark>" in passage
    assert "<mark>June</mark>" in passage
    # The text box holds the merge with Bob's side of the conflict: nothing of his is lost,
    # and Alice's non-conflicting change is already in.
    merged = BASE.replace("June", "").replace("April", "June").replace("Spring", "Summer")
    assert f">{merged}</textarea>" in html
    assert "my date" in html
    assert latest_text("Plan") == BASE.replace("April", "May").replace("Spring", "Summer")
    assert db.session.scalar(db.select(Draft.text)) == mine


@pytest.mark.parametrize(
    ("choice", "expected"),
    [("theirs", "May."), ("both", "June. Our launch is in May.")],
)
def test_conflict_choices_are_applied_then_saved(two_editors, choice, expected):
    alice, bob = two_editors
    base = open_editor(bob, "Plan")
    edit(alice, "Plan", BASE.replace("April", "May"))
    html = edit(bob, "Plan", BASE.replace("April", "June"), base=base).get_data(as_text=True)
    data = {
        "text": "",
        "base_revision": form_value(html, "base_revision"),
        "merge_base": form_value(html, "merge_base"),
        "mine": BASE.replace("April", "June"),
        "summary": "resolved",
        "action": "resolve",
        "choice-0": choice,
    }
    resolved = bob.post("/edit/Plan", data=data).get_data(as_text=True)
    text = BASE.replace("April.", expected)
    assert f">{text}</textarea>" in resolved
    data.update(action="save", text=text)
    assert bob.post("/edit/Plan", data=data).status_code == 302
    assert latest_text("Plan") == text


def test_a_person_does_not_conflict_with_their_own_save_from_another_tab(two_editors):
    alice, _bob = two_editors
    base = open_editor(alice, "Plan")  # a second tab, opened before the first one saves
    edit(alice, "Plan", BASE.replace("April", "May").replace("Milan", "Turin"))
    response = edit(alice, "Plan", BASE.replace("April", "June"), summary="later", base=base)
    assert response.status_code == 302
    # The newer text wins where her saves differ; her other change stays.
    assert latest_text("Plan") == BASE.replace("April", "June").replace("Milan", "Turin")
    page = alice.get("/wiki/Plan").get_data(as_text=True)
    assert "You had saved this page since you opened the editor" in page
    assert "this newer text was kept" in page and "Someone saved" not in page
    newest = db.session.scalar(db.select(Revision).order_by(Revision.id.desc()))
    assert (newest.kind, newest.summary) == ("merge", "later")


def test_own_edits_that_do_not_overlap_are_both_kept_and_said_to_be_hers(two_editors):
    alice, _bob = two_editors
    base = open_editor(alice, "Plan")
    edit(alice, "Plan", BASE.replace("Milan", "Turin"))
    assert edit(alice, "Plan", BASE.replace("April", "June"), base=base).status_code == 302
    assert latest_text("Plan") == BASE.replace("April", "June").replace("Milan", "Turin")
    page = alice.get("/wiki/Plan").get_data(as_text=True)
    assert "Both of your edits are on the page" in page


def test_ones_own_save_is_no_conflict_when_someone_else_saved_elsewhere_too(two_editors):
    alice, bob = two_editors
    base = open_editor(alice, "Plan")
    edit(alice, "Plan", BASE.replace("April", "May"))
    edit(bob, "Plan", BASE.replace("April", "May").replace("Milan", "Turin"))
    response = edit(alice, "Plan", BASE.replace("April", "June"), base=base)
    # Bob left the date as it was: only Alice changed it, twice; her newer date stays, and
    # his change stays too.
    assert response.status_code == 302
    assert latest_text("Plan") == BASE.replace("April", "June").replace("Milan", "Turin")
    page = alice.get("/wiki/Plan").get_data(as_text=True)
    assert "Someone saved while you were editing (bob)" in page
    assert "from your own save since you opened the editor, this newer text was kept" in page


def test_ones_own_passage_that_someone_else_changed_since_is_a_conflict(two_editors):
    alice, bob = two_editors
    base = open_editor(alice, "Plan")
    edit(alice, "Plan", BASE.replace("April", "May"))
    edit(bob, "Plan", BASE.replace("April", "May 3"))  # Bob changed the date Alice wrote
    response = edit(alice, "Plan", BASE.replace("April", "June"), base=base)
    assert response.status_code == 409  # only Alice may say whether Bob's day stays
    assert latest_text("Plan") == BASE.replace("April", "May 3")
    # And the other way round: Bob's change first, then Alice's own save over it.
    again = open_editor(alice, "Plan")
    edit(bob, "Plan", BASE.replace("April", "July"))
    edit(alice, "Plan", BASE.replace("April", "July 9"))
    response = edit(alice, "Plan", BASE.replace("April", "August"), base=again)
    assert response.status_code == 409  # that tab was opened before Bob changed the date


def test_a_save_written_with_others_is_not_overwritten_as_ones_own(two_editors, people):
    from wiki.live.models import RevisionCoauthor

    alice, _bob = two_editors
    base = open_editor(alice, "Plan")
    # Alice saves what she and Carol typed together in the live editor (Carol credited).
    edit(alice, "Plan", BASE.replace("April", "May, as Carol wrote"))
    with write_transaction():
        newest = db.session.scalar(db.select(Revision.id).order_by(Revision.id.desc()))
        db.session.add(RevisionCoauthor(revision_id=newest, user_id=people["carol"].id))
    response = edit(alice, "Plan", BASE.replace("April", "June"), base=base)
    assert response.status_code == 409  # Carol's words are not Alice's to drop unasked
    assert latest_text("Plan") == BASE.replace("April", "May, as Carol wrote")


def test_conflict_text_survives_a_reload_as_a_draft(two_editors):
    alice, bob = two_editors
    base = open_editor(bob, "Plan")
    edit(alice, "Plan", BASE.replace("April", "May"))
    edit(bob, "Plan", BASE.replace("April", "June"), base=base)
    html = bob.get("/edit/Plan").get_data(as_text=True)
    assert "You have an unsaved draft" in html
    assert "The page has changed since your draft began" in html
    restored = bob.get("/edit/Plan?draft=1").get_data(as_text=True)
    assert f">{BASE.replace('April', 'June')}</textarea>" in restored
    assert form_value(restored, "base_revision") == base


def test_autosaved_draft_is_offered_and_discarded(client, make_user, auth, make_page):
    make_user("alice")
    auth.login("alice")
    make_page("Notes", "one")
    base = open_editor(client, "Notes")
    data = {"text": "one and two", "summary": "wip", "base_revision": base}
    saved = client.post("/draft/Notes", data=data)
    assert saved.status_code == 200 and saved.json["message"] == "Draft saved"
    html = client.get("/edit/Notes").get_data(as_text=True)
    assert "You have an unsaved draft" in html
    assert "The page has changed" not in html
    client.post("/draft/Notes/discard", data={})
    assert "unsaved draft" not in client.get("/edit/Notes").get_data(as_text=True)


def test_saving_removes_the_draft(client, make_user, auth, make_page):
    make_user("alice")
    auth.login("alice")
    make_page("Notes", "one")
    base = open_editor(client, "Notes")
    client.post("/draft/Notes", data={"text": "two", "summary": "", "base_revision": base})
    edit(client, "Notes", "two", base=base)
    assert db.session.scalar(db.select(db.func.count(Draft.id))) == 0


def test_draft_needs_login_and_valid_base(client, make_user, auth, make_page):
    assert client.post("/draft/Notes", data={"text": "x"}).status_code == 403
    make_user("alice")
    auth.login("alice")
    other = make_page("Other", "x")
    data = {"text": "x", "base_revision": str(other.latest_revision_id)}
    assert client.post("/draft/Notes", data=data).status_code == 400


def test_expired_session_keeps_text(client, make_user, make_page):
    make_page("Plan", BASE)
    response = client.post(
        "/edit/Plan", data={"text": "typed while logged out", "base_revision": "1"}
    )
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert "not logged in" in html and "typed while logged out</textarea>" in html


def test_undo_removes_just_that_edit(client, make_user, auth, make_page):
    make_user("alice")
    auth.login("alice")
    page = make_page(
        "Plan",
        BASE,
        BASE.replace("April", "May"),
        BASE.replace("April", "May").replace("Milan", "Rome"),
    )
    ids = list(
        db.session.scalars(
            db.select(Revision.id).where(Revision.page_id == page.id).order_by(Revision.id)
        )
    )
    html = client.get(f"/undo/Plan?rev={ids[1]}").get_data(as_text=True)
    undone = BASE.replace("Milan", "Rome")
    assert f">{undone}</textarea>" in html
    assert f"Undo revision {ids[1]} by pagebot" in html
    assert '<span class="word-changed">April</span>' in html
    data = {
        "text": undone,
        "summary": "undo",
        "base_revision": str(ids[2]),
        "kind": "undo",
        "action": "save",
    }
    assert client.post("/edit/Plan", data=data).status_code == 302
    newest = db.session.scalar(db.select(Revision).order_by(Revision.id.desc()))
    assert (newest.kind, newest.text) == ("undo", undone)


def test_undoing_an_edit_already_undone_says_so_and_offers_no_empty_save(
    client, make_user, auth, make_page
):
    make_user("alice")
    auth.login("alice")
    page = make_page("Plan", BASE, BASE.replace("April", "May"), BASE)  # the last undid it
    _first, undone = list(
        db.session.scalars(
            db.select(Revision.id).where(Revision.page_id == page.id).order_by(Revision.id)
        )
    )[:2]
    response = client.get(f"/undo/Plan?rev={undone}")
    assert response.status_code == 302 and response.headers["Location"] == "/history/Plan"
    assert "This edit is already undone" in client.get("/history/Plan").get_data(as_text=True)


def test_undo_with_later_edit_to_same_words_shows_conflict(client, make_user, auth, make_page):
    make_user("alice")
    auth.login("alice")
    page = make_page("Plan", BASE, BASE.replace("April", "May"), BASE.replace("April", "June"))
    ids = list(
        db.session.scalars(
            db.select(Revision.id).where(Revision.page_id == page.id).order_by(Revision.id)
        )
    )
    response = client.get(f"/undo/Plan?rev={ids[1]}")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "can&#39;t be undone automatically" in html or "can't be undone automatically" in html
    assert "<mark>June</mark>" in html


def test_restore_makes_a_new_revision(client, make_user, auth, make_page):
    make_user("alice")
    auth.login("alice")
    page = make_page("Plan", "first", "second")
    first = db.session.scalar(
        db.select(Revision.id).where(Revision.page_id == page.id).order_by(Revision.id)
    )
    assert client.post(f"/restore/{first}", data={}).status_code == 302
    revisions = db.session.scalars(db.select(Revision).order_by(Revision.id)).all()
    assert [r.text for r in revisions] == ["first", "second", "first"]
    assert revisions[-1].kind == "restore"
    # Who restored, and who wrote what was restored (issue 11: it read as if the author had).
    assert revisions[-1].summary == f"alice restored revision {first} (written by pagebot)"


def test_a_restore_says_why_when_told(client, make_user, auth, make_page):
    make_user("alice")
    auth.login("alice")
    page = make_page("Plan", "first", "second")
    first = db.session.scalar(
        db.select(Revision.id).where(Revision.page_id == page.id).order_by(Revision.id)
    )
    form = text(client.get(f"/revision/{first}"))
    assert 'name="reason"' in form
    client.post(f"/restore/{first}", data={"reason": "  The second\nversion was wrong  "})
    latest = db.session.scalar(db.select(Revision).order_by(Revision.id.desc()))
    assert latest.summary.endswith("(written by pagebot): The second version was wrong")
    assert "The second version was wrong" in text(client.get("/history/Plan"))


@pytest.mark.parametrize(
    ("role", "status"), [(Role.EDITOR, 403), (Role.MODERATOR, 302), (Role.ADMIN, 302)]
)
def test_rollback_reverts_last_editors_run(client, make_user, auth, make_page, role, status):
    good, vandal = make_user("good"), make_user("vandal")
    make_user("mod", role=role)
    make_page("Plan", "good text", author=good)
    page = make_page("Plan", "spam", "more spam", author=vandal)
    auth.login("mod")
    response = client.post("/rollback/Plan", data={"latest": str(page.latest_revision_id)})
    assert response.status_code == status
    if status == 302:
        newest = db.session.scalar(db.select(Revision).order_by(Revision.id.desc()))
        assert (newest.text, newest.kind) == ("good text", "rollback")
        assert newest.summary == "Reverted edits by vandal to the last revision by good"


def test_rollback_is_offered_only_when_someone_elses_version_exists(
    client, make_user, auth, make_page
):
    only = make_user("only")
    make_user("mod", role=Role.MODERATOR)
    make_page("Solo", "one", "two", author=only)
    auth.login("mod")
    assert "rollback-form" not in text(client.get("/history/Solo"))  # nothing to return to
    make_page("Solo", "three", author=make_user("other"))
    assert "rollback-form" in text(client.get("/history/Solo"))


def test_rollback_names_whose_edits_and_how_many(client, make_user, auth, make_page):
    make_user("mod", role=Role.MODERATOR)
    make_page("Plan", "good text", author=make_user("good"))
    make_page("Plan", "spam", "more spam", "most spam", author=make_user("vandal"))
    auth.login("mod")
    assert "Roll back vandal’s 3 edits" in text(client.get("/history/Plan"))
    make_page("Plan", "fixed", author=make_user("fixer"))
    assert "Roll back fixer’s edit" in text(client.get("/history/Plan"))


def test_rollback_tells_two_visitors_without_accounts_apart(client, people, auth, make_page):
    save_policy(people["admin"], edit="everyone")
    make_page("Plan", "good text")
    for body, address in (("first visitor", "198.51.100.7"), ("second visitor", "203.0.113.9")):
        save_page(
            parse_title("Plan"),
            body,
            author=None,
            author_ip=address,
            base_revision_id=latest_id("Plan"),
        )
    auth.login("admin")
    history = text(client.get("/history/Plan"))
    assert "Roll back 203.0.113.x’s edit" in history
    client.post("/rollback/Plan", data={"latest": str(latest_id("Plan"))})
    assert latest_text("Plan") == "first visitor"  # only the second visitor's edit went
    newest = db.session.scalar(db.select(Revision).order_by(Revision.id.desc()))
    assert newest.summary == "Reverted edits by 203.0.113.x to the last revision by 198.51.100.x"


def test_rollback_refuses_when_page_changed_since(client, make_user, auth, make_page):
    make_user("mod", role=Role.MODERATOR)
    page = make_page("Plan", "a", "b")
    seen = page.latest_revision_id
    make_page("Plan", "c")
    auth.login("mod")
    assert client.post("/rollback/Plan", data={"latest": str(seen)}).status_code == 409


def test_rollback_is_logged(client, make_user, auth, make_page):
    from wiki.modlog import LogEntry

    make_page("Plan", "good text", author=make_user("good"))
    page = make_page("Plan", "spam", author=make_user("vandal"))
    make_user("mod", role=Role.MODERATOR)
    auth.login("mod")
    client.post("/rollback/Plan", data={"latest": str(page.latest_revision_id)})
    entry = db.session.scalar(db.select(LogEntry))
    assert (entry.action, entry.actor.username, entry.target) == ("rollback", "mod", "Plan")
    assert "vandal" in entry.reason


def test_receivers_hear_of_a_save_first_without_then_with_its_render(two_editors):
    """revision_added comes first (its receivers work while the render finishes), then
    page_saved with the rendered HTML; both inside the save's transaction."""
    from wiki import events

    alice, _bob = two_editors
    heard = []

    def added(_app, *, revision, published, **extra):
        heard.append(("added", revision.text, published, "rendered" in extra))

    def saved(_app, *, revision, rendered, **_extra):
        heard.append(("saved", revision.text, "<strong>May</strong>" in rendered.html))

    events.revision_added.connect(added)
    events.page_saved.connect(saved)
    try:
        edit(alice, "Plan", BASE.replace("April", "**May**"), summary="new date")
    finally:
        events.revision_added.disconnect(added)
        events.page_saved.disconnect(saved)
    text = BASE.replace("April", "**May**")
    assert heard == [("added", text, True, False), ("saved", text, True)]


def test_a_failing_revision_added_receiver_keeps_the_page_and_the_text(two_editors):
    from wiki import events

    alice, _bob = two_editors

    def fail(_app, **_extra):
        raise RuntimeError("a receiver failed")

    events.revision_added.connect(fail)
    try:
        with pytest.raises(RuntimeError):
            edit(alice, "Plan", BASE.replace("April", "May"), summary="new date")
    finally:
        events.revision_added.disconnect(fail)
    assert latest_text("Plan") == BASE


def test_undoing_a_move_says_it_changed_no_text(client, make_user, auth, make_page, people):
    from wiki.organise import moves

    make_user("alice")
    auth.login("alice")
    make_page("Plan", BASE)
    moves.move_page(parse_title("Plan"), parse_title("Roadmap"), user=people["alice"])
    moved = db.session.scalar(db.select(Revision).where(Revision.kind == "move"))
    response = client.get(f"/undo/Roadmap?rev={moved.id}")
    assert response.status_code == 302
    assert "This edit changed no text" in client.get("/history/Roadmap").get_data(as_text=True)


def test_a_reviewers_rejection_is_not_undone_by_their_own_older_tab(
    app, two_editors, people, login_as
):
    from tests.helpers import page_named, save
    from wiki.review import publishing

    _alice, bob = two_editors
    app.config["REVIEW_POLICY"] = "newcomers"
    waiting = save("Plan", BASE.replace("Milan", "Milan, free entry fro all"), people["newbie"])
    mod = login_as(people["mod"])
    base = open_editor(mod, "Plan")  # an older tab, with the waiting sentence in it
    publishing.reject(people["mod"], page_named("Plan"), waiting.revision.id, "Not true")
    edit(bob, "Plan", BASE.replace("Spring is here.", "Spring is here!"))
    fixed = BASE.replace("Milan", "Milan, free entry for all")  # the typo fixed in the old tab
    response = edit(mod, "Plan", fixed, base=base)
    # The rejection took the sentence out: an older tab's text must not silently put it back.
    assert response.status_code == 409
    assert "free entry" not in latest_text("Plan")


def test_a_reviewers_rejection_is_not_undone_by_their_older_tab_when_nobody_else_saved(
    app, two_editors, people, login_as
):
    """Only the reviewer saved since the tab was opened, but their rejection is not their
    writing: the tab's text over it is merged, and the passage it took out conflicts."""
    from tests.helpers import page_named, save
    from wiki.review import publishing

    app.config["REVIEW_POLICY"] = "newcomers"
    waiting = save("Plan", BASE.replace("Milan", "Milan, free entry fro all"), people["newbie"])
    mod = login_as(people["mod"])
    base = open_editor(mod, "Plan")
    publishing.reject(people["mod"], page_named("Plan"), waiting.revision.id, "Not true")
    fixed = BASE.replace("Milan", "Milan, free entry for all")
    response = edit(mod, "Plan", fixed, base=base)
    assert response.status_code == 409
    assert "free entry" not in latest_text("Plan")
    # Elsewhere in the page the older tab's change merges with the rejection cleanly.
    other = BASE.replace("Milan", "Milan, free entry fro all").replace(
        "Spring is here.", "Spring is here!"
    )
    response = edit(mod, "Plan", other, base=base)
    assert response.status_code == 302
    assert "Spring is here!" in latest_text("Plan")
    assert "free entry" not in latest_text("Plan")
