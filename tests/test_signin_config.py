"""Sign-in providers are configured, not coded: environment variables, instance/config.py."""

import pytest

from tests.helpers import base_config, text
from wiki import create_app
from wiki.config import ConfigError
from wiki.signin.providers import configured


def test_an_openid_provider_is_its_issuer_client_and_label():
    [acme] = configured(
        {
            "OIDC_ACME_CORP_ISSUER": "https://sso.acme.example/",
            "OIDC_ACME_CORP_CLIENT_ID": "wiki",
            "OIDC_ACME_CORP_CLIENT_SECRET": "s3cret",
            "OIDC_ACME_CORP_LABEL": "Acme SSO",
        }
    )
    assert (acme.name, acme.label, acme.kind) == ("acme_corp", "Acme SSO", "oidc")
    assert acme.issuer == "https://sso.acme.example"  # discovery appends the well-known path


def test_github_and_wordpress_are_presets_of_oauth_providers():
    github, wordpress = configured(
        {
            "OAUTH_GITHUB_CLIENT_ID": "id",
            "OAUTH_GITHUB_CLIENT_SECRET": "secret",
            "SIGNIN_PROVIDERS": {
                "wordpress": {"client_id": "wp", "client_secret": "wps"},
            },
        }
    )
    assert (github.kind, github.label, github.token_url) == (
        "github",
        "GitHub",
        "https://github.com/login/oauth/access_token",
    )
    assert (wordpress.label, wordpress.token_auth) == ("WordPress.com", "client_secret_post")


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"OIDC_X_ISSUER": "https://x.example", "OIDC_X_CLIENT_ID": "a"}, "WIKI_OIDC_X"),
        (
            {"OIDC_X_ISSUER": "http://x.example", "OIDC_X_CLIENT_ID": "a",
             "OIDC_X_CLIENT_SECRET": "b"},
            "must be an https:// URL",
        ),
        ({"OAUTH_MYSPACE_CLIENT_ID": "a", "OAUTH_MYSPACE_CLIENT_SECRET": "b"}, "preset"),
        ({"SIGNIN_PROVIDERS": {"no spaces": {"client_id": "a", "client_secret": "b"}}}, "name"),
    ],
)  # fmt: skip
def test_a_provider_that_cannot_work_is_refused_at_start_naming_it(settings, named):
    with pytest.raises(ConfigError, match=named):
        configured(settings)


def test_the_environment_alone_adds_a_provider(tmp_path, monkeypatch, database_url):
    monkeypatch.setenv("WIKI_OIDC_COMPANY_ISSUER", "http://127.0.0.1:9")
    monkeypatch.setenv("WIKI_OIDC_COMPANY_CLIENT_ID", "wiki")
    monkeypatch.setenv("WIKI_OIDC_COMPANY_CLIENT_SECRET", "s3cret")
    monkeypatch.setenv("WIKI_OIDC_COMPANY_LABEL", "Company SSO")
    app = create_app(base_config(tmp_path, database_url))
    with app.app_context():
        client = app.test_client()
        page = text(client.get("/login"))
        assert "Continue with Company SSO" in page and 'href="/login/company"' in page
        assert client.get("/login/company").status_code == 503  # nothing listens there
        assert "Continue with Company SSO" in text(client.get("/register"))
