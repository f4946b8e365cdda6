"""Property-based fuzzing: hostile values into every form, API endpoint and query parameter.

Routes are discovered from the app's URL map, so a new route is fuzzed without a change
here. Each answer must be below 500 and, when it refuses, say why in words a person
understands (an error page's message, a form's alert, or a JSON error). Afterwards nothing
malformed may have been stored.
"""

import os
import sys
import unicodedata
import urllib.parse
from html.parser import HTMLParser

import pytest
from flask import Request
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import String, Text, select
from werkzeug.datastructures import ImmutableMultiDict

from tests.helpers import log_in
from wiki.core.titles import parse_title
from wiki.extensions import db
from wiki.identity import check_username
from wiki.models import Page, User

#: Field names the site's forms use; each example sends a random subset.
FORM_FIELDS = [
    "text", "summary", "minor", "base_revision", "kind", "action", "subject", "body",
    "parent", "username", "password", "confirm", "current", "reason", "duration", "level",
    "role", "approved", "address", "note", "read", "edit", "register", "log", "latest",
    "merge_base", "mine", "choice-0", "new_title", "title", "q", "language", "email",
    "bio", "display_name", "auto_watch", "leave_redirect", "move_subpages", "id",
    "identifier", "new_email", "code", "two_factor",
]  # fmt: skip
#: Query parameters the site's pages read.
QUERY_FIELDS = [
    "q", "before", "after", "from", "to", "rev", "view", "action", "actor", "target",
    "show", "page", "offset", "limit", "draft", "reply", "next", "invite", "days", "user",
    "id", "parent", "base_revision", "template", "talk", "redirect", "redirectedfrom",
    "fulltext", "token", "link",
]  # fmt: skip
#: The fields the site reads as a number (an id, a revision, a page of a list, a count).
NUMERIC_QUERY = ["page", "before", "after", "from", "to", "rev", "reply", "draft", "days"]
NUMERIC_FORM = ["base_revision", "parent", "latest", "merge_base", "role"]
#: Numbers as people and tools write them, which int() and str.isdigit() read differently,
#: or which overflow a 32- or 64-bit column: each goes in every path argument, in every field
#: at once, and in each numeric field alone (one early refusal must not hide another).
NUMBERS = ["²", "٩٩٩٩٩٩٩٩٩٩٩", "2147483648", "9223372036854775808", "-1", "0", "1e3", " 1"]
HOSTILE = [
    *NUMBERS, "", " ", "-1", "0", "1", "1e9", "9" * 40, "NaN", "inf", "-0", "+1", "0x10", "１２３",
    "null", "None", "true", "[]", "{}", "../../etc/passwd", "%00", "\x00", "\x00\x01\x1b",
    "' OR 1=1 --", "\"; DROP TABLE page; --", "<script>alert(1)</script>", "\ud800",
    "\udfff", "\u202e", "\ufeff", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "a" * 5000, "\r\n\r\n", "/", "//evil.example",
    "javascript:alert(1)", "editor", "moderator", "never", "1d", "1h", "everyone", "40",
]  # fmt: skip
HUGE = "x" * 1_500_000  # over the page size limit, under the request size limit


def encode(value: str | bytes) -> str:
    """Percent-encode a value's bytes; lone surrogates become invalid UTF-8 on the wire."""
    raw = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
    return urllib.parse.quote_from_bytes(raw, safe="")


values = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=120),
    st.binary(max_size=120),  # invalid UTF-8 as it comes
    st.binary(max_size=60).map(lambda raw: raw.decode("utf-8", "surrogateescape")),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.just(HUGE),
)
forms = st.dictionaries(st.sampled_from(FORM_FIELDS), values, max_size=8)
queries = st.dictionaries(
    st.sampled_from(QUERY_FIELDS), values.filter(lambda v: v != HUGE), max_size=4
)
path_text = st.one_of(
    st.sampled_from(HOSTILE[:-5] + ["Plan", "Plan/Sub", "Missing page", "bob", "root"]),
    st.text(min_size=1, max_size=60),
    st.binary(min_size=1, max_size=40),
)
path_ints = st.one_of(
    st.sampled_from([0, 1, 2, 3, 2**31 - 1, 2**31, 2**63, 10**40]),
    st.integers(min_value=0, max_value=10**30),
)


class HumanMessage(HTMLParser):
    """The words an error answer shows: the error page's message or a form's alert."""

    MARKERS = ("error-message", "flash-error", "flash-info", "flash-blocked", "missing")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text = ""
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        classes = values.get("class") or ""
        if self._depth or values.get("role") == "alert" or any(m in classes for m in self.MARKERS):
            self._depth += 1

    def handle_endtag(self, tag):
        if self._depth:
            self._depth -= 1

    def handle_data(self, data):
        if self._depth:
            self.text += data


def human_message(response) -> str:
    """Return the message a refusal shows a person ("" if there is none)."""
    if response.is_json:
        body = response.get_json(silent=True) or {}
        error = body.get("detail") or body.get("error")
        return str(error.get("message", "") if isinstance(error, dict) else error or "")
    body = response.get_data(as_text=True)
    if response.mimetype == "text/plain":
        return body
    parser = HumanMessage()
    # Messages sit in the page's main part (base.html): the header before it holds none.
    parser.feed(body[max(body.find('<main id="main-content"'), 0) :])
    return " ".join(parser.text.split())


def check_answer(response, what) -> None:
    """Assert the answer is no server error and that a refusal explains itself.

    what names the request, or is a function returning that name: a form may hold a value
    of 1.5 MB, and writing it out for every answer that passes would cost more than sending it.
    """
    describe = what if callable(what) else lambda: what
    assert response.status_code < 500, f"{describe()} → {response.status_code}"
    if response.status_code >= 400:
        message = human_message(response)
        assert len(message) >= 10, f"{describe()} → {response.status_code} with no message"


def url_for_rule(rule, draw_text, draw_int) -> str:
    """Build a URL for a rule with hostile path values."""
    parts = {}
    for name, converter in rule._converters.items():
        kind = type(converter).__name__
        if kind == "IntegerConverter":
            parts[name] = encode(str(draw_int()))
        elif kind == "AnyConverter":
            parts[name] = sorted(converter.items)[0] if hasattr(converter, "items") else "x"
        else:
            raw = draw_text()
            parts[name] = encode(raw) or "x"
    url = rule.rule
    for name, value in parts.items():
        url = _replace_arg(url, name, value)
    return url


def _replace_arg(url: str, name: str, value: str) -> str:
    start = url.index("<")
    while True:
        end = url.index(">", start)
        if url[start:end].endswith(f":{name}") or url[start + 1 : end] == name:
            return url[:start] + value + url[end + 1 :]
        start = url.index("<", end)


@pytest.fixture
def world(app, people, make_page):
    """A wiki with pages, a talk topic, and people of each role; anonymous editing allowed."""
    from wiki.access.policy import save_policy
    from wiki.talk import service as talk

    admin, _, _ = people["root"], people["bob"], people["mod"]
    page = make_page("Plan", "# Plan\n\ntext", "# Plan\n\nmore text")
    make_page("Plan/Sub", "sub page")
    talk.start_topic(page, "Tone", "Too formal?", author=admin)
    save_policy(admin, edit="everyone")
    return app


def logged_in(app):
    """Return a new client logged in as root, an administrator.

    The login is done once per app; each client starts from the cookies it left, after a
    page view showed its welcome, so no message of one request shows in the next.
    """
    client = app.test_client()
    cookies = app.extensions.get("fuzz_cookies")
    if cookies is None:
        log_in(client, "root")
        client.get("/preferences")
        cookies = app.extensions["fuzz_cookies"] = list(client._cookies.values())
    for cookie in cookies:
        client.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)
    return client


def assert_still_logged_in(app) -> None:
    """Check that the shared login lasted: no route swept ended it (they ran logged in)."""
    response = logged_in(app).get("/preferences")
    assert response.status_code == 200 and 'action="/logout"' in response.get_data(as_text=True)


#: The suite runs the same examples every time (a red run can be rerun); set WIKI_FUZZ_RANDOM=1
#: (and WIKI_FUZZ_EXAMPLES=50) to explore new ones.
EXAMPLES = int(os.environ.get("WIKI_FUZZ_EXAMPLES", "6"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=not os.environ.get("WIKI_FUZZ_RANDOM"),
    suppress_health_check=list(HealthCheck),
)
#: Always tried, in every path argument and every field: the values that broke things before.
SWEEP = ["\x00", "9" * 40, "-1", "..", "\ud800", "a" * 300, "<script>", "%", " "]
SWEEP_INTS = [0, 2**31, 10**40]


def sweep(client, rule, method: str) -> None:
    """Send the SWEEP values in every path argument and every field (or query parameter)."""
    names = FORM_FIELDS if method == "POST" else QUERY_FIELDS
    for index, value in enumerate(SWEEP):
        send(client, rule, method, value, SWEEP_INTS[index % 3], dict.fromkeys(names, value))


#: The field names views read during the request being sent (EVERY: they went through all).
READ: set[str] = set()
EVERY = object()
#: Code that goes through every parameter without reading one as a number: copying them as
#: they came into links (the language switcher, a feed's own address) or refusing a NUL in
#: any (before every request). The request with every field set checks what it does.
_DEPTH = 0
COPIERS = {"wiki.i18n.display", "wiki.community.recent.feed_views", "wiki.safety.hardening"}


class ReadFields(ImmutableMultiDict):
    """A request's query parameters or form fields, noting each name a view asks for."""

    def __getitem__(self, key):
        READ.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        READ.add(key)
        return super().__contains__(key)

    def get(self, key, default=None, type=None):
        READ.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        READ.add(key)
        return super().getlist(key, type)

    def _everything(self, method, *args, **kwargs):
        global _DEPTH
        # Only the outermost call counts (to_dict goes through items): who called it?
        if not _DEPTH and sys._getframe(2).f_globals.get("__name__") not in COPIERS:
            READ.add(EVERY)
        _DEPTH += 1
        try:
            return getattr(super(), method)(*args, **kwargs)
        finally:
            _DEPTH -= 1

    def __iter__(self):
        return self._everything("__iter__")

    def keys(self):
        return self._everything("keys")

    def items(self, multi=False):
        return self._everything("items", multi)

    def values(self):
        return self._everything("values")

    def lists(self):
        return self._everything("lists")

    def to_dict(self, flat=True):
        return self._everything("to_dict", flat)


class ReadingRequest(Request):
    """A request whose views' reads of fields are noted (for sweeping only those)."""

    parameter_storage_class = ReadFields


#: The field names each route reads when sent none, by (rule, method).
READ_WITHOUT_FIELDS: dict[tuple[str, str], set] = {}


def sweep_number(client, rule, method: str, number: str) -> list[str]:
    """Send a number in every path argument and field, then in each numeric field alone;
    return what went wrong.

    A numeric field alone is sent only if the view reads it when no field is sent: up to
    that read the request runs exactly as one without fields (which is sent and checked),
    so a field never read cannot change the answer.
    """
    names = FORM_FIELDS if method == "POST" else QUERY_FIELDS
    numeric = NUMERIC_FORM if method == "POST" else NUMERIC_QUERY
    requests = [(number, number, {}), (number, number, dict.fromkeys(names, number))]
    wrong = []

    def attempt(path_text, path_int, fields) -> None:
        try:
            send(client, rule, method, path_text, path_int, fields)
        except AssertionError as error:
            wrong.append(str(error).split("\n")[0])

    for path_text, path_int, fields in requests:
        attempt(path_text, path_int, fields)
    # What the view reads without fields does not depend on the number: found once per
    # route and test process.
    key = (rule.rule, method)
    read = READ_WITHOUT_FIELDS.get(key)
    if read is None:
        READ.clear()
        failures = len(wrong)
        attempt("Plan", 1, {})
        read = set(READ)
        if len(wrong) == failures:  # a request that failed may have stopped reading early
            READ_WITHOUT_FIELDS[key] = read
    for name in numeric:
        if EVERY in read or name in read:
            attempt("Plan", 1, {name: number})
    return wrong


def send(client, rule, method: str, path_text, path_int, fields: dict) -> None:
    """Send one request to rule with these path values and fields, and check the answer."""
    url = url_for_rule(rule, lambda: path_text, lambda: path_int)
    encoded = "&".join(f"{encode(name)}={encode(value)}" for name, value in fields.items())
    name, value = next(iter(fields.items()), ("no field", ""))
    what = f"{method} {url} with {name if len(fields) < 2 else 'every field'} = {value!r:.40}"
    try:
        if method == "POST":
            token = client.csrf_token()
            response = client.open(
                url,
                method="POST",
                data=f"{encoded}&csrf_token={token}",
                content_type="application/x-www-form-urlencoded",
            )
        else:
            response = client.get(f"{url}?{encoded}")
    except Exception as error:  # the test app raises what a real one would answer 500 to
        raise AssertionError(f"{what} → {type(error).__name__}: {error}") from error
    response.close()
    check_answer(response, what)


def fuzz_post(app, rule, client=None, examples: int = EXAMPLES) -> None:
    client = client or logged_in(app)
    sweep(client, rule, "POST")

    @settings(SETTINGS, max_examples=examples)
    @given(
        form=forms, data=st.data(), token=st.sampled_from(["good", "good", "good", "bad", "none"])
    )
    def run(form, data, token):
        url = url_for_rule(rule, lambda: data.draw(path_text), lambda: data.draw(path_ints))
        fields = [f"{encode(name)}={encode(value)}" for name, value in form.items()]
        if token != "none":
            fields.append("csrf_token=" + (client.csrf_token() if token == "good" else "x"))
        response = client.open(
            url,
            method="POST",
            data="&".join(fields),
            content_type="application/x-www-form-urlencoded",
        )
        check_answer(response, lambda: f"POST {url} {form!r:.300}")

    run()


def fuzz_get(app, rule) -> None:
    client = logged_in(app)
    sweep(client, rule, "GET")

    @SETTINGS
    @given(query=queries, data=st.data())
    def run(query, data):
        url = url_for_rule(rule, lambda: data.draw(path_text), lambda: data.draw(path_ints))
        if query:
            url += "?" + "&".join(f"{encode(k)}={encode(v)}" for k, v in query.items())
        response = client.get(url)
        response.close()
        check_answer(response, f"GET {url:.300}")

    run()


SKIP = {"static"}  # files, no input to fuzz (path traversal is Flask's safe_join)
#: The routes are swept in this many tests, every this-many-th route each: one test of
#: them all took 30-90 s, which the suite's parallel workers could not share.
SHARDS = 4


@pytest.mark.parametrize("shard", range(SHARDS))
def test_every_form_and_page_survives_hostile_input(world, shard):
    rules = [rule for rule in world.url_map.iter_rules() if rule.endpoint not in SKIP]
    ordered = sorted(rules, key=lambda r: (r.endpoint, r.rule))
    for rule in ordered[shard::SHARDS]:
        if "POST" in rule.methods and not rule.endpoint.endswith(("logout", "logout_everywhere")):
            fuzz_post(world, rule)
        if "GET" in rule.methods:
            fuzz_get(world, rule)
    assert_nothing_malformed_is_stored()
    assert_still_logged_in(world)


#: Numbers Python refuses or reads as a small number never reach the database as a number
#: (its engine cannot matter): those are swept on SQLite only. Numbers past a column's range
#: are swept on both engines (PostgreSQL refuses them where SQLite does not).
ENGINE_FREE = {"²", "1e3", " 1", "0"}


@pytest.mark.parametrize(
    "number",
    [
        pytest.param(n, marks=pytest.mark.engine("sqlite")) if n in ENGINE_FREE else n
        for n in NUMBERS
    ],
)
def test_numbers_as_people_write_them_survive_every_id_and_page_field(world, number):
    world.request_class = ReadingRequest
    wrong = []
    for rule in sorted(world.url_map.iter_rules(), key=lambda r: r.endpoint):
        if rule.endpoint in SKIP or rule.endpoint.endswith(("logout", "logout_everywhere")):
            continue
        for method in sorted(rule.methods & {"GET", "POST"}):
            wrong += sweep_number(logged_in(world), rule, method, number)
    assert not wrong, "\n".join(wrong)
    assert_still_logged_in(world)


def test_logout_endpoints_survive_hostile_input(world):
    for endpoint in ("people.logout", "safety.logout_everywhere"):
        rule = next(r for r in world.url_map.iter_rules() if r.endpoint == endpoint)
        fuzz_post(world, rule)


def test_anonymous_visitors_survive_hostile_input(world):
    """The same forms, posted by someone who is not logged in."""
    for rule in world.url_map.iter_rules():
        if "POST" in rule.methods and rule.endpoint not in SKIP:
            fuzz_post(world, rule, client=world.test_client(), examples=3)


def test_a_request_over_the_size_limit_is_a_friendly_413(world):
    client = logged_in(world)
    body = "text=" + "x" * (world.config["MAX_CONTENT_LENGTH"] + 10)
    response = client.open(
        "/edit/Plan", method="POST", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert "too large" in human_message(response)


def assert_nothing_malformed_is_stored() -> None:
    """No NUL, C0 control character (but tab and newline) or lone surrogate in any text
    column; titles and usernames valid."""
    db.session.rollback()
    allowed_controls = {"\n", "\t"}
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, (String, Text))]
        if not columns:
            continue
        for row in db.session.execute(select(*columns)):
            for column, value in zip(columns, row, strict=True):
                if not isinstance(value, str):
                    continue
                bad = [
                    ch
                    for ch in value
                    if (ch < " " and ch not in allowed_controls)
                    or ch == "\x7f"
                    or unicodedata.category(ch) == "Cs"
                ]
                assert not bad, f"{table.name}.{column.name} holds {bad[:3]!r}"
    for page in db.session.scalars(select(Page)):
        assert parse_title(page.title).key == page.key, page.title
    for user in db.session.scalars(select(User)):
        assert check_username(user.username) == user.username, user.username
