"""The JSON API: tokens, reading and saving pages, conflicts, scopes, idempotency, cursors."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from tests.helpers import latest_id, latest_text, save, text
from wiki.access.policy import save_policy
from wiki.api import tokens
from wiki.api.models import ApiToken
from wiki.database import write_transaction
from wiki.extensions import db
from wiki.models import utcnow
from wiki.safety import accounts
from wiki.safety.limits import category_of

PAGE = "/api/v1/pages/Spring_Campaign"


def bearer(raw: str) -> dict:
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def token(people):
    """Return the headers of a token of alice's that may read, edit and talk."""
    _token, raw = tokens.create_token(people["alice"], "CMS", ["edit", "talk"])
    return bearer(raw)


@pytest.fixture
def campaign(make_page, people):
    return make_page("Spring Campaign", "# Spring\n\nIntro.\n\nBudget: 10k.", author=people["bob"])


# Tokens


def test_a_token_is_shown_once_and_stored_only_as_a_hash(client, auth, people):
    auth.login(people["alice"])
    response = client.post("/preferences/tokens", data={"token_name": "CMS", "scopes": "edit"})
    assert response.status_code == 200
    page = text(response)
    raw = page.split('id="new-token">')[1].split("<")[0]
    assert raw.startswith("bot_")
    row = db.session.scalar(select(ApiToken))
    assert row.token_hash == tokens.token_hash(raw) and raw not in row.token_hash
    assert row.scope_list == ["read", "edit"]
    assert raw not in text(client.get("/preferences/tokens"))
    assert raw not in text(client.get("/preferences"))
    me = client.get("/api/v1/me", headers=bearer(raw)).get_json()
    expires = me.pop("expires_at")
    assert me == {"user": "alice", "role": "editor", "token": "CMS", "scopes": ["read", "edit"]}
    # Made without choosing: it works for 90 days.
    assert (datetime.fromisoformat(expires) - row.created_at).days == 90


def test_a_token_works_until_it_expires_then_says_so(client, auth, people):
    auth.login(people["alice"])
    response = client.post(
        "/preferences/tokens", data={"token_name": "Launch bot", "expires": "7"}
    )
    raw = text(response).split('id="new-token">')[1].split("<")[0]
    client.post("/logout", data={})
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 200
    row = db.session.scalar(select(ApiToken))
    assert (row.expires_at - row.created_at).days == 7
    # Its week is over (set in the database: no waiting on the clock).
    with write_transaction() as session:
        session.get(ApiToken, row.id).expires_at = utcnow() - timedelta(days=2)
    response = client.get("/api/v1/me", headers=bearer(raw))
    assert response.status_code == 401
    detail = response.get_json()["detail"]
    day = (utcnow() - timedelta(days=2)).date().isoformat()
    assert "Launch bot" in detail and "expired" in detail and day in detail
    assert client.put(PAGE, json={"text": "x"}, headers=bearer(raw)).status_code == 401
    auth.login(people["alice"])
    listed = text(client.get("/preferences/tokens"))
    assert "Expired" in listed and "Launch bot" in listed


def test_a_token_can_be_made_to_last_until_revoked(client, auth, people):
    auth.login(people["alice"])
    response = client.post("/preferences/tokens", data={"token_name": "Sync", "expires": "never"})
    raw = text(response).split('id="new-token">')[1].split("<")[0]
    assert db.session.scalar(select(ApiToken.expires_at)) is None
    assert client.get("/api/v1/me", headers=bearer(raw)).get_json()["expires_at"] is None


def test_an_expiry_not_offered_is_refused_and_the_form_keeps_the_rest(client, auth, people):
    auth.login(people["alice"])
    form = {"token_name": "Sync", "scopes": "talk", "expires": "100000"}
    response = client.post("/preferences/tokens", data=form)
    assert response.status_code == 400
    page = text(response)
    assert "Choose when the token expires" in page
    assert 'value="Sync"' in page and 'value="talk" checked' in page
    assert db.session.scalar(select(ApiToken)) is None


def test_a_token_needs_a_name_and_the_form_keeps_what_was_typed(client, auth, people):
    auth.login(people["alice"])
    response = client.post("/preferences/tokens", data={"token_name": "  ", "scopes": "talk"})
    assert response.status_code == 400
    assert "Give the token a name" in text(response)
    assert 'value="talk" checked' in text(response)


def test_a_revoked_token_stops_working_at_once(client, auth, people, token):
    assert client.get("/api/v1/me", headers=token).status_code == 200
    row = db.session.scalar(select(ApiToken))
    assert row.last_used_at is not None
    auth.login(people["alice"])
    assert client.post(f"/preferences/tokens/{row.id}/revoke", data={}).status_code == 302
    client.post("/logout", data={})
    response = client.get("/api/v1/me", headers=token)
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "revoked" in response.get_json()["detail"]


def test_nobody_revokes_another_persons_token(client, auth, people, token):
    row = db.session.scalar(select(ApiToken))
    auth.login(people["bob"])
    assert client.post(f"/preferences/tokens/{row.id}/revoke", data={}).status_code == 404


def test_a_malformed_authorization_header_is_a_clear_401(client):
    response = client.get("/api/v1/me", headers={"Authorization": "Token abc"})
    assert response.status_code == 401
    assert "Bearer" in response.get_json()["detail"]


def test_tokens_work_only_under_the_api(client, token, campaign):
    """A stolen token opens no HTML form: the site ignores it outside /api/."""
    response = client.get("/edit/Spring_Campaign", headers=token)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# Reading


def test_read_a_page_with_its_revision_and_etag(client, campaign):
    response = client.get(PAGE)
    assert response.status_code == 200
    body = response.get_json()
    assert body["title"] == "Spring Campaign"
    assert body["text"] == "# Spring\n\nIntro.\n\nBudget: 10k."
    assert "<h1" in body["html"] and body["revision"] == campaign.latest_revision_id
    assert response.headers["ETag"] == f'"{campaign.latest_revision_id}"'
    again = client.get(PAGE, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_a_page_read_for_another_site_has_links_and_images_on_the_sites_address(
    app, client, make_page, people, login_as
):
    from tests import file_samples as samples

    alice = people["alice"]
    make_page("Home", "Welcome.")
    picture = samples.png(width=800, height=400)
    assert samples.upload(login_as(alice), picture, "Booth.png").status_code == 302
    make_page("Fair", "See [[Home]] and ![Our booth](File:Booth.png).", author=alice)
    plain = client.get("/api/v1/pages/Fair").get_json()["html"]
    assert 'href="/wiki/Home"' in plain and 'src="/thumb/' in plain
    response = client.get("/api/v1/pages/Fair?absolute_urls=1")
    html = response.get_json()["html"]
    assert 'href="http://localhost/wiki/Home"' in html
    assert 'src="http://localhost/thumb/' in html
    assert ' src="/' not in html and ' href="/' not in html and ", /thumb/" not in html
    assert response.headers["ETag"] != client.get("/api/v1/pages/Fair").headers["ETag"]
    # With the site's address set, that one: not whatever host the request named.
    app.config["SITE_URL"] = "https://wiki.example.com/"
    html = client.get("/api/v1/pages/Fair?absolute_urls=1").get_json()["html"]
    assert 'href="https://wiki.example.com/wiki/Home"' in html


def test_a_program_can_tell_waiting_text_from_published_and_ask_for_the_published(
    app, client, token, campaign, people
):
    from tests.helpers import save

    published = campaign.latest_revision_id
    app.config["REVIEW_POLICY"] = "newcomers"
    waiting = save("Spring Campaign", "# Spring\n\nUnreviewed words.", people["newbie"])
    body = client.get(PAGE, headers=token).get_json()  # alice may see waiting changes
    assert body["revision"] == waiting.revision.id and body["published"] is False
    assert body["published_revision"] == published
    stable = client.get(PAGE + "?stable=1", headers=token)
    assert stable.status_code == 200 and stable.headers["ETag"] == f'"{published}"'
    assert stable.get_json()["published"] is True
    assert "Unreviewed" not in stable.get_json()["text"]
    save("Launch", "Not reviewed yet.", people["newbie"])
    nothing = client.get("/api/v1/pages/Launch?stable=1", headers=token)
    assert nothing.status_code == 404 and "no published version" in nothing.get_json()["detail"]


def test_history_items_say_how_each_revision_was_reviewed(app, client, token, campaign, people):
    from tests.helpers import save
    from wiki.review import publishing

    created = campaign.latest_revision_id
    app.config["REVIEW_POLICY"] = "newcomers"
    first = save("Spring Campaign", "# Spring\n\nA newcomer's words.", people["newbie"])
    publishing.accept(people["mod"], campaign, first.revision.id)
    second = save("Spring Campaign", "# Spring\n\nMore of them.", people["newbie"])
    history = client.get("/api/v1/pages/Spring_Campaign/history", headers=token).get_json()
    reviewed = {item["id"]: item["review"] for item in history["items"]}
    assert reviewed == {
        second.revision.id: "waiting",
        first.revision.id: "accepted",
        created: None,  # published at once: it needed no review
    }
    publishing.reject(people["mod"], campaign, second.revision.id, "Off topic")
    history = client.get("/api/v1/pages/Spring_Campaign/history", headers=token).get_json()
    newest, rejected = history["items"][:2]
    assert (rejected["id"], rejected["review"]) == (second.revision.id, "rejected")
    assert (newest["kind"], newest["review"]) == ("reject", None)  # the reviewer's own
    one = client.get(f"/api/v1/revisions/{second.revision.id}", headers=token).get_json()
    assert one["review"] == "rejected"


def test_a_missing_page_is_a_problem_document(client):
    response = client.get("/api/v1/pages/Nowhere")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 404 and body["detail"]


def test_history_is_paginated_by_cursor(client, make_page):
    make_page("Log", *[f"version {n}" for n in range(5)])
    first = client.get("/api/v1/pages/Log/history?limit=2")
    body = first.get_json()
    assert [item["size"] for item in body["items"]] == [9, 9]
    ids = [item["id"] for item in body["items"]]
    assert 'rel="next"' in first.headers["Link"]
    seen = list(ids)
    cursor = body["next_cursor"]
    while cursor:
        body = client.get(f"/api/v1/pages/Log/history?limit=2&cursor={cursor}").get_json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
    assert seen == sorted(seen, reverse=True) and len(seen) == 5
    assert client.get("/api/v1/pages/Log/history?cursor=@@@").status_code == 400


def test_diff_and_old_revision(client, make_page):
    page = make_page("Plan", "one\ntwo\n", "one\nthree\n")
    body = client.get("/api/v1/pages/Plan/diff").get_json()
    assert body["to"] == page.latest_revision_id and body["added"] == 1 and body["removed"] == 1
    assert "-two" in body["unified"] and "+three" in body["unified"]
    old = client.get(f"/api/v1/revisions/{body['from']}").get_json()
    assert old["text"] == "one\ntwo\n" and old["title"] == "Plan"


def test_recent_changes_and_search(client, make_page, people):
    make_page("Launch Plan", "The launch of the spring webinar.")
    make_page("Other", "Nothing here.")
    items = client.get("/api/v1/recent?limit=1").get_json()
    assert len(items["items"]) == 1 and items["next_cursor"]
    more = client.get(f"/api/v1/recent?limit=5&cursor={items['next_cursor']}").get_json()
    titles = [item["title"] for item in items["items"] + more["items"]]
    assert sorted(titles) == ["Launch Plan", "Other"]
    found = client.get("/api/v1/search?q=webinar").get_json()
    assert [hit["title"] for hit in found["items"]] == ["Launch Plan"]
    assert "webinar" in found["items"][0]["snippet"]


def test_talk_through_the_api(client, token, campaign):
    started = client.post(
        f"{PAGE}/talk", json={"subject": "Tone", "body": "Too **formal**?"}, headers=token
    )
    assert started.status_code == 201, started.get_json()
    topic = started.get_json()["topic"]
    assert (
        topic["subject"] == "Tone"
        and "<strong>formal</strong>" in started.get_json()["comment"]["html"]
    )
    first = started.get_json()["comment"]["id"]
    reply = client.post(
        f"/api/v1/topics/{topic['id']}/comments",
        json={"body": "Not at all.", "parent": first},
        headers=token,
    )
    assert reply.status_code == 201
    listed = client.get(f"{PAGE}/talk").get_json()["items"]
    assert [row["subject"] for row in listed] == ["Tone"] and listed[0]["comments"] == 2
    shown = client.get(f"/api/v1/topics/{topic['id']}?limit=1").get_json()
    assert [c["body"] for c in shown["items"]] == ["Too **formal**?"] and shown["next_cursor"]


# Saving


def test_create_then_edit_a_page(client, token):
    created = client.put("/api/v1/pages/New_Page", json={"text": "Hello."}, headers=token)
    assert created.status_code == 201
    body = created.get_json()
    assert body["created"] and body["changed"] and body["revision"] == latest_id("New Page")
    assert created.headers["Location"].endswith("/api/v1/pages/New_Page")
    edited = client.put(
        "/api/v1/pages/New_Page",
        json={"text": "Hello again.", "summary": "Warmer", "base_revision": body["revision"]},
        headers=token,
    )
    assert edited.status_code == 200 and edited.get_json()["revision"] > body["revision"]
    assert latest_text("New Page") == "Hello again."
    unchanged = client.put(
        "/api/v1/pages/New_Page",
        json={"text": "Hello again.", "base_revision": edited.get_json()["revision"]},
        headers=token,
    )
    assert unchanged.status_code == 200 and unchanged.get_json()["changed"] is False


def test_a_stale_base_merges_like_the_editor(client, token, campaign, people):
    base = campaign.latest_revision_id
    save("Spring Campaign", "# Spring\n\nIntro, now longer.\n\nBudget: 10k.", people["bob"])
    response = client.put(
        PAGE,
        json={"text": "# Spring\n\nIntro.\n\nBudget: 12k.", "base_revision": base},
        headers=token,
    )
    assert response.status_code == 200
    assert response.get_json()["merged"] is True
    assert latest_text("Spring Campaign") == "# Spring\n\nIntro, now longer.\n\nBudget: 12k."


def test_a_real_conflict_is_409_with_the_passages_and_nothing_saved(
    client, token, campaign, people
):
    base = campaign.latest_revision_id
    save("Spring Campaign", "# Spring\n\nIntro.\n\nBudget: 15k.", people["bob"])
    latest = latest_id("Spring Campaign")
    response = client.put(
        PAGE,
        json={"text": "# Spring\n\nIntro.\n\nBudget: 12k."},
        headers=token | {"If-Match": f'"{base}"'},
    )
    assert response.status_code == 409
    assert response.headers["Content-Type"] == "application/problem+json"
    body = response.get_json()
    assert body["latest_revision"] == latest and body["base_revision"] == base
    [passage] = body["conflicts"]
    assert "12k" in passage["yours"] and "15k" in passage["theirs"]
    assert latest_id("Spring Campaign") == latest


def test_a_tool_saving_twice_on_one_base_does_not_conflict_with_itself(
    client, token, campaign, people
):
    base = campaign.latest_revision_id
    first = client.put(
        PAGE,
        json={"text": "# Spring\n\nIntro.\n\nBudget: 15k."},
        headers=token | {"If-Match": f'"{base}"'},
    )
    second = client.put(
        PAGE,
        json={"text": "# Spring\n\nIntro.\n\nBudget: 12k."},
        headers=token | {"If-Match": f'"{base}"'},
    )
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.get_json()["merged_with"] == first.get_json()["revision"]
    assert latest_text("Spring Campaign") == "# Spring\n\nIntro.\n\nBudget: 12k."


def test_writing_an_existing_page_needs_a_base(client, token, campaign):
    response = client.put(PAGE, json={"text": "Blind overwrite"}, headers=token)
    assert response.status_code == 428
    assert "base_revision" in response.get_json()["detail"]


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        ({"text": 5}, {}, 400),
        ({}, {}, 400),
        ({"text": "x", "base_revision": "abc"}, {}, 400),
        ({"text": "x", "base_revision": 1}, {"If-Match": '"2"'}, 400),
        ({"text": "x", "minor": "yes"}, {}, 400),
    ],
)
def test_bad_bodies_are_400_with_a_message(client, token, body, headers, status):
    response = client.put("/api/v1/pages/Bad", json=body, headers=token | headers)
    assert response.status_code == status
    assert response.get_json()["detail"]


def test_a_body_that_is_not_json_is_refused(client, token):
    response = client.put("/api/v1/pages/Bad", data="text=x", headers=token)
    assert response.status_code == 400
    assert "JSON" in response.get_json()["detail"]


def test_a_summary_too_long_is_refused_not_cut(client, token):
    body = {"text": "Launch day.", "summary": "s" * 501}
    response = client.put("/api/v1/pages/Launch", json=body, headers=token)
    assert response.status_code == 400
    problem = response.get_json()
    assert "summary" in problem["detail"] and "500" in problem["detail"]
    assert client.get("/api/v1/pages/Launch").status_code == 404  # nothing saved
    body["summary"] = "s" * 500
    assert client.put("/api/v1/pages/Launch", json=body, headers=token).status_code == 201


# Permissions, scopes, blocks, sessions


def test_a_read_only_token_cannot_write(client, people, campaign):
    _token, raw = tokens.create_token(people["alice"], "Reader", [])
    response = client.put(PAGE, json={"text": "x", "base_revision": 1}, headers=bearer(raw))
    assert response.status_code == 403
    assert "edit" in response.get_json()["detail"]
    assert client.get(PAGE, headers=bearer(raw)).status_code == 200


def test_the_site_permissions_and_blocks_apply(client, people, campaign):
    _token, raw = tokens.create_token(people["reader"], "R", ["edit"])
    refused = client.put(PAGE, json={"text": "x", "base_revision": 1}, headers=bearer(raw))
    assert refused.status_code == 403
    blocked = people["mallory"]
    _token, raw = tokens.create_token(blocked, "M", ["edit"])
    accounts.block_user(people["admin"], blocked, "Spam", "1w")
    response = client.put(
        PAGE,
        json={"text": "spam", "base_revision": campaign.latest_revision_id},
        headers=bearer(raw),
    )
    assert response.status_code == 403
    assert "blocked" in response.get_json()["detail"]


def test_writes_without_a_token_need_one(client, campaign):
    response = client.put(PAGE, json={"text": "x"})
    assert response.status_code == 401
    assert "token" in response.get_json()["detail"]


def test_a_session_write_still_needs_its_csrf_token(client, auth, people, campaign):
    auth.login(people["alice"])
    body = {"text": "From the page", "base_revision": campaign.latest_revision_id}
    refused = client.put(PAGE, json=body)
    assert refused.status_code == 400 and "elsewhere" in refused.get_json()["detail"]
    allowed = client.put(PAGE, json=body, headers={"X-CSRFToken": client.csrf_token()})
    assert allowed.status_code == 200


def test_a_private_wiki_answers_tokens_but_not_strangers(client, people, campaign):
    save_policy(people["admin"], read="users", edit="users", register="open", log="everyone")
    assert client.get(PAGE).status_code == 401
    _token, raw = tokens.create_token(people["alice"], "CMS", [])
    assert client.get(PAGE, headers=bearer(raw)).status_code == 200


# Idempotency


def test_a_retried_write_with_the_same_key_gets_the_first_answer(client, token):
    headers = token | {"Idempotency-Key": "create-42"}
    first = client.put("/api/v1/pages/Once", json={"text": "One."}, headers=headers)
    again = client.put("/api/v1/pages/Once", json={"text": "One."}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["ETag"] == first.headers["ETag"]
    assert len(client.get("/api/v1/pages/Once/history").get_json()["items"]) == 1
    other = client.put("/api/v1/pages/Once", json={"text": "Two."}, headers=headers)
    assert other.status_code == 422


def test_refusals_are_replayed_too_and_keys_are_per_client(client, token, people):
    headers = token | {"Idempotency-Key": "k"}
    first = client.put("/api/v1/pages/Bad", json={"text": 1}, headers=headers)
    assert client.put("/api/v1/pages/Bad", json={"text": 1}, headers=headers).status_code == 400
    assert first.status_code == 400
    _token, raw = tokens.create_token(people["bob"], "B", ["edit"])
    mine = client.put(
        "/api/v1/pages/Bad", json={"text": "ok"}, headers=bearer(raw) | {"Idempotency-Key": "k"}
    )
    assert mine.status_code == 201


def test_api_writes_count_against_the_edit_and_comment_limits():
    assert category_of("api.put_page") == ("edit", ["PUT"])
    assert category_of("api.post_comment") == ("comment", ["POST"])
    assert category_of("api.get_page") == ("api", None)


def test_a_limit_too_large_says_how_large_it_may_be(client, token):
    answer = client.get("/api/v1/recent?limit=100000", headers=token)
    assert answer.status_code == 400
    assert "can be at most" in answer.get_json()["detail"]
    assert (
        "whole number"
        in client.get("/api/v1/recent?limit=ten", headers=token).get_json()["detail"]
    )
