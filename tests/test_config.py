"""Configuration from WIKI_* variables: typed, empty means unset, bad values named clearly."""

import pytest

from tests.helpers import CSRFClient, base_config, log_in, register, release
from wiki import create_app
from wiki.config import ConfigError, environment_settings
from wiki.identity import find_user


def test_each_variable_takes_its_defaults_type():
    settings = environment_settings(
        {
            "WIKI_MAIL_USE_SSL": "0",
            "WIKI_SESSION_COOKIE_SECURE": "yes",
            "WIKI_MAX_PAGE_BYTES": "2000000",
            "WIKI_RENDER_TIMEOUT": "2.5",
            "WIKI_SITE_NAME": "Acme wiki",
            "OTHER": "ignored",
        }
    )
    assert settings == {
        "MAIL_USE_SSL": False,
        "SESSION_COOKIE_SECURE": True,
        "MAX_PAGE_BYTES": 2_000_000,
        "RENDER_TIMEOUT": 2.5,
        "SITE_NAME": "Acme wiki",
    }


def test_a_variable_set_but_empty_is_unset(tmp_path, monkeypatch):
    monkeypatch.setenv("WIKI_DATABASE_URL", "")
    monkeypatch.setenv("WIKI_MAX_PAGE_BYTES", " ")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["MAX_PAGE_BYTES"] == 1024 * 1024


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("WIKI_MAIL_USE_SSL", "maybe"),
        ("WIKI_MAX_PAGE_BYTES", "lots"),
        ("WIKI_RENDER_TIMEOUT", "1,5"),
        ("WIKI_DATABASE_URL", "bottega.sqlite"),
        ("WIKI_RENDER_TIMEOUT", "0"),
        ("WIKI_HISTORY_PAGE_SIZE", "0"),
        ("WIKI_PASSWORD_HASH_METHOD", "md5"),
        ("WIKI_PASSWORD_HASH_METHOD", "pbkdf2:sha256:1000"),  # too few iterations
        ("WIKI_PASSWORD_HASH_METHOD", "scrypt:3:8:1"),  # n is not a power of two
    ],
)
def test_a_bad_value_is_refused_naming_the_setting(tmp_path, monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as refused:
        create_app({"INSTANCE_PATH": str(tmp_path)})
    assert name.removeprefix("WIKI_") in refused.value.message
    assert value in refused.value.message


def test_passwords_are_hashed_with_scrypt_unless_the_site_says_otherwise(database_url, tmp_path):
    config = base_config(tmp_path, database_url)
    del config["PASSWORD_HASH_METHOD"]  # the suite's cheaper method: here, the default
    app = create_app(config)
    app.test_client_class = CSRFClient
    with app.app_context():
        assert register(app.test_client(), "anna").status_code == 302
        assert find_user("anna").password_hash.startswith("scrypt:")
        assert log_in(app.test_client(), "anna").status_code == 302
        app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:600000"
        assert register(app.test_client(), "ben").status_code == 302
        assert find_user("ben").password_hash.startswith("pbkdf2:sha256:600000$")
        assert log_in(app.test_client(), "anna").status_code == 302
        assert find_user("anna").password_hash.startswith("pbkdf2:sha256:600000$")  # moved
        assert log_in(app.test_client(), "anna").status_code == 302
        release(app)
