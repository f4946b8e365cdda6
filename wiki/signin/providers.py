"""Sign-in providers: read from the configuration, each with an Authlib client.

Any OpenID Connect provider is configured by its issuer (discovery does the rest):

    WIKI_OIDC_<NAME>_ISSUER, WIKI_OIDC_<NAME>_CLIENT_ID, WIKI_OIDC_<NAME>_CLIENT_SECRET,
    WIKI_OIDC_<NAME>_LABEL (optional; the button says "Continue with <label>")

OAuth 2 providers without OpenID Connect have presets (github, wordpress):

    WIKI_OAUTH_<NAME>_CLIENT_ID, WIKI_OAUTH_<NAME>_CLIENT_SECRET, WIKI_OAUTH_<NAME>_LABEL

instance/config.py may set the same keys without WIKI_, or a SIGNIN_PROVIDERS dict:
{"acme": {"issuer": …, "client_id": …, "client_secret": …, "label": "Acme SSO"}}.
"""

import ipaddress
import re
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app

from ..config import ConfigError

EXTENSION = "bottega_signin_oauth"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_OIDC_KEY = re.compile(r"^OIDC_([A-Z0-9_]+)_ISSUER$")
_OAUTH_KEY = re.compile(r"^OAUTH_([A-Z0-9_]+)_CLIENT_ID$")


@dataclass(frozen=True)
class Provider:
    """One way to sign in: an OpenID Connect issuer or an OAuth 2 preset."""

    name: str
    label: str
    #: "oidc", or the preset whose API tells who signed in ("github", "wordpress").
    kind: str
    client_id: str
    client_secret: str
    issuer: str = ""
    scope: str = "openid email profile"
    authorize_url: str = ""
    token_url: str = ""
    api_base_url: str = ""
    #: How the client proves itself at the token endpoint.
    token_auth: str = "client_secret_basic"
    extra: dict = field(default_factory=dict)


PRESETS: dict[str, Provider] = {
    "github": Provider(
        name="github",
        label="GitHub",
        kind="github",
        client_id="",
        client_secret="",
        scope="read:user user:email",
        authorize_url="https://github.com/login/oauth/authorize",
        token_url="https://github.com/login/oauth/access_token",
        api_base_url="https://api.github.com/",
    ),
    "wordpress": Provider(
        name="wordpress",
        label="WordPress.com",
        kind="wordpress",
        client_id="",
        client_secret="",
        scope="auth",
        authorize_url="https://public-api.wordpress.com/oauth2/authorize",
        token_url="https://public-api.wordpress.com/oauth2/token",
        api_base_url="https://public-api.wordpress.com/rest/v1/",
        token_auth="client_secret_post",
    ),
}


def _setting(config, prefix: str, name: str, key: str) -> str:
    """Return a provider's setting, e.g. OIDC_ACME_CLIENT_ID, as a stripped string."""
    return str(config.get(f"{prefix}_{name.upper()}_{key}") or "").strip()


def _from_keys(config) -> dict[str, dict]:
    """Return the providers set by OIDC_<NAME>_* and OAUTH_<NAME>_* keys, as dicts."""
    found: dict[str, dict] = {}
    for key in sorted(config):
        for pattern, prefix, first in ((_OIDC_KEY, "OIDC", "issuer"), (_OAUTH_KEY, "OAUTH", "")):
            match = pattern.match(key)
            if not match:
                continue
            name = match.group(1)
            spec = {
                setting.lower(): _setting(config, prefix, name, setting)
                for setting in ("CLIENT_ID", "CLIENT_SECRET", "LABEL", "ISSUER")
            }
            spec["_variable"] = f"WIKI_{prefix}_{name}"
            if first and not spec["issuer"]:
                continue
            found[name.lower()] = spec
    return found


def configured(config) -> list[Provider]:
    """Return every configured provider, in name order; raise ConfigError for a bad one."""
    specs = _from_keys(config)
    for name, spec in (config.get("SIGNIN_PROVIDERS") or {}).items():
        specs[str(name).lower()] = {**spec, "_variable": f"SIGNIN_PROVIDERS[{name!r}]"}
    return [_provider(name, specs[name]) for name in sorted(specs)]


def _provider(name: str, spec: dict) -> Provider:
    """Return one provider from its settings, checking them."""
    where = spec.get("_variable", name)
    if not _NAME.match(name):
        raise ConfigError(f"{where}: a provider's name has letters, digits, - or _ only.")
    client_id, secret = str(spec.get("client_id") or ""), str(spec.get("client_secret") or "")
    if not client_id or not secret:
        raise ConfigError(f"{where}: set both the client id and the client secret.")
    label = str(spec.get("label") or "")
    issuer = str(spec.get("issuer") or "").rstrip("/")
    if issuer:
        _check_url(where, issuer)
        return Provider(name, label or name.title(), "oidc", client_id, secret, issuer=issuer)
    preset = PRESETS.get(str(spec.get("preset") or name))
    if preset is None:
        raise ConfigError(
            f"{where}: give an OpenID Connect issuer URL, or use a preset "
            f"({', '.join(sorted(PRESETS))})."
        )
    overrides = {
        key: str(spec[key])
        for key in ("authorize_url", "token_url", "api_base_url")
        if spec.get(key)
    }
    for url in overrides.values():
        _check_url(where, url)
    return replace(
        preset,
        name=name,
        label=label or preset.label,
        client_id=client_id,
        client_secret=secret,
        **overrides,
    )


def _check_url(where: str, url: str) -> None:
    """Raise ConfigError unless the URL is https (or http on this machine, for testing)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname:
        host = parts.hostname
        try:
            loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if loopback:
            return
    raise ConfigError(f"{where}: {url!r} must be an https:// URL.")


def register(app: Flask) -> None:
    """Read the providers and make an Authlib client for each (discovery waits for use)."""
    providers = configured(app.config)
    oauth = OAuth(app)
    timeout = float(app.config.get("SIGNIN_TIMEOUT", 10.0))
    for provider in providers:
        client_kwargs = {
            "scope": provider.scope,
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": provider.token_auth,
            "default_timeout": timeout,
        }
        if provider.kind == "oidc":
            oauth.register(
                provider.name,
                client_id=provider.client_id,
                client_secret=provider.client_secret,
                server_metadata_url=f"{provider.issuer}/.well-known/openid-configuration",
                client_kwargs=client_kwargs,
            )
        else:
            oauth.register(
                provider.name,
                client_id=provider.client_id,
                client_secret=provider.client_secret,
                authorize_url=provider.authorize_url,
                access_token_url=provider.token_url,
                api_base_url=provider.api_base_url,
                client_kwargs=client_kwargs,
            )
    app.extensions[EXTENSION] = (oauth, {provider.name: provider for provider in providers})


def all_providers() -> list[Provider]:
    """Return the providers of the current app, in name order."""
    return list(current_app.extensions[EXTENSION][1].values())


def get(name: str) -> Provider | None:
    """Return the provider with this name (any case), or None."""
    return current_app.extensions[EXTENSION][1].get(name.lower()) if len(name) <= 40 else None


def client(provider: Provider):
    """Return the provider's Authlib client."""
    return current_app.extensions[EXTENSION][0].create_client(provider.name)
