"""Images by URL: the Content-Security-Policy's img-src follows the IMAGE_SOURCES setting."""

import pytest

from tests.helpers import base_config, release
from wiki import create_app
from wiki.config import ConfigError, image_sources


def image_policy(response) -> str:
    """Return the img-src directive of a response's Content-Security-Policy."""
    directives = [part.strip() for part in response.headers["Content-Security-Policy"].split(";")]
    return next(part for part in directives if part.startswith("img-src"))


def served_policy(tmp_path, database_url, **config) -> str:
    """Return the img-src a wiki with these settings sends with a page."""
    app = create_app(base_config(tmp_path, database_url) | config)
    with app.app_context():
        try:
            return image_policy(app.test_client().get("/wiki/Home"))
        finally:
            release(app)


def test_by_default_images_load_from_the_wiki_and_any_https_site(client):
    response = client.get("/wiki/Home")
    assert image_policy(response) == "img-src 'self' https:"
    # The rest of the policy stays as strict as before.
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("value", ["none", "'none'", "", "  ", "self", ()])
def test_none_keeps_images_to_the_wikis_own_files(tmp_path, database_url, value):
    assert served_policy(tmp_path, database_url, IMAGE_SOURCES=value) == "img-src 'self'"


def test_listed_hosts_are_the_only_outside_sources(tmp_path, database_url):
    setting = "https://img.example.com http://127.0.0.1:8123 *.cdn.example.org"
    assert served_policy(tmp_path, database_url, IMAGE_SOURCES=setting) == (
        "img-src 'self' https://img.example.com http://127.0.0.1:8123 *.cdn.example.org"
    )


def test_the_environment_variable_sets_it(tmp_path, database_url, monkeypatch):
    monkeypatch.setenv("WIKI_IMAGE_SOURCES", "https://img.example.com")
    policy = served_policy(tmp_path, database_url)
    assert policy == "img-src 'self' https://img.example.com"


@pytest.mark.parametrize(
    "value",
    [
        "https:; script-src *",  # would smuggle in a directive
        "'unsafe-inline'",
        "https://a.example.com,https://b.example.com",
        "'self' data: \"x\"",
    ],
)
def test_a_value_that_is_not_an_image_source_is_refused_by_name(value):
    with pytest.raises(ConfigError) as refused:
        image_sources(value)
    assert "IMAGE_SOURCES" in refused.value.message


def test_sources_are_read_from_a_string_or_a_list():
    assert image_sources("https:  data:") == ("https:", "data:")
    assert image_sources(["https://img.example.com"]) == ("https://img.example.com",)
    assert image_sources("NONE") == ()
