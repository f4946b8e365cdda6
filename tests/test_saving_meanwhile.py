"""What a save does when something changes while it merges and renders (unlocked): the
rows that matter are read again under the lock; what a process keeps of texts and word
authorship is never served once storage holds something else."""

import threading
import zlib

from sqlalchemy import delete, select

from tests.helpers import edit, edits, form_value, page_named, save
from wiki.anchors import authorship
from wiki.anchors.models import RevisionAuthorship
from wiki.core.authorship import Attribution, from_stored_form
from wiki.extensions import db
from wiki.identity import user_key
from wiki.integrity import check_all
from wiki.models import RenderedText, Revision, Role, TextBlob, User, reading_storage
from wiki.pages import content, saving
from wiki.review.models import PUBLISHED, WAITING, RevisionReview
from wiki.safety.accounts import set_role

OLD = "Our product is fast."
NEW = "Our product is fast and zanzibarquux."


def _in_other(other, change) -> None:
    """Run change(user_named) in another app on the same database (another process)."""
    with other.app_context():

        def user(name: str) -> User:
            return db.session.scalar(select(User).where(User.key == user_key(name)))

        change(user)
        db.session.remove()


def test_a_reviewer_demoted_while_their_save_renders_does_not_publish_waiting_changes(
    app, other, people, make_page, login_as, monkeypatch
):
    """The publication rule judges the role the author has when the save takes the lock."""
    app.config["REVIEW_POLICY"] = "newcomers"
    make_page("Product", OLD)
    people["admin"]
    rita = people["rita"]
    with db.session.begin():
        rita.role = Role.REVIEWER
    waiting = save("Product", NEW, people["newbie"]).revision.id
    assert db.session.get(RevisionReview, waiting).state == WAITING
    published = page_named("Product").published_revision_id
    client = login_as("rita")
    form = client.get("/edit/Product")
    assert form.status_code == 200

    render = content.render_soon
    done = []

    def render_then_demote(text):
        # While the optimistic attempt renders (no lock held), an admin in another process
        # takes rita's reviewer role away; the demotion commits before the save's write.
        if not done:
            done.append(True)
            _in_other(
                other,
                lambda user: set_role(user("admin"), user("rita"), str(int(Role.EDITOR)), ""),
            )
        return render(text)

    monkeypatch.setattr(content, "render_soon", render_then_demote)
    response = edit(client, "Product", NEW + "\n\nChecked.", publish_waiting="1")
    assert response.status_code == 302
    assert done
    db.session.rollback()
    db.session.expire_all()
    # rita is an editor (a newcomer) when her save takes the lock: her edit must wait, and she
    # must not publish the newcomer's waiting change as a reviewer.
    assert db.session.get(User, rita.id).role == Role.EDITOR
    assert db.session.get(RevisionReview, waiting).state == WAITING
    assert page_named("Product").published_revision_id == published
    states = set(db.session.scalars(select(RevisionReview.state)))
    assert PUBLISHED not in states


def test_a_render_slower_than_the_lock_allows_lets_others_write_then_saves(
    app, other, people, make_page, login_as, monkeypatch
):
    """A save renders while it appends its revision under the lock; a render that takes
    longer lets the lock go (SQLite: the whole database's) and the save waits unlocked."""
    make_page("Slow", "Version one.")
    make_page("Elsewhere", "Other page.")
    people["bob"]
    client = login_as(people["alice"])
    holding = threading.Event()
    publish = saving._publish_if_allowed

    def publish_then_say_so(*args, **kwargs):
        decided = publish(*args, **kwargs)
        holding.set()  # the save holds its lock, and waits for its render next
        return decided

    render = content.render
    started, saved = [], []

    def render_after_another_save(text, *args, **options):
        if not started:
            started.append(True)
            assert holding.wait(10)
            _in_other(
                other,
                lambda user: saved.append(save("Elsewhere", "Changed meanwhile.", user("bob"))),
            )
        return render(text, *args, **options)

    monkeypatch.setattr(saving, "_publish_if_allowed", publish_then_say_so)
    monkeypatch.setattr(content, "render", render_after_another_save)
    assert edit(client, "Slow", "Version two.").status_code == 302
    assert saved  # another process wrote while this save's render was pending
    db.session.expire_all()
    assert page_named("Slow").latest.text == "Version two."
    assert page_named("Elsewhere").latest.text == "Changed meanwhile."


PLAN = "".join(f"Line {n}: our spring launch, in Milan, with partners.\n" for n in range(300))


def test_a_save_merging_while_compact_texts_runs_records_its_texts_true_depth(
    app, other, people, login_as, monkeypatch
):
    """flask compact-texts (another process) turning the latest text into a delta while a
    save merges with it: the new text's depth counts the delta (chains stay bounded)."""

    first = save("Plan", PLAN, people["alice"]).revision.id
    theirs = PLAN.replace("Line 200:", "Line 200 (theirs):")
    latest = save("Plan", theirs, people["bob"]).revision.id
    # The latest text stored whole, as every text of a wiki from before 0009 is.
    blob = db.session.get(Revision, latest).blob
    blob.data, blob.base_id, blob.depth = zlib.compress(theirs.encode()), None, 0
    db.session.commit()
    db.session.expunge_all()

    client = login_as("alice")
    render = content.render_soon
    done = []

    def render_then_compact(text):
        if not done:
            done.append(True)
            with other.app_context():
                content.compact_texts()
                db.session.remove()
        return render(text)

    monkeypatch.setattr(content, "render_soon", render_then_compact)
    mine = PLAN.replace("Line 3:", "Line 3 (mine):")
    # Opened on the first revision: the save merges with bob's, reading his text first.
    response = edit(client, "Plan", mine, base=str(first))
    assert response.status_code == 302 and done
    db.session.expunge_all()
    stored = {b.id: b for b in db.session.scalars(select(TextBlob))}
    assert db.session.get(Revision, latest).blob.depth == 1  # compacted meanwhile
    newest = db.session.scalar(select(Revision).order_by(Revision.id.desc()).limit(1))
    assert newest.blob.base_id == db.session.get(Revision, latest).text_id
    assert newest.blob.depth == stored[newest.blob.base_id].depth + 1
    assert check_all() == []


def test_a_record_rewritten_elsewhere_is_served_as_storage_holds_it(app, other, people):
    """Another process rewrites the page's last two authorship records (as backfill does,
    oldest first, each on the one before) with a run boundary moved by a character: this
    process, which kept the old records, serves the rewritten ones."""
    for number, text in enumerate(edits(30)):
        save("Conti", text, people["giulia"] if number % 2 else people["marco"])
    ids = list(db.session.scalars(select(Revision.id).order_by(Revision.id)))
    last, before_last = ids[-1], ids[-2]
    assert db.session.get(RevisionAuthorship, last).base_id == before_last
    kept_runs = authorship.stored_with_counts(last)[0].runs  # kept by this process

    def moved(runs):
        """Move one character from the second run to the first."""
        runs = list(runs)
        (s1, e1, r1), (s2, e2, r2) = runs[0], runs[1]
        runs[0], runs[1] = (s1, e1 + 1, r1), (s2 + 1, e2, r2)
        return tuple(runs)

    with other.app_context():
        revisions = [db.session.get(Revision, i) for i in (ids[-3], before_last, last)]
        forms = [db.session.get(RevisionAuthorship, r.id).form for r in revisions]
        (runs1, counts1), (runs2, counts2) = from_stored_form(forms[1]), from_stored_form(forms[2])
        assert runs1[:2] == runs2[:2] and runs1[1][1] - runs1[1][0] > 1  # a line both share
        base = db.session.get(RevisionAuthorship, revisions[0].id)
        one = Attribution(revisions[1].text, moved(runs1))
        two = Attribution(revisions[2].text, moved(runs2))
        mid = authorship._store(revisions[1].page_id, revisions[1], one, counts1, base)
        authorship._store(revisions[2].page_id, revisions[2], two, counts2, mid)
        db.session.commit()
        db.session.remove()

    db.session.rollback()  # a new request: a new snapshot
    db.session.expunge_all()
    with reading_storage():
        in_storage = authorship.stored_with_counts(last)[0].runs
    assert in_storage == moved(kept_runs)  # storage holds the rewritten record
    db.session.expunge_all()
    assert authorship.stored_with_counts(last)[0].runs == in_storage
    assert check_all() == []


def test_a_whole_text_reads_outside_an_app_context_as_before():
    """A text stored whole reads without an app or a session (nothing is kept then)."""
    blob = TextBlob(sha1="x", data=zlib.compress(b"hello"), base_id=None, depth=0)
    assert blob.text == "hello"


def test_a_page_view_caching_its_html_while_another_process_writes_still_answers(
    app, other, client, people, make_page, monkeypatch
):
    """A page whose HTML is not cached (a new renderer, a pruned row) is rendered by the
    first view, which keeps the HTML; another process committing meanwhile must not turn
    that into an error (SQLite refuses a write from a transaction whose snapshot is older
    than someone else's commit)."""
    sha1 = make_page("Listino", "Il caffè costa **due** euro.").latest.sha1
    db.session.execute(delete(RenderedText))
    db.session.commit()
    db.session.expunge_all()
    render, done = content.render, []

    def render_while_another_saves(text, *args, **kwargs):
        if not done:
            done.append(True)
            with other.app_context():
                author = db.session.scalar(select(User).where(User.key == user_key("pagebot")))
                save("Altro", "Un'altra pagina.", author)
                db.session.remove()
        return render(text, *args, **kwargs)

    monkeypatch.setattr(content, "render", render_while_another_saves)
    response = client.get("/wiki/Listino")
    assert response.status_code == 200 and done
    assert "<strong>due</strong>" in response.get_data(as_text=True)
    db.session.rollback()
    kept = db.session.scalar(select(RenderedText).where(RenderedText.sha1 == sha1))
    assert kept is not None and "<strong>due</strong>" in kept.html


def test_a_save_merged_before_the_lock_takes_in_what_was_saved_meanwhile_in_one_merge(
    app, other, people, make_page, login_as, monkeypatch
):
    """A save merges and renders before it takes the page's lock; if someone saved in the
    meantime, it merges what they changed into its merged text (it does not merge from its
    base again: on a busy page that work was done twice, inside the lock)."""

    def changed(text: str, at: int, words: str) -> str:
        out = text.splitlines(keepends=True)
        out[at] = f"Line {at}: {words}\n"
        return "".join(out)

    make_page("Plan", PLAN)
    people["bob"], people["carol"]
    client = login_as(people["alice"])
    base = form_value(client.get("/edit/Plan").get_data(as_text=True), "base_revision")
    save("Plan", changed(PLAN, 5, "Bob's line."), people["bob"])
    render, merges, meanwhile, started = content.render_soon, [], [], []

    def render_while_carol_saves(text):
        if not started:  # Alice's first render (Carol's own save renders too)
            started.append(True)
            _in_other(
                other,
                lambda user: meanwhile.append(
                    save(
                        "Plan",
                        changed(changed(PLAN, 5, "Bob's line."), 100, "Carol's."),
                        user("carol"),
                    ).revision.id
                ),
            )
        return render(text)

    merge = saving.merge3

    def counted(base_text, mine, theirs):
        merges.append((base_text, theirs))
        return merge(base_text, mine, theirs)

    monkeypatch.setattr(content, "render_soon", render_while_carol_saves)
    monkeypatch.setattr(saving, "merge3", counted)
    response = edit(client, "Plan", changed(PLAN, 250, "Alice's."), base=base)
    assert response.status_code == 302 and meanwhile
    db.session.expire_all()
    expected = changed(changed(changed(PLAN, 5, "Bob's line."), 100, "Carol's."), 250, "Alice's.")
    assert page_named("Plan").latest.text == expected
    # First with Bob's text from her base; then, under the lock, Carol's change onto that.
    assert [b == PLAN for b, _ in merges] == [True, False]
    carols = db.session.get(Revision, meanwhile[0]).text
    assert merges[1] == (changed(PLAN, 5, "Bob's line."), carols)
